"""Variance-based sensitivity analysis: which uncertain input drives each rank and score.

First-order (Saltelli 2010) and total-effect (Jansen 1999) Sobol' indices, the estimators of scipy's
``stats.sobol_indices`` (outputs centred on their mean first, as Sobol' & Levitan 1999 advise), with
percentile bootstrap intervals. Matrices A and B come from a scrambled Sobol' sequence and, for each input
i, A with its column i taken from B — N(d + 2) runs in all, evaluated in batches of base samples whose
sums are accumulated, so memory does not grow with N. Each uncertain input of the
:class:`~trustindex.uncertainty.Spec` is one input: discrete choices are categorical inputs, and the
weights are one input that picks among N weight vectors drawn from the specified distribution.

An output that never varies has no indices to give ("constant"), and one that changes in too few runs to
apportion is reported as such ("rare") rather than with noise; an index whose interval lies entirely
outside [0, 1], or a first-order index above the total beyond both intervals, is flagged.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .batches import Progress, Stop, batches
from .engine import Engine
from .model import Record, Spec, readonly
from .qmc import Sobol
from .ranking import order_rows
from .uncertainty import Design, pick

RARE = 0.01
"""An output that differs from its nominal value in fewer than this share of the base runs (and fewer than
MIN_CHANGES) is too rarely moved for its variance to be apportioned."""
MIN_CHANGES = 10


@dataclass(frozen=True, eq=False)
class SobolIndices(Record):
    """Sobol' indices of several outputs (rows) for every input (columns), with bootstrap intervals."""

    first: np.ndarray
    total: np.ndarray
    first_low: np.ndarray
    first_high: np.ndarray
    total_low: np.ndarray
    total_high: np.ndarray
    changes: np.ndarray
    """Per output: the base runs (of 2N) in which it differs from its reference value."""
    variance: np.ndarray
    """Per output: the variance of its base runs."""
    finite: np.ndarray
    """Per output: True when every run gave it a value (else its indices are NaN)."""


@dataclass(frozen=True, eq=False)
class Indices(Record):
    """Sobol' indices of one output for every input, with bootstrap confidence intervals."""

    output: str
    status: str
    """``varies``; ``constant`` (it never changes) or ``rare`` (too few changes to apportion), and then the
    indices are NaN."""
    changes: int
    """Base runs (of 2N) in which the output differs from its nominal value."""
    first: tuple[float, ...]
    total: tuple[float, ...]
    first_interval: tuple[tuple[float, float], ...]
    total_interval: tuple[tuple[float, float], ...]
    flags: tuple[str, ...] = ()
    """What a reader should distrust: ``INPUT: first > total``, ``INPUT: outside [0, 1]``."""


@dataclass(frozen=True, eq=False)
class Sensitivity(Record):
    inputs: tuple[str, ...]
    samples: int
    runs: int
    seed: int
    confidence: float
    outputs: tuple[Indices, ...]
    skipped: tuple[str, ...]
    """Outputs left out because some run gave them no value (an entity without a score)."""


