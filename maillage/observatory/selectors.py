"""Reads of the observatory: the distance to each category, a commune's indicators, and the
territory's values, coverage and white zones that the observatory page shows (the demand
and supply points themselves are read by `points`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Case, Count, F, Max, Q, QuerySet, When

from maillage.directory.models import Categorie, Lieu, Service
from maillage.territories.enums import CommuneType
from maillage.territories.models import Commune, Territoire

from .accessibility import coverage_share, nearest_supply
from .codes import (
    DISTANCE_PREFIX,
    demand_code,
    distance_code,
    indicateur_group,
    indicateur_group_rank,
)
from .enums import IndicateurOrigine
from .models import Indicateur, ValeurIndicateur
from .points import categorie_lieux_points, commune_points, road_factor


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
        return coverage_share(self.population, self.distance_km, radius_km)


def categorie_access(communes: QuerySet[Commune], categorie: str) -> CategorieAccess:
    """Distance from each commune's population point to the nearest lieu of the category:
    the computed indicator `distance-plus-proche:<categorie>` and coverage shares."""
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


def territoire_medians(
    territoire: Territoire, latest: dict[str, datetime.date]
) -> dict[str, float]:
    """Median over the territory's communes of each indicator at the given date
    (`latest`: indicator code → date), in one read."""
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


# --- Observatory pages -----------------------------------------------------------------


def territoire_indicateurs(territoire: Territoire) -> list[Indicateur]:
    """Every indicator (computed or imported) with at least one value for a commune of the
    territory, in the selector's order: population, distances, counts of lieux and of
    services, demand, imported."""
    ids = (
        ValeurIndicateur.objects.filter(commune__in=territoire.communes.all())
        .values_list("indicateur_id", flat=True)
        .distinct()
    )
    indicateurs = list(Indicateur.objects.filter(pk__in=ids))
    indicateurs.sort(key=lambda i: (indicateur_group_rank(i.code), i.libelle.lower()))
    return indicateurs


@dataclass(frozen=True)
class TerritoireValues:
    """One indicator's latest snapshot over a territory's communes."""

    date: datetime.date | None  # None when the territory has no value
    codes: list[str]
    noms: list[str]
    population: list[int | None]
    valeurs: list[float]


def territoire_values(territoire: Territoire, indicateur: Indicateur) -> TerritoireValues:
    """The indicator's values at the latest date the territory has any, by commune code."""
    mine = ValeurIndicateur.objects.filter(
        indicateur=indicateur, commune__in=territoire.communes.all()
    )
    day = mine.aggregate(day=Max("date"))["day"]
    if day is None:
        return TerritoireValues(None, [], [], [], [])
    rows = (
        mine.filter(date=day)
        .order_by("commune__code")
        .values_list("commune__code", "commune__nom", "commune__population", "valeur")
    )
    codes, noms, pops, values = [], [], [], []
    for code, nom, population, valeur in rows.iterator(chunk_size=5000):
        codes.append(code)
        noms.append(nom)
        pops.append(population)
        values.append(valeur)
    return TerritoireValues(day, codes, noms, pops, values)


def territoire_evolution(
    territoire: Territoire, indicateur: Indicateur
) -> list[tuple[datetime.date, float, int]]:
    """(date, median over the territory's communes, number of communes) for every snapshot."""
    rows = (
        ValeurIndicateur.objects.filter(
            indicateur=indicateur, commune__in=territoire.communes.all()
        )
        .order_by("date")
        .values_list("date", "valeur")
    )
    groups: dict[datetime.date, list[float]] = {}
    for day, valeur in rows.iterator(chunk_size=5000):
        groups.setdefault(day, []).append(valeur)
    return [(day, float(np.median(values)), len(values)) for day, values in groups.items()]


def territoire_contours(territoire: Territoire) -> dict[str, Any]:
    """Commune code → simplified contour (GeoJSON geometry) for the territory's communes."""
    rows = territoire.communes.exclude(contour=None).values_list("code", "contour")
    return dict(rows.iterator(chunk_size=2000))


@dataclass(frozen=True)
class CoverageRow:
    """Share of the territory's population within each radius of one category."""

    categorie: str
    libelle: str
    date: datetime.date | None
    population: int
    communes: int
    shares: list[float]  # great-circle distance ≤ R, one per radius
    road_shares: list[float]  # great-circle distance × road factor ≤ R
    lieux: int = 0  # lieux of the territory offering the category, in the directory today
    services: int = 0  # services of the category offered at one of those lieux at least


