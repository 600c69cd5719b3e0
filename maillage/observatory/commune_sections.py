"""The observatory's section of the commune page: each indicator's latest value against the
medians of the commune's territories and of France (found by territories' `ready()`, see
`maillage/territories/sections.py`)."""

from __future__ import annotations

from typing import Any

from maillage.territories.models import Commune
from maillage.territories.sections import register_commune_section

from .selectors import commune_indicators_compared


@register_commune_section("indicateurs")
def indicateurs_section(commune: Commune) -> dict[str, Any]:
    indicateurs, territoires = commune_indicators_compared(commune)
    return {
        "template": "observatory/includes/_commune_indicateurs.html",
        "context": {"indicateurs": indicateurs, "territoires": territoires},
    }
