"""`maillage load_taxonomie` loads the canonical categories, and only it does."""

import io

import pytest
from django.core.management import call_command

from maillage.directory.models import Categorie
from maillage.directory.taxonomy import taxonomie_rows

pytestmark = pytest.mark.django_db


def test_load_taxonomie_restores_the_categories_and_is_idempotent():
    """A label edited by hand comes back, nothing is duplicated, the count is printed."""
    Categorie.objects.filter(code="prototypage-fabrication").update(libelle="modifié")
    out = io.StringIO()
    call_command("load_taxonomie", stdout=out)
    call_command("load_taxonomie", stdout=out)
    assert Categorie.objects.count() == len(taxonomie_rows())
    assert Categorie.objects.get(code="prototypage-fabrication").libelle != "modifié"
    assert f"Taxonomie : {len(taxonomie_rows())} catégories." in out.getvalue()
