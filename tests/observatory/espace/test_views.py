"""Administrators import an indicator per commune from the management space: the same
line-by-line report as the command, then the indicator shows like the computed ones."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.observatory.models import Indicateur, ValeurIndicateur
from tests.observatory.factories import StructureFactory
from tests.observatory.test_indicators import BREST, CSV, MORLAIX

pytestmark = pytest.mark.django_db

URL = "/espace/indicateurs/"


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("admin@example.fr", is_superuser=True, is_staff=True))
    return client


def post(client, data: bytes = CSV, **fields):
    form = {
        "code": "thd",
        "libelle": "Locaux raccordables à la fibre",
        "unite": "%",
        "source": "Arcep",
        "date": "15/01/2026",
        "colonne_valeur": "taux",
        "fichier": SimpleUploadedFile("thd.csv", data, content_type="text/csv"),
        **fields,
    }
    return client.post(URL, form, secure=True)


def test_upload_loads_the_good_lines_and_reports_each_bad_one(admin_client):
    """The example file: two good lines loaded, four bad ones listed with line, column,
    value and reason; the indicator is then in the list and in the commune API."""
    response = post(admin_client)
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "2 communes chargées pour « Locaux raccordables à la fibre » au 15 janvier 2026" in html
    result = response.context["result"]
    assert [(e.line, e.field) for e in result.errors] == [
        (3, "codgeo"),
        (4, "taux"),
        (5, "taux"),
        (6, "codgeo"),
    ]
    assert "Code commune inconnu du référentiel." in html
    assert "Valeur non numérique" in html
    assert (
        ValeurIndicateur.objects.get(indicateur__code="thd", commune__code=MORLAIX).valeur == 87.5
    )
    listed = admin_client.get(URL, secure=True)
    (row,) = listed.context["imported"]
    assert (row.code, row.communes) == ("thd", 2)
    api = admin_client.get(f"/api/v1/communes/{MORLAIX}/indicateurs").json()
    thd = next(i for i in api["indicateurs"] if i["code"] == "thd")
    assert (thd["valeur"], thd["source"], thd["date"]) == (87.5, "Arcep", "2026-01-15")


def test_a_new_date_starts_from_the_indicator_description(admin_client):
    """« Nouvelle date » prefills code, label, unit and source of an imported indicator."""
    post(admin_client)
    form = admin_client.get(URL, {"code": "thd"}, secure=True).context["form"]
    assert {k: form.initial[k] for k in ("code", "libelle", "unite", "source")} == {
        "code": "thd",
        "libelle": "Locaux raccordables à la fibre",
        "unite": "%",
        "source": "Arcep",
    }


@pytest.mark.parametrize(
    ("fields", "data", "field", "message"),
    [
        ({"colonne_valeur": "debit"}, CSV, "fichier", "Colonne des valeurs « debit » absente"),
        ({"code": "lieux:maison"}, CSV, "code", "lettres sans accent"),
        ({"code": "population"}, CSV, "fichier", "réservé aux indicateurs calculés"),
        ({"date": "32/01/2026"}, CSV, "date", "Date invalide"),
        ({}, b"codgeo;taux\n99999;1\n", "fichier", "Aucune ligne valide"),
    ],
)
def test_a_file_that_cannot_be_loaded_writes_nothing(admin_client, fields, data, field, message):
    """A missing column, a reserved or malformed code, a bad date or a file without one
    good line: a French message on the field, status 400, nothing written."""
    response = post(admin_client, data, **fields)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Indicateur.objects.filter(origine="importe").exists()
    assert (
        not ValeurIndicateur.objects.filter(commune__code__in=[MORLAIX, BREST])
        .exclude(indicateur__origine="calcule")
        .exists()
    )


def test_only_administrators_import(client, make_user):
    """A structure manager and an anonymous visitor cannot reach the page."""
    manager = make_user("gestion@example.fr")
    role_grant(user=manager, role=Role.STRUCTURE_MANAGER, structure=StructureFactory(nom="S"))
    assert client.get(URL, secure=True).status_code == 302  # to the login page
    client.force_login(manager)
    assert client.get(URL, secure=True).status_code == 403
    assert post(client).status_code == 403
    assert not Indicateur.objects.filter(code="thd").exists()
