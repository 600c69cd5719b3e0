"""`maillage orient "TEXTE" --commune CODE [--profil P] --json`: the orientation engine."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maillage.orientation.engine import OrientationError, orientation_answer
from maillage.orientation.enums import Profil
from maillage.orientation.ranking import JOURS, MODALITES


class Command(BaseCommand):
    help = "Oriente un besoin exprimé librement : catégories comprises et services proches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("besoin", help="Le besoin, en texte libre")
        parser.add_argument("--commune", required=True, help="Code INSEE de la commune")
        parser.add_argument("--profil", default="particulier", help=", ".join(Profil.values))
        parser.add_argument("--rayon-km", type=float, dest="rayon_km")
        parser.add_argument("--gratuit", action="store_true", default=None)
        parser.add_argument("--modalite", choices=MODALITES)
        parser.add_argument("--accessible", action="store_true", default=None)
        parser.add_argument("--jour", choices=JOURS)
        parser.add_argument("--limite", type=int)
        parser.add_argument("--json", action="store_true", help="Réponse JSON (celle de l'API)")

    def handle(self, *args: Any, **options: Any) -> None:
        contraintes = {
            key: options[key]
            for key in ("rayon_km", "gratuit", "modalite", "accessible", "jour", "limite")
            if options.get(key) is not None
        }
        try:
            answer = orientation_answer(
                besoin=options["besoin"],
                profil=options["profil"],
                commune=options["commune"],
                contraintes=contraintes,
            )
        except OrientationError as exc:
            if options["json"]:
                self.stdout.write(json.dumps({"detail": exc.message}, ensure_ascii=False))
            raise CommandError(exc.message) from exc
        if options["json"]:
            # The API's JSON: the same schema serialises both.
            payload = answer.model_dump(mode="json")
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(answer.message)
        for category in answer.categories:
            self.stdout.write(f"  {category.score:.2f}  {category.libelle} ({category.code})")
        for index, item in enumerate(answer.resultats, start=1):
            self.stdout.write(f"{index}. {item.service.nom} — {item.structure.nom}")
            self.stdout.write("   " + " · ".join(item.raisons))
