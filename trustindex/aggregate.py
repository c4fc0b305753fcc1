"""Aggregation kernels: combine children's scores into their parents' scores, for a batch of runs at once.

One call aggregates every parent of one layer of the tree: ``x`` holds the children's scores, shape
(children, runs, entities) — runs 1 when every run shares them — with NaN where missing; ``w`` the children's
non-negative weights, shape (runs, children) or (1, children), 0 leaving a child out; and ``segments`` the
offsets at which each parent's (contiguous) children start. The result has shape (parents, runs, entities).
Each entity is aggregated over its available children with the weights renormalised over them; a parent
with no available child of positive weight gets NaN. A single scoring is the case of one run. Children come
first so that summing over them adds whole runs × entities slabs.

The power-mean family (arithmetic p = 1, geometric p = 0, harmonic p = −1, power p) is one code path: a mean
of transformed values. For p ≠ 0, 1 the values are divided by each entity's largest (p > 0) or smallest
(p < 0) component first, so that xᵖ can neither overflow nor lose the dominant term.

Zeros: the geometric, harmonic and (p ≤ 0) power means of components that include a zero with positive
weight are 0 — the mathematical limit and full non-compensation. Normalise to a range such as [1, 100]
when a single zero should not decide a score.

The Mazziotta–Pareto index penalises imbalance itself: the weighted mean M of an entity's components minus
S·cv, where S is their weighted (population) standard deviation around M and cv = S / M, i.e. M − S²/M
(De Muro, Mazziotta & Pareto 2011; weighted as in Mazziotta & Pareto 2022). Equal components keep their
mean; any spread lowers it. The penalty shrinks as the level rises, so the scale matters: the published
indices normalise to z-scores of mean 100 and sd 10 (MPI) or to goalposts rescaled to [70, 130] (AMPI).
"""

from __future__ import annotations

import numpy as np

from . import methods
from .errors import ConfigError

METHODS = methods.AGGREGATION
NEED_POSITIVE = methods.NEED_POSITIVE
TIE = 1e-9
"""Relative difference within which Copeland counts two component scores as equal."""
ROUNDING = 1e-12
"""A Mazziotta–Pareto score within this share of its mean of 0 is 0: rounding, not a negative score."""
PAIRS_PER_CHUNK = 2**22
"""Copeland compares entities pairwise: entity pairs × components × runs evaluated at once."""


class NegativeScores(ConfigError):
    """A mean that needs non-negative scores (geometric, harmonic, power) was given negative ones."""

    def __init__(self, method: str, nodes: tuple[str, ...] = ()):
        what = f" of {', '.join(repr(n) for n in nodes)}" if nodes else ""
        super().__init__(
            f"{method} aggregation{what} needs non-negative scores, but some are negative",
            hint="normalise to a positive range such as range = [1, 100], or aggregate arithmetically",
        )
        self.method, self.nodes = method, nodes


def exponent(method: str, p: float | None) -> float | None:
    """The power-mean exponent of ``method`` (None for Copeland and Mazziotta–Pareto)."""
    return {"arithmetic": 1.0, "geometric": 0.0, "harmonic": -1.0, "power": 1.0 if p is None else float(p)}.get(method)


SMALL = 2048
"""Values per child up to which ``ufunc.reduceat`` is the fastest way to reduce a layer (measured: 3× faster
than slices for one run of 51 entities, 2–10× slower for hundreds of runs)."""


