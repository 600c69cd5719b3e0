"""Our planner side by side with the MCLP of `spopt` (PySAL) on the same instances.

Both sides get exactly the same problem: the coverage matrix of `planner.coverage_matrix`
(great circle, R km), the population not yet covered by existing lieux as weights (the
already-covered demand is set to 0 and so counts for neither), K new sites. Like our exact
solver, spopt only sees the demand points some candidate reaches and the candidates reaching
one of them: spopt builds its model from a dense client × facility matrix and writes one
PuLP term per cell, zeros included, so the full matrix would only measure PuLP's overhead.

spopt runs in a subprocess (`python -m benchmarks.spopt_mclp IN.npz OUT.json LIMIT`) with a
wall-clock limit covering model building and CBC (bundled with PuLP): a run that does not
finish is reported as such, never estimated. Its chosen sites are re-scored on our matrix,
so both objectives are computed by the same code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_array

from .common import QUICK, ROOT

SPOPT_LIMIT_S = 300.0
# Dense client × facility cells above which spopt's model is not even built: PuLP keeps a
# Python object per cell, several GB beyond this on a shared machine.
SPOPT_MAX_CELLS = 20_000_000
# Address-space cap of the spopt subprocess, so a model too big fails alone (MemoryError).
SPOPT_MAX_BYTES = 8 * 1024**3


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (SPOPT_MAX_BYTES, SPOPT_MAX_BYTES))


def covered_by(matrix: csr_array, weights: np.ndarray, sites: list[int]) -> float:
    """Weight covered by a set of candidates (rows of `matrix`)."""
    if not sites:
        return 0.0
    reached = np.unique(
        np.concatenate([matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]] for j in sites])
    )
    return float(weights[reached].sum())


def _reduced(matrix: csr_array, weights: np.ndarray) -> tuple[csr_array, np.ndarray, np.ndarray]:
    from maillage.observatory.planner import _reduce

    return _reduce(matrix, weights)


def spopt_solve(matrix: csr_array, weights: np.ndarray, k: int, limit_s: float) -> dict[str, Any]:
    """In the subprocess: spopt's MCLP from a cost matrix (1 = within R, 2 = beyond)."""
    import pulp
    import spopt
    from spopt.locate import MCLP

    started = time.perf_counter()
    cost = np.where(matrix.T.toarray() > 0, 1.0, 2.0)  # clients × facilities
    model = MCLP.from_cost_matrix(cost, weights, service_radius=1.0, p_facilities=k)
    built = time.perf_counter() - started
    remaining = max(1.0, limit_s - built)
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=remaining), results=False)
    solved = time.perf_counter() - started
    chosen = [j for j, x in enumerate(model.fac_vars) if (x.value() or 0) > 0.5]
    return {
        "version": spopt.__version__,
        "pulp": pulp.__version__,
        "sites": chosen,
        "objective_pulp": float(pulp.value(model.problem.objective) or 0.0),
        "status": pulp.LpStatus[model.problem.status],
        "sol_status": int(model.problem.sol_status),
        "build_s": built,
        "seconds": solved,
    }


