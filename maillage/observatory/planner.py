"""Maximal covering location problem: where to open K sites to reach the most people.

Pure NumPy/SciPy, no ORM. A demand point is covered when a site (existing or new) lies
within R km along the great circle. Only the population not already covered by the
existing supply counts, so the objective is the population *newly* covered.

- `greedy`: lazy greedy (CELF). Coverage is submodular, so a candidate's gain can only
  shrink as sites are added: its last computed gain is an upper bound, and a candidate is
  only re-evaluated when it reaches the top of the priority queue. The greedy is within
  1 − 1/e of the optimum in the worst case; in practice much closer, and the run reports an
  upper bound proving how close (see `online_bound`).
- `exact`: the integer program (HiGHS through `scipy.optimize.milp`) with a time limit;
  reports whether the optimum was proved and the remaining gap.
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, hstack, identity, vstack
from scipy.spatial import cKDTree

from .accessibility import chord_from_km, km_from_chord, nearest_supply, unit_vectors

FloatArray = NDArray[np.float64]
GREEDY = "glouton"
EXACT = "exact"
# How many times the greedy recomputes every gain to tighten its upper bound.
BOUND_CHECKPOINTS = 20


def coverage_matrix(candidates: FloatArray, demand: FloatArray, radius_km: float) -> csr_array:
    """Sparse (candidates × demand) 0/1 matrix: 1 when the demand point is within R km.

    Both arguments are unit vectors (`accessibility.unit_vectors`).
    """
    m, n = len(candidates), len(demand)
    if m == 0 or n == 0:
        return csr_array((m, n), dtype=np.float64)
    # A hair of slack so a point exactly at R km is not lost to rounding.
    chord = float(chord_from_km(radius_km)) * (1 + 1e-12)
    neighbours = cKDTree(demand).query_ball_point(candidates, r=chord)
    lengths = np.fromiter((len(row) for row in neighbours), dtype=np.int64, count=m)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    indices = np.fromiter(
        itertools.chain.from_iterable(neighbours), dtype=np.int64, count=int(indptr[-1])
    )
    matrix = csr_array((np.ones(len(indices)), indices, indptr), shape=(m, n), dtype=np.float64)
    matrix.sort_indices()
    return matrix


@dataclass
class Solution:
    """Chosen candidates in order, each with the weight it newly covers."""

    method: str
    sites: list[int]
    gains: list[float]
    upper_bound: float  # on the total newly covered weight, for any choice of K sites
    optimal: bool
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def covered(self) -> float:
        return float(sum(self.gains))

    @property
    def gap(self) -> float:
        """Relative distance to the upper bound (0 when proved optimal)."""
        if self.upper_bound <= 0:
            return 0.0
        return max(0.0, (self.upper_bound - self.covered) / self.upper_bound)


def _row(matrix: csr_array, j: int) -> NDArray[np.int64]:
    return matrix.indices[matrix.indptr[j] : matrix.indptr[j + 1]]


def online_bound(matrix: csr_array, remaining: FloatArray, covered: float, k: int) -> float:
    """Submodularity bound: OPT ≤ f(S) + the K largest marginal gains with respect to S."""
    gains = matrix @ remaining
    if len(gains) > k:
        gains = np.partition(gains, len(gains) - k)[-k:]
    return covered + float(gains.sum())


def greedy(matrix: csr_array, weights: ArrayLike, k: int) -> Solution:
    """Lazy greedy (CELF) for K sites; `weights` is the population not yet covered."""
    started = time.perf_counter()
    remaining = np.array(weights, dtype=np.float64)
    m = matrix.shape[0]
    reachable = float(remaining[np.unique(matrix.indices)].sum()) if matrix.nnz else 0.0
    gains = matrix @ remaining
    bound = min(reachable, online_bound(matrix, remaining, 0.0, k))
    heap = [(-float(g), j) for j, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    fresh_at = np.zeros(m, dtype=np.int64)  # iteration at which each gain was computed
    sites: list[int] = []
    chosen_gains: list[float] = []
    checkpoints = set(np.linspace(1, k, min(k, BOUND_CHECKPOINTS), dtype=int).tolist())
    total = 0.0
    while len(sites) < k and heap:
        neg_gain, j = heapq.heappop(heap)
        iteration = len(sites)
        if fresh_at[j] != iteration:
            gain = float(remaining[_row(matrix, j)].sum())
            fresh_at[j] = iteration
            if gain > 0:
                heapq.heappush(heap, (-gain, j))
            continue
        rows = _row(matrix, j)
        sites.append(j)
        chosen_gains.append(-neg_gain)
        total += -neg_gain
        remaining[rows] = 0.0
        if len(sites) in checkpoints:
            bound = min(bound, online_bound(matrix, remaining, total, k))
    # Nothing left to gain: the greedy has covered every reachable person.
    bound = max(total, min(bound, reachable))
    return Solution(
        method=GREEDY,
        sites=sites,
        gains=chosen_gains,
        upper_bound=bound,
        optimal=bool(bound - total <= 1e-9 * max(1.0, bound)),
        seconds=time.perf_counter() - started,
    )


def order_by_gain(
    matrix: csr_array, weights: ArrayLike, sites: list[int]
) -> tuple[list[int], list[float]]:
    """A fixed set of sites in greedy order, with the marginal weight each adds."""
    remaining = np.array(weights, dtype=np.float64)
    todo = list(sites)
    ordered: list[int] = []
    gains: list[float] = []
    while todo:
        best = max(todo, key=lambda j: (remaining[_row(matrix, j)].sum(), -j))
        gains.append(float(remaining[_row(matrix, best)].sum()))
        remaining[_row(matrix, best)] = 0.0
        ordered.append(best)
        todo.remove(best)
    return ordered, gains


def _reduce(
    matrix: csr_array, weights: FloatArray
) -> tuple[csr_array, NDArray[np.intp], NDArray[np.intp]]:
    """Keep the demand with weight that some candidate reaches, and the candidates reaching it."""
    reached = np.asarray((matrix != 0).sum(axis=0)).ravel() > 0
    useful_demand = np.flatnonzero((weights > 0) & reached)
    sub = matrix[:, useful_demand]
    useful_candidates = np.flatnonzero(np.diff(sub.indptr) > 0)
    return sub[useful_candidates, :], useful_demand, useful_candidates


def _solve_model(
    sub: csr_array, w: FloatArray, k: int, *, integral: bool, time_limit_s: float
) -> Any:
    """max Σ wᵢ yᵢ  s.t.  yᵢ ≤ Σ_{j covers i} xⱼ,  Σ xⱼ ≤ K,  0 ≤ x, y ≤ 1 (x integral or not)."""
    m, n = sub.shape
    cost = np.concatenate((np.zeros(m), -w))
    link = hstack([-sub.T, identity(n, format="csr")], format="csr")
    cardinality = csr_array(np.concatenate((np.ones(m), np.zeros(n)))[np.newaxis, :])
    constraints = LinearConstraint(
        vstack([link, cardinality], format="csr"),
        lb=np.full(n + 1, -np.inf),
        ub=np.concatenate((np.zeros(n), [k])),
    )
    integrality = np.concatenate((np.ones(m), np.zeros(n))) if integral else None
    return milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(0, 1),
        options={"time_limit": max(1e-3, time_limit_s), "mip_rel_gap": 0.0, "disp": False},
    )


def lp_bound(
    matrix: csr_array, weights: ArrayLike, k: int, *, time_limit_s: float = 5.0
) -> float | None:
    """The linear relaxation's optimum: an upper bound on the integer optimum, usually within a
    fraction of a percent of it. None when HiGHS does not finish in time."""
    w = np.asarray(weights, dtype=np.float64)
    sub, useful_demand, _ = _reduce(matrix, w)
    if sub.shape[0] <= k:
        return float(w[useful_demand].sum())
    result = _solve_model(sub, w[useful_demand], k, integral=False, time_limit_s=time_limit_s)
    if result.status != 0 or result.fun is None:
        return None
    # Leave room for the solver's feasibility tolerance: a bound must never be too low.
    return -float(result.fun) * (1 + 1e-7) + 1e-6


def exact(matrix: csr_array, weights: ArrayLike, k: int, *, time_limit_s: float = 60.0) -> Solution:
    """The integer program (`_solve_model`), solved by HiGHS within `time_limit_s`.

    Only demand points with weight that some candidate reaches, and candidates reaching at
    least one of them, enter the model. y may stay continuous: for integral x its best
    value is 0 or 1. When the time runs out, the best of HiGHS's incumbent and the greedy
    is returned with HiGHS's dual bound.
    """
    started = time.perf_counter()
    w = np.asarray(weights, dtype=np.float64)
    fallback = greedy(matrix, w, k)
    sub, useful_demand, useful_candidates = _reduce(matrix, w)
    m = sub.shape[0]
    if m <= k or fallback.optimal:
        fallback.method, fallback.optimal = EXACT, True
        fallback.upper_bound = fallback.covered
        fallback.seconds = time.perf_counter() - started
        return fallback
    result = _solve_model(
        sub,
        w[useful_demand],
        k,
        integral=True,
        time_limit_s=time_limit_s - (time.perf_counter() - started),
    )
    bound = fallback.upper_bound
    dual = getattr(result, "mip_dual_bound", None)
    if dual is not None and np.isfinite(dual):
        bound = min(bound, -float(dual) * (1 + 1e-7) + 1e-6)
    sites, gains = fallback.sites, fallback.gains
    notes: list[str] = []
    if result.x is not None:
        picked = useful_candidates[np.flatnonzero(result.x[:m] > 0.5)].tolist()
        ordered, ordered_gains = order_by_gain(matrix, w, picked)
        if sum(ordered_gains) >= sum(gains):
            sites, gains = ordered, ordered_gains
    if result.status != 0:
        notes.append(f"HiGHS : {result.message}")
    total = float(sum(gains))
    proved = result.status == 0 and result.x is not None
    return Solution(
        method=EXACT,
        sites=sites,
        gains=gains,
        upper_bound=total if proved else max(total, bound),
        optimal=bool(proved),
        seconds=time.perf_counter() - started,
        notes=notes,
    )


def tighten_with_lp(
    solution: Solution, matrix: csr_array, weights: ArrayLike, k: int, *, time_limit_s: float
) -> None:
    """Replace the greedy's online bound by the linear relaxation's when it is tighter."""
    if solution.optimal or time_limit_s <= 0:
        return
    started = time.perf_counter()
    bound = lp_bound(matrix, weights, k, time_limit_s=time_limit_s)
    if bound is not None and bound < solution.upper_bound:
        solution.upper_bound = max(solution.covered, bound)
        solution.optimal = bool(solution.upper_bound - solution.covered < 0.5)
    solution.seconds += time.perf_counter() - started


@dataclass
class Plan:
    """A solved instance with the population figures the contract reports."""

    solution: Solution
    population_total: float
    covered_before: float
    skipped_points: int = 0

    @property
    def covered_after(self) -> float:
        return self.covered_before + self.solution.covered

    @property
    def upper_bound(self) -> float:
        """Upper bound on the population covered after, for any K sites."""
        return self.covered_before + self.solution.upper_bound


def plan_solve(
    *,
    demand_latitude: ArrayLike,
    demand_longitude: ArrayLike,
    population: ArrayLike,
    supply_latitude: ArrayLike,
    supply_longitude: ArrayLike,
    candidate_latitude: ArrayLike,
    candidate_longitude: ArrayLike,
    radius_km: float,
    sites: int,
    use_exact: bool = False,
    time_limit_s: float = 60.0,
    lp_time_limit_s: float = 5.0,
) -> Plan:
    """Choose `sites` candidates maximising the population newly covered within R km."""
    weights = np.asarray(population, dtype=np.float64)
    nearest = nearest_supply(demand_latitude, demand_longitude, supply_latitude, supply_longitude)
    already = nearest.distance_km <= radius_km
    matrix = coverage_matrix(
        unit_vectors(candidate_latitude, candidate_longitude),
        unit_vectors(demand_latitude, demand_longitude),
        radius_km,
    )
    uncovered = np.where(already, 0.0, weights)
    if use_exact:
        solution = exact(matrix, uncovered, sites, time_limit_s=time_limit_s)
    else:
        solution = greedy(matrix, uncovered, sites)
        tighten_with_lp(solution, matrix, uncovered, sites, time_limit_s=lp_time_limit_s)
    return Plan(
        solution=solution,
        population_total=float(weights.sum()),
        covered_before=float(weights[already].sum()),
    )


def tour_order(latitude: ArrayLike, longitude: ArrayLike) -> tuple[list[int], float]:
    """A short closed tour through the stops of an itinerant service, and its length in km.

    Nearest neighbour from the first stop, then 2-opt until no swap shortens it: good
    enough for the few dozen stops of a bus numérique.
    """
    vectors = unit_vectors(latitude, longitude)
    count = len(vectors)
    if count <= 1:
        return list(range(count)), 0.0
    chords = np.linalg.norm(vectors[:, np.newaxis, :] - vectors[np.newaxis, :, :], axis=2)
    dist = km_from_chord(chords)
    tour = [0]
    left = set(range(1, count))
    while left:
        last = tour[-1]
        nxt = min(left, key=lambda j: (dist[last, j], j))
        tour.append(nxt)
        left.remove(nxt)
    improved = True
    while improved:
        improved = False
        for a in range(count - 1):
            for b in range(a + 2, count if a else count - 1):
                i, i2, j, j2 = tour[a], tour[a + 1], tour[b], tour[(b + 1) % count]
                if dist[i, j] + dist[i2, j2] < dist[i, i2] + dist[j, j2] - 1e-9:
                    tour[a + 1 : b + 1] = reversed(tour[a + 1 : b + 1])
                    improved = True
    length = float(sum(dist[tour[t], tour[(t + 1) % count]] for t in range(count)))
    return tour, length
