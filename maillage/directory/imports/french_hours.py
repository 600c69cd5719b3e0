"""Opening hours written in French → OpenStreetMap `opening_hours`, only when unambiguous.

"du lundi au vendredi de 9h à 12h et de 14h à 17h" becomes "Mo-Fr 09:00-12:00,14:00-17:00".
A text holding anything else (holidays, "sur rendez-vous", a day named twice, hours with no
day) is not converted: the caller keeps it as a note. Pure module, no ORM.
"""

from __future__ import annotations

import re
import unicodedata

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = {
    "Mo": "lundi",
    "Tu": "mardi",
    "We": "mercredi",
    "Th": "jeudi",
    "Fr": "vendredi",
    "Sa": "samedi",
    "Su": "dimanche",
}
_FRENCH_DAYS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
_DAY = r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
_TIME = r"(\d{1,2})\s*(?:h|:)(\d{2})?"
_TOKEN = re.compile(
    rf"(?P<range>(?:du\s+|de\s+)?{_DAY}\s+(?:au|a)\s+{_DAY})"
    rf"|(?P<span>(?:de\s+)?{_TIME}\s*(?:a|-|/)\s*{_TIME})"
    rf"|(?P<day>{_DAY})"
    r"|(?P<filler>\s+|\bet\b|\ble\b|\bles\b|[:,;./]|-)"
)
# "lundi - jeudi" is a range for some, a list of two days for others.
_DAY_DASH_DAY = re.compile(rf"{_DAY}\s*-\s*{_DAY}")
_COLUMN_SPAN = re.compile(r"^(\d{1,2})[:h](\d{2})\s*-\s*(\d{1,2})[:h](\d{2})$")


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("\u2013", "-")


def _hhmm(hours: str, minutes: str | None) -> str | None:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return f"{h:02d}:{m:02d}"


def to_osm(text: str) -> str | None:
    """The OSM form of a French opening-hours text, or None when it cannot be read safely."""
    plain = _plain(text).strip()
    if not plain or _DAY_DASH_DAY.search(plain):
        return None
    week: dict[int, list[str]] = {}
    days: list[int] = []
    spans: list[str] = []

    def flush() -> bool:
        if not days or not spans:
            return False
        for day in days:
            if day in week:  # named twice: added to or replaced? Do not guess.
                return False
            week[day] = list(spans)
        return True

    position = 0
    while position < len(plain):
        match = _TOKEN.match(plain, position)
        if match is None:
            return None
        position = match.end()
        if match.group("filler") is not None:
            continue
        if match.group("span") is not None:
            _, h1, m1, h2, m2 = match.groups()[3:8]
            start, end = _hhmm(h1, m1), _hhmm(h2, m2)
            if start is None or end is None or start >= end:
                return None
            spans.append(f"{start}-{end}")
            continue
        if spans:
            if not flush():
                return None
            days, spans = [], []
        if match.group("range") is not None:
            first, last = _FRENCH_DAYS[match.group(2)], _FRENCH_DAYS[match.group(3)]
            if last < first:
                return None
            days.extend(range(first, last + 1))
        else:
            days.append(_FRENCH_DAYS[match.group(10)])
    if not flush():
        return None
    return format_week(week)


def from_day_columns(values: dict[str, str]) -> str | None:
    """OSM hours from one column per day ("09:00 - 12:00 / 13:30 - 17:00"); "" if all empty.

    An empty day is closed; None when a day's text is not a list of time spans.
    """
    week: dict[int, list[str]] = {}
    for day, text in values.items():
        text = text.strip()
        if text in ("", "-"):
            continue
        spans = []
        for part in text.split("/"):
            match = _COLUMN_SPAN.match(part.strip())
            if match is None:
                return None
            start, end = _hhmm(*match.group(1, 2)), _hhmm(*match.group(3, 4))
            if start is None or end is None or start >= end:
                return None
            spans.append(f"{start}-{end}")
        week[DAYS.index(day)] = spans
    return format_week(week)


def format_week(week: dict[int, list[str]]) -> str:
    """Consecutive days with the same spans grouped: "Mo-Fr 09:00-12:00; Sa 10:00-12:00"."""
    rules: list[str] = []
    day = 0
    while day < 7:
        if day not in week:
            day += 1
            continue
        last = day
        while last + 1 < 7 and week.get(last + 1) == week[day]:
            last += 1
        label = DAYS[day] if last == day else f"{DAYS[day]}-{DAYS[last]}"
        if last == day + 1:
            label = f"{DAYS[day]},{DAYS[last]}"
        rules.append(f"{label} {','.join(week[day])}")
        day = last + 1
    return "; ".join(rules)