def spopt_run(matrix: csr_array, weights: np.ndarray, k: int, limit_s: float) -> dict[str, Any]:
    """spopt on the reduced instance in a subprocess; its sites mapped back to `matrix` rows."""
    sub, useful_demand, useful_candidates = _reduced(matrix, weights)
    cells = sub.shape[0] * sub.shape[1]
    base = {"candidates": int(sub.shape[0]), "demand": int(sub.shape[1]), "cells": int(cells)}
    if cells > SPOPT_MAX_CELLS:
        return {
            **base,
            "error": f"non lancé : matrice dense de {cells:,} cellules".replace(",", " "),
        }
    with tempfile.TemporaryDirectory(prefix="maillage-spopt-") as tmp:
        path_in, path_out = Path(tmp) / "in.npz", Path(tmp) / "out.json"
        np.savez(
            path_in,
            data=sub.data,
            indices=sub.indices,
            indptr=sub.indptr,
            shape=np.array(sub.shape),
            weights=weights[useful_demand],
            k=np.array([k]),
        )
        started = time.perf_counter()
        # Own session: on timeout the whole group goes, CBC (a child of PuLP) included.
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "benchmarks.spopt_mclp",
                str(path_in),
                str(path_out),
                str(limit_s),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=_cap_memory,  # noqa: PLW1509 - the worker starts no thread before
        )
        try:
            _, stderr = process.communicate(timeout=limit_s + 60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return {**base, "error": f"non terminé en {limit_s + 60:.0f} s"}
        completed = subprocess.CompletedProcess(process.args, process.returncode, "", stderr)
        wall = time.perf_counter() - started
        if completed.returncode != 0 or not path_out.exists():
            return {
                **base,
                "error": "échec : " + completed.stderr.strip().splitlines()[-1][:300]
                if completed.stderr.strip()
                else f"code {completed.returncode}",
            }
        result = json.loads(path_out.read_text())
    sites = [int(useful_candidates[j]) for j in result["sites"]]
    return {
        **base,
        **result,
        "sites": sites,
        "wall_s": wall,
        "objective": covered_by(matrix, weights, sites),
    }


def compare(
    name: str, matrix: csr_array, weights: np.ndarray, k: int, *, limit_s: float = SPOPT_LIMIT_S
) -> dict[str, Any]:
    """Greedy (alone, then with its LP bound), exact HiGHS and spopt on one instance."""
    from maillage.observatory import planner

    weights = np.asarray(weights, dtype=np.float64)
    greedy = planner.greedy(matrix, weights, k)
    exact = planner.exact(matrix, weights, k, time_limit_s=limit_s)
    spopt = spopt_run(matrix, weights, k, limit_s)
    return {
        "name": name,
        "k": k,
        "limit_s": limit_s,
        "candidates": int(matrix.shape[0]),
        "demand": int(matrix.shape[1]),
        "greedy": greedy.covered,
        "greedy_s": greedy.seconds,
        "exact": exact.covered,
        "exact_s": exact.seconds,
        "exact_optimal": exact.optimal,
        "spopt": spopt,
    }


def synthetic(
    n_demand: int = 500, n_candidates: int = 200, seed: int = 20261127
) -> tuple[csr_array, np.ndarray]:
    """Random points over a 120 km × 120 km square of Brittany, log-normal populations."""
    from maillage.observatory.accessibility import unit_vectors
    from maillage.observatory.planner import coverage_matrix

    rng = np.random.default_rng(seed)
    lat = rng.uniform(47.8, 48.9, n_demand + n_candidates)
    lon = rng.uniform(-4.6, -3.0, n_demand + n_candidates)
    population = np.round(rng.lognormal(6.5, 1.2, n_demand))
    matrix = coverage_matrix(
        unit_vectors(lat[n_demand:], lon[n_demand:]),
        unit_vectors(lat[:n_demand], lon[:n_demand]),
        10.0,
    )
    return matrix, population


def territory(slug: str, categorie: str | None, radius_km: float) -> tuple[csr_array, np.ndarray]:
    """A territory's planner instance as `plan_compute` builds it (candidates = mairies);
    demand already within R km of a lieu of the category weighs 0 (`categorie` None: no lieu)."""
    from maillage.observatory import points
    from maillage.observatory.accessibility import nearest_supply, unit_vectors
    from maillage.observatory.planner import coverage_matrix
    from maillage.observatory.plans.compute import territoire_communes

    communes = territoire_communes(slug)
    demand = points.commune_points(communes)
    candidates = points.mairie_points(communes)
    weights = np.asarray(demand.population, dtype=np.float64)
    if categorie is not None:
        lat, lon = points.categorie_lieux_points(categorie)
        nearest = nearest_supply(demand.latitude, demand.longitude, lat, lon)
        weights = np.where(nearest.distance_km <= radius_km, 0.0, weights)
    matrix = coverage_matrix(
        unit_vectors(candidates.latitude, candidates.longitude),
        unit_vectors(demand.latitude, demand.longitude),
        radius_km,
    )
    return matrix, weights


def tiny() -> tuple[csr_array, np.ndarray]:
    """8 villages on a line 5 km apart, R = 6 km: the best 2 sites are known by hand."""
    from maillage.observatory.accessibility import unit_vectors
    from maillage.observatory.planner import coverage_matrix

    lat = np.full(8, 48.0)
    lon = -4.0 + np.arange(8) * (5.0 / 74.4)  # ≈ 5 km per step at 48° N
    population = np.array([100, 900, 100, 50, 50, 100, 800, 100], dtype=float)
    return coverage_matrix(unit_vectors(lat, lon), unit_vectors(lat, lon), 6.0), population


def run(categorie: str) -> list[dict[str, Any]]:
    rows = []
    matrix, weights = tiny()
    rows.append(compare("8 villages alignés (K = 2, R = 6 km)", matrix, weights, 2))
    matrix, weights = synthetic()
    rows.append(compare("synthétique 500 × 200 (K = 10, R = 10 km)", matrix, weights, 10))
    if QUICK:  # the Nouvelle-Aquitaine instances take spopt minutes
        return rows
    matrix, weights = territory("nouvelle-aquitaine", categorie, 10.0)
    rows.append(
        compare(
            f"Nouvelle-Aquitaine, lieux `{categorie}` existants (K = 10, R = 10 km)",
            matrix,
            weights,
            10,
        )
    )
    matrix, weights = territory("nouvelle-aquitaine", None, 10.0)
    rows.append(
        compare("Nouvelle-Aquitaine sans lieu existant (K = 10, R = 10 km)", matrix, weights, 10)
    )
    return rows


def main() -> None:
    path_in, path_out, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
    data = np.load(path_in)
    sub = csr_array((data["data"], data["indices"], data["indptr"]), shape=tuple(data["shape"]))
    result = spopt_solve(sub, data["weights"], int(data["k"][0]), limit)
    Path(path_out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
