"""OpenStreetMap `opening_hours` (the subset the national standard uses), without ORM.

Understood: day ranges and lists (`Mo-Fr`, `Mo,We,Fr`), several time spans (`08:30-12:00,
13:30-17:00`), `off`/`closed`, `24/7`, rules separated by `;` where a later rule replaces
the days it names. Anything else (public holidays, weeks, months) is ignored: the week
table then says what is known and `is_open` answers None rather than guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAY_NAMES = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAY_TOKEN = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")


@dataclass(frozen=True)
class Week:
    """Opening spans per weekday (0 = Monday), in minutes since midnight."""

    days: tuple[tuple[tuple[int, int], ...], ...]
    complete: bool  # False when part of the text could not be read

    def is_open(self, moment: datetime) -> bool | None:
        """Open at this moment, read in the lieu's local time; None when unknown."""
        if not self.complete and not any(self.days):
            return None
        minute = moment.hour * 60 + moment.minute
        return any(start <= minute < end for start, end in self.days[moment.weekday()])

    def table(self) -> list[tuple[str, str]]:
        """(day name, "08:30 – 12:00, 13:30 – 17:00" or "Fermé") for each day of the week."""
        rows = []
        for name, spans in zip(DAY_NAMES, self.days, strict=True):
            text = ", ".join(f"{_hhmm(start)} – {_hhmm(end)}" for start, end in spans)
            rows.append((name, text or "Fermé"))
        return rows


def _hhmm(minutes: int) -> str:
    if minutes >= 24 * 60:
        return "24:00"
    return time(minutes // 60, minutes % 60).strftime("%H:%M")


def _days(text: str) -> list[int] | None:
    found: list[int] = []
    for token in text.split(","):
        match = _DAY_TOKEN.match(token.strip())
        if not match:
            return None
        first = DAYS.index(match.group(1))
        last = DAYS.index(match.group(2)) if match.group(2) else first
        span = range(first, last + 1) if last >= first else [*range(first, 7), *range(0, last + 1)]
        found.extend(d for d in span if d not in found)
    return found


def _spans(text: str) -> list[tuple[int, int]] | None:
    spans = []
    for token in text.split(","):
        match = _SPAN.match(token.strip())
        if not match:
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:  # past midnight: keep the evening part
            end = 24 * 60
        spans.append((start, end))
    return spans


def parse(text: str) -> Week:
    days: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    complete = True
    if text.strip() == "24/7":
        return Week(tuple(((0, 1440),) for _ in DAYS), True)
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        selector, _, hours = rule.partition(" ")
        targets = _days(selector)
        if targets is None:
            complete = False
            continue
        hours = hours.strip()
        if hours in ("off", "closed"):
            for day in targets:
                days[day] = []
            continue
        spans = _spans(hours)
        if spans is None:
            complete = False
            continue
        for day in targets:
            days[day] = sorted(spans)
    return Week(tuple(tuple(spans) for spans in days), complete and bool(text.strip()))
