"""The directory search: services by text, facets and place (the page and the API)."""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from maillage.core.geometry import haversine_km
from maillage.territories.models import Commune, Territoire

from .. import fulltext, opening_hours
from ..enums import Frais, Modalite
from ..models import Categorie, Lieu, Service

PAGE_SIZE_MAX = 100
DEFAULT_RADIUS_KM = 10.0


@dataclass
class SearchFilters:
    q: str = ""
    commune: str = ""
    latitude: float | None = None
    longitude: float | None = None
    rayon_km: float | None = None
    categories: list[str] = field(default_factory=list)
    public: str = ""
    gratuit: bool | None = None
    modalite: str = ""
    territoire: str = ""
    ouvert_maintenant: bool = False
    tri: str = "pertinence"
    page: int = 1
    taille: int = 20


@dataclass
class SearchResult:
    count: int
    page: int
    pages: int
    services: list[Service]
    distances: dict[int, float]
    facets: dict[str, list[dict[str, object]]]
    centre: tuple[float, float] | None
    # Query words found nowhere in the directory → the words searched instead.
    corrections: dict[str, list[str]] = field(default_factory=dict)


class SearchError(ValueError):
    """A search parameter that cannot be used (unknown commune or territory…)."""


def _centre(filters: SearchFilters) -> tuple[float, float] | None:
    if filters.latitude is not None and filters.longitude is not None:
        return filters.latitude, filters.longitude
    if filters.commune:
        commune = (
            Commune.objects.communes()
            .filter(code=filters.commune)
            .values_list("mairie_latitude", "mairie_longitude", "latitude", "longitude")
            .first()
        )
        if commune is None:
            raise SearchError(f"Commune inconnue : {filters.commune} (code INSEE attendu).")
        lat, lon = commune[0] or commune[2], commune[1] or commune[3]
        if lat is None or lon is None:
            raise SearchError(f"La commune {filters.commune} n'a pas de position connue.")
        return lat, lon
    return None


@functools.lru_cache(maxsize=4096)
def _week(horaires: str) -> opening_hours.Week:
    return opening_hours.parse(horaires)


