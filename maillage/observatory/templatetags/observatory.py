"""Number formatting of the observatory pages, the French way (`12,5 %`, `1 234`)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(share: float | None, digits: int = 1) -> str:
    """A share (0..1) as a French percentage: `0.1234` → `12,3 %`."""
    if share is None:
        return "—"
    return f"{number_format(share * 100, digits)}\u00a0%"


@register.filter
def figure(value: float | None) -> str:
    """A value with at most two decimals and grouped thousands; `—` when missing."""
    if value is None:
        return "—"
    rounded = round(float(value), 2)
    digits = 0 if rounded.is_integer() else 2
    text = number_format(rounded, digits, force_grouping=True)
    return text.rstrip("0").rstrip(",") if digits else text


@register.filter
def chart_value(value: float | None, as_percent: bool = False) -> str:
    """A value of a chart: a share as a percentage, anything else as `figure`."""
    return percent(value) if as_percent else figure(value)
