"""Imported CSV files are also checked against the official Table Schema with frictionless."""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings

from maillage.directory.imports import read_table
from maillage.directory.imports.schema_check import schema_validate

SCHEMA = Path(settings.LIEUX_SCHEMA_PATH)
EXAMPLE = SCHEMA.parent / "exemple-valide.csv"


@pytest.fixture
def example() -> bytes:
    if not SCHEMA.exists() or not EXAMPLE.exists():
        pytest.skip("../shared/data absent : schéma national indisponible")
    return EXAMPLE.read_bytes()


def test_the_official_example_has_no_error(example):
    assert schema_validate(read_table(example, "exemple.csv"), SCHEMA) == ([], 0)


def test_errors_name_line_field_value_in_french(example):
    rows = list(csv.DictReader(io.StringIO(example.decode("utf-8"))))
    rows[0]["code_postal"] = "ABCDE"  # the schema wants five digits
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    warnings, total = schema_validate(read_table(out.getvalue().encode(), "l.csv"), SCHEMA)
    assert total >= 1
    error = next(w for w in warnings if w.field == "schéma : code_postal")
    assert (error.line, error.value, error.blocking) == (2, "ABCDE", False)
    assert "schéma national" in error.message


def test_an_absent_schema_skips_the_check(tmp_path):
    assert (
        schema_validate(read_table(b"id,nom\n1,EPN\n", "l.csv"), tmp_path / "schema.json") is None
    )
