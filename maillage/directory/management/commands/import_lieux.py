"""`maillage import_lieux PATH_OR_URL --source NAME`: import a lieux de médiation numérique file."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maillage.directory.imports import FileFormatError
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.imports.mapping import mapping_load
from maillage.directory.services import column_mapping_save

MAX_BYTES = 200 * 1024 * 1024


def read_source(location: str) -> tuple[bytes, str]:
    if urlsplit(location).scheme in ("http", "https"):
        with urllib.request.urlopen(location, timeout=60) as response:  # noqa: S310 - http(s) only
            return response.read(MAX_BYTES + 1), Path(urlsplit(location).path).name
    path = Path(location)
    if not path.is_file():
        raise CommandError(f"Fichier introuvable : {location}")
    return path.read_bytes(), path.name


class Command(BaseCommand):
    help = (
        "Importe un fichier de lieux de médiation numérique (CSV ou JSON, toutes versions du "
        "schéma national) : validation, mise à jour par source et identifiant, rapport."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help="Chemin ou adresse http(s) du fichier")
        parser.add_argument("--source", required=True, help="Nom du producteur des données")
        parser.add_argument(
            "--mapping",
            help=(
                "Correspondance de colonnes (fichier JSON, ou nom d'une correspondance livrée : "
                "gironde, haute-vienne…) enregistrée pour cette source et réutilisée ensuite"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data, filename = read_source(options["location"])
        except OSError as exc:
            raise CommandError(f"Lecture impossible : {exc}") from exc
        if len(data) > MAX_BYTES:
            raise CommandError("Fichier trop volumineux (plus de 200 Mo).")
        if options["mapping"]:
            location = Path(options["mapping"])
            try:
                text = location.read_text("utf-8") if location.is_file() else options["mapping"]
                mapping = mapping_load(text)
            except (OSError, FileFormatError) as exc:
                raise CommandError(f"Correspondance refusée : {exc}") from exc
            column_mapping_save(source_name=options["source"], mapping=mapping)
            self.stdout.write(f"Correspondance enregistrée pour la source « {options['source']} ».")
        bar: tqdm | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["verbosity"] == 0:
                return
            if bar is None:
                bar = tqdm(total=total, desc="Enregistrement", file=self.stderr._out)
            bar.update(done - bar.n)

        try:
            result = lieux_import(
                data=data, filename=filename, source_name=options["source"], progress=progress
            )
        except FileFormatError as exc:
            raise CommandError(f"{filename} : {exc} Rien n'a été importé.") from exc
        finally:
            if bar is not None:
                bar.close()
        counts = result.run.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"{filename} : {counts['lignes']} lignes, {counts['crees']} créées, "
                f"{counts['modifies']} modifiées, {counts['inchanges']} inchangées, "
                f"{counts['rejetes']} rejetées ; {counts['positions_approximatives']} "
                "positions approximatives (mairie)."
            )
        )
        if options["verbosity"] >= 1 and result.errors:
            self.stdout.write("Rapport (ligne · champ · valeur · message) :")
            for error in result.errors[:200]:
                level = "ERREUR" if error.blocking else "avertissement"
                self.stdout.write(
                    f"  ligne {error.line} · {error.field} · « {error.value[:60]} » · "
                    f"{level} : {error.message}"
                )
            if len(result.errors) > 200:
                self.stdout.write(
                    f"  … et {len(result.errors) - 200} autres (rapport complet dans "
                    f"l'administration, import n° {result.run.pk})."
                )
