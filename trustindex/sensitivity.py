"""Variance-based sensitivity analysis: which uncertain input drives each rank and score.

First-order (Saltelli 2010) and total-effect (Jansen 1999) Sobol' indices with bootstrap confidence
intervals, estimated by scipy's ``stats.sobol_indices`` from function values we compute ourselves in
chunks (so long runs report progress and can stop): matrices A and B from a scrambled Sobol' sequence
and, for each input i, A with its column i taken from B — N(d + 2) runs in all. Each uncertain input of
the :class:`~trustindex.uncertainty.Spec` is one input: discrete choices are categorical inputs, and the
weights are one input that picks among N weight vectors drawn from the specified distribution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .engine import Engine, rank_rows
from .uncertainty import CHUNK, Cancelled, Design, Spec, pick, uniforms


@dataclass(frozen=True)
class Indices:
    """Sobol' indices of one output for every input, with bootstrap confidence intervals."""

    output: str
    first: tuple[float, ...]
    total: tuple[float, ...]
    first_interval: tuple[tuple[float, float], ...]
    total_interval: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Sensitivity:
    inputs: tuple[str, ...]
    samples: int
    runs: int
    seed: int
    confidence: float
    outputs: tuple[Indices, ...]
    skipped: tuple[str, ...]
    """Outputs left out because some run gave them no value (an entity without a score)."""


def sobol(
    func: Callable[[np.ndarray], np.ndarray],
    dimensions: int,
    samples: int,
    seed: int,
    confidence: float = 0.95,
    resamples: int = 200,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
):
    """First-order and total Sobol' indices of ``func`` (runs × d uniforms in [0, 1) → runs × outputs).

    Returns (first, total, first_low, first_high, total_low, total_high), each outputs × d.
    ``samples`` (N) must be a power of 2; ``func`` is evaluated N(d + 2) times, in chunks.
    """
    from scipy.stats import sobol_indices

    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"samples must be a power of 2, not {samples}")
    rng = np.random.default_rng(seed)
    base = uniforms(samples, 2 * dimensions, "sobol", rng)
    a, b = base[:, :dimensions], base[:, dimensions:]
    ab = np.repeat(a[None, :, :], dimensions, axis=0)
    for i in range(dimensions):
        ab[i, :, i] = b[:, i]
    points = np.concatenate([a, b, ab.reshape(-1, dimensions)])
    values = []
    for start in range(0, len(points), CHUNK):
        if cancelled is not None and cancelled():
            raise Cancelled(f"stopped after {start} of {len(points)} runs")
        values.append(np.asarray(func(points[start : start + CHUNK]), dtype=float))
        if progress is not None:
            progress(min(1.0, (start + CHUNK) / len(points)))
    values = np.concatenate(values).T  # outputs × runs
    f_a, f_b = values[:, :samples], values[:, samples : 2 * samples]
    f_ab = values[:, 2 * samples :].reshape(len(values), dimensions, samples).transpose(1, 0, 2)
    result = sobol_indices(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=samples)
    first, total = np.atleast_2d(result.first_order), np.atleast_2d(result.total_order)
    low, high = _bootstrap(f_a, f_b, f_ab, confidence, resamples, rng)
    # scipy reports 0 for any non-finite index, which would read as "no effect" for an output that some run
    # left without a value: those outputs get NaN instead.
    missing = ~np.isfinite(values).all(axis=1)
    for array in (first, total, low, high):
        array[..., missing, :] = np.nan
    return first, total, low[0], high[0], low[1], high[1]


