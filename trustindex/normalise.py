"""Normalisation kernels and the validating wrapper that applies one to a dataset.

Kernels take a float array ``x`` of shape (entities, indicators) with NaN for missing values and a
``direction`` array of +1/-1 per indicator; they return an array of the same shape, NaN kept. They
trust their inputs. A constant indicator (or one with a single observed value) gets the centre of
the output: the midpoint of the range for bounded methods, ``mean`` for z-scores, the middle rank
for ranks. That is neutral between entities and never a division by zero.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import methods
from .errors import ConfigError
from .model import Indicator, Normalisation


def _scale(unit: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return lo + (hi - lo) * unit


def _affine(x: np.ndarray, shift: np.ndarray, slope: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """(x − shift)·slope + intercept per column, in place on one new array (NaN stays NaN).

    Shifting first keeps exact inputs exact: a raw 55 on goalposts [0, 100] scores 55, not 55.00000000000001.
    """
    out = np.subtract(x, shift)
    out *= slope
    out += intercept
    return out


def _column_range(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmin(x, axis=0), np.nanmax(x, axis=0)


def minmax(x, direction, lo=0.0, hi=100.0):
    """(x − min) / (max − min) over the observed data, mapped to [lo, hi]; reversed for lower-is-better."""
    mn, mx = _column_range(x)
    span = mx - mn
    constant = ~(span > 0)
    unit = np.subtract(x, np.where(constant, 0.0, mn))
    unit /= np.where(constant, 1.0, span)  # divide first: (hi − lo) / span overflows for a tiny span
    slope = np.where(constant, 0.0, hi - lo) * direction
    intercept = np.where(constant, (lo + hi) / 2.0, np.where(direction < 0, hi, lo))
    return _affine(unit, 0.0, slope, intercept)


def goalposts(x, direction, low, high, lo=0.0, hi=100.0):
    """(x − low) / (high − low) against fixed goalposts, clipped to [0, 1], mapped to [lo, hi]."""
    out = _affine(x, low, (hi - lo) / (high - low) * direction, np.where(direction < 0, hi, lo))
    return np.clip(out, lo, hi, out=out)


def zscore(x, direction, mean=0.0, sd=1.0):
    """Standard score with the sample standard deviation (ddof = 1), signed by direction."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(x, axis=0)
        sigma = np.nanstd(x, axis=0, ddof=1)
    mn, mx = _column_range(x)
    constant = ~(sigma > 0) | ~(mx > mn)  # equal values can have a rounding-noise sigma
    out = np.subtract(x, np.where(constant, 0.0, mu))
    out /= np.where(constant, 1.0, sigma)  # divide, not multiply by 1/sigma: 1/sigma overflows for tiny sigma
    return _affine(out, 0.0, np.where(constant, 0.0, sd * direction), mean)


def _average_ranks(column: np.ndarray) -> np.ndarray:
    """Ascending ranks 1..m of the observed values, ties given their average rank; NaN kept."""
    out = np.full(column.shape, np.nan)
    observed = np.flatnonzero(~np.isnan(column))
    values = column[observed]
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    starts = np.flatnonzero(starts_group)
    counts = np.diff(np.r_[starts, len(ordered)])
    average = starts + (counts + 1) / 2.0
    out[observed[order]] = average[np.cumsum(starts_group) - 1]
    return out


def rank(x, direction):
    """Rank among the observed values, 1 = worst, ties averaged (higher is better, like every score)."""
    signed = x * direction
    return np.column_stack([_average_ranks(signed[:, j]) for j in range(x.shape[1])]) if x.size else x.copy()


def percentile(x, direction, lo=0.0, hi=100.0):
    """Percentile rank (rank − 1) / (m − 1) among the m observed values, mapped to [lo, hi]."""
    ranks = rank(x, direction)
    m = np.sum(~np.isnan(x), axis=0).astype(float)
    unit = (ranks - 1.0) / np.where(m > 1, m - 1.0, 1.0)
    unit = np.where(m > 1, unit, np.where(np.isnan(x), np.nan, 0.5))
    return _scale(unit, lo, hi)


def target(x, direction, goal, lo=0.0, hi=100.0):
    """Distance to target: (x − worst) / (target − worst), capped at 1, mapped to [lo, hi].

    ``worst`` is the observed minimum (maximum when lower is better). An entity at or beyond the
    target scores ``hi``; when every observed value reaches the target, all score ``hi``. A constant
    indicator short of the target gets the centre of the range, like every bounded method.
    """
    mn, mx = _column_range(x)
    worst = np.where(direction < 0, mx, mn)
    gap = (goal - worst) * direction
    unit = np.where(gap > 0, (x - worst) * direction / np.where(gap > 0, gap, 1.0), 1.0)
    unit = np.where((gap > 0) & ~(mx > mn), 0.5, unit)
    unit = np.where(np.isnan(x), np.nan, np.clip(unit, 0.0, 1.0))
    return _scale(unit, lo, hi)


BOUNDED = methods.BOUNDED
METHODS = methods.NORMALISATION


def normalise(values: np.ndarray, indicators: tuple[Indicator, ...], spec: Normalisation) -> np.ndarray:
    """Apply ``spec`` to ``values`` (entities × indicators), checking first that it can be applied."""
    direction = np.array([i.direction for i in indicators], dtype=float)
    lo, hi = spec.range
    if spec.method == "minmax":
        return minmax(values, direction, lo, hi)
    if spec.method == "goalposts":
        lacking = [i.id for i in indicators if i.goalposts is None]
        if lacking:
            raise ConfigError(
                f"normalisation 'goalposts' needs goalposts, but {', '.join(lacking[:5])} declare none",
                hint="add goalposts = [low, high] to these indicators, or use method = 'minmax'",
            )
        low = np.array([i.goalposts[0] for i in indicators])
        high = np.array([i.goalposts[1] for i in indicators])
        return goalposts(values, direction, low, high, lo, hi)
    if spec.method == "target":
        lacking = [i.id for i in indicators if i.target is None]
        if lacking:
            raise ConfigError(
                f"normalisation 'target' needs a target, but {', '.join(lacking[:5])} declare none",
                hint="add target = VALUE to these indicators, or use another method",
            )
        return target(values, direction, np.array([i.target for i in indicators]), lo, hi)
    if spec.method == "zscore":
        return zscore(values, direction, spec.mean, spec.sd)
    if spec.method == "rank":
        return rank(values, direction)
    if spec.method == "percentile":
        return percentile(values, direction, lo, hi)
    raise ConfigError(f"unknown normalisation method {spec.method!r}", hint=f"one of {', '.join(METHODS)}")