class _Sums:
    """Running sums of the estimators over base samples, centred on a provisional centre ``c`` (so that large
    means do not cancel), for the point estimate (weight 1) and each bootstrap resample (multiplicities)."""

    def __init__(self, outputs: int, d: int, weights: np.ndarray):
        self.m = weights  # N × (1 + resamples): column 0 is the sample itself
        k = weights.shape[1]
        self.a = np.zeros((outputs, k))  # Σ (gA + gB)
        self.q = np.zeros((outputs, k))  # Σ (gA² + gB²)
        self.bd = np.zeros((d, outputs, k))  # Σ gB (gABi − gA)
        self.dd = np.zeros((d, outputs, k))  # Σ (gABi − gA)
        self.t = np.zeros((d, outputs, k))  # Σ (gA − gABi)²
        self.centre = None

    def add(self, rows: slice, f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> None:
        """Outputs × K values of base samples ``rows``: f_a, f_b, and f_ab (d × outputs × K)."""
        if self.centre is None:
            self.centre = (np.mean(f_a, axis=1) + np.mean(f_b, axis=1))[:, None] / 2
        c = self.centre
        g_a, g_b, g_ab = f_a - c, f_b - c, f_ab - c[None]
        m = self.m[rows]
        self.a += (g_a + g_b) @ m
        self.q += (g_a**2 + g_b**2) @ m
        diff = g_ab - g_a[None]
        flat = (-1, diff.shape[-1])  # one matrix product per sum: stacked products are far slower
        self.bd += ((g_b[None] * diff).reshape(flat) @ m).reshape(self.bd.shape)
        self.dd += (diff.reshape(flat) @ m).reshape(self.dd.shape)
        self.t += ((diff**2).reshape(flat) @ m).reshape(self.t.shape)

    def indices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """First-order and total indices (outputs × k × d) and the variance (outputs × k)."""
        n = self.m.sum(axis=0)  # N for every column
        mean = self.a / (2 * n)  # of g over A and B
        variance = self.q / (2 * n) - mean**2
        with np.errstate(invalid="ignore", divide="ignore"):
            first = (self.bd - mean[None] * self.dd) / n / variance[None]
            total = 0.5 * self.t / n / variance[None]
        return np.moveaxis(first, 0, -1), np.moveaxis(total, 0, -1), variance


def sobol(
    func: Callable[[np.ndarray], np.ndarray],
    dimensions: int,
    samples: int,
    seed: int,
    confidence: float = 0.95,
    resamples: int = 200,
    reference: np.ndarray | None = None,
    limit: int = 4096,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> SobolIndices:
    """First-order and total Sobol' indices of ``func`` (runs × d uniforms in [0, 1) → runs × outputs).

    ``samples`` (N) must be a power of 2; ``func`` is evaluated N(d + 2) times, in batches of at most
    ``limit`` base samples. ``reference`` (one value per output; default the first run's) is what
    ``changes`` counts departures from. Each bootstrap resample of the base samples is estimated as a whole,
    centred on its own mean.
    """
    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"samples must be a power of 2, not {samples}")
    rng = np.random.default_rng(seed)
    sequence = Sobol(2 * dimensions, rng)
    draws = rng.integers(0, samples, (resamples, samples)) + samples * np.arange(resamples)[:, None]
    multiplicity = np.bincount(draws.reshape(-1), minlength=resamples * samples).reshape(resamples, samples).T
    weights = np.column_stack([np.ones(samples), multiplicity]).astype(float)
    sums = changes = finite = None
    for start, stop in batches(samples, limit, progress, cancelled):
        base = sequence.points(start, stop - start)
        a, b = base[:, :dimensions], base[:, dimensions:]
        ab = np.repeat(a[None], dimensions, axis=0)
        for i in range(dimensions):
            ab[i, :, i] = b[:, i]
        values = np.asarray(func(np.concatenate([a, b, ab.reshape(-1, dimensions)])), dtype=float).T
        k = stop - start
        f_a, f_b = values[:, :k], values[:, k : 2 * k]
        f_ab = values[:, 2 * k :].reshape(len(values), dimensions, k).transpose(1, 0, 2)
        if sums is None:
            sums, changes = _Sums(len(values), dimensions, weights), np.zeros(len(values), dtype=np.int64)
            finite = np.ones(len(values), dtype=bool)
            reference = f_a[:, 0] if reference is None else reference
        finite &= np.isfinite(values).all(axis=1)
        with np.errstate(invalid="ignore", over="ignore"):
            sums.add(slice(start, stop), np.nan_to_num(f_a), np.nan_to_num(f_b), np.nan_to_num(f_ab))
            moved = ~np.isclose(np.concatenate([f_a, f_b], axis=1), reference[:, None], rtol=1e-9, atol=1e-12)
        changes += moved.sum(axis=1)
    first, total, variance = sums.indices()
    tail = (1 - confidence) / 2 * 100
    with warnings.catch_warnings():  # a degenerate resample has no indices: left out of the percentiles
        warnings.simplefilter("ignore", RuntimeWarning)
        (fl, fh), (tl, th) = (np.nanpercentile(x[:, 1:, :], [tail, 100 - tail], axis=1) for x in (first, total))
    out = [first[:, 0], total[:, 0], fl, fh, tl, th]
    still = ~finite | (changes == 0)
    for array in out:
        array[still] = np.nan
    return SobolIndices(
        *(readonly(x) for x in out), readonly(changes, np.int64), readonly(variance[:, 0]), readonly(finite, bool)
    )


def _flags(inputs, first, total, first_low, first_high, total_low, total_high) -> tuple[str, ...]:
    flags = []
    for j, name in enumerate(inputs):
        if first_low[j] > total_high[j]:
            flags.append(f"{name}: first > total")
        if min(first_high[j], total_high[j]) < 0 or max(first_low[j], total_low[j]) > 1:
            flags.append(f"{name}: outside [0, 1]")
    return tuple(flags)


def sensitivity(
    engine: Engine,
    spec: Spec,
    samples: int,
    seed: int,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> Sensitivity:
    """Sobol' indices of every entity's rank and score, and of the mean absolute rank shift."""
    design = Design(engine, spec)
    rng = np.random.default_rng([seed, 1])
    names = [f.name for f in design.factors]
    weight_sets = None
    if "weights" in names:
        weight_sets = design.weights(rng.random((samples, design.factors[names.index("weights")].dimensions)))
    ties = engine.weights.ties
    nominal_scores = engine.scores(engine.nominal[None, :], design.nominal)[0]
    nominal = order_rows(nominal_scores[None, :]).ranks(ties)[0]

    def outputs(u: np.ndarray) -> np.ndarray:
        weights = np.tile(engine.nominal, (len(u), 1))
        picks = {}
        for j, factor in enumerate(design.factors):
            if factor.name == "weights":
                weights = weight_sets[pick(u[:, j], samples)]
            else:
                picks[factor.name] = pick(u[:, j], len(factor.choices))
        scores, _ = design.evaluate(weights, picks)
        ranks = order_rows(scores).ranks(ties)
        with np.errstate(invalid="ignore"):
            shift = np.nanmean(np.where(np.isnan(nominal), np.nan, np.abs(ranks - nominal)), axis=1)
        return np.column_stack([ranks, scores, shift])

    reference = np.r_[nominal, nominal_scores, 0.0]
    found = sobol(outputs, len(names), samples, seed, reference=reference, limit=design.batch(len(names) + 2),
                  progress=progress, cancelled=cancelled)  # fmt: skip
    dataset = engine.dataset
    labels = [f"rank: {n}" for n in dataset.names] + [f"score: {n}" for n in dataset.names] + ["mean rank shift"]
    kept, skipped = [], []
    base_runs = 2 * samples
    for o, label in enumerate(labels):
        changes = int(found.changes[o])
        if not found.finite[o]:
            skipped.append(label)
            continue
        status = "constant" if changes == 0 else "rare" if changes < max(MIN_CHANGES, RARE * base_runs) else "varies"
        row = [found.first[o], found.total[o], found.first_low[o], found.first_high[o], found.total_low[o],
               found.total_high[o]]  # fmt: skip
        if status != "varies":
            row = [np.full(len(names), np.nan)] * 6
        first, total, f_low, f_high, t_low, t_high = row
        kept.append(
            Indices(
                label,
                status,
                changes,
                tuple(float(v) for v in first),
                tuple(float(v) for v in total),
                tuple((float(lo), float(hi)) for lo, hi in zip(f_low, f_high, strict=True)),
                tuple((float(lo), float(hi)) for lo, hi in zip(t_low, t_high, strict=True)),
                _flags(names, first, total, f_low, f_high, t_low, t_high) if status == "varies" else (),
            )
        )
    return Sensitivity(tuple(names), samples, samples * (len(names) + 2), seed, 0.95, tuple(kept), tuple(skipped))
