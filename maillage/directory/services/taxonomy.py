"""The categories of the canonical taxonomy in the database (`maillage load_taxonomie`)."""

from __future__ import annotations

from django.db import transaction

from ..models import Categorie
from ..taxonomy import taxonomie_rows


@transaction.atomic
def taxonomie_load() -> int:
    """Create or update the categories of the canonical taxonomy; idempotent."""
    rows = taxonomie_rows()
    Categorie.objects.bulk_create(
        [Categorie(**row) for row in rows],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["libelle", "famille", "description", "exemples"],
    )
    return len(rows)
