"""The full-text index of services: what a service is found by, rewritten by the change
pipeline (`changes.directory_changed`) and by `maillage index_services`."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Prefetch, QuerySet

from . import fulltext
from .models import Lieu, Service


def service_document(service: Service) -> str:
    """The text a service is found by: its own words, its categories, its places."""
    parts = [service.nom, service.description, service.structure.nom]
    parts.append(" ".join(service.structure.typologie))
    for categorie in service.categories.all():
        # The category's words let "impression 3D" find every "Loisirs et créations".
        parts += [categorie.libelle, categorie.description, categorie.exemples.replace(";", " ")]
    for lieu in service.lieux.all():
        parts += [lieu.nom, lieu.commune.nom, lieu.presentation_detail]
    return fulltext.document(parts)


def services_reindex(ids: list[int] | None = None, *, without_lieux: Collection[int] = ()) -> int:
    """Rebuild the full-text entries of these services (all when None).

    `without_lieux`: lieux about to be deleted, left out of their services' text."""
    lieux = Lieu.objects.select_related("commune")
    if without_lieux:
        lieux = lieux.exclude(pk__in=sorted(without_lieux))
    services = Service.objects.select_related("structure").prefetch_related(
        "categories", Prefetch("lieux", queryset=lieux)
    )
    if ids is None:
        return _reindex(services)
    # Ids go by the thousand at most: SQLite refuses longer lists of parameters.
    return sum(
        _reindex(services.filter(pk__in=ids[start : start + 900]))
        for start in range(0, len(ids), 900)
    )


def services_unindex(ids: list[int]) -> None:
    """Take these services (about to be deleted) out of the full-text index."""
    fulltext.remove(ids)


def _reindex(services: QuerySet[Service]) -> int:
    count = 0
    batch: list[tuple[int, str]] = []
    for service in services.iterator(chunk_size=1000):
        batch.append((service.pk, service_document(service)))
        if len(batch) == 1000:
            fulltext.index(batch)
            count += len(batch)
            batch = []
    fulltext.index(batch)
    return count + len(batch)
