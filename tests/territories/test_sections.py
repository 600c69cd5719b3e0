"""Sections of the commune page: apps above territories contribute them through a registry,
so territories imports none of them."""

import pytest
from django.urls import reverse

from maillage.territories import sections
from maillage.territories.models import Commune
from maillage.territories.sections import commune_sections, register_commune_section


@pytest.fixture
def registry(monkeypatch):
    """A registry of this test only (the observatory's section set aside)."""
    monkeypatch.setattr(sections, "_sections", {})


def test_the_observatory_registers_its_section_without_territories_importing_it():
    """Found by territories' ready() in observatory/commune_sections.py."""
    assert "indicateurs" in sections._sections
    assert sections._sections["indicateurs"].__module__ == "maillage.observatory.commune_sections"


@pytest.mark.django_db
def test_sections_in_registration_order_and_none_shows_nothing(registry, client):
    @register_commune_section("premiere")
    def first(commune):
        return {"template": "territories/includes/_map_assets.html", "context": {"x": 1}}

    @register_commune_section("vide")
    def empty(commune):
        return None

    register_commune_section("premiere")(first)  # a module imported twice counts once
    morlaix = Commune.objects.get(code="29151", type="COM")
    assert commune_sections(morlaix) == [
        {
            "name": "premiere",
            "template": "territories/includes/_map_assets.html",
            "context": {"x": 1},
        }
    ]
    html = client.get(reverse("territories:commune_detail", args=["29151"])).content.decode()
    assert 'id="indicateurs-titre"' not in html  # the observatory's section was set aside
    assert "Place des Otages" in html
