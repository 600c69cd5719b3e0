"""`maillage load_demo`: the demo territories of the seeds (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maillage.territories.demo import read_demo_territoires
from maillage.territories.models import Commune
from maillage.territories.services import UnknownCodeError, territoire_define


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les territoires de démonstration "
        "(Morlaix, Lorient, Verdun, Nouvelle-Aquitaine)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Commune.objects.exists():
            raise CommandError(
                "Le référentiel est vide : lancez d'abord `maillage load_reference`."
            )
        for demo in read_demo_territoires():
            try:
                territoire = territoire_define(
                    slug=demo.slug,
                    nom=demo.nom,
                    kind=demo.kind,
                    description=demo.description,
                    epci_codes=demo.epci,
                    departement_codes=demo.departements,
                    region_codes=demo.regions,
                    commune_codes=demo.communes,
                )
            except UnknownCodeError as exc:
                raise CommandError(str(exc)) from exc
            if options["verbosity"]:
                self.stdout.write(
                    f"{territoire.nom} : {territoire.commune_count} communes, "
                    f"{territoire.population} habitants."
                )
