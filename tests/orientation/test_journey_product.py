"""The journey and the mise en relation as one product: suggestions without the need in a URL,
the category a referral is counted under, the conseiller's space."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.directory.models import Service
from maillage.orientation.engine import need_categories
from maillage.orientation.models import OrientationDemand
from maillage.referrals.models import Referral
from maillage.referrals.services import referral_create
from maillage.referrals.tokens import submission_key_new
from maillage.territories.models import Commune

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

SUGGEST = "/api/v1/orientations/categories"
BESOIN = "je dois faire mes demarches administratives en ligne"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the per-hour limit of the referral form counts in the cache


# Suggestions while typing: the text goes in a POST body, never in a URL.


def test_the_post_suggestions_answer_the_engines_categories(client):
    for besoin, profil in ((BESOIN, "particulier"), ("site vitrine pour ma boutik", "entreprise")):
        body = {"besoin": besoin, "profil": profil, "limit": 3}
        response = client.post(SUGGEST, body, content_type="application/json")
        assert response.status_code == 200
        expected = [c.model_dump() for c in need_categories(besoin=besoin, profil=profil, limit=3)]
        assert expected, besoin
        assert response.json() == expected
    # The GET stays for API clients, with the same answer.
    got = client.get(SUGGEST, {"besoin": BESOIN, "profil": "particulier", "limit": 3})
    assert got.json() == [
        c.model_dump() for c in need_categories(besoin=BESOIN, profil="particulier", limit=3)
    ]
    # Bad input: a French message, no server error.
    body = {"besoin": BESOIN, "profil": "martien"}
    bad = client.post(SUGGEST, body, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"]


def test_the_besoin_page_script_never_puts_the_need_in_a_url(client):
    for name, data in (
        ("profil", {"profil": "particulier"}),
        ("commune", {"commune": "Morlaix"}),
    ):
        assert client.post(reverse(f"orientation:{name}"), data).status_code == 302
    html = client.get(reverse("orientation:besoin")).content.decode()
    url = re.search(r'data-suggest-url="([^"]+)"', html).group(1)
    assert url == SUGGEST  # no query string prepared on the page
    script = Path(finders.find("maillage/orientation-journey.js")).read_text()
    assert 'method: "POST"' in script
    assert "JSON.stringify" in script
    assert "URLSearchParams" not in script
    assert not re.search(r"suggestUrl\s*\+", script), "the URL must not be built with the text"
    assert "orientation-journey.js" in html


# The category a referral is counted under.


@pytest.fixture
def morlaix():
    return Commune.objects.communes().get(code="29151")


def _service(*codes: str) -> Service:
    return ServiceFactory(
        nom="Accompagnement",
        categories=list(codes),
        structure__nom="Maison France services",
        structure__courriels=["a@example.fr"],
    )


def _journey(client, *, besoin: str, categories=(), profil="particulier", tiers=False):
    session = client.session
    session["orientation"] = {
        "profil": profil,
        "pour_compte_de_tiers": tiers,
        "commune": "29151",
        "besoin": besoin,
        "categories": list(categories),
        "contraintes": {"rayon_km": 15.0},
        "resultats": [],
    }
    session.save()


def _submit(client, service, **extra):
    page = client.get(reverse("referrals:create", args=[service.pk])).content.decode()
    key = re.search(r'name="cle" value="([^"]+)"', page).group(1)
    data = {
        "nom": "Yann Kerbrat",
        "courriel": "yann.kerbrat@example.fr",
        "telephone": "",
        "contact_prefere": "courriel",
        "consentement": "on",
        "cle": key,
        "website": "",
        "started": str(time.time() - 30),
        **extra,
    }
    response = client.post(reverse("referrals:create", args=[service.pk]), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return Referral.objects.get(service=service)


def test_a_referral_from_free_text_is_counted_under_the_understood_category(client, morlaix):
    # The service's first category by code would be « cybersecurite »: the need says otherwise.
    service = _service("cybersecurite", "demarches-administratives")
    _journey(client, besoin=BESOIN)
    assert _submit(client, service).categorie_id == "demarches-administratives"


def test_a_ticked_category_wins_and_an_unrelated_need_falls_back_to_the_service(client, morlaix):
    ticked = _service("cybersecurite", "demarches-administratives")
    _journey(client, besoin=BESOIN, categories=["cybersecurite"])
    assert _submit(client, ticked).categorie_id == "cybersecurite"

    unrelated = _service("presence-en-ligne")
    _journey(client, besoin=BESOIN)
    assert _submit(client, unrelated).categorie_id == "presence-en-ligne"


def test_a_referral_without_journey_uses_the_need_typed_in_the_form(client, morlaix):
    service = _service("cybersecurite", "demarches-administratives")
    referral = _submit(client, service, besoin=BESOIN, commune="29600", profil="particulier")
    assert referral.categorie_id == "demarches-administratives"


# The conseiller's space.


@pytest.fixture
def conseiller(make_user):
    user = make_user("conseillere@example.fr")
    role_grant(user=user, role=Role.ADVISER)
    return user


def _case(service, commune, created_by, nom):
    return referral_create(
        service=service,
        commune=commune,
        submission_key=submission_key_new(),
        contact_prefere="courriel",
        nom=nom,
        courriel="personne@example.fr",
        besoin=BESOIN,
        pour_compte_de_tiers=True,
        created_by=created_by,
    ).referral


def test_a_conseiller_has_a_home_with_their_own_cases_only(client, conseiller, make_user, morlaix):
    service = _service("demarches-administratives")
    other = make_user("autre.conseiller@example.fr")
    role_grant(user=other, role=Role.ADVISER)
    mine = _case(service, morlaix, conseiller, "Katell Guivarc'h")
    _case(service, morlaix, other, "Erwan Le Bihan")
    _case(service, morlaix, None, "Soazig Person")
    client.force_login(conseiller)
    response = client.get(reverse("espace:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mes dossiers" in html
    assert "Katell Guivarc" in html and "Nouvelle" in html
    assert reverse("referrals_espace:detail", args=[mine.pk]) in html
    assert "Erwan Le Bihan" not in html and "Soazig Person" not in html
    assert "Commencer un parcours pour une personne accompagnée" in html
    assert f'action="{reverse("orientation:restart")}"' in html
    # Their own case opens; the rest of the space stays closed.
    assert client.get(reverse("referrals_espace:detail", args=[mine.pk])).status_code == 200
    for url in (
        reverse("directory_espace:structure_edit", args=[service.structure_id]),
        reverse("directory_espace:import_list"),
    ):
        assert client.get(url).status_code == 403


def test_a_conseiller_runs_the_journey_for_someone_and_finds_the_case_in_their_space(
    client, conseiller, morlaix
):
    client.force_login(conseiller)
    # « Commencer un parcours » forgets any earlier journey and preselects « professionnel ».
    response = client.post(reverse("orientation:restart"), follow=True)
    html = response.content.decode()
    assert re.search(r'value="professionnel"[^>]*checked', html), "professionnel preselected"
    assert not re.search(r'value="particulier"[^>]*checked', html)
    steps = (
        ("profil", {"profil": "professionnel", "profil_accompagne": "particulier"}),
        ("commune", {"commune": "Morlaix"}),
        ("besoin", {"besoin": BESOIN}),
        ("contraintes", {"rayon_km": "15", "modalite": "", "jour": ""}),
    )
    for name, data in steps:
        assert client.post(reverse(f"orientation:{name}"), data).status_code == 302, name
    service = _service("demarches-administratives")
    referral = _submit(client, service)
    assert referral.created_by == conseiller and referral.pour_compte_de_tiers
    home = client.get(reverse("espace:home")).content.decode()
    assert "Yann Kerbrat" in home


def test_manager_and_curator_homes_are_unchanged(client, make_user, morlaix):
    service = _service("demarches-administratives")
    manager = make_user("gestionnaire@example.fr")
    role_grant(user=manager, role=Role.STRUCTURE_MANAGER, structure=service.structure)
    client.force_login(manager)
    html = client.get(reverse("espace:home")).content.decode()
    assert "Maison France services" in html and "Mes dossiers" not in html
    curator = make_user("admin@example.fr", is_superuser=True, is_staff=True)
    client.force_login(curator)
    response = client.get(reverse("espace:home"))
    assert response.status_code == 200 and "Mes dossiers" not in response.content.decode()
    # Anyone else without a role still gets the 403 page, without a journey button.
    client.force_login(make_user("rien@example.fr"))
    response = client.get(reverse("espace:home"))
    assert response.status_code == 403 and "Mes dossiers" not in response.content.decode()


# The demand counted for the observatory (channel « web »).


def _walk(client, besoin=BESOIN, rayon="15"):
    steps = (
        ("profil", {"profil": "particulier"}),
        ("commune", {"commune": "Morlaix"}),
        ("besoin", {"besoin": besoin}),
        ("contraintes", {"rayon_km": rayon, "modalite": "", "jour": ""}),
    )
    for name, data in steps:
        assert client.post(reverse(f"orientation:{name}"), data).status_code == 302, name


def _counted():
    fields = ("commune__code", "profil", "categorie_id", "canal", "nombre")
    return list(OrientationDemand.objects.values_list(*fields))


def test_a_journey_counts_one_demand_and_a_reload_or_the_fiche_none(client):
    _walk(client)
    assert not OrientationDemand.objects.exists()  # nothing before the results
    assert client.get(reverse("orientation:resultats")).status_code == 200
    counted = [("29151", "particulier", "demarches-administratives", "web", 1)]
    assert _counted() == counted
    client.get(reverse("orientation:resultats"))
    client.get(reverse("orientation:fiche"))
    assert _counted() == counted
    # A wider radius is the same demand; starting again is a new journey.
    _walk(client, rayon="30")
    client.get(reverse("orientation:resultats"))
    assert _counted() == counted
    client.post(reverse("orientation:restart"))
    _walk(client)
    client.get(reverse("orientation:resultats"))
    assert _counted() == [("29151", "particulier", "demarches-administratives", "web", 2)]