def service_search(filters: SearchFilters) -> SearchResult:
    """Services matching text, facets and place, with facet counts and distances.

    The most selective step runs first. With a place, one query reads the lieux inside the
    radius' bounding box (an index range) joined to their services under the structured
    filters, with what the facets need; the exact distance is computed here. The text is
    then matched only among the services still in play, and the facets are counted from
    the rows already read: a search near a place costs the same whatever the size of the
    directory elsewhere.
    """
    centre = _centre(filters)
    radius = filters.rayon_km or DEFAULT_RADIUS_KM
    distances: dict[int, float] = {}
    hours: dict[int, list[str]] = {}
    nearby: dict[int, _Nearby] = {}
    services = _structured(filters)
    if centre is not None:
        nearby = _nearby(centre, radius, filters.territoire)
        distances = {pk: item.distance for pk, item in nearby.items()}
        hours = {pk: item.hours for pk, item in nearby.items()}
        kept = set(nearby)
    else:
        kept = set(services.values_list("pk", flat=True))

    ranks: dict[int, float] = {}
    corrections: dict[str, list[str]] = {}
    if filters.q.strip():
        words, corrections = fulltext.expand(filters.q)
        ranks = fulltext.ranks(words, kept if len(kept) <= IDS_INLINE else None)
        kept &= set(ranks)
    if centre is not None:
        kept = _describe(nearby, kept, filters)

    if filters.ouvert_maintenant and kept:
        now = timezone.localtime()
        if centre is None:
            for pk, horaires in _hours_of(kept):
                hours.setdefault(pk, []).append(horaires)
        kept = {pk for pk in kept if any(h and _week(h).is_open(now) for h in hours.get(pk, []))}

    ids = list(kept)
    if filters.tri == "distance" and centre is not None:
        ids.sort(key=lambda pk: (distances[pk], ranks.get(pk, 0.0), pk))
    elif ranks:
        ids.sort(key=lambda pk: (ranks.get(pk, 0.0), distances.get(pk, 0.0), pk))
    elif centre is not None:
        ids.sort(key=lambda pk: (distances[pk], pk))
    else:
        ids.sort()

    size = max(1, min(filters.taille, PAGE_SIZE_MAX))
    pages = max(1, -(-len(ids) // size))
    page = max(1, min(filters.page, pages))
    page_ids = ids[(page - 1) * size : page * size]
    loaded = (
        Service.objects.select_related("structure")
        .only(*PAGE_FIELDS["service"])
        .prefetch_related(
            Prefetch("categories", queryset=Categorie.objects.only(*PAGE_FIELDS["categorie"])),
            Prefetch(
                "lieux",
                queryset=Lieu.objects.select_related("commune").only(*PAGE_FIELDS["lieu"]),
            ),
        )
        .in_bulk(page_ids)
    )
    facets = _facets_of(nearby, kept) if centre is not None else _facets(kept)
    return SearchResult(
        count=len(ids),
        page=page,
        pages=pages,
        services=[loaded[pk] for pk in page_ids if pk in loaded],
        distances={pk: distances[pk] for pk in ids if pk in distances},
        facets=facets,
        centre=centre,
        corrections=corrections,
    )


IDS_INLINE = 5000
# What a page of results shows (the API's ServiceOut and LieuOut, the result cards): reading
# only these keeps building the page's objects cheap.
PAGE_FIELDS = {
    "service": (
        "nom",
        "description",
        "frais",
        "modalites",
        "publics",
        "structure__nom",
    ),
    "categorie": ("code", "libelle"),
    "lieu": (
        "nom",
        "adresse",
        "code_postal",
        "latitude",
        "longitude",
        "placement",
        "horaires",
        "commune__code",
        "commune__nom",
    ),
}


def _territory_services(slug: str) -> QuerySet[Service, Any]:
    territoire = Territoire.objects.filter(slug=slug).first()
    if territoire is None:
        raise SearchError(f"Territoire inconnu : {slug}.")
    return Service.objects.filter(lieux__commune__territoires=territoire).values("pk")


def _structured(filters: SearchFilters) -> QuerySet[Service]:
    """The structured filters in SQL. Filters on many-valued relations are subqueries, so
    that no service is repeated."""
    services = Service.objects.order_by()
    if filters.territoire:
        services = services.filter(pk__in=_territory_services(filters.territoire))
    if filters.categories:
        services = services.filter(
            pk__in=Service.categories.through.objects.filter(
                categorie__code__in=filters.categories
            ).values("service_id")
        )
    if filters.public:
        services = services.filter(publics__icontains=f'"{filters.public}"')
    if filters.gratuit:
        services = services.filter(frais__icontains='"gratuit"')
    if filters.modalite:
        services = services.filter(modalites__icontains=f'"{filters.modalite}"')
    return services


@dataclass
class _Nearby:
    """A service with a lieu within the radius; `_describe` adds its facet values as the
    database stores them (JSON text, decoded only to count the facets)."""

    distance: float
    hours: list[str]
    fees: str = ""
    modes: str = ""
    audiences: str = ""
    kinds: str = ""
    categories: list[str] = field(default_factory=list)


def _nearby(centre: tuple[float, float], radius: float, territoire: str) -> dict[int, _Nearby]:
    """The services with a lieu within `radius` km of `centre` (of the territory, when
    given), by id.

    First the lieux in the radius' bounding box (an index range), kept when their exact
    great-circle distance is within the radius; then their services, by the through
    table's index on the lieu. Two index-driven reads: a join would make PostgreSQL hash
    the whole through table, whose size grows with the directory.
    """
    lat0, lon0 = centre
    dlat = radius / 111.0
    dlon = radius / (111.0 * max(0.05, math.cos(math.radians(lat0))))
    lieux: dict[int, tuple[float, str]] = {}
    for pk, lat, lon, horaires in Lieu.objects.filter(
        latitude__range=(lat0 - dlat, lat0 + dlat),
        longitude__range=(lon0 - dlon, lon0 + dlon),
    ).values_list("pk", "latitude", "longitude", "horaires"):
        distance = haversine_km(lat0, lon0, lat, lon)
        if distance <= radius:
            lieux[pk] = (distance, horaires)
    if not lieux:
        return {}
    rows = Service.lieux.through.objects.filter(lieu_id__in=ids_subquery(set(lieux)))
    if territoire:
        rows = rows.filter(service_id__in=_territory_services(territoire))
    found: dict[int, _Nearby] = {}
    for pk, lieu_id in rows.values_list("service_id", "lieu_id"):
        distance, horaires = lieux[lieu_id]
        item = found.get(pk)
        if item is None:
            found[pk] = _Nearby(distance, [horaires])
        else:
            item.distance = min(item.distance, distance)
            item.hours.append(horaires)
    return found


def _describe(nearby: dict[int, _Nearby], ids: set[int], filters: SearchFilters) -> set[int]:
    """Reads the facet values of the services `ids` (found near the place, matching the
    text) into `nearby` and returns those that pass the structured filters, tested here
    the way `_structured` tests them in SQL: the quoted value inside the JSON text,
    ignoring case. Reading after the text step keeps this to the services still in play.
    """
    if not ids:
        return set()
    rows = (
        Service.objects.filter(pk__in=ids_subquery(ids))
        .annotate(
            fees=Cast("frais", TextField()),
            modes=Cast("modalites", TextField()),
            audiences=Cast("publics", TextField()),
            kinds=Cast("structure__typologie", TextField()),
        )
        .values_list("pk", "fees", "modes", "audiences", "kinds", "categories__code")
        .order_by()
    )
    for pk, fees, modes, audiences, kinds, code in rows:
        item = nearby[pk]
        if not item.categories and not item.fees:
            item.fees, item.modes = fees or "", modes or ""
            item.audiences, item.kinds = audiences or "", kinds or ""
        if code:
            item.categories.append(code)
    wanted = [
        (name, f'"{value}"'.lower())
        for name, value in (
            ("audiences", filters.public),
            ("fees", "gratuit" if filters.gratuit else ""),
            ("modes", filters.modalite),
        )
        if value
    ]
    codes = set(filters.categories)
    return {
        pk
        for pk in ids
        if all(value in getattr(nearby[pk], name).lower() for name, value in wanted)
        and (not codes or codes.intersection(nearby[pk].categories))
    }


def _hours_of(ids: set[int]) -> list[tuple[int, str]]:
    rows = Service.lieux.through.objects.filter(service_id__in=ids_subquery(ids))
    return list(rows.values_list("service_id", "lieu__horaires"))


FACETS = ("categorie", "frais", "modalite", "public", "typologie")


def _facets(ids: set[int]) -> dict[str, list[dict[str, object]]]:
    """Counts per value among the matching services, for each facet (search without a
    place: the ids go as one parameter, however many)."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    if not ids:
        return _named(counters)
    services = Service.objects.filter(pk__in=ids_subquery(ids)).order_by()
    for fees, modes, audiences, kinds in services.values_list(
        "frais", "modalites", "publics", "structure__typologie"
    ):
        counters["frais"].update(set(fees or []))
        counters["modalite"].update(set(modes or []))
        counters["public"].update(set(audiences or []))
        counters["typologie"].update(set(kinds or []))
    through = Service.categories.through.objects.filter(service_id__in=ids_subquery(ids))
    counters["categorie"].update(through.values_list("categorie__code", flat=True))
    return _named(counters)


def _facets_of(nearby: dict[int, _Nearby], ids: set[int]) -> dict[str, list[dict[str, object]]]:
    """Facet counts from what a search near a place has already read. Services share few
    distinct value lists: count the lists first, then spread each list's count on its
    values."""
    lists: dict[str, Counter[str | tuple[str, ...]]] = {name: Counter() for name in FACETS}
    for pk in ids:
        item = nearby[pk]
        lists["categorie"][tuple(sorted(set(item.categories)))] += 1
        lists["frais"][item.fees] += 1
        lists["modalite"][item.modes] += 1
        lists["public"][item.audiences] += 1
        lists["typologie"][item.kinds] += 1
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for name, counted in lists.items():
        for values, count in counted.items():
            for value in values if isinstance(values, tuple) else _json_values(values):
                counters[name][value] += count
    return _named(counters)


@functools.lru_cache(maxsize=4096)
def _json_values(text: str) -> frozenset[str]:
    """The distinct values of a JSON list as stored; few distinct lists exist, so decoding
    each once keeps the facet count of thousands of services cheap."""
    if not text or text in ("[]", "null"):
        return frozenset()
    return frozenset(json.loads(text))


def _named(counters: dict[str, Counter[str]]) -> dict[str, list[dict[str, object]]]:
    names = {
        "categorie": dict(Categorie.objects.values_list("code", "libelle")),
        "frais": {f.value: str(f.label) for f in Frais},
        "modalite": {m.value: str(m.label) for m in Modalite},
    }
    return {
        name: [
            {"code": code, "libelle": names.get(name, {}).get(code, code), "count": count}
            # Most frequent first, ties by code: the same order on both databases.
            for code, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]
        for name, counter in counters.items()
    }


def ids_subquery(ids: set[int]) -> RawSQL:
    """A set of ids as one query parameter: `pk__in=ids_subquery(ids)` stays one short
    statement however many ids there are (a list would bind one parameter per id)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [sorted(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(sorted(ids))])
