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

import trustindex.sensitivity as sensitivity_module
from trustindex.engine import Engine
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.sensitivity import estimate, sensitivity, sobol
from trustindex.uncertainty import Cancelled, Spec

ROOT = Path(__file__).resolve().parents[1]
NAN = float("nan")


# --- analytic functions --------------------------------------------------------------------------------------


def test_linear_model():
    # y = Σ aᵢxᵢ with xᵢ ~ U[0, 1) independent: Var(aᵢxᵢ) = aᵢ²/12 and no interactions, so
    # S1ᵢ = STᵢ = aᵢ² / Σ aⱼ² = (1, 4, 9, 0.25) / 14.25. Tolerance 0.005 (measured error < 0.001).
    a = np.array([1.0, 2.0, 3.0, 0.5])
    exact = a**2 / np.sum(a**2)
    first, total, first_low, first_high, total_low, total_high = sobol(lambda u: (u @ a)[:, None], 4, 2**12, seed=1)
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
    first, total, first_low, first_high, total_low, total_high = sobol(ishigami, 3, 2**13, seed=1)
    np.testing.assert_allclose(first[0], [0.3139, 0.4424, 0.0], atol=0.02)
    np.testing.assert_allclose(total[0], [0.5576, 0.4424, 0.2437], atol=0.01)
    assert ((first_low <= first) & (first <= first_high)).all()
    assert ((total_low <= total) & (total <= total_high)).all()
    # the intervals are informative: x3 has no first-order effect, and a total effect well away from 0
    assert first_low[0, 2] < 0 < first_high[0, 2]
    assert total_low[0, 2] > 0.2


def test_several_outputs_at_once_and_a_constant_one():
    # outputs: x0 alone (S1 = ST = (1, 0)), x1 alone shifted far from 0 (the estimate must not depend on the mean),
    # and a constant (indices and intervals 0)
    def f(u):
        return np.column_stack([u[:, 0], 1e4 + u[:, 1], np.full(len(u), 3.0)])

    first, total, first_low, first_high, total_low, total_high = sobol(f, 2, 2**10, seed=3)
    np.testing.assert_allclose(first[:2], [[1, 0], [0, 1]], atol=0.01)
    np.testing.assert_allclose(total[:2], [[1, 0], [0, 1]], atol=0.01)
    for array in (first, total, first_low, first_high, total_low, total_high):
        assert (array[2] == 0).all()
    # a mean of 10,000 does not blow the intervals up (the estimator centres the outputs)
    assert first_high[1, 1] - first_low[1, 1] < 0.2


def test_outputs_without_a_value_in_some_run_are_nan():
    # scipy would report 0 ("no effect"); an output that some run leaves without a value has no indices at all
    def f(u):
        return np.column_stack([u[:, 0], np.where(u[:, 1] > 0.9, NAN, u[:, 0])])

    first, total, first_low, first_high, total_low, total_high = sobol(f, 2, 2**8, seed=1)
    assert np.isfinite(first[0]).all()
    for array in (first, total, first_low, first_high, total_low, total_high):
        assert np.isnan(array[1]).all()


@pytest.mark.parametrize("samples", [0, 1, 3, 100, 1000])
def test_samples_must_be_a_power_of_two(samples):
    with pytest.raises(ValueError, match="power of 2"):
        sobol(lambda u: u[:, :1], 2, samples, seed=1)


def test_bootstrap_is_reproducible_for_a_seed():
    once = sobol(ishigami, 3, 2**9, seed=5)
    again = sobol(ishigami, 3, 2**9, seed=5)
    other = sobol(ishigami, 3, 2**9, seed=6)
    for x, y in zip(once, again, strict=True):
        assert np.array_equal(x, y)
    assert not np.array_equal(once[2], other[2])


