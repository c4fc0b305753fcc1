"""trustindex.impute: every method fills only missing cells, from the right values, and says which.

The expected fills are worked by hand in the comments beside each case.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from trustindex.impute import GROUPED, METHODS, PANEL, impute

nan = math.nan


def test_methods_are_the_documented_seven():
    assert METHODS == ("none", "mean", "median", "group-mean", "group-median", "carry-forward", "interpolate")
    assert {"group-mean", "group-median"} == GROUPED
    assert {"carry-forward", "interpolate"} == PANEL


# --- a cross-section worked by hand ------------------------------------------------------------------------

VALUES = np.array(
    [
        # a     b    c    d
        [1.0, nan, 5.0, nan],  # e0  N
        [2.0, 4.0, 5.0, nan],  # e1  N
        [9.0, 4.0, 5.0, nan],  # e2  N
        [nan, 7.0, 5.0, nan],  # e3  N
        [20.0, nan, 5.0, nan],  # e4  S
        [nan, 3.0, 5.0, nan],  # e5  S
        [nan, 8.0, 5.0, nan],  # e6  X
    ]
)
GROUPS = ("N", "N", "N", "N", "S", "S", "X")
MISSING = np.isnan(VALUES)


def filled(expected: dict[tuple[int, int], float]) -> np.ndarray:
    out = VALUES.copy()
    for (i, j), value in expected.items():
        out[i, j] = value
    return out


def mask(*cells: tuple[int, int]) -> np.ndarray:
    out = np.zeros(VALUES.shape, dtype=bool)
    for cell in cells:
        out[cell] = True
    return out


def check(method: str, expected: dict[tuple[int, int], float], groups=None):
    out, imputed = impute(VALUES, method, groups)
    np.testing.assert_array_equal(out, filled(expected))
    np.testing.assert_array_equal(imputed, mask(*expected))
    assert imputed.dtype == bool


def test_none_fills_nothing():
    out, imputed = impute(VALUES, "none")
    np.testing.assert_array_equal(out, VALUES)
    assert not imputed.any() and imputed.shape == VALUES.shape


def test_mean():
    # a: (1 + 2 + 9 + 20)/4 = 8; b: (4 + 4 + 7 + 3 + 8)/5 = 5.2; c complete; d has nothing to fill from
    check("mean", {(3, 0): 8.0, (5, 0): 8.0, (6, 0): 8.0, (0, 1): 5.2, (4, 1): 5.2})


def test_median():
    # a: median of 1, 2, 9, 20 = 5.5; b: median of 3, 4, 4, 7, 8 = 4
    check("median", {(3, 0): 5.5, (5, 0): 5.5, (6, 0): 5.5, (0, 1): 4.0, (4, 1): 4.0})


def test_group_mean():
    # a: N = (1 + 2 + 9)/3 = 4 → e3; S = 20 → e5; X has no observed a → e6 stays missing
    # b: N = (4 + 4 + 7)/3 = 5 → e0; S = 3 → e4
    check("group-mean", {(3, 0): 4.0, (5, 0): 20.0, (0, 1): 5.0, (4, 1): 3.0}, GROUPS)


def test_group_median():
    # a: N median of 1, 2, 9 = 2; b: N median of 4, 4, 7 = 4
    check("group-median", {(3, 0): 2.0, (5, 0): 20.0, (0, 1): 4.0, (4, 1): 3.0}, GROUPS)


def test_a_group_without_any_observed_value_stays_missing():
    out, imputed = impute(VALUES, "group-mean", GROUPS)
    assert np.isnan(out[6, 0]) and not imputed[6, 0]
    assert np.isnan(out[:, 3]).all() and not imputed[:, 3].any()


def test_groups_may_be_any_sequence_of_labels():
    as_list, _ = impute(VALUES, "group-mean", list(GROUPS))
    renamed, _ = impute(VALUES, "group-mean", np.array(["b", "b", "b", "b", "a", "a", "c"], dtype=object))
    np.testing.assert_array_equal(as_list, renamed)


def test_nothing_missing_returns_an_equal_copy():
    complete = VALUES[:, 2:3]
    for method in METHODS:
        kwargs = {"groups": GROUPS} if method in GROUPED else {}
        if method in PANEL:
            kwargs = {"history": complete[None]}
        out, imputed = impute(complete, method, **kwargs)
        np.testing.assert_array_equal(out, complete)
        assert not imputed.any()


def test_input_is_not_modified():
    values = VALUES.copy()
    values.setflags(write=False)  # datasets hand over read-only arrays
    for method in ("mean", "median", "group-mean", "group-median"):
        out, _ = impute(values, method, GROUPS)
        assert out is not values
    np.testing.assert_array_equal(values, VALUES)


# --- a three-year panel worked by hand -------------------------------------------------------------------

# years × entities × indicators; the middle year (at = 1) is the one being scored
PANEL_HISTORY = np.array(
    [
        # 2019           2020 (scored)     2021
        [[1.0, 10.0], [nan, 20.0], [3.0, 30.0]],  # e0: a = 1, ?, 3
        [[nan, 10.0], [nan, 20.0], [6.0, 30.0]],  # e1: a = ?, ?, 6
        [[4.0, 10.0], [nan, nan], [nan, 40.0]],  # e2: a = 4, ?, ?   b = 10, ?, 40
        [[2.0, 10.0], [5.0, 20.0], [9.0, 30.0]],  # e3: complete
    ]
).transpose(1, 0, 2)


def panel(at: int, history: np.ndarray = PANEL_HISTORY):
    return history[at], history


def test_panel_history_is_years_by_entities_by_indicators():
    assert PANEL_HISTORY.shape == (3, 4, 2)
    np.testing.assert_array_equal(PANEL_HISTORY[:, 0, 0], [1.0, nan, 3.0])


def test_carry_forward_in_the_middle_year():
    values, history = panel(1)
    out, imputed = impute(values, "carry-forward", history=history, years=range(len(history)), year=1)
    # e0 a ← 1 (2019); e1 a: nothing earlier, stays missing; e2 a ← 4, e2 b ← 10; a later year is never used
    expected = values.copy()
    expected[0, 0], expected[2, 0], expected[2, 1] = 1.0, 4.0, 10.0
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(imputed, [[True, False], [False, False], [True, True], [False, False]])


def test_interpolate_in_the_middle_year():
    values, history = panel(1)
    out, imputed = impute(values, "interpolate", history=history, years=range(len(history)), year=1)
    # e0 a: halfway between 1 and 3 = 2; e2 b: halfway between 10 and 40 = 25
    # e1 a: no earlier value, e2 a: no later value: neither is extrapolated
    expected = values.copy()
    expected[0, 0], expected[2, 1] = 2.0, 25.0
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(imputed, [[True, False], [False, False], [False, True], [False, False]])


def test_last_year_carry_forward_takes_the_latest_earlier_value():
    history = np.array(
        [
            [[1.0], [7.0], [nan]],  # 2019
            [[2.0], [nan], [nan]],  # 2020
            [[nan], [nan], [nan]],  # 2021 (scored)
        ]
    )
    for years in ((2019, 2020, 2021), (0, 1, 2)):
        out, imputed = impute(history[2], "carry-forward", history=history, years=years, year=years[2])
        # e0 ← 2 (2020, not 2019); e1 ← 7 across the missing 2020; e2 has nothing
        np.testing.assert_array_equal(out, [[2.0], [7.0], [nan]])
        np.testing.assert_array_equal(imputed, [[True], [True], [False]])


def test_interpolate_never_extrapolates_past_the_last_year():
    history = np.array([[[1.0]], [[2.0]], [[nan]]])  # 1, 2, ? : a trend, but no later value
    out, imputed = impute(history[2], "interpolate", history=history, years=range(len(history)), year=2)
    assert np.isnan(out[0, 0]) and not imputed.any()


def test_interpolate_never_extrapolates_before_the_first_year():
    history = np.array([[[nan]], [[2.0]], [[4.0]]])
    out, imputed = impute(history[0], "interpolate", history=history, years=range(len(history)), year=0)
    assert np.isnan(out[0, 0]) and not imputed.any()
    out, imputed = impute(history[0], "carry-forward", history=history, years=range(len(history)), year=0)
    assert np.isnan(out[0, 0]) and not imputed.any()


def test_interpolate_across_several_missing_years():
    history = np.array([[[0.0]], [[nan]], [[nan]], [[9.0]]])  # 0, ?, ?, 9: steps of 3
    for at, expected in ((1, 3.0), (2, 6.0)):
        out, imputed = impute(history[at], "interpolate", history=history, years=range(len(history)), year=at)
        assert out[0, 0] == pytest.approx(expected, rel=1e-15)
        assert imputed[0, 0]


# --- properties over random data -------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
cells = st.one_of(st.just(nan), finite)


@st.composite
def cases(draw):
    """A method and its inputs: values with gaps, group labels, a history whose year ``at`` is ``values``."""
    method = draw(st.sampled_from(METHODS))
    years = draw(st.integers(1, 4))
    rows = draw(st.integers(1, 8))
    columns = draw(st.integers(1, 3))
    history = draw(hnp.arrays(float, (years, rows, columns), elements=cells))
    at = draw(st.integers(0, years - 1))
    groups = draw(st.lists(st.sampled_from("ABC"), min_size=rows, max_size=rows))
    return method, history[at].copy(), groups, history, at


@settings(max_examples=300, deadline=None)
@given(cases())
def test_imputation_never_changes_an_observed_value(case):
    method, values, groups, history, at = case
    out, imputed = impute(values, method, groups, history, range(len(history)), at)
    observed = ~np.isnan(values)
    np.testing.assert_array_equal(out[observed], values[observed])
    assert not (imputed & observed).any()


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_mask_marks_exactly_the_filled_cells(case):
    method, values, groups, history, at = case
    out, imputed = impute(values, method, groups, history, range(len(history)), at)
    assert out.shape == imputed.shape == values.shape
    np.testing.assert_array_equal(imputed, np.isnan(values) & ~np.isnan(out))
    if method == "none":
        assert not imputed.any()


@settings(max_examples=200, deadline=None)
@given(cases())
def test_filled_values_lie_within_what_they_were_filled_from(case):
    """Means, medians, carried and interpolated values never leave the range of the observed values used."""
    method, values, groups, history, at = case
    out, imputed = impute(values, method, groups, history, range(len(history)), at)
    for i, j in zip(*np.nonzero(imputed), strict=True):
        if method in PANEL:
            source = history[:, i, j]
        elif method in GROUPED:
            source = values[[g == groups[i] for g in groups], j]
        else:
            source = values[:, j]
        source = source[~np.isnan(source)]
        slack = 1e-12 * max(1.0, float(np.abs(source).max()))  # a few ulps of rounding in a mean
        assert source.min() - slack <= out[i, j] <= source.max() + slack
