"""Territories for tests. Communes are the real reference data loaded once per session
(tests/conftest.py): factories pick them by INSEE code rather than inventing any."""

from __future__ import annotations

from collections.abc import Iterable

import factory
from factory.django import DjangoModelFactory

from maillage.territories.enums import TerritoireKind
from maillage.territories.models import Commune, Territoire

MORLAIX, BREST = "29151", "29019"
#: Five communes of the Pays de Morlaix: Morlaix, Roscoff, Landivisiau, Carantec, Plounéventer.
PETIT_TERRITOIRE = ("29151", "29239", "29105", "29023", "29204")


def commune(code: str) -> Commune:
    """The full commune (type COM) with this INSEE code."""
    return Commune.objects.communes().get(code=code)


def _communes_added(default: Iterable[str]) -> factory.PostGeneration:
    """Add the real communes given (`communes=[codes]`), else `default`."""

    def add(territoire: Territoire, create: bool, extracted: Iterable[str] | None, **_: object):
        codes = default if extracted is None else extracted
        if create and codes:
            territoire.communes.add(*(commune(code) for code in codes))

    return factory.PostGeneration(add)


class TerritoireFactory(DjangoModelFactory):
    """A territory made of the real communes given as INSEE codes (`communes=[...]`), none
    by default. Traits: `petit` (slug `petit-territoire`: five communes of the Pays de
    Morlaix), `sans_habitants` (no commune)."""

    class Meta:
        model = Territoire
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"territoire-{n}")
    nom = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    kind = TerritoireKind.PAYS
    communes = _communes_added(())

    class Params:
        petit = factory.Trait(
            slug="petit-territoire",
            nom="Petit territoire",
            communes=_communes_added(PETIT_TERRITOIRE),
        )
        sans_habitants = factory.Trait(slug="sans-habitants", nom="Sans habitants")
