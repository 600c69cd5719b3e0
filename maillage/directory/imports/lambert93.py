"""Lambert-93 (EPSG:2154) ↔ WGS 84 longitude/latitude, without PROJ.

Lambert conformal conic with two standard parallels on the GRS 80 ellipsoid, following the
IGN's algorithm notes (NT/G 71: ALG0001 isometric latitude, ALG0002 latitude from isometric
latitude, ALG0003 forward projection, ALG0004 inverse projection, ALG0054 projection
constants). RGF93 and WGS 84 differ by less than a metre: no datum shift is applied, which
is well within what a directory needs (the tests check < 1 m).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# GRS 80
A = 6378137.0
F = 1 / 298.257222101
E = math.sqrt(2 * F - F * F)


def isometric_latitude(phi: float, e: float = E) -> float:
    """ALG0001: isometric latitude of the geodetic latitude `phi` (radians)."""
    s = e * math.sin(phi)
    return math.log(math.tan(math.pi / 4 + phi / 2) * ((1 - s) / (1 + s)) ** (e / 2))


def latitude_from_isometric(latiso: float, e: float = E, epsilon: float = 1e-12) -> float:
    """ALG0002: geodetic latitude (radians) of an isometric latitude, by iteration."""
    phi = 2 * math.atan(math.exp(latiso)) - math.pi / 2
    while True:
        s = e * math.sin(phi)
        nxt = 2 * math.atan(((1 + s) / (1 - s)) ** (e / 2) * math.exp(latiso)) - math.pi / 2
        if abs(nxt - phi) < epsilon:
            return nxt
        phi = nxt


@dataclass(frozen=True)
class Projection:
    """Constants of a Lambert conformal conic projection (ALG0054 names)."""

    n: float
    c: float
    xs: float
    ys: float
    lambda_c: float  # central meridian, radians
    e: float = E

    @classmethod
    def secant(
        cls,
        *,
        lambda0: float,
        phi0: float,
        phi1: float,
        phi2: float,
        x0: float,
        y0: float,
        a: float = A,
        e: float = E,
    ) -> Projection:
        """ALG0054: constants from two standard parallels and the false origin (degrees)."""
        p0, p1, p2 = (math.radians(v) for v in (phi0, phi1, phi2))

        def big_n(phi: float) -> float:
            return a / math.sqrt(1 - (e * math.sin(phi)) ** 2)

        n = math.log((big_n(p2) * math.cos(p2)) / (big_n(p1) * math.cos(p1))) / (
            isometric_latitude(p1, e) - isometric_latitude(p2, e)
        )
        c = big_n(p1) * math.cos(p1) / n * math.exp(n * isometric_latitude(p1, e))
        ys = y0 + c * math.exp(-n * isometric_latitude(p0, e))
        return cls(n=n, c=c, xs=x0, ys=ys, lambda_c=math.radians(lambda0), e=e)

    def forward(self, longitude: float, latitude: float) -> tuple[float, float]:
        """ALG0003: (x, y) in metres of a longitude/latitude in degrees."""
        lam, phi = math.radians(longitude), math.radians(latitude)
        r = self.c * math.exp(-self.n * isometric_latitude(phi, self.e))
        gamma = self.n * (lam - self.lambda_c)
        return self.xs + r * math.sin(gamma), self.ys - r * math.cos(gamma)

    def inverse_radians(self, x: float, y: float) -> tuple[float, float]:
        """ALG0004: (longitude, latitude) in radians of (x, y) in metres."""
        dx, dy = x - self.xs, y - self.ys
        r = math.hypot(dx, dy)
        gamma = math.atan(dx / -dy)
        lam = self.lambda_c + gamma / self.n
        latiso = -1 / self.n * math.log(abs(r / self.c))
        return lam, latitude_from_isometric(latiso, self.e)

    def inverse(self, x: float, y: float) -> tuple[float, float]:
        """(longitude, latitude) in degrees of (x, y) in metres."""
        lam, phi = self.inverse_radians(x, y)
        return math.degrees(lam), math.degrees(phi)


LAMBERT93 = Projection.secant(
    lambda0=3.0, phi0=46.5, phi1=44.0, phi2=49.0, x0=700_000.0, y0=6_600_000.0
)

# Where Lambert-93 values of metropolitan France fall (with a margin): eastings roughly
# 100 km – 1 250 km, northings 6 000 km – 7 150 km. A latitude/longitude pair in these
# ranges is a Lambert-93 pair written in the wrong columns.
X_RANGE = (50_000.0, 1_300_000.0)
Y_RANGE = (6_000_000.0, 7_200_000.0)


def to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees of a Lambert-93 point (x easting, y northing)."""
    longitude, latitude = LAMBERT93.inverse(x, y)
    return latitude, longitude


def from_wgs84(latitude: float, longitude: float) -> tuple[float, float]:
    """(x, y) Lambert-93 of a WGS 84 point."""
    return LAMBERT93.forward(longitude, latitude)


def detect(first: float, second: float) -> tuple[float, float] | None:
    """(x, y) when the two values look like a Lambert-93 pair, in either order; else None."""
    for x, y in ((first, second), (second, first)):
        if X_RANGE[0] <= x <= X_RANGE[1] and Y_RANGE[0] <= y <= Y_RANGE[1]:
            return x, y
    return None
