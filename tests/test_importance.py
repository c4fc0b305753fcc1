"""Effective importance: the correlation ratio on analytic relations and a naive re-implementation; flags.

The oracle for ``correlation_ratio`` is written out below in plain Python from its documented definition:
a local linear regression with a Gaussian kernel on the standardised x (population standard deviation),
bandwidth 1.06 n^(−1/5) by Silverman's rule, solved point by point from its 2×2 normal equations, and the
ratio of the variances of the fitted values and of y.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.importance import correlation_ratio, importance
from trustindex.pipeline import score


def r_squared(x, y) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy * sxy / (sxx * syy)


def naive_eta2(x, y) -> float:
    n = len(x)
    mean = sum(x) / n
    sd = math.sqrt(sum((a - mean) ** 2 for a in x) / n)
    z = [(a - mean) / sd for a in x]
    h = 1.06 * n ** (-1 / 5)
    fitted = []
    for z0 in z:
        # weighted least squares of y on (1, z − z0): the intercept is the fit at z0
        s0 = s1 = s2 = t0 = t1 = 0.0
        for zj, yj in zip(z, y, strict=True):
            d = zj - z0
            k = math.exp(-0.5 * (d / h) ** 2)
            s0, s1, s2, t0, t1 = s0 + k, s1 + k * d, s2 + k * d * d, t0 + k * yj, t1 + k * d * yj
        fitted.append((s2 * t0 - s1 * t1) / (s0 * s2 - s1 * s1))

    def var(v):
        m = sum(v) / len(v)
        return sum((a - m) ** 2 for a in v) / len(v)

    return var(fitted) / var(y)


# --- correlation_ratio ------------------------------------------------------------------------------


@pytest.mark.parametrize("slope, intercept", [(3.0, 2.0), (-0.5, 40.0)])
def test_exactly_linear_relation_gives_r_squared(slope, intercept):
    """A local linear fit reproduces a straight line exactly, so η² = r² = 1 in exact arithmetic; what is left is
    rounding in sums of about 100 terms of order 1 (≈ 1e-14), so 1e-9 is a generous bound."""
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 10, 100)
    y = slope * x + intercept
    assert r_squared(list(x), list(y)) == pytest.approx(1.0, abs=1e-12)
    assert correlation_ratio(x, y) == pytest.approx(r_squared(list(x), list(y)), abs=1e-9)


def test_agrees_with_a_naive_local_linear_regression():
    """Noisy linear, quadratic and periodic relations; η² below 1, so a cap at 1 or a wrong bandwidth would show."""
    rng = np.random.default_rng(5)
    x = rng.uniform(-2, 3, 80)
    for y in (x + rng.normal(0, 1.5, 80), (x - 0.5) ** 2 + rng.normal(0, 0.5, 80), np.sin(3 * x)):
        expected = naive_eta2(list(x), list(y))
        assert 0.05 < expected < 0.99
        assert correlation_ratio(x, y) == pytest.approx(expected, abs=1e-9)


def test_parabola_has_no_correlation_but_a_high_correlation_ratio():
    """y = (x − 0.5)² on an even grid over [0, 1]: symmetric, so r² = 0 (to rounding); y is a function of x, so the
    true η² is 1. The estimate falls short only by smoothing at the two ends, where the parabola is steepest:
    the bandwidth is 1.06·500^(−1/5) ≈ 0.31 standard deviations ≈ 0.09 in x; measured 0.921, so > 0.9."""
    x = np.linspace(0, 1, 500)
    y = (x - 0.5) ** 2
    assert r_squared(list(x), list(y)) < 1e-20
    assert correlation_ratio(x, y) > 0.9


def test_noisy_linear_relation_close_to_r_squared():
    """E[y | x] is linear, so the true η² equals the population r². The smoother spends about range/bandwidth ≈ 25
    degrees of freedom on n = 2000 points, inflating η² by about 25/2000·(1 − r²) ≈ 0.006, with sampling noise of
    the same order: 0.02 is three times that."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, 2000)
    y = x + rng.normal(0, 0.3, 2000)
    r2 = r_squared(list(x), list(y))
    assert 0.3 < r2 < 0.7
    assert correlation_ratio(x, y) == pytest.approx(r2, abs=0.02)


