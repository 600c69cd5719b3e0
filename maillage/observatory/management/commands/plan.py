"""`maillage plan --territoire SLUG --categorie CODE --sites K --rayon-km R [--exact] --json`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maillage.observatory.plans import limits
from maillage.observatory.plans.compute import PlanError, plan_compute


class Command(BaseCommand):
    help = (
        "Propose où ouvrir K nouveaux sites pour couvrir le plus d'habitants à moins de R km "
        "d'un lieu offrant la catégorie (glouton paresseux, ou programme linéaire en nombres "
        "entiers avec --exact)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--territoire", required=True, help="Identifiant du territoire")
        parser.add_argument("--categorie", required=True, help="Code de catégorie")
        parser.add_argument("--sites", required=True, type=int, help="Nombre de sites K")
        parser.add_argument(
            "--rayon-km", required=True, type=float, help="Rayon de couverture R (km)"
        )
        parser.add_argument("--exact", action="store_true", help="Optimum exact (HiGHS)")
        parser.add_argument(
            "--candidats",
            default=limits.CANDIDATES_MAIRIES,
            help=(
                "mairies (défaut), communes, ou une liste de communes du territoire (codes "
                "INSEE ou noms) séparés par des virgules"
            ),
        )
        parser.add_argument(
            "--itinerant", action="store_true", help="Arrêts d'un service itinérant"
        )
        parser.add_argument(
            "--limite-s",
            type=float,
            default=limits.CLI_EXACT_TIME_LIMIT_S,
            help="Temps maximal du calcul exact (s)",
        )
        parser.add_argument("--json", action="store_true", help="Sortie JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = plan_compute(
                territoire=options["territoire"],
                categorie=options["categorie"],
                sites=options["sites"],
                rayon_km=options["rayon_km"],
                exact=options["exact"],
                candidats=options["candidats"],
                itinerant=options["itinerant"],
                time_limit_s=options["limite_s"],
            )
        except PlanError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"{result['territoire']} — {result['categorie']} à {result['rayon_km']:g} km "
            f"({result['methode']}, {result['duree_s']:.2f} s)"
        )
        for rank, site in enumerate(result["sites"], 1):
            self.stdout.write(
                f"{rank:>3}. {site['nom']} ({site['commune']}) : "
                f"+{site['population_gagnee']:,} habitants".replace(",", " ")
            )
        total = result["population_totale"] or 1
        self.stdout.write(
            f"Couverture : {result['population_couverte_avant'] / total:.1%} avant, "
            f"{result['population_couverte_apres'] / total:.1%} après "
            f"(borne supérieure {result['borne_superieure'] / total:.1%}"
            f"{', optimal' if result['optimal'] else ''})."
        )
        if result["communes_ignorees"]:
            self.stdout.write(
                f"{result['communes_ignorees']} communes sans position ni population ignorées."
            )
