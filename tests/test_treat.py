"""trustindex.treat: winsorise on the side of the skew up to max_points values, else log-transform.

Every expected column below is worked by hand: which value moves to which at each step. Whether the JRC
rule (|skewness| > 2 and excess kurtosis > 3.5) holds is checked with Excel's SKEW and KURT written out in
plain Python (tests/test_stats.py), never with trustindex's own statistics.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_stats import excel_kurt, excel_skew

from trustindex.model import Thresholds
from trustindex.treat import Treated, log_transform, treat, winsorise

RULES = Thresholds()


def fails(xs) -> bool:
    """The JRC rule by the oracle: the column has outliers."""
    return abs(excel_skew(xs)) > 2 and excel_kurt(xs) > 3.5


def arr(xs) -> np.ndarray:
    return np.array(xs, dtype=float)


def names(n: int) -> tuple[str, ...]:
    return tuple(f"e{i}" for i in range(n))


def run(column, max_points: int = 5, rules: Thresholds = RULES):
    """treat() on one column: the treated column and its records."""
    x = arr(column)
    out, records = treat(x[:, None], names(len(x)), ("x",), max_points, rules)
    return out[:, 0], records


# --- the cases, worked by hand -------------------------------------------------------------------------

BASE = list(range(1, 21))
ONE = BASE + [30, 40, 50, 60, 1000]
"""Passes after one point: 1000 → 60 (skew 4.96, kurt 24.7 → 1.56, 1.57)."""

LONG = list(range(1, 28)) + [500, 505, 510, 515]
"""Passes after four points, one step at a time:
515 → 510; the two 510s → 505; the three 505s → 500; the four 500s → 27 (the largest of the body)."""
LONG_STEPS = [
    list(range(1, 28)) + [500, 505, 510, 510],
    list(range(1, 28)) + [500, 505, 505, 505],
    list(range(1, 28)) + [500, 500, 500, 500],
    list(range(1, 28)) + [27, 27, 27, 27],
]

TIES = BASE + [1000, 1000]
"""Two values tied at the extreme: they move together, and count as two points: both → 20."""


def test_the_cases_fail_before_and_the_hand_worked_results_pass():
    for case in (ONE, LONG, TIES):
        assert fails(case)
    assert not fails(BASE + [30, 40, 50, 60, 60])
    assert not fails(LONG_STEPS[-1])
    assert not fails(BASE + [20, 20])
    for step in LONG_STEPS[:-1]:  # winsorising stops at the first step that passes, not earlier
        assert fails(step)


# --- winsorising -----------------------------------------------------------------------------------------


def test_one_point_winsorised():
    out, records = run(ONE)
    expected = arr(BASE + [30, 40, 50, 60, 60])
    np.testing.assert_array_equal(out, expected)
    assert records == (Treated("e24", "x", 1000.0, 60.0, "winsorised"),)
    assert not fails(out.tolist())


def test_four_points_winsorised_one_step_at_a_time():
    out, records = run(LONG, max_points=5)
    np.testing.assert_array_equal(out, arr(LONG_STEPS[-1]))
    assert records == tuple(
        Treated(f"e{i}", "x", original, 27.0, "winsorised")
        for i, original in zip(range(27, 31), LONG[27:], strict=True)
    )
    assert not fails(out.tolist())


def test_winsorise_kernel_counts_each_value_once():
    """A value already winsorised that is the extreme again is not a new point: four values, not 1+2+3+4."""
    result = winsorise(arr(LONG), 4, RULES)
    assert result is not None
    out, points = result
    assert points == 4
    np.testing.assert_array_equal(out, arr(LONG_STEPS[-1]))


def test_winsorise_kernel_gives_up_beyond_max_points():
    assert winsorise(arr(LONG), 3, RULES) is None
    assert winsorise(arr(ONE), 0, RULES) is None


def test_winsorise_kernel_leaves_a_passing_column_alone():
    out, points = winsorise(arr(BASE), 5, RULES)
    assert points == 0
    np.testing.assert_array_equal(out, arr(BASE))


def test_negative_skew_winsorises_the_low_side():
    mirrored = [1000 - v for v in ONE]  # 980…999, 970, 960, 950, 940 and 0
    assert excel_skew(mirrored) < -2 and fails(mirrored)
    out, records = run(mirrored)
    expected = arr([1000 - v for v in BASE + [30, 40, 50, 60, 60]])  # 0 → 940
    np.testing.assert_array_equal(out, expected)
    assert records == (Treated("e24", "x", 0.0, 940.0, "winsorised"),)


def test_negative_skew_several_points():
    mirrored = [1000 - v for v in LONG]
    out, records = run(mirrored)
    np.testing.assert_array_equal(out, arr([1000 - v for v in LONG_STEPS[-1]]))
    assert [(r.entity, r.original, r.treated) for r in records] == [
        ("e27", 500.0, 973.0),
        ("e28", 495.0, 973.0),
        ("e29", 490.0, 973.0),
        ("e30", 485.0, 973.0),
    ]


def test_ties_at_the_extreme_move_together():
    out, records = run(TIES, max_points=2)
    np.testing.assert_array_equal(out, arr(BASE + [20, 20]))
    assert records == (
        Treated("e20", "x", 1000.0, 20.0, "winsorised"),
        Treated("e21", "x", 1000.0, 20.0, "winsorised"),
    )


def test_ties_at_the_extreme_count_as_several_points():
    """Two tied values cannot be winsorised with a budget of one: the column is log-transformed instead."""
    out, records = run(TIES, max_points=1)
    assert {r.method for r in records} == {"log"}
    assert len(records) == len(TIES)


def test_missing_values_stay_missing_and_are_not_recorded():
    column = ONE[:3] + [math.nan] + ONE[3:]
    out, records = run(column)
    assert np.isnan(out[3])
    expected = BASE[:3] + [math.nan] + BASE[3:] + [30, 40, 50, 60, 60]
    np.testing.assert_array_equal(out, arr(expected))
    assert records == (Treated("e25", "x", 1000.0, 60.0, "winsorised"),)


# --- the log transform ------------------------------------------------------------------------------------


def hand_log(xs, positive: bool) -> list[float]:
    """log(x − min + c) for positive skew, −log(max − x + c) for negative, c = (max − min)/100."""
    seen = [x for x in xs if not math.isnan(x)]
    low, high = min(seen), max(seen)
    c = (high - low) / 100
    if positive:
        return [math.log(x - low + c) if not math.isnan(x) else math.nan for x in xs]
    return [-math.log(high - x + c) if not math.isnan(x) else math.nan for x in xs]


def test_falls_back_to_log_when_winsorising_needs_too_many_points():
    out, records = run(LONG, max_points=3)  # four points are needed
    expected = hand_log(LONG, positive=True)  # min 1, max 515, c = 5.14
    assert expected[0] == pytest.approx(math.log(5.14))
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert records == tuple(Treated(f"e{i}", "x", float(v), expected[i], "log") for i, v in enumerate(LONG)), (
        "every value changed, so every value is recorded, once"
    )
    assert list(np.argsort(out, kind="stable")) == list(np.argsort(arr(LONG), kind="stable"))
    assert np.all(np.diff(out) > 0)  # LONG is increasing: the transform keeps it strictly so


def test_log_discards_the_winsorised_values():
    """The log transform applies to the original values, not to a partly winsorised column."""
    out, _ = run(LONG, max_points=3)
    assert out[-1] > out[-2] > out[-3] > out[-4]  # 515, 510, 505, 500 stay distinct


def test_log_for_negative_skew_keeps_order_and_direction():
    mirrored = [1000 - v for v in LONG]  # min 485, max 999, c = 5.14
    out, records = run(mirrored, max_points=3)
    expected = hand_log(mirrored, positive=False)
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert expected[0] == pytest.approx(-math.log(5.14))
    assert np.all(np.diff(out) < 0)  # mirrored is decreasing; higher stays higher
    assert {r.method for r in records} == {"log"} and len(records) == len(mirrored)


def test_max_points_zero_goes_straight_to_log():
    out, records = run(ONE, max_points=0)
    np.testing.assert_allclose(out, hand_log(ONE, positive=True), rtol=1e-14)
    assert len(records) == len(ONE) and {r.method for r in records} == {"log"}


def test_log_keeps_missing_values_missing():
    column = LONG[:5] + [math.nan] + LONG[5:]
    out, records = run(column, max_points=0)
    np.testing.assert_allclose(out, hand_log(column, positive=True), rtol=1e-14)
    assert np.isnan(out[5])
    assert "e5" not in {r.entity for r in records}
    assert len(records) == len(LONG)


def test_log_transform_kernel():
    np.testing.assert_allclose(log_transform(arr(ONE)), hand_log(ONE, positive=True), rtol=1e-14)
    mirrored = [-v for v in ONE]
    np.testing.assert_allclose(log_transform(arr(mirrored)), hand_log(mirrored, positive=False), rtol=1e-14)


# --- nothing happens --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    [
        [5.0] * 10,
        [1.0, 2.0, 1000.0],  # three values: no kurtosis, so never outlying
        [1.0, 1000.0],
        [7.0],
        [math.nan] * 6,
        [math.nan, 1.0, math.nan, 2.0],
        BASE,  # well-behaved
    ],
    ids=["constant", "three", "two", "one", "all-missing", "two-observed", "normal"],
)
def test_nothing_happens(column):
    out, records = run(column)
    np.testing.assert_array_equal(out, arr(column))
    assert records == ()


def test_thresholds_come_from_the_profile():
    out, records = run(ONE, rules=Thresholds(max_skew=5.0))  # skew 4.96 is now acceptable
    np.testing.assert_array_equal(out, arr(ONE))
    assert records == ()
    out, records = run(BASE + [30, 40, 50, 60, 60], rules=Thresholds(max_skew=1.0, max_kurtosis=1.0))
    assert records  # skew 1.56 and kurt 1.57 now fail


# --- several columns -----------------------------------------------------------------------------------------


def test_each_column_is_treated_on_its_own():
    n = len(LONG)  # 31 rows
    normal = [float(v % 7) for v in range(n)]
    one = ONE + [1.0] * (n - len(ONE))
    assert fails(one) and not fails(normal)
    values = np.column_stack([arr(LONG), arr(normal), arr(one)])
    before = values.copy()
    out, records = treat(values, names(n), ("long", "normal", "one"), 3, RULES)
    np.testing.assert_array_equal(values, before)  # the input is not modified
    np.testing.assert_allclose(out[:, 0], hand_log(LONG, positive=True), rtol=1e-14)
    np.testing.assert_array_equal(out[:, 1], arr(normal))
    np.testing.assert_array_equal(out[:, 2], arr(BASE + [30, 40, 50, 60, 60] + [1.0] * (n - len(ONE))))
    assert [r.indicator for r in records] == ["long"] * n + ["one"]
    assert records[-1] == Treated("e24", "one", 1000.0, 60.0, "winsorised")
    keys = [(r.entity, r.indicator) for r in records]
    assert len(keys) == len(set(keys))
