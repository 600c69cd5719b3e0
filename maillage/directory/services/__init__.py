"""Writes on the directory, by concern. Every write of a structure, lieu or service ends in the
change pipeline (`maillage.directory.changes.directory_changed`); imports are the
`maillage.directory.imports` package."""

from ..indexing import service_document, services_reindex, services_unindex
from .history import directory_object_update
from .mappings import column_mapping_save
from .merging import duplicate_decide, lieu_merge, lieux_deduplicate
from .taxonomy import taxonomie_load

__all__ = [
    "column_mapping_save",
    "directory_object_update",
    "duplicate_decide",
    "lieu_merge",
    "lieux_deduplicate",
    "service_document",
    "services_reindex",
    "services_unindex",
    "taxonomie_load",
]
