"""Reading any tabular file (CSV, XLSX, JSON, GeoJSON) before a column mapping applies."""

import io
import json

import pytest
from openpyxl import Workbook

from maillage.directory.imports import FileFormatError, read_table

CSV = "nom;commune;services\nEPN de Morlaix;Morlaix;Atelier / Accès\nMédiathèque;Brest;Accès\n"


def _xlsx(rows, merge=None, title="Lieux"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        CSV.encode("utf-8"),
        b"\xef\xbb\xbf" + CSV.encode("utf-8"),
        CSV.encode("cp1252"),
        CSV.replace(";", ",").encode("utf-8"),
    ],
    ids=["utf-8", "utf-8 BOM", "cp1252", "virgule"],
)
def test_csv_in_every_encoding_and_separator_gives_the_same_rows(data):
    table = read_table(data, "lieux.csv")
    assert table.columns == ["nom", "commune", "services"]
    assert [line for line, _ in table.rows] == [2, 3]
    assert table.rows[0][1]["nom"] == "EPN de Morlaix"
    assert table.rows[1][1]["nom"] == "Médiathèque"


def test_encoding_and_separator_can_be_forced():
    data = "nom|commune\nÉcole|Brest\n".encode("cp1252")
    table = read_table(data, "x.txt", encoding="cp1252", separator="|")
    assert table.rows == [(2, {"nom": "École", "commune": "Brest"})]


def test_json_records_under_a_path_and_geojson_points():
    nested = {"data": {"lieux": [{"nom": "A"}, {"nom": "B", "x": 1}]}}
    table = read_table(json.dumps(nested).encode(), "f.json", records_path="data.lieux")
    assert table.columns == ["nom", "x"]
    assert [row["nom"] for _, row in table.rows] == ["A", "B"]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-3.83, 48.58]},
                "properties": {"nom": "EPN"},
            }
        ],
    }
    table = read_table(json.dumps(geojson).encode(), "f.geojson")
    assert table.rows == [(1, {"nom": "EPN", "longitude": -3.83, "latitude": 48.58})]


def test_a_missing_records_path_is_refused():
    with pytest.raises(FileFormatError, match="Chemin des enregistrements « data.lieux »"):
        read_table(b'{"data": {}}', "f.json", records_path="data.lieux")


def test_xlsx_rows_with_their_line_numbers():
    data = _xlsx([["nom", "commune"], ["EPN", "Morlaix"], [None, None], ["Café", "Brest"]])
    table = read_table(data, "lieux.xlsx")
    assert table.kind == "xlsx"
    assert table.rows == [
        (2, {"nom": "EPN", "commune": "Morlaix"}),
        (4, {"nom": "Café", "commune": "Brest"}),
    ]


def test_xlsx_with_merged_cells_in_the_data_is_refused_naming_the_cells():
    data = _xlsx([["nom", "commune"], ["EPN", "Morlaix"], ["Café", None]], merge="B2:B3")
    with pytest.raises(FileFormatError, match=r"Cellules fusionnées .* B2:B3"):
        read_table(data, "lieux.xlsx")


def test_xlsx_unknown_sheet_is_refused():
    data = _xlsx([["nom"], ["EPN"]])
    with pytest.raises(FileFormatError, match="Feuille « Autre » absente .*Lieux"):
        read_table(data, "lieux.xlsx", sheet="Autre")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (_xlsx([["nom"], ["EPN"]])[:300], "lieux.xlsx", "Classeur XLSX illisible"),
        (b'[{"nom": "EPN"}, {"nom": "Caf', "lieux.json", "JSON illisible"),
        (b"\x00\x01\x02binary\x00", "lieux.csv", "binaire"),
        (b"", "lieux.csv", "vide"),
        (b'nom,commune\n"EPN,Morlaix\n', "lieux.csv", "CSV illisible|plus de valeurs"),
    ],
    ids=["xlsx tronqué", "json tronqué", "binaire", "vide", "csv tronqué"],
)
def test_unreadable_files_are_refused_in_french(data, filename, message):
    with pytest.raises(FileFormatError, match=message):
        read_table(data, filename)
