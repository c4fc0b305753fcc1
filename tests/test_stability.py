"""trustindex.stability: exact breakpoints solved by hand, ratio-of-affine and scanned breakpoints against brute
force, best and worst ranks against an exhaustive search of the weight simplex, and SMAA-2 acceptability.

Every expectation is computed here: by hand in the comments, or by naive scoring in plain Python (weighted means
written out, a fine scan of the share with bisection, every candidate weight vector of the simplex).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.engine import Engine
from trustindex.errors import ConfigError
from trustindex.model import Aggregation, Spec, WeightSpec
from trustindex.reports.robustness import stability_report
from trustindex.stability import _silenced, acceptability, rank_bounds, weight_stability
from trustindex.uncertainty import Design

NAN = float("nan")


def one_indicator_pillars(pillars: str) -> object:
    """index → one pillar per letter, each with the one indicator of the same name in lower case."""
    return make_framework(dict.fromkeys(pillars), {p.lower(): p for p in pillars}, goalposts=(0, 100))


# --- exact breakpoints, by hand -------------------------------------------------------------------------------
#
# Three entities, two pillars P and Q (one indicator each, goalposts [0, 100]: scores are the raw values),
# weights P 21, Q 29: P's share of the group is t = 21/50 = 0.42 nominally. With P at share t:
#   x: P 90, Q 10  ->  S = 90t + 10(1 − t) = 10 + 80t
#   y: P 40, Q 50  ->  S = 50 − 10t
#   z: P 10, Q 70  ->  S = 70 − 60t
# At t = 0.42: x 43.6, y 45.8, z 44.8 -> y, z, x.
# Swaps: y = z: 50 − 10t = 70 − 60t -> 50t = 20 -> t = 2/5   (y ahead after)
#        x = z: 10 + 80t = 70 − 60t -> 140t = 60 -> t = 3/7  (x ahead after)
#        x = y: 10 + 80t = 50 − 10t -> 90t = 40 -> t = 4/9   (x ahead after)
# As weights with Q kept at 29: w = 29 t/(1 − t): 2/5 -> 58/3, 3/7 -> 21.75, 4/9 -> 23.2.
# Intervals around 0.42: the ranking holds on [2/5, 3/7]; the top 1 (y) on [2/5, 4/9] (z above before 2/5, x
# after 4/9); the top-2 set {y, z} on [0, 3/7] (the 2/5 swap stays inside it); x's rank on [0, 3/7], y's on
# [2/5, 4/9], z's on [2/5, 3/7].

HAND = make_dataset(one_indicator_pillars("PQ"), [[90, 10], [40, 50], [10, 70]], ["x", "y", "z"])
HAND_WEIGHTS = make_weights({"P": 21, "Q": 29}, method="goalposts")


@pytest.fixture(scope="module")
def hand():
    return Engine(HAND, HAND_WEIGHTS)


def test_exact_breakpoints_by_hand(hand):
    s = weight_stability(hand, "P", top_k=1)
    assert s.exact and s.node == "P"
    assert s.nominal_share == pytest.approx(0.42) and s.nominal_weight == 21
    assert [(w.above, w.below) for w in s.swaps] == [("y", "z"), ("x", "z"), ("x", "y")]
    np.testing.assert_allclose([w.share for w in s.swaps], [2 / 5, 3 / 7, 4 / 9], rtol=0, atol=1e-12)
    np.testing.assert_allclose([w.weight for w in s.swaps], [58 / 3, 21.75, 23.2], rtol=1e-12)
    np.testing.assert_allclose(s.ranking, (2 / 5, 3 / 7), atol=1e-12)
    np.testing.assert_allclose(s.top, (2 / 5, 4 / 9), atol=1e-12)
    assert s.entity is None


@pytest.mark.parametrize("entity, expected", [("x", (0, 3 / 7)), ("y", (2 / 5, 4 / 9)), ("z", (2 / 5, 3 / 7))])
def test_exact_entity_intervals_by_hand(hand, entity, expected):
    s = weight_stability(hand, "P", entity=entity, top_k=2)
    np.testing.assert_allclose(s.entity, expected, atol=1e-12)
    np.testing.assert_allclose(s.top, (0, 3 / 7), atol=1e-12)  # the top-2 set {y, z}


def test_moving_the_other_weight_mirrors_the_shares(hand):
    # Q's share is 1 − P's: swaps at 1 − 4/9 = 5/9, 4/7 and 3/5, in that order, nominal 0.58
    s = weight_stability(hand, "Q")
    np.testing.assert_allclose([w.share for w in s.swaps], [5 / 9, 4 / 7, 3 / 5], atol=1e-12)
    assert [(w.above, w.below) for w in s.swaps] == [("y", "x"), ("z", "x"), ("z", "y")]
    np.testing.assert_allclose(s.ranking, (4 / 7, 3 / 5), atol=1e-12)


def test_stability_errors(hand):
    with pytest.raises(ConfigError, match="no weight 'R'"):
        weight_stability(hand, "R")
    with pytest.raises(ConfigError, match="no weighted sibling"):
        weight_stability(hand, "p")  # the only indicator of P
    with pytest.raises(ConfigError, match="no entity 'w'"):
        weight_stability(hand, "P", entity="w")


# --- ratio-of-affine breakpoints (missing values) against a brute-force scan ---------------------------------
#
# Three pillars, min_coverage 0; moving P's weight (share t), Q and R share 1 − t equally. An entity missing R is
# (tP + (1 − t)Q/2) / (t + (1 − t)/2), a ratio of affine functions of t; one with only P is constant at P for
# every t > 0 (and unscored at t = 0); one missing P is constant.

GAPS = [
    [80, 20, 40],  # w: affine
    [50, 60, 30],  # x: affine
    [30, 90, NAN],  # y: a ratio
    [60, NAN, NAN],  # z: P alone, constant
    [NAN, 50, 30],  # v: no P, constant 40
    [70, 35, NAN],  # u: a ratio
]


def naive_arithmetic(row, weights) -> float:
    """Weighted mean over the available values, written out."""
    total = sum(w for v, w in zip(row, weights, strict=True) if not math.isnan(v))
    return sum(v * w for v, w in zip(row, weights, strict=True) if not math.isnan(v)) / total


def naive_geometric(row, weights) -> float:
    total = sum(weights)
    return math.exp(sum(w * math.log(v) for v, w in zip(row, weights, strict=True)) / total)


def brute_force_swaps(score, entities: int, lo: float = 1e-6, hi: float = 1 - 1e-6, steps: int = 20000):
    """Every share in (lo, hi) at which two entities' naive scores cross: a scan, then bisection to 1e-14."""
    grid = [lo + (hi - lo) * k / steps for k in range(steps + 1)]
    values = [[score(e, t) for e in range(entities)] for t in grid]
    found = []
    for a, b in itertools.combinations(range(entities), 2):
        for k in range(steps):
            before, after = values[k][a] - values[k][b], values[k + 1][a] - values[k + 1][b]
            if before == 0 or (before > 0) == (after > 0):
                continue
            low, high = grid[k], grid[k + 1]
            while high - low > 1e-14:
                middle = (low + high) / 2
                if (score(a, middle) - score(b, middle) > 0) == (before > 0):
                    low = middle
                else:
                    high = middle
            found.append((low, a, b))
    return sorted(found)


