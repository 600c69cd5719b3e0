"""`maillage backup FILE`: the database and the uploaded files in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maillage.core.backups import KIND_LABELS, BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Sauvegarde toute l'instance (base SQLite ou PostgreSQL et fichiers déposés) dans un "
        "seul fichier, sans arrêter le site. Restauration : maillage restore FICHIER."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier à écrire, par exemple maillage-2026-12-01.tar.gz")
        parser.add_argument(
            "--force", action="store_true", help="Remplace le fichier s'il existe déjà."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"]).expanduser().resolve()
        if target.exists() and not options["force"]:
            raise CommandError(
                f"{target} existe déjà : choisissez un autre nom ou ajoutez --force."
            )
        if not target.parent.is_dir():
            raise CommandError(f"Dossier introuvable : {target.parent}")
        self.stdout.write(f"Sauvegarde vers {target}…")
        try:
            manifest = backup_write(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.tables.values())
        media = sum(1 for name in manifest.files if name.startswith("media/"))
        plural = "s" if media > 1 else ""
        size = f"{target.stat().st_size / 1_048_576:.1f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite : base {KIND_LABELS[manifest.database]}, "
                f"{len(manifest.tables)} tables, {rows:_} lignes, ".replace("_", " ")
                + f"{media} fichier{plural} déposé{plural}, {size} Mo."
            )
        )
