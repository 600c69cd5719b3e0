"""Writes on the directory, by concern: imports, merging of duplicates, full-text index."""

from .imports import (
    CommuneResolver,
    ImportResult,
    lieux_import,
    taxonomie_load,
    taxonomie_rows,
)
from .indexing import service_document, services_reindex
from .merging import duplicate_decide, lieu_merge, lieux_deduplicate

__all__ = [
    "CommuneResolver",
    "ImportResult",
    "duplicate_decide",
    "lieu_merge",
    "lieux_deduplicate",
    "lieux_import",
    "service_document",
    "services_reindex",
    "taxonomie_load",
    "taxonomie_rows",
]