def as_found(stability, entities) -> list[tuple[float, int, int]]:
    ids = list(entities)
    return sorted((w.share, *sorted((ids.index(w.above), ids.index(w.below)))) for w in stability.swaps)


def test_ratio_of_affine_breakpoints_against_brute_force():
    dataset = make_dataset(one_indicator_pillars("PQR"), GAPS, ["w", "x", "y", "z", "v", "u"])
    engine = Engine(dataset, make_weights(method="goalposts", min_coverage=0))
    s = weight_stability(engine, "P", entity="z")
    assert s.exact

    def naive(e, t):
        return naive_arithmetic(GAPS[e], (t, (1 - t) / 2, (1 - t) / 2))

    expected = brute_force_swaps(naive, len(GAPS))
    got = as_found(s, dataset.entities)
    assert [(a, b) for _, a, b in got] == [(a, b) for _, a, b in expected]
    np.testing.assert_allclose([t for t, *_ in got], [t for t, *_ in expected], atol=1e-9)
    # z (P alone: 60) is passed by w (80t + 10(1 − t)... above 60 from t = 0.6) and passes y at t = 1/3
    assert ("w", "z") in [(w.above, w.below) for w in s.swaps] and ("z", "y") in [(w.above, w.below) for w in s.swaps]


# --- scanned breakpoints (geometric) against brute force ------------------------------------------------------
#
#   index (geometric) ── P (arithmetic) ── a, b      moving a within P; Q and R fixed
#                     ├─ Q ── c
#                     └─ R ── d

