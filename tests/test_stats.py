"""trustindex.stats: bias-corrected skewness and excess kurtosis as Excel's SKEW and KURT, and the JRC rule.

The oracle is Excel's documented formulas written out in plain Python (no numpy), Microsoft's own worked
examples, a few values worked by hand, and scipy.stats with ``bias=False``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from trustindex.stats import kurtosis, outlying, skewness

# --- the oracle: Excel's formulas, one value at a time ----------------------------------------------


def _observed(xs) -> list[float]:
    return [float(x) for x in xs if not math.isnan(x)]


def excel_skew(xs) -> float:
    """SKEW: n / ((n − 1)(n − 2)) · Σ((x − mean) / s)³, s the sample standard deviation."""
    xs = _observed(xs)
    n = len(xs)
    if n < 3:
        return math.nan
    mean = sum(xs) / n
    s = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    if s == 0:
        return math.nan
    return n / ((n - 1) * (n - 2)) * sum(((x - mean) / s) ** 3 for x in xs)


def excel_kurt(xs) -> float:
    """KURT: n(n + 1) / ((n − 1)(n − 2)(n − 3)) · Σ((x − mean) / s)⁴ − 3(n − 1)² / ((n − 2)(n − 3))."""
    xs = _observed(xs)
    n = len(xs)
    if n < 4:
        return math.nan
    mean = sum(xs) / n
    s = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    if s == 0:
        return math.nan
    total = sum(((x - mean) / s) ** 4 for x in xs)
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * total - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def col(xs) -> np.ndarray:
    return np.array(xs, dtype=float)[:, None]


def close(a: float, b: float, rel: float = 1e-10) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=rel, abs=1e-12)


# --- worked examples ---------------------------------------------------------------------------------

MICROSOFT = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7]
"""The data of the worked examples in Microsoft's help pages for SKEW and KURT."""


def test_microsoft_worked_examples():
    assert skewness(col(MICROSOFT))[0] == pytest.approx(0.359543, abs=5e-7)
    assert kurtosis(col(MICROSOFT))[0] == pytest.approx(-0.151799637, abs=5e-9)


def test_oracle_agrees_with_the_worked_examples():
    assert excel_skew(MICROSOFT) == pytest.approx(0.359543, abs=5e-7)
    assert excel_kurt(MICROSOFT) == pytest.approx(-0.151799637, abs=5e-9)


def test_skewness_of_zero_zero_three_is_root_three():
    # mean 1, deviations −1, −1, 2; s² = 6/2 = 3; Σz³ = 6/(3√3) = 2/√3; factor 3/(2·1): √3
    assert skewness(col([0, 0, 3]))[0] == pytest.approx(math.sqrt(3), rel=1e-14)


def test_kurtosis_of_one_to_four_is_minus_one_point_two():
    # mean 2.5, s² = 5/3; Σz⁴ = (2·1.5⁴ + 2·0.5⁴)/(25/9) = 3.69; 20/6 · 3.69 − 3·9/2 = 12.3 − 13.5
    assert kurtosis(col([1, 2, 3, 4]))[0] == pytest.approx(-1.2, rel=1e-13)


def test_symmetric_data_has_zero_skewness():
    assert skewness(col([1, 2, 3]))[0] == pytest.approx(0, abs=1e-15)
    assert skewness(col([-5, -1, 0, 1, 5]))[0] == pytest.approx(0, abs=1e-15)


def test_skewness_flips_sign_with_the_data():
    x = [1, 2, 3, 4, 50]
    assert skewness(col(x))[0] > 2
    assert skewness(col([-v for v in x]))[0] == pytest.approx(-skewness(col(x))[0], rel=1e-14)
    assert kurtosis(col([-v for v in x]))[0] == pytest.approx(kurtosis(col(x))[0], rel=1e-14)


# --- against the written-out formulas and scipy on random data ---------------------------------------


