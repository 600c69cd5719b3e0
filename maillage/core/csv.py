"""CSV files written by the site, for spreadsheets.

UTF-8 with a byte-order mark, `;`-separated with a decimal comma: what a French spreadsheet
(Excel, LibreOffice in French) opens correctly with a double click. Every text cell that a
spreadsheet would read as a formula (beginning with = + - @, a tab or a carriage return) is
neutralised with a leading apostrophe (CSV injection, OWASP); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def neutralise(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str:
    """One cell: numbers in French, text neutralised."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return french_number(value)
    return neutralise(french_number(value))


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
    """A CSV download named `name`, with `header` then `rows`, every cell through `cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(title) for title in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