SCANNED = make_framework(
    {"P": None, "Q": None, "R": None}, {"a": "P", "b": "P", "c": "Q", "d": "R"}, goalposts=(0, 100)
)
SCANNED_VALUES = [[90, 20, 40, 50], [30, 70, 55, 45], [60, 45, 35, 60], [10, 95, 50, 52], [75, 30, 60, 30]]


def test_scanned_geometric_breakpoints_against_bisection():
    dataset = make_dataset(SCANNED, SCANNED_VALUES)
    profile = make_weights(method="goalposts", levels={"index": Aggregation("geometric")})
    engine = Engine(dataset, profile)
    s = weight_stability(engine, "a")
    assert not s.exact and s.nominal_share == 0.5

    def naive(e, t):
        a, b, c, d = SCANNED_VALUES[e]
        return naive_geometric((t * a + (1 - t) * b, c, d), (1, 1, 1))

    expected = brute_force_swaps(naive, len(SCANNED_VALUES))
    got = as_found(s, dataset.entities)
    assert len(expected) >= 5
    assert [(a, b) for _, a, b in got] == [(a, b) for _, a, b in expected]
    np.testing.assert_allclose([t for t, *_ in got], [t for t, *_ in expected], atol=1e-8)
    for w in s.swaps:  # "above" is ahead just after the swap
        i, j = dataset.entities.index(w.above), dataset.entities.index(w.below)
        assert naive(i, w.share + 1e-6) > naive(j, w.share + 1e-6)


def test_exact_and_scanned_agree_on_arithmetic_data():
    # the same tree, arithmetic everywhere: exact roots; forced through the scan (power p = 1 is not
    # flagged exact) they agree to the bisection tolerance
    dataset = make_dataset(SCANNED, SCANNED_VALUES)
    exact = weight_stability(Engine(dataset, make_weights(method="goalposts")), "a")
    power = make_weights(method="goalposts", aggregation="power", p=1.0)
    scanned = weight_stability(Engine(dataset, power), "a")
    assert exact.exact and not scanned.exact
    assert as_found(exact, dataset.entities)[0][1:] == as_found(scanned, dataset.entities)[0][1:]
    np.testing.assert_allclose(
        [w.share for w in exact.swaps], [w.share for w in scanned.swaps], atol=1e-8
    )  # fmt: skip


# --- best and worst ranks against an exhaustive search of the simplex ----------------------------------------


def simplex_candidates(points: np.ndarray, floor: float, steps: int = 240) -> np.ndarray:
    """Weight vectors (w1, w2, w3), each ≥ floor, summing to 1: a fine grid, every vertex of the arrangement of
    the lines on which two entities tie (and the floor's boundaries), and the centroid of every three vertices.

    The best rank (ties do not count against) is reached at a vertex of that arrangement; the worst (strictly
    ahead) inside one of its open cells, which contains the centroid of any three of its corners."""
    lines = [(1.0, 0.0, -floor), (0.0, 1.0, -floor), (1.0, 1.0, -(1 - floor))]  # α w1 + β w2 + γ = 0
    for a, b in itertools.combinations(range(len(points)), 2):
        d = points[a] - points[b]  # d·w with w3 = 1 − w1 − w2
        lines.append((d[0] - d[2], d[1] - d[2], d[2]))
    vertices = []
    for (a1, b1, c1), (a2, b2, c2) in itertools.combinations(lines, 2):
        det = a1 * b2 - a2 * b1
        if abs(det) < 1e-12:
            continue
        w1, w2 = (b1 * c2 - b2 * c1) / det, (a2 * c1 - a1 * c2) / det
        if w1 >= floor - 1e-12 and w2 >= floor - 1e-12 and 1 - w1 - w2 >= floor - 1e-12:
            vertices.append((w1, w2))
    vertices = np.array(vertices)
    triples = np.array(list(itertools.combinations(range(len(vertices)), 3)))
    centroids = vertices[triples].mean(axis=1)
    span = 1 - 3 * floor
    grid = np.array([(floor + span * i / steps, floor + span * j / steps) for i in range(steps + 1)
                     for j in range(steps + 1 - i)])  # fmt: skip
    two = np.concatenate([grid, vertices, centroids])
    return np.column_stack([two, 1 - two.sum(axis=1)])