def test_missing_pairs_are_dropped_and_degenerate_input_is_nan():
    rng = np.random.default_rng(8)
    x, y = rng.uniform(0, 1, 40), rng.uniform(0, 1, 40)
    x_gap, y_gap = x.copy(), y.copy()
    x_gap[3], y_gap[17] = np.nan, np.nan
    keep = [k for k in range(40) if k not in (3, 17)]
    assert correlation_ratio(x_gap, y_gap) == pytest.approx(naive_eta2(list(x[keep]), list(y[keep])), abs=1e-9)
    assert math.isnan(correlation_ratio(x[:2], y[:2]))  # fewer than three pairs
    assert math.isnan(correlation_ratio(x, np.full(40, 7.0)))  # constant y
    assert math.isnan(correlation_ratio(np.full(40, 7.0), y))  # constant x


# --- importance and its flags -------------------------------------------------------------------------


def dominated(n: int):
    """Pillar A (weight 1) holds d, spread over the whole goalpost range; pillar B (weight 4) holds e and f, which
    move by at most ±1 point. The index is (d + 2e + 2f)/5: nominally d is a fifth of it, but it carries almost all
    of its variance: Var = (1/5)²·Var(d) ≈ 37 against (2/5)²·2·Var(e) ≈ 0.2."""
    framework = make_framework({"A": None, "B": None}, {"d": "A", "e": "B", "f": "B"}, goalposts=(0, 100))
    k = np.arange(n)
    d = 100 * k / (n - 1)
    e = 50 + np.sin(2.3 * k + 1)  # deterministic, unrelated to d
    f = 50 + np.cos(1.7 * k + 2)
    values = np.column_stack([d, e, f])
    return score(make_dataset(framework, values), make_weights({"A": 1, "B": 4}, method="goalposts"))


def test_an_indicator_with_a_small_weight_that_dominates_is_flagged_over():
    rows = {r.node: r for r in importance(dominated(20))}
    assert [r.node for r in importance(dominated(20))] == ["A", "B", "d", "e", "f"]
    # nominal shares by hand: pillars 1/5, 4/5; indicators d = 1/5, e = f = 4/5 · 1/2 = 2/5
    expected_nominal = {"A": 0.2, "B": 0.8, "d": 0.2, "e": 0.4, "f": 0.4}
    for node, nominal in expected_nominal.items():
        assert rows[node].nominal == pytest.approx(nominal, abs=1e-12)
    assert rows["A"].level == "pillar" and rows["d"].level == "indicator"
    assert rows["d"].r2 > 0.99 and rows["d"].eta2 > 0.99
    assert rows["d"].share > 2 * rows["d"].nominal and rows["d"].flag == "over"
    assert rows["A"].flag == "over"
    for node in ("B", "e", "f"):
        assert rows[node].share < rows[node].nominal / 2 and rows[node].flag == "under", node
    # shares are η² over the level's total
    for level in (("A", "B"), ("d", "e", "f")):
        total = sum(rows[n].eta2 for n in level)
        for n in level:
            assert rows[n].share == pytest.approx(rows[n].eta2 / total, abs=1e-12)


def test_no_flags_below_ten_entities():
    rows = importance(dominated(9))
    assert rows and all(r.flag == "" for r in rows)
    assert {r.node: r for r in rows}["d"].share > 0.4  # it would have been flagged with ten or more


def test_balanced_components_are_not_flagged():
    """Three indicators with equal weights, each a different permutation of the same spread: equal variance, nearly
    uncorrelated, so each carries about a third of the index and none is flagged (factor 2)."""
    framework = make_framework({"P": None}, {"a": "P", "b": "P", "c": "P"}, goalposts=(0, 100))
    n = 30
    base = 100 * np.arange(n) / (n - 1)
    rng = np.random.default_rng(4)
    values = np.column_stack([base, rng.permutation(base), rng.permutation(base)])
    rows = {r.node: r for r in importance(score(make_dataset(framework, values), make_weights(method="goalposts")))}
    for node in "abc":
        assert rows[node].nominal == pytest.approx(1 / 3, abs=1e-12)
        assert 1 / 6 < rows[node].share < 2 / 3 and rows[node].flag == ""
    assert rows["P"].nominal == 1.0 and rows["P"].flag == ""
