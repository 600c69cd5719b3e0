"""Indicators, their values and recompute runs, and the directory offer the observatory
counts (a lieu offering a category), for the observatory tests.

The directory objects here specialise the directory's own factories
(tests/directory/factories.py) for what the observatory counts: a lieu at the mairie of any
real commune that offers a category (`offre=CODE`), a service whose categories must exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.directory.enums import Famille, Placement
from maillage.directory.models import Categorie, Lieu, Service
from maillage.observatory.codes import POPULATION, distance_code
from maillage.observatory.enums import IndicateurOrigine, RecomputeStatus
from maillage.observatory.models import Indicateur, RecomputeRun, ValeurIndicateur
from maillage.territories.models import Territoire
from tests.directory import factories as directory_factories
from tests.directory.factories import StructureFactory
from tests.territories.factories import MORLAIX, PETIT_TERRITOIRE, TerritoireFactory, commune

DAY = date(2026, 1, 15)
EARLIER = date(2025, 1, 15)
CATEGORIE = "demarches-administratives"
DISTANCE = distance_code(CATEGORIE)
#: The small territory's communes: (population set by hand, distance to the category in
#: km); the fifth has no distance value ("pas de donnée").
TOWNS = {
    "29151": (1000, 2.0),  # Morlaix
    "29239": (2000, 4.5),  # Roscoff (road estimate 5.85 km: beyond 5 km)
    "29105": (3000, 12.0),  # Landivisiau
    "29023": (4000, 30.0),  # Carantec
    "29204": (500, None),  # Plounéventer
}
assert tuple(TOWNS) == PETIT_TERRITOIRE


class IndicateurFactory(DjangoModelFactory):
    """A computed indicator by default. Traits: `importe` (loaded from a file), `population`,
    `distance` (`distance-plus-proche:<categorie>`, `categorie` démarches by default)."""

    class Meta:
        model = Indicateur

    code = factory.Sequence(lambda n: f"indicateur-{n}")
    libelle = factory.LazyAttribute(lambda o: f"Indicateur {o.code}")
    unite = ""
    source = "Test"
    origine = IndicateurOrigine.CALCULE
    date = DAY

    class Params:
        categorie = CATEGORIE
        importe = factory.Trait(origine=IndicateurOrigine.IMPORTE)
        population = factory.Trait(
            code=POPULATION, libelle="Population municipale", unite="habitants"
        )
        distance = factory.Trait(
            code=factory.LazyAttribute(lambda o: distance_code(o.categorie)),
            libelle="Distance au lieu le plus proche : démarches",
            unite="km",
        )


class ValeurIndicateurFactory(DjangoModelFactory):
    """One value of an indicator for a real commune (Morlaix by default) at DAY."""

    class Meta:
        model = ValeurIndicateur

    indicateur = factory.SubFactory(IndicateurFactory)
    commune = factory.LazyFunction(lambda: commune(MORLAIX))
    valeur = 1.0
    date = DAY


class RecomputeRunFactory(DjangoModelFactory):
    """A recompute in progress (the lock) started now. Traits: `termine` (finished 90 s
    later), `complet` (a finished run of every commune), `minutes_ago` to start earlier."""

    class Meta:
        model = RecomputeRun

    jour = DAY
    statut = RecomputeStatus.EN_COURS
    debut = factory.LazyAttribute(lambda o: timezone.now() - timedelta(minutes=o.minutes_ago))

    class Params:
        minutes_ago: float = 0
        termine = factory.Trait(
            statut=RecomputeStatus.TERMINE,
            fin=factory.LazyAttribute(lambda o: o.debut + timedelta(seconds=90)),
            resultat={"communes": 2, "indicateurs": 1, "valeurs": 2},
        )
        complet = factory.Trait(
            termine=True,
            resultat={"communes": 34_000, "indicateurs": 1, "valeurs": 1, "complet": 1},
        )


class CategorieFactory(DjangoModelFactory):
    """A category of the tests' own, beside the real taxonomy."""

    class Meta:
        model = Categorie
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-categorie-{n}")
    libelle = factory.LazyAttribute(lambda o: f"Catégorie {o.code}")
    famille = Famille.INCLUSION


def _offer(lieu: Lieu, create: bool, extracted: str | None, **_: object) -> None:
    """`offre=CODE`: one service of that category offered at the lieu."""
    if create and extracted:
        ServiceFactory(structure=lieu.structure, categories=[extracted], lieux=[lieu])


class LieuFactory(directory_factories.LieuFactory):
    """A lieu at the mairie of a real commune (`commune=`, Morlaix by default), offering
    nothing unless `offre=CATEGORY_CODE`. Trait `morlaix`: the Espace numérique de Morlaix,
    place des Otages, as the lieux files give it."""

    class Meta:
        model = Lieu
        skip_postgeneration_save = True

    commune = factory.LazyFunction(lambda: commune(MORLAIX))
    nom = factory.LazyAttribute(lambda o: f"Lieu {o.commune.nom}")
    adresse = "1 place de la Mairie"
    code_postal = factory.LazyAttribute(lambda o: o.commune.codes_postaux[0])
    latitude = factory.LazyAttribute(lambda o: o.commune.mairie_latitude)
    longitude = factory.LazyAttribute(lambda o: o.commune.mairie_longitude)
    placement = Placement.SOURCE
    date_maj = DAY
    offre = factory.PostGeneration(_offer)

    class Params:
        morlaix = factory.Trait(
            structure=factory.SubFactory(StructureFactory, nom="Espace numérique de Morlaix"),
            nom="Espace numérique de Morlaix",
            adresse="Place des Otages",
            code_postal="29600",
            latitude=48.5776,
            longitude=-3.8283,
            date_maj=date(2024, 3, 1),
        )


class ServiceFactory(directory_factories.ServiceFactory):
    """A service with `categories=[codes]` (real or CategorieFactory codes, each of which must
    exist) offered at `lieux=[…]`."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    @factory.post_generation
    def categories(self, create: bool, extracted: Iterable[str] | None, **_: object) -> None:
        if create and extracted:
            codes = set(extracted)
            found = list(Categorie.objects.filter(code__in=codes))
            assert len(found) == len(codes), f"catégories inconnues : {codes}"
            self.categories.add(*found)

    @factory.post_generation
    def lieux(self, create: bool, extracted: Iterable[Lieu] | None, **_: object) -> None:
        if create and extracted:
            self.lieux.add(*extracted)


def small_territory() -> Territoire:
    """The territory `petit-territoire`: five communes with the populations and distances
    of TOWNS, a second snapshot of the distance at EARLIER (each distance doubled) and one
    imported indicator (`thd`, 50 everywhere)."""
    territoire = TerritoireFactory(petit=True)
    population = IndicateurFactory(population=True)
    distance = IndicateurFactory(distance=True, categorie=CATEGORIE)
    thd = IndicateurFactory(
        importe=True, code="thd", libelle="Locaux raccordables à la fibre", unite="%"
    )
    for code, (pop, km) in TOWNS.items():
        town = commune(code)
        town.population = pop
        town.save(update_fields=["population"])
        ValeurIndicateurFactory(indicateur=population, commune=town, valeur=pop)
        ValeurIndicateurFactory(indicateur=thd, commune=town, valeur=50)
        if km is not None:
            ValeurIndicateurFactory(indicateur=distance, commune=town, valeur=km)
            ValeurIndicateurFactory(indicateur=distance, commune=town, valeur=km * 2, date=EARLIER)
    return territoire
