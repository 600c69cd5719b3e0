"""Open-data exports of the directory, checked against the national schema with frictionless."""

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from maillage.directory import opendata
from maillage.directory.imports.lieux import lieux_import

SCHEMA = Path(settings.SHARED_DIR) / "data/lamednum-standard-mediation-num/schema.json"
REAL_FILES = [
    "anct-client-application/20230711-charente-lieux-de-mediation-numeriques-nouvelle-aquitaine.json",
    "anct-client-application/lieux-de-mediation-numerique.cnfs.json",
    "lamednum-standard-mediation-num/exemple-valide.csv",
]


def _validate(tmp_path, text: str, name: str):
    if not SCHEMA.exists():
        pytest.skip("../shared/data absent : schéma national indisponible pour la validation")
    from frictionless import Resource, Schema, validate

    (tmp_path / name).write_text(text, encoding="utf-8")
    schema = Schema.from_descriptor(json.loads(SCHEMA.read_text()))
    report = validate(Resource(path=name, basepath=str(tmp_path), schema=schema))
    errors = [e.message for task in report.tasks for e in task.errors]
    return report.valid, errors


def _lieu(**extra) -> opendata.LieuExport:
    values = dict(
        id="maillage-lieu-1",
        pivot="00000000000000",
        nom="Médiathèque",
        commune="Morlaix",
        code_postal="29600",
        code_insee="29151",
        adresse="Place des Otages",
        latitude=48.5776,
        longitude=-3.8283,
        date_maj=date(2024, 4, 2),
    )
    values.update(extra)
    return opendata.LieuExport(**values)


def test_row_keeps_only_what_the_schema_accepts():
    row = opendata.to_row(
        _lieu(
            pivot="W123",
            telephone="02 98 63 10 10",
            services=["Aide aux démarches administratives", "Créer mon entreprise"],
            dispositifs=["CNFS", "France Services", "Inconnu"],
            formations_labels=["Étapes numériques (La Poste)", "Label local"],
            frais=["gratuit", "payant"],
            presentation_resume="mot " * 100,
        )
    )
    assert row["pivot"] == "00000000000000"
    assert row["telephone"] == "+33298631010"
    assert row["services"] == "Aide aux démarches administratives"
    assert row["dispositif_programmes_nationaux"] == "Conseillers numériques|France Services"
    assert row["formations_labels"] == "Étapes numériques(La Poste)"
    assert row["autres_formations_labels"] == "Label local"
    assert row["frais_a_charge"] == "Gratuit|Payant"
    assert len(row["presentation_resume"]) <= 280
    assert row["itinerance"] == "Fixe"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0298631010", "+33298631010"), ("+590 590 80 00 16", "+590590800016"), ("12", "")],
)
def test_phone_numbers_follow_the_schema(raw, expected):
    assert opendata.phone_e164(raw) == expected


def test_hand_made_rows_validate(tmp_path):
    rows = [opendata.to_row(_lieu(id=f"l{i}", telephone="0298631010")) for i in range(3)]
    valid, errors = _validate(tmp_path, opendata.write_csv(rows), "lieux.csv")
    assert valid, errors


@pytest.mark.django_db
def test_exports_of_imported_real_files_validate_with_zero_errors(tmp_path):
    data_dir = SCHEMA.parents[1]
    if not data_dir.exists():
        pytest.skip("../shared/data absent")
    created = merged = 0
    for path in REAL_FILES:
        file = data_dir / path
        result = lieux_import(data=file.read_bytes(), filename=file.name, source_name=path)
        created += result.created
        merged += result.run.counts["fusionnes"]
    out = tmp_path / "export.csv"
    call_command("export_lieux", format="csv", output=str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    # The Charente file and the national CNFS file share some places: merged, not doubled.
    assert merged > 0
    assert len(rows) == created - merged
    valid, errors = _validate(tmp_path, out.read_text(), "export.csv")
    assert valid, errors[:5]

    call_command("export_lieux", format="geojson", territoire="nouvelle-aquitaine", output=str(out))
    geojson = json.loads(out.read_text())
    assert geojson["type"] == "FeatureCollection"
    charente = [f for f in geojson["features"] if f["properties"]["code_postal"].startswith("16")]
    assert len(charente) >= 180
    assert all(
        f["properties"]["code_postal"][:2]
        in {"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"}
        for f in geojson["features"]
    )


@pytest.mark.django_db
def test_opendata_urls_serve_the_exports(client):
    lieux_import(
        data=json.dumps(
            [
                {
                    "id": "1",
                    "nom": "Lieu",
                    "commune": "Morlaix",
                    "code_postal": "29600",
                    "adresse": "Place des Otages",
                    "date_maj": "2024-01-01",
                }
            ]
        ).encode(),
        filename="l.json",
        source_name="test",
    )
    response = client.get("/opendata/lieux.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Place des Otages" in response.content.decode()
    assert client.get("/opendata/lieux.json?territoire=pays-de-morlaix").json()[0]["nom"] == "Lieu"
    assert client.get("/opendata/lieux.json?territoire=pays-de-lorient").json() == []
    assert client.get("/opendata/lieux.xml").status_code == 404
