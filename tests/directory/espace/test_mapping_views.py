"""Back-office pages that write a source's column mapping from a sample file."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.accounts.enums import Role
from maillage.accounts.models import RoleAssignment
from maillage.directory.models import ColumnMapping, Source
from maillage.territories.models import Territoire

pytestmark = pytest.mark.django_db
SAMPLE = "Réf;Nom du lieu;Adresse;CP;Ville\nA1;EPN;Place des Otages;29600;Morlaix\n"


@pytest.fixture
def source():
    return Source.objects.create(slug="hub-test", nom="Hub test")


def test_only_superusers_and_territorial_administrators_reach_the_pages(
    client, make_user, password, source
):
    url = "/espace/correspondances/hub-test/"
    assert client.get(url).status_code == 302  # to the login page
    make_user("agent@example.fr")
    client.login(email="agent@example.fr", password=password)
    assert client.get(url).status_code == 403
    admin = make_user("admin@example.fr")
    RoleAssignment.objects.create(
        user=admin, role=Role.TERRITORY_ADMIN, territoire=Territoire.objects.first()
    )
    client.login(email="admin@example.fr", password=password)
    assert client.get(url).status_code == 200
    assert "Hub test" in client.get("/espace/correspondances/").content.decode()


def test_sample_columns_are_offered_then_the_mapping_is_saved(client, make_user, password, source):
    user = make_user("root@example.fr", is_superuser=True, is_staff=True)
    client.login(email="root@example.fr", password=password)
    url = "/espace/correspondances/hub-test/"
    sample = SimpleUploadedFile("lieux.csv", SAMPLE.encode("cp1252"))
    page = client.post(url, {"echantillon": sample}).content.decode()
    assert '<option value="Nom du lieu">Nom du lieu</option>' in page
    assert 'name="colonne_nom"' in page
    columns = ["Réf", "Nom du lieu", "Adresse", "CP", "Ville"]
    response = client.post(
        url,
        {
            "colonnes_fichier": columns,
            "colonne_id": "Réf",
            "colonne_nom": "Nom du lieu",
            "colonne_adresse": "Adresse",
            "colonne_code_postal": "CP",
            "colonne_commune": "Ville",
            "valeurs": json.dumps({"services": {"Café": None}}),
            "options": '{"departements": ["29"]}',
        },
    )
    assert response.status_code == 302
    saved = ColumnMapping.objects.get(source=source)
    assert saved.colonnes == {
        "id": "Réf",
        "nom": "Nom du lieu",
        "adresse": "Adresse",
        "code_postal": "CP",
        "commune": "Ville",
    }
    assert saved.options == {"departements": ["29"]}
    assert saved.updated_by == user


def test_an_invalid_mapping_or_sample_is_explained(client, make_user, password, source):
    make_user("root@example.fr", is_superuser=True)
    client.login(email="root@example.fr", password=password)
    url = "/espace/correspondances/hub-test/"
    page = client.post(
        url, {"echantillon": SimpleUploadedFile("l.json", b'[{"nom": "EP')}
    ).content.decode()
    assert "JSON illisible" in page
    page = client.post(
        url, {"colonnes_fichier": ["Réf"], "colonne_id": "Réf", "options": '{"vitesse": 1}'}
    ).content.decode()
    assert "Option « vitesse » inconnue" in page
    assert "Champ « nom » sans colonne" in page
    assert not ColumnMapping.objects.exists()
