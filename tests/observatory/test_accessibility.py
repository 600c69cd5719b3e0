"""Distances to the nearest supply and coverage, on points whose answers are known by hand."""

import math

import numpy as np
import pytest

from maillage.core.geometry import haversine_km
from maillage.observatory import accessibility as acc

ONE_DEGREE_KM = 2 * math.pi * acc.EARTH_RADIUS_KM / 360  # ≈ 111.195 km


def test_one_degree_of_latitude_is_about_111_km():
    """A supply point 1° of latitude north is 111.2 km away along the great circle."""
    nearest = acc.nearest_supply([45.0], [2.0], [46.0], [2.0])
    assert nearest.distance_km[0] == pytest.approx(ONE_DEGREE_KM, rel=1e-9)
    assert round(nearest.distance_km[0], 1) == 111.2
    assert nearest.index[0] == 0


def test_distance_matches_haversine_on_scattered_points():
    """The k-d tree on unit vectors gives the exact great-circle distance, not an approximation."""
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(41, 51, 200), rng.uniform(-5, 9, 200)
    slat, slon = rng.uniform(41, 51, 30), rng.uniform(-5, 9, 30)
    nearest = acc.nearest_supply(lat, lon, slat, slon)
    for i in range(len(lat)):
        brute = min(haversine_km(lat[i], lon[i], a, b) for a, b in zip(slat, slon, strict=True))
        assert nearest.distance_km[i] == pytest.approx(brute, abs=1e-6)


def test_nearest_of_several_supply_points_and_road_factor():
    """The nearer supply wins; the road estimate is the great-circle distance times the factor."""
    nearest = acc.nearest_supply([0.0], [0.0], [0.0, 0.0], [3.0, -0.5])
    assert nearest.index[0] == 1
    assert nearest.distance_km[0] == pytest.approx(ONE_DEGREE_KM / 2)
    assert nearest.road_km(1.3)[0] == pytest.approx(1.3 * ONE_DEGREE_KM / 2)
    assert acc.DEFAULT_ROAD_FACTOR == 1.3


def test_no_supply_means_infinite_distance():
    """Without any supply point every distance is infinite and nothing is covered."""
    nearest = acc.nearest_supply([45.0, 46.0], [1.0, 1.0], [], [])
    assert np.isinf(nearest.distance_km).all()
    assert (nearest.index == -1).all()
    assert acc.coverage_share([10, 20], nearest.distance_km, 50) == 0.0


def test_coverage_share_counts_population_within_radius_inclusive():
    """Share of people within R km, the boundary included; zero population gives 0."""
    distances = np.array([0.0, 10.0, 10.0000001, 30.0])
    assert acc.covered(distances, 10).tolist() == [True, True, False, False]
    assert acc.coverage_share([100, 50, 25, 25], distances, 10) == pytest.approx(0.75)
    assert acc.coverage_share([0, 0], [1.0, 2.0], 10) == 0.0


def test_chord_round_trip():
    """Chord and great-circle distance convert into each other."""
    km = np.array([0.0, 1.0, 111.0, 5000.0])
    assert acc.km_from_chord(acc.chord_from_km(km)) == pytest.approx(km)
