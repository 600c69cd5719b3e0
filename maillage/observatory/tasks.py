"""Background tasks of the observatory."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from . import services


@task()
def indicators_recompute_task(requested_at: str | None = None) -> dict[str, int]:
    """Recompute today's snapshot of the computed indicators for every commune, unless a
    run started after `requested_at` (ISO 8601, when the change was committed) has
    already done it. Queue it with `services.indicators_recompute_request()`."""
    when = datetime.fromisoformat(requested_at) if requested_at else None
    return services.indicators_recompute(requested_at=when)
