"""Column mappings: checked, applied to a producer's rows, saved per source and reused."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from maillage.directory.enums import ImportStatus
from maillage.directory.imports import FileFormatError
from maillage.directory.imports.lieux import lieux_import
from maillage.directory.imports.mapping import (
    Mapping,
    MappingError,
    apply_mapping,
    mapping_load,
    shipped_mappings,
)
from maillage.directory.models import ColumnMapping, ImportRun, Lieu, Source, SourceRecord
from maillage.directory.services import column_mapping_save

MAPPING = {
    "colonnes": {
        "id": "Réf",
        "nom": "Nom du lieu",
        "adresse": "Adresse",
        "code_postal": "CP",
        "commune": "Ville",
        "date_maj": "Mise à jour",
        "services": "Services",
        "horaires": "Horaires",
    },
    "valeurs": {
        "services": {
            "Atelier informatique": "outils-numeriques-quotidien",
            "Aide CAF": "demarches-administratives",
            "Café": None,
        }
    },
    "options": {"separateur_valeurs": " / "},
}
HEADER = "Réf;Nom du lieu;Adresse;CP;Ville;Mise à jour;Services;Horaires\n"
ROW = (
    "A1;EPN de Morlaix;Place des Otages;29600;Morlaix;01/03/2024;"
    "Atelier informatique / Aide CAF / Café;du lundi au vendredi de 9h à 12h\n"
)


def test_a_mapping_with_unknown_fields_or_options_is_refused_with_every_problem():
    with pytest.raises(MappingError) as caught:
        Mapping.from_dict(
            {"colonnes": {"nom": "N", "couleur": "C"}, "options": {"vitesse": 1}, "x": 1}
        )
    problems = " ".join(caught.value.problems)
    assert "Clés inconnues : x" in problems
    assert "Champ « couleur » inconnu" in problems
    assert "Option « vitesse » inconnue" in problems
    assert "Champ « id » sans colonne" in problems


def test_values_are_split_translated_and_out_of_scope_ones_counted():
    mapping = Mapping.from_dict(MAPPING)
    row = dict(zip(HEADER.strip().split(";"), ROW.strip().split(";"), strict=True))
    mapped = apply_mapping(mapping, [(2, row)])
    out = mapped.rows[0][1]
    assert out["services"] == ["outils-numeriques-quotidien", "demarches-administratives"]
    assert mapped.ignored_values == 1
    assert out["horaires"] == "Mo-Fr 09:00-12:00"


def test_rows_of_one_lieu_are_grouped_and_their_services_merged():
    mapping = Mapping.from_dict(
        {
            "colonnes": {"nom": "org", "services": "service", "adresse": "adr"},
            "options": {"regrouper_par": ["org", "adr"]},
        }
    )
    rows = [
        (2, {"org": "EPN", "adr": "1 rue A", "service": "Accès"}),
        (3, {"org": "EPN", "adr": "1 rue A", "service": "Atelier"}),
        (4, {"org": "Médiathèque", "adr": "2 rue B", "service": "Accès"}),
    ]
    mapped = apply_mapping(mapping, rows)
    assert mapped.grouped_rows == 1
    assert [(line, r["id"], r["services"]) for line, r in mapped.rows] == [
        (2, "epn-1-rue-a", ["Accès", "Atelier"]),
        (4, "mediatheque-2-rue-b", ["Accès"]),
    ]


def test_unconvertible_hours_stay_as_a_note():
    mapping = Mapping.from_dict({"colonnes": {"id": "i", "nom": "n", "horaires": "h"}})
    mapped = apply_mapping(mapping, [(2, {"i": "1", "n": "EPN", "h": "Sur rendez-vous"})])
    out = mapped.rows[0][1]
    assert out["horaires"] == ""
    assert out["presentation_detail"] == "Horaires : Sur rendez-vous"
    assert mapped.warnings[0].field == "horaires"
    assert not mapped.warnings[0].blocking


def test_dotted_paths_read_nested_json_and_defaults_fill_gaps():
    mapping = Mapping.from_dict(
        {
            "colonnes": {"id": "id", "nom": "lieu.nom", "code_postal": "lieu.adresse.cp"},
            "options": {"valeurs_par_defaut": {"date_maj": "2024-01-01"}},
        }
    )
    row = {"id": 7, "lieu": {"nom": "EPN", "adresse": {"cp": 29600}}}
    out = apply_mapping(mapping, [(1, row)]).rows[0][1]
    assert (out["id"], out["nom"], out["code_postal"], out["date_maj"]) == (
        "7",
        "EPN",
        "29600",
        "2024-01-01",
    )


def test_every_shipped_mapping_is_valid():
    names = shipped_mappings()
    assert {
        "gironde",
        "haute-vienne",
        "hub-lo",
        "france-services-2024",
        "data-inclusion-services",
    } <= set(names)
    for name in names:
        assert mapping_load(name).colonnes


@pytest.mark.django_db
def test_a_mapped_csv_imports_and_the_saved_mapping_is_reused(tmp_path):
    data = (HEADER + ROW).encode("cp1252")
    mapping = Mapping.from_dict(MAPPING)
    column_mapping_save(source_name="Réseau de Morlaix", mapping=mapping)
    # No mapping given: the one saved for the source is used (as the upload page does).
    result = lieux_import(data=data, filename="lieux.csv", source_name="Réseau de Morlaix")
    assert (result.created, result.rejected) == (1, 0)
    assert result.run.mapping == ColumnMapping.objects.get()
    assert result.run.counts["valeurs_hors_perimetre"] == 1
    lieu = Lieu.objects.get()
    assert lieu.commune.nom == "Morlaix"
    assert lieu.horaires == "Mo-Fr 09:00-12:00"
    service = lieu.services.get()
    assert set(service.categories.values_list("code", flat=True)) == {
        "outils-numeriques-quotidien",
        "demarches-administratives",
    }
    again = lieux_import(data=data, filename="lieux.csv", source_name="Réseau de Morlaix")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    newer = (HEADER + ROW.replace("01/03/2024", "01/04/2024").replace("Café", "Aide CAF")).encode()
    updated = lieux_import(data=newer, filename="lieux.csv", source_name="Réseau de Morlaix")
    assert updated.updated == 1
    assert updated.run.modifications == [{"id": "A1", "champs": ["date_maj"]}]


@pytest.mark.django_db
def test_a_mapped_xlsx_imports_and_a_merged_one_changes_nothing():
    def workbook(merge):
        book = Workbook()
        sheet = book.active
        sheet.append(HEADER.strip().split(";"))
        sheet.append(ROW.strip().split(";"))
        sheet.append(ROW.strip().replace("A1", "A2").replace("EPN", "Tiers-lieu").split(";"))
        if merge:
            sheet.merge_cells("E2:E3")
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    mapping = Mapping.from_dict(MAPPING)
    with pytest.raises(FileFormatError, match="E2:E3"):
        lieux_import(data=workbook(True), filename="l.xlsx", source_name="X", mapping=mapping)
    assert Lieu.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    result = lieux_import(data=workbook(False), filename="l.xlsx", source_name="X", mapping=mapping)
    assert result.created == 2


@pytest.mark.django_db
def test_a_mapping_naming_absent_columns_is_refused_before_anything_is_written():
    mapping = Mapping.from_dict(MAPPING)
    data = "Réf;Nom;Adresse\nA1;EPN;Place\n".encode()
    with pytest.raises(MappingError, match="absentes du fichier : Nom du lieu, CP"):
        lieux_import(data=data, filename="l.csv", source_name="X", mapping=mapping)
    assert not SourceRecord.objects.exists()


@pytest.mark.django_db
def test_a_commune_without_postal_code_is_found_by_name_in_the_departement():
    mapping = Mapping.from_dict(
        {
            "colonnes": {"id": "i", "nom": "n", "adresse": "a", "commune": "c"},
            "options": {
                "departements": ["29"],
                "valeurs_par_defaut": {"date_maj": "2024-01-01"},
            },
        }
    )
    rows = [{"i": "1", "n": "EPN", "a": "Place des Otages", "c": "Morlaix"}]
    result = lieux_import(
        data=json.dumps(rows).encode(), filename="l.json", source_name="X", mapping=mapping
    )
    assert result.created == 1
    assert Lieu.objects.get().commune.nom == "Morlaix"
    assert Lieu.objects.get().adresse == "Place des Otages"


@pytest.mark.django_db
def test_command_saves_the_mapping_then_reuses_it(tmp_path, capsys):
    data = tmp_path / "lieux.csv"
    data.write_bytes((HEADER + ROW).encode())
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(MAPPING), "utf-8")
    call_command("import_lieux", str(data), source="Morlaix", mapping=str(mapping_file))
    assert "Correspondance enregistrée" in capsys.readouterr().out
    assert ColumnMapping.objects.get(source=Source.objects.get()).colonnes["nom"] == "Nom du lieu"
    call_command("import_lieux", str(data), source="Morlaix")
    assert "1 inchangées" in capsys.readouterr().out
    mapping_file.write_text('{"colonnes": {"nom": "x"}, "options": {"vitesse": 1}}', "utf-8")
    with pytest.raises(CommandError, match="Option « vitesse » inconnue"):
        call_command("import_lieux", str(data), source="Morlaix", mapping=str(mapping_file))


@pytest.mark.django_db
def test_a_services_file_completes_the_lieux_of_another_source():
    lieux_import(
        data=json.dumps(
            [
                {
                    "id": "s1",
                    "nom": "EPN de Morlaix",
                    "adresse": "Place des Otages",
                    "code_postal": "29600",
                    "commune": "Morlaix",
                    "date_maj": "2024-01-01",
                }
            ]
        ).encode(),
        filename="structures.json",
        source_name="Structures",
    )
    column_mapping_save(
        source_name="Services",
        mapping=Mapping.from_dict(
            {
                "colonnes": {"id": "structure_id", "services": "thematiques"},
                "options": {"completer_source": "Structures"},
            }
        ),
    )
    services = [
        {"structure_id": "s1", "thematiques": ["numerique--prendre-en-main-un-ordinateur"]},
        {"structure_id": "s1", "thematiques": ["mobilite", "numerique--acceder-a-du-materiel"]},
        {"structure_id": "inconnue", "thematiques": ["numerique--acceder-a-du-materiel"]},
    ]
    data = json.dumps(services).encode()
    result = lieux_import(data=data, filename="services.json", source_name="Services")
    assert (result.updated, result.rejected, result.ignored_values) == (1, 1, 1)
    assert "Structure absente" in result.errors[0].message
    service = Lieu.objects.get().services.get()
    assert set(service.categories.values_list("code", flat=True)) == {
        "outils-numeriques-quotidien",
        "acces-internet-materiel",
    }
    again = lieux_import(data=data, filename="services.json", source_name="Services")
    assert (again.updated, again.unchanged) == (0, 1)
