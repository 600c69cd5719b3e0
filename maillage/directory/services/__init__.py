"""Writes on the directory, by concern: imports, merging of duplicates, full-text index."""

from .imports import (
    CommuneResolver,
    ImportResult,
    lieux_import,
    taxonomie_load,
    taxonomie_rows,
)
from .indexing import service_document, services_reindex
from .mappings import column_mapping_save, mapping_load, shipped_mappings
from .merging import duplicate_decide, lieu_merge, lieux_deduplicate

__all__ = [
    "CommuneResolver",
    "ImportResult",
    "column_mapping_save",
    "duplicate_decide",
    "lieu_merge",
    "lieux_deduplicate",
    "lieux_import",
    "mapping_load",
    "service_document",
    "services_reindex",
    "shipped_mappings",
    "taxonomie_load",
    "taxonomie_rows",
]