def brute_force_bounds(points: np.ndarray, floor: float) -> list[tuple[int, int]]:
    weights = simplex_candidates(points, floor)
    scores = weights @ points.T  # candidates × entities
    out = []
    for e in range(len(points)):
        ahead = (scores - scores[:, [e]] > 1e-9).sum(axis=1)
        out.append((1 + int(ahead.min()), 1 + int(ahead.max())))
    return out


@pytest.mark.parametrize("floor", [0.0, 0.1])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rank_bounds_against_exhaustive_search(seed, floor):
    points = np.random.default_rng(seed).integers(0, 101, (5, 3)).astype(float)
    dataset = make_dataset(one_indicator_pillars("PQR"), points)
    engine = Engine(dataset, make_weights(method="goalposts"))
    bounds = rank_bounds(engine, "pillar", floor)
    expected = brute_force_bounds(points, floor)
    assert [(b.best, b.worst) for b in bounds] == expected
    assert all(b.exact for b in bounds)
    for b in bounds:  # the nominal (equal) weights are one of the vectors searched
        assert b.best <= b.nominal <= b.worst


def test_rank_bounds_by_hand():
    # Two pillars: S = tP + (1 − t)Q with t = P's share in [floor, 1 − floor]: x = 10 + 80t, y = 50 − 10t,
    # z = 70 − 60t, swapping at 2/5, 3/7 and 4/9 (above). The order on each stretch of t:
    #   t < 2/5: z, y, x      2/5 < t < 3/7: y, z, x      3/7 < t < 4/9: y, x, z      t > 4/9: x, y, z
    # so x ranges over 1-3, y over 1-2 (first on [2/5, 4/9], never last), z over 1-3.
    # With a floor of 0.45, t ∈ [0.45, 0.55] lies past 4/9: x, y, z throughout.
    bounds = rank_bounds(Engine(HAND, HAND_WEIGHTS), "pillar")
    assert [(b.entity, b.best, b.worst) for b in bounds] == [("x", 1, 3), ("y", 1, 2), ("z", 1, 3)]
    # with a floor of 0.45 (t ∈ [0.45, 0.55]) y can no longer be first: x > y from t = 4/9 ≈ 0.444
    floored = rank_bounds(Engine(HAND, HAND_WEIGHTS), "pillar", floor=0.45)
    assert [(b.entity, b.best, b.worst) for b in floored] == [("x", 1, 1), ("y", 2, 2), ("z", 3, 3)]


def test_rank_bounds_with_a_missing_pillar_are_outer_bounds():
    # "gap" misses R and is scored over P and Q (min_coverage 0): a ratio no linear program holds. The others'
    # bounds must still contain every rank they can really take (found by a search over the simplex).
    points = np.array([[80, 20, 40], [50, 60, 30], [30, 90, NAN], [60, 45, 50], [20, 30, 95]])
    dataset = make_dataset(one_indicator_pillars("PQR"), points, ["a", "b", "gap", "c", "d"])
    engine = Engine(dataset, make_weights(method="goalposts", min_coverage=0))
    bounds = rank_bounds(engine, "pillar")
    weights = simplex_candidates(np.nan_to_num(points), 0.0, steps=300)
    available = ~np.isnan(points)
    with np.errstate(invalid="ignore"):  # at P = Q = 0 "gap" has nothing to be scored on
        scores = (weights @ np.nan_to_num(points).T) / (weights @ available.T)
    gap = bounds[2]
    assert math.isnan(gap.best) and math.isnan(gap.worst) and not gap.exact
    for e, b in enumerate(bounds):
        if e == 2:
            continue
        ahead = (scores - scores[:, [e]] > 1e-9).sum(axis=1)
        assert b.best <= 1 + ahead.min() and 1 + ahead.max() <= b.worst
        assert b.best <= b.nominal <= b.worst and not b.exact
    report = stability_report(engine, [], bounds, None, None, "table")
    assert "the others' are outer bounds" in report