def _reduce(ufunc: np.ufunc, values: np.ndarray, segments: np.ndarray, dtype=None) -> np.ndarray:
    """``ufunc`` over each parent's children (the first axis): one reshape when the parents have as many
    children each, else ``reduceat`` for small layers and a slice per parent for large ones."""
    if len(segments) == len(values):
        return values.astype(dtype or values.dtype)
    if len(segments) == 1:
        return ufunc.reduce(values, axis=0, keepdims=True, dtype=dtype)
    if values[0].size <= SMALL:
        return ufunc.reduceat(values, segments, axis=0, dtype=dtype)
    bounds = _bounds(segments, len(values))
    sizes = np.diff(bounds)
    if (sizes == sizes[0]).all():
        return ufunc.reduce(values.reshape(len(segments), sizes[0], *values.shape[1:]), axis=1, dtype=dtype)
    return np.stack(
        [ufunc.reduce(values[a:b], axis=0, dtype=dtype) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    )


def _bounds(segments: np.ndarray, children: int) -> np.ndarray:
    """Where each parent's children begin, and where the last ends."""
    return np.append(segments, children)


def _sum(values: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Sum over each parent's children (the first axis)."""
    return _reduce(np.add, values, segments, float)


def _weighted(values: np.ndarray, w: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Σ wᵢ valuesᵢ over each parent's children: (parents, runs|1, entities).

    Values shared by every run meet many runs' weights as one matrix product with the weights laid out per
    parent ((parents · runs) × children), never as a children × runs × entities array."""
    if values.shape[1] > 1 or len(w) == 1:
        return _sum(values * w.T[:, :, None], segments)
    children = len(values)
    owner = np.repeat(np.arange(len(segments)), np.diff(_bounds(segments, children)))
    layout = np.zeros((len(segments), len(w), children))
    layout[owner, :, np.arange(children)] = w.T
    product = layout.reshape(-1, children) @ values[:, 0, :]
    return product.reshape(len(segments), len(w), values.shape[2])


def _spread(per_parent: np.ndarray, segments: np.ndarray, children: int) -> np.ndarray:
    """Each child's copy of its parent's value (parents, …) → (children, …)."""
    return np.repeat(per_parent, np.diff(_bounds(segments, children)), axis=0)


def power_mean(x: np.ndarray, w: np.ndarray, segments: np.ndarray, p: float, available) -> np.ndarray:
    """Weighted power means of exponent ``p`` over each segment's available children (see the module docstring);
    ``available`` is ``~isnan(x)``, or True when nothing is missing."""
    complete = available is True
    weights = w.T[:, :, None]  # children × runs × 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        total = _sum(weights, segments) if complete else _weighted(available.astype(float), w, segments)
        if p == 1:
            values = x if complete else np.where(available, x, 0.0)
            mean = _weighted(values, w, segments) / total
            return np.where(total > 0, mean, np.nan)
        positive = w > 0
        counted = x > 0 if complete else available & (x > 0)
        if p == 0:
            mean = np.exp(_weighted(np.log(np.where(counted, x, 1.0)), w, segments) / total)
        else:
            # Each run's scale is taken over its own children of positive weight (those of zero weight are left
            # out altogether: raised to a large p they would overflow), per run only when the runs differ.
            pattern = positive if len(positive) > 1 and not (positive == positive[0]).all() else positive[:1]
            used = counted & pattern.T[:, :, None]
            if p > 0:
                scale = _reduce(np.maximum, np.where(used, x, -np.inf), segments)
            else:
                scale = _reduce(np.minimum, np.where(used, x, np.inf), segments)
            scale = np.where(np.isfinite(scale), scale, 1.0)
            at = _spread(scale, segments, len(x))  # each child's segment's scale
            powered = np.where(used, (np.where(used, x, at) / at) ** p, 0.0)
            mean = (_weighted(powered, w, segments) / total) ** (1.0 / p) * scale
        if p <= 0:  # a zero of positive weight decides the mean
            zero = x == 0
            if zero.any():
                mean = np.where(_sum(zero * positive.T[:, :, None], segments) > 0, 0.0, mean)
        return np.where(total > 0, mean, np.nan)


def mazziotta_pareto(x: np.ndarray, w: np.ndarray, segments: np.ndarray, available) -> np.ndarray:
    """M − S²/M over each segment's available children (see the module docstring); 0 where M is 0 (every
    component 0), and within ROUNDING · M of 0. ``available`` is ``~isnan(x)``, or True when nothing is missing."""
    complete = available is True
    with np.errstate(divide="ignore", invalid="ignore"):
        total = _sum(w.T[:, :, None], segments) if complete else _weighted(available.astype(float), w, segments)
        values = x if complete else np.where(available, x, 0.0)
        mean = _weighted(values, w, segments) / total
        deviation = values - _spread(mean, segments, len(x))  # two passes: no cancellation of E[x²] − M²
        if not complete:
            deviation = np.where(available, deviation, 0.0)
        variance = _weighted(deviation * deviation, w, segments) / total
        score = mean - variance / mean
        # 0 where M is 0, and where M − S²/M is 0 but for rounding (components 0 and x, equal weights)
        score = np.where((mean > 0) & (np.abs(score) > ROUNDING * mean), score, 0.0)
    return np.where(total > 0, score, np.nan)


def copeland(x: np.ndarray, w: np.ndarray, segments: np.ndarray, opponents: np.ndarray | None = None) -> np.ndarray:
    """Non-compensatory pairwise outranking, as the percentage (0–100) of contests won.

    Entity a beats b when the weight of the components (available for both) on which a scores higher
    exceeds the weight of those on which b does; a draw counts half. Each entity's score is the share of its
    opponents with at least one comparable component that it beats. The opponents are the other entities of
    the same run, or the rows of ``opponents`` (entities × children, shared by every run) when given:
    hypothetical entities scored against a fixed field (explanations use this).
    """
    runs = max(x.shape[1], w.shape[0])
    n = x.shape[2]
    bounds = _bounds(segments, len(x))
    out = np.empty((len(segments), runs, n))
    for s in range(len(segments)):
        part = slice(bounds[s], bounds[s + 1])
        field = None if opponents is None else opponents[:, part]
        out[s] = _copeland(np.moveaxis(x[part], 0, -1), w[:, part], field)
    return out


def _copeland(x: np.ndarray, w: np.ndarray, field: np.ndarray | None) -> np.ndarray:
    """Copeland scores (runs × entities) of one parent: x (runs|1, n, c), w (runs|1, c)."""
    runs = max(x.shape[0], w.shape[0])
    n, c = x.shape[1], x.shape[2]
    m = n if field is None else field.shape[0]
    out = np.empty((runs, n))
    step = max(1, PAIRS_PER_CHUNK // max(1, n * m * c))
    for start in range(0, runs, step):  # chunks of runs, to bound the pairwise arrays
        stop = min(runs, start + step)
        xs = x if x.shape[0] == 1 else x[start:stop]
        ws = w if w.shape[0] == 1 else w[start:stop]
        out[start:stop] = _copeland_chunk(xs, ws, field, stop - start)
    return out


def _copeland_chunk(x, w, field, runs):
    positive = w > 0
    values = np.where(np.isnan(x), 0.0, x)
    available = ~np.isnan(x) & positive[:, None, :]
    if field is None:
        other, other_available = values, available
    else:
        other = np.where(np.isnan(field), 0.0, field)[None]
        other_available = (~np.isnan(field))[None] & positive[:, None, :]
    both = available[:, :, None, :] & other_available[:, None, :, :]  # runs, n, m, c
    diff = values[:, :, None, :] - other[:, None, :, :]
    close = np.abs(diff) <= TIE * np.maximum(1.0, np.abs(other[:, None, :, :]))  # one-bit differences are draws
    sign = np.where(close, 0.0, np.sign(diff)) * both
    margin = np.einsum("rnmc,rc->rnm", sign, np.broadcast_to(w, (sign.shape[0], w.shape[1])))
    tie = 1e-9 * w.sum(axis=1)[:, None, None]  # margins within float noise of zero are draws (0.1 + 0.2 vs 0.3)
    comparable = both.any(axis=3)
    if field is None:
        index = np.arange(x.shape[1])
        comparable[:, index, index] = False
    wins = np.sum(comparable * ((margin > tie) + 0.5 * (np.abs(margin) <= tie)), axis=2)
    contests = comparable.sum(axis=2)
    score = 100.0 * wins / np.where(contests > 0, contests, 1)
    scored = available.any(axis=2) & (contests > 0)
    return np.broadcast_to(np.where(scored, score, np.nan), (runs, x.shape[1]))


def combine(
    x: np.ndarray,
    w: np.ndarray,
    segments: np.ndarray,
    method: str,
    p: float | None = None,
    opponents=None,
    available: np.ndarray | bool | None = None,
) -> np.ndarray:
    """Aggregate one layer with the named method (shapes in the module docstring), checking first that the
    method is defined on ``x``. ``opponents`` gives Copeland a fixed field (see :func:`copeland`);
    ``available`` is ``~isnan(x)`` or True when nothing is missing (found here when not given)."""
    if available is None:
        available = ~np.isnan(x)
        available = True if available.all() else available
    if method not in METHODS:
        raise ConfigError(f"unknown aggregation method {method!r}", hint=f"one of {', '.join(METHODS)}")
    if method in NEED_POSITIVE:  # a negative score of positive weight in its own run
        with np.errstate(invalid="ignore"):
            negative = bool(np.any((x < 0).any(axis=2) & (w.T > 0)))
        if negative:
            raise NegativeScores(method)
    if method == "copeland":
        return copeland(x, w, segments, opponents)
    if method == "mazziotta-pareto":
        return mazziotta_pareto(x, w, segments, available)
    return power_mean(x, w, segments, exponent(method, p), available)


COVERAGE_DECIMALS = 3
"""Coverage is rounded to this many decimals before the comparison, so min_coverage = 0.667 means two thirds."""


def below(share: np.ndarray, minimum: float) -> np.ndarray:
    """Where a share of available components falls below a minimum coverage (the one coverage rule)."""
    return np.round(share, COVERAGE_DECIMALS) < minimum


def coverage(available: np.ndarray, positive: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Each parent's share of its positive-weight children that are available (parents, runs|1, entities)."""
    count = _sum(positive.T[:, :, None], segments)
    have = _sum(available & positive.T[:, :, None], segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, have / count, 0.0)
