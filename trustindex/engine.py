"""The one scoring engine: normalise → aggregate for a batch of runs at once; a single scoring is one run.

A run is a weight for every node plus a :class:`Variant` — a choice of data treatment, normalisation and
aggregation. Runs that share a variant share one normalised matrix; the tree is aggregated layer by layer
(every parent of one height and one method in one call, see :mod:`trustindex.aggregate`), with the runs as a
batch dimension. A layer whose weights are the same in every run is computed once and broadcast, so nothing
is recomputed downstream of what does not vary, and nothing loops in Python over runs or entities.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from .aggregate import NegativeScores, below, combine, coverage, exponent
from .errors import ConfigError
from .model import Aggregation, Dataset, Framework, Normalisation, Notice, Record, Weights, frozen_map, readonly
from .normalise import Unnormalisable, normalise
from .prepare import Prepared, check_fit, prepare, screen, where


@dataclass(frozen=True, eq=False)
class Step(Record):
    """One aggregation: the node's column, its children's columns, their weights and the method."""

    node: str
    column: int
    children: tuple[int, ...]
    weights: np.ndarray
    aggregation: Aggregation


def plan(framework: Framework, weights: Weights) -> tuple[tuple[Step, ...], tuple[str, ...]]:
    """The aggregation steps bottom-up over the children with positive weight, and the aggregates left out
    because nothing with weight is under them."""
    col = {node: j for j, node in enumerate(framework.node_ids)}
    live = set(framework.indicator_ids)
    steps, empty = [], []
    for node in framework.aggregates_bottom_up():
        kids = [c for c in framework.children(node) if c in live and weights.weight(c) > 0]
        if not kids:
            empty.append(node)
            continue
        live.add(node)
        w = readonly([weights.weight(c) for c in kids])
        spec = weights.aggregation_for(framework.level(node))
        steps.append(Step(node, col[node], tuple(col[c] for c in kids), w, spec))
    return tuple(steps), tuple(empty)


@dataclass(frozen=True)
class Variant:
    """The discrete choices of a group of runs."""

    normalisation: Normalisation
    aggregation: tuple[Aggregation, ...]
    """One per aggregation step of the engine (bottom-up, as :func:`plan` orders them)."""
    treatment: str = "none"
    max_points: int = 5
    imputation: str = "none"
    denomination: str = "none"


@dataclass(frozen=True, eq=False)
class Layer(Record):
    """Steps of one height and one aggregation, scored together: their children's columns end to end."""

    steps: tuple[int, ...]
    columns: np.ndarray
    segments: np.ndarray
    aggregation: Aggregation


def layers(steps: tuple[Step, ...], aggregations: tuple[Aggregation, ...], first: int) -> tuple[Layer, ...]:
    """Group ``steps`` (bottom-up) into layers: a step's height is one more than its highest child's."""
    height: dict[int, int] = {}
    groups: dict[tuple[int, Aggregation], list[int]] = {}
    for s, (step, spec) in enumerate(zip(steps, aggregations, strict=True)):
        height[step.column] = 1 + max(height.get(c, 0) if c < first else 0 for c in step.children)
        groups.setdefault((height[step.column], spec), []).append(s)
    out = []
    for (_, spec), members in sorted(groups.items(), key=lambda item: item[0][0]):
        columns = np.concatenate([steps[s].children for s in members])
        sizes = [len(steps[s].children) for s in members]
        out.append(Layer(tuple(members), readonly(columns, int), readonly(np.r_[0, np.cumsum(sizes)[:-1]], int), spec))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class NodeScores(Record):
    """Every node's score in every run, with the coverage of each aggregate (arrays runs × entities × nodes)."""

    nodes: tuple[str, ...]
    scores: np.ndarray
    """Normalised value (indicators) or aggregate score; NaN where missing."""
    coverage: np.ndarray
    """Share of a node's positive-weight components that were available (1 or 0 for an indicator)."""
    below: np.ndarray
    """True where an aggregate was set missing because its coverage fell below the minimum."""
    live: np.ndarray
    """runs × nodes: False for an aggregate left out because no component of it has weight in that run (an
    aggregate without any indicator is never computed: see ``Engine.empty``)."""

    def node(self, node_id: str) -> np.ndarray:
        """The scores (runs × entities) of one node."""
        return self.scores[:, :, self.nodes.index(node_id)]


