"""`maillage export_lieux --format csv|json|geojson [--territoire SLUG] [--output F]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from maillage.directory.opendata import WRITERS
from maillage.directory.selectors import lieux_opendata
from maillage.territories.selectors import territoire_get


class Command(BaseCommand):
    help = (
        "Exporte les lieux au schéma national des lieux de médiation numérique "
        "(CSV, JSON ou GeoJSON), pour tout l'annuaire ou un territoire."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(WRITERS), default="csv")
        parser.add_argument("--territoire", help="Identifiant du territoire (slug)")
        parser.add_argument("--output", help="Fichier à écrire (sortie standard sinon)")

    def handle(self, *args: Any, **options: Any) -> None:
        territoire = None
        if options["territoire"]:
            try:
                territoire = territoire_get(options["territoire"])
            except Http404 as exc:
                raise CommandError(
                    f"Territoire inconnu : {options['territoire']}. "
                    "La liste est sur /api/v1/territoires."
                ) from exc
        text = lieux_opendata(options["format"], territoire)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Export écrit dans {options['output']}.")
        else:
            self.stdout.write(text, ending="")
