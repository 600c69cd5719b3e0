"""The k-anonymous statistics of the mises en relation, computed on plain rows. Pure: no
database (`selectors.referral_statistics` reads the rows and calls `statistics_tables`).

Every count below k is suppressed, and every total that would let a hidden count be
recomputed by subtraction (complementary suppression): the one rule of
`maillage.core.kanonymity`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from maillage.core.kanonymity import Cell, cell, hidden, k_anonymous_table

from .enums import ReferralOutcome, ReferralStatus

S = ReferralStatus

# Coarse columns keep cells large enough to be shown: (label, statuses, outcome or "").
STAT_COLUMNS: list[tuple[str, frozenset[str], str]] = [
    ("En attente de réponse", frozenset({S.NOUVELLE}), ""),
    ("Acceptées ou en cours", frozenset({S.ACCEPTEE, S.EN_COURS}), ""),
    ("Clôturées — résolues", frozenset({S.CLOTUREE}), ReferralOutcome.RESOLUE),
    ("Clôturées — non résolues", frozenset({S.CLOTUREE}), ReferralOutcome.NON_RESOLUE),
    ("Refusées ou réorientées", frozenset({S.REFUSEE, S.REORIENTEE}), ""),
    ("Annulées par la personne", frozenset({S.ANNULEE}), ""),
]
# The breakdowns: (title, the row field that labels a line).
BREAKDOWNS = (("Par structure", "structure"), ("Par catégorie de besoin", "categorie"))


@dataclass(frozen=True)
class StatInput:
    """One referral as the statistics see it: no personal field."""

    status: str
    outcome: str
    structure: str | None
    categorie: str | None
    created_at: datetime
    first_response_at: datetime | None

    @property
    def response_seconds(self) -> float | None:
        if self.first_response_at is None:
            return None
        return (self.first_response_at - self.created_at).total_seconds()


def column_of(status: str, outcome: str) -> int:
    for i, (_label, statuses, wanted) in enumerate(STAT_COLUMNS):
        if status in statuses and (not wanted or outcome == wanted):
            return i
    raise ValueError(status)


@dataclass
class StatRow:
    label: str
    cells: list[Cell]
    total: Cell
    median_response: str  # "2,5 jours", or "moins de k réponses"


@dataclass
class StatTable:
    title: str
    rows: list[StatRow]
    column_totals: list[Cell] = field(default_factory=list)
    grand_total: Cell = field(default_factory=lambda: Cell(None))


@dataclass
class Statistics:
    k: int
    columns: list[str]
    overall: list[Cell]
    total: Cell
    median_response: str
    tables: list[StatTable]


def median_label(durations: Sequence[float], k: int) -> str:
    if len(durations) < k:
        return f"moins de {k} réponses"
    days = statistics.median(durations) / 86400
    if days < 1:
        return f"{days * 24:.0f} h".replace(".", ",")
    return f"{days:.1f} jours".replace(".", ",")


def _table(title: str, key: str, rows: Sequence[StatInput], k: int) -> StatTable:
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(STAT_COLUMNS))
    durations: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        label = str(getattr(row, key) or "(non renseignée)")
        counts[label][column_of(row.status, row.outcome)] += 1
        if (seconds := row.response_seconds) is not None:
            durations[label].append(seconds)
    cells, column_totals, grand_total = k_anonymous_table(
        dict(sorted(counts.items())), k=k, width=len(STAT_COLUMNS)
    )
    return StatTable(
        title=title,
        rows=[
            StatRow(label, c, t, median_label(durations[label], k))
            for label, (c, t) in cells.items()
        ],
        column_totals=column_totals,
        grand_total=grand_total,
    )


def statistics_tables(rows: Sequence[StatInput], *, k: int) -> Statistics:
    """Counts by status and outcome and median response time (creation → first answer of
    the structure), overall, per structure and per category, with k-anonymity."""
    tables = [_table(title, key, rows, k) for title, key in BREAKDOWNS]
    # The overall line equals every table's column totals: publish a number only when
    # no breakdown hides a part of it.
    columns_open = [
        all(table.column_totals[i].value is not None for table in tables)
        for i in range(len(STAT_COLUMNS))
    ]
    rows_open = all(table.grand_total.value is not None for table in tables)
    overall_counts = [0] * len(STAT_COLUMNS)
    for row in rows:
        overall_counts[column_of(row.status, row.outcome)] += 1
    overall = [
        cell(v, k) if columns_open[i] else hidden(v, k) for i, v in enumerate(overall_counts)
    ]
    total = len(rows)
    answered = [s for row in rows if (s := row.response_seconds) is not None]
    return Statistics(
        k=k,
        columns=[label for label, _statuses, _outcome in STAT_COLUMNS],
        overall=overall,
        total=cell(total, k) if rows_open else hidden(total, k),
        median_response=median_label(answered, k),
        tables=tables,
    )
