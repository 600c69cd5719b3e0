"""Planner instances read from the database, and the one function the CLI and API share."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Case, QuerySet, When

from maillage.directory.models import Categorie, Lieu
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune, Territoire

from . import planner

#: `--territoire france` plans on every commune when no territory has that slug.
FRANCE = "france"
CANDIDATES_MAIRIES = "mairies"
CANDIDATES_COMMUNES = "communes"
MAX_RADIUS_KM = 200.0


class PlanError(Exception):
    """A request the planner refuses, with a French message for the user."""

    def __init__(self, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


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


def territoire_communes(slug: str) -> QuerySet[Commune]:
    """The territory's communes (type COM); `france` is the whole country when no territory
    is called so."""
    territoire = Territoire.objects.filter(slug=slug).first()
    if territoire is not None:
        return territoire.communes.all()
    if slug == FRANCE:
        return Commune.objects.communes()
    raise PlanError(f"Territoire inconnu : « {slug} ».", status=404)


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


def _candidates(communes: QuerySet[Commune], candidats: str, itinerant: bool) -> CommunePoints:
    if candidats == CANDIDATES_MAIRIES and not itinerant:
        return mairie_points(communes)
    if candidats in (CANDIDATES_MAIRIES, CANDIDATES_COMMUNES):
        return commune_points(communes, point="centroide")
    codes = sorted({c.strip() for c in candidats.replace(";", ",").split(",") if c.strip()})
    chosen = communes.filter(code__in=codes)
    points = mairie_points(chosen) if not itinerant else commune_points(chosen, point="centroide")
    unknown = sorted(set(codes) - set(points.codes))
    if unknown:
        raise PlanError(
            "Communes candidates inconnues dans ce territoire ou sans position : "
            + ", ".join(unknown[:20])
            + ("…" if len(unknown) > 20 else "")
            + "."
        )
    return points


def plan_compute(
    *,
    territoire: str,
    categorie: str,
    sites: int,
    rayon_km: float,
    exact: bool = False,
    candidats: str = CANDIDATES_MAIRIES,
    itinerant: bool = False,
    max_sites: int | None = None,
    time_limit_s: float = 60.0,
) -> dict[str, Any]:
    """The planner's answer in the contract's JSON shape (PRODUCT.md), for the CLI and the API.

    Raises PlanError with a French message for any input it cannot plan on.
    """
    started = time.perf_counter()
    if isinstance(sites, bool) or not isinstance(sites, int) or sites <= 0:
        raise PlanError("Le nombre de sites doit être un entier strictement positif.")
    if max_sites is not None and sites > max_sites:
        raise PlanError(
            f"Au plus {max_sites} sites par calcul ici ; la ligne de commande "
            "`maillage plan` accepte davantage."
        )
    if not math.isfinite(rayon_km) or rayon_km <= 0:
        raise PlanError("Le rayon doit être un nombre de kilomètres strictement positif.")
    if rayon_km > MAX_RADIUS_KM:
        raise PlanError(f"Le rayon ne peut dépasser {MAX_RADIUS_KM:.0f} km.")
    if not Categorie.objects.filter(code=categorie).exists():
        raise PlanError(f"Catégorie inconnue : « {categorie} ».", status=404)
    communes = territoire_communes(territoire)
    demand = commune_points(communes)
    candidates = _candidates(communes, candidats, itinerant)
    if sites > len(candidates.codes):
        raise PlanError(
            f"Le territoire n'offre que {len(candidates.codes)} emplacements candidats : "
            f"demandez au plus {len(candidates.codes)} sites."
        )
    supply_lat, supply_lon = categorie_lieux_points(categorie)
    plan = planner.plan_solve(
        demand_latitude=demand.latitude,
        demand_longitude=demand.longitude,
        population=demand.population,
        supply_latitude=supply_lat,
        supply_longitude=supply_lon,
        candidate_latitude=candidates.latitude,
        candidate_longitude=candidates.longitude,
        radius_km=rayon_km,
        sites=sites,
        use_exact=exact,
        time_limit_s=time_limit_s,
    )
    solution = plan.solution
    chosen = [
        {
            "commune": candidates.codes[j],
            "nom": candidates.noms[j],
            "latitude": round(float(candidates.latitude[j]), 6),
            "longitude": round(float(candidates.longitude[j]), 6),
            "population_gagnee": round(gain),
        }
        for j, gain in zip(solution.sites, solution.gains, strict=True)
    ]
    result: dict[str, Any] = {
        "territoire": territoire,
        "categorie": categorie,
        "rayon_km": float(rayon_km),
        "methode": solution.method,
        "sites": chosen,
        "population_totale": round(plan.population_total),
        "population_couverte_avant": round(plan.covered_before),
        "population_couverte_apres": round(plan.covered_after),
        # Populations are whole numbers, so the optimum is too: a fractional bound rounds down.
        "borne_superieure": max(round(plan.covered_after), math.floor(plan.upper_bound + 1e-6)),
        "optimal": solution.optimal,
        "communes_ignorees": demand.skipped,
    }
    if itinerant:
        order, length = planner.tour_order(
            candidates.latitude[solution.sites], candidates.longitude[solution.sites]
        )
        result["mode"] = "itinerant"
        result["tournee"] = [chosen[i]["commune"] for i in order]
        result["longueur_tournee_km"] = round(length, 1)
    result["duree_s"] = round(time.perf_counter() - started, 3)
    return result


@dataclass(frozen=True)
class CategorieAccess:
    """Per commune of a perimeter: distance to the nearest lieu of one category."""

    categorie: str
    codes: list[str]
    population: np.ndarray
    distance_km: np.ndarray  # great circle; +inf when the category is offered nowhere
    road_km: np.ndarray  # distance_km × OBSERVATORY_ROAD_FACTOR
    skipped: int

    def coverage(self, radius_km: float) -> float:
        """Share of the population within `radius_km` (great circle) of the category."""
        from .accessibility import coverage_share

        return coverage_share(self.population, self.distance_km, radius_km)


def categorie_access(communes: QuerySet[Commune], categorie: str) -> CategorieAccess:
    """Distance from each commune's population point to the nearest lieu of the category:
    the computed indicator `distance-plus-proche:<categorie>` and coverage shares."""
    from .accessibility import nearest_supply

    demand = commune_points(communes)
    supply_lat, supply_lon = categorie_lieux_points(categorie)
    nearest = nearest_supply(demand.latitude, demand.longitude, supply_lat, supply_lon)
    return CategorieAccess(
        categorie=categorie,
        codes=demand.codes,
        population=demand.population,
        distance_km=nearest.distance_km,
        road_km=nearest.road_km(road_factor()),
        skipped=demand.skipped,
    )


def commune_for_indicators(code: str) -> Commune | None:
    """The commune with this INSEE code, the full commune (COM) first."""
    return (
        Commune.objects.filter(code=code)
        .select_related("departement")
        .order_by(Case(When(type=CommuneType.COMMUNE, then=0), default=1))
        .first()
    )


def commune_indicators(commune: Commune) -> list[dict[str, Any]]:
    """Each indicator's latest value for the commune, with the national median."""
    from .models import ValeurIndicateur

    values = (
        ValeurIndicateur.objects.filter(commune=commune)
        .select_related("indicateur")
        .order_by("indicateur__code", "-date")
    )
    latest: dict[str, dict[str, Any]] = {}
    for value in values:
        indicateur = value.indicateur
        if indicateur.code in latest:
            continue
        latest[indicateur.code] = {
            "code": indicateur.code,
            "libelle": indicateur.libelle,
            "valeur": value.valeur,
            "unite": indicateur.unite,
            "source": indicateur.source,
            "date": value.date,
            "origine": indicateur.origine,
            "mediane_nationale": indicateur.mediane_nationale
            if indicateur.date == value.date
            else None,
        }
    return list(latest.values())