def test_progress_and_cancellation(monkeypatch):
    monkeypatch.setattr(sensitivity_module, "CHUNK", 100)
    seen = []
    sobol(lambda u: u[:, :1], 2, 2**6, seed=1, progress=seen.append)  # 64 × (2 + 2) = 256 evaluations
    assert seen == pytest.approx([100 / 256, 200 / 256, 1.0])
    with pytest.raises(Cancelled):
        sobol(lambda u: u[:, :1], 2, 2**6, seed=1, cancelled=lambda: len(seen) > 0)


# --- the point estimate against scipy ------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [0.0, 50.0])
def test_estimate_equals_scipy(shift):
    from scipy.stats import sobol_indices

    rng = np.random.default_rng(4)
    n, d, outputs = 64, 3, 5
    f_a = rng.normal(shift, 1.0, (outputs, n))
    f_b = rng.normal(shift, 1.0, (outputs, n))
    f_ab = f_a[None] + rng.normal(0.0, 0.5, (d, outputs, n))
    f_a[4] = f_b[4] = f_ab[:, 4] = 7.0  # a constant output: 0 in both
    expected = sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n)
    got = estimate(f_a, f_b, f_ab)
    assert got.shape == (2, outputs, d)
    np.testing.assert_allclose(got[0], expected.first_order, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[1], expected.total_order, rtol=1e-12, atol=1e-12)
    assert (got[:, 4] == 0).all()


def test_estimate_by_hand():
    # N = 2, one input, one output: f_A = (0, 2), f_B = (2, 0), f_AB = (1, 1); mean 1, so centred
    # f_A = (−1, 1), f_B = (1, −1), f_AB = (0, 0); variance of (−1, 1, 1, −1) = 1
    # S1 = mean(f_B (f_AB − f_A)) = mean(1·1, −1·−1) = 1; ST = ½ mean((f_A − f_AB)²) = ½ mean(1, 1) = 0.5
    got = estimate(np.array([0.0, 2.0]), np.array([2.0, 0.0]), np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(got, [[1.0], [0.5]])


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
        for value, (low, high) in zip(o.first + o.total, o.first_interval + o.total_interval, strict=True):
            assert math.isfinite(value) and low <= high
    # every score moves with both the weights and the arithmetic/geometric choice
    for o in result.outputs[len(names) : 2 * len(names)]:
        assert max(o.total) > 0.01
    again = sensitivity(default_engine, Spec(), 64, seed=1)
    assert again == result


def test_constant_outputs_have_zero_indices():
    # "top" and "bottom" dominate and are dominated everywhere: their ranks never move
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"}, goalposts=(0, 100))
    # m1: P 45, Q 52.5; m2: P 48.5, Q 49.1 -> they swap about where P and Q weigh the same
    values = [[95, 90, 99, 92], [50, 40, 60, 45], [42, 55, 48, 50.2], [5, 8, 3, 10]]
    engine = Engine(make_dataset(framework, values, ["top", "m1", "m2", "bottom"]), make_weights(method="goalposts"))
    result = sensitivity(engine, Spec(), 32, seed=2)
    by = {o.output: o for o in result.outputs}
    for label in ("rank: TOP", "rank: BOTTOM"):
        assert by[label].first == by[label].total == (0.0, 0.0)
        assert by[label].first_interval == by[label].total_interval == ((0.0, 0.0), (0.0, 0.0))
    assert max(by["rank: M1"].total) > 0  # the middle two do swap


def test_outputs_of_entities_unscored_in_some_runs_are_skipped():
    # "gap" has only indicator a: the runs that leave a out give it no score, and no index can be estimated
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q", "c": "Q"}, goalposts=(0, 100))
    dataset = make_dataset(framework, [[90, 95, 20], [50, 40, 60], [45, 50, 55], [10, NAN, NAN]], name="gaps")
    engine = Engine(dataset, make_weights(method="goalposts", min_coverage=0))
    result = sensitivity(engine, Spec(leave_out=("a",)), 32, seed=1)
    assert result.inputs == ("weights", "aggregation", "leave_out")
    assert result.skipped == ("rank: E3", "score: E3")
    assert "rank: E0" in [o.output for o in result.outputs]
