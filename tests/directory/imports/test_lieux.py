"""Importing lieux files into the directory: upsert, report, placement, idempotence."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from maillage.directory.imports import FileFormatError
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.models import Categorie, ImportRun, Lieu, SourceRecord
from maillage.directory.taxonomy import taxonomie_rows
from tests.directory.factories import LieuRowFactory

pytestmark = pytest.mark.django_db
SHARED = Path(settings.SHARED_DIR)


def _row(**extra):
    defaults = {
        "id": "lieu-1",
        "services": (
            "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien"
        ),
        "frais_a_charge": "Gratuit",
    }
    return LieuRowFactory(**{**defaults, **extra})


def _import(rows, source="Réseau test"):
    return lieux_import(data=json.dumps(rows).encode(), filename="lieux.json", source_name=source)


def test_taxonomy_is_loaded_and_matches_the_shared_contract():
    assert Categorie.objects.count() == len(taxonomie_rows()) >= 30
    shared = SHARED / "taxonomie.csv"
    if not shared.exists():
        pytest.skip("../shared/taxonomie.csv absent : comparaison avec le contrat ignorée")
    ours = Path(__file__).resolve().parents[3] / "maillage/directory/data/taxonomie.csv"
    assert ours.read_text() == shared.read_text(), "la copie embarquée doit suivre le contrat"


def test_a_lieu_is_created_with_its_service_and_categories():
    result = _import([_row()])
    assert (result.created, result.rejected) == (1, 0)
    lieu = Lieu.objects.get(nom="Espace numérique de Morlaix")
    assert lieu.commune.code == "29151"
    assert lieu.placement == "source"
    service = lieu.services.get()
    assert set(service.categories.values_list("code", flat=True)) == {
        "demarches-administratives",
        "outils-numeriques-quotidien",
    }
    assert service.frais == ["gratuit"]


def test_reimporting_the_same_file_changes_nothing():
    _import([_row(), _row(id="lieu-2", nom="Autre lieu")])
    before = list(Lieu.objects.order_by("pk").values("pk", "updated_at"))
    second = _import([_row(), _row(id="lieu-2", nom="Autre lieu")])
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert list(Lieu.objects.order_by("pk").values("pk", "updated_at")) == before


def test_a_newer_file_updates_and_records_what_changed():
    _import([_row()])
    result = _import([_row(horaires="Mo-Fr 09:00-12:00", date_maj="2024-06-01")])
    assert result.updated == 1
    assert result.run.modifications == [{"id": "lieu-1", "champs": ["date_maj", "horaires"]}]
    assert Lieu.objects.get().horaires == "Mo-Fr 09:00-12:00"


def test_same_id_from_two_sources_makes_two_records():
    _import([_row()], source="Source A")
    _import([_row()], source="Source B")
    assert SourceRecord.objects.filter(identifiant="lieu-1").count() == 2


def test_swapped_coordinates_are_put_back_and_missing_ones_use_the_mairie():
    result = _import(
        [
            _row(id="a", latitude=-3.8283, longitude=48.5776),
            _row(id="b", latitude=None, longitude=None),
        ]
    )
    swapped = SourceRecord.objects.get(identifiant="a").lieu
    assert swapped.placement == "inversees" and swapped.latitude == pytest.approx(48.5776)
    approximate = SourceRecord.objects.get(identifiant="b").lieu
    assert approximate.placement == "mairie"
    assert approximate.latitude == approximate.commune.mairie_latitude
    assert result.approximate == 1


def test_arrondissement_names_resolve_to_their_commune():
    result = _import(
        [_row(commune="MARSEILLE 11", code_postal="13011", latitude=None, longitude=None)]
    )
    assert result.created == 1
    assert Lieu.objects.get().commune.code == "13055"


def test_bad_rows_are_reported_and_good_rows_kept():
    result = _import(
        [
            _row(),
            _row(id="x", adresse=""),
            _row(id="y", code_postal="99999", commune="Nulle Part", latitude=None),
        ]
    )
    assert (result.created, result.rejected) == (1, 2)
    report = ImportRun.objects.get(pk=result.run.pk).rapport
    assert [(r["ligne"], r["champ"]) for r in report if r["bloquant"]] == [
        (2, "adresse"),
        (3, "commune"),
    ]


def test_an_unreadable_file_changes_nothing():
    _import([_row()])
    with pytest.raises(FileFormatError):
        lieux_import(data=b'[{"id": "1", "nom"', filename="lieux.json", source_name="Réseau test")
    assert Lieu.objects.count() == 1
    assert ImportRun.objects.order_by("-pk").first().status == "echec"


def test_command_reports_and_fails_clearly(tmp_path, capsys):
    path = tmp_path / "lieux.json"
    path.write_text(json.dumps([_row(), _row(id="z", nom="")]))
    call_command("import_lieux", str(path), source="Réseau test")
    out = capsys.readouterr().out
    assert "1 créées" in out and "1 rejetées" in out
    assert "ligne 2 · nom" in out
    broken = tmp_path / "tronque.json"
    broken.write_text('[{"id": "1"')
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_lieux", str(broken), source="Réseau test")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_lieux", str(tmp_path / "absent.csv"), source="Réseau test")


def test_an_insee_code_that_contradicts_the_postal_code_is_not_trusted():
    """Mont-Dore, New Caledonia, published with the code of Mont-Dore, Puy-de-Dôme."""
    result = _import(
        [_row(code_insee="63236", code_postal="98800", commune="Mont-Dore", latitude=None)]
    )
    assert result.rejected == 1
    assert any("Pacifique" in error.message for error in result.errors if error.blocking)
