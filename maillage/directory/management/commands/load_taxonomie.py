"""`maillage load_taxonomie`: the categories of the canonical taxonomy (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from maillage.directory.services.taxonomy import taxonomie_load


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les catégories de la taxonomie canonique (besoins et services). "
        "Peut être relancée sans risque."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = taxonomie_load()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Taxonomie : {count} catégories."))
