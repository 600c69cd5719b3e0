"""Background tasks of the directory: imports uploaded in the management space."""

from __future__ import annotations

from django_tasks import task

from .imports.uploads import import_run_execute


@task()
def import_run_task(run_id: int) -> dict[str, int]:
    """Import the file waiting on an ImportRun; returns the run's counts."""
    return import_run_execute(run_id=run_id)
