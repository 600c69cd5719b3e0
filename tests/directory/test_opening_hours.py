"""The OpenStreetMap opening_hours subset of the national standard."""

from datetime import datetime
from zoneinfo import ZoneInfo

from maillage.directory.opening_hours import parse

PARIS = ZoneInfo("Europe/Paris")


def test_week_table_in_french():
    week = parse("Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00")
    table = dict(week.table())
    assert table["Lundi"] == "08:30 – 12:00, 13:30 – 17:00"
    assert table["Samedi"] == "09:00 – 12:00"
    assert table["Dimanche"] == "Fermé"


def test_open_now_follows_days_and_spans():
    week = parse("Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00")
    assert week.is_open(datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)) is True  # Monday morning
    assert week.is_open(datetime(2026, 11, 23, 12, 30, tzinfo=PARIS)) is False  # lunch
    assert week.is_open(datetime(2026, 11, 28, 11, 59, tzinfo=PARIS)) is True  # Saturday
    assert week.is_open(datetime(2026, 11, 29, 10, 0, tzinfo=PARIS)) is False  # Sunday


def test_later_rules_replace_earlier_days_and_off():
    week = parse("Mo-Fr 09:00-17:00; We off; Tu 14:00-18:00")
    table = dict(week.table())
    assert table["Mercredi"] == "Fermé"
    assert table["Mardi"] == "14:00 – 18:00"


def test_lists_wrapping_ranges_and_24_7():
    assert dict(parse("Mo,We,Fr 10:00-12:00").table())["Mercredi"] == "10:00 – 12:00"
    assert dict(parse("Sa-Mo 10:00-12:00").table())["Dimanche"] == "10:00 – 12:00"
    assert parse("24/7").is_open(datetime(2026, 11, 29, 3, 0, tzinfo=PARIS)) is True


def test_unknown_text_says_unknown_rather_than_closed():
    assert parse("sur rendez-vous").is_open(datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)) is None
    assert parse("").is_open(datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)) is None
    partial = parse("Mo 09:00-12:00; PH off")
    assert partial.complete is False
    assert partial.is_open(datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)) is True
