"""`maillage load_demo_annuaire`: the mairies of the demo territories and the structures the
seeds name (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maillage.directory.models import Categorie
from maillage.directory.services.demo import demo_directory_load
from maillage.territories.models import Territoire


class Command(BaseCommand):
    help = (
        "Crée l'annuaire de démonstration : les mairies des territoires de démonstration et "
        "les structures citées par leurs stratégies (sans rien créer deux fois)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Categorie.objects.exists() or not Territoire.objects.exists():
            raise CommandError(
                "Référentiel ou territoires absents : lancez d'abord `maillage load_reference` "
                "puis `maillage load_demo`."
            )
        counts = demo_directory_load()
        if options["verbosity"]:
            self.stdout.write(
                f"Annuaire de démonstration : {counts.mairies} mairies et {counts.structures} "
                f"structures des stratégies ajoutées ; {counts.existing} déjà présentes ; "
                f"{counts.without_point} sans position connue, non placées."
            )
