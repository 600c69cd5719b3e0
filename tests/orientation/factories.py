"""Factories of the orientation tests: a small directory around Morlaix's mairie.

The directory's factories (tests/directory/factories.py), specialised for orientation: places
measured from the mairie, structures that can be written to. They make rows the way the tests
used to copy them by hand:

    ServiceFactory(nom="Aide aux papiers", categories=["demarches-administratives"], lieu=1)

is « Aide aux papiers » of « Structure Aide aux papiers », offered at « Lieu Aide aux papiers »,
1 km due north of Morlaix's mairie. `lieu__<field>` sets a field of that lieu; traits:
`payant`, `a_distance`.
"""

from __future__ import annotations

from datetime import date

import factory

from maillage.directory.models import Lieu, Service, Structure
from maillage.territories.models import Commune
from tests.directory import factories as directory_factories

MORLAIX = "29151"
KM_PER_DEGREE = 111.2


def commune(code: str = MORLAIX) -> Commune:
    return Commune.objects.communes().defer("contour").get(code=code)


class StructureFactory(directory_factories.StructureFactory):
    class Meta:
        model = Structure

    courriels = factory.LazyFunction(lambda: ["contact@example.fr"])


class LieuFactory(directory_factories.LieuFactory):
    """A lieu `km_north` kilometres due north of its commune's mairie (Morlaix by default)."""

    class Meta:
        model = Lieu

    class Params:
        km_north = 1.0

    structure = factory.SubFactory(StructureFactory)
    nom = factory.LazyAttribute(lambda o: f"Lieu {o.structure.nom}")
    adresse = "3 rue de Brest"
    code_postal = "29600"
    commune = factory.LazyFunction(commune)
    latitude = factory.LazyAttribute(
        lambda o: o.commune.mairie_latitude + o.km_north / KM_PER_DEGREE
    )
    longitude = factory.LazyAttribute(lambda o: o.commune.mairie_longitude)
    placement = "source"
    horaires = "Mo-Fr 09:00-12:00,14:00-17:00"
    date_maj = date(2026, 6, 1)


class ServiceFactory(directory_factories.ServiceFactory):
    """A service of its own structure (« Structure <nom> »), in the given category codes,
    offered at a lieu `lieu` km north of Morlaix's mairie when `lieu` is given."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    class Params:
        payant = factory.Trait(frais=["payant"])
        a_distance = factory.Trait(modalites=["a_distance"])

    structure = factory.SubFactory(
        StructureFactory, nom=factory.LazyAttribute(lambda o: f"Structure {o.factory_parent.nom}")
    )

    @factory.post_generation
    def lieu(self, create: bool, extracted: float | None, **kwargs: object) -> None:
        if create and extracted is not None:
            kwargs.setdefault("nom", f"Lieu {self.nom}")
            self.lieux.add(LieuFactory(structure=self.structure, km_north=extracted, **kwargs))
