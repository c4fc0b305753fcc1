"""Aggregation kernels: combine component scores (entities × components) into one score per entity.

Every kernel takes ``x`` of shape (entities, components), NaN where missing, and non-negative
weights ``w`` of shape (components,), and aggregates each entity over its available components
with the weights renormalised over them. An entity with no available component gets NaN.

Zeros: the geometric, harmonic and (p ≤ 0) power means of components that include a zero with
positive weight are 0 — the mathematical limit and full non-compensation. Normalise to a range
such as [1, 100] when a single zero should not decide a score.
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError


def _masked(x, w):
    """Drop zero-weight components; return values with 0 for missing, availability and weights."""
    keep = w > 0
    if not keep.all():
        x, w = x[:, keep], w[keep]
    available = ~np.isnan(x)
    return np.where(available, x, 0.0), available, w


def _total(available, w):
    total = available @ w
    return np.where(total > 0, total, np.nan)


def arithmetic(x, w):
    """Σ wᵢxᵢ / Σ wᵢ over the available components."""
    values, available, w = _masked(x, w)
    return (values @ w) / _total(available, w)


def geometric(x, w):
    """exp(Σ wᵢ log xᵢ / Σ wᵢ); 0 when any positive-weight component is 0."""
    values, available, w = _masked(x, w)
    with np.errstate(divide="ignore"):
        logs = np.where(available, np.log(np.where(available, values, 1.0)), 0.0)
    return np.exp((logs @ w) / _total(available, w))


def harmonic(x, w):
    """Σ wᵢ / Σ (wᵢ / xᵢ); 0 when any positive-weight component is 0."""
    values, available, w = _masked(x, w)
    with np.errstate(divide="ignore"):
        inverse = np.where(available, 1.0 / np.where(available, values, 1.0), 0.0)
        return _total(available, w) / (inverse @ w)


def power(x, w, p):
    """Generalised mean (Σ wᵢxᵢᵖ / Σ wᵢ)^(1/p); p = 1 arithmetic, p → 0 geometric, p = −1 harmonic."""
    if p == 0:
        return geometric(x, w)
    values, available, w = _masked(x, w)
    # Scale by each entity's largest component so that x^p cannot overflow for large p.
    top = np.max(values, axis=1, keepdims=True, initial=0.0)
    top = np.where(top > 0, top, 1.0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        powered = np.where(available, np.where(available, values / top, 1.0) ** p, 0.0)
        return ((powered @ w) / _total(available, w)) ** (1.0 / p) * top[:, 0]


TIE = 1e-9
"""Relative difference within which Copeland counts two component scores as equal."""


def copeland(x, w, opponents=None, chunk: int = 512):
    """Non-compensatory pairwise outranking, as the percentage (0–100) of contests won.

    Entity a beats b when the weight of the components (available for both) on which a scores
    higher exceeds the weight of those on which b does; a draw counts half. Each entity's score is
    the share of its opponents with at least one comparable component that it beats. The opponents
    are the other rows of ``x``, or the rows of ``opponents`` when given (hypothetical entities scored
    against a fixed field: explanations use this).
    """
    field, field_available, _ = _masked(x if opponents is None else opponents, w)
    values, available, w = _masked(x, w)
    n = values.shape[0]
    tie = 1e-9 * w.sum()  # margins within float noise of zero are draws (0.1 + 0.2 vs 0.3)
    wins = np.zeros(n)
    contests = np.zeros(n)
    for start in range(0, n, chunk):
        a = slice(start, min(start + chunk, n))
        both = available[a, None, :] & field_available[None, :, :]
        diff = values[a, None, :] - field[None, :, :]
        close = np.abs(diff) <= TIE * np.maximum(1.0, np.abs(field[None, :, :]))  # one-bit differences are draws
        sign = np.where(close, 0.0, np.sign(diff)) * both
        margin = sign @ w
        comparable = both.any(axis=2)
        if opponents is None:
            comparable[np.arange(a.stop - a.start), np.arange(a.start, a.stop)] = False
        wins[a] = np.sum(comparable * ((margin > tie) + 0.5 * (np.abs(margin) <= tie)), axis=1)
        contests[a] = comparable.sum(axis=1)
    score = 100.0 * wins / np.where(contests > 0, contests, 1.0)
    return np.where(available.any(axis=1) & (contests > 0), score, np.nan)


METHODS = ("arithmetic", "geometric", "harmonic", "power", "copeland")
NEED_POSITIVE = frozenset({"geometric", "harmonic", "power"})


def aggregate(x: np.ndarray, w: np.ndarray, method: str, p: float | None = None, opponents=None):
    """Apply the named method, checking first that it is defined on ``x``.

    ``opponents`` gives Copeland a fixed field to score the rows of ``x`` against (see :func:`copeland`).
    """
    if method not in METHODS:
        raise ConfigError(f"unknown aggregation method {method!r}", hint=f"one of {', '.join(METHODS)}")
    if method in NEED_POSITIVE and np.nanmin(x[:, w > 0], initial=0.0) < 0:
        raise ConfigError(
            f"{method} aggregation needs non-negative scores, but some are negative",
            hint="normalise to a positive range such as range = [1, 100] (z-scores and ranks can be negative)",
        )
    if method == "power":
        return power(x, w, 1.0 if p is None else p)
    if method == "copeland":
        return copeland(x, w, opponents)
    return KERNELS[method](x, w)


KERNELS = {"arithmetic": arithmetic, "geometric": geometric, "harmonic": harmonic}
