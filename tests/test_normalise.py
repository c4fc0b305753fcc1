"""Normalisation kernels: hand-worked golden values, both directions, NaN, ranges and constant indicators.

Every expectation is worked out by hand (arithmetic in the comment) or by a deliberately naive
pure-Python implementation below; no expectation comes from the code under test.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from conftest import make_framework
from hypothesis import given, settings
from hypothesis import strategies as st

from trustindex import normalise as N
from trustindex.errors import ConfigError
from trustindex.model import Normalisation

# Any RuntimeWarning (division by zero, all-NaN slice, degrees of freedom) fails the test.
pytestmark = pytest.mark.filterwarnings("error")

NAN = float("nan")
UP = np.array([1.0])
DOWN = np.array([-1.0])


def col(*values: float) -> np.ndarray:
    """One indicator column, shape (entities, 1)."""
    return np.array(values, dtype=float)[:, None]


def check(actual: np.ndarray, expected: list[float]) -> None:
    """``actual`` (one column) equals ``expected`` to 1e-9, with NaN exactly where expected is NaN."""
    got = list(np.asarray(actual)[:, 0])
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if math.isnan(e):
            assert math.isnan(g), (got, expected)
        else:
            assert g == pytest.approx(e, rel=1e-12, abs=1e-9), (got, expected)


# --- min-max ---------------------------------------------------------------------------------------


def test_minmax_higher_is_better():
    # min 1, max 5: (1-1)/4*100 = 0, (3-1)/4*100 = 50, (5-1)/4*100 = 100; NaN stays NaN
    check(N.minmax(col(1, 3, 5, NAN), UP), [0, 50, 100, NAN])


def test_minmax_lower_is_better():
    # reversed: 100 - 0 = 100, 100 - 50 = 50, 100 - 100 = 0
    check(N.minmax(col(1, 3, 5, NAN), DOWN), [100, 50, 0, NAN])


def test_minmax_range_1_100():
    # 1 + 99*0 = 1, 1 + 99*0.5 = 50.5, 1 + 99*1 = 100; lower is better: 100, 50.5, 1
    check(N.minmax(col(1, 3, 5), UP, 1.0, 100.0), [1, 50.5, 100])
    check(N.minmax(col(1, 3, 5), DOWN, 1.0, 100.0), [100, 50.5, 1])


def test_minmax_columns_are_independent():
    x = np.array([[0.0, 10.0], [10.0, 30.0], [5.0, 20.0]])
    out = N.minmax(x, np.array([1.0, -1.0]))
    # column 0: 0, 100, 50; column 1 (lower is better, 10..30): (30-10)/20 = 1 -> 100, 0, 50
    np.testing.assert_allclose(out, [[0, 100], [100, 0], [50, 50]], rtol=1e-12, atol=1e-9)


# --- goalposts ---------------------------------------------------------------------------------------


def test_goalposts_clip_higher_is_better():
    # goalposts [0, 10]: -5 -> -0.5 clipped to 0; 2.5 -> 0.25 -> 25; 12 -> 1.2 clipped to 1 -> 100
    check(N.goalposts(col(-5, 2.5, 12, NAN), UP, np.array([0.0]), np.array([10.0])), [0, 25, 100, NAN])


def test_goalposts_clip_lower_is_better():
    # 1 - 0 = 1 -> 100; 1 - 0.25 = 0.75 -> 75; 1 - 1 = 0
    check(N.goalposts(col(-5, 2.5, 12, NAN), DOWN, np.array([0.0]), np.array([10.0])), [100, 75, 0, NAN])


def test_goalposts_range_1_100():
    # 1 + 99*0 = 1; 1 + 99*0.25 = 25.75; 1 + 99*1 = 100
    out = N.goalposts(col(-5, 2.5, 12), UP, np.array([0.0]), np.array([10.0]), 1.0, 100.0)
    check(out, [1, 25.75, 100])
    # lower is better: 1 + 99*1 = 100; 1 + 99*0.75 = 75.25; 1 + 99*0 = 1
    out = N.goalposts(col(-5, 2.5, 12), DOWN, np.array([0.0]), np.array([10.0]), 1.0, 100.0)
    check(out, [100, 75.25, 1])


def test_goalposts_do_not_depend_on_other_entities():
    # fixed goalposts [0, 10]: 4 -> 40 whatever the other values are
    a = N.goalposts(col(4, 0), UP, np.array([0.0]), np.array([10.0]))
    b = N.goalposts(col(4, 9), UP, np.array([0.0]), np.array([10.0]))
    assert a[0, 0] == pytest.approx(40) and b[0, 0] == pytest.approx(40)


# --- z-score ---------------------------------------------------------------------------------------


def test_zscore_uses_sample_sd():
    # mean 4; sample sd = sqrt(((2-4)^2 + 0 + (6-4)^2) / (3-1)) = sqrt(8/2) = 2 -> z = -1, 0, 1
    # (the population sd sqrt(8/3) would give -1.2247...)
    check(N.zscore(col(2, 4, 6, NAN), UP), [-1, 0, 1, NAN])


def test_zscore_lower_is_better():
    check(N.zscore(col(2, 4, 6, NAN), DOWN), [1, 0, -1, NAN])


def test_zscore_location_and_scale():
    # mean 100, sd 10: 100 + 10*(-1) = 90, 100, 110; lower is better: 110, 100, 90
    check(N.zscore(col(2, 4, 6), UP, 100.0, 10.0), [90, 100, 110])
    check(N.zscore(col(2, 4, 6), DOWN, 100.0, 10.0), [110, 100, 90])


# --- rank and percentile ---------------------------------------------------------------------------


def test_rank_average_ties_higher_is_better():
    # 1 = worst: 10 -> 1; the two 20s share ranks 2 and 3 -> (2+3)/2 = 2.5; 30 -> 4
    check(N.rank(col(10, 20, 20, 30, NAN), UP), [1, 2.5, 2.5, 4, NAN])


def test_rank_average_ties_lower_is_better():
    # 30 is now worst (1), 10 best (4)
    check(N.rank(col(10, 20, 20, 30, NAN), DOWN), [4, 2.5, 2.5, 1, NAN])


def test_rank_counts_only_observed_values():
    # two observed values: ranks 1 and 2, whatever the number of missing entities
    check(N.rank(col(NAN, 5, NAN, 3), UP), [NAN, 2, NAN, 1])


def test_percentile_higher_is_better():
    # m = 4 observed; (rank-1)/(m-1): (1-1)/3 = 0, (2.5-1)/3 = 0.5, (4-1)/3 = 1 -> 0, 50, 50, 100
    check(N.percentile(col(10, 20, 20, 30, NAN), UP), [0, 50, 50, 100, NAN])


def test_percentile_lower_is_better_and_range():
    check(N.percentile(col(10, 20, 20, 30, NAN), DOWN), [100, 50, 50, 0, NAN])
    # [1, 100]: 1 + 99*0 = 1, 1 + 99*0.5 = 50.5, 100
    check(N.percentile(col(10, 20, 20, 30), UP, 1.0, 100.0), [1, 50.5, 50.5, 100])


# --- distance to target ----------------------------------------------------------------------------


def test_target_higher_is_better_with_cap():
    # worst = min = 20, target 100, gap 80: (20-20)/80 = 0; (50-20)/80 = 0.375 -> 37.5;
    # (80-20)/80 = 0.75 -> 75; (120-20)/80 = 1.25 capped at 1 -> 100
    check(N.target(col(20, 50, 80, 120, NAN), UP, np.array([100.0])), [0, 37.5, 75, 100, NAN])


def test_target_lower_is_better_with_cap():
    # worst = max = 120, target 30, gap 120-30 = 90: 20 -> (120-20)/90 = 1.11 capped -> 100;
    # 50 -> 70/90*100 = 77.777...; 80 -> 40/90*100 = 44.444...; 120 -> 0
    out = N.target(col(20, 50, 80, 120, NAN), DOWN, np.array([30.0]))
    check(out, [100, 7000 / 90, 4000 / 90, 0, NAN])


def test_target_range_1_100():
    # 1 + 99*0.375 = 38.125
    out = N.target(col(20, 50, 80, 120), UP, np.array([100.0]), 1.0, 100.0)
    check(out, [1, 38.125, 75.25, 100])


def test_target_every_value_reaches_target():
    # every observed value is at or beyond the target: all score the top of the range
    check(N.target(col(20, 50, NAN), UP, np.array([10.0])), [100, 100, NAN])
    check(N.target(col(20, 50, NAN), DOWN, np.array([200.0])), [100, 100, NAN])
    check(N.target(col(20, 50), UP, np.array([20.0]), 1.0, 100.0), [100, 100])


# --- constant indicators, single observations, all missing -----------------------------------------

BOUNDED_CONSTANT = [
    ("minmax", lambda x, d, lo, hi: N.minmax(x, d, lo, hi)),
    ("percentile", lambda x, d, lo, hi: N.percentile(x, d, lo, hi)),
    # the target (1000) is out of reach, so the constant is not "every value reaches the target"
    ("target", lambda x, d, lo, hi: N.target(x, d, np.array([1000.0 * d[0]]), lo, hi)),
]


@pytest.mark.parametrize("name,kernel", BOUNDED_CONSTANT, ids=[b[0] for b in BOUNDED_CONSTANT])
@pytest.mark.parametrize("direction", [UP, DOWN], ids=["higher", "lower"])
@pytest.mark.parametrize("lo,hi,centre", [(0.0, 100.0, 50.0), (1.0, 100.0, 50.5)])
def test_constant_indicator_gets_centre_of_range(name, kernel, direction, lo, hi, centre):
    # the documented rule: a constant indicator, or one with a single observed value, gets the
    # midpoint of the range ((0+100)/2 = 50, (1+100)/2 = 50.5); missing values stay missing
    check(kernel(col(7, 7, NAN, 7), direction, lo, hi), [centre, centre, NAN, centre])
    check(kernel(col(NAN, 7, NAN), direction, lo, hi), [NAN, centre, NAN])


@pytest.mark.parametrize("direction", [UP, DOWN], ids=["higher", "lower"])
def test_constant_indicator_zscore_gets_mean(direction):
    check(N.zscore(col(7, 7, NAN, 7), direction), [0, 0, NAN, 0])
    check(N.zscore(col(7, 7, 7), direction, 100.0, 15.0), [100, 100, 100])
    # a single observation has no sample sd (ddof = 1): still the mean, not NaN, no warning
    check(N.zscore(col(NAN, 7), direction, 100.0, 15.0), [NAN, 100])


@pytest.mark.parametrize("direction", [UP, DOWN], ids=["higher", "lower"])
def test_constant_indicator_rank_gets_middle_rank(direction):
    # three tied values share ranks 1, 2, 3 -> (1+2+3)/3 = 2; a single value has rank 1
    check(N.rank(col(7, 7, NAN, 7), direction), [2, 2, NAN, 2])
    check(N.rank(col(NAN, 7, NAN), direction), [NAN, 1, NAN])


def test_constant_indicator_at_target_scores_top():
    # a constant that reaches the target is the "every value reaches the target" case
    check(N.target(col(7, 7, NAN), UP, np.array([7.0])), [100, 100, NAN])


ALL_KERNELS = [
    ("minmax", lambda x, d: N.minmax(x, d)),
    ("goalposts", lambda x, d: N.goalposts(x, d, np.array([0.0]), np.array([10.0]))),
    ("zscore", lambda x, d: N.zscore(x, d)),
    ("rank", lambda x, d: N.rank(x, d)),
    ("percentile", lambda x, d: N.percentile(x, d)),
    ("target", lambda x, d: N.target(x, d, np.array([10.0]))),
    ("scaled", lambda x, d: N.scaled(x, d, np.array([0.0]), np.array([10.0]))),
    ("borda", lambda x, d: N.borda(x, d)),
    ("dist2ref", lambda x, d: N.dist2ref(x, d, np.array([5.0]))),
    ("fracmax", lambda x, d: N.fracmax(x, d)),
]


@pytest.mark.parametrize("name,kernel", ALL_KERNELS, ids=[k[0] for k in ALL_KERNELS])
@pytest.mark.parametrize("direction", [UP, DOWN], ids=["higher", "lower"])
def test_all_missing_stays_missing(name, kernel, direction):
    check(kernel(col(NAN, NAN, NAN), direction), [NAN, NAN, NAN])


# --- the validating wrapper ------------------------------------------------------------------------


def _indicators(**kwargs):
    fw = make_framework({"p": None}, {"a": "p", "b": "p"}, **kwargs)
    return fw.indicators


def test_wrapper_applies_direction_and_range():
    inds = _indicators(direction={"b": -1})
    x = np.array([[0.0, 0.0], [10.0, 10.0], [5.0, 2.5]])
    out = N.normalise(x, inds, Normalisation("minmax", (1.0, 100.0)))
    # a: 1, 100, 1 + 99*0.5 = 50.5; b (lower is better, 0..10): 100, 1, 1 + 99*0.75 = 75.25
    np.testing.assert_allclose(out, [[1, 100], [100, 1], [50.5, 75.25]], rtol=1e-12, atol=1e-9)


def test_wrapper_goalposts_and_target_need_their_metadata():
    x = np.array([[1.0, 2.0]])
    with pytest.raises(ConfigError, match="goalposts"):
        N.normalise(x, _indicators(goalposts={"a": (0, 10)}), Normalisation("goalposts"))
    with pytest.raises(ConfigError, match="target"):
        N.normalise(x, _indicators(target={"b": 5.0}), Normalisation("target"))
    with pytest.raises(ConfigError, match="unknown normalisation"):
        N.normalise(x, _indicators(), Normalisation("minmaxx"))


def test_wrapper_goalposts_per_indicator():
    inds = _indicators(goalposts={"a": (0, 10), "b": (0, 1000)})
    out = N.normalise(np.array([[5.0, 5.0]]), inds, Normalisation("goalposts"))
    # 5/10*100 = 50; 5/1000*100 = 0.5
    np.testing.assert_allclose(out, [[50, 0.5]], rtol=1e-12, atol=1e-9)


# --- naive reference implementations, compared on random data ---------------------------------------


def observed(column):
    return [v for v in column if not math.isnan(v)]


def naive_minmax(column, d, lo, hi):
    obs = observed(column)
    out = []
    for v in column:
        if math.isnan(v):
            out.append(NAN)
        elif max(obs) == min(obs):
            out.append((lo + hi) / 2)
        else:
            unit = (v - min(obs)) / (max(obs) - min(obs))
            out.append(lo + (hi - lo) * (unit if d > 0 else 1 - unit))
    return out


def naive_zscore(column, d, mean, sd):
    obs = observed(column)
    s = statistics.stdev(obs) if len(obs) > 1 else 0.0
    out = []
    for v in column:
        if math.isnan(v):
            out.append(NAN)
        elif s == 0:
            out.append(mean)
        else:
            out.append(mean + sd * d * (v - statistics.mean(obs)) / s)
    return out


def naive_rank(column, d):
    obs = [v * d for v in observed(column)]
    out = []
    for v in column:
        if math.isnan(v):
            out.append(NAN)
            continue
        below = sum(1 for o in obs if o < v * d)
        equal = sum(1 for o in obs if o == v * d)
        out.append(below + (equal + 1) / 2)  # average of positions below+1 .. below+equal
    return out


def naive_percentile(column, d, lo, hi):
    m = len(observed(column))
    out = []
    for v, r in zip(column, naive_rank(column, d), strict=True):
        if math.isnan(v):
            out.append(NAN)
        else:
            out.append(lo + (hi - lo) * ((r - 1) / (m - 1) if m > 1 else 0.5))
    return out


def naive_target(column, d, goal, lo, hi):
    obs = observed(column)
    worst = min(obs) if d > 0 else max(obs)
    out = []
    for v in column:
        if math.isnan(v):
            out.append(NAN)
        elif (goal - worst) * d <= 0:  # every value reaches the target
            out.append(hi)
        elif max(obs) == min(obs):  # constant below the target: centre
            out.append((lo + hi) / 2)
        else:
            out.append(lo + (hi - lo) * min(1.0, (v - worst) * d / ((goal - worst) * d)))
    return out


values = st.one_of(
    st.just(NAN),
    st.integers(-20, 20).map(float),  # small integers make ties likely
    # rounded to 6 decimals: no tiny spreads (e.g. 0 and 1e-300) whose squares underflow to sd = 0
    st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 6)),
)
columns = st.lists(values, min_size=1, max_size=9).filter(lambda c: observed(c))
directions = st.sampled_from([1, -1])
ranges = st.sampled_from([(0.0, 100.0), (1.0, 100.0), (-1.0, 1.0)])


def close(actual, expected):
    for a, e in zip(actual, expected, strict=True):
        if math.isnan(e):
            assert math.isnan(a), (actual, expected)
        else:
            assert a == pytest.approx(e, rel=1e-9, abs=1e-9), (actual, expected)


@settings(max_examples=60, deadline=None)
@given(columns, directions, ranges)
def test_minmax_matches_naive(column, d, r):
    close(N.minmax(col(*column), np.array([float(d)]), *r)[:, 0], naive_minmax(column, d, *r))


@settings(max_examples=60, deadline=None)
@given(columns, directions, st.sampled_from([(0.0, 1.0), (100.0, 10.0)]))
def test_zscore_matches_naive(column, d, location):
    close(N.zscore(col(*column), np.array([float(d)]), *location)[:, 0], naive_zscore(column, d, *location))


@settings(max_examples=60, deadline=None)
@given(columns, directions)
def test_rank_matches_naive(column, d):
    close(N.rank(col(*column), np.array([float(d)]))[:, 0], naive_rank(column, d))


@settings(max_examples=60, deadline=None)
@given(columns, directions, ranges)
def test_percentile_matches_naive(column, d, r):
    close(N.percentile(col(*column), np.array([float(d)]), *r)[:, 0], naive_percentile(column, d, *r))


@settings(max_examples=60, deadline=None)
@given(columns, directions, ranges, st.integers(-25, 25).map(float))
def test_target_matches_naive(column, d, r, goal):
    close(N.target(col(*column), np.array([float(d)]), np.array([goal]), *r)[:, 0], naive_target(column, d, goal, *r))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(values, min_size=3, max_size=3), min_size=1, max_size=8),
    st.lists(directions, min_size=3, max_size=3),
    st.sampled_from([(0.0, 100.0), (1.0, 100.0)]),
)
def test_bounded_methods_stay_in_range(rows, dirs, r):
    x = np.array(rows, dtype=float)
    d = np.array(dirs, dtype=float)
    lo, hi = r
    outputs = {
        "minmax": N.minmax(x, d, lo, hi),
        "goalposts": N.goalposts(x, d, np.full(3, -10.0), np.full(3, 10.0), lo, hi),
        "percentile": N.percentile(x, d, lo, hi),
        "target": N.target(x, d, np.full(3, 5.0), lo, hi),
    }
    for name, out in outputs.items():
        assert out.shape == x.shape
        assert np.array_equal(np.isnan(out), np.isnan(x)), name  # NaN kept, nothing else made NaN
        seen = out[~np.isnan(out)]
        assert np.all(seen >= lo - 1e-9) and np.all(seen <= hi + 1e-9), name


def test_zscore_constant_whose_mean_is_inexact():
    # five copies of 3278.157208778417: their float mean is not exactly the value, so the computed
    # sample sd is rounding noise (~1e-13), not 0. The indicator is still constant: z = 0 (the mean).
    check(N.zscore(col(*[3278.157208778417] * 5), UP), [0.0] * 5)


# --- COINr's remaining normalisations (n_scaled, n_borda, n_fracmax, n_dist2ref) and population z-scores -----
# COINr 1.1.14's definitions: n_scaled (x − l) / (u − l) · 100; n_borda rank(x, ties = "min") − 1;
# n_fracmax x / max(x); n_dist2ref (x − min) / (x_ref − min), capped at 1 with cap_max.


def test_scaled_is_goalposts_without_the_clip():
    # bounds 0..10: −5 → −50, 5 → 50, 15 → 150; lower is better: (10 − x) / 10 · 100 = 150, 50, −50
    lo, hi = np.array([0.0]), np.array([10.0])
    check(N.scaled(col(-5, 5, 15, NAN), UP, lo, hi), [-50, 50, 150, NAN])
    check(N.scaled(col(-5, 5, 15), DOWN, lo, hi), [150, 50, -50])
    check(N.scaled(col(5), UP, lo, hi, 1.0, 100.0), [50.5])  # 1 + 99 · 0.5


def test_borda_counts_the_values_below_with_ties_at_the_lowest_rank():
    # 3, 1, –, 3, 2: below 3 are 1 and 2 (2), below 1 none, below 2 one; lower is better: below −3 none,
    # below −1 three (−3, −3, −2), below −2 two
    check(N.borda(col(3, 1, NAN, 3, 2), UP), [2, 0, NAN, 2, 1])
    check(N.borda(col(3, 1, NAN, 3, 2), DOWN), [0, 3, NAN, 0, 2])
    check(N.borda(col(7, 7, 7), UP), [0, 0, 0])  # nobody is below anybody


def test_fracmax_is_the_fraction_of_the_best_value():
    # 2, 5, 10 of 10: 20, 50, 100; lower is better, min / x: 2/2, 2/5, 2/10 → 100, 40, 20
    check(N.fracmax(col(2, 5, 10, NAN), UP), [20, 50, 100, NAN])
    check(N.fracmax(col(2, 5, 10), DOWN), [100, 40, 20])
    check(N.fracmax(col(0, 5), UP, 1.0, 100.0), [1, 100])
    check(N.fracmax(col(4, 4), DOWN), [100, 100])  # every value is the best


def test_dist2ref_measures_the_way_from_the_worst_to_the_reference():
    # worst 0, reference 8: 0, 4/8, 8/8, 10/8 → 0, 50, 100, 125; capped 100
    check(N.dist2ref(col(0, 4, 8, 10), UP, np.array([8.0])), [0, 50, 100, 125])
    check(N.dist2ref(col(0, 4, 8, 10), UP, np.array([8.0]), cap=True), [0, 50, 100, 100])
    # lower is better, worst 10, reference 4: (10 − x) / 6 → 10/6, 6/6, 2/6, 0
    check(N.dist2ref(col(0, 4, 8, 10), DOWN, np.array([4.0])), [1000 / 6, 100, 200 / 6, 0])
    check(N.dist2ref(col(0, 4, 8, 10), UP, np.array([8.0]), lo=1.0, hi=100.0), [1, 50.5, 100, 124.75])


def test_zscore_population_sd():
    # 1, 2, 3: mean 2, population sd √(2/3), so ±1/√(2/3) = ±√1.5; sample sd 1 gives ±1
    check(N.zscore(col(1, 2, 3), UP, ddof=0), [-math.sqrt(1.5), 0, math.sqrt(1.5)])
    check(N.zscore(col(1, 2, 3), UP, 100.0, 10.0, ddof=0), [100 - 10 * math.sqrt(1.5), 100, 100 + 10 * math.sqrt(1.5)])


def naive_borda(column, d):
    obs = [v * d for v in observed(column)]
    return [NAN if math.isnan(v) else float(sum(1 for o in obs if o < v * d)) for v in column]


def naive_fracmax(column, d, lo, hi):
    obs = observed(column)
    best = max(obs) if d > 0 else min(obs)
    out = []
    for v in column:
        if math.isnan(v):
            out.append(NAN)
        elif max(obs) == min(obs):
            out.append(hi)
        else:
            out.append(lo + (hi - lo) * (v / best if d > 0 else best / v))
    return out


def naive_dist2ref(column, d, ref, lo, hi, cap):
    obs = observed(column)
    worst = min(obs) if d > 0 else max(obs)
    out = []
    for v in column:
        if math.isnan(v):
            out.append(NAN)
        elif max(obs) == min(obs):
            out.append((lo + hi) / 2)
        else:
            unit = (v - worst) / (ref - worst)
            out.append(lo + (hi - lo) * (min(unit, 1.0) if cap else unit))
    return out


def naive_population_zscore(column, d, mean, sd):
    obs = observed(column)
    s = statistics.pstdev(obs)
    return [NAN if math.isnan(v) else mean if s == 0 else mean + sd * d * (v - statistics.mean(obs)) / s
            for v in column]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(columns, directions)
def test_borda_matches_naive(column, d):
    close(N.borda(col(*column), np.array([float(d)]))[:, 0], naive_borda(column, d))


positive_columns = st.lists(st.one_of(st.just(NAN), st.integers(1, 30).map(float),
                                      st.floats(0.5, 1e4).map(lambda v: round(v, 6))),
                            min_size=1, max_size=9).filter(lambda c: observed(c))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(positive_columns, directions, ranges)
def test_fracmax_matches_naive(column, d, r):
    close(N.fracmax(col(*column), np.array([float(d)]), *r)[:, 0], naive_fracmax(column, d, *r))


@settings(max_examples=60, deadline=None)
@given(columns, directions, ranges, st.booleans(), st.data())
def test_dist2ref_matches_naive(column, d, r, cap, data):
    obs = observed(column)
    worst = min(obs) if d > 0 else max(obs)
    candidates = [v for v in obs if v != worst] or obs  # the wrapper refuses a reference at the worst value
    ref = data.draw(st.sampled_from(candidates))
    got = N.dist2ref(col(*column), np.array([float(d)]), np.array([ref]), *r, cap)[:, 0]
    close(got, naive_dist2ref(column, d, ref, *r, cap))


@settings(max_examples=60, deadline=None)
@given(columns, directions, st.sampled_from([(0.0, 1.0), (100.0, 10.0)]))
def test_population_zscore_matches_naive(column, d, location):
    got = N.zscore(col(*column), np.array([float(d)]), *location, ddof=0)[:, 0]
    close(got, naive_population_zscore(column, d, *location))


def test_wrapper_dist2ref_reads_the_reference_entity():
    inds = _indicators(direction={"b": -1})
    x = np.array([[0.0, 0.0], [10.0, 10.0], [5.0, 2.5]])
    out = N.normalise(x, inds, Normalisation("dist2ref", reference="E3"), ("E1", "E2", "E3"))
    # a: worst 0, reference 5 → 0, 200, 100; b (lower is better): worst 10, reference 2.5 → 10/7.5, 0, 100
    np.testing.assert_allclose(out, [[0, 400 / 3], [200, 0], [100, 100]], rtol=1e-12)
    capped = N.normalise(x, inds, Normalisation("dist2ref", reference="E3", cap=True), ("E1", "E2", "E3"))
    np.testing.assert_allclose(capped, [[0, 100], [100, 0], [100, 100]], rtol=1e-12)


@pytest.mark.parametrize(
    "values,reference,message",
    [
        ([[0.0, 0.0], [1.0, 1.0]], "E9", "'E9' is not among the entities scored"),
        ([[0.0, 0.0], [NAN, 1.0]], "E2", "'E2' has no value of a"),
        ([[0.0, 1.0], [1.0, 0.5]], "E1", "'E1' has the worst value of a: no distance"),
    ],
)
def test_wrapper_dist2ref_refuses_a_reference_it_cannot_measure_to(values, reference, message):
    with pytest.raises(N.Unnormalisable, match=message) as error:
        N.normalise(np.array(values), _indicators(), Normalisation("dist2ref", reference=reference), ("E1", "E2"))
    assert error.value.key == "reference"


def test_wrapper_fracmax_needs_a_ratio_scale():
    with pytest.raises(N.Unnormalisable, match="non-negative values, but a has negative"):
        N.normalise(np.array([[-1.0, 1.0], [2.0, 2.0]]), _indicators(), Normalisation("fracmax"))
    with pytest.raises(N.Unnormalisable, match="lower-is-better b divides by a value of 0"):
        N.normalise(np.array([[1.0, 0.0], [2.0, 2.0]]), _indicators(direction={"b": -1}), Normalisation("fracmax"))


def test_wrapper_scaled_needs_goalposts_and_zscore_takes_its_basis():
    with pytest.raises(N.Unnormalisable, match="'scaled' needs goalposts, but b declare none"):
        N.normalise(np.array([[1.0, 2.0]]), _indicators(goalposts={"a": (0, 10)}), Normalisation("scaled"))
    x = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    out = N.normalise(x, _indicators(), Normalisation("zscore", sd_basis="population"))
    np.testing.assert_allclose(out[:, 0], [-math.sqrt(1.5), 0, math.sqrt(1.5)], rtol=1e-12)


# --- bounds and moments over a whole panel -------------------------------------------------------------------


def test_panel_bounds_come_from_every_year():
    # this year 4, 6, 8; the panel adds last year's 0, 5, 10: min-max over 0..10 gives 40, 60, 80 (not 0, 50, 100)
    x = col(4, 6, 8)
    panel = np.array([[[0.0], [5.0], [10.0]], [[4.0], [6.0], [8.0]]])
    inds = _indicators()[:1]
    check(N.normalise(x, inds, Normalisation("minmax", over="panel"), panel=panel), [40, 60, 80])
    check(N.normalise(x, inds, Normalisation("minmax")), [0, 50, 100])
    # z-scores over the six values 0, 5, 10, 4, 6, 8: mean 33/6 = 5.5, sample variance
    # (30.25 + 0.25 + 20.25 + 2.25 + 0.25 + 6.25) / 5 = 11.9
    sd = math.sqrt(11.9)
    check(N.normalise(x, inds, Normalisation("zscore", over="panel"), panel=panel), [(v - 5.5) / sd for v in (4, 6, 8)])
    # the fraction of the best value of every year: 4/10, 6/10, 8/10
    check(N.normalise(x, inds, Normalisation("fracmax", over="panel"), panel=panel), [40, 60, 80])
    with pytest.raises(N.Unnormalisable, match="needs a panel dataset") as caught:
        N.normalise(x, inds, Normalisation("minmax", over="panel"))
    assert caught.value.key == "over"
