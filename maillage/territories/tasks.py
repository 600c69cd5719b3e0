"""Background tasks of the territories app."""

from __future__ import annotations

from django_tasks import task

from . import selectors, services


@task()
def territoire_refresh_task(slug: str) -> dict[str, int | str]:
    """Recompute a territory's communes and population; returns the new figures."""
    territoire = services.territoire_refresh(territoire=selectors.territoire_get(slug))
    return {
        "territoire": territoire.slug,
        "population": territoire.population,
        "communes": territoire.commune_count,
    }
