"""What an import did: its figures, its report, and what it hands to the change pipeline."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..changes import Directory
from ..models import ImportRun
from .errors import RowError

#: A progress callback: (rows written, rows to write).
Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    run: ImportRun
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    approximate: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What the change pipeline records at the end of the import: the objects created, and
    # the objects updated with their changes ({field: [before, after]}, one per object).
    created_objects: list[Directory] = field(default_factory=list)
    updated_objects: list[Directory] = field(default_factory=list)
    updated_changes: list[dict[str, list[Any]]] = field(default_factory=list)
    file_rows: int | None = None
    ignored_values: int = 0
    grouped_rows: int = 0
    skipped_rows: int = 0
    projected: int = 0
    # Errors found by frictionless against the official schema (CSV files of the standard);
    # None when the schema file is absent, -1 when the check does not apply.
    schema_errors: int | None = -1
    # (content type id, object id) of the lieux and services a person has edited, and the
    # number of fields a newer file did not overwrite because of it.
    edited_by_hand: set[tuple[int, int]] = field(default_factory=set)
    kept_fields: int = 0

    def update(self, obj: Directory, changes: dict[str, list[Any]]) -> None:
        """Hand an updated object and what changed on it to the pipeline (none: nothing)."""
        if changes:
            self.updated_objects.append(obj)
            self.updated_changes.append(changes)
