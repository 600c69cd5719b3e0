"""Find the same place published by two producers; pure module, no ORM.

Pairs are blocked by distance (a grid of about 1 km) and by SIRET, then scored on four
signals: name similarity, address similarity (a different house number weighs heavily),
distance, and an identical SIRET. Above `MERGE` the pair is merged automatically; between
`REVIEW` and `MERGE` it goes to the review queue; below, the two places stay apart.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from maillage.core.geometry import haversine_km
from maillage.core.text import fold

MERGE = 0.70
REVIEW = 0.50
NAME_FOR_MERGE = 0.6
BLOCK_KM = 1.0
_GENERIC = frozenset(
    "de du des la le les l d et a au aux en sur espace lieu point numerique numeriques "
    "france services service".split()
)
_ADDRESS_NOISE = frozenset(
    "rue r avenue av bd boulevard place pl chemin ch route rte allee impasse quai cours "
    "de du des la le les l d bp cs cedex".split()
)
_NUMBER = re.compile(r"^\d+")


@dataclass(frozen=True)
class Place:
    key: str
    nom: str
    adresse: str
    code_postal: str
    pivot: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Features:
    name: float
    address: float
    distance_km: float | None
    same_pivot: bool


def _name_tokens(text: str) -> set[str]:
    tokens = set(fold(text).split())
    return tokens - _GENERIC or tokens


def _address_parts(text: str) -> tuple[str | None, set[str]]:
    words = fold(text).split()
    number = next((m.group(0) for w in words if (m := _NUMBER.match(w))), None)
    return number, {w for w in words if w not in _ADDRESS_NOISE and not w.isdigit()}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def features(a: Place, b: Place) -> Features:
    name = max(
        _jaccard(_name_tokens(a.nom), _name_tokens(b.nom)),
        SequenceMatcher(None, fold(a.nom), fold(b.nom)).ratio(),
    )
    number_a, words_a = _address_parts(a.adresse)
    number_b, words_b = _address_parts(b.adresse)
    address = _jaccard(words_a, words_b)
    if number_a and number_b and number_a != number_b:
        address *= 0.3
    distance = None
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        distance = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]
    same_pivot = bool(a.pivot) and a.pivot == b.pivot
    return Features(name, address, distance, same_pivot)


def score(f: Features) -> float:
    """0 (surely two places) to 1 (surely one place)."""
    if f.distance_km is None:
        proximity = 0.5
    else:
        # 1 within 50 m, 0.5 at about 300 m, 0 beyond 2 km.
        proximity = max(0.0, min(1.0, 1 - math.log10(max(f.distance_km, 0.05) / 0.05) / 1.6))
    value = 0.45 * f.name + 0.30 * f.address + 0.25 * proximity
    if f.same_pivot:
        value += 0.15
    if f.distance_km is not None and f.distance_km > 2:
        value -= 0.3
    return max(0.0, min(1.0, value))


def decision(f: Features) -> str:
    """ "doublon" (merge), "a_verifier" (review queue) or "distinct".

    Two different names at one address (a France services inside a médiathèque) are never
    merged without a person looking: they may be two structures sharing a building.
    """
    value = score(f)
    if value >= MERGE and (f.name >= NAME_FOR_MERGE or f.same_pivot):
        return "doublon"
    if value >= REVIEW:
        return "a_verifier"
    return "distinct"


def candidate_pairs(left: Iterable[Place], right: Iterable[Place]) -> Iterator[tuple[Place, Place]]:
    """Pairs (one from each side) close enough, or sharing a SIRET in the same postal code."""
    grid: dict[tuple[int, int], list[Place]] = defaultdict(list)
    by_pivot: dict[tuple[str, str], list[Place]] = defaultdict(list)
    cell = BLOCK_KM / 111.0
    for place in right:
        if place.latitude is not None and place.longitude is not None:
            grid[(int(place.latitude // cell), int(place.longitude // cell))].append(place)
        if place.pivot:
            by_pivot[(place.pivot, place.code_postal)].append(place)
    for place in left:
        seen: set[str] = set()
        if place.latitude is not None and place.longitude is not None:
            row, col = int(place.latitude // cell), int(place.longitude // cell)
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    for other in grid.get((row + dr, col + dc), ()):
                        if other.key not in seen:
                            seen.add(other.key)
                            yield place, other
        if place.pivot:
            for other in by_pivot.get((place.pivot, place.code_postal), ()):
                if other.key not in seen:
                    seen.add(other.key)
                    yield place, other


def best_matches(left: list[Place], right: list[Place]) -> list[tuple[Place, Place, float]]:
    """For each place on the left, its best-scoring partner on the right (if any above REVIEW)."""
    best: dict[str, tuple[Place, Place, float]] = {}
    for a, b in candidate_pairs(left, right):
        value = score(features(a, b))
        if value >= REVIEW and value > best.get(a.key, (a, b, -1.0))[2]:
            best[a.key] = (a, b, value)
    return list(best.values())
