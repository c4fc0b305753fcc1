"""Uncertainty analysis: how every rank moves when the uncertain choices of the index are varied.

A :class:`Spec` says what is uncertain — weights (perturbed ±spread, Dirichlet around the nominal
weights, or uniform on the simplex), alternative normalisations, aggregations, outlier treatments and
imputations, and leaving one node out. Runs are sampled by Monte Carlo or scrambled Sobol' quasi-Monte
Carlo, scored in batches by the :class:`~trustindex.engine.Engine`, and summarised by accumulators that
merge exactly (rank counts, score histograms, sums; :mod:`trustindex.rankstats`): memory does not grow
with the number of runs, and the results do not depend on the batch size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .aggregate import exponent
from .batches import Progress, Stop, batches
from .budget import too_large
from .engine import Engine, Variant
from .errors import ConfigError, did_you_mean
from .model import LEVELS, Notice, Record, Spec, readonly
from .normalise import BOUNDED
from .qmc import MAX_DIMENSIONS, MAX_POINTS, Sobol
from .ranking import order_rows
from .rankstats import KENDALL_PAIRS, Histogram, Kendall, RankCounts, Spearman

ELEMENTS_PER_BATCH = 2**22
"""Values a batch of runs may hold at once (see :meth:`Design.cost`): the memory of a batch, about 0.05 s of work."""
LATTICE = 5e-5
"""Score histograms count scores on a lattice of this share of the score scale (0.005 on 0–100): the score
percentiles are then within one cell, 0.005, of the exact ones — finer than the one decimal shown."""
DENSE_COUNTS = 2000
"""Up to this many entities the result keeps the whole entities × ranks table of rank counts."""


@dataclass(frozen=True)
class Factor:
    """One uncertain input: its name, its number of sampling dimensions and its alternatives (if discrete)."""

    name: str
    dimensions: int
    choices: tuple = ()


@dataclass(frozen=True, eq=False)
class EntityRanks(Record):
    entity: str
    name: str
    nominal_rank: float
    median_rank: float
    low_rank: float
    high_rank: float
    """5th and 95th percentile of the rank over the runs."""
    nominal_score: float
    mean_score: float
    low_score: float
    high_score: float
    """Mean, 5th and 95th percentile of the score; NaN when the runs score on different scales (see scales)."""
    top_k: float
    """Probability of a place in the top k."""
    unranked: float
    """Share of runs in which the entity had no index score."""


@dataclass(frozen=True, eq=False)
class ScaleScores(Record):
    """Score summaries of the runs that share one score scale (one normalisation's output, say)."""

    label: str
    runs: int
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    """Per entity: mean, 5th and 95th percentile of the index score over these runs."""


@dataclass(frozen=True, eq=False)
class Uncertainty(Record):
    runs: int
    seed: int
    sampler: str
    top_k: int
    entities: tuple[EntityRanks, ...]
    mean_shift: float
    """Mean absolute rank shift from the nominal ranking, over runs and ranked entities."""
    spearman: float
    kendall: float
    kendall_pairs: int | None
    """None when Kendall's tau is exact; else the number of random pairs of entities, drawn for each batch of
    runs, that estimate it."""
    ranks: np.ndarray
    """The rank each column of ``counts`` stands for (halves appear with fractional ties)."""
    counts: np.ndarray
    """Rank counts: counts[i, k] runs in which entity i held rank ranks[k] (entities × ranks; at 10,000 entities
    a few hundred MB, so it is kept only up to DENSE_COUNTS entities — above, ``counts`` is empty and the
    quantiles and probabilities above are the summary)."""
    factors: tuple[str, ...]
    scales: tuple[ScaleScores, ...]
    """Score summaries per score scale; more than one when the alternatives change the scale (z-scores
    against min–max, say), and then no score summary mixes them."""
    notices: tuple[Notice, ...] = ()
    """What the reader must know: alternatives under which a zero forces a mean to 0."""


def _scale(variant: Variant) -> tuple:
    """What the index scores of a variant are measured in: runs with different keys are not comparable."""
    n = variant.normalisation
    if n.method in BOUNDED:
        unit = ("bounded", n.range)
    elif n.method == "zscore":
        unit = ("zscore", n.mean, n.sd)
    else:
        unit = (n.method,)
    return unit, tuple(a.method == "copeland" for a in variant.aggregation)


def _label(variant: Variant) -> str:
    n = variant.normalisation
    if n.method in BOUNDED:
        text = f"{n.method} {n.range[0]:g}–{n.range[1]:g}" + (f" to {n.reference}" if n.method == "dist2ref" else "")
    elif n.method == "zscore":
        text = f"zscore (mean {n.mean:g}, {n.sd_basis} sd {n.sd:g})"
    else:
        text = n.method
    return text + (" with Copeland" if any(a.method == "copeland" for a in variant.aggregation) else "")


AUTOMATIC_LEVELS = (("pillar", "sub-pillar"), ("indicator",))
"""Where weights vary when the specification does not say: the first of these levels with a group to vary."""


class SpecError(ConfigError):
    """A specification that does not fit the dataset and profile, with the setting at fault (a path into the
    specification's TOML, for :func:`trustindex.fit.fit_spec` to locate)."""

    def __init__(self, message: str, setting: tuple, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.setting = setting


class Design:
    """Turns uniform samples in [0, 1) into runs: node weights and a variant of discrete choices."""

    def __init__(self, engine: Engine, spec: Spec):
        self.engine, self.spec = engine, spec
        framework = engine.framework
        self.nominal = engine.nominal_variant()
        self.varying: list[list[int]] = []  # groups of sibling columns whose weights vary
        if spec.weights is not None:
            for levels in [spec.weights.levels] if spec.weights.levels else AUTOMATIC_LEVELS:
                self.varying = [group for step in engine.steps if len(group := [
                    c for c in step.children if framework.level(engine.nodes[c]) in levels and engine.nominal[c] > 0
                ]) >= 2]  # fmt: skip
                if self.varying:
                    break
            if not self.varying:
                raise SpecError(
                    f"no weights vary: dataset {engine.dataset.name!r} has no group of two weighted components at "
                    f"the level{'s' if len(levels) > 1 else ''} {', '.join(levels)}",
                    ("weights", "levels"), "choose other levels, or drop [weights]",
                )  # fmt: skip
            if spec.weights.distribution == "uniform" and spec.weights.spread <= 0:
                raise SpecError("a weight spread of 0 varies nothing", ("weights", "spread"),
                                "use spread > 0, or drop [weights]")  # fmt: skip
        self.steps_varied = [
            j for j, step in enumerate(engine.steps)
            if framework.level(step.node) in spec.aggregation_levels and len(step.children) >= 2
        ]  # fmt: skip
        if spec.aggregation and not self.steps_varied and spec.aggregation_levels == Spec().aggregation_levels:
            # the default level (the index) combines one component: the first level below that combines two
            combining = [j for j, step in enumerate(engine.steps) if len(step.children) >= 2]
            first = min((framework.level(engine.steps[j].node) for j in combining), key=LEVELS.index, default=None)
            self.steps_varied = [j for j in combining if framework.level(engine.steps[j].node) == first]
        if spec.aggregation and not self.steps_varied:
            raise SpecError(
                f"the aggregation alternatives change nothing: dataset {engine.dataset.name!r} combines two "
                f"components at no level of {', '.join(spec.aggregation_levels)}", ("aggregation", "levels"),
                "choose levels that combine two or more components",
            )  # fmt: skip
        for i, node in enumerate(spec.leave_out):
            if node not in engine.nodes[1:]:
                raise SpecError(f"cannot leave out {node!r}: not a pillar or indicator of dataset "
                                f"{engine.dataset.name!r}", ("leave_out", "nodes", i),
                                did_you_mean(node, engine.nodes[1:]))  # fmt: skip
        self.weightings = self._weightings(engine, spec)
        self.factors: list[Factor] = []
        if self.varying:
            self.factors.append(Factor("weights", sum(len(g) for g in self.varying)))
        for name, choices in (
            ("normalisation", spec.normalisation),
            ("aggregation", spec.aggregation),
            ("treatment", spec.treatment),
            ("imputation", spec.imputation),
            ("denomination", spec.denomination),
            ("weightings", tuple(name for name, _ in spec.weightings)),
            ("leave_out", (None, *spec.leave_out) if spec.leave_out else ()),
        ):
            if len(choices) == 1:
                raise SpecError(f"{name} has a single alternative, which varies nothing", (name,),
                                "give two or more alternatives, or none")  # fmt: skip
            if choices:
                self.factors.append(Factor(name, 1, tuple(choices)))
        if not self.factors:
            raise SpecError("nothing is uncertain in this specification", (), "vary weights or a method")
        self.discrete = [f for f in self.factors if f.name != "weights"]
        sizes = [len(f.choices) for f in self.discrete]
        self.combos = [dict(zip((f.name for f in self.discrete), c, strict=True)) for c in np.ndindex(*sizes)]
        scales: dict[tuple, int] = {}
        self.labels: list[str] = []
        self.scale = np.empty(len(self.combos), dtype=np.int64)
        self.variants = [self.variant(combo) for combo in self.combos]
        for k, variant in enumerate(self.variants):
            key = _scale(variant)
            if key not in scales:
                scales[key] = len(scales)
                self.labels.append(_label(variant))
            self.scale[k] = scales[key]

    @staticmethod
    def _weightings(engine: Engine, spec: Spec) -> np.ndarray:
        """The node weights (weightings × nodes) of the named weightings: the profile's, with each weighting's
        own; a node the dataset lacks, or a group left with no positive weight, is an error at its weighting."""
        out = np.tile(engine.nominal, (len(spec.weightings), 1))
        for k, (name, weights) in enumerate(spec.weightings):
            for node, value in weights.items():
                if node not in engine.nodes:
                    raise SpecError(f"weighting {name!r} weighs {node!r}, which dataset {engine.dataset.name!r} "
                                    "does not have", ("weightings", "alternatives", k),
                                    did_you_mean(node, engine.nodes))  # fmt: skip
                out[k, engine.nodes.index(node)] = value
            for step in engine.steps:
                if engine.nominal[list(step.children)].any() and not out[k, list(step.children)].any():
                    at = ("weightings", "alternatives", k)
                    raise SpecError(f"weighting {name!r} gives every component of {step.node!r} weight 0", at,
                                    "give one of them a positive weight")  # fmt: skip
        return out

    @property
    def dimensions(self) -> int:
        return sum(f.dimensions for f in self.factors)

    def cost(self) -> int:
        """Values held per run: its weights and uniforms, and each entity's score at every aggregate (and at every
        indicator, when indicator weights vary: then the indicator layer differs from run to run)."""
        engine = self.engine
        per_entity = len(engine.steps) + sum(len(g) for g in self.varying if min(g) >= engine.first)
        return len(engine.entities) * per_entity + len(engine.nodes) + self.dimensions

    def batch(self, runs_per_item: int = 1) -> int:
        """How many items of ``runs_per_item`` runs a batch holds."""
        return max(1, ELEMENTS_PER_BATCH // (self.cost() * runs_per_item))

    def weights(self, u: np.ndarray) -> np.ndarray:
        """Node weights (runs × nodes) from uniforms (runs × weight dimensions)."""
        spec = self.spec.weights
        out = np.tile(self.engine.nominal, (len(u), 1))
        at = 0
        for group in self.varying:
            part = u[:, at : at + len(group)]
            at += len(group)
            nominal = self.engine.nominal[group]
            if spec.distribution == "uniform":
                out[:, group] = nominal * (1 + spec.spread * (2 * part - 1))
            else:
                from scipy.special import gammaincinv  # the gamma quantile, without importing scipy.stats

                alpha = (
                    np.ones(len(group))
                    if spec.distribution == "simplex"
                    else spec.concentration * nominal / nominal.sum()
                )
                draws = gammaincinv(alpha, np.clip(part, 1e-12, 1 - 1e-12))
                out[:, group] = draws / draws.sum(axis=1, keepdims=True) * nominal.sum()
        return out

    def decode(self, u: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Node weights (runs × nodes) and the discrete picks (per factor, one index per run) of uniforms
        ``u`` (runs × dimensions); the weights factor takes one dimension per varying weight."""
        at = 0
        weights = np.tile(self.engine.nominal, (len(u), 1))
        picks = {}
        for factor in self.factors:
            part = u[:, at : at + factor.dimensions]
            at += factor.dimensions
            if factor.name == "weights":
                weights = self.weights(part)
            else:
                picks[factor.name] = pick(part[:, 0], len(factor.choices))
        return weights, picks

    def combo(self, picks: dict[str, np.ndarray], runs: int) -> np.ndarray:
        """The index into ``combos`` of each run's discrete choices."""
        keys = np.zeros(runs, dtype=np.int64)
        for factor in self.discrete:
            keys = keys * len(factor.choices) + picks[factor.name]
        return keys

    def evaluate(self, weights: np.ndarray, picks: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Index scores (runs × entities) of runs with node ``weights`` and discrete ``picks``, and each run's
        combination of choices. Runs are scored in groups that share every discrete choice (a left-out node
        included, so that a group shares which weights are zero)."""
        weights = np.array(weights, dtype=float)
        if "weightings" in picks:
            weights = self.weightings[picks["weightings"]]
        if "leave_out" in picks:
            choices = next(f.choices for f in self.discrete if f.name == "leave_out")
            for c, node in enumerate(choices):
                if node is not None:
                    weights[picks["leave_out"] == c, self.engine.nodes.index(node)] = 0.0
        keys = self.combo(picks, len(weights))
        out = np.empty((len(weights), len(self.engine.entities)))
        for key in np.flatnonzero(np.bincount(keys, minlength=len(self.combos))):
            where = np.flatnonzero(keys == key)
            out[where] = self.engine.scores(weights[where], self.variants[key])
        return out, keys

    def variant(self, combo: dict[str, int]) -> Variant:
        v = self.nominal
        choice = {f.name: f.choices for f in self.factors}
        if "normalisation" in combo:
            v = replace(v, normalisation=choice["normalisation"][combo["normalisation"]])
        if "aggregation" in combo:
            method = choice["aggregation"][combo["aggregation"]]
            aggregation = list(v.aggregation)
            for j in self.steps_varied:
                aggregation[j] = replace(method, min_coverage=aggregation[j].min_coverage)
            v = replace(v, aggregation=tuple(aggregation))
        if "treatment" in combo:
            method, points = choice["treatment"][combo["treatment"]]
            v = replace(v, treatment=method, max_points=points)
        if "imputation" in combo:
            v = replace(v, imputation=choice["imputation"][combo["imputation"]])
        if "denomination" in combo:
            v = replace(v, denomination=choice["denomination"][combo["denomination"]])
        return v

    def notices(self) -> tuple[Notice, ...]:
        """Where, under an alternative, a zero forces a geometric, harmonic or p ≤ 0 mean to 0 at the nominal
        weights (see :meth:`Engine.zero_notices`), each said once."""
        out: dict[tuple, Notice] = {}
        for variant in self.variants:
            powers = [exponent(a.method, a.p) for a in variant.aggregation]
            if all(p is not None and p > 0 for p in powers):
                continue  # no mean that a zero decides
            if all(p is not None for p in powers) and not (self.engine.normalised(variant) == 0).any():
                continue  # power means of values none of which is 0 are never 0
            scores = self.engine.node_scores(self.engine.nominal, variant).scores[0]
            for notice in self.engine.zero_notices(variant, scores):
                out.setdefault((notice.message, notice.entities), notice)
        return tuple(out.values())

    def sampler(self, rng: np.random.Generator, runs: int) -> Sampler:
        return Sampler(self.spec.sampler, self.dimensions, rng, runs)

    def span(self) -> float:
        """The width of the score scale: the range of every variant's normalised values (and Copeland's 0–100)."""
        low, high = np.inf, -np.inf
        for variant in self.variants:
            values = self.engine.normalised(variant)
            if np.isfinite(values).any():
                low, high = min(low, float(np.nanmin(values))), max(high, float(np.nanmax(values)))
            if any(a.method == "copeland" for a in variant.aggregation):
                low, high = min(low, 0.0), max(high, 100.0)
        return high - low if high > low else 1.0


def pick(u: np.ndarray, count: int) -> np.ndarray:
    """Uniforms in [0, 1) to one of ``count`` alternatives, equally likely."""
    return np.minimum((u * count).astype(int), count - 1)


class Sampler:
    """Points in [0, 1)^dimensions drawn in order: independent uniforms, or a scrambled Sobol' sequence."""

    def __init__(self, kind: str, dimensions: int, rng: np.random.Generator, runs: int):
        if kind not in ("sobol", "random"):
            raise ConfigError(f"unknown sampler {kind!r}", hint="random or sobol")
        if kind == "sobol" and dimensions > MAX_DIMENSIONS:
            raise ConfigError(f"Sobol' sampling has at most {MAX_DIMENSIONS:,} dimensions, this design {dimensions:,}",
                              hint='use sampler = "random"')  # fmt: skip
        if kind == "sobol" and runs > MAX_POINTS:
            raise ConfigError(f"Sobol' sampling gives at most {MAX_POINTS:,} runs, not {runs:,}",
                              hint='use fewer runs or sampler = "random"')  # fmt: skip
        self.kind, self.dimensions, self.rng, self.done = kind, dimensions, rng, 0
        self.sobol = Sobol(dimensions, rng) if kind == "sobol" else None

    def draw(self, count: int) -> np.ndarray:
        start, self.done = self.done, self.done + count
        if self.sobol is None:
            return self.rng.random((count, self.dimensions))
        return self.sobol.points(start, count)


def uncertainty(
    engine: Engine, spec: Spec, seed: int, progress: Progress | None = None, cancelled: Stop | None = None
) -> Uncertainty:
    """Run the analysis ``spec`` describes; deterministic for a given ``seed``."""
    design = Design(engine, spec)
    n, ties = len(engine.entities), engine.weights.ties
    counts = RankCounts(n, spec.runs, half=ties == "fractional")
    scales = len(design.labels)
    problem = too_large(spec.runs, n)
    if problem:
        raise ConfigError(problem, hint="ask for fewer runs, or analyse fewer entities")
    rng = np.random.default_rng(seed)
    sampler = design.sampler(rng, spec.runs)
    nominal_scores = engine.scores(engine.nominal[None, :], design.nominal)[0]
    nominal_order = order_rows(nominal_scores[None, :])
    nominal = nominal_order.ranks(ties)[0]
    spearman = Spearman(nominal_order.ranks("fractional")[0])
    kendall = Kendall(nominal, np.random.default_rng([seed, 1]))  # its own stream: the runs do not move it
    width = LATTICE * design.span()
    histograms = [Histogram(n, width, spec.runs) for _ in range(scales)]
    per_scale = np.zeros(scales, dtype=np.int64)
    unranked = np.zeros(n, dtype=np.int64)
    shift_sum, shift_count = 0.0, 0
    for start, stop in batches(spec.runs, design.batch(), progress, cancelled):
        weights, picks = design.decode(sampler.draw(stop - start))
        scores, combos = design.evaluate(weights, picks)
        order = order_rows(scores)
        ranks = order.ranks(ties)
        counts.add(ranks)
        ranked = ~np.isnan(ranks)
        unranked += (~ranked).sum(axis=0)
        both = ranked & ~np.isnan(nominal)
        shift_sum += float(np.abs(np.where(both, ranks - nominal, 0.0)).sum())
        shift_count += int(both.sum())
        spearman.add(ranks if order.starts is None else order.ranks("fractional"))  # no ties: the rules agree
        kendall.add(order, ranks)
        scale = design.scale[combos]
        for s, histogram in enumerate(histograms):
            mine = scale == s
            if mine.all():
                histogram.add(scores)
            elif mine.any():
                histogram.add(scores[mine])
            per_scale[s] += int(mine.sum())
    summaries = tuple(
        ScaleScores(label, int(runs), *(readonly(v) for v in (h.mean(), *h.quantiles(0.05, 0.95))))
        for label, runs, h in zip(design.labels, per_scale, histograms, strict=True)
    )
    one = summaries[0] if len(summaries) == 1 else None
    (median, p5, p95), top = counts.summary((0.5, 0.05, 0.95), spec.top_k)
    top = top / spec.runs
    dataset = engine.dataset
    entities = tuple(
        EntityRanks(
            e,
            dataset.names[i],
            float(nominal[i]),
            float(median[i]),
            float(p5[i]),
            float(p95[i]),
            float(nominal_scores[i]),
            float(one.mean[i]) if one else float("nan"),
            float(one.low[i]) if one else float("nan"),
            float(one.high[i]) if one else float("nan"),
            float(top[i]),
            float(unranked[i] / spec.runs),
        )  # fmt: skip
        for i, e in enumerate(dataset.entities)
    )
    return Uncertainty(
        runs=spec.runs,
        seed=seed,
        sampler=spec.sampler,
        top_k=spec.top_k,
        entities=entities,
        mean_shift=shift_sum / shift_count if shift_count else float("nan"),
        spearman=spearman.mean,
        kendall=kendall.mean,
        kendall_pairs=None if kendall.exact else KENDALL_PAIRS,
        ranks=readonly(counts.values),
        counts=readonly(counts.counts if n <= DENSE_COUNTS else np.zeros((n, 0)), counts.windows.dtype),
        factors=tuple(f.name for f in design.factors),
        scales=summaries,
        notices=design.notices(),
    )
