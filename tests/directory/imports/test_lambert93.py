"""Lambert-93 ↔ WGS 84 without PROJ: checked against the IGN's own test values (< 1 m)."""

import math

import pytest

from maillage.directory.imports import lambert93
from maillage.directory.imports.lambert93 import Projection

# One metre on the ground, in degrees of latitude (and of longitude at 51° N, the worst case
# in metropolitan France).
METRE_LAT = 1 / 111_000
METRE_LON = 1 / (111_000 * math.cos(math.radians(51)))


def test_isometric_latitude_matches_the_ign_test_values():
    """IGN NT/G 71, ALG0001 and ALG0002 test sets (e = 0.08199188998)."""
    assert lambert93.isometric_latitude(0.872664626, 0.08199188998) == pytest.approx(
        1.00552653649, abs=1e-10
    )
    assert lambert93.latitude_from_isometric(1.00552653648, 0.08199188997902) == pytest.approx(
        0.87266462600, abs=1e-10
    )


def test_inverse_projection_matches_the_ign_test_values():
    """IGN NT/G 71, ALG0004 test set (a Lambert zone on the Clarke ellipsoid)."""
    projection = Projection(
        n=0.7604059656,
        c=11603796.98,
        xs=600000.0,
        ys=5657616.674,
        lambda_c=0.04079234433,
        e=0.0824832568,
    )
    lam, phi = projection.inverse_radians(1029705.083, 272723.849)
    # 1e-9 rad is 6 mm on the ground.
    assert lam == pytest.approx(0.145512099, abs=1e-9)
    assert phi == pytest.approx(0.872664626, abs=1e-9)


def test_lambert93_constants_are_the_published_ones():
    """The constants derived from the definition of EPSG:2154 (ALG0054) are those the IGN
    publishes for Lambert-93: n = 0.7256077650, C = 11 754 255.426 m, Ys = 12 655 612.050 m."""
    p = lambert93.LAMBERT93
    assert p.n == pytest.approx(0.7256077650, abs=1e-10)
    assert p.c == pytest.approx(11754255.426, abs=1e-3)
    assert (p.xs, p.ys) == (700000.0, pytest.approx(12655612.050, abs=1e-3))


def test_the_false_origin_and_round_trips_agree_to_a_millimetre():
    latitude, longitude = lambert93.to_wgs84(700000.0, 6600000.0)
    assert (latitude, longitude) == (pytest.approx(46.5, abs=1e-9), pytest.approx(3.0, abs=1e-9))
    # Corners and middle of metropolitan France, Corsica included.
    for lat, lon in [(51.0, 2.5), (42.4, 3.1), (48.4, -4.7), (49.0, 8.2), (41.4, 9.2), (45.0, 0.0)]:
        x, y = lambert93.from_wgs84(lat, lon)
        back = lambert93.to_wgs84(x, y)
        assert back == (pytest.approx(lat, abs=1e-9), pytest.approx(lon, abs=1e-9))


def test_a_point_computed_by_hand_from_the_formulas():
    """On the central meridian the projection reduces to y = Ys − C·exp(−n·L(φ)): for
    φ = 48°, L(φ) = ln(tan(π/4 + φ/2)·((1 − e·sin φ)/(1 + e·sin φ))^(e/2)) = 0.952485826 and
    y = 12 655 612.050 − 11 754 255.426 × exp(−0.7256077650 × 0.952485826) = 6 766 623.69 m."""
    y = 6766623.69
    latitude, longitude = lambert93.to_wgs84(700000.0, y)
    assert latitude == pytest.approx(48.0, abs=METRE_LAT / 100)
    assert longitude == pytest.approx(3.0, abs=METRE_LON / 100)


def test_a_lambert93_pair_is_detected_in_either_order():
    assert lambert93.detect(475198.12, 6692424.5) == (475198.12, 6692424.5)
    assert lambert93.detect(6692424.5, 475198.12) == (475198.12, 6692424.5)
    assert lambert93.detect(47.3, -0.03) is None
    assert lambert93.detect(123.0, 456.0) is None