def evaluate(
    layers_: tuple[Layer, ...],
    steps: tuple[Step, ...],
    leaves: np.ndarray,
    weights: np.ndarray,
    first: int,
    opponents: np.ndarray | None = None,
    record: bool = False,
    cache: tuple[dict, np.ndarray] | None = None,
):
    """Aggregate the tree for a batch of runs.

    ``leaves`` are the indicators' scores (indicators, 1 or runs, entities); ``weights`` the node weights
    (runs × nodes). Returns {column: scores (1 or runs, entities)} for every aggregate and the live mask
    (runs × nodes); with ``record`` also {column: (coverage, below)}. ``opponents`` (entities × nodes, every
    column filled) is the fixed field that Copeland layers score hypothetical rows against. ``cache`` — a dict
    owned by the caller for one set of leaves, and the nominal node weights — keeps the layers that every run
    shares with nominal weights (a layer below the varying weights), so that later batches reuse them.
    """
    runs = len(weights)
    live = np.ones(weights.shape, dtype=bool)
    dead: set[int] = set()  # aggregates left out in some run: their weight counts as 0 there
    scores: dict[int, np.ndarray] = {}
    kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    nominal: set[int] = set()  # aggregates scored with nominal weights all the way down: cacheable
    for number, layer in enumerate(layers_):
        columns = layer.columns
        children = columns.tolist()
        depth = max((len(scores[c]) for c in children if c < first), default=1)  # runs, or 1 when shared
        w = weights[:, columns]
        if dead.intersection(children):
            w = w * live[:, columns]
        if runs > 1 and (w == w[0]).all():
            w = w[:1]
        positive = w > 0
        if len(positive) > 1 and (positive == positive[0]).all():
            positive = positive[:1]
        shared = (
            cache is not None and depth == 1 and len(w) == 1 and np.array_equal(w[0], cache[1][columns])
            and all(c >= first or c in nominal for c in children)
        )  # fmt: skip
        if shared:
            nominal.update(steps[index].column for index in layer.steps)
        if shared and number in cache[0]:
            value, counts, share, cut = cache[0][number]
        else:
            if columns.min() >= first:
                x = leaves[columns - first]
            else:
                x = np.empty((len(children), depth, leaves.shape[2]))
                for i, c in enumerate(children):  # children of a layer (not runs or entities), each broadcast
                    x[i] = leaves[c - first] if c >= first else scores[c]
            try:
                value, counts, share, cut = _layer(layer, x, w, positive, opponents)
            except NegativeScores as error:  # say which aggregates
                raise NegativeScores(error.method, tuple(steps[i].node for i in layer.steps)) from None
            if shared:
                cache[0][number] = (value, counts, share, cut)
        alive = counts > 0
        for s, index in enumerate(layer.steps):
            column = steps[index].column
            scores[column] = value[s]
            if not alive[:, s].all():
                live[:, column] = alive[:, s]
                dead.add(column)
            if record:
                shape = value.shape[1:]
                kept[column] = (np.broadcast_to(share[s], shape), np.broadcast_to(cut[s], shape))
    return (scores, live, kept) if record else (scores, live)


def _layer(layer: Layer, x: np.ndarray, w: np.ndarray, positive: np.ndarray, opponents: np.ndarray | None):
    """One layer's scores with the coverage rule applied: (value, counts, coverage, below)."""
    spec = layer.aggregation
    field = None if opponents is None else opponents[:, layer.columns]
    available = ~np.isnan(x)
    complete = bool(available.all())
    value = combine(x, w, layer.segments, spec.method, spec.p, field, True if complete else available)
    counts = np.add.reduceat(positive, layer.segments, axis=1, dtype=np.intp)  # runs|1 × parents: small
    if complete:
        share = (counts > 0).T[:, :, None].astype(float)
        return value, counts, share, np.zeros(share.shape, dtype=bool)
    share = coverage(available, positive, layer.segments)
    cut = below(share, spec.min_coverage) & ~np.isnan(value)
    return (np.where(cut, np.nan, value) if cut.any() else value), counts, share, cut


def run_steps(steps: tuple[Step, ...], scores: np.ndarray, opponents: np.ndarray | None = None) -> None:
    """Fill the aggregate columns of ``scores`` (rows × nodes, indicator columns filled) in place, with the
    steps' own weights: rows are entities, real or hypothetical. With ``opponents`` (rows × nodes, every
    column filled), Copeland levels score the rows against those fixed rows instead of against each other."""
    aggregates = {step.column for step in steps}
    first = min(c for step in steps for c in step.children if c not in aggregates)  # indicator columns follow
    weights = np.zeros((1, scores.shape[1]))
    for step in steps:
        weights[0, list(step.children)] = step.weights
    found, _ = evaluate(layers(steps, tuple(s.aggregation for s in steps), first), steps,
                        scores[:, first:].T[:, None, :], weights, first, opponents)  # fmt: skip
    for column, value in found.items():
        scores[:, column] = value[0]


