"""`maillage restore FILE`: the instance back from a `maillage backup` archive."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maillage.core.backups import (
    KIND_LABELS,
    BackupError,
    archive_check,
    archive_read,
    restore_apply,
    tables_now,
)


class Command(BaseCommand):
    help = (
        "Restaure toute l'instance (base et fichiers déposés) depuis une sauvegarde faite par "
        "maillage backup. Remplace tout ce qui existe : arrêtez d'abord les serveurs et les "
        "workers. La sauvegarde est entièrement vérifiée avant de toucher à quoi que ce soit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Sauvegarde à restaurer")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ne demande pas de confirmation avant de remplacer la base et les fichiers.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"]).expanduser().resolve()
        with tempfile.TemporaryDirectory(prefix="maillage-restauration-") as work:
            try:
                manifest = archive_read(source, Path(work))
                archive_check(manifest, Path(work))
            except BackupError as exc:
                raise CommandError(f"{exc} Rien n'a été modifié.") from exc
            rows = sum(manifest.tables.values())
            media = sum(1 for name in manifest.files if name.startswith("media/"))
            plural = "s" if media > 1 else ""
            self.stdout.write(
                f"Sauvegarde du {manifest.date} (Maillage {manifest.version}) : base "
                f"{KIND_LABELS[manifest.database]}, {len(manifest.tables)} tables, {rows} lignes, "
                f"{media} fichier{plural} déposé{plural}."
            )
            if not options["force"] and not self._confirmed():
                raise CommandError("Restauration annulée. Rien n'a été modifié.")
            try:
                restore_apply(manifest, Path(work))
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        restored = tables_now()
        if restored != manifest.tables:
            differ = sorted(
                name
                for name in set(restored) | set(manifest.tables)
                if restored.get(name) != manifest.tables.get(name)
            )
            raise CommandError(
                "Restauration terminée, mais ces tables ne correspondent pas au manifeste : "
                + ", ".join(differ[:10])
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Instance restaurée : base et fichiers déposés. Lancez « maillage migrate » si "
                "cette version de Maillage est plus récente que la sauvegarde."
            )
        )

    def _confirmed(self) -> bool:
        if not sys.stdin.isatty():
            self.stderr.write(
                "Confirmation impossible sans terminal : ajoutez --force pour restaurer."
            )
            return False
        answer = input(
            "La base de données et les fichiers déposés actuels seront remplacés. "
            "Tapez « oui » pour continuer : "
        )
        return answer.strip().lower() == "oui"
