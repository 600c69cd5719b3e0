"""Background tasks of the observatory."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def indicators_recompute_task() -> dict[str, int]:
    """Recompute today's snapshot of the computed indicators for every commune."""
    return services.indicators_recompute()
