"""E-mail login, roles scoped to territories, the back-office and protected API calls."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.territories.models import Territoire

pytestmark = pytest.mark.django_db


def test_login_by_email_ignores_case(client, make_user, password):
    make_user("Claire.Martin@Morlaix.fr")
    response = client.post(
        reverse("accounts:login"), {"username": "CLAIRE.MARTIN@morlaix.fr", "password": password}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "claire.martin@morlaix.fr"


def test_wrong_password_gets_a_french_message(client, make_user):
    make_user("claire@morlaix.fr")
    response = client.post(
        reverse("accounts:login"), {"username": "claire@morlaix.fr", "password": "faux"}
    )
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()


def test_territory_admin_role_requires_a_territory(make_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        role_grant(user=make_user(), role=Role.TERRITORY_ADMIN)


def test_territory_admin_sees_only_their_territories_in_the_admin(client, make_user, password):
    morlaix = Territoire.objects.get(slug="pays-de-morlaix")
    user = make_user("admin@morlaix.fr")
    role_grant(user=user, role=Role.TERRITORY_ADMIN, territoire=morlaix)
    user.refresh_from_db()
    assert user.is_staff
    client.force_login(user)
    response = client.get(reverse("admin:territories_territoire_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [morlaix]
    lorient = Territoire.objects.get(slug="pays-de-lorient")
    url = reverse("admin:territories_territoire_change", args=[lorient.pk])
    assert client.get(url).status_code in (302, 403, 404)


def test_admin_is_in_french(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "Administration de Maillage" in response.content.decode()
    assert "Déconnexion" in response.content.decode()


def test_private_pages_require_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_recompute_api_is_reserved_to_the_territory_admin(client, make_user, monkeypatch):
    url = "/api/v1/territoires/pays-de-morlaix/recalcul"
    assert client.post(url).status_code == 401

    other = make_user("admin@lorient.fr")
    role_grant(
        user=other,
        role=Role.TERRITORY_ADMIN,
        territoire=Territoire.objects.get(slug="pays-de-lorient"),
    )
    client.force_login(other)
    assert client.post(url).status_code == 403

    own = make_user("admin@morlaix.fr")
    role_grant(
        user=own,
        role=Role.TERRITORY_ADMIN,
        territoire=Territoire.objects.get(slug="pays-de-morlaix"),
    )
    client.force_login(own)
    response = client.post(url)
    assert response.status_code == 202
    task = response.json()
    assert task["statut"] == "READY"
    # The worker closes connections it finds inside a transaction; inside a test the
    # connection holds the test's transaction, so keep it (as Django's test client does).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", burst=True, verbosity=0)
    status = client.get(f"/api/v1/taches/{task['id']}").json()
    assert status["statut"] == "SUCCESSFUL"
    morlaix = Territoire.objects.get(slug="pays-de-morlaix")
    assert status["resultat"] == {
        "territoire": "pays-de-morlaix",
        "population": morlaix.population,
        "communes": morlaix.commune_count,
    }


def test_admin_refuses_a_territory_with_an_unknown_epci(admin_client):
    """The back-office checks every code against the reference before saving."""
    response = admin_client.post(
        reverse("admin:territories_territoire_add"),
        {
            "nom": "Essai",
            "slug": "essai",
            "kind": "custom",
            "description": "",
            "epci_codes": '["999999999"]',
            "departement_codes": "[]",
            "region_codes": "[]",
        },
    )
    assert response.status_code == 200
    assert "code EPCI inconnu 999999999" in response.content.decode()
    assert not Territoire.objects.filter(slug="essai").exists()


def test_admin_creates_a_territory_and_derives_its_communes(admin_client):
    response = admin_client.post(
        reverse("admin:territories_territoire_add"),
        {
            "nom": "Finistère",
            "slug": "finistere",
            "kind": "departement",
            "description": "",
            "epci_codes": "[]",
            "departement_codes": '["29"]',
            "region_codes": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    finistere = Territoire.objects.get(slug="finistere")
    assert finistere.commune_count > 250
    assert finistere.population > 900_000
