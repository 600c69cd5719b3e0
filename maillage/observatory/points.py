"""The demand and supply points of the accessibility and the planner, read from the
database: each commune's population point, the mairies, and the lieux of a category."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import QuerySet

from maillage.directory.models import Lieu
from maillage.territories.models import Commune


@dataclass(frozen=True)
class CommunePoints:
    """Communes as parallel arrays; `latitude`/`longitude` is the chosen point of each."""

    codes: list[str]
    noms: list[str]
    latitude: np.ndarray
    longitude: np.ndarray
    population: np.ndarray
    skipped: int = 0


def road_factor() -> float:
    return float(getattr(settings, "OBSERVATORY_ROAD_FACTOR", 1.3))


def commune_points(communes: QuerySet[Commune], *, point: str = "population") -> CommunePoints:
    """Each commune's population point (mairie when known, else centroid) or its centroid
    (`point="centroide"`), skipping communes without a position or, for the population
    point, without inhabitants."""
    rows = communes.order_by("code").values_list(
        "code", "nom", "population", "mairie_latitude", "mairie_longitude", "latitude", "longitude"
    )
    codes, noms, lats, lons, pops = [], [], [], [], []
    skipped = 0
    for code, nom, population, m_lat, m_lon, c_lat, c_lon in rows.iterator(chunk_size=5000):
        if point == "centroide":
            lat, lon = (c_lat, c_lon) if c_lat is not None else (m_lat, m_lon)
        else:
            lat, lon = (m_lat, m_lon) if m_lat is not None else (c_lat, c_lon)
        if lat is None or lon is None or (point == "population" and not population):
            skipped += 1
            continue
        codes.append(code)
        noms.append(nom)
        lats.append(lat)
        lons.append(lon)
        pops.append(population or 0)
    return CommunePoints(
        codes, noms, np.array(lats, float), np.array(lons, float), np.array(pops, float), skipped
    )


def mairie_points(communes: QuerySet[Commune]) -> CommunePoints:
    """The mairies with a known point (corrected when the source put it outside the commune)."""
    rows = (
        communes.exclude(mairie_latitude=None)
        .exclude(mairie_longitude=None)
        .order_by("code")
        .values_list("code", "nom", "population", "mairie_latitude", "mairie_longitude")
    )
    codes, noms, lats, lons, pops = [], [], [], [], []
    for code, nom, population, lat, lon in rows.iterator(chunk_size=5000):
        codes.append(code)
        noms.append(nom)
        lats.append(lat)
        lons.append(lon)
        pops.append(population or 0)
    return CommunePoints(
        codes, noms, np.array(lats, float), np.array(lons, float), np.array(pops, float)
    )


def categorie_lieux_points(code: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the lieux where at least one service of the category is offered."""
    rows = (
        Lieu.objects.filter(services__categories__code=code)
        .distinct()
        .values_list("latitude", "longitude")
    )
    points = np.array(list(rows), dtype=float).reshape(-1, 2)
    return points[:, 0], points[:, 1]
