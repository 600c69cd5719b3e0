"""French opening hours are converted to OpenStreetMap only when there is no doubt."""

import pytest

from maillage.directory.imports.french_hours import format_week, from_day_columns, to_osm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("du lundi au vendredi de 9h à 12h et de 14h à 17h", "Mo-Fr 09:00-12:00,14:00-17:00"),
        ("DU LUNDI AU VENDREDI de 9h à 12h et de 14h à 17h", "Mo-Fr 09:00-12:00,14:00-17:00"),
        (
            "Du lundi au jeudi : 9h-12h 14h-17h Le vendredi : 9h-12h 14h-16h",
            "Mo-Th 09:00-12:00,14:00-17:00; Fr 09:00-12:00,14:00-16:00",
        ),
        (
            "Mardi : 14h-18h\nMercredi : 10h-18h\nSamedi : 9h30-12h / 14h-17h30",
            "Tu 14:00-18:00; We 10:00-18:00; Sa 09:30-12:00,14:00-17:30",
        ),
        ("le samedi de 10h00 à 12h30", "Sa 10:00-12:30"),
    ],
)
def test_unambiguous_french_hours_are_converted(text, expected):
    assert to_osm(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Atelier ouvert sur rendez vous",
        "De 9h00 à 12h00 et de 14h00 à 17h00",  # no day
        "du lundi au vendredi de 9h à 12h. Fermé les jours fériés",
        "lundi - jeudi : 9h-12h",  # a range or two days?
        "du lundi au vendredi de 9h à 12h, le mercredi de 14h à 17h",  # a day twice
        "lundi de 18h à 9h",
        "",
    ],
)
def test_doubtful_texts_are_not_converted(text):
    assert to_osm(text) is None


def test_one_column_per_day():
    columns = {
        "Mo": "09:00 - 12:00 / 13:30 - 17:00",
        "Tu": "09:00 - 12:00 / 13:30 - 17:00",
        "We": "-",
        "Th": "13:30 - 17:00",
        "Fr": "",
    }
    assert from_day_columns(columns) == "Mo,Tu 09:00-12:00,13:30-17:00; Th 13:30-17:00"
    assert from_day_columns({"Mo": "09:00-12:30-13:30-17:00"}) is None
    assert from_day_columns({"Mo": ""}) == ""


def test_week_groups_consecutive_identical_days():
    spans = ["09:00-12:00"]
    assert (
        format_week({0: spans, 1: spans, 2: spans, 4: spans}) == "Mo-We 09:00-12:00; Fr 09:00-12:00"
    )
