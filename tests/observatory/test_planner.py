"""The maximal covering planner on a hand-built line of villages.

Four villages on the meridian 0, at latitudes 0°, 1°, 2°, 3° (111 km apart), with 2, 3, 3
and 2 inhabitants. R = 60 km, so a candidate half-way between two villages (55.6 km from
each) covers both, and nothing else:
    P at 0.5° covers {0°, 1°} = 5;  Q at 2.5° covers {2°, 3°} = 5;  M at 1.5° covers {1°, 2°} = 6
With K = 2 the greedy takes M (6) then P (+2) = 8, while P + Q cover everyone = 10.
"""

import numpy as np
import pytest

from maillage.observatory import planner
from maillage.observatory.accessibility import unit_vectors

VILLAGES = np.array([0.0, 1.0, 2.0, 3.0])
POPULATION = np.array([2.0, 3.0, 3.0, 2.0])
CANDIDATES = np.array([0.5, 2.5, 1.5])  # P, Q, M
P, Q, M = 0, 1, 2
R = 60.0


def matrix():
    return planner.coverage_matrix(
        unit_vectors(CANDIDATES, np.zeros(3)), unit_vectors(VILLAGES, np.zeros(4)), R
    )


def test_coverage_sets_are_the_villages_within_radius():
    """Each candidate covers exactly the two villages 55.6 km away."""
    cover = matrix().toarray().astype(int)
    assert cover.tolist() == [[1, 1, 0, 0], [0, 0, 1, 1], [0, 1, 1, 0]]


def test_greedy_order_gains_and_bound():
    """The greedy takes M (6) then P (+2); its online bound proves no plan beats 10."""
    solution = planner.greedy(matrix(), POPULATION, 2)
    assert solution.sites == [M, P]
    assert solution.gains == [6.0, 2.0]
    assert solution.upper_bound == pytest.approx(10.0)
    assert solution.optimal is False
    assert solution.gap == pytest.approx(0.2)


def test_greedy_is_optimal_when_it_reaches_everyone():
    """With K = 3 the greedy covers all 10 people, which is provably optimal."""
    solution = planner.greedy(matrix(), POPULATION, 3)
    assert solution.covered == 10.0
    assert solution.optimal is True
    assert solution.gap == 0.0


def test_exact_finds_the_optimum_the_greedy_misses():
    """HiGHS picks P and Q (10 people), reported in gain order, proved optimal."""
    solution = planner.exact(matrix(), POPULATION, 2, time_limit_s=10)
    assert solution.method == "exact"
    assert sorted(solution.sites) == [P, Q]
    assert solution.gains == [5.0, 5.0]
    assert solution.optimal is True
    assert solution.upper_bound == pytest.approx(10.0)
    assert solution.gap == 0.0


def test_plan_counts_existing_supply_and_ignores_covered_people():
    """An existing lieu at 3° covers that village: only the 8 others can be gained."""
    plan = planner.plan_solve(
        demand_latitude=VILLAGES,
        demand_longitude=np.zeros(4),
        population=POPULATION,
        supply_latitude=[3.0],
        supply_longitude=[0.0],
        candidate_latitude=CANDIDATES,
        candidate_longitude=np.zeros(3),
        radius_km=R,
        sites=1,
    )
    assert plan.population_total == 10.0
    assert plan.covered_before == 2.0
    assert plan.solution.sites == [M]
    assert plan.covered_after == 8.0
    assert plan.upper_bound >= plan.covered_after


def test_no_useful_candidate_returns_no_site():
    """Candidates that reach nobody are never proposed, and the plan says nothing was gained."""
    solution = planner.greedy(matrix(), np.zeros(4), 2)
    assert solution.sites == []
    assert solution.optimal is True


def test_tour_visits_every_stop_once_along_the_short_loop():
    """Four stops on a square: the tour goes round it, never across."""
    lat, lon = [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]
    tour, length = planner.tour_order(lat, lon)
    assert sorted(tour) == [0, 1, 2, 3]
    assert length == pytest.approx(4 * 111.19, rel=0.01)


def test_linear_relaxation_bounds_the_optimum():
    """The LP relaxation gives 10 here (P + Q), the true optimum the greedy misses."""
    assert planner.lp_bound(matrix(), POPULATION, 2) == pytest.approx(10.0)
    assert planner.lp_bound(matrix(), POPULATION, 5) == pytest.approx(10.0)


def test_plan_reports_the_lp_bound_and_the_gap():
    """Without existing supply the greedy plan covers 8 of at most 10: gap 20 %, not optimal."""
    plan = planner.plan_solve(
        demand_latitude=VILLAGES,
        demand_longitude=np.zeros(4),
        population=POPULATION,
        supply_latitude=[],
        supply_longitude=[],
        candidate_latitude=CANDIDATES,
        candidate_longitude=np.zeros(3),
        radius_km=R,
        sites=2,
    )
    assert plan.covered_before == 0.0
    assert plan.covered_after == 8.0
    assert plan.upper_bound == pytest.approx(10.0)
    assert plan.solution.optimal is False
    assert plan.solution.gap == pytest.approx(0.2)


def test_exact_out_of_time_keeps_the_best_solution_and_reports_the_gap():
    """When HiGHS runs out of time the plan is not called optimal, it is never worse than the
    greedy, and its bound stays above what it covers."""
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(44, 46, 3000), rng.uniform(0, 3, 3000)
    weights = rng.integers(50, 5000, 3000).astype(float)
    cover = planner.coverage_matrix(unit_vectors(lat, lon), unit_vectors(lat, lon), 10)
    greedy = planner.greedy(cover, weights, 25)
    rushed = planner.exact(cover, weights, 25, time_limit_s=0.001)
    assert rushed.optimal is False
    assert rushed.covered >= greedy.covered
    assert rushed.upper_bound >= rushed.covered
    assert 0 < rushed.gap < 1
    assert rushed.notes and rushed.notes[0].startswith("HiGHS")
