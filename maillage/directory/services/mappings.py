"""Writes on column mappings: a producer's mapping saved once, reused at each import."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from ..mapping import Mapping, MappingError
from ..models import ColumnMapping, Source


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped with Maillage (`data/mappings/<name>.json`)."""
    folder = files("maillage.directory").joinpath("data/mappings")
    return sorted(
        p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")
    )


def mapping_load(text_or_name: str) -> Mapping:
    """A mapping from its JSON text or the name of a shipped one; `MappingError` if invalid."""
    text = text_or_name
    if text_or_name in shipped_mappings():
        text = (
            files("maillage.directory")
            .joinpath(f"data/mappings/{text_or_name}.json")
            .read_text("utf-8")
        )
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError(
            [f"Correspondance illisible ligne {exc.lineno}, colonne {exc.colno} ({exc.msg})."]
        ) from exc
    return Mapping.from_dict(data)


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