@dataclass(frozen=True)
class CommuneDistance:
    code: str
    nom: str
    population: int
    distance_km: float
    road_km: float


def _latest_distances(
    territoire: Territoire, categorie: str
) -> tuple[datetime.date | None, list[CommuneDistance]]:
    """Latest `distance-plus-proche:<categorie>` of the territory's communes with
    inhabitants (the planner's demand: communes without population weigh nothing)."""
    indicateur = Indicateur.objects.filter(code=distance_code(categorie)).first()
    if indicateur is None:
        return None, []
    values = territoire_values(territoire, indicateur)
    factor = road_factor()
    rows = [
        CommuneDistance(code, nom, int(population), valeur, valeur * factor)
        for code, nom, population, valeur in zip(
            values.codes, values.noms, values.population, values.valeurs, strict=True
        )
        if population
    ]
    return values.date, rows


def _latest_distances_by_categorie(
    territoire: Territoire,
) -> dict[str, tuple[datetime.date, list[CommuneDistance]]]:
    """`_latest_distances` of every category at once, in three reads whatever their number
    (the observatory page lists them all): category → (its latest date, communes)."""
    indicateurs = dict(
        Indicateur.objects.filter(code__startswith=DISTANCE_PREFIX).values_list("pk", "code")
    )
    mine = ValeurIndicateur.objects.filter(
        indicateur_id__in=list(indicateurs), commune__in=territoire.communes.all()
    )
    latest = dict(
        mine.order_by()
        .values("indicateur_id")
        .annotate(day=Max("date"))
        .values_list("indicateur_id", "day")
    )
    rows = (
        mine.filter(date__in=set(latest.values()))
        .order_by("indicateur_id", "commune__code")
        .values_list(
            "indicateur_id",
            "date",
            "commune__code",
            "commune__nom",
            "commune__population",
            "valeur",
        )
    )
    factor = road_factor()
    found: dict[str, tuple[datetime.date, list[CommuneDistance]]] = {}
    for pk, day, code, nom, population, valeur in rows.iterator(chunk_size=5000):
        if day != latest[pk] or not population:
            continue
        categorie = indicateurs[pk].removeprefix(DISTANCE_PREFIX)
        distances = found.setdefault(categorie, (day, []))[1]
        distances.append(CommuneDistance(code, nom, int(population), valeur, valeur * factor))
    return found


def territoire_coverage_evolution(
    territoire: Territoire, categorie: str, radius_km: float
) -> list[tuple[datetime.date, float, int]]:
    """(date, share of the population within `radius_km`, communes) at every snapshot of the
    category's distances: the same rule as `territoire_coverage`, weighed by each commune's
    latest population, so that the curve moves with the offer, not with the census."""
    indicateur = Indicateur.objects.filter(code=distance_code(categorie)).first()
    if indicateur is None:
        return []
    inhabited = territoire.communes.filter(population__gt=0)
    population = {pk: float(n or 0) for pk, n in inhabited.values_list("pk", "population")}
    rows = (
        ValeurIndicateur.objects.filter(indicateur=indicateur, commune__in=inhabited)
        .order_by("date")
        .values_list("date", "commune_id", "valeur")
    )
    by_day: dict[datetime.date, tuple[list[float], list[float]]] = {}
    for day, commune_id, valeur in rows.iterator(chunk_size=5000):
        weights, distances = by_day.setdefault(day, ([], []))
        weights.append(population[commune_id])
        distances.append(valeur)
    return [
        (day, coverage_share(weights, distances, radius_km), len(weights))
        for day, (weights, distances) in by_day.items()
    ]


def territoire_offer_counts(territoire: Territoire) -> dict[str, tuple[int, int]]:
    """Per category: (lieux, services) of the territory in the directory today. A service
    offered in two communes of the territory counts once."""
    communes = territoire.communes.all()
    lieux = (
        Lieu.objects.filter(commune__in=communes, services__categories__isnull=False)
        .values_list("services__categories__code")
        .annotate(n=Count("pk", distinct=True))
    )
    services = (
        Service.objects.filter(lieux__commune__in=communes, categories__isnull=False)
        .values_list("categories__code")
        .annotate(n=Count("pk", distinct=True))
    )
    found = {code: n for code, n in services}
    return {code: (n, found.get(code, 0)) for code, n in lieux}