def test_solver_output_is_silenced(capfd):
    # HiGHS (under scipy's milp) can print a stray debug line straight to file descriptors 1 (where the data go)
    # or 2 (ERGO-Code/HiGHS#2783); the solver runs with both pointed at the null device, and they come back
    import os

    print("before", flush=True)
    with _silenced():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
        os.write(2, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
    print("after", flush=True)
    os.write(2, b"and stderr is back\n")
    out, err = capfd.readouterr()
    assert out == "before\nafter\n"
    assert err == "and stderr is back\n"


def test_rank_bounds_errors():
    engine = Engine(HAND, HAND_WEIGHTS)
    with pytest.raises(ConfigError, match="floor must lie in"):
        rank_bounds(engine, "pillar", floor=0.5)
    with pytest.raises(ConfigError, match="two or more nodes of level 'sub-pillar'"):
        rank_bounds(engine, "sub-pillar")
    geometric = Engine(HAND, make_weights({"P": 21, "Q": 29}, method="goalposts", aggregation="geometric"))
    with pytest.raises(ConfigError, match="only for an arithmetic index"):
        rank_bounds(geometric, "pillar")


# --- SMAA-2 acceptability ------------------------------------------------------------------------------------


def test_acceptability_against_a_naive_count():
    # four entities on three pillars; "last" is below some other entity on every pillar (dominated everywhere),
    # so it never ranks first and has no central weights
    points = [[90, 20, 50], [30, 85, 60], [55, 55, 55], [25, 15, 45]]
    dataset = make_dataset(one_indicator_pillars("PQR"), points, ["p", "q", "mid", "last"])
    engine = Engine(dataset, make_weights(method="goalposts"))
    runs, seed = 3000, 4
    result = acceptability(engine, runs, seed)
    assert result.runs == runs and result.seed == seed and result.nodes == ("P", "Q", "R")
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0)
    np.testing.assert_array_equal(result.first, result.probabilities[:, 0])
    assert result.first[3] == 0 and np.isnan(result.central[3]).all()
    # naive: the same weight draws (uniform on the simplex), scored and ranked by hand
    design = Design(engine, Spec(runs=runs, sampler="random", weights=WeightSpec("simplex", levels=("pillar",)),
                                 aggregation=()))  # fmt: skip
    draws = design.weights(np.random.default_rng(seed).random((runs, design.dimensions)))  # the draws, in order
    pillar = [engine.nodes.index(p) for p in ("P", "Q", "R")]
    counts = np.zeros((4, 4))
    central = [[0.0, 0.0, 0.0] for _ in range(4)]
    for w in draws[:, pillar]:
        shares = [x / sum(w) for x in w]
        s = [sum(x * v for x, v in zip(shares, row, strict=True)) for row in points]
        for e in range(4):
            rank = 1 + sum(1 for other in s if other > s[e] + 1e-9)
            counts[e, rank - 1] += 1
            if rank == 1:
                central[e] = [c + x for c, x in zip(central[e], shares, strict=True)]
    np.testing.assert_allclose(result.probabilities, counts / runs)
    for e in range(3):
        if counts[e, 0]:
            np.testing.assert_allclose(result.central[e], np.array(central[e]) / counts[e, 0], rtol=1e-9)
    # p wins where P weighs most, q where Q does: their central weights lean that way
    assert result.central[0][0] > 0.4 and result.central[1][1] > 0.4
    again = acceptability(engine, runs, seed)
    assert np.array_equal(again.probabilities, result.probabilities)


def test_acceptability_of_the_hand_case_matches_the_breakpoints(hand):
    # two pillars, t uniform on [0, 1]: y first for t ∈ [2/5, 4/9] (probability 2/45), x for t > 4/9, z for t < 2/5
    result = acceptability(hand, 20000, 1)
    np.testing.assert_allclose(result.first, [5 / 9, 2 / 45, 2 / 5], atol=0.012)
    assert Fraction(5, 9) + Fraction(2, 45) + Fraction(2, 5) == 1
    np.testing.assert_allclose(result.central[1], [(2 / 5 + 4 / 9) / 2, 1 - (2 / 5 + 4 / 9) / 2], atol=0.005)
