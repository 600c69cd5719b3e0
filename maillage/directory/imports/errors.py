"""What goes wrong in an import: the whole file, or one row (pure module)."""

from __future__ import annotations

from dataclasses import dataclass


class FileFormatError(ValueError):
    """The file as a whole cannot be read; nothing of it is imported."""


@dataclass(frozen=True)
class RowError:
    """A problem on one row (line of a CSV, record number of a JSON): blocking ones reject
    the row, the others are warnings of the report."""

    line: int
    field: str
    value: str
    message: str
    blocking: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "ligne": self.line,
            "champ": self.field,
            "valeur": self.value[:200],
            "message": self.message,
            "bloquant": self.blocking,
        }
