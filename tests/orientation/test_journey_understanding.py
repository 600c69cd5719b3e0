"""The journey understands a need once per set of answers, passes ticked categories as codes,
and keeps its results page to a fixed number of queries."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.orientation.journey import SESSION_KEY
from maillage.orientation.selectors import lexicon_cache_clear
from maillage.referrals.models import Referral

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

BESOIN = "je dois faire mes demarches administratives en ligne"


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()  # the per-hour limit of the referral form counts in the cache
    lexicon_cache_clear()


def _walk(client, *, besoin=BESOIN, categories=(), profil="particulier", rayon="15"):
    steps = (
        ("profil", {"profil": profil}),
        ("commune", {"commune": "Morlaix"}),
        ("besoin", {"besoin": besoin, "categories": list(categories)}),
        ("contraintes", {"rayon_km": rayon, "modalite": "", "jour": ""}),
    )
    for name, data in steps:
        assert client.post(reverse(f"orientation:{name}"), data).status_code == 302, name


def _reads_the_lexicon(client, url: str, data: dict | None = None) -> bool:
    """Whether answering `url` ran the understanding (it reads the lexicon's version)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return any("orientation_lexiconversion" in q["sql"] for q in queries.captured_queries)


def test_results_fiche_and_referral_reuse_one_understanding(client):
    """Understood on the first results page; the reload, the fiche and the mise en relation
    read it from the journey's state; a new need is understood again."""
    service = ServiceFactory(
        nom="Aide aux papiers", categories=["demarches-administratives"], lieu=1
    )
    _walk(client)
    assert _reads_the_lexicon(client, reverse("orientation:resultats"))
    kept = client.session[SESSION_KEY]["comprehension"]["resultat"]
    assert kept["retenues"][0] == "demarches-administratives"
    assert not _reads_the_lexicon(client, reverse("orientation:resultats"))
    assert not _reads_the_lexicon(client, reverse("orientation:fiche"))

    form_url = reverse("referrals:create", args=[service.pk])
    page = client.get(form_url).content.decode()
    data = {
        "nom": "Yann Kerbrat",
        "courriel": "yann@example.fr",
        "telephone": "",
        "contact_prefere": "courriel",
        "consentement": "on",
        "cle": re.search(r'name="cle" value="([^"]+)"', page).group(1),
        "website": "",
        "started": str(time.time() - 30),
    }
    assert not _reads_the_lexicon(client, form_url, data)
    assert Referral.objects.get().categorie_id == "demarches-administratives"

    _walk(client, besoin="je veux un site internet pour ma boutique")
    assert _reads_the_lexicon(client, reverse("orientation:resultats"))


def test_a_ticked_category_is_understood_for_certain(client):
    """Ticked as codes, not as words read back: a particulier who ticks « Données et
    intelligence artificielle » with no text gets that category, retained for the search
    (its label read as text used to rank another category first)."""
    _walk(client, besoin="", categories=["donnees-ia"])
    response = client.get(reverse("orientation:resultats"))
    answer = response.context["answer"]
    assert [c.code for c in answer.categories] == ["donnees-ia"]
    assert [c.code for c in answer.categories_retenues] == ["donnees-ia"]
    html = " ".join(response.content.decode().split())
    assert "Données et intelligence artificielle" in html
    assert "Pourquoi : catégorie cochée dans la liste." in html


def test_a_ticked_category_joins_what_the_text_says(client):
    _walk(client, categories=["cybersecurite"])
    answer = client.get(reverse("orientation:resultats")).context["answer"]
    retained = [c.code for c in answer.categories_retenues]
    assert {"cybersecurite", "demarches-administratives"} <= set(retained)
    assert answer.besoin == BESOIN  # the text as typed, no label appended


@pytest.mark.parametrize("services", [3, 15])
def test_the_results_page_costs_the_same_queries_however_many_services(
    client, services, django_assert_num_queries
):
    for index in range(services):
        ServiceFactory(categories=["demarches-administratives"], lieu=1 + index / 4)
    _walk(client)
    # First time: session; the understanding (lexicon version, taxonomy, administrators'
    # entries); the commune; matching (lieux in the box, services serving the commune,
    # categories, lieux, services); the demand counter (commune, category, update, insert
    # in savepoints); the session saved (in a savepoint).
    with django_assert_num_queries(21):
        first = client.get(reverse("orientation:resultats"))
    assert len(first.context["answer"].resultats) == min(services, 10)
    # Reloaded: session, commune, the five queries of the matching; nothing else.
    with django_assert_num_queries(7):
        client.get(reverse("orientation:resultats"))
