"""Directory pages without JavaScript: search form, lieu and structure pages."""

import pytest
from django.urls import reverse

from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import Lieu
from tests.directory.factories import LieuRowFactory, lieux_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def lieu():
    lieux_import(
        data=lieux_file(LieuRowFactory(complete=True)), filename="l.json", source_name="Réseau test"
    )
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


@pytest.fixture
def lieux():
    """Six lieux of Morlaix with their services, from a file of the national standard."""
    rows = [
        LieuRowFactory(complete=True, nom=f"Point numérique {n}", services=SERVICES[n % 2])
        for n in range(6)
    ]
    lieux_import(data=lieux_file(*rows), filename="l.json", source_name="Réseau test")
    return list(Lieu.objects.order_by("pk"))


SERVICES = ["Aide aux démarches administratives", "Accès internet et matériel informatique"]
#: The search page: the categories of the form, the commune found (three reads), the lieux
#: in the radius and their services, one vocabulary look-up per word of the query, the text
#: match, the facet values, the page of results with its categories and lieux, the labels.
QUERIES_SEARCH_PAGE = 14
#: The lieu page: the lieu with its structure and commune, its services, their categories,
#: its sources (an anonymous visitor: no permission query).
QUERIES_LIEU_PAGE = 4


def test_search_page_reads_a_fixed_number_of_queries(client, lieux, django_assert_num_queries):
    """Query guard: the number of queries does not grow with the results shown."""
    params = {"q": "point numérique", "commune": "Morlaix", "rayon_km": "10"}
    with django_assert_num_queries(QUERIES_SEARCH_PAGE):
        response = client.get(reverse("directory:search"), params)
    assert "6 services" in response.content.decode()


def test_lieu_page_reads_a_fixed_number_of_queries(client, lieux, django_assert_num_queries):
    with django_assert_num_queries(QUERIES_LIEU_PAGE):
        response = client.get(reverse("directory:lieu_detail", args=[lieux[0].pk]))
    assert "Point numérique 0" in response.content.decode()


def test_lieu_page_never_links_a_script_url_stored_before_the_import_rule(client, lieu):
    Lieu.objects.filter(pk=lieu.pk).update(
        prise_rdv="javascript:alert(1)",
        fiche_acces_libre="data:text/html,x",
        sites_web=["vbscript:msgbox(1)", "https://www.morlaix.fr/"],
    )
    html = client.get(reverse("directory:lieu_detail", args=[lieu.pk])).content.decode()
    assert "javascript:" not in html and "data:text" not in html and "vbscript:" not in html
    assert "Prendre rendez-vous en ligne" not in html
    assert 'href="https://www.morlaix.fr/"' in html
