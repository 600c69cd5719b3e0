"""Writes on column mappings: a producer's mapping saved once, reused at each import."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from ..imports.mapping import Mapping
from ..models import ColumnMapping, Source


@transaction.atomic
def column_mapping_save(
    *, source_name: str, mapping: Mapping, user: Any = None, source: Source | None = None
) -> ColumnMapping:
    """Create or replace the column mapping of a source (created if new)."""
    if source is None:
        source, _ = Source.objects.get_or_create(
            slug=slugify(source_name)[:100] or "source", defaults={"nom": source_name}
        )
    saved, _ = ColumnMapping.objects.update_or_create(
        source=source,
        defaults={
            "colonnes": mapping.colonnes,
            "valeurs": mapping.valeurs,
            "options": mapping.options,
            "updated_by": user,
        },
    )
    return saved
