"""Batch scoring: many runs of one index at once, runs as a batch dimension.

A run is a choice of weights for every node plus a choice among a few alternatives of data treatment,
normalisation and aggregation. Runs that share the discrete choices share one normalised matrix; within
such a group every aggregation step is one matrix product of the children's transformed scores with
the runs' weights (power means are means of transformed values: x, log x, 1/x, xᵖ), so nothing loops
in Python over runs or entities. Only Copeland, which compares entities pairwise, is run per run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .aggregate import NEED_POSITIVE, copeland
from .errors import ConfigError
from .model import Aggregation, Dataset, Normalisation, Weights
from .normalise import normalise
from .pipeline import COVERAGE_DECIMALS, check_fit, plan, prepare, screen
from .ranking import DECIMALS

HUGE = 1e300
"""Stands in for log(0) = −∞ and 1/0 = ∞, so that a zero weight times it is 0, not NaN."""


@dataclass(frozen=True)
class Variant:
    """The discrete choices of one group of runs."""

    normalisation: Normalisation
    aggregation: tuple[Aggregation, ...]
    """One per aggregation step (bottom-up, as :func:`trustindex.pipeline.plan` orders them)."""
    treatment: str = "none"
    max_points: int = 5
    imputation: str = "none"


class Engine:
    """Scores batches of runs of ``dataset`` under variations of ``weights``.

    ``weights`` fixes the tree, the nominal choices and everything that does not vary. Runs give a
    weight for every node (columns in ``nodes`` order; 0 leaves a node out) and a :class:`Variant`.
    """

    def __init__(self, dataset: Dataset, weights: Weights):
        check_fit(dataset, weights)
        self.weights = weights.for_dataset(dataset.name)
        self.dataset, self.screened = screen(dataset, self.weights)
        self.framework = dataset.framework
        self.nodes = self.framework.node_ids
        self.first = len(self.nodes) - len(self.framework.indicators)
        # Every node that could carry weight: the plan with all weights positive.
        every = replace(self.weights, weights={n: 1.0 for n in self.nodes})
        self.steps, self.empty = plan(self.framework, every)
        self.nominal = np.array([self.weights.weight(n) for n in self.nodes])
        self._normalised: dict = {}

    @property
    def entities(self) -> tuple[str, ...]:
        return self.dataset.entities

    def nominal_variant(self) -> Variant:
        w = self.weights
        return Variant(
            normalisation=w.normalisation,
            aggregation=tuple(step.aggregation for step in plan(self.framework, w)[0]),
            treatment=w.treatment.method,
            max_points=w.treatment.max_points,
            imputation=w.imputation.method,
        )

    def normalised(self, variant: Variant) -> np.ndarray:
        """The normalised indicator matrix (entities × indicators) of a variant's data choices, cached."""
        key = (variant.normalisation, variant.treatment, variant.max_points, variant.imputation)
        if key not in self._normalised:
            profile = replace(
                self.weights,
                treatment=replace(self.weights.treatment, method=variant.treatment, max_points=variant.max_points),
                imputation=replace(self.weights.imputation, method=variant.imputation),
                normalisation=variant.normalisation,
            )
            values = prepare(self.dataset, profile)[0]
            self._normalised[key] = normalise(values, self.framework.indicators, variant.normalisation)
        return self._normalised[key]

    def scores(self, weights: np.ndarray, variant: Variant, nodes: bool = False) -> np.ndarray:
        """Index scores (runs × entities) of runs with node weights ``weights`` (runs × nodes) under ``variant``.

        With ``nodes``, every node's score instead (runs × entities × nodes).
        """
        weights = np.asarray(weights, dtype=float)
        runs, n = len(weights), len(self.entities)
        shared = self.normalised(variant)
        out = np.full((runs, n, len(self.nodes)), np.nan) if nodes else None
        if nodes:
            out[:, :, self.first :] = shared[None, :, :]
        per_run: dict[int, np.ndarray] = {}
        live = np.ones((runs, len(self.nodes)), dtype=bool)  # an aggregate with no weighted component is left out
        for step, spec in zip(self.steps, variant.aggregation, strict=True):
            columns = list(step.children)
            w = weights[:, columns]
            leaves = all(c >= self.first for c in columns)
            x = shared[:, [c - self.first for c in columns]] if leaves else self._children(per_run, shared, columns)
            available = ~np.isnan(x)
            complete = bool(available.all())
            value = _aggregate(x, w, spec, None if complete else available)
            positive = ((w > 0) & live[:, columns]).astype(float)
            count = positive.sum(axis=1)
            live[:, step.column] = count > 0
            cut = (count == 0)[:, None]
            if not complete and spec.min_coverage > 0:
                have = available.astype(float)
                have = (have @ positive.T).T if x.ndim == 2 else np.einsum("rnc,rc->rn", have, positive)
                cut = cut | (
                    np.round(have / np.where(count > 0, count, 1)[:, None], COVERAGE_DECIMALS) < spec.min_coverage
                )
            value = np.where(cut, np.nan, value)
            per_run[step.column] = value
            if nodes:
                out[:, :, step.column] = value
        return out if nodes else per_run[0]

    def _children(self, per_run, shared, columns) -> np.ndarray:
        """Children scores per run (runs × entities × children); indicator children repeat the shared matrix."""
        runs = next(iter(per_run.values())).shape[0] if per_run else 1
        parts = []
        for c in columns:
            if c >= self.first:
                parts.append(np.broadcast_to(shared[None, :, c - self.first], (runs, shared.shape[0])))
            else:
                parts.append(per_run[c])
        return np.stack(parts, axis=2)