def territoire_medians(territoire: Territoire, latest: dict[str, Any]) -> dict[str, float]:
    """Median over the territory's communes of each indicator at the given date
    (`latest`: indicator code → date), in one read."""
    from .models import ValeurIndicateur

    rows = ValeurIndicateur.objects.filter(
        commune__in=territoire.communes.all(),
        indicateur__code__in=list(latest),
        date__in=set(latest.values()),
    ).values_list("indicateur__code", "date", "valeur")
    groups: dict[str, list[float]] = {}
    for code, day, valeur in rows.iterator(chunk_size=5000):
        if latest[code] == day:
            groups.setdefault(code, []).append(valeur)
    return {code: float(np.median(values)) for code, values in groups.items()}


def demand_territoire_total(communes: QuerySet[Commune], categorie: str) -> dict[str, Any]:
    """The territory's orientation requests for a category, at the latest demand snapshot:
    the sum of the *published* commune values only, and how many communes it covers.

    Communes below the k ≥ 5 threshold have no value and are left out of the sum, so the
    total is a lower bound (show it as « au moins N ») and subtracting the published cells
    from it never reveals a hidden one. The true total is deliberately not published.
    """
    from .models import ValeurIndicateur
    from .services import DEMAND_PREFIX

    values = ValeurIndicateur.objects.filter(
        indicateur__code=f"{DEMAND_PREFIX}{categorie}", commune__in=communes
    )
    day = values.order_by("-date").values_list("date", flat=True).first()
    if day is None:
        return {"categorie": categorie, "date": None, "au_moins": 0, "communes": 0}
    rows = list(values.filter(date=day).values_list("valeur", flat=True))
    return {
        "categorie": categorie,
        "date": day,
        "au_moins": int(sum(rows)),
        "communes": len(rows),
    }
