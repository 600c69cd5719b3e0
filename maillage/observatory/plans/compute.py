"""The planner use case: check a request, read its instance (demand, existing supply,
candidate sites) and solve it. `plan_compute` is the one function behind the page, `POST
/api/v1/plans` and `maillage plan`; its answer is the contract's JSON (PRODUCT.md)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from maillage.core.text import search_key
from maillage.directory.models import Categorie
from maillage.territories.models import Commune, Territoire

from .. import planner
from ..points import CommunePoints, categorie_lieux_points, commune_points, mairie_points
from . import limits


class PlanError(Exception):
    """A request the planner refuses, with a French message for the user."""

    def __init__(self, message: str, *, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        #: The parameter at fault, by its API name (`sites`, `categorie`, `candidats`…).
        self.field = field


@dataclass
class CandidateList:
    """Communes a user listed by INSEE code or by name, resolved within one territory."""

    codes: list[str]
    unknown: list[str]
    #: name as typed → "Nom (code)" of every commune of the territory bearing it
    ambiguous: dict[str, list[str]]


def territoire_communes(slug: str) -> QuerySet[Commune]:
    """The territory's communes (type COM); `france` is the whole country when no territory
    is called so."""
    territoire = Territoire.objects.filter(slug=slug).first()
    if territoire is not None:
        return territoire.communes.all()
    if slug == limits.FRANCE:
        return Commune.objects.communes()
    raise PlanError(limits.territoire_unknown(slug), status=404)


def candidate_list_resolve(communes: QuerySet[Commune], text: str) -> CandidateList:
    """Resolve a list typed by a user (commas, semicolons or one per line) into INSEE codes
    of the territory's communes. Names match whatever the accents, case, hyphens or a
    « St » for « Saint »; a name two communes of the territory bear is ambiguous and must
    be given by its code. Codes keep the user's order, each once."""
    wanted = [item.strip() for item in text.replace(";", "\n").replace(",", "\n").splitlines()]
    wanted = [item for item in wanted if item]
    rows = list(communes.values_list("code", "nom", "search_name"))
    by_code = {code: code for code, _, _ in rows}
    by_name: dict[str, list[tuple[str, str]]] = {}
    for code, nom, key in rows:
        by_name.setdefault(key, []).append((code, nom))
    result = CandidateList(codes=[], unknown=[], ambiguous={})
    for item in wanted:
        code = item.upper() if item[:2].upper() in ("2A", "2B") else item
        if code.isdigit() and len(code) == 4:
            code = code.zfill(5)  # a spreadsheet dropped the leading zero
        found = by_code.get(code)
        if found is None:
            matches = by_name.get(search_key(item), [])
            if len(matches) > 1:
                result.ambiguous[item] = [f"{nom} ({code})" for code, nom in sorted(matches)]
                continue
            found = matches[0][0] if matches else None
        if found is None:
            result.unknown.append(item)
        elif found not in result.codes:
            result.codes.append(found)
    return result


def _candidates(communes: QuerySet[Commune], candidats: str, itinerant: bool) -> CommunePoints:
    if candidats == limits.CANDIDATES_MAIRIES and not itinerant:
        return mairie_points(communes)
    if candidats in (limits.CANDIDATES_MAIRIES, limits.CANDIDATES_COMMUNES):
        return commune_points(communes, point="centroide")
    # A list given by the user: INSEE codes or names, as on the planner page.
    listed = candidate_list_resolve(communes, candidats)
    if listed.ambiguous:
        name, matches = next(iter(listed.ambiguous.items()))
        raise PlanError(limits.candidate_ambiguous(name, matches), field="candidats")
    chosen = communes.filter(code__in=listed.codes)
    points = mairie_points(chosen) if not itinerant else commune_points(chosen, point="centroide")
    unknown = listed.unknown + sorted(set(listed.codes) - set(points.codes))
    if unknown:
        raise PlanError(limits.candidates_unknown(unknown), field="candidats")
    if not listed.codes:
        raise PlanError(limits.NO_LISTED_CANDIDATE, field="candidats")
    return points


def _request_check(*, categorie: str, sites: int, rayon_km: float, max_sites: int | None) -> None:
    """Refuse, in French, parameters no instance could be planned on."""
    if isinstance(sites, bool) or not isinstance(sites, int) or sites <= 0:
        raise PlanError(limits.SITES_NOT_POSITIVE, field="sites")
    if max_sites is not None and sites > max_sites:
        raise PlanError(limits.sites_too_many(max_sites), field="sites")
    if not math.isfinite(rayon_km) or rayon_km <= 0:
        raise PlanError(limits.RADIUS_NOT_POSITIVE, field="rayon_km")
    if rayon_km > limits.MAX_RADIUS_KM:
        raise PlanError(limits.RADIUS_TOO_LARGE, field="rayon_km")
    if not Categorie.objects.filter(code=categorie).exists():
        raise PlanError(limits.categorie_unknown(categorie), status=404, field="categorie")


def plan_compute(
    *,
    territoire: str,
    categorie: str,
    sites: int,
    rayon_km: float,
    exact: bool = False,
    candidats: str = limits.CANDIDATES_MAIRIES,
    itinerant: bool = False,
    max_sites: int | None = None,
    time_limit_s: float = limits.DEFAULT_EXACT_TIME_LIMIT_S,
) -> dict[str, Any]:
    """The planner's answer in the contract's JSON shape (PRODUCT.md), for the CLI and the API.

    Raises PlanError with a French message for any input it cannot plan on.
    """
    started = time.perf_counter()
    _request_check(categorie=categorie, sites=sites, rayon_km=rayon_km, max_sites=max_sites)
    communes = territoire_communes(territoire)
    demand = commune_points(communes)
    candidates = _candidates(communes, candidats, itinerant)
    if sites > len(candidates.codes):
        raise PlanError(limits.sites_over_candidates(len(candidates.codes)), field="sites")
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
    result = _result(
        plan,
        candidates,
        territoire=territoire,
        categorie=categorie,
        rayon_km=rayon_km,
        skipped=demand.skipped,
    )
    if itinerant:
        solution = plan.solution
        order, length = planner.tour_order(
            candidates.latitude[solution.sites], candidates.longitude[solution.sites]
        )
        result["mode"] = "itinerant"
        result["tournee"] = [result["sites"][i]["commune"] for i in order]
        result["longueur_tournee_km"] = round(length, 1)
    result["duree_s"] = round(time.perf_counter() - started, 3)
    return result


def _result(
    plan: planner.Plan,
    candidates: CommunePoints,
    *,
    territoire: str,
    categorie: str,
    rayon_km: float,
    skipped: int,
) -> dict[str, Any]:
    """The solved plan in the contract's shape, sites in the order chosen."""
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
    return {
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
        "communes_ignorees": skipped,
    }