def _transform(method: str, p: float | None):
    """(forward, inverse) of the power mean family, with zeros mapped to ±HUGE."""
    if method == "arithmetic" or (method == "power" and p == 1):
        return (lambda x: x), (lambda y: y)
    if method == "geometric" or (method == "power" and p == 0):
        return (lambda x: np.log(np.maximum(x, 0)).clip(-HUGE)), np.exp
    if method == "harmonic":
        return (lambda x: np.minimum(1 / x, HUGE)), (lambda y: 1 / y)
    if p < 0:
        return (lambda x: np.minimum(x**p, HUGE)), (lambda y: y ** (1 / p))
    return (lambda x: x**p), (lambda y: y ** (1 / p))


def _aggregate(x: np.ndarray, w: np.ndarray, spec: Aggregation, available: np.ndarray | None) -> np.ndarray:
    """One aggregation step for a batch of runs: ``x`` is entities × children (shared by every run) or
    runs × entities × children; ``w`` is runs × children; ``available`` marks the non-missing values
    (None when all are). Returns runs × entities."""
    if spec.method in NEED_POSITIVE and np.nanmin(x, initial=0.0) < 0:
        raise ConfigError(
            f"{spec.method} aggregation needs non-negative scores, but some are negative",
            hint="normalise to a positive range such as range = [1, 100] (z-scores and ranks can be negative)",
        )
    if spec.method == "copeland":
        runs = w.shape[0]
        xs = np.broadcast_to(x, (runs, *x.shape)) if x.ndim == 2 else x
        return np.stack([copeland(xs[r], w[r]) for r in range(runs)])
    forward, inverse = _transform(spec.method, spec.p)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        t = forward(x) if available is None else np.where(available, forward(np.where(available, x, 1.0)), 0.0)
        numerator = (t @ w.T).T if x.ndim == 2 else np.einsum("rnc,rc->rn", t, w)
        if available is None:
            total = np.broadcast_to(w.sum(axis=1)[:, None], numerator.shape)
        elif x.ndim == 2:
            total = (available.astype(float) @ w.T).T
        else:
            total = np.einsum("rnc,rc->rn", available.astype(float), w)
        return np.where(total > 0, inverse(numerator / np.where(total > 0, total, 1.0)), np.nan)


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = best) within each row of ``scores`` (runs × entities); NaN stays unranked.

    Ties follow :func:`trustindex.ranking.rank_scores`: sorted neighbours within 10**-DECIMALS (relative above
    magnitude 1) are tied, and a tie can chain through close scores.
    """
    scores = np.asarray(scores, dtype=float)
    runs, n = scores.shape
    order = np.argsort(scores, axis=1, kind="stable")  # ascending, NaN last
    ascending = np.take_along_axis(scores, order, axis=1)
    valid = ~np.isnan(ascending)
    starts = np.ones((runs, n), dtype=bool)
    if n > 1:
        low, high = ascending[:, :-1], ascending[:, 1:]
        scale = np.maximum(1.0, np.minimum(np.abs(low), np.abs(high)))
        with np.errstate(invalid="ignore"):
            starts[:, 1:] = ~(high - low <= 10.0**-DECIMALS * scale)  # NaN neighbours start runs of their own
    # Each sorted position's run ends where the next run starts; the entities above it are those after that.
    position = np.where(starts, np.arange(n), n)
    following = np.minimum.accumulate(position[:, ::-1], axis=1)[:, ::-1]
    end = np.concatenate([following[:, 1:], np.full((runs, 1), n)], axis=1)
    above = valid.sum(axis=1, keepdims=True) - end
    ranks = np.empty((runs, n))
    np.put_along_axis(ranks, order, np.where(valid, above + 1.0, np.nan), axis=1)
    return ranks
