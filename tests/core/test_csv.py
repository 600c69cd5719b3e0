"""The site's CSV files: French spreadsheet format, formulas neutralised, numbers intact."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from maillage.core.csv import csv_bytes, csv_cell, csv_response, filename


def read(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x")',
        "+33 6 12 34 56 78",
        "-2+3",
        "@SUM(A1)",
        "\tcommande",
        "\rretour",
        "-5",  # typed by someone: text, so neutralised like any text
    ],
)
def test_text_starting_like_a_formula_is_prefixed_with_a_quote(text):
    """Every text cell starting with = + - @ tab or CR gets a leading `'`."""
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (-3, "-3"),
        (-1.5, "-1,5"),
        (-0.1234567, "-0,1235"),
        (12.5, "12,5"),
        (2.0, "2"),
        (0, "0"),
        (np.float64(-4.25), "-4,25"),
        (np.int64(-7), "-7"),
        (Decimal("-2.50"), "-2,50"),
        (True, "oui"),
        (False, "non"),
        (None, ""),
        (date(2026, 3, 2), "2026-03-02"),
        ("Morlaix", "Morlaix"),
        ("a=b", "a=b"),
        ("Saint-Pol-de-Léon", "Saint-Pol-de-Léon"),
    ],
)
def test_numbers_and_plain_text_are_written_as_they_are(value, written):
    """A number we format — negative ones included — is data, never a formula: no quote.
    Text that does not start like a formula is untouched."""
    assert csv_cell(value) == written


def test_file_has_a_bom_semicolons_crlf_and_neutralised_cells():
    """UTF-8 with a byte-order mark, `;` between cells, CRLF line ends; the header goes
    through the same rule."""
    data = csv_bytes(["code", "valeur"], [["=1+1", -2.5], ["29151", 3]])
    assert data.startswith("\ufeffcode;valeur\r\n".encode())
    assert read(data) == [["code", "valeur"], ["'=1+1", "-2,5"], ["29151", "3"]]


def test_response_is_a_named_download():
    response = csv_response("maillage-essai.csv", ["a"], [["@x"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="maillage-essai.csv"'
    assert read(response.content) == [["a"], ["'@x"]]


def test_filename_slugifies_codes_and_dates():
    name = filename(
        "pays-de-morlaix", "distance-plus-proche:fablab", date(2026, 1, 5), "", extension="csv"
    )
    assert name == "maillage-pays-de-morlaix-distance-plus-proche-fablab-2026-01-05.csv"
