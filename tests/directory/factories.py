"""Factories of the directory (factory-boy), with traits instead of copied rows.

Two kinds: the rows of a lieux file of the national standard (`LieuRowFactory`, a dict to
hand to `lieux_import` through `lieux_file`), and the objects themselves
(`StructureFactory`, `LieuFactory`, `ServiceFactory`, `SourceFactory`, `SourceRecordFactory`,
`ImportRunFactory`). The reference data (communes, taxonomy) is loaded once per session by
tests/conftest.py.

    LieuRowFactory()                          the Morlaix lieu of a national file
    LieuRowFactory(id="b", nom="Fablab de Morlaix", telephone="02 98 00 00 00")
    LieuFactory(morlaix=True)                 the same lieu, written directly
    LieuFactory(itinerant=True, approximate=True)
    ServiceFactory(lieux=[lieu], categories=["demarches-administratives"])
"""

from __future__ import annotations

import datetime
import json

import factory
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from maillage.directory.enums import ImportStatus, Placement
from maillage.directory.indexing import services_reindex
from maillage.directory.models import (
    Categorie,
    ImportRun,
    Lieu,
    Service,
    Source,
    SourceRecord,
    Structure,
)
from maillage.territories.models import Commune

#: Morlaix, the commune most tests stand in (its mairie square).
MORLAIX = {
    "code_insee": "29151",
    "commune": "Morlaix",
    "code_postal": "29600",
    "adresse": "Place des Otages",
    "latitude": 48.5776,
    "longitude": -3.8283,
}


class LieuRowFactory(factory.DictFactory):
    """One lieu of a file of the national standard (v1 JSON), in Morlaix by default."""

    id = factory.Sequence(lambda n: f"lieu-{n}")
    nom = "Espace numérique de Morlaix"
    commune = MORLAIX["commune"]
    code_postal = MORLAIX["code_postal"]
    adresse = MORLAIX["adresse"]
    latitude = MORLAIX["latitude"]
    longitude = MORLAIX["longitude"]
    date_maj = "2024-03-01"
    services = "Aide aux démarches administratives"

    class Params:
        # The lieu as its producer sells it: hours, phone and fees filled in.
        complete = factory.Trait(
            horaires="Mo-Fr 09:00-12:00",
            telephone="02 98 63 10 10",
            frais_a_charge="Gratuit",
        )
        # No point in the file: the import places the lieu at its commune's mairie.
        without_point = factory.Trait(latitude=None, longitude=None)


def lieux_file(*rows: dict) -> bytes:
    """Rows as the bytes of a JSON file of the national standard."""
    return json.dumps(list(rows)).encode()


def _commune(code: str) -> Commune:
    return Commune.objects.defer("contour").get(code=code)


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    nom = "Réseau test"
    slug = factory.LazyAttribute(lambda o: slugify(o.nom)[:100] or "source")


class StructureFactory(DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")


class LieuFactory(DjangoModelFactory):
    """A lieu in Morlaix; `morlaix=True` gives it the name of the Morlaix lieu of the files."""

    class Meta:
        model = Lieu

    structure = factory.SubFactory(StructureFactory)
    nom = factory.Sequence(lambda n: f"Lieu {n}")
    adresse = MORLAIX["adresse"]
    code_postal = MORLAIX["code_postal"]
    commune = factory.LazyFunction(lambda: _commune(MORLAIX["code_insee"]))
    latitude = MORLAIX["latitude"]
    longitude = MORLAIX["longitude"]
    placement = Placement.SOURCE
    date_maj = datetime.date(2024, 3, 1)

    class Params:
        morlaix = factory.Trait(
            nom="Espace numérique de Morlaix",
            horaires="Mo-Fr 09:00-12:00",
            telephone="02 98 63 10 10",
        )
        # Placed at the mairie of its commune: the position is approximate.
        approximate = factory.Trait(placement=Placement.MAIRIE)


class ServiceFactory(DjangoModelFactory):
    """A service of a structure, at its lieux, in taxonomy categories (codes); indexed for
    the full-text search as the change pipeline would."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    nom = factory.Sequence(lambda n: f"Service {n}")
    modalites = factory.LazyFunction(lambda: ["presentiel"])
    frais = factory.LazyFunction(lambda: ["gratuit"])

    @factory.post_generation
    def lieux(self, create: bool, extracted: list[Lieu] | None, **kwargs: object) -> None:
        if create and extracted:
            self.lieux.set(extracted)

    @factory.post_generation
    def categories(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(Categorie.objects.filter(code__in=extracted))

    @classmethod
    def _after_postgeneration(cls, instance: Service, create: bool, results: object) -> None:
        if create:
            services_reindex([instance.pk])


class SourceRecordFactory(DjangoModelFactory):
    class Meta:
        model = SourceRecord

    source = factory.SubFactory(SourceFactory)
    identifiant = factory.Sequence(lambda n: f"lieu-{n}")
    lieu = factory.SubFactory(LieuFactory)
    fingerprint = factory.LazyAttribute(lambda o: f"{o.source.slug}:{o.identifiant}")
    date_maj = factory.SelfAttribute("lieu.date_maj")


class ImportRunFactory(DjangoModelFactory):
    class Meta:
        model = ImportRun

    source = factory.SubFactory(SourceFactory)
    fichier = "lieux.json"
    status = ImportStatus.DONE

    class Params:
        # Queued by the management space, waiting for the worker with its file.
        pending = factory.Trait(
            status=ImportStatus.PENDING,
            donnees=factory.LazyFunction(lambda: lieux_file(LieuRowFactory())),
        )
