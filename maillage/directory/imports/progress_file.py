"""Live progress of a background import, in a small file beside the SQLite database.

`lieux_import` writes the valid rows in one transaction. On SQLite that transaction holds the
database's only write lock until the commit, so progress written in the database would only
show at the end. The worker writes it instead to `VAR_DIR/imports/progression-<run>.json`
(atomically: a temporary file, then `os.replace`), at most a few times per second; the run
page reads it while the run is "en cours". The file holds figures only (phase, rows done,
rows to do, time of the update), nothing personal, and goes when the run ends.

PostgreSQL keeps writing progress in the database through a second connection: it is seen
by every app server, where a file would only be seen on the worker's machine.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

# At most this many writes per second; the last figures always go out (see `ProgressFile`).
MIN_INTERVAL_S = 0.25


@dataclass(frozen=True)
class FileProgress:
    phase: str
    done: int
    total: int
    at: datetime


def progress_path(run_id: int) -> Path:
    return Path(settings.VAR_DIR) / "imports" / f"progression-{int(run_id)}.json"


def progress_write(run_id: int, *, phase: str, done: int, total: int) -> None:
    """Replace the run's progress file in one step: a reader sees the old or the new one."""
    path = progress_path(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "phase": phase,
        "done": int(done),
        "total": int(total),
        "at": datetime.now(UTC).isoformat(),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progression-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def progress_read(run_id: int) -> FileProgress | None:
    """The run's progress file, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(progress_path(run_id).read_text(encoding="utf-8"))
        return FileProgress(
            phase=str(data["phase"]),
            done=int(data["done"]),
            total=int(data["total"]),
            at=datetime.fromisoformat(data["at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_clear(run_id: int) -> None:
    progress_path(run_id).unlink(missing_ok=True)


class ProgressFile:
    """A progress callback `(done, total)` writing the run's file, throttled."""

    def __init__(self, run_id: int, *, phase: str = "ecriture") -> None:
        self.run_id = run_id
        self.phase = phase
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < MIN_INTERVAL_S:
            return
        self._last = now
        progress_write(self.run_id, phase=self.phase, done=done, total=total)

    def close(self) -> None:
        progress_clear(self.run_id)
