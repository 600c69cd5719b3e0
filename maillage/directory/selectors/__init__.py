"""Reads on the directory, by concern: search, lieux (page and export), history."""

from .history import editor_role, fields_edited_by_hand, objects_edited_by_hand, revisions_of
from .lieux import (
    COMMUNE_HEAVY,
    COMPLETENESS_FIELDS,
    lieu_details,
    lieux_export,
    lieux_in,
    lieux_opendata,
)
from .search import (
    DEFAULT_RADIUS_KM,
    PAGE_FIELDS,
    PAGE_SIZE_MAX,
    SearchError,
    SearchFilters,
    SearchResult,
    ids_subquery,
    service_search,
)

__all__ = [
    "COMMUNE_HEAVY",
    "COMPLETENESS_FIELDS",
    "DEFAULT_RADIUS_KM",
    "PAGE_FIELDS",
    "PAGE_SIZE_MAX",
    "SearchError",
    "SearchFilters",
    "SearchResult",
    "editor_role",
    "fields_edited_by_hand",
    "ids_subquery",
    "lieu_details",
    "lieux_export",
    "lieux_in",
    "lieux_opendata",
    "objects_edited_by_hand",
    "revisions_of",
    "service_search",
]
