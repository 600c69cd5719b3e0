"""CSV files written by the site, for French spreadsheets and for reusers.

UTF-8 with a byte-order mark, `;`-separated, decimal comma, CRLF line ends: what a French
spreadsheet (Excel, LibreOffice in French) opens correctly with a double click. Every text
cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or
a carriage return) is prefixed with `'` (CSV injection, issue 17). Numbers are never
touched: a negative number we format (`-1,5`) is data, not a formula, while the text
`"-1,5"` typed by someone is neutralised like any other text. Every CSV the site produces
goes through `csv_cell`.
"""

from __future__ import annotations

import csv
import io
import numbers
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

#: First characters that make a spreadsheet evaluate a cell (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def french_number(value: numbers.Real | Decimal) -> str:
    """A number as a French spreadsheet reads it: decimal comma, no thousands separator,
    at most 4 decimals, whole floats without decimals (NumPy numbers too)."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    number = float(value)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def neutralise(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula: `'` before = + - @ TAB CR."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: object) -> str:
    """One cell: `""` for None, `oui`/`non` for booleans, numbers the French way, anything
    else as text, neutralised when it starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, numbers.Real | Decimal):
        return french_number(value)
    return neutralise(str(value))


def csv_text(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """The file's text (without the byte-order mark), every cell through `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """The whole file as UTF-8 bytes with a byte-order mark."""
    return ("\ufeff" + csv_text(header, rows)).encode("utf-8")


def csv_response(
    name: str, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A download of the CSV file `name`."""
    response = HttpResponse(csv_bytes(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def filename(*parts: object, extension: str) -> str:
    """`maillage-<parts…>.<extension>`, each part slugified (`:` of codes becomes `-`), dates
    in ISO form, empty parts left out: the name of every file the site offers to download."""
    pieces = ["maillage"]
    for part in parts:
        if isinstance(part, date):
            pieces.append(part.isoformat())
        elif part:
            pieces.append(slugify(str(part).replace(":", "-")))
    return "-".join(pieces) + "." + extension
