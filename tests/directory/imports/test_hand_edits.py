"""A person's edit wins over newer imports of the same lieu, field by field."""

import json

import pytest

from maillage.accounts.enums import Role
from maillage.accounts.services import role_grant
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import Lieu
from maillage.directory.services.history import directory_object_update
from tests.directory.factories import LieuRowFactory

pytestmark = pytest.mark.django_db


def _row(**extra):
    defaults = {"id": "lieu-1", "telephone": "02 98 00 00 00", "horaires": "Mo-Fr 09:00-12:00"}
    return LieuRowFactory(**{**defaults, **extra})


def _import(row):
    return lieux_import(data=json.dumps([row]).encode(), filename="l.json", source_name="Réseau")


@pytest.fixture
def manager(make_user):
    _import(_row())
    user = make_user("gestion@example.fr", first_name="Camille", last_name="Martin")
    role_grant(user=user, role=Role.STRUCTURE_MANAGER, structure=Lieu.objects.get().structure)
    return user


def test_a_newer_file_keeps_the_phone_a_manager_edited_and_updates_the_rest(manager):
    lieu = Lieu.objects.get()
    directory_object_update(obj=lieu, user=manager, data={"telephone": "02 98 11 22 33"})

    result = _import(
        _row(telephone="02 98 99 99 99", horaires="Mo-Sa 09:00-12:00", date_maj="2024-06-01")
    )

    lieu.refresh_from_db()
    assert lieu.telephone == "02 98 11 22 33"  # kept: edited by hand after the last import
    assert lieu.horaires == "Mo-Sa 09:00-12:00"  # never edited by hand: updated
    assert result.updated == 1 and result.run.counts["champs_conserves"] == 1
    (line,) = [r for r in result.run.rapport if r["message"].startswith("conservée")]
    assert line["champ"] == "téléphone" and line["bloquant"] is False
    assert "par le gestionnaire de la structure" in line["message"]
    assert line["message"].endswith("valeur du fichier : 02 98 99 99 99")
    assert "Camille" not in json.dumps(result.run.rapport)  # a role, never a name
    assert {"champs": ["date_maj", "horaires"], "id": "lieu-1"} in result.run.modifications

    # Re-importing the same newer file changes nothing; an even newer one still keeps the edit.
    again = _import(
        _row(telephone="02 98 99 99 99", horaires="Mo-Sa 09:00-12:00", date_maj="2024-06-01")
    )
    assert again.unchanged == 1
    _import(_row(telephone="02 98 55 55 55", horaires="Mo-Sa 09:00-12:00", date_maj="2024-09-01"))
    lieu.refresh_from_db()
    assert lieu.telephone == "02 98 11 22 33"


def test_a_position_placed_by_hand_is_kept_whole(manager):
    lieu = Lieu.objects.get()
    directory_object_update(obj=lieu, user=manager, data={"latitude": 48.578, "longitude": -3.829})
    _import(_row(latitude=48.5771, longitude=-3.8281, date_maj="2024-06-01"))
    lieu.refresh_from_db()
    assert (lieu.latitude, lieu.longitude, lieu.placement) == (48.578, -3.829, "source")
