"""Descriptive statistics shared by the audit and the outlier treatment (NaN-aware, per column)."""

from __future__ import annotations

import warnings

import numpy as np

MIN_ENTITIES = 10
"""Below this many entities correlations, Cronbach's alpha, PCA and the importance measures are too noisy to
flag anything: they are shown, and what they find is reported as a notice."""

SMALL_N = ("only {n} entities: correlations, Cronbach's alpha and PCA are not informative below {least}, so what "
           "they find is reported as notices")  # fmt: skip


def _standardised(x: np.ndarray):
    """Observed count per column, z-scores with the sample sd, and whether the column varies at all."""
    x = np.asarray(x, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(x), axis=0).astype(float)
        varies = np.nanmax(x, axis=0, initial=-np.inf) > np.nanmin(x, axis=0, initial=np.inf)
        z = (x - np.nanmean(x, axis=0)) / np.nanstd(x, axis=0, ddof=1)
    return n, z, varies


def skewness(x: np.ndarray) -> np.ndarray:
    """Bias-corrected sample skewness per column, as Excel's SKEW: n/((n−1)(n−2)) Σ((x−m)/s)³.

    NaN where fewer than three values are observed or all are equal.
    """
    n, z, varies = _standardised(x)
    with np.errstate(all="ignore"):
        out = n / ((n - 1) * (n - 2)) * np.nansum(z**3, axis=0)
    return np.where((n >= 3) & varies, out, np.nan)


def kurtosis(x: np.ndarray) -> np.ndarray:
    """Bias-corrected excess kurtosis per column, as Excel's KURT.

    n(n+1)/((n−1)(n−2)(n−3)) Σ((x−m)/s)⁴ − 3(n−1)²/((n−2)(n−3)); NaN below four values or when constant.
    """
    n, z, varies = _standardised(x)
    with np.errstate(all="ignore"):
        scale = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3))
        out = scale * np.nansum(z**4, axis=0) - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return np.where((n >= 4) & varies, out, np.nan)


def outlying(skew: np.ndarray, kurt: np.ndarray, max_skew: float = 2.0, max_kurtosis: float = 3.5) -> np.ndarray:
    """The JRC rule: an indicator has outliers when |skewness| > max_skew and kurtosis > max_kurtosis."""
    return (np.abs(skew) > max_skew) & (kurt > max_kurtosis)