def random_matrix(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Columns of very different shapes: normal, lognormal (right tail), reflected exponential, uniform, t(3)."""
    return np.column_stack(
        [
            rng.normal(10, 3, rows),
            rng.lognormal(0, 1, rows),
            -rng.exponential(2, rows),
            rng.uniform(-1, 1, rows),
            rng.standard_t(3, rows) * 1000 + 1e6,  # a large offset: the two-pass formula must hold up
        ]
    )


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("rows", [4, 5, 9, 30, 200])
def test_matches_the_written_out_formulas_per_column(seed, rows):
    x = random_matrix(np.random.default_rng(seed), rows)
    skew, kurt = skewness(x), kurtosis(x)
    assert skew.shape == kurt.shape == (x.shape[1],)
    for j in range(x.shape[1]):
        assert close(skew[j], excel_skew(x[:, j]), rel=1e-9), (j, skew[j], excel_skew(x[:, j]))
        assert close(kurt[j], excel_kurt(x[:, j]), rel=1e-9), (j, kurt[j], excel_kurt(x[:, j]))


@pytest.mark.parametrize("seed", range(8))
def test_matches_scipy_bias_false(seed):
    import scipy.stats

    rng = np.random.default_rng(100 + seed)
    x = random_matrix(rng, 40)
    x[rng.random(x.shape) < 0.2] = np.nan  # some gaps, different per column
    skew, kurt = skewness(x), kurtosis(x)
    for j in range(x.shape[1]):
        seen = x[~np.isnan(x[:, j]), j]
        assert skew[j] == pytest.approx(scipy.stats.skew(seen, bias=False), rel=1e-9)
        assert kurt[j] == pytest.approx(scipy.stats.kurtosis(seen, fisher=True, bias=False), rel=1e-9)
        assert skew[j] == pytest.approx(scipy.stats.skew(x[:, j], bias=False, nan_policy="omit"), rel=1e-9)


def test_affine_invariance():
    x = random_matrix(np.random.default_rng(7), 25)
    for a, b in [(3.0, -7.0), (0.01, 10.0), (-2.0, 5.0)]:
        assert skewness(a * x + b) == pytest.approx(np.sign(a) * skewness(x), rel=1e-9)
        assert kurtosis(a * x + b) == pytest.approx(kurtosis(x), rel=1e-9)


# --- missing values, short and constant columns -------------------------------------------------------


def test_nan_values_are_left_out():
    x = [3, np.nan, 4, 5, 2, 3, np.nan, 4, 5, 6, 4, 7]
    assert skewness(col(x))[0] == pytest.approx(excel_skew(MICROSOFT), rel=1e-12)
    assert kurtosis(col(x))[0] == pytest.approx(excel_kurt(MICROSOFT), rel=1e-12)


def test_columns_are_independent():
    """A gap in one column changes nothing in another; each column is computed on its own observed values."""
    a = [1, 2, 3, 4, 50, 6]
    b = [np.nan, 1, 1, 2, 3, 9]
    x = np.column_stack([a, b]).astype(float)
    assert skewness(x) == pytest.approx([excel_skew(a), excel_skew(b)], rel=1e-12)
    assert kurtosis(x) == pytest.approx([excel_kurt(a), excel_kurt(b)], rel=1e-12)


@pytest.mark.parametrize(
    "values",
    [[], [1.0], [1.0, 2.0], [1.0, np.nan, 2.0, np.nan], [np.nan, np.nan, np.nan, np.nan]],
    ids=["empty", "one", "two", "two-observed", "all-missing"],
)
def test_fewer_than_three_values_give_nan(values):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no RuntimeWarning leaks out
        assert np.isnan(skewness(col(values).reshape(len(values), 1))[0])
        assert np.isnan(kurtosis(col(values).reshape(len(values), 1))[0])


@pytest.mark.parametrize("values", [[1, 2, 3], [1, np.nan, 2, 7, np.nan]], ids=["three", "three-observed"])
def test_three_values_have_a_skewness_but_no_kurtosis(values):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert skewness(col(values))[0] == pytest.approx(excel_skew(values), abs=1e-15)
        assert np.isnan(kurtosis(col(values))[0])


def test_four_values_have_a_kurtosis():
    assert kurtosis(col([1, 2, 4, 8]))[0] == pytest.approx(excel_kurt([1, 2, 4, 8]), rel=1e-12)


@pytest.mark.parametrize("values", [[5, 5, 5], [5, 5, 5, 5, 5], [np.nan, 0.1, 0.1, 0.1, 0.1, np.nan]])
def test_constant_columns_give_nan(values):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(skewness(col(values))[0])
        assert np.isnan(kurtosis(col(values))[0])


def test_mixed_matrix_gives_nan_only_where_due():
    x = np.array(
        [
            [1.0, 5.0, 1.0, np.nan],
            [2.0, 5.0, np.nan, np.nan],
            [4.0, 5.0, 2.0, 1.0],
            [9.0, 5.0, 3.0, np.nan],
        ]
    )
    skew, kurt = skewness(x), kurtosis(x)
    assert skew[0] == pytest.approx(excel_skew(x[:, 0]), rel=1e-12)
    assert kurt[0] == pytest.approx(excel_kurt(x[:, 0]), rel=1e-12)
    assert np.isnan(skew[1]) and np.isnan(kurt[1])  # constant
    assert skew[2] == pytest.approx(0, abs=1e-15) and np.isnan(kurt[2])  # three observed
    assert np.isnan(skew[3]) and np.isnan(kurt[3])  # one observed


def test_input_is_not_modified():
    x = np.array([[1.0, np.nan], [2.0, 3.0], [10.0, 4.0], [3.0, 8.0]])
    before = x.copy()
    skewness(x)
    kurtosis(x)
    np.testing.assert_array_equal(x, before)


# --- the rule --------------------------------------------------------------------------------------------


def test_outlying_needs_both_conditions_strictly():
    skew = np.array([2.5, 2.5, 1.5, -2.5, 2.0, 2.5, np.nan, 3.0])
    kurt = np.array([4.0, 3.0, 9.0, 4.0, 9.0, 3.5, 9.0, np.nan])
    np.testing.assert_array_equal(outlying(skew, kurt), [True, False, False, True, False, False, False, False])


def test_outlying_takes_custom_thresholds():
    skew, kurt = np.array([1.5, 1.5]), np.array([2.0, 1.0])
    np.testing.assert_array_equal(outlying(skew, kurt, max_skew=1.0, max_kurtosis=1.5), [True, False])
