"""Reading lieux files of every generation of the national standard (no database)."""

import json

import pytest

from maillage.directory.imports import lambert93
from maillage.directory.imports import standard as std

LABELS = {
    "aide aux demarches administratives": "demarches-administratives",
    "maitrise des outils numeriques du quotidien": "outils-numeriques-quotidien",
    "comprehension du monde numerique": "culture-numerique",
}
V1_HEADER = "id,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services,frais_a_charge"


def _records(data: bytes, filename: str = "lieux.csv"):
    out = []
    for line, row in std.read_rows(data, filename):
        out.append((line, *std.normalize_row(line, row, LABELS)))
    return out


def test_v1_csv_with_pipes():
    data = (
        V1_HEADER
        + "\nl1,Médiathèque,Morlaix,29600,Place des Otages,48.57,-3.82,2024-04-02,"
        + '"Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",'
        + "Gratuit sous condition|Payant\n"
    ).encode()
    [(line, record, errors)] = _records(data)
    assert line == 2 and errors == []
    assert record.categories == ["demarches-administratives", "outils-numeriques-quotidien"]
    assert record.frais == ["Gratuit sous condition", "Payant"]


def test_v01_semicolon_csv_in_cp1252_with_legacy_columns():
    """Standard v0.1: `;` separated values, `conditions_acces`, Windows encoding."""
    text = (
        "id;nom;commune;code_postal;adresse;date_maj;services;conditions_acces;courriel\n"
        "a;Espace numérique;Brest;29200;1 rue de Siam;22/02/2023;"
        "Prendre en main un ordinateur, Approfondir ma culture numérique;"
        "Gratuit : je peux accéder gratuitement;contact@brest.fr\n"
    )
    [(_, record, errors)] = _records(text.encode("cp1252"))
    assert not [e for e in errors if e.blocking]
    assert record.nom == "Espace numérique"
    assert record.categories == ["outils-numeriques-quotidien", "culture-numerique"]
    assert record.frais == ["Gratuit"]
    assert record.courriels == ["contact@brest.fr"]
    assert record.date_maj.isoformat() == "2023-02-22"


def test_prestandard_json_with_comma_joined_values_and_bom():
    rows = [
        {
            "id": "x1",
            "nom": "Lieu",
            "commune": "Reims",
            "code_postal": "51100",
            "adresse": "1 rue",
            "date_maj": "2022-05-09",
            "services": "Prendre en main un ordinateur, Utiliser le numérique au quotidien",
            "pivot": "00000000000000",
            "conditions_access": "Gratuit",
        }
    ]
    data = b"\xef\xbb\xbf" + json.dumps(rows).encode()
    [(number, record, _)] = _records(data, "lieux.json")
    assert number == 1
    assert record.categories == ["outils-numeriques-quotidien"]
    assert record.pivot == ""  # the SIRET placeholder means "unknown"


def test_data_inclusion_slugs_map_to_the_taxonomy():
    row = {"id": "1", "nom": "n", "adresse": "a", "code_postal": "29600", "date_maj": "2024-01-01"}
    row["services"] = "numerique--prendre-en-main-un-ordinateur"
    record, _ = std.normalize_row(1, row, LABELS)
    assert record.categories == ["outils-numeriques-quotidien"]


def test_bad_rows_are_reported_with_line_field_and_french_message():
    data = (
        V1_HEADER + "\n,Sans id,Morlaix,29600,rue,,,2024-01-01,,\n"
        "b,Sans date,Morlaix,296,rue,,,,,\n"
    ).encode()
    results = _records(data)
    (line1, rec1, err1), (line2, rec2, err2) = results
    assert rec1 is None and rec2 is None
    assert (line1, err1[0].field) == (2, "id")
    assert {e.field for e in err2} == {"code_postal", "date_maj"}
    assert all(e.message[0].isupper() for e in err1 + err2)


def test_four_digit_postal_code_gets_its_zero_back():
    row = {"id": "1", "nom": "n", "adresse": "a", "code_postal": "1000", "date_maj": "2024-01-01"}
    record, errors = std.normalize_row(3, row, LABELS)
    assert record.code_postal == "01000"
    assert errors and not errors[0].blocking


def test_lambert93_coordinates_are_not_taken_for_degrees_but_converted_and_reported():
    row = {"id": "1", "nom": "n", "adresse": "a", "code_postal": "29600", "date_maj": "2024-01-01"}
    x, y = lambert93.from_wgs84(48.5776, -3.8283)
    record, errors = std.normalize_row(3, {**row, "latitude": y, "longitude": x}, {})
    assert (record.latitude, record.longitude) == (
        pytest.approx(48.5776, abs=1e-6),
        pytest.approx(-3.8283, abs=1e-6),
    )
    assert "Lambert-93" in errors[0].message and not errors[0].blocking
    record, errors = std.normalize_row(3, {**row, "latitude": 123_456, "longitude": 789}, {})
    assert record.latitude is None and "aucune projection reconnue" in errors[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"id": "1", "nom": "a", "adresse": "b", "commune": "c"', "tronqué"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binaire"),
        (b"PK\x03\x04rest-of-a-zip", "classeur"),
        (b"nom_du_lieu,ville\nA,B\n", "Colonnes obligatoires absentes"),
        (b'{"lieux": 3}', "liste d'objets"),
    ],
)
def test_unreadable_files_raise_one_clear_error(data, message):
    with pytest.raises(std.FileFormatError, match=message):
        list(std.read_rows(data, "fichier.json" if data.startswith(b"[") else "fichier"))


def test_place_keeps_fixes_or_rejects_points():
    bbox = (-3.9, 48.5, -3.7, 48.7)  # around Morlaix
    assert std.place(48.6, -3.8, bbox) == (48.6, -3.8, "ok")
    assert std.place(-3.8, 48.6, bbox) == (48.6, -3.8, "inversees")
    assert std.place(43.5, 5.4, bbox)[2] == "hors_commune"
    assert std.place(None, None, bbox)[2] == "absentes"


def test_script_urls_are_dropped_with_a_warning_and_web_urls_kept():
    row = {
        "id": "1",
        "nom": "n",
        "adresse": "a",
        "code_postal": "29600",
        "date_maj": "2024-01-01",
        "site_web": "javascript:alert(1)|https://www.morlaix.fr/",
        "prise_rdv": "data:text/html,<script>alert(1)</script>",
        "fiche_acces_libre": "vbscript:msgbox(1)",
    }
    record, errors = std.normalize_row(4, row, LABELS)
    assert record.sites_web == ["https://www.morlaix.fr/"]
    assert record.prise_rdv == "" and record.fiche_acces_libre == ""
    warned = {e.field for e in errors if not e.blocking and "http" in e.message}
    assert warned == {"site_web", "prise_rdv", "fiche_acces_libre"}
    assert all(e.line == 4 for e in errors)
