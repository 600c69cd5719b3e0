"""Public pages of territories: territory, commune, search without JavaScript."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_territory_page_shows_figures_and_map(client):
    response = client.get(reverse("territories:territoire_detail", args=["pays-de-morlaix"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Morlaix Communauté" in html
    assert 'id="territoire-map"' in html
    assert "/static/leaflet/leaflet.js" in html
    assert "/api/v1/territoires/pays-de-morlaix/communes.geojson" in html


def test_commune_page_shows_the_mairie(client):
    response = client.get(reverse("territories:commune_detail", args=["29151"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Place des Otages" in html
    assert "Pays de Morlaix" in html


def test_unknown_commune_is_404(client):
    assert client.get(reverse("territories:commune_detail", args=["00000"])).status_code == 404


def test_search_page_works_without_javascript(client):
    response = client.get(reverse("territories:commune_search"), {"q": "st pol de leon"})
    assert "Saint-Pol-de-Léon" in response.content.decode()
    response = client.get(reverse("territories:commune_search"), {"q": "x", "code": "29151"})
    assert response.status_code == 302
    assert response["Location"] == reverse("territories:commune_detail", args=["29151"])


def test_search_page_says_when_nothing_matches(client):
    response = client.get(reverse("territories:commune_search"), {"q": "zzzqqq"})
    assert "Aucune commune ne correspond" in response.content.decode()
