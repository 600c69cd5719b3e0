"""The site's CSV files: French spreadsheet format, formulas neutralised, numbers intact."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from maillage.core.csv import csv_bytes, csv_cell, csv_response, filename, neutralise


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


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Fablab de Morlaix", "Fablab de Morlaix"),
        ("moins de 5", "moins de 5"),
        ("", ""),
    ],
)
def test_each_formula_start_is_neutralised(text, written):
    assert neutralise(text) == written
    assert csv_cell(text) == written


def test_numbers_and_booleans_in_french():
    assert [csv_cell(v) for v in (-3, 2.5, -0.25, 4.0, None, True)] == [
        "-3",
        "2,5",
        "-0,25",
        "4",
        "",
        "oui",
    ]


def test_a_statistics_download_is_a_french_spreadsheet():
    response = csv_response(
        filename("mises-en-relation", "statistiques", extension="csv"),
        ["libelle", "total"],
        [["=1+1", 7], ["Fablab", 2.5]],
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="maillage-mises-en-relation-statistiques.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows == [["libelle", "total"], ["'=1+1", "7"], ["Fablab", "2,5"]]
