"""trustindex.sensitivity: the generic Sobol' estimator on analytic functions, the point estimate against scipy,
the seeded bootstrap, and the indices of ranks and scores of an index.

Tolerances are stated with each test. The estimator runs on a scrambled Sobol' sequence (quasi-Monte Carlo),
whose error at these N is far below Monte Carlo's 1/sqrt(N); the tolerances leave a wide margin over the
errors measured across seeds (linear: < 0.001 at N = 2^12; Ishigami: < 0.012 at N = 2^13).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.batches import Cancelled
from trustindex.engine import Engine
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Spec
from trustindex.sensitivity import _Sums, sensitivity, sobol

ROOT = Path(__file__).resolve().parents[1]
NAN = float("nan")


def parts(found):
    """A SobolIndices record as (first, total, first_low, first_high, total_low, total_high)."""
    return found.first, found.total, found.first_low, found.first_high, found.total_low, found.total_high


# --- analytic functions --------------------------------------------------------------------------------------


def test_linear_model():
    # y = Σ aᵢxᵢ with xᵢ ~ U[0, 1) independent: Var(aᵢxᵢ) = aᵢ²/12 and no interactions, so
    # S1ᵢ = STᵢ = aᵢ² / Σ aⱼ² = (1, 4, 9, 0.25) / 14.25. Tolerance 0.005 (measured error < 0.001).
    a = np.array([1.0, 2.0, 3.0, 0.5])
    exact = a**2 / np.sum(a**2)
    found = sobol(lambda u: (u @ a)[:, None], 4, 2**12, seed=1)
    first, total, first_low, first_high, total_low, total_high = parts(found)
    assert first.shape == total.shape == first_low.shape == (1, 4)
    np.testing.assert_allclose(first[0], exact, atol=0.005)
    np.testing.assert_allclose(total[0], exact, atol=0.005)
    assert ((first_low <= first) & (first <= first_high)).all()
    assert ((total_low <= total) & (total <= total_high)).all()


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x = -math.pi + 2 * math.pi * u  # xᵢ ~ U[−π, π)
    return (np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0]))[:, None]


def test_ishigami():
    # Analytic (a = 7, b = 0.1): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2, V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0,
    # V13 = b²π⁸(1/18 − 1/50) = 8b²π⁸/225: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    a, b, pi = 7.0, 0.1, math.pi
    v = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    v1, v2, v13 = (1 + b * pi**4 / 5) ** 2 / 2, a**2 / 8, 8 * b**2 * pi**8 / 225
    np.testing.assert_allclose([v1 / v, v2 / v, 0.0], [0.3139, 0.4424, 0], atol=5e-5)
    np.testing.assert_allclose([(v1 + v13) / v, v2 / v, v13 / v], [0.5576, 0.4424, 0.2437], atol=5e-5)
    # Tolerance 0.02 on S1 and 0.01 on ST at N = 2^13 (measured over seeds 0-5: < 0.012 and < 0.001).
    first, total, first_low, first_high, total_low, total_high = parts(sobol(ishigami, 3, 2**13, seed=1))
    np.testing.assert_allclose(first[0], [0.3139, 0.4424, 0.0], atol=0.02)
    np.testing.assert_allclose(total[0], [0.5576, 0.4424, 0.2437], atol=0.01)
    assert ((first_low <= first) & (first <= first_high)).all()
    assert ((total_low <= total) & (total <= total_high)).all()
    # the intervals are informative: x3 has no first-order effect, and a total effect well away from 0
    assert first_low[0, 2] < 0 < first_high[0, 2]
    assert total_low[0, 2] > 0.2


def test_several_outputs_at_once_and_a_constant_one():
    # outputs: x0 alone (S1 = ST = (1, 0)), x1 alone shifted far from 0 (the estimate must not depend on the mean),
    # and a constant (no variance to apportion: NaN indices, and no run differs from the first)
    def f(u):
        return np.column_stack([u[:, 0], 1e4 + u[:, 1], np.full(len(u), 3.0)])

    found = sobol(f, 2, 2**10, seed=3)
    first, total, first_low, first_high, total_low, total_high = parts(found)
    np.testing.assert_allclose(first[:2], [[1, 0], [0, 1]], atol=0.01)
    np.testing.assert_allclose(total[:2], [[1, 0], [0, 1]], atol=0.01)
    for array in (first, total, first_low, first_high, total_low, total_high):
        assert np.isnan(array[2]).all()
    assert found.changes[2] == 0 and found.variance[2] == 0 and (found.changes[:2] == 2 * 2**10 - 1).all()
    # a mean of 10,000 does not blow the intervals up (the estimator centres the outputs)
    assert first_high[1, 1] - first_low[1, 1] < 0.2


def test_outputs_without_a_value_in_some_run_are_nan():
    # scipy would report 0 ("no effect"); an output that some run leaves without a value has no indices at all
    def f(u):
        return np.column_stack([u[:, 0], np.where(u[:, 1] > 0.9, NAN, u[:, 0])])

    first, total, first_low, first_high, total_low, total_high = parts(sobol(f, 2, 2**8, seed=1))
    assert np.isfinite(first[0]).all()
    for array in (first, total, first_low, first_high, total_low, total_high):
        assert np.isnan(array[1]).all()


@pytest.mark.parametrize("samples", [0, 1, 3, 100, 1000])
def test_samples_must_be_a_power_of_two(samples):
    with pytest.raises(ValueError, match="power of 2"):
        sobol(lambda u: u[:, :1], 2, samples, seed=1)


def test_bootstrap_is_reproducible_for_a_seed():
    once = sobol(ishigami, 3, 2**9, seed=5)
    assert sobol(ishigami, 3, 2**9, seed=5) == once
    assert not np.array_equal(once.first_low, sobol(ishigami, 3, 2**9, seed=6).first_low)


def test_results_do_not_depend_on_the_batches():
    # batches change only the order of the floating-point sums
    whole = sobol(ishigami, 3, 2**8, seed=2)
    for x, y in zip(parts(whole), parts(sobol(ishigami, 3, 2**8, seed=2, limit=7)), strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)


def test_progress_and_cancellation():
    seen = []
    sobol(lambda u: u[:, :1], 2, 2**6, seed=1, limit=16, progress=seen.append)  # 64 base samples, 16 at once
    assert seen == pytest.approx([0.25, 0.5, 0.75, 1.0])
    calls = []
    with pytest.raises(Cancelled):
        sobol(lambda u: calls.append(len(u)) or u[:, :1], 2, 2**6, seed=1, limit=16, cancelled=lambda: len(calls) > 0)
    assert calls == [16 * 4]  # stopped before the second batch: 16 base samples × (2 + d) runs were evaluated


# --- the point estimate against scipy ------------------------------------------------------------------------


def sums(f_a, f_b, f_ab, cut=None):
    """The accumulated estimator over the base samples, added in two batches at ``cut``."""
    n = f_a.shape[-1]
    accumulated = _Sums(f_a.shape[0], f_ab.shape[0], np.ones((n, 1)))
    for part in (slice(0, cut), slice(cut, n)) if cut else (slice(0, n),):
        accumulated.add(part, f_a[:, part], f_b[:, part], f_ab[:, :, part])
    first, total, variance = accumulated.indices()
    return first[:, 0], total[:, 0], variance[:, 0]


@pytest.mark.parametrize("shift", [0.0, 50.0, 1e6])
@pytest.mark.parametrize("cut", [None, 17])
def test_estimate_equals_scipy(shift, cut):
    from scipy.stats import sobol_indices

    rng = np.random.default_rng(4)
    n, d, outputs = 64, 3, 5
    f_a = rng.normal(shift, 1.0, (outputs, n))
    f_b = rng.normal(shift, 1.0, (outputs, n))
    f_ab = f_a[None] + rng.normal(0.0, 0.5, (d, outputs, n))
    expected = sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n)
    first, total, _ = sums(f_a, f_b, f_ab, cut)
    tolerance = 1e-12 if shift < 1e3 else 1e-6  # sums of values near 1e6: cancellation costs digits
    np.testing.assert_allclose(first, expected.first_order, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(total, expected.total_order, rtol=tolerance, atol=tolerance)


def test_estimate_by_hand():
    # N = 2, one input, one output: f_A = (0, 2), f_B = (2, 0), f_AB = (1, 1); mean 1, so centred
    # f_A = (−1, 1), f_B = (1, −1), f_AB = (0, 0); variance of (−1, 1, 1, −1) = 1
    # S1 = mean(f_B (f_AB − f_A)) = mean(1·1, −1·−1) = 1; ST = ½ mean((f_A − f_AB)²) = ½ mean(1, 1) = 0.5
    first, total, variance = sums(np.array([[0.0, 2.0]]), np.array([[2.0, 0.0]]), np.array([[[1.0, 1.0]]]))
    np.testing.assert_allclose([first[0, 0], total[0, 0], variance[0]], [1.0, 0.5, 1.0])


# --- indices of an index -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_engine():
    dataset = load_dataset(ROOT / "datasets" / "coexistence-regimes")
    return Engine(dataset, load_weights(ROOT / "weights" / "balanced.toml"))


def test_sensitivity_on_the_default_dataset(default_engine):
    result = sensitivity(default_engine, Spec(), 64, seed=1)
    names = default_engine.dataset.names
    assert result.inputs == ("weights", "aggregation")
    assert result.samples == 64 and result.runs == 64 * 4 and result.seed == 1 and result.confidence == 0.95
    labels = [o.output for o in result.outputs]
    assert labels == [f"rank: {n}" for n in names] + [f"score: {n}" for n in names] + ["mean rank shift"]
    assert result.skipped == ()
    for o in result.outputs:
        assert len(o.first) == len(o.total) == len(o.first_interval) == len(o.total_interval) == 2
        if o.status != "varies":
            assert all(math.isnan(v) for v in o.first + o.total)
            continue
        for value, (low, high) in zip(o.first + o.total, o.first_interval + o.total_interval, strict=True):
            assert math.isfinite(value) and low <= high
    # every score moves with both the weights and the arithmetic/geometric choice
    for o in result.outputs[len(names) : 2 * len(names)]:
        assert max(o.total) > 0.01
    again = sensitivity(default_engine, Spec(), 64, seed=1)
    assert again == result


def test_constant_outputs_are_reported_as_constant():
    # "top" and "bottom" dominate and are dominated everywhere: their ranks never move
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"}, goalposts=(0, 100))
    # m1: P 45, Q 52.5; m2: P 48.5, Q 49.1 -> they swap about where P and Q weigh the same
    values = [[95, 90, 99, 92], [50, 40, 60, 45], [42, 55, 48, 50.2], [5, 8, 3, 10]]
    engine = Engine(make_dataset(framework, values, ["top", "m1", "m2", "bottom"]), make_weights(method="goalposts"))
    result = sensitivity(engine, Spec(), 32, seed=2)
    by = {o.output: o for o in result.outputs}
    for label in ("rank: TOP", "rank: BOTTOM"):
        assert by[label].status == "constant" and by[label].changes == 0 and by[label].flags == ()
        assert all(math.isnan(v) for v in by[label].first + by[label].total)
    assert by["rank: M1"].status == "varies" and max(by["rank: M1"].total) > 0  # the middle two do swap


def test_rarely_moved_outputs_are_reported_as_rare():
    # an entity whose rank changes in a handful of runs out of 2N has too little variance to apportion
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q"}, goalposts=(0, 100))

    # "edge" overtakes "lead" only when wQ / wP > 20/13 ≈ 1.54 (arithmetic: 20 wP < 13 wQ), a corner of the
    # ±25 % weights (wQ/wP ≤ 1.25/0.75): about 1 % of the runs
    def lead(edge: float, seed: int):
        values = [[80, 60], [60, edge], [10, 10]]
        engine = Engine(make_dataset(framework, values, ["lead", "edge", "last"]), make_weights(method="goalposts"))
        return {o.output: o for o in sensitivity(engine, Spec(aggregation=()), 256, seed=seed).outputs}["rank: LEAD"]

    rare = lead(73, seed=1)
    assert rare.status == "rare" and 0 < rare.changes < 10 and math.isnan(rare.first[0]), rare
    often = lead(74, seed=0)  # 20 wP < 14 wQ: a larger corner, enough changes to apportion
    assert often.status == "varies" and often.changes >= 10 and often.first[0] > 0.5


def test_outputs_of_entities_unscored_in_some_runs_are_skipped():
    # "gap" has only indicator a: the runs that leave a out give it no score, and no index can be estimated
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q", "c": "Q"}, goalposts=(0, 100))
    dataset = make_dataset(framework, [[90, 95, 20], [50, 40, 60], [45, 50, 55], [10, NAN, NAN]], name="gaps")
    engine = Engine(dataset, make_weights(method="goalposts", min_coverage=0))
    result = sensitivity(engine, Spec(leave_out=("a",)), 32, seed=1)
    assert result.inputs == ("weights", "aggregation", "leave_out")
    assert result.skipped == ("rank: E3", "score: E3")
    assert "rank: E0" in [o.output for o in result.outputs]
