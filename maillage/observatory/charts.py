"""Choropleth classes and chart geometry for the observatory pages.

Pure Python on lists of numbers, no ORM: the classes are computed here once and sent to the
map script, so the legend, the map, the tables and the downloads always agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

#: Sequential blues from the DSFR palette (blue-france), lightest to darkest. Neighbouring
#: classes differ clearly and the darkest reaches a 3:1 contrast with the lightest.
CLASS_COLOURS = ("#e3e3fd", "#b1b1f9", "#8585f6", "#5b5bd6", "#000091")
NO_DATA_COLOUR = "#dddddd"
CLASS_COUNT = 5


@dataclass(frozen=True)
class ColourClass:
    """One class of the choropleth: values in [`minimum`, `maximum`]."""

    index: int
    minimum: float
    maximum: float
    colour: str
    count: int


def quantile_breaks(values: Sequence[float], classes: int = CLASS_COUNT) -> list[float]:
    """Upper bounds of `classes` quantile classes (the last is the maximum).

    Equal bounds (many ties, e.g. counts of lieux mostly 0) are merged, so a territory may
    get fewer classes than asked, never an empty one.
    """
    if not values:
        return []
    array = np.asarray(values, dtype=float)
    # "inverted_cdf": every bound is a value actually observed, so classes hold data.
    bounds = np.quantile(array, [k / classes for k in range(1, classes + 1)], method="inverted_cdf")
    breaks: list[float] = []
    for bound in bounds.tolist():
        if not breaks or bound > breaks[-1]:
            breaks.append(float(bound))
    return breaks


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Index of the class holding `value`: the first whose upper bound is ≥ the value."""
    for index, upper in enumerate(breaks):
        if value <= upper:
            return index
    return len(breaks) - 1


def colour_classes(values: Sequence[float], classes: int = CLASS_COUNT) -> list[ColourClass]:
    """Quantile classes with their bounds, colours and number of communes."""
    breaks = quantile_breaks(values, classes)
    if not breaks:
        return []
    # Spread the available colours when ties left fewer classes than asked.
    palette = [
        CLASS_COLOURS[round(i * (len(CLASS_COLOURS) - 1) / max(len(breaks) - 1, 1))]
        for i in range(len(breaks))
    ]
    counts = [0] * len(breaks)
    for value in values:
        counts[class_index(value, breaks)] += 1
    lowest = float(min(values))
    result = []
    for index, upper in enumerate(breaks):
        lower = lowest if index == 0 else breaks[index - 1]
        result.append(ColourClass(index, lower, upper, palette[index], counts[index]))
    return result


def median(values: Sequence[float]) -> float | None:
    return float(np.median(np.asarray(values, float))) if len(values) else None


@dataclass(frozen=True)
class Bar:
    minimum: float
    maximum: float
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Histogram:
    bars: list[Bar]
    width: int
    height: int
    max_count: int

    @property
    def minimum(self) -> float | None:
        return self.bars[0].minimum if self.bars else None

    @property
    def maximum(self) -> float | None:
        return self.bars[-1].maximum if self.bars else None


def histogram(
    values: Sequence[float], bins: int = 10, width: int = 640, height: int = 240
) -> Histogram:
    """Equal-width bins over [min, max], laid out for an SVG of `width` × `height`
    (a 40-pixel margin on the left and at the bottom holds the axes)."""
    if not values:
        return Histogram([], width, height, 0)
    lowest, highest = float(min(values)), float(max(values))
    if highest == lowest:
        bins = 1
    counts, edges = np.histogram(np.asarray(values, float), bins=bins, range=(lowest, highest))
    max_count = int(counts.max())
    plot_w, plot_h = width - 50, height - 40
    step = plot_w / len(counts)
    bars = []
    for i, count in enumerate(counts.tolist()):
        bar_h = plot_h * count / max_count if max_count else 0
        bars.append(
            Bar(
                minimum=float(edges[i]),
                maximum=float(edges[i + 1]),
                count=int(count),
                x=round(45 + i * step + 1, 1),
                y=round(10 + plot_h - bar_h, 1),
                width=round(step - 2, 1),
                height=round(bar_h, 1),
            )
        )
    return Histogram(bars, width, height, max_count)


@dataclass(frozen=True)
class Point:
    day: date
    value: float
    count: int
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    points: list[Point]
    path: str
    width: int
    height: int
    minimum: float
    maximum: float

    @property
    def first_day(self) -> date | None:
        return self.points[0].day if self.points else None

    @property
    def last_day(self) -> date | None:
        return self.points[-1].day if self.points else None


def line_chart(
    series: Sequence[tuple[date, float, int]], width: int = 640, height: int = 240
) -> LineChart:
    """A polyline of (date, value, count) laid out by date for an SVG of `width` × `height`;
    one point is drawn in the middle."""
    if not series:
        return LineChart([], "", width, height, 0.0, 0.0)
    plot_w, plot_h = width - 70, height - 40
    days = [d.toordinal() for d, _, _ in series]
    values = [v for _, v, _ in series]
    low, high = min(values), max(values)
    if math.isclose(low, high):
        low, high = low - 1, high + 1
    first, span = days[0], max(days[-1] - days[0], 1)
    points = []
    for (day, value, count), ordinal in zip(series, days, strict=True):
        x = 55 + (plot_w / 2 if len(series) == 1 else plot_w * (ordinal - first) / span)
        y = 10 + plot_h * (1 - (value - low) / (high - low))
        points.append(Point(day, value, count, round(x, 1), round(y, 1)))
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(points))
    return LineChart(points, path, width, height, min(values), max(values))
