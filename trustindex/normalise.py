"""Normalisation kernels and the validating wrapper that applies one to a dataset.

Kernels take a float array ``x`` of shape (entities, indicators) with NaN for missing values and a
``direction`` array of +1/-1 per indicator; they return an array of the same shape, NaN kept. They
trust their inputs. A constant indicator (or one with a single observed value) gets the centre of
the output: the midpoint of the range for bounded methods, ``mean`` for z-scores, the middle rank
for ranks. That is neutral between entities and never a division by zero. Two methods define the case
themselves and keep their definition: a fraction of the best value is 1 when every value is the best, and
a Borda score is 0 when nobody is below.
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


def minmax(x, direction, lo=0.0, hi=100.0, basis=None):
    """(x − min) / (max − min) over the observed data (or over ``basis``: a whole panel), mapped to [lo, hi];
    reversed for lower-is-better."""
    mn, mx = _column_range(x if basis is None else basis)
    span = mx - mn
    constant = ~(span > 0)
    unit = np.subtract(x, np.where(constant, 0.0, mn))
    unit /= np.where(constant, 1.0, span)  # divide first: (hi − lo) / span overflows for a tiny span
    slope = np.where(constant, 0.0, hi - lo) * direction
    intercept = np.where(constant, (lo + hi) / 2.0, np.where(direction < 0, hi, lo))
    return _affine(unit, 0.0, slope, intercept)


def scaled(x, direction, low, high, lo=0.0, hi=100.0):
    """(x − low) / (high − low) against fixed bounds, mapped to [lo, hi], not clipped: a value beyond a bound
    scores beyond the range (COINr's n_scaled); reversed for lower-is-better."""
    return _affine(x, low, (hi - lo) / (high - low) * direction, np.where(direction < 0, hi, lo))


def goalposts(x, direction, low, high, lo=0.0, hi=100.0):
    """:func:`scaled` against fixed goalposts, clipped to [lo, hi]."""
    out = scaled(x, direction, low, high, lo, hi)
    return np.clip(out, lo, hi, out=out)


def zscore(x, direction, mean=0.0, sd=1.0, ddof=1, basis=None):
    """Standard score, signed by direction, with the sample (``ddof`` 1) or population (0) standard deviation,
    the moments taken over the data (or over ``basis``: a whole panel)."""
    basis = x if basis is None else basis
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(basis, axis=0)
        sigma = np.nanstd(basis, axis=0, ddof=ddof)
    mn, mx = _column_range(basis)
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


def borda(x, direction):
    """Borda score: the number of observed values below the entity's (COINr's n_borda, rank − 1 with ties at
    the lowest rank); 0 for the worst, and for every entity of a constant indicator."""
    signed = x * direction
    out = np.full(x.shape, np.nan)
    for j in range(x.shape[1]):
        observed = ~np.isnan(signed[:, j])
        values = signed[observed, j]
        out[observed, j] = np.searchsorted(np.sort(values), values, side="left")
    return out


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


def dist2ref(x, direction, reference, lo=0.0, hi=100.0, cap=False):
    """Distance to a reference entity: (x − worst) / (reference − worst), mapped to [lo, hi] (COINr's
    n_dist2ref). ``reference`` holds the reference entity's value of each indicator; ``worst`` is the observed
    minimum (maximum when lower is better). The reference scores ``hi`` and entities beyond it more, unless
    ``cap``. The wrapper refuses a reference at the worst value of an indicator that varies."""
    mn, mx = _column_range(x)
    worst = np.where(direction < 0, mx, mn)
    gap = (reference - worst) * direction
    unit = (x - worst) * direction / np.where(gap > 0, gap, 1.0)
    unit = np.where(mx > mn, unit, np.where(np.isnan(x), np.nan, 0.5))
    return _scale(np.minimum(unit, 1.0) if cap else unit, lo, hi)


def fracmax(x, direction, lo=0.0, hi=100.0, basis=None):
    """Fraction of the best observed value, mapped to [lo, hi]: x / max (COINr's n_fracmax), and min / x when
    lower is better (COINr would divide by the minimum of −x instead); the best of ``basis`` (a whole panel)
    when given. The wrapper refuses negative values, and a zero among the values of a lower-is-better indicator;
    a constant indicator scores ``hi``."""
    mn, mx = _column_range(x if basis is None else basis)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = np.where(direction > 0, x / np.where(mx > 0, mx, 1.0), mn / x)
    return _scale(np.where(~(mx > mn) & ~np.isnan(x), 1.0, unit), lo, hi)


BOUNDED = methods.BOUNDED
METHODS = methods.NORMALISATION


class Unnormalisable(ConfigError):
    """A normalisation that cannot be applied to these values, with the profile key at fault (``key``)."""

    def __init__(self, message: str, key: str = "method", hint: str | None = None):
        super().__init__(message, hint=hint)
        self.key = key


def lacking_anchors(indicators: tuple[Indicator, ...], normalisation: Normalisation) -> list[str]:
    """The indicators without what ``normalisation`` reads from them (goalposts or a target, see ANCHORS)."""
    anchor = methods.ANCHORS.get(normalisation.method)
    return [i.id for i in indicators if anchor and getattr(i, anchor) is None]


def ceiling(spec: Normalisation) -> float | None:
    """The highest score ``spec`` can give, when it has one (None: beyond the range, or unbounded)."""
    if spec.method in methods.WITHIN or (spec.method == "dist2ref" and spec.cap):
        return spec.range[1]
    return None


def _listed(ids: list[str]) -> str:
    return ", ".join(ids[:5]) + (f" (and {len(ids) - 5} more)" if len(ids) > 5 else "")


def _reference(values: np.ndarray, indicators, spec: Normalisation, entities) -> np.ndarray:
    """The reference entity's values, checked: present among ``entities``, observed, and not the worst value of
    an indicator that varies."""
    if spec.reference not in entities:
        raise Unnormalisable(f"the reference entity {spec.reference!r} is not among the entities scored",
                             "reference", "name an entity of the dataset that passes screening")  # fmt: skip
    row = values[list(entities).index(spec.reference)]
    missing = [i.id for i, v in zip(indicators, row, strict=True) if np.isnan(v)]
    if missing:
        raise Unnormalisable(f"the reference entity {spec.reference!r} has no value of {_listed(missing)}",
                             "reference", "choose another reference, or impute the missing values")  # fmt: skip
    direction = np.array([i.direction for i in indicators], dtype=float)
    mn, mx = _column_range(values)
    worst = [i.id for i, v, a, b, d in zip(indicators, row, mn, mx, direction, strict=True)
             if b > a and v == (a if d > 0 else b)]  # fmt: skip
    if worst:
        raise Unnormalisable(f"the reference entity {spec.reference!r} has the worst value of {_listed(worst)}: "
                             "no distance to it can be measured", "reference", "choose another reference")  # fmt: skip
    return row


def _fraction_fits(values: np.ndarray, indicators) -> None:
    """A fraction of the best value needs a ratio scale: no negative values, and no zero when lower is better."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanmin(values, axis=0) if values.size else np.zeros(len(indicators))
    negative = [i.id for i, m in zip(indicators, low, strict=True) if m < 0]
    zero = [i.id for i, m in zip(indicators, low, strict=True) if m == 0 and i.direction < 0]
    if negative:
        raise Unnormalisable(f"normalisation 'fracmax' needs non-negative values, but {_listed(negative)} has "
                             "negative ones", hint="use minmax, or goalposts")  # fmt: skip
    if zero:
        raise Unnormalisable(f"normalisation 'fracmax' of lower-is-better {_listed(zero)} divides by a value of 0",
                             hint="use minmax, or goalposts")  # fmt: skip


def normalise(values: np.ndarray, indicators: tuple[Indicator, ...], spec: Normalisation, entities=(),
              panel: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Apply ``spec`` to ``values`` (entities × indicators; ``entities`` their ids, which ``dist2ref`` reads),
    checking first that it can be applied. With ``over = "panel"`` the bounds or moments come from ``panel``
    (years × entities × indicators: every year of the scored entities)."""
    direction = np.array([i.direction for i in indicators], dtype=float)
    lo, hi = spec.range
    basis = None
    if spec.over == "panel":
        if panel is None:
            raise Unnormalisable("over = 'panel' needs a panel dataset (one row per entity and year)", "over",
                                 'remove it, or set over = "year"')  # fmt: skip
        basis = np.asarray(panel, dtype=float).reshape(-1, len(indicators))
    lacking = lacking_anchors(indicators, spec)
    if lacking:
        anchor = methods.ANCHORS[spec.method]
        raise Unnormalisable(
            f"normalisation {spec.method!r} needs {'goalposts' if anchor == 'goalposts' else 'a target'}, but "
            f"{_listed(lacking)} declare none",
            hint=f"add {'goalposts = [low, high]' if anchor == 'goalposts' else 'target = VALUE'} to these "
            "indicators, or use method = 'minmax'",
        )
    if spec.method == "minmax":
        return minmax(values, direction, lo, hi, basis)
    if spec.method in ("goalposts", "scaled"):
        low = np.array([i.goalposts[0] for i in indicators])
        high = np.array([i.goalposts[1] for i in indicators])
        return (goalposts if spec.method == "goalposts" else scaled)(values, direction, low, high, lo, hi)
    if spec.method == "target":
        return target(values, direction, np.array([i.target for i in indicators]), lo, hi)
    if spec.method == "zscore":
        return zscore(values, direction, spec.mean, spec.sd, 1 if spec.sd_basis == "sample" else 0, basis)
    if spec.method == "rank":
        return rank(values, direction)
    if spec.method == "borda":
        return borda(values, direction)
    if spec.method == "percentile":
        return percentile(values, direction, lo, hi)
    if spec.method == "dist2ref":
        return dist2ref(values, direction, _reference(values, indicators, spec, entities), lo, hi, spec.cap)
    if spec.method == "fracmax":
        _fraction_fits(values if basis is None else np.vstack([values, basis]), indicators)
        return fracmax(values, direction, lo, hi, basis)
    raise ConfigError(f"unknown normalisation method {spec.method!r}", hint=f"one of {', '.join(METHODS)}")
