"""The full-text index of services."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import fulltext
from ..models import Service


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


def services_reindex(ids: list[int] | None = None) -> int:
    """Rebuild the full-text entries of these services (all when None)."""
    services = Service.objects.select_related("structure").prefetch_related(
        "categories", "lieux__commune"
    )
    if ids is None:
        return _reindex(services)
    # Ids go by the thousand at most: SQLite refuses longer lists of parameters.
    return sum(
        _reindex(services.filter(pk__in=ids[start : start + 900]))
        for start in range(0, len(ids), 900)
    )


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
