"""The guided orientation journey (/orientation/) without JavaScript: six plain forms, the
state in the session, the same answer as the API and the command, a printable fiche."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from maillage.directory.models import Lieu
from maillage.orientation.journey import EMPTY_STATE, SESSION_KEY

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db

MORLAIX = "29151"
URL = "/orientation/"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def directory():
    """Four services around Morlaix's mairie (km due north), each of its own structure."""
    return {
        "demarches": ServiceFactory(
            nom="Aide aux papiers",
            categories=["demarches-administratives"],
            lieu=1,
            lieu__telephone="02 98 00 00 01",
        ),
        "demarches_loin": ServiceFactory(
            nom="Permanence administrative", categories=["demarches-administratives"], lieu=6
        ),
        "ordinateur": ServiceFactory(
            nom="Atelier ordinateur",
            categories=["outils-numeriques-quotidien"],
            lieu=2,
            payant=True,
        ),
        "site": ServiceFactory(
            nom="Accompagnement site web", categories=["presence-en-ligne"], lieu=3
        ),
    }


def _walk(client, *, besoin="je dois faire mes demarches administratives en ligne", **extra):
    """POST the four question steps; returns the responses (each a redirect)."""
    steps = [
        ("profil", {"profil": extra.get("profil", "particulier"), **extra.get("profil_data", {})}),
        ("commune", {"commune": extra.get("commune", "Morlaix")}),
        ("besoin", {"besoin": besoin, "categories": extra.get("categories", [])}),
        (
            "contraintes",
            {"rayon_km": "15", "modalite": "", "jour": "", **extra.get("contraintes", {})},
        ),
    ]
    responses = []
    for name, data in steps:
        response = client.post(reverse(f"orientation:{name}"), data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
        responses.append(response)
    return responses


def test_the_fiche_keeps_only_the_services_ticked(client, directory):
    """Unticking a service takes it off the printed fiche; the ids that are not among the
    results, or not numbers, are ignored; with nothing ticked the fiche keeps them all."""
    _walk(client)
    near, far = directory["demarches"], directory["demarches_loin"]
    url = reverse("orientation:fiche")
    whole = " ".join(client.get(url).content.decode().split())
    assert "Aide aux papiers —" in whole and "Permanence administrative —" in whole
    assert f'name="garder" value="{near.pk}"' in whole
    response = client.get(url, {"garder": [str(far.pk), "999999", "abc"]})
    fiche = response.content.decode().split('data-testid="fiche"', 1)[1]
    assert "Permanence administrative —" in fiche
    assert "Aide aux papiers —" not in fiche
    choices = {c["id"]: c["garde"] for c in response.context["choices"]}
    assert choices[far.pk] is True and choices[near.pk] is False
    only_unknown = client.get(url, {"garder": "999999"}).content.decode()
    assert "Aide aux papiers —" in only_unknown.split('data-testid="fiche"', 1)[1]


def test_whole_journey_without_javascript_ends_on_results_and_a_printable_fiche(client, directory):
    """Each step is a plain form; results and fiche come from the session state."""
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Qui êtes-vous ? — Étape 1 sur 6" in html
    assert 'class="fr-stepper' in html
    responses = _walk(client)
    assert [r["Location"] for r in responses] == [
        "/orientation/commune/",
        "/orientation/besoin/",
        "/orientation/contraintes/",
        "/orientation/resultats/",
    ]
    state = client.session[SESSION_KEY]
    assert set(state) == set(EMPTY_STATE)
    assert state["profil"] == "particulier"
    assert state["pour_compte_de_tiers"] is False
    assert state["commune"] == MORLAIX
    assert state["contraintes"] == {
        "rayon_km": 15.0,
        "gratuit": False,
        "modalite": "",
        "accessible": False,
        "jour": "",
    }

    results = client.get(reverse("orientation:resultats"))
    html = results.content.decode()
    assert results.status_code == 200
    assert "Étape 5 sur 6" in html
    assert "Aide aux démarches administratives" in html  # the understood category
    assert "Pourquoi" in html
    assert html.index("Aide aux papiers") < html.index("Permanence administrative")
    assert "à 1,0 km" in html or "1.0 km" in html or "1,0 km" in html
    assert reverse("directory:lieu_detail", args=[directory["demarches"].lieux.get().pk]) in html
    assert 'id="orientation-map"' in html
    assert reverse("referrals:create", args=[directory["demarches"].pk]) in html
    assert client.session[SESSION_KEY]["resultats"][:2] == [
        directory["demarches"].pk,
        directory["demarches_loin"].pk,
    ]
    for name in ("profil", "commune", "besoin", "contraintes"):
        assert f'href="{reverse(f"orientation:{name}")}"' in html  # "Modifier ma recherche"

    fiche = client.get(reverse("orientation:fiche"))
    html = fiche.content.decode()
    assert fiche.status_code == 200
    assert "Étape 6 sur 6" in html
    assert "« je dois faire mes demarches administratives en ligne »" in html
    assert "Aide aux papiers — Structure Aide aux papiers" in html
    assert "3 rue de Brest, 29600 Morlaix" in html
    assert "02 98 00 00 01" in html and "contact@example.fr" in html
    assert "09:00 – 12:00, 14:00 – 17:00" in html  # opening hours, readable
    assert "Prochaines étapes" in html
    assert "data-print" in html and "hidden" in html  # the print button needs JavaScript
    # What must not be printed is marked with the class the print stylesheet hides.
    assert re.search(r'class="fr-stepper orientation-no-print"', html)
    assert re.search(r'<div class="orientation-no-print[^"]*">\s*<ul class="fr-btns-group', html)
    css = (ROOT / "maillage/static/maillage/orientation.css").read_text(encoding="utf-8")
    print_rules = css.split("@media print", 1)[1]
    for selector in (".fr-header", ".fr-footer", ".orientation-no-print", ".fr-btn"):
        assert selector in print_rules


def test_a_professional_acts_for_the_person_helped(client, directory):
    """Choosing « professionnel » asks for the person's profile, which the engine uses."""
    response = client.post(reverse("orientation:profil"), {"profil": "professionnel"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="form-errors"' in html
    assert "indiquez qui est la personne accompagnée" in html
    assert re.search(r'value="professionnel"\s+checked', html)  # the choice is kept

    response = client.post(
        reverse("orientation:profil"),
        {"profil": "professionnel", "profil_accompagne": "entreprise"},
    )
    assert response.status_code == 302
    state = client.session[SESSION_KEY]
    assert state["profil"] == "entreprise" and state["pour_compte_de_tiers"] is True
    page = client.get(reverse("orientation:commune")).content.decode()
    assert "Où vit la personne accompagnée ?" in page
    client.post(reverse("orientation:commune"), {"commune": "Morlaix"})
    page = client.get(reverse("orientation:besoin")).content.decode()
    assert "Quel est le besoin de la personne accompagnée ?" in page
    assert "Décrivez le besoin de la personne accompagnée" in page
    # Back on step 1, both answers are shown again.
    page = client.get(reverse("orientation:profil")).content.decode()
    assert re.search(r'value="professionnel"\s+checked', page)
    assert re.search(r'value="entreprise"\s+checked', page)


@pytest.mark.parametrize(
    ("besoin", "message"),
    [
        ("", "Décrivez votre besoin en quelques mots ou choisissez au moins une catégorie"),
        ("x" * 10_000, "Votre description est trop longue (10 000 caractères)"),
        ("😀🙏🎉 !!", "Nous n&#x27;avons trouvé aucun mot"),
        (
            "<script>alert('x')</script> aide",
            "Les balises HTML et les scripts ne sont pas acceptés",
        ),
    ],
    ids=["vide", "10000-caracteres", "emoticones", "script"],
)
def test_bad_needs_get_a_french_message_and_keep_what_was_typed(client, besoin, message):
    _walk_until_besoin(client)
    response = client.post(
        reverse("orientation:besoin"),
        {"besoin": besoin, "categories": ["cybersecurite"]} if not besoin else {"besoin": besoin},
    )
    html = response.content.decode()
    if not besoin:  # a ticked category is enough
        assert response.status_code == 302
        response = client.post(reverse("orientation:besoin"), {"besoin": ""})
        html = response.content.decode()
    assert response.status_code == 200
    assert 'id="form-errors"' in html and "form-errors.js" in html
    assert message in html
    if besoin:
        kept = besoin[:200].replace("'", "&#x27;").replace("<", "&lt;").replace(">", "&gt;")
        assert kept in html
    assert "<script>alert" not in html


def _walk_until_besoin(client):
    client.post(reverse("orientation:profil"), {"profil": "particulier"})
    client.post(reverse("orientation:commune"), {"commune": "Morlaix"})


def test_commune_unknown_ambiguous_or_resolved_without_javascript(client):
    client.post(reverse("orientation:profil"), {"profil": "association"})
    url = reverse("orientation:commune")

    response = client.post(url, {"commune": "Zzyzxville"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aucune commune ne correspond à « Zzyzxville »" in html
    assert 'value="Zzyzxville"' in html

    # A postal code shared by several communes: choose among them on the same page.
    response = client.post(url, {"commune": "29600"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Plusieurs communes correspondent" in html
    assert f'value="{MORLAIX}"' in html
    response = client.post(url, {"commune": "29600", "code": MORLAIX})
    assert response.status_code == 302
    assert client.session[SESSION_KEY]["commune"] == MORLAIX

    # The autocomplete's "Nom (code)" and a plain name both resolve.
    assert client.post(url, {"commune": "Morlaix (29151)"}).status_code == 302
    assert client.post(url, {"commune": "morlaix"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'value="Morlaix (29151)"' in page


def test_later_steps_send_back_to_the_first_unanswered_one(client):
    assert client.get(reverse("orientation:fiche"))["Location"] == "/orientation/"
    client.post(reverse("orientation:profil"), {"profil": "particulier"})
    assert client.get(reverse("orientation:resultats"))["Location"] == "/orientation/commune/"


def test_a_category_ticked_without_text_still_gives_an_answer(client, directory):
    _walk(client, besoin="", categories=["presence-en-ligne"])
    response = client.get(reverse("orientation:resultats"))
    assert response.status_code == 200
    answer = response.context["answer"]
    assert answer.categories[0].code == "presence-en-ligne"
    assert answer.resultats[0].service.id == directory["site"].pk
    assert client.session[SESSION_KEY]["categories"] == ["presence-en-ligne"]
    assert client.session[SESSION_KEY]["besoin"] == ""


def test_nothing_near_shows_the_engine_fallback(client, directory):
    _walk(client, besoin="je veux un site internet pour ma boutique", contraintes={"rayon_km": "5"})
    Lieu.objects.filter(services=directory["site"]).update(latitude=48.9)  # ≈ 35 km north
    html = client.get(reverse("orientation:resultats")).content.decode()
    assert "Aucun service à moins de 5,0 km de Morlaix" in html
    assert "Accompagnement site web" in html
    assert "au-delà de votre rayon de 5,0 km" in html


@pytest.mark.parametrize(
    ("besoin", "profil"),
    [
        ("je dois faire mes demarches administratives en ligne", "particulier"),
        ("apprendre a utiliser mon ordi", "particulier"),
        ("créer le site internet de ma boutique", "entreprise"),
    ],
)
def test_the_same_need_gets_the_same_answer_on_the_web_the_api_and_the_command(
    client, directory, besoin, profil
):
    _walk(client, besoin=besoin, profil=profil)
    web = client.get(reverse("orientation:resultats")).context["answer"].model_dump()
    payload = {
        "besoin": besoin,
        "profil": profil,
        "commune": MORLAIX,
        "contraintes": {"rayon_km": 15},
    }
    api = client.post("/api/v1/orientations", payload, content_type="application/json").json()
    out = io.StringIO()
    call_command("orient", besoin, "--commune", MORLAIX, "--profil", profil, "--json", stdout=out)
    cli = json.loads(out.getvalue())
    for answer in (api, cli):
        assert [c["code"] for c in answer["categories"]] == [c["code"] for c in web["categories"]]
        assert [r["service"]["id"] for r in answer["resultats"]] == [
            r["service"]["id"] for r in web["resultats"]
        ]
    assert web["resultats"], "the directory fixture should answer this need"
    assert client.session[SESSION_KEY]["resultats"] == [
        r["service"]["id"] for r in web["resultats"]
    ]


def test_the_need_text_never_appears_in_a_url(client, directory):
    """Query strings end up in logs: nothing the person typed goes into a URL."""
    secret = "mademoiselle Quenouille demarches administratives"
    urls = [r["Location"] for r in _walk(client, besoin=secret)]
    for name in ("profil", "commune", "besoin", "contraintes", "resultats", "fiche"):
        html = client.get(reverse(f"orientation:{name}")).content.decode()
        urls += re.findall(r'(?:href|action|src)="([^"]*)"', html)
    assert urls
    assert not [u for u in urls if "Quenouille" in u or "demarches" in u.lower()]
    assert not [u for u in urls if "?" in u and "orientation" in u]


def test_restart_forgets_the_journey(client, directory):
    _walk(client)
    response = client.post(reverse("orientation:restart"))
    assert response["Location"] == "/orientation/"
    assert SESSION_KEY not in client.session


def test_the_referral_button_opens_a_form_that_already_knows_the_need(client, directory):
    """From a result, the mise en relation asks only for the contact: the need and the
    commune come from the journey."""
    _walk(client)
    html = client.get(reverse("orientation:resultats")).content.decode()
    url = reverse("referrals:create", args=[directory["demarches"].pk])
    assert f'href="{url}"' in html
    assert "Demander une mise en relation" in html
    form = client.get(url).content.decode()
    assert "je dois faire mes demarches administratives en ligne" in form
    assert 'name="besoin"' not in form
    assert 'name="courriel"' in form


def test_the_home_page_and_the_menu_lead_to_the_journey(client):
    html = client.get("/").content.decode()
    assert html.count(f'href="{URL}"') >= 2
