"""Blank personal data kept longer than its retention period (dry run unless --wet-run)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maillage.core.purge import purge_steps

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Efface les données personnelles au-delà de leur durée de conservation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wet-run",
            action="store_true",
            help="Effacer vraiment (sans cette option, la commande compte seulement).",
        )

    def handle(self, *args: Any, wet_run: bool = False, **options: Any) -> None:
        verb = "effacé(s)" if wet_run else "à effacer (simulation, ajoutez --wet-run)"
        for name, step in sorted(purge_steps().items()):
            count = step(wet_run)
            logger.info("purge %s: %d %s", name, count, "wet" if wet_run else "dry")
            self.stdout.write(f"{name} : {count} {verb}")
