"""The one k-anonymity rule of the site, tested by brute force on small tables."""

from __future__ import annotations

import itertools

import pytest

from maillage.core.kanonymity import (
    Cell,
    k_anonymous_rows,
    k_anonymous_table,
    published_cells,
)


def test_counts_below_k_are_suppressed_and_totals_that_reveal_them_too():
    """A row with a hidden cell has no total; a column with a hidden cell has no total."""
    table = k_anonymous_table({"A": [10, 2], "B": [7, 8]}, k=5)
    assert table.rows["A"] == ([Cell(10), Cell(None, small=True)], Cell(None, small=False))
    assert table.rows["B"] == ([Cell(7), Cell(8)], Cell(15))
    assert table.column_totals == [Cell(17), Cell(None, small=False)]
    assert table.grand_total.value is None


def test_labels_say_why_a_cell_is_hidden():
    assert Cell(None, small=True).label(5) == "moins de 5"
    assert Cell(None).label(5) == "masqué"
    assert Cell(12).label(5) == "12"


def test_rows_below_k_are_not_even_named():
    table = k_anonymous_rows({"petite structure": [1, 2], "grande": [6, 9]}, k=5)
    assert list(table.rows) == ["grande"]
    assert [c.value for c in table.column_totals] == [6, 9]
    assert table.grand_total.value == 15


def test_empty_table_keeps_its_width():
    table = k_anonymous_table({}, k=5, width=3)
    assert table.rows == {}
    assert len(table.column_totals) == 3


def test_ragged_rows_are_refused():
    with pytest.raises(ValueError):
        k_anonymous_table({"A": [1, 2], "B": [3]}, k=5)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_no_hidden_cell_can_be_recomputed_from_what_is_published(k):
    """Every 2×2 table with counts in 0..6: for each hidden cell, the published numbers are
    also those of a table where that cell has another value (so it cannot be deduced)."""
    for a, b, c, d in itertools.product(range(7), repeat=4):
        counts = {"r1": [a, b], "r2": [c, d]}
        table = k_anonymous_table(counts, k=k)
        published = _published(table)
        for (row, col), hidden in _hidden(table, counts):
            assert any(
                _consistent(published, counts, row, col, v, k) for v in range(10) if v != hidden
            ), (counts, row, col)


def test_flat_cells_keep_only_those_from_k():
    cells = {("cat", "29151", "2026-10"): 4, ("cat", "29151", "2026-11"): 5}
    assert published_cells(cells, k=5) == {("cat", "29151", "2026-11"): 5}


def _published(table):
    return {
        "rows": {
            label: ([c.value for c in cells], total.value)
            for label, (cells, total) in table.rows.items()
        },
        "columns": [c.value for c in table.column_totals],
        "grand": table.grand_total.value,
    }


def _hidden(table, counts):
    for label, (cells, _total) in table.rows.items():
        for i, c in enumerate(cells):
            if c.value is None:
                yield (label, i), counts[label][i]


def _consistent(published, counts, row, col, value, k):
    """Could the hidden cell (row, col) be `value`, other hidden cells being free?

    Hidden cells are below k or protected; a reader knows only what is published. We check
    that some completion of the hidden cells with `value` at (row, col) reproduces every
    published number."""
    labels = list(counts)
    hidden = [
        (label, i)
        for label in labels
        for i, v in enumerate(published["rows"][label][0])
        if v is None and (label, i) != (row, col)
    ]
    for fill in itertools.product(range(10), repeat=len(hidden)):
        grid = {label: list(published["rows"][label][0]) for label in labels}
        grid[row][col] = value
        for (label, i), v in zip(hidden, fill, strict=True):
            grid[label][i] = v
        if _matches(published, grid, k):
            return True
    return False


def _matches(published, grid, k):
    table = k_anonymous_table(grid, k=k)
    return _published(table) == published
