"""`maillage indicateurs_calcul`: today's snapshot of the computed indicators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maillage.observatory.services import RecomputeBusy, indicators_recompute
from maillage.territories.models import Commune


class Command(BaseCommand):
    help = (
        "Calcule pour chaque commune la population, le nombre de lieux et de services et la "
        "distance au lieu le plus proche de chaque catégorie, et les demandes d'orientation ; "
        "remplace les valeurs du jour, garde les autres."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--communes", default="", help="Codes INSEE séparés par des virgules (défaut : toutes)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        codes = [c.strip() for c in options["communes"].split(",") if c.strip()]
        communes = Commune.objects.communes()
        if codes:
            communes = communes.filter(code__in=codes)
        bar: tqdm | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, desc="Indicateurs", file=self.stderr._out)
            bar.update(done - bar.n)

        try:
            counts = indicators_recompute(communes=communes if codes else None, progress=progress)
        except RecomputeBusy as exc:
            raise CommandError(str(exc)) from exc
        if bar is not None:
            bar.close()
        self.stdout.write(
            f"{counts['indicateurs']} indicateurs calculés pour {counts['communes']} communes "
            f"({counts['valeurs']} valeurs)."
        )
