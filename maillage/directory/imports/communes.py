"""Which commune a lieu of a file is in: its INSEE code, postal code, name or point."""

from __future__ import annotations

import re
from typing import Any

from maillage.core.geometry import haversine_km
from maillage.core.text import search_key
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune

from .standard import LieuRecord

_RESOLVER_FIELDS = (
    "pk",
    "code",
    "type",
    "nom",
    "search_name",
    "codes_postaux",
    "parent_id",
    "departement_id",
    "bbox_min_lon",
    "bbox_min_lat",
    "bbox_max_lon",
    "bbox_max_lat",
    "mairie_latitude",
    "mairie_longitude",
    "latitude",
    "longitude",
    "population",
)


class CommuneResolver:
    """Finds the commune (type COM) of a lieu from its INSEE code, postal code and name.

    In order: the INSEE code (an arrondissement's or a commune déléguée's leads to its
    commune); the postal code when it names one commune; the name among the communes of
    that postal code; the name in the département (CEDEX codes, merged communes).

    The reference is read as plain rows (about 37 000): building a model instance for each
    took most of the time of a small import. Instances are made only for the communes a file
    actually names.
    """

    def __init__(self) -> None:
        rows = Commune.objects.values_list(*_RESOLVER_FIELDS, "departement__code")
        self._rows: dict[int, tuple[Any, ...]] = {}
        self._departement: dict[int, str] = {}
        self._instances: dict[int, Commune] = {}
        self.by_code: dict[str, int] = {}
        self.by_postal: dict[str, set[int]] = {}
        self.by_name: dict[tuple[str, str], set[int]] = {}
        self._by_departement: dict[str, list[int]] = {}
        all_rows = list(rows)
        for row in all_rows:
            if row[2] == CommuneType.COMMUNE:
                self._rows[row[0]] = row[:-1]
                self._departement[row[0]] = row[-1] or ""
                self._by_departement.setdefault(row[-1] or "", []).append(row[0])
        for row in all_rows:
            pk, code, _type, _nom, search_name, codes_postaux, parent_id = row[:7]
            target = pk if pk in self._rows else parent_id
            if target not in self._rows:
                continue
            self.by_code.setdefault(code, target)
            for postal in codes_postaux or ():
                self.by_postal.setdefault(postal, set()).add(target)
            self.by_name.setdefault((row[-1] or "", search_name), set()).add(target)

    def _commune(self, pk: int) -> Commune:
        found = self._instances.get(pk)
        if found is None:
            found = Commune(**dict(zip(_RESOLVER_FIELDS, self._rows[pk], strict=True)))
            self._instances[pk] = found
        return found

    def resolve(
        self, record: LieuRecord, departements_covered: list[str] | None = None
    ) -> Commune | None:
        """`departements_covered`: where to look a name up when the postal code is missing."""
        departements = _departements_of(record.code_postal)
        if not record.code_postal and departements_covered:
            departements = tuple(departements_covered)
        by_code = self.by_code.get(record.code_insee)
        # Trust the INSEE code only when the postal code agrees with it: some files carry
        # the code of a namesake (Mont-Dore in Puy-de-Dôme for Mont-Dore in New Caledonia).
        if by_code is not None:
            commune = self._commune(by_code)
            if (
                not record.code_postal
                or record.code_postal in commune.codes_postaux
                or self._departement[by_code] in departements
            ):
                return commune
        candidates = [self._commune(pk) for pk in self.by_postal.get(record.code_postal, ())]
        if len(candidates) == 1:
            return candidates[0]
        # "MARSEILLE 11", "Paris 5e": the arrondissement number is not part of the name.
        name = search_key(re.sub(r"\s+\d+(er|e|eme)?$", "", record.commune_nom, flags=re.I))
        if not name:
            return None
        for commune in candidates:
            if commune.search_name == name:
                return commune
        matches: set[int] = set()
        for code in departements:
            matches |= self.by_name.get((code, name), set())
        if len(matches) == 1:
            return self._commune(next(iter(matches)))
        return self._from_point(record, candidates, departements)

    def main_commune(self, code_postal: str) -> tuple[Commune, list[Commune]] | None:
        """The most populated commune of a postal code shared by several, and the others."""
        candidates = [self._commune(pk) for pk in self.by_postal.get(code_postal, ())]
        if len(candidates) < 2:
            return None
        candidates.sort(key=lambda c: (-(c.population or 0), c.nom))
        return candidates[0], candidates[1:]

    def _from_point(
        self, record: LieuRecord, candidates: list[Commune], departements: tuple[str, ...]
    ) -> Commune | None:
        """Last resort for lieux-dits and former names: the commune around the point."""
        if record.latitude is None or record.longitude is None:
            return None
        pool = candidates or [
            self._commune(pk) for code in departements for pk in self._by_departement.get(code, ())
        ]
        lat, lon = record.latitude, record.longitude
        around = [
            c
            for c in pool
            if c.bbox is not None
            and c.bbox_min_lon <= lon <= c.bbox_max_lon  # type: ignore[operator]
            and c.bbox_min_lat <= lat <= c.bbox_max_lat  # type: ignore[operator]
        ]
        if not around:
            return None
        return min(
            around, key=lambda c: haversine_km(lat, lon, c.latitude or lat, c.longitude or lon)
        )


def _departements_of(code_postal: str) -> tuple[str, ...]:
    """Département codes a postal code may belong to ("20xxx" is Corsica: 2A or 2B)."""
    if code_postal.startswith("97"):
        return (code_postal[:3],)
    if code_postal.startswith("20"):
        return ("2A", "2B")
    return (code_postal[:2],)
