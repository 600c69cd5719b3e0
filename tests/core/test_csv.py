"""CSV files for spreadsheets: French numbers, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest

from maillage.core.csv import cell, csv_response, filename, neutralise


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
def test_text_that_starts_like_a_formula_is_neutralised(text, written):
    assert neutralise(text) == written
    assert cell(text) == written


def test_numbers_stay_numbers_in_french():
    assert [cell(v) for v in (-3, 2.5, -0.25, 4.0, None, True)] == [
        "-3",
        "2,5",
        "-0,25",
        "4",
        "",
        "oui",
    ]


def test_the_response_is_a_french_spreadsheet_with_a_bom():
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
