"""`maillage indicateurs_import FICHIER.csv --code CODE --libelle … --date AAAA-MM-JJ`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maillage.directory.imports import FileFormatError
from maillage.observatory.services import indicateur_import


class Command(BaseCommand):
    help = (
        "Importe un indicateur par code INSEE de commune depuis un CSV. Chaque ligne en erreur "
        "est signalée ; les bonnes lignes sont chargées et remplacent celles de la même date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichier", help="Fichier CSV (séparateur et encodage détectés)")
        parser.add_argument("--code", required=True, help="Code de l'indicateur, ex. thd")
        parser.add_argument("--libelle", required=True, help="Libellé affiché")
        parser.add_argument("--unite", default="", help="Unité, ex. %% des locaux")
        parser.add_argument("--source", required=True, help="Producteur de la donnée")
        parser.add_argument("--date", required=True, help="Date des valeurs, AAAA-MM-JJ")
        parser.add_argument("--description", default="", help="Définition de l'indicateur")
        parser.add_argument("--colonne-commune", default=None, help="Colonne du code INSEE")
        parser.add_argument("--colonne-valeur", default=None, help="Colonne de la valeur")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(
                f"Date invalide « {options['date']} » : attendu AAAA-MM-JJ."
            ) from exc
        path = Path(options["fichier"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}.")
        try:
            result = indicateur_import(
                data=path.read_bytes(),
                filename=path.name,
                code=options["code"],
                libelle=options["libelle"],
                unite=options["unite"],
                source=options["source"],
                on=on,
                colonne_commune=options["colonne_commune"],
                colonne_valeur=options["colonne_valeur"],
                description=options["description"],
            )
        except FileFormatError as exc:
            raise CommandError(str(exc)) from exc
        for error in result.errors:
            self.stderr.write(
                f"Ligne {error.line}, colonne « {error.field} », valeur « {error.value} » : "
                f"{error.message}"
            )
        self.stdout.write(
            f"{result.loaded} valeurs chargées pour « {options['code']} » au {on.isoformat()} ; "
            f"{len(result.errors)} lignes en erreur."
        )
