"""Writes of the observatory: the computed indicators' snapshot (`recompute`, with the
demand counts of `demand`) and indicators imported from a CSV file (`imports`)."""

from .demand import SOURCE_DEMAND, demand_window
from .imports import IndicateurImportResult, indicateur_import
from .recompute import (
    RecomputeBusy,
    indicators_recompute,
    indicators_recompute_request,
    snapshots_thin,
)
from .values import SOURCE_MAILLAGE

__all__ = [
    "SOURCE_DEMAND",
    "SOURCE_MAILLAGE",
    "IndicateurImportResult",
    "RecomputeBusy",
    "demand_window",
    "indicateur_import",
    "indicators_recompute",
    "indicators_recompute_request",
    "snapshots_thin",
]