class Engine:
    """Scores batches of runs of ``dataset`` under variations of ``weights``.

    ``weights`` fixes the tree, the nominal choices and everything that does not vary. Runs give a weight
    for every node (columns in ``nodes`` order; 0 leaves a node out) and a :class:`Variant`. The entities
    are those that pass the profile's screening under its nominal choices (``screened`` lists the others).

    Example
    -------
    >>> import trustindex as ti
    >>> engine = ti.Engine(ti.load_dataset("coexistence-regimes"), ti.load_weights("balanced"))
    >>> engine.nodes[:3], len(engine.entities)
    (('coexistence', 'management', 'connectivity'), 4)
    """

    def __init__(self, dataset: Dataset, weights: Weights):
        check_fit(dataset, weights)
        self.weights = weights.for_dataset(dataset.name, dataset.weights)
        self.source = dataset
        self.framework = dataset.framework
        self.nodes = self.framework.node_ids
        self.first = len(self.nodes) - len(self.framework.indicators)
        # Every node that could carry weight: the plan with all weights positive.
        every = replace(self.weights, weights=frozen_map({n: 1.0 for n in self.nodes}))
        self.steps, self.empty = plan(self.framework, every)
        self.nominal = readonly([self.weights.weight(n) for n in self.nodes])
        self._prepared: dict = {}
        self._normalised: dict = {}
        self._layers: dict = {}
        self._shared: dict = {}  # per variant, the layers every run shares (see evaluate)
        self.keep = readonly(screen(dataset, self.weights, self._prepare_all(self.nominal_variant())), bool)
        self.dataset = dataset if self.keep.all() else dataset.subset(self.keep)
        self.screened = tuple(e for e, k in zip(dataset.entities, self.keep, strict=True) if not k)

    @property
    def entities(self) -> tuple[str, ...]:
        return self.dataset.entities

    def nominal_variant(self) -> Variant:
        w = self.weights
        return Variant(
            normalisation=w.normalisation,
            aggregation=tuple(w.aggregation_for(self.framework.level(step.node)) for step in self.steps),
            treatment=w.treatment.method,
            max_points=w.treatment.max_points,
            imputation=w.imputation.method,
            denomination=w.denomination,
        )

    def _profile(self, variant: Variant) -> Weights:
        w = self.weights
        return replace(
            w,
            treatment=replace(w.treatment, method=variant.treatment, max_points=variant.max_points),
            imputation=replace(w.imputation, method=variant.imputation),
            denomination=variant.denomination,
            normalisation=variant.normalisation,
        )

    def _prepare_all(self, variant: Variant) -> Prepared:
        """Imputation and treatment of every entity of the dataset, screened or not (they come first)."""
        key = (variant.treatment, variant.max_points, variant.imputation, variant.denomination)
        if key not in self._prepared:
            self._prepared[key] = prepare(self.source, self._profile(variant))
        return self._prepared[key]

    def prepared(self, variant: Variant) -> Prepared:
        """A variant's imputed and treated values of the entities that pass screening."""
        every = self._prepare_all(variant)
        if self.keep.all():
            return every
        kept = set(self.entities)
        notices = tuple(
            replace(n, entities=tuple(e for e in n.entities if e in kept))
            for n in every.notices
            if not n.entities or any(e in kept for e in n.entities)
        )
        return Prepared(readonly(every.values[self.keep]), readonly(every.imputed[self.keep], bool),
                        tuple(t for t in every.treated if t.entity in kept), notices)  # fmt: skip

    def normalised(self, variant: Variant) -> np.ndarray:
        """The normalised indicator matrix (entities × indicators) of a variant's data choices, cached, read-only."""
        key = (variant.normalisation, variant.treatment, variant.max_points, variant.imputation, variant.denomination)
        if key not in self._normalised:
            values = self.prepared(variant).values
            try:
                found = normalise(values, self.framework.indicators, variant.normalisation, self.entities,
                                  self.dataset.history)  # fmt: skip
            except Unnormalisable as error:  # under the profile's own choice: at its line
                if variant.normalisation != self.weights.normalisation or self.weights.positions is None:
                    raise
                line, column = where(self.weights, ("normalisation",), error.key)
                raise ConfigError(error.message, path=self.weights.path, line=line, column=column,
                                  hint=error.hint) from None  # fmt: skip
            self._normalised[key] = readonly(found, copy=False)
        return self._normalised[key]

    def _leaves(self, variant: Variant) -> np.ndarray:
        """The normalised matrix as the aggregation reads it: indicators × 1 × entities."""
        return self.normalised(variant).T[:, None, :]

    def _layers_of(self, variant: Variant) -> tuple[Layer, ...]:
        if variant.aggregation not in self._layers:
            self._layers[variant.aggregation] = layers(self.steps, variant.aggregation, self.first)
        return self._layers[variant.aggregation]

    def scores(self, weights: np.ndarray, variant: Variant) -> np.ndarray:
        """Index scores (runs × entities) of runs with node weights ``weights`` (runs × nodes) under ``variant``."""
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        if not len(weights):
            return np.empty((0, len(self.entities)))
        with self._located(variant):
            found, _ = evaluate(self._layers_of(variant), self.steps, self._leaves(variant), weights, self.first,
                                cache=(self._shared.setdefault(variant, {}), self.nominal))  # fmt: skip
        return np.broadcast_to(found[0], (len(weights), len(self.entities))).copy()

    @contextmanager
    def _located(self, variant: Variant):
        """A mean given negative scores under the profile's own choices is an error at the profile's line."""
        try:
            yield
        except NegativeScores as error:
            if variant != self.nominal_variant() or self.weights.positions is None:
                raise
            level = self.framework.level(error.nodes[0]) if error.nodes else None
            table = ("aggregation", level) if level in self.weights.aggregation else ("aggregation",)
            line, column = where(self.weights, table, "method")
            normalisation = self.weights.normalisation.method
            raise ConfigError(
                f"{error.message}: the {normalisation} normalisation gives negative ones",
                path=self.weights.path,
                line=line,
                column=column,
                hint=error.hint,
            ) from None

    def zero_notices(self, variant: Variant, scores: np.ndarray) -> list[Notice]:
        """Where a geometric, harmonic or (p ≤ 0) power mean is 0 in ``scores`` (entities × nodes) because one
        component of positive weight is 0: full non-compensation, which the user may not have meant."""
        entities = np.array(self.entities, dtype=object)
        out = []
        for step, spec in zip(self.steps, variant.aggregation, strict=True):
            power = exponent(spec.method, spec.p)
            if power is None or power > 0 or len(step.children) < 2:
                continue
            zero = (scores[:, list(step.children)] == 0) & (scores[:, [step.column]] == 0)
            zero &= self.nominal[list(step.children)] > 0
            if zero.any():
                which = [repr(self.nodes[c]) for c, z in zip(step.children, zero.any(axis=0), strict=True) if z]
                which = " or ".join((", ".join(which[:-1]), which[-1]) if len(which) > 1 else which)
                out.append(Notice("zero", f"{spec.method} mean of {step.node!r} is 0 because {which} scores 0 "
                                  "(the bottom of the scale): "
                                  "normalise to range = [1, 100], or aggregate arithmetically, if one component "
                                  "should not decide it", step.node, tuple(entities[zero.any(axis=1)])))  # fmt: skip
        return out

    def node_scores(self, weights: np.ndarray, variant: Variant) -> NodeScores:
        """Every node's score and coverage (runs × entities × nodes) for a few runs (a single scoring is one)."""
        weights = np.atleast_2d(np.asarray(weights, dtype=float))
        runs, n = len(weights), len(self.entities)
        leaves = self.normalised(variant)
        with self._located(variant):
            found, live, kept = evaluate(self._layers_of(variant), self.steps, self._leaves(variant), weights,
                                         self.first, record=True)  # fmt: skip
        scores = np.full((runs, n, len(self.nodes)), np.nan)
        share = np.zeros_like(scores)
        cut = np.zeros(scores.shape, dtype=bool)
        scores[:, :, self.first :] = leaves
        share[:, :, self.first :] = ~np.isnan(leaves)
        for column, value in found.items():
            scores[:, :, column] = value
            share[:, :, column], cut[:, :, column] = kept[column]
        return NodeScores(self.nodes, readonly(scores, copy=False), readonly(share, copy=False),
                          readonly(cut, bool, copy=False), readonly(live, bool, copy=False))  # fmt: skip
