"""Directory pages without JavaScript: search form, lieu and structure pages."""

import json

import pytest
from django.urls import reverse

from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import Lieu

pytestmark = pytest.mark.django_db


@pytest.fixture
def lieu():
    row = {
        "id": "1",
        "nom": "Espace numérique de Morlaix",
        "commune": "Morlaix",
        "code_postal": "29600",
        "adresse": "Place des Otages",
        "latitude": 48.5776,
        "longitude": -3.8283,
        "date_maj": "2024-03-01",
        "horaires": "Mo-Fr 09:00-12:00",
        "telephone": "02 98 63 10 10",
        "services": "Aide aux démarches administratives",
        "frais_a_charge": "Gratuit",
    }
    lieux_import(data=json.dumps([row]).encode(), filename="l.json", source_name="Réseau test")
    return Lieu.objects.get()


def test_search_page_answers_without_javascript(client, lieu, django_assert_max_num_queries):
    url = reverse("directory:search")
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        response = client.get(url, {"q": "démarches", "commune": "Morlaix", "rayon_km": "10"})
    html = response.content.decode()
    assert "1 service" in html and "Espace numérique de Morlaix" in html
    assert reverse("directory:lieu_detail", args=[lieu.pk]) in html


def test_search_page_explains_an_unknown_commune(client, lieu):
    response = client.get(reverse("directory:search"), {"commune": "Atlantide"})
    assert "Aucune commune ne correspond à « Atlantide »" in response.content.decode()


def test_lieu_page_shows_services_hours_sources_and_completeness(client, lieu):
    html = client.get(reverse("directory:lieu_detail", args=[lieu.pk])).content.decode()
    assert "Aide aux démarches administratives" in html
    assert "09:00 – 12:00" in html and "Fermé" in html
    assert "Réseau test" in html and "1 mars 2024" in html
    assert "Fiche complète à" in html and "accessibilité" in html


def test_structure_page_lists_its_lieux(client, lieu):
    html = client.get(reverse("directory:structure_detail", args=[lieu.structure.pk])).content
    assert "Espace numérique de Morlaix" in html.decode()


def test_unknown_lieu_is_404(client, db):
    assert client.get(reverse("directory:lieu_detail", args=[999999])).status_code == 404
