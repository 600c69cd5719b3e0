"""k-anonymous publication of counts: the one rule every statistic of the site follows.

A count below k is never published, and neither is a total that would let a hidden count be
recomputed by subtraction: a row total only when all its cells are published, a column total
only when all the column's cells are, the grand total only when every row total is. Rows
whose total is below k are best left out entirely by the caller (their mere presence says
"someone here"): `k_anonymous_rows` does that.

Pure: no ORM, no settings; `k` is always given by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Cell:
    """A published count: `value` is None when suppressed; `k` is the threshold it was
    published under, so that `str(cell)` says « moins de 5 » or « masqué » in a template."""

    value: int | None
    small: bool = False  # suppressed because below k (else: to protect another cell)
    k: int = field(default=5, compare=False)

    def label(self, k: int | None = None) -> str:
        if self.value is not None:
            return str(self.value)
        return f"moins de {k or self.k}" if self.small else "masqué"

    def __str__(self) -> str:
        return self.label()


def cell(value: int, k: int) -> Cell:
    """One count on its own: published from k."""
    return Cell(value, k=k) if value >= k else Cell(None, small=True, k=k)


def hidden(value: int, k: int) -> Cell:
    """Suppressed to protect another cell (or because small itself)."""
    return Cell(None, small=value < k, k=k)


class KTable(NamedTuple):
    rows: dict[str, tuple[list[Cell], Cell]]
    column_totals: list[Cell]
    grand_total: Cell


def k_anonymous_table(counts: Mapping[str, Sequence[int]], *, k: int, width: int = 0) -> KTable:
    """Suppress every count below k and every total that would reveal one.

    `counts` maps a row label to its counts per column (all rows the same length); `width`
    is the number of columns when `counts` is empty.
    """
    rows: dict[str, tuple[list[Cell], Cell]] = {}
    width = len(next(iter(counts.values()))) if counts else width
    column_sums = [0] * width
    column_open = [True] * width
    grand = 0
    grand_open = True
    for label, values in counts.items():
        if len(values) != width:
            raise ValueError(f"row {label!r} has {len(values)} columns, expected {width}")
        cells = [cell(v, k) for v in values]
        total_value = sum(values)
        if all(c.value is not None for c in cells):
            total = cell(total_value, k)
        else:
            total = hidden(total_value, k)
        rows[label] = (cells, total)
        for i, v in enumerate(values):
            column_sums[i] += v
            column_open[i] = column_open[i] and cells[i].value is not None
        grand += total_value
        grand_open = grand_open and total.value is not None
    column_totals = [
        cell(s, k) if column_open[i] else Cell(None, small=s < k) for i, s in enumerate(column_sums)
    ]
    grand_total = cell(grand, k) if grand_open else Cell(None, small=grand < k)
    return KTable(rows, column_totals, grand_total)


def k_anonymous_rows(counts: Mapping[str, Sequence[int]], *, k: int, width: int = 0) -> KTable:
    """As `k_anonymous_table`, but rows whose total is below k are left out entirely (a
    structure or a commune with 1 to k-1 cases is not even named); the column and grand
    totals are then those of the rows shown, so nothing left out can be recomputed."""
    kept = {label: values for label, values in counts.items() if sum(values) >= k}
    return k_anonymous_table(kept, k=k, width=width)


def published_cells(cells: Mapping[tuple[str, ...], int], *, k: int) -> dict[tuple[str, ...], int]:
    """A flat list of cells (e.g. category × commune × month): only those with at least k.

    For a published list with no totals beside it (the demand API): a reader cannot rebuild
    a hidden cell because no total of the hidden ones is given anywhere. Callers that also
    publish totals must use `k_anonymous_table` on the same counts."""
    return {key: value for key, value in cells.items() if value >= k}
