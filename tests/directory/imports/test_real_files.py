"""Importing the real files of ../shared/data, one per generation of the national standard.

Expected figures (rows, created, rejected) are documented in docs/directory.md; a second
import of the same file changes nothing.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from maillage.directory.imports.lieux import lieux_import
from maillage.directory.imports.mapping import mapping_load
from maillage.directory.models import Lieu
from maillage.directory.services import column_mapping_save

pytestmark = pytest.mark.django_db
DATA = Path(settings.SHARED_DIR) / "data"
#: Above this many rows a real file is imported on SQLite only. The counts come from the
#: Python import code, not from the database; PostgreSQL still imports every smaller real
#: file and every hand-made one. This keeps CI, which runs the suite on both, within budget.
LARGE_FILE_ROWS = 500


def skip_large_file_on_postgresql(rows: int) -> None:
    if connection.vendor == "postgresql" and rows > LARGE_FILE_ROWS:
        pytest.skip(
            f"fichier réel de {rows} lignes importé sur SQLite seulement (budget de la CI) ; "
            "les décomptes ne dépendent pas de la base"
        )


# (file, generation, rows, created, rejected)
FILES = [
    ("lamednum-standard-mediation-num/exemple-valide.csv", "v1.0.2 CSV", 1, 1, 0),
    ("lamednum-standard-mediation-num/v0.1.1/exemple-valide.csv", "v0.1.1 CSV", 1, 1, 0),
    (
        "anct-client-application/v0-original/"
        "20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
        "v0.1 JSON ';'",
        188,
        188,
        0,
    ),
    (
        "anct-client-application/"
        "20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
        "migration v1 JSON '|'",
        188,
        188,
        0,
    ),
    (
        "anct-client-application/lieux-de-mediation-numerique.cnfs.json",
        "2022 JSON ', '",
        2733,
        2730,
        3,
    ),
    (
        "anct-client-application/lieux-de-mediation-numerique.back.json",
        "2022 JSON, ids répétés",
        398,
        396,
        2,
    ),
    (
        "anct-client-application/"
        "20240320-nouvelle-caledonie-lieux-de-mediation-numeriques-nouvelle-caledonie.json",
        "v1, hors référentiel",
        90,
        0,
        90,
    ),
]


@pytest.mark.parametrize(("path", "generation", "rows", "created", "rejected"), FILES)
def test_real_file_imports_with_documented_counts_twice(path, generation, rows, created, rejected):
    file = DATA / path
    if not file.exists():
        pytest.skip(f"{file} absent (../shared/data non disponible)")
    skip_large_file_on_postgresql(rows)
    data = file.read_bytes()
    first = lieux_import(data=data, filename=file.name, source_name=generation)
    assert first.run.counts["lignes"] == rows
    assert (first.created, first.rejected) == (created, rejected)
    assert all(e.message for e in first.errors)
    lieux = Lieu.objects.count()
    second = lieux_import(data=data, filename=file.name, source_name=generation)
    assert (second.created, second.updated, second.unchanged) == (0, 0, created)
    assert Lieu.objects.count() == lieux


# Files that need a column mapping (shipped in maillage/directory/data/mappings), or none for
# the data·inclusion structures: (file, mapping, rows, created, rejected, grouped, out of scope)
MAPPED_FILES = [
    ("anct-mednum-cli/input/gironde.json", "gironde", 347, 347, 0, 0, 0),
    ("anct-mednum-cli/input/haute-vienne.json", "haute-vienne", 561, 151, 53, 357, 188),
    ("anct-mednum-cli/input/hub-lo.json", "hub-lo", 426, 425, 1, 0, 432),
    (
        "anct-carto-france-services/liste-fs-20240801.csv",
        "france-services-2024",
        2845,
        2841,
        4,
        0,
        0,
    ),
    ("anct-mednum-cli/input/liste-fs-20221201.csv", "france-services-2022", 2683, 2654, 29, 0, 0),
    ("anct-mednum-cli/input/data-inclusion.json", None, 3811, 3792, 19, None, None),
]


@pytest.mark.parametrize(
    ("path", "mapping", "rows", "created", "rejected", "grouped", "out_of_scope"), MAPPED_FILES
)
def test_mapped_real_file_imports_with_documented_counts_twice(
    path, mapping, rows, created, rejected, grouped, out_of_scope
):
    file = DATA / path
    if not file.exists():
        pytest.skip(f"{file} absent (../shared/data non disponible)")
    skip_large_file_on_postgresql(rows)
    source = f"réel {path}"
    if mapping:
        # Saved once for the source, then picked up by every import of that source.
        column_mapping_save(source_name=source, mapping=mapping_load(mapping))
    data = file.read_bytes()
    first = lieux_import(data=data, filename=file.name, source_name=source)
    counts = first.run.counts
    assert (counts["lignes"], first.created, first.rejected) == (rows, created, rejected)
    assert counts.get("lignes_regroupees") == grouped
    assert counts.get("valeurs_hors_perimetre") == out_of_scope
    assert all(e.message and e.line for e in first.errors)
    second = lieux_import(data=data, filename=file.name, source_name=source)
    assert (second.created, second.updated, second.unchanged) == (0, 0, created)


def test_france_services_hours_become_opening_hours():
    file = DATA / "anct-carto-france-services/liste-fs-20240801.csv"
    if not file.exists():
        pytest.skip(f"{file} absent (../shared/data non disponible)")
    head = b"".join(file.read_bytes().splitlines(keepends=True)[:3])
    column_mapping_save(source_name="FS", mapping=mapping_load("france-services-2024"))
    lieux_import(data=head, filename=file.name, source_name="FS")
    lieu = Lieu.objects.get(nom="France services de Valserhône")
    assert lieu.horaires == (
        "Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00"
    )
    assert lieu.services.get().categories.get().code == "demarches-administratives"


def test_data_inclusion_services_complete_the_structures_imported_before():
    structures = DATA / "anct-mednum-cli/input/data-inclusion.json"
    services = DATA / "anct-mednum-cli/input/data-inclusion-services.json"
    if not structures.exists() or not services.exists():
        pytest.skip("fichiers data·inclusion absents (../shared/data non disponible)")
    skip_large_file_on_postgresql(3811)  # rows of data-inclusion.json (MAPPED_FILES)
    lieux_import(
        data=structures.read_bytes(), filename=structures.name, source_name="data-inclusion"
    )
    column_mapping_save(
        source_name="data-inclusion-services", mapping=mapping_load("data-inclusion-services")
    )
    data = services.read_bytes()
    first = lieux_import(data=data, filename=services.name, source_name="data-inclusion-services")
    counts = first.run.counts
    # The structures file already lists its services' categories: nothing is added, the
    # 621 services of 169 known structures agree with it; the others name structures that
    # file does not hold.
    assert (counts["lignes"], counts["modifies"], counts["inchanges"], counts["rejetes"]) == (
        4261,
        0,
        169,
        3640,
    )
    assert counts["valeurs_hors_perimetre"] == 1041
    second = lieux_import(data=data, filename=services.name, source_name="data-inclusion-services")
    assert (second.updated, second.rejected) == (0, first.rejected)


# Raw partner files read through the mappings shipped for them (docs/directory.md, « Autres
# fichiers réels »): (file, mapping, rows, created, rejected, placed at the mairie). The CnFS
# structures of 2021 (1 450 rows, ≈ 15 s) and bfc-ternum (plain renaming, ≈ 9 s) stay in the
# documented table only, to keep CI short.
OTHER_MAPPED_FILES = [
    ("anct-mednum-cli/input/etapes-numerique.json", "etapes-numerique", 95, 95, 0, 0),
    ("bzh-fablab/map_bzh_fablab.geojson", "bzh-fablab", 121, 116, 5, 0),
    (
        "anct-carto-france-services-2020/france_services.geojson",
        "france-services-2020",
        908,
        906,
        2,
        9,
    ),
    ("anct-mednum-cli/input/aix-en-provence.json", "aix-en-provence", 38, 38, 0, 0),
    ("anct-mednum-cli/input/la-creuse.json", "la-creuse", 91, 89, 2, 2),
    ("anct-mednum-cli/input/mulhouse.json", "mulhouse", 55, 55, 0, 55),
    ("anct-mednum-cli/input/paca.json", "paca", 1245, 1239, 6, 21),
]


@pytest.mark.parametrize(
    ("path", "mapping", "rows", "created", "rejected", "approximate"), OTHER_MAPPED_FILES
)
def test_other_raw_files_import_through_their_mapping_twice(
    path, mapping, rows, created, rejected, approximate
):
    file = DATA / path
    if not file.exists():
        pytest.skip(f"{file} absent (../shared/data non disponible)")
    skip_large_file_on_postgresql(rows)
    source = f"réel {path}"
    data = file.read_bytes()
    first = lieux_import(
        data=data, filename=file.name, source_name=source, mapping=mapping_load(mapping)
    )
    assert (first.run.counts["lignes"], first.created, first.rejected) == (rows, created, rejected)
    assert first.approximate == approximate
    assert all(e.message and e.line for e in first.errors)
    second = lieux_import(
        data=data, filename=file.name, source_name=source, mapping=mapping_load(mapping)
    )
    assert (second.created, second.updated, second.unchanged) == (0, 0, created)


# Raw partner files that needed the newer mapping options (row filter, Lambert-93, flag
# columns, nested fields): (file, mapping, rows, created, rejected, ignored by the filter,
# approximate). Each is imported once; the no-op second import is checked on the smallest.
# conumm.json is byte for byte angers.json; the Aidants Connect lists and the CnFS
# structures of 2023 (3 400 to 5 200 rows, ≈ 1 min each) are in the documented table only.
NEWER_MAPPED_FILES = [
    ("anct-client-application/legacy-resin-2022/structures.json", "resin-2022", 7, 7, 0, 0, 0),
    ("anct-mednum-cli/input/angers.json", "angers", 63, 63, 0, 0, 0),
    ("anct-mednum-cli/input/epernay.json", "epernay", 39, 37, 2, 0, 0),
    ("anct-mednum-cli/input/maine-et-loire.json", "maine-et-loire", 243, 222, 3, 18, 1),
]


@pytest.mark.parametrize(
    ("path", "mapping", "rows", "created", "rejected", "ignored", "approximate"),
    NEWER_MAPPED_FILES,
)
def test_raw_files_with_filters_projections_and_nested_fields_import(
    path, mapping, rows, created, rejected, ignored, approximate
):
    file = DATA / path
    if not file.exists():
        pytest.skip(f"{file} absent (../shared/data non disponible)")
    skip_large_file_on_postgresql(rows)
    data = file.read_bytes()
    source = f"réel {path}"
    first = lieux_import(
        data=data, filename=file.name, source_name=source, mapping=mapping_load(mapping)
    )
    counts = first.run.counts
    assert (counts["lignes"], first.created, first.rejected) == (rows, created, rejected)
    assert counts.get("lignes_ignorees", 0) == ignored
    assert first.approximate == approximate
    assert all(e.message and e.line for e in first.errors)
    if mapping == "maine-et-loire":
        # Lambert-93 metres with a decimal comma, converted: the lieux are in Maine-et-Loire.
        assert counts["coordonnees_lambert93"] == 225
        lieux = Lieu.objects.filter(source_records__source=first.run.source)
        assert all(46.9 < lieu.latitude < 47.9 and -1.4 < lieu.longitude < 0.3 for lieu in lieux)
    if mapping == "resin-2022":
        second = lieux_import(
            data=data, filename=file.name, source_name=source, mapping=mapping_load(mapping)
        )
        assert (second.created, second.updated, second.unchanged) == (0, 0, created)
