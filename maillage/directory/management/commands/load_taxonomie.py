"""`maillage load_taxonomie`: the canonical categories of needs and services; idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from maillage.directory.services import taxonomie_load


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les catégories de la taxonomie (besoins et services) livrées "
        "avec Maillage. Peut être relancé sans risque."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        categories = taxonomie_load()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Taxonomie : {categories} catégories."))
