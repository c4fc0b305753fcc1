"""Uncertainty analysis: how every rank moves when the uncertain choices of the index are varied.

A :class:`Spec` says what is uncertain — weights (perturbed ±spread, Dirichlet around the nominal
weights, or uniform on the simplex), alternative normalisations, aggregations, outlier treatments and
imputations, and leaving one node out. Runs are sampled by Monte Carlo or scrambled Sobol' quasi-Monte
Carlo, scored in chunks by the batch :class:`~trustindex.engine.Engine`, and summarised from partial
results that merge exactly (rank counts, sums), so memory stays bounded by the chunk size.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .engine import Engine, Variant, rank_rows
from .errors import ConfigError
from .model import Aggregation, Normalisation

CHUNK = 65536
"""Runs scored at once: bounds memory to a few arrays of CHUNK × entities × nodes."""
SCORE_DECIMALS = 5
"""Score summaries come from float32 copies of the run scores, good to about seven significant digits."""


class Cancelled(Exception):
    """Raised when the ``cancelled`` callback asks a long analysis to stop."""


@dataclass(frozen=True)
class WeightSpec:
    """How weights vary: ``uniform`` ±spread then renormalised, ``dirichlet`` around the nominal shares
    with a concentration, or ``simplex`` (uniform over all weight vectors of a group)."""

    distribution: str = "uniform"
    spread: float = 0.25
    concentration: float = 100.0
    levels: tuple[str, ...] = ("pillar", "sub-pillar")
    """The levels of the nodes whose weights vary (``pillar``, ``sub-pillar``, ``indicator``)."""


@dataclass(frozen=True)
class Spec:
    """What is uncertain. An empty tuple of alternatives keeps that choice at its nominal value."""

    runs: int = 1000
    sampler: str = "sobol"
    weights: WeightSpec | None = WeightSpec()
    normalisation: tuple[Normalisation, ...] = ()
    aggregation: tuple[Aggregation, ...] = (Aggregation("arithmetic"), Aggregation("geometric"))
    aggregation_levels: tuple[str, ...] = ("index",)
    treatment: tuple[tuple[str, int], ...] = ()
    imputation: tuple[str, ...] = ()
    leave_out: tuple[str, ...] = ()
    """Nodes that may be left out, one at a time (each run leaves out none or one of them)."""
    top_k: int = 3


@dataclass(frozen=True)
class Factor:
    """One uncertain input: its name, its number of sampling dimensions and its alternatives (if discrete)."""

    name: str
    dimensions: int
    choices: tuple = ()


@dataclass(frozen=True)
class EntityRanks:
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
    top_k: float
    """Probability of a place in the top k."""
    unranked: float
    """Share of runs in which the entity had no index score."""


@dataclass(frozen=True)
class Uncertainty:
    runs: int
    seed: int
    sampler: str
    top_k: int
    entities: tuple[EntityRanks, ...]
    mean_shift: float
    """Mean absolute rank shift from the nominal ranking, over runs and ranked entities."""
    spearman: float
    kendall: float
    counts: np.ndarray
    """Rank counts: counts[i, r] runs in which entity i held rank r + 1."""
    factors: tuple[str, ...]


class Design:
    """Turns uniform samples in [0, 1) into runs: node weights and a variant of discrete choices."""

    def __init__(self, engine: Engine, spec: Spec):
        self.engine, self.spec = engine, spec
        framework = engine.framework
        nominal = engine.nominal_variant()
        self.varying: list[list[int]] = []  # groups of sibling columns whose weights vary
        if spec.weights is not None:
            levels = set(spec.weights.levels)
            for step in engine.steps:
                group = [c for c in step.children if framework.level(engine.nodes[c]) in levels
                         and engine.nominal[c] > 0]  # fmt: skip
                if len(group) >= 2:
                    self.varying.append(group)
            if not self.varying:
                raise ConfigError(
                    "weights are uncertain but no group at the chosen levels has two weighted components",
                    hint=f"levels: {', '.join(spec.weights.levels)}; choose others or drop [weights]",
                )
            if spec.weights.distribution == "uniform" and spec.weights.spread <= 0:
                raise ConfigError("a weight spread of 0 varies nothing", hint="use spread > 0, or drop [weights]")
        self.steps_varied = [
            j for j, step in enumerate(engine.steps)
            if framework.level(step.node) in spec.aggregation_levels and len(step.children) >= 2
        ]  # fmt: skip
        if spec.aggregation and not self.steps_varied:
            raise ConfigError(
                "aggregation alternatives have no effect: nothing at those levels combines two components",
                hint=f"levels: {', '.join(spec.aggregation_levels)}",
            )
        for node in spec.leave_out:
            if node not in engine.nodes[1:]:
                raise ConfigError(f"cannot leave out {node!r}: not a pillar or indicator of this dataset")
        self.factors: list[Factor] = []
        if self.varying:
            self.factors.append(Factor("weights", sum(len(g) for g in self.varying)))
        for name, choices in (
            ("normalisation", spec.normalisation),
            ("aggregation", spec.aggregation),
            ("treatment", spec.treatment),
            ("imputation", spec.imputation),
            ("leave_out", (None, *spec.leave_out) if spec.leave_out else ()),
        ):
            if len(choices) == 1:
                raise ConfigError(f"{name} has a single alternative, which varies nothing",
                                  hint="give two or more alternatives, or none")  # fmt: skip
            if choices:
                self.factors.append(Factor(name, 1, tuple(choices)))
        if not self.factors:
            raise ConfigError("nothing is uncertain in this specification", hint="vary weights or a method")
        self.nominal = nominal

    @property
    def dimensions(self) -> int:
        return sum(f.dimensions for f in self.factors)

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
                from scipy.stats import gamma

                alpha = (
                    np.ones(len(group))
                    if spec.distribution == "simplex"
                    else spec.concentration * nominal / nominal.sum()
                )
                draws = gamma.ppf(np.clip(part, 1e-12, 1 - 1e-12), alpha)
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

    def evaluate(self, weights: np.ndarray, picks: dict[str, np.ndarray]) -> np.ndarray:
        """Index scores (runs × entities) of runs with node ``weights`` and discrete ``picks``."""
        weights = np.array(weights, dtype=float)
        choices = {f.name: f.choices for f in self.factors}
        if "leave_out" in picks:
            for c, node in enumerate(choices["leave_out"]):
                if node is not None:
                    weights[picks["leave_out"] == c, self.engine.nodes.index(node)] = 0.0
        names = [n for n in ("normalisation", "aggregation", "treatment", "imputation") if n in picks]
        keys = np.zeros(len(weights), dtype=np.int64)
        for name in names:
            keys = keys * len(choices[name]) + picks[name]
        out = np.empty((len(weights), len(self.engine.entities)))
        for key in np.unique(keys):
            combo, rest = {}, int(key)
            for name in reversed(names):
                combo[name], rest = rest % len(choices[name]), rest // len(choices[name])
            where = np.flatnonzero(keys == key)
            out[where] = self.engine.scores(weights[where], self.variant(combo))
        return out

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
        return v

    def scores(self, u: np.ndarray) -> np.ndarray:
        """Index scores (runs × entities) of the runs the uniforms ``u`` describe."""
        return self.evaluate(*self.decode(u))


def pick(u: np.ndarray, count: int) -> np.ndarray:
    """Uniforms in [0, 1) to one of ``count`` alternatives, equally likely."""
    return np.minimum((u * count).astype(int), count - 1)


def uniforms(runs: int, dimensions: int, sampler: str, rng: np.random.Generator, start: int = 0) -> np.ndarray:
    """``runs`` points in [0, 1)^dimensions: independent uniforms, or a scrambled Sobol' sequence."""
    if sampler == "random":
        return rng.random((runs, dimensions))
    if sampler == "sobol":
        from scipy.stats import qmc

        engine = qmc.Sobol(dimensions, scramble=True, seed=rng)
        if start:
            engine.fast_forward(start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance properties want a power of 2: any n is allowed
            return engine.random(runs)
    raise ConfigError(f"unknown sampler {sampler!r}", hint="random or sobol")


def _kendall(ranks: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """Kendall's tau-b between each row of ``ranks`` and ``nominal`` (entities ranked in both)."""
    n = len(nominal)
    out = np.empty(len(ranks))
    per = max(1, 2**24 // max(1, n * n))
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    b = np.sign(nominal[:, None] - nominal[None, :])
    for start in range(0, len(ranks), per):
        r = ranks[start : start + per]
        a = np.sign(r[:, :, None] - r[:, None, :])
        valid = upper & ~np.isnan(a) & ~np.isnan(b)
        a, bb = np.where(valid, a, 0), np.where(valid, b, 0)
        concordance = np.sum(a * bb, axis=(1, 2))
        out[start : start + per] = concordance / np.sqrt(np.sum(a * a, axis=(1, 2)) * np.sum(bb * bb, axis=(1, 2)))
    return out


def _spearman(ranks: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row of competition ranks with the nominal ranks (entities ranked in both):
    the Pearson correlation of average ranks, a tie of t entities at rank r sharing r + (t − 1) / 2."""

    def average(r: np.ndarray) -> np.ndarray:
        ties = np.sum(r[:, :, None] == r[:, None, :], axis=2)
        return r + (ties - 1) / 2

    out = np.empty(len(ranks))
    per = max(1, 2**24 // max(1, ranks.shape[1] ** 2))
    target = average(nominal[None, :])[0]
    for start in range(0, len(ranks), per):
        r = ranks[start : start + per]
        ok = ~np.isnan(r) & ~np.isnan(target)
        x, y = np.where(ok, average(r), 0.0), np.where(ok, target, 0.0)
        m = ok.sum(axis=1)
        dx = np.where(ok, x - (x.sum(axis=1) / m)[:, None], 0)
        dy = np.where(ok, y - (y.sum(axis=1) / m)[:, None], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + per] = np.sum(dx * dy, axis=1) / np.sqrt(
                np.sum(dx * dx, axis=1) * np.sum(dy * dy, axis=1)
            )
    return out


def _rank_quantile(counts: np.ndarray, q: float) -> np.ndarray:
    """Per entity, the smallest rank whose cumulative share of ranked runs reaches ``q``."""
    total = counts.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(counts, axis=1) / np.where(total > 0, total, 1)
    return np.where(total[:, 0] > 0, np.argmax(cumulative >= q - 1e-12, axis=1) + 1.0, np.nan)


def uncertainty(
    engine: Engine,
    spec: Spec,
    seed: int,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Uncertainty:
    """Run the analysis ``spec`` describes; deterministic for a given ``seed``."""
    design = Design(engine, spec)
    rng = np.random.default_rng(seed)
    n = len(engine.entities)
    nominal_scores = engine.scores(engine.nominal[None, :], design.nominal)[0]
    nominal = rank_rows(nominal_scores[None, :])[0]
    counts = np.zeros((n, n), dtype=np.int64)
    unranked = np.zeros(n, dtype=np.int64)
    shift_sum = shift_count = 0.0
    spearman, kendall, scores = [], [], []
    u_all = uniforms(spec.runs, design.dimensions, spec.sampler, rng)
    for start in range(0, spec.runs, CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled(f"stopped after {start} of {spec.runs} runs")
        u = u_all[start : start + CHUNK]
        s = design.scores(u)
        ranks = rank_rows(s)
        ranked = ~np.isnan(ranks)
        rows, cols = np.nonzero(ranked)
        counts += np.bincount(cols * n + ranks[rows, cols].astype(np.int64) - 1, minlength=n * n).reshape(n, n)
        unranked += (~ranked).sum(axis=0)
        both = ranked & ~np.isnan(nominal)
        shift_sum += np.abs(np.where(both, ranks - nominal, 0)).sum()
        shift_count += both.sum()
        spearman.append(_spearman(ranks, nominal))
        kendall.append(_kendall(ranks, nominal))
        scores.append(s.astype(np.float32))
        if progress is not None:
            progress(min(1.0, (start + len(u)) / spec.runs))
    scores = np.concatenate(scores)  # float32 to bound memory: summaries are given to SCORE_DECIMALS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.round(np.nanmean(scores, axis=0, dtype=float), SCORE_DECIMALS)
        low, high = np.round(np.nanpercentile(scores, [5, 95], axis=0), SCORE_DECIMALS)
    median, p5, p95 = (_rank_quantile(counts, q) for q in (0.5, 0.05, 0.95))
    top = counts[:, : spec.top_k].sum(axis=1) / spec.runs
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
            float(mean[i]),
            float(low[i]),
            float(high[i]),
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
        mean_shift=float(shift_sum / shift_count) if shift_count else float("nan"),
        spearman=float(np.nanmean(np.concatenate(spearman))),
        kendall=float(np.nanmean(np.concatenate(kendall))),
        counts=counts,
        factors=tuple(f.name for f in design.factors),
    )
