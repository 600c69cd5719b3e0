"""CSV and GeoJSON files of the observatory pages, for spreadsheets and GIS software.

CSV files are UTF-8 with a byte-order mark, `;`-separated with a decimal comma: what a
French spreadsheet (Excel, LibreOffice in French) opens correctly with a double click.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify


def french_number(value: Any) -> str:
    """A number as a French spreadsheet reads it: decimal comma, no thousands separator."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def filename(*parts: object, extension: str) -> str:
    """`maillage-<parts…>.<extension>`, each part slugified (`:` of codes becomes `-`)."""
    pieces = ["maillage"]
    for part in parts:
        if isinstance(part, date):
            pieces.append(part.isoformat())
        elif part:
            pieces.append(slugify(str(part).replace(":", "-")))
    return "-".join(pieces) + "." + extension


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([french_number(cell) for cell in row])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