def estimate(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> np.ndarray:
    """Saltelli (2010) first-order and Jansen (1999) total indices, as scipy computes them, over the last
    axis of f_A, f_B (… × N) and f_AB (d × … × N); returns 2 × … × d. Like scipy, the outputs are centred on
    their mean first (Sobol' & Levitan 1999: without it the first-order estimator's error grows with the mean²),
    and an output that never varies gets indices 0."""
    f_a, f_b, f_ab = _centred(f_a, f_b, f_ab)
    variance = np.var(np.stack([f_a, f_b]), axis=(0, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.mean(f_b * (f_ab - f_a), axis=-1) / variance
        total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / variance
    out = np.stack([np.moveaxis(first, 0, -1), np.moveaxis(total, 0, -1)])
    return np.where(np.isfinite(out), out, 0.0)


def _centred(f_a, f_b, f_ab):
    """f_A, f_B and f_AB less the mean of f_A and f_B (per output), as scipy's ``sobol_indices`` does."""
    mean = (np.mean(f_a, axis=-1) + np.mean(f_b, axis=-1))[..., None] / 2
    return f_a - mean, f_b - mean, f_ab - mean


def _bootstrap(f_a, f_b, f_ab, confidence: float, resamples: int, rng: np.random.Generator):
    """Percentile bootstrap intervals of both indices, resampling the N base samples; an output that never
    varies has indices 0 and intervals [0, 0].

    Written here rather than taken from scipy's ``SobolResult.bootstrap`` because that one cannot be seeded,
    and every trustindex result is reproducible from its seed. The estimator is scipy's formula; each
    resample is a vector of multiplicities, so every resampled mean is one matrix product.
    """
    f_a, f_b, f_ab = _centred(f_a, f_b, f_ab)  # as scipy's estimate: centred once, on the whole sample
    n = f_a.shape[-1]
    counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(resamples)]).T / n  # N × B
    mean_x = ((f_a + f_b) @ counts) / 2
    variance = ((f_a**2 + f_b**2) @ counts) / 2 - mean_x**2  # outputs × B
    constant = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1) == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.stack([(f_b * (f_ab[i] - f_a)) @ counts for i in range(len(f_ab))], axis=-1) / variance[..., None]
        total = np.stack([((f_a - f_ab[i]) ** 2 / 2) @ counts for i in range(len(f_ab))], axis=-1) / variance[..., None]
    tail = (1 - confidence) / 2 * 100
    sample = np.stack([first, total])  # 2 × outputs × B × d
    low = np.zeros((2, len(constant), len(f_ab)))
    high = np.zeros_like(low)
    low[:, ~constant], high[:, ~constant] = np.percentile(sample[:, ~constant], [tail, 100 - tail], axis=2)
    return low, high


def sensitivity(
    engine: Engine,
    spec: Spec,
    samples: int,
    seed: int,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Sensitivity:
    """Sobol' indices of every entity's rank and score, and of the mean absolute rank shift."""
    design = Design(engine, spec)
    rng = np.random.default_rng(seed)
    names = [f.name for f in design.factors]
    weight_sets = None
    if "weights" in names:
        weight_sets = design.weights(rng.random((samples, design.factors[names.index("weights")].dimensions)))
    nominal = rank_rows(engine.scores(engine.nominal[None, :], design.nominal))[0]

    def outputs(u: np.ndarray) -> np.ndarray:
        weights = np.tile(engine.nominal, (len(u), 1))
        picks = {}
        for j, factor in enumerate(design.factors):
            if factor.name == "weights":
                weights = weight_sets[pick(u[:, j], samples)]
            else:
                picks[factor.name] = pick(u[:, j], len(factor.choices))
        scores = design.evaluate(weights, picks)
        ranks = rank_rows(scores)
        shift = np.nanmean(np.abs(ranks - nominal), axis=1)
        return np.column_stack([ranks, scores, shift])

    first, total, f_low, f_high, t_low, t_high = sobol(
        outputs, len(names), samples, seed, progress=progress, cancelled=cancelled
    )
    dataset = engine.dataset
    labels = [f"rank: {n}" for n in dataset.names] + [f"score: {n}" for n in dataset.names] + ["mean rank shift"]
    kept, skipped = [], []
    for o, label in enumerate(labels):
        if not (np.all(np.isfinite(first[o])) and np.all(np.isfinite(total[o]))):
            skipped.append(label)
            continue
        kept.append(
            Indices(
                label,
                tuple(float(v) for v in first[o]),
                tuple(float(v) for v in total[o]),
                tuple((float(lo), float(hi)) for lo, hi in zip(f_low[o], f_high[o], strict=True)),
                tuple((float(lo), float(hi)) for lo, hi in zip(t_low[o], t_high[o], strict=True)),
            )
        )
    return Sensitivity(tuple(names), samples, samples * (len(names) + 2), seed, 0.95, tuple(kept), tuple(skipped))
