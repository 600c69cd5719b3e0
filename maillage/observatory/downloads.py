"""GeoJSON files of the observatory pages, for GIS software; the CSV files are written by
`maillage.core.csv` (French spreadsheet format, formulas neutralised)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

__all__ = ["geojson_bytes", "geojson_response", "round_geometry"]


def geojson_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def geojson_response(
    data: dict[str, Any] | bytes, *, name: str | None = None, max_age: int = 300
) -> HttpResponse:
    body = data if isinstance(data, bytes) else geojson_bytes(data)
    response = HttpResponse(body, content_type="application/geo+json")
    if name:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def round_geometry(geometry: dict[str, Any], digits: int = 4) -> dict[str, Any]:
    """The geometry with coordinates rounded (4 decimals ≈ 11 m, finer than the contours)."""

    def walk(coords: Any) -> Any:
        if coords and isinstance(coords[0], (int, float)):
            return [round(c, digits) for c in coords]
        return [walk(c) for c in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
