"""Distance from demand points to the nearest supply point, and coverage within a radius.

Pure NumPy/SciPy on arrays, no ORM. Points are projected to unit vectors in 3D: the
straight-line (chord) distance between two unit vectors is a monotonic function of the
great-circle distance, so a k-d tree on the vectors answers "nearest on the sphere"
exactly, and the chord converts back to exact great-circle kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088

#: Road distance ≈ great-circle distance × this factor. 1.3 is the usual order of magnitude
#: of the detour index measured on French roads (between 1.2 in plains and 1.4 in
#: mountains); a setting (OBSERVATORY_ROAD_FACTOR) overrides it.
DEFAULT_ROAD_FACTOR = 1.3

FloatArray = NDArray[np.float64]


def unit_vectors(latitude: ArrayLike, longitude: ArrayLike) -> FloatArray:
    """(n, 3) unit vectors of WGS 84 points taken on a sphere."""
    phi = np.radians(np.asarray(latitude, dtype=np.float64))
    lam = np.radians(np.asarray(longitude, dtype=np.float64))
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_from_km(km: ArrayLike) -> FloatArray:
    """Chord length on the unit sphere for a great-circle distance in km."""
    angle = np.minimum(np.asarray(km, dtype=np.float64) / EARTH_RADIUS_KM, np.pi)
    return 2.0 * np.sin(angle / 2.0)


def km_from_chord(chord: ArrayLike) -> FloatArray:
    """Great-circle distance in km for a chord length on the unit sphere."""
    half = np.clip(np.asarray(chord, dtype=np.float64) / 2.0, 0.0, 1.0)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(half)


@dataclass(frozen=True)
class Nearest:
    """For each demand point: great-circle km to the nearest supply point and its index.

    `distance_km` is +inf and `index` is -1 when there is no supply at all.
    """

    distance_km: FloatArray
    index: NDArray[np.intp]

    def road_km(self, road_factor: float = DEFAULT_ROAD_FACTOR) -> FloatArray:
        """Estimated road distance: the great-circle distance times the detour factor."""
        return self.distance_km * road_factor


def nearest_supply(
    demand_latitude: ArrayLike,
    demand_longitude: ArrayLike,
    supply_latitude: ArrayLike,
    supply_longitude: ArrayLike,
) -> Nearest:
    """Nearest supply point of every demand point, on the sphere."""
    demand = unit_vectors(demand_latitude, demand_longitude)
    supply = unit_vectors(supply_latitude, supply_longitude)
    if len(supply) == 0:
        return Nearest(np.full(len(demand), np.inf), np.full(len(demand), -1, dtype=np.intp))
    chord, index = cKDTree(supply).query(demand, k=1)
    return Nearest(km_from_chord(chord), np.asarray(index, dtype=np.intp))


def covered(distance_km: ArrayLike, radius_km: float) -> NDArray[np.bool_]:
    """True where the distance is within the radius (inclusive)."""
    return np.asarray(distance_km, dtype=np.float64) <= radius_km


def coverage_share(population: ArrayLike, distance_km: ArrayLike, radius_km: float) -> float:
    """Share of the population (0..1) living within `radius_km`; 0 for no population."""
    weights = np.asarray(population, dtype=np.float64)
    total = weights.sum()
    if total <= 0:
        return 0.0
    return float(weights[covered(distance_km, radius_km)].sum() / total)