def territoire_coverage(territoire: Territoire, radii: Sequence[float]) -> list[CoverageRow]:
    """For every category with a computed distance indicator: the share of the territory's
    population within each radius of a lieu offering it, from the latest snapshot.

    Same rule as the back-end (`CategorieAccess.coverage`): the share is on the
    great-circle distance; the road estimate (× OBSERVATORY_ROAD_FACTOR) is given beside.
    """
    distances = _latest_distances_by_categorie(territoire)
    libelles = dict(Categorie.objects.filter(code__in=distances).values_list("code", "libelle"))
    offer = territoire_offer_counts(territoire)
    result = []
    for code, (day, rows) in distances.items():
        population = np.array([r.population for r in rows], float)
        distance = np.array([r.distance_km for r in rows], float)
        road = np.array([r.road_km for r in rows], float)
        result.append(
            CoverageRow(
                categorie=code,
                libelle=libelles.get(code, code),
                date=day,
                population=int(population.sum()),
                communes=len(rows),
                shares=[coverage_share(population, distance, r) for r in radii],
                road_shares=[coverage_share(population, road, r) for r in radii],
                lieux=offer.get(code, (0, 0))[0],
                services=offer.get(code, (0, 0))[1],
            )
        )
    result.sort(key=lambda row: row.libelle.lower())
    return result


def territoire_white_zones(
    territoire: Territoire, categorie: str, radius_km: float
) -> tuple[datetime.date | None, list[CommuneDistance]]:
    """Communes farther than `radius_km` (great circle) from any lieu of the category,
    most populated first: (date of the snapshot, communes)."""
    day, rows = _latest_distances(territoire, categorie)
    far = [row for row in rows if row.distance_km > radius_km]
    far.sort(key=lambda row: (-row.population, row.code))
    return day, far


def commune_indicators_compared(
    commune: Commune,
) -> tuple[list[dict[str, Any]], list[Territoire]]:
    """The commune's latest values (as the indicators API gives them) with, for each
    territory the commune belongs to, `medianes_territoires`: [(territoire, median)]."""
    rows = commune_indicators(commune)
    territoires = list(commune.territoires.order_by("nom"))
    latest = {row["code"]: row["date"] for row in rows}
    medians = [(t, territoire_medians(t, latest)) for t in territoires] if rows else []
    for row in rows:
        row["groupe"] = indicateur_group(row["code"])
        row["medianes_territoires"] = [(t, found.get(row["code"])) for t, found in medians]
    rows.sort(key=lambda r: (indicateur_group_rank(r["code"]), r["libelle"].lower()))
    return rows, territoires


def categorie_lieux_in(territoire: Territoire, categorie: str) -> list[dict[str, Any]]:
    """Lieux of the territory offering the category, for the planner's map."""
    rows = (
        Lieu.objects.filter(
            services__categories__code=categorie, commune__in=territoire.communes.all()
        )
        .distinct()
        .order_by("nom")
        .values_list("nom", "latitude", "longitude")
    )
    return [
        {"nom": nom, "latitude": round(lat, 5), "longitude": round(lon, 5)}
        for nom, lat, lon in rows
    ]


def demand_territoire_total(communes: QuerySet[Commune], categorie: str) -> dict[str, Any]:
    """The territory's orientation requests for a category, at the latest demand snapshot:
    the sum of the *published* commune values only, and how many communes it covers.

    Communes below the k ≥ 5 threshold have no value and are left out of the sum, so the
    total is a lower bound (show it as « au moins N ») and subtracting the published cells
    from it never reveals a hidden one. The true total is deliberately not published.
    """
    values = ValeurIndicateur.objects.filter(
        indicateur__code=demand_code(categorie), commune__in=communes
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


def imported_indicateur_list() -> QuerySet[Indicateur]:
    """Indicators loaded from a file, by label, each with `communes`: how many communes have
    a value at its latest date."""
    return (
        Indicateur.objects.filter(origine=IndicateurOrigine.IMPORTE)
        .annotate(communes=Count("valeurs", filter=Q(valeurs__date=F("date"))))
        .order_by("libelle")
    )
