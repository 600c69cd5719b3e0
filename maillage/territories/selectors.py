"""Reads on territories: commune search, territory pages and their maps."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from maillage.core.geometry import merge_bbox
from maillage.core.text import search_key

from .enums import CommuneType
from .models import Commune, ReferenceImport, Territoire
from .search_index import CommuneIndex, Entry

SEARCH_TYPES: tuple[str, ...] = (CommuneType.COMMUNE, CommuneType.ARRONDISSEMENT)
MAX_QUERY_LENGTH = 100


_index_lock = threading.Lock()
_index: tuple[int | None, CommuneIndex] | None = None


def commune_index() -> CommuneIndex:
    """This process's commune index, rebuilt when a new `load_reference` has run.

    The version is the last ReferenceImport's id: one indexed query per search, so every
    app server of a deployment picks up a reload without being told.
    """
    global _index
    current = ReferenceImport.objects.order_by("-pk").values_list("pk", flat=True).first()
    if _index is not None and _index[0] == current:
        return _index[1]
    with _index_lock:
        if _index is None or _index[0] != current:
            rows = Commune.objects.values_list(
                "pk", "code", "type", "search_name", "codes_postaux", "population"
            )
            index = CommuneIndex(
                Entry(pk, code, kind, name, tuple(postal or ()), population or 0)
                for pk, code, kind, name, postal, population in rows.iterator(chunk_size=5000)
            )
            _index = (current, index)
        return _index[1]


def commune_search(
    query: str, *, limit: int = 10, types: Sequence[str] = SEARCH_TYPES
) -> list[Commune]:
    """Communes matching a name or postal code, best first.

    Accents, case, hyphens and apostrophes are ignored and `st`/`ste` read as
    `saint`/`sainte`. Every word of the query must appear in the name; digits may also
    start a postal code or be the INSEE code. Exact names and codes come first, then
    names starting with the query, then names with a word starting with it, then the
    rest; the larger population breaks ties.
    """
    key = search_key(query[:MAX_QUERY_LENGTH])
    if not key:
        return []
    entries = commune_index().search(key, types=types, limit=limit)
    communes = Commune.objects.select_related("departement").in_bulk([e.pk for e in entries])
    return [communes[e.pk] for e in entries if e.pk in communes]


def commune_get(code: str) -> Commune:
    """The commune (type COM, else arrondissement) with this INSEE code, or 404."""
    commune = (
        Commune.objects.filter(code=code, type__in=SEARCH_TYPES)
        .select_related("departement__region", "epci", "parent")
        .order_by("type")
        .first()
    )
    if commune is None:
        raise Http404("Commune inconnue")
    return commune


def territoire_list() -> QuerySet[Territoire]:
    return Territoire.objects.order_by("-population")


def territoire_get(slug: str) -> Territoire:
    territoire = Territoire.objects.filter(slug=slug).first()
    if territoire is None:
        raise Http404("Territoire inconnu")
    return territoire


def territoire_summary(territoire: Territoire) -> dict[str, Any]:
    """Key figures of a territory for its page: EPCI, départements, bounding box."""
    communes = territoire.communes.all()
    epcis = (
        communes.exclude(epci=None)
        .values("epci__code", "epci__nom", "epci__type")
        .distinct()
        .order_by("epci__nom")
    )
    departements = (
        communes.values("departement__code", "departement__nom")
        .distinct()
        .order_by("departement__code")
    )
    boxes: list[tuple[float, float, float, float]] = list(
        communes.exclude(bbox_min_lon=None).values_list(  # type: ignore[arg-type]
            "bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat"
        )
    )
    largest = communes.exclude(population=None).order_by("-population")[:10]
    return {
        "epcis": list(epcis),
        "departements": list(departements),
        "bbox": merge_bbox(boxes),
        "plus_peuplees": list(largest),
    }


def territoire_geojson(territoire: Territoire) -> dict[str, Any]:
    """The territory's communes as a GeoJSON FeatureCollection of simplified contours."""
    rows = territoire.communes.exclude(contour=None).values_list(
        "code", "nom", "population", "contour"
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "nom": nom, "population": population},
                "geometry": contour,
            }
            for code, nom, population, contour in rows
        ],
    }
