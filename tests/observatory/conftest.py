"""Fixtures shared by the observatory tests (the rows themselves come from factories.py)."""

import pytest

from tests.observatory.factories import CATEGORIE, LieuFactory, small_territory


@pytest.fixture
def territoire():
    """A territory of five communes with populations and distances known by hand, a
    second (earlier) snapshot of the distance and one imported indicator."""
    return small_territory()


@pytest.fixture
def lieu_morlaix():
    """One lieu offering the category in Morlaix, made directly (an import reads every
    commune and costs seconds)."""
    return LieuFactory(morlaix=True, offre=CATEGORIE)
