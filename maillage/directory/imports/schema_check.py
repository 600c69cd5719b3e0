"""Validation of a lieux CSV against the official Table Schema with frictionless, no ORM.

The rows validated are those the one reader has already parsed (`reader.Table`): the file is
not read a second time. The national schema (`schema.json` of LaMednum/standard-mediation-num)
is read from the path given by the `LIEUX_SCHEMA_PATH` setting and never copied into the
repository; when the file is absent, the check is skipped. It complements the row-by-row
validation of `standard`, which stays the one deciding what is imported: these errors are
warnings.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import RowError
from .reader import Table

MAX_REPORTED = 200
_MESSAGES = {
    "missing-label": "Colonne du schéma national absente du fichier.",
    "incorrect-label": "Colonne différente de celle que le schéma national attend à cette place.",
    "extra-label": "Colonne inconnue du schéma national.",
    "duplicate-label": "Colonne en double.",
    "blank-label": "Colonne sans nom.",
    "type-error": "Valeur d'un type refusé par le schéma national.",
    "constraint-error": "Valeur refusée par une contrainte du schéma national (format, liste "
    "de valeurs, longueur).",
    "missing-cell": "Valeur absente de la ligne.",
    "extra-cell": "Valeur en trop sur la ligne.",
    "blank-row": "Ligne vide.",
    "primary-key": "Identifiant en double.",
    "unique-error": "Valeur en double alors que le schéma la veut unique.",
}


def schema_validate(table: Table, schema_path: Path) -> tuple[list[RowError], int] | None:
    """(first errors as warnings, total number of errors); None when the schema is absent.

    Errors name the line of the file the row was read from (the header is line 1)."""
    if not schema_path.is_file():
        return None
    from frictionless import Resource, Schema, validate

    schema = Schema.from_descriptor(json.loads(schema_path.read_text("utf-8")))
    report = validate(Resource(data=table.cells(), schema=schema))

    def line(row_number: int | None) -> int:
        # frictionless counts rows from the header (1); the table knows each row's line.
        if row_number is not None and 2 <= row_number < len(table.rows) + 2:
            return table.rows[row_number - 2][0]
        return 1

    errors = [error for task in report.tasks for error in task.errors]
    warnings = []
    for error in errors[:MAX_REPORTED]:
        message = _MESSAGES.get(error.type, f"Non conforme au schéma national ({error.type}).")
        warnings.append(
            RowError(
                line(getattr(error, "row_number", None)),
                f"schéma : {getattr(error, 'field_name', '') or '—'}",
                str(getattr(error, "cell", "") or ""),
                message,
                blocking=False,
            )
        )
    return warnings, len(errors)
