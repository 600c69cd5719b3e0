"""The one reader of imported files: CSV, XLSX, JSON or GeoJSON bytes into rows, without ORM.

Every file an import receives is decoded and parsed here, once: a file of the national
standard (`standard.rows_of`), a producer's file read through its column mapping, the sample
of the mapping pages, the schema check (`schema_check`, on the parsed table) and the
observatory's indicator CSV. Every problem with the file as a whole raises
`FileFormatError` with a French message; rows are plain dictionaries keyed by the file's own
column names, with the line (CSV, XLSX) or record number (JSON) they come from.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .errors import FileFormatError


@dataclass
class Table:
    columns: list[str]
    # (line in the file, or record number for JSON, row)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    kind: str = "csv"

    def cells(self) -> list[list[Any]]:
        """The header then each row as a list of values in column order (what the schema
        check validates)."""
        names = list(dict.fromkeys(self.columns))
        return [list(self.columns)] + [[row[c] for c in names if c in row] for _, row in self.rows]


def is_workbook(data: bytes, filename: str = "") -> bool:
    return data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


def detect_kind(data: bytes, filename: str) -> str:
    if is_workbook(data, filename):
        return "xlsx"
    head = data[:4096].lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if filename.lower().endswith((".json", ".geojson")) or head[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def read_table(
    data: bytes,
    filename: str = "",
    *,
    encoding: str | None = None,
    separator: str | None = None,
    sheet: str | None = None,
    records_path: str | None = None,
    names: list[str] | None = None,
) -> Table:
    """The rows of a file; `FileFormatError` when it cannot be read as a whole.

    `names`: the column names of a CSV that has no header line (its first line is data)."""
    if not data.strip():
        raise FileFormatError("Le fichier est vide.")
    kind = detect_kind(data, filename)
    if kind == "xlsx":
        return _xlsx(data, sheet)
    text = _decode(data, encoding)
    if kind == "json":
        return _json(text, records_path)
    return _csv(text, separator, names)


def _decode(data: bytes, encoding: str | None) -> str:
    if b"\x00" in data[:4096]:
        raise FileFormatError(
            "Ce fichier est binaire (ni CSV, ni JSON, ni XLSX) : exportez-le en CSV ou en JSON "
            "et réessayez."
        )
    if encoding:
        try:
            return data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise FileFormatError(
                f"Le fichier ne peut pas être lu avec l'encodage « {encoding} » indiqué dans la "
                "correspondance."
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv(text: str, separator: str | None, names: list[str] | None = None) -> Table:
    header = text.split("\n", 1)[0]
    if not separator:
        separator = ";" if header.count(";") > header.count(",") else ","
    # strict: an unterminated quote (a truncated file) is an error, not one huge last field.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        columns = list(names) if names else [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise FileFormatError(f"CSV illisible : {exc}.") from exc
    if not any(columns):
        raise FileFormatError(
            "CSV sans ligne d'en-tête : la première ligne doit nommer les colonnes."
        )
    table = Table(columns=columns, kind="csv")
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                raise FileFormatError(
                    f"Ligne {reader.line_num} : plus de valeurs que de colonnes. Vérifiez le "
                    "séparateur et les guillemets (le fichier est peut-être tronqué)."
                )
            table.rows.append((reader.line_num, dict(zip(columns, values, strict=False))))
    except csv.Error as exc:
        raise FileFormatError(f"CSV illisible ligne {reader.line_num} : {exc}.") from exc
    return table


def _json(text: str, records_path: str | None) -> Table:
    try:
        payload: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"JSON illisible ligne {exc.lineno}, colonne {exc.colno} ({exc.msg}) : le fichier "
            "est peut-être tronqué. Téléchargez-le à nouveau."
        ) from exc
    if records_path:
        for part in records_path.split("."):
            if not isinstance(payload, dict) or part not in payload:
                raise FileFormatError(
                    f"Chemin des enregistrements « {records_path} » absent du JSON."
                )
            payload = payload[part]
    elif isinstance(payload, dict) and isinstance(payload.get("features"), list):
        payload = [_feature_row(feature) for feature in payload["features"]]
    elif isinstance(payload, dict):
        lists = [value for value in payload.values() if isinstance(value, list)]
        payload = lists[0] if len(lists) == 1 else None
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise FileFormatError(
            "Le JSON doit être une liste d'objets (un par lieu), des objets sous un chemin "
            "indiqué dans la correspondance, ou un GeoJSON de points."
        )
    columns: dict[str, None] = {}
    for row in payload:
        columns.update(dict.fromkeys(row))
    return Table(columns=list(columns), rows=list(enumerate(payload, start=1)), kind="json")


def _feature_row(feature: Any) -> dict[str, Any]:
    """A GeoJSON feature as a row: its properties, plus latitude/longitude of a point."""
    if not isinstance(feature, dict):
        return {}
    row = dict(feature.get("properties") or {})
    geometry = feature.get("geometry") or {}
    if geometry.get("type") == "Point" and len(geometry.get("coordinates") or []) >= 2:
        row.setdefault("longitude", geometry["coordinates"][0])
        row.setdefault("latitude", geometry["coordinates"][1])
    return row


def _xlsx(data: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileFormatError(
            "Classeur XLSX illisible : le fichier est peut-être tronqué ou n'est pas un "
            "classeur Excel. Enregistrez-le à nouveau au format XLSX."
        ) from exc
    if sheet:
        if sheet not in workbook.sheetnames:
            raise FileFormatError(
                f"Feuille « {sheet} » absente du classeur (feuilles : "
                f"{', '.join(workbook.sheetnames)})."
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    merged = [str(cells) for cells in worksheet.merged_cells.ranges if cells.max_row >= 2]
    if merged:
        raise FileFormatError(
            f"Cellules fusionnées dans les données (feuille « {worksheet.title} ») : "
            f"{', '.join(sorted(merged))}. Défusionnez-les et répétez la valeur sur chaque "
            "ligne, puis réessayez."
        )
    lines = worksheet.iter_rows(values_only=True)
    header = next(lines, None)
    if not header or not any(header):
        raise FileFormatError(
            "Feuille sans ligne d'en-tête : la première ligne doit nommer les colonnes."
        )
    columns = [str(name).strip() if name is not None else "" for name in header]
    table = Table(columns=columns, kind="xlsx")
    for number, values in enumerate(lines, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        row = {
            name: ("" if value is None else value)
            for name, value in zip(columns, values, strict=False)
            if name
        }
        table.rows.append((number, row))
    return table
