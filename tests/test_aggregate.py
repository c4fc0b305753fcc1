"""Aggregation kernels: hand-worked means, Copeland, missing values, zero weights, zeros and negatives.

Expectations are worked by hand (arithmetic in the comments) or by naive loops over plain lists
with ``math``; none is produced by the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustindex import aggregate as A
from trustindex.errors import ConfigError

pytestmark = pytest.mark.filterwarnings("error")

NAN = float("nan")


def row(*values: float) -> np.ndarray:
    """One entity, shape (1, components)."""
    return np.array([values], dtype=float)


def w(*weights: float) -> np.ndarray:
    return np.array(weights, dtype=float)


def agg(x, weights, method: str, p: float | None = None) -> np.ndarray:
    """One run of one parent: the batch kernel with a single run and a single segment."""
    x = np.asarray(x, dtype=float).T[:, None, :]  # children × one run × entities
    return A.combine(x, np.asarray(weights)[None], np.array([0]), method, p)[0, 0]


def arithmetic(x, weights):
    return agg(x, weights, "arithmetic")


def geometric(x, weights):
    return agg(x, weights, "geometric")


def harmonic(x, weights):
    return agg(x, weights, "harmonic")


def power(x, weights, p):
    return agg(x, weights, "power", p)


def copeland(x, weights):
    return agg(x, weights, "copeland")


KERNELS = {"arithmetic": arithmetic, "geometric": geometric, "harmonic": harmonic}


# --- the means on one hand-worked example: x = (20, 80), w = (1, 3) -------------------------------


def test_arithmetic():
    # (1*20 + 3*80) / 4 = (20 + 240) / 4 = 65
    assert arithmetic(row(20, 80), w(1, 3))[0] == pytest.approx(65)


def test_geometric():
    # 20^(1/4) * 80^(3/4) = 80 * (20/80)^(1/4) = 80 * (1/4)^(1/4) = 80 / sqrt(2) = 40*sqrt(2)
    assert geometric(row(20, 80), w(1, 3))[0] == pytest.approx(40 * math.sqrt(2))


def test_harmonic():
    # 4 / (1/20 + 3/80) = 4 / (4/80 + 3/80) = 4 * 80 / 7 = 320/7
    assert harmonic(row(20, 80), w(1, 3))[0] == pytest.approx(320 / 7)


def test_power_p2():
    # sqrt((1*20^2 + 3*80^2) / 4) = sqrt((400 + 19200) / 4) = sqrt(4900) = 70
    assert power(row(20, 80), w(1, 3), 2.0)[0] == pytest.approx(70)


def test_power_p_half():
    # ((sqrt 20 + 3 sqrt 80) / 4)^2 = ((2√5 + 12√5) / 4)^2 = (3.5√5)^2 = 12.25 * 5 = 61.25
    assert power(row(20, 80), w(1, 3), 0.5)[0] == pytest.approx(61.25)


def test_power_special_exponents():
    # p = 1 arithmetic (65), p = -1 harmonic (320/7), p = 0 geometric (40√2)
    assert power(row(20, 80), w(1, 3), 1.0)[0] == pytest.approx(65)
    assert power(row(20, 80), w(1, 3), -1.0)[0] == pytest.approx(320 / 7)
    assert power(row(20, 80), w(1, 3), 0.0)[0] == pytest.approx(40 * math.sqrt(2))


def test_means_are_ordered():
    # power-mean inequality on the worked example: harmonic < geometric < arithmetic < p=2
    x, ws = row(20, 80), w(1, 3)
    harmonic, geometric, arithmetic = (agg(x, ws, m)[0] for m in ("harmonic", "geometric", "arithmetic"))
    assert harmonic < geometric < arithmetic < agg(x, ws, "power", 2.0)[0]


def test_several_entities_at_once():
    x = np.array([[20.0, 80.0], [50.0, 50.0], [0.0, 100.0]])
    # (20+240)/4 = 65; 50; (0+300)/4 = 75
    np.testing.assert_allclose(agg(x, w(1, 3), "arithmetic"), [65, 50, 75])


@pytest.mark.parametrize("method", A.METHODS)
def test_aggregate_wrapper_dispatch(method):
    # one entity per method, compared with the hand value of the same example
    # Mazziotta–Pareto: M = 65, S² = (1·45² + 3·15²)/4 = 675, M − S²/M = 65 − 135/13 = 710/13
    expected = {"arithmetic": 65, "geometric": 40 * math.sqrt(2), "harmonic": 320 / 7, "power": 65,
                "mazziotta-pareto": 710 / 13}  # fmt: skip
    x = np.array([[20.0, 80.0], [10.0, 10.0]])
    out = agg(x, w(1, 3), method)  # power with p = None is p = 1
    if method == "copeland":
        # entity 0 beats entity 1 on both components: 100 % vs 0 %
        np.testing.assert_allclose(out, [100, 0])
    else:
        np.testing.assert_allclose(out, [expected[method], 10])


def test_aggregate_wrapper_power_uses_p():
    assert agg(row(20, 80), w(1, 3), "power", 2.0)[0] == pytest.approx(70)


def test_aggregate_wrapper_unknown_method():
    with pytest.raises(ConfigError, match="unknown aggregation"):
        agg(row(1, 2), w(1, 1), "median")


# --- missing values and zero weights ----------------------------------------------------------------


@pytest.mark.parametrize(
    "method,expected",
    [
        ("arithmetic", 65),  # the NaN's weight 5 is dropped: (20 + 240) / 4
        ("geometric", 40 * math.sqrt(2)),
        ("harmonic", 320 / 7),
    ],
)
def test_missing_component_renormalises(method, expected):
    assert KERNELS[method](row(20, NAN, 80), w(1, 5, 3))[0] == pytest.approx(expected)


def test_missing_component_power():
    # sqrt((400 + 3*6400) / 4) = 70, ignoring the missing middle component
    assert power(row(20, NAN, 80), w(1, 5, 3), 2.0)[0] == pytest.approx(70)


@pytest.mark.parametrize("method", A.METHODS)
def test_entity_with_nothing_available_is_nan(method):
    x = np.array([[NAN, NAN], [1.0, 2.0], [2.0, 1.0]])
    out = agg(x, w(1, 1), method, 2.0 if method == "power" else None)
    assert math.isnan(out[0])
    assert not np.isnan(out[1:]).any()


@pytest.mark.parametrize(
    "method,expected",
    [("arithmetic", 65), ("geometric", 40 * math.sqrt(2)), ("harmonic", 320 / 7)],
)
def test_zero_weight_component_is_ignored(method, expected):
    # a zero-weight component changes nothing, whatever its value -- even 0 for geometric/harmonic
    for ignored in (999.0, 0.0, NAN):
        assert KERNELS[method](row(20, ignored, 80), w(1, 0, 3))[0] == pytest.approx(expected)


def test_zero_weight_component_is_ignored_by_power():
    for ignored in (999.0, 0.0):
        assert power(row(20, ignored, 80), w(1, 0, 3), -1.0)[0] == pytest.approx(320 / 7)
        assert power(row(20, ignored, 80), w(1, 0, 3), 2.0)[0] == pytest.approx(70)


def test_zero_weight_component_is_ignored_by_copeland():
    # component 2 has weight 0: entity 0 wins only on component 1 -> beats entity 1
    x = np.array([[2.0, 0.0], [1.0, 9.0]])
    np.testing.assert_allclose(agg(x, w(1, 0), "copeland"), [100, 0])


# --- the zero rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kernel",
    [
        geometric,
        harmonic,
        lambda x, ws: agg(x, ws, "power", -1.0),
        lambda x, ws: agg(x, ws, "power", -0.5),
        lambda x, ws: agg(x, ws, "power", 0.0),
    ],
    ids=["geometric", "harmonic", "power-1", "power-0.5", "power0"],
)
def test_zero_component_gives_zero(kernel):
    # a positive-weight zero decides the score: 0, with no division warning (warnings are errors here)
    x = np.array([[0.0, 50.0], [0.0, NAN], [0.0, 0.0], [50.0, 50.0]])
    np.testing.assert_allclose(kernel(x, w(1, 3)), [0, 0, 0, 50], atol=1e-12)


def test_zero_component_with_positive_power_is_compensated():
    # p = 2: sqrt((0 + 3*2500) / 4) = 50*sqrt(3)/2; p = 0.5: ((0 + 3*sqrt 50)/4)^2 = 9*50/16 = 28.125
    assert power(row(0, 50), w(1, 3), 2.0)[0] == pytest.approx(25 * math.sqrt(3))
    assert power(row(0, 50), w(1, 3), 0.5)[0] == pytest.approx(28.125)


@pytest.mark.parametrize("method,p", [("geometric", None), ("harmonic", None), ("power", 2.0), ("power", 0.5)])
def test_negative_values_rejected(method, p):
    with pytest.raises(ConfigError, match="non-negative"):
        agg(np.array([[-1.0, 5.0], [2.0, 3.0]]), w(1, 1), method, p)


@pytest.mark.parametrize("method", ["arithmetic", "copeland"])
def test_negative_values_allowed_where_defined(method):
    # z-scores can be aggregated arithmetically: (-1 + 1) / 2 = 0, (1 + 2) / 2 = 1.5
    out = agg(np.array([[-1.0, 1.0], [1.0, 2.0]]), w(1, 1), method)
    if method == "arithmetic":
        np.testing.assert_allclose(out, [0, 1.5])
    else:
        np.testing.assert_allclose(out, [0, 100])


# --- Copeland -----------------------------------------------------------------------------------------

# Four entities, three components:
#   A = (3, 1, 1), B = (2, 2, 2), C = (1, 3, 2), D = (3, 1, 1)  (D is a copy of A)
COPELAND_X = np.array([[3.0, 1.0, 1.0], [2.0, 2.0, 2.0], [1.0, 3.0, 2.0], [3.0, 1.0, 1.0]])


def test_copeland_weighted_hand_worked():
    # weights (3, 1, 1); margin = weight where the first is higher - weight where the second is
    #   A v B: c1 A (+3), c2 B (-1), c3 B (-1) -> +1: A wins
    #   A v C: c1 A (+3), c2 C (-1), c3 C (-1) -> +1: A wins
    #   A v D: all equal -> 0: draw (half a win each)
    #   B v C: c1 B (+3), c2 C (-1), c3 equal -> +2: B wins
    #   B v D: D wins (as A v B); C v D: D wins (as A v C)
    # A: 1 + 1 + 0.5 = 2.5 of 3 -> 83.33; B: 1 of 3 -> 33.33; C: 0 of 3 -> 0; D: 2.5 of 3 -> 83.33
    np.testing.assert_allclose(agg(COPELAND_X, w(3, 1, 1), "copeland"), [250 / 3, 100 / 3, 0, 250 / 3])


def test_copeland_equal_weights_hand_worked():
    # weights (1, 1, 1):
    #   A v B: +1 -1 -1 = -1: B wins;   A v C: +1 -1 -1 = -1: C wins;   A v D: draw
    #   B v C: +1 -1 +0 =  0: draw;     B v D: B wins;                  C v D: C wins
    # A: 0 + 0 + 0.5 = 0.5/3 -> 16.67; B: 1 + 0.5 + 1 = 2.5/3 -> 83.33; C: 83.33; D: 16.67
    np.testing.assert_allclose(agg(COPELAND_X, w(1, 1, 1), "copeland"), [50 / 3, 250 / 3, 250 / 3, 50 / 3])


def test_copeland_missing_values():
    # weights (1, 1); A = (2, 1), B = (1, NaN), C = (3, 0), D = (NaN, NaN)
    #   A v B: only c1 comparable: A wins;  A v C: c1 C (-1), c2 A (+1) -> draw;
    #   B v C: only c1: C wins;  D is comparable with nobody: NaN, and not counted as a contest
    # A: 1 + 0.5 = 1.5 of 2 -> 75; B: 0 of 2 -> 0; C: 0.5 + 1 = 1.5 of 2 -> 75
    x = np.array([[2.0, 1.0], [1.0, NAN], [3.0, 0.0], [NAN, NAN]])
    out = agg(x, w(1, 1), "copeland")
    np.testing.assert_allclose(out[:3], [75, 0, 75])
    assert math.isnan(out[3])


def test_copeland_exact_draw_with_decimal_weights():
    # weights (0.1, 0.2, 0.3): A wins c1 and c2 (0.1 + 0.2), B wins c3 (0.3) -> a draw: 50 each.
    # In floating point 0.1 + 0.2 - 0.3 = 5.6e-17, which must not turn the draw into a win.
    x = np.array([[2.0, 2.0, 1.0], [1.0, 1.0, 2.0]])
    np.testing.assert_allclose(agg(x, w(0.1, 0.2, 0.3), "copeland"), [50, 50])


def test_copeland_chunks_agree(monkeypatch):
    # the result must not depend on how many runs are compared at once: a batch of runs, chunked one run at a
    # time, equals each run scored alone
    rng = np.random.default_rng(7)
    x = rng.integers(0, 4, (9, 4)).astype(float)
    runs = rng.random((5, 4))
    together = A.combine(x.T[:, None, :], runs, np.array([0]), "copeland")[0]
    monkeypatch.setattr(A, "PAIRS_PER_CHUNK", 1)
    chunked = A.combine(x.T[:, None, :], runs, np.array([0]), "copeland")[0]
    alone = np.stack([copeland(x, r) for r in runs])
    np.testing.assert_array_equal(together, chunked)
    np.testing.assert_array_equal(together, alone)


def naive_copeland(x, ws):
    """Pairwise loops over plain lists: percentage of contests won, draws half."""
    n = len(x)
    out = []
    for a in range(n):
        won = contests = 0.0
        for b in range(n):
            if a == b:
                continue
            both = [k for k in range(len(ws)) if ws[k] > 0 and not math.isnan(x[a][k]) and not math.isnan(x[b][k])]
            if not both:
                continue
            contests += 1
            # compare integer-valued weight sums exactly (weights drawn as integers below)
            for_a = sum(ws[k] for k in both if x[a][k] > x[b][k])
            for_b = sum(ws[k] for k in both if x[a][k] < x[b][k])
            won += 1.0 if for_a > for_b else 0.5 if for_a == for_b else 0.0
        out.append(100.0 * won / contests if contests else NAN)
    return out


# --- naive references on random data ------------------------------------------------------------------

cells = st.one_of(st.just(NAN), st.integers(0, 5).map(float), st.floats(1e-3, 100.0))
int_weights = st.integers(0, 4).map(float)


@st.composite
def problems(draw, min_components=1, max_components=5):
    k = draw(st.integers(min_components, max_components))
    n = draw(st.integers(1, 6))
    x = draw(st.lists(st.lists(cells, min_size=k, max_size=k), min_size=n, max_size=n))
    ws = draw(st.lists(int_weights, min_size=k, max_size=k).filter(lambda v: sum(v) > 0))
    return x, ws


def naive_mean(values, ws, p):
    """Weighted power mean of one entity over its available positive-weight components."""
    pairs = [(v, wt) for v, wt in zip(values, ws, strict=True) if wt > 0 and not math.isnan(v)]
    if not pairs:
        return NAN
    total = sum(wt for _, wt in pairs)
    if p == 0:
        if any(v == 0 for v, _ in pairs):
            return 0.0
        return math.exp(sum(wt * math.log(v) for v, wt in pairs) / total)
    if p < 0 and any(v == 0 for v, _ in pairs):
        return 0.0
    return (sum(wt * v**p for v, wt in pairs) / total) ** (1 / p)


def assert_close_lists(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if math.isnan(e):
            assert math.isnan(a), (actual, expected)
        else:
            assert a == pytest.approx(e, rel=1e-9, abs=1e-9), (actual, expected)


@settings(max_examples=80, deadline=None)
@given(problems(), st.sampled_from([1.0, 2.0, 0.5, 0.0, -1.0, -2.0]))
def test_power_family_matches_naive(problem, p):
    x, ws = problem
    xa, wa = np.array(x, dtype=float), np.array(ws)
    expected = [naive_mean(r, ws, p) for r in x]
    assert_close_lists(list(agg(xa, wa, "power", p)), expected)
    named = {1.0: "arithmetic", 0.0: "geometric", -1.0: "harmonic"}
    if p in named:  # p = 1, 0, -1 are the named means
        assert_close_lists(list(agg(xa, wa, named[p])), expected)


@settings(max_examples=80, deadline=None)
@given(problems())
def test_copeland_matches_naive(problem):
    x, ws = problem
    assert_close_lists(list(copeland(np.array(x, dtype=float), np.array(ws))), naive_copeland(x, ws))


@settings(max_examples=60, deadline=None)
@given(problems(min_components=2), st.data())
def test_missing_component_equals_dropping_it(problem, data):
    # arithmetic with a NaN component == arithmetic over the remaining components, same relative weights
    x, ws = problem
    xa = np.array(x, dtype=float)
    j = data.draw(st.integers(0, len(ws) - 1))
    xa[:, j] = NAN
    keep = [k for k in range(len(ws)) if k != j]
    if sum(ws[k] for k in keep) == 0:
        return
    with_nan = agg(xa, np.array(ws), "arithmetic")
    dropped = agg(xa[:, keep], np.array([ws[k] for k in keep]), "arithmetic")
    np.testing.assert_allclose(with_nan, dropped, rtol=1e-12, atol=1e-12)
    # and the naive reference agrees
    assert_close_lists(list(with_nan), [naive_mean(r, ws, 1.0) for r in xa.tolist()])
