"""Weight stability: how far each weight can move before the ranking changes, and rank acceptability.

* :func:`weight_stability` — for one weight moved like a slider (its share of its group going from 0 to
  1, its siblings keeping their proportions), every entity's index score is a ratio of affine functions
  of the share when every level aggregates arithmetically (affine when data are complete), so each swap
  of two entities is the root of a quadratic: exact breakpoints. Other aggregations are scanned on a
  fine grid and each swap refined by bisection to ``TOLERANCE``.
* :func:`rank_bounds` — the best and worst rank each entity can reach over all weight vectors of one
  level with a minimum weight, as mixed-integer linear programs (scipy's ``optimize.milp``).
* :func:`acceptability` — SMAA-2 (Lahdelma & Salminen 2001): with weights drawn uniformly from the
  simplex (or another distribution), the probability of each entity holding each rank, and its central
  weight vector (the mean weights under which it ranks first).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .batches import Progress, Stop, batches
from .engine import Engine
from .errors import ConfigError
from .model import Record, Spec, WeightSpec, readonly
from .ranking import order_rows
from .rankstats import RankCounts
from .uncertainty import Design, Sampler

PAIRS_PER_BATCH = 2**20
"""Entity pairs (times grid points, for scanned swaps) examined at once."""

TOLERANCE = 1e-9
GRID = 2049


@dataclass(frozen=True, eq=False)
class Swap(Record):
    share: float
    """The weight's share of its group at which the two entities swap."""
    weight: float
    """The same point as a weight, the siblings' weights unchanged."""
    above: str
    """The entity ahead just after the swap (as the share grows)."""
    below: str


@dataclass(frozen=True, eq=False)
class Stability(Record):
    node: str
    nominal_share: float
    nominal_weight: float
    exact: bool
    swaps: tuple[Swap, ...]
    ranking: tuple[float, float]
    """Share interval around the nominal share over which the whole ranking is unchanged."""
    top: tuple[float, float]
    """... over which the top-k set is unchanged."""
    entity: tuple[float, float] | None
    """... over which the chosen entity's rank is unchanged."""


def _group(engine: Engine, node: str) -> tuple[int, list[int]]:
    if node not in engine.nodes[1:]:
        raise ConfigError(f"no weight {node!r} in this framework", hint="name a pillar or an indicator")
    column = engine.nodes.index(node)
    for step in engine.steps:
        if column in step.children:
            siblings = [c for c in step.children if c != column and engine.nominal[c] > 0]
            if not siblings:
                raise ConfigError(f"{node!r} has no weighted sibling: moving its weight changes nothing")
            return column, siblings
    raise ConfigError(f"{node!r} is not aggregated into the index")


def _weights_at(engine: Engine, column: int, siblings: list[int], shares: np.ndarray) -> np.ndarray:
    """Node weights (len(shares) × nodes) with ``column`` at each share of its group."""
    total = engine.nominal[siblings].sum()
    out = np.tile(engine.nominal, (len(shares), 1))
    out[:, siblings] = engine.nominal[siblings] * (1 - shares)[:, None] / total
    out[:, column] = shares
    return out


def _mobius(s0, s1, s2, t1, t2):
    """(p, q, r) with S(t) = (p + q t) / (1 + r t) through (0, s0), (t1, s1), (t2, s2), per entity."""
    p = s0
    # q t − r t S = S − p at t1 and t2: a 2 × 2 system per entity, singular when S is constant.
    det = (t1 * (-t2 * s2)) - (t2 * (-t1 * s1))
    constant = np.abs(s1 - s2) <= 1e-12 * np.maximum(1.0, np.abs(s0))
    det = np.where(constant, 1.0, det)
    q = np.where(constant, 0.0, ((s1 - p) * (-t2 * s2) - (s2 - p) * (-t1 * s1)) / det)
    r = np.where(constant, 0.0, (t1 * (s2 - p) - t2 * (s1 - p)) / det)
    return p, q, r


def _pairs(n: int, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``start`` to ``stop - 1`` of the n(n − 1)/2 pairs a < b of n entities, in row order."""
    k = np.arange(start, stop, dtype=np.int64)
    # Row a holds n − 1 − a pairs and starts at a(2n − a − 1)/2: invert that to find each pair's row.
    a = np.floor(((2 * n - 1) - np.sqrt((2 * n - 1) ** 2 - 8 * k)) / 2).astype(np.int64)
    a = np.where(a * (2 * n - a - 1) // 2 > k, a - 1, a)
    a = np.where((a + 1) * (2 * n - a - 2) // 2 <= k, a + 1, a)
    return a, k - a * (2 * n - a - 1) // 2 + a + 1


def _exact_swaps(engine, variant, column, siblings, progress, cancelled):
    # Fitted around the middle share, not at 0 or 1: there a zero weight leaves a node out, and with it the
    # only component of some entities, so the score is not the same ratio there (or not defined).
    centre, t1, t2 = 0.5, -0.25, 0.25
    s = engine.scores(_weights_at(engine, column, siblings, centre + np.array([0.0, t1, t2])), variant)
    p, q, r = _mobius(s[0], s[1], s[2], t1, t2)
    n = len(p)
    found = []
    for start, stop in batches(n * (n - 1) // 2, PAIRS_PER_BATCH, progress, cancelled):
        a, b = _pairs(n, start, stop)
        keep = ~np.isnan(p[a]) & ~np.isnan(p[b])
        a, b = a[keep], b[keep]
        # (p_a + q_a t)(1 + r_b t) = (p_b + q_b t)(1 + r_a t), t measured from the centre
        c2 = q[a] * r[b] - q[b] * r[a]
        c1 = p[a] * r[b] + q[a] - p[b] * r[a] - q[b]
        c0 = p[a] - p[b]
        scale = np.maximum(np.maximum(np.abs(c2), np.abs(c1)), np.abs(c0))
        scale = np.where(scale > 0, scale, 1.0)
        linear = np.abs(c2) < 1e-12 * scale
        with np.errstate(invalid="ignore", divide="ignore"):
            single = np.where(linear & (np.abs(c1) >= 1e-12 * scale), -c0 / c1, np.nan)
            disc = c1 * c1 - 4 * c2 * c0
            root = np.sqrt(np.where(~linear & (disc >= 0), disc, np.nan))
            half = -0.5 * (c1 + np.where(c1 >= 0, root, -root))  # the stable quadratic formula
            first = np.where(linear, single, half / c2)
            second = np.where(linear, np.nan, c0 / half)
        for roots in (first, second):
            t = centre + roots
            ok = (t > TOLERANCE) & (t < 1 - TOLERANCE)
            found.append(np.column_stack([t[ok], a[ok], b[ok]]))
    out = np.concatenate(found) if found else np.zeros((0, 3))
    return np.unique(out, axis=0)  # a double root is one swap


def _scanned_swaps(engine, variant, column, siblings, progress, cancelled):
    grid = np.linspace(0, 1, GRID)
    scores = engine.scores(_weights_at(engine, column, siblings, grid), variant)
    n = scores.shape[1]
    found = []
    for start, stop in batches(n * (n - 1) // 2, max(1, PAIRS_PER_BATCH // GRID), progress, cancelled):
        a, b = _pairs(n, start, stop)
        sign = np.sign(scores[:, a] - scores[:, b])  # grid × pairs
        g, k = np.nonzero((sign[1:] != sign[:-1]) & ~np.isnan(sign[1:]) & ~np.isnan(sign[:-1]))
        found.append(np.column_stack([g, a[k], b[k], sign[g, k]]))
    change = np.concatenate(found) if found else np.zeros((0, 4))
    if not len(change):
        return np.zeros((0, 3))
    g, a, b, start = change[:, 0].astype(int), change[:, 1].astype(int), change[:, 2].astype(int), change[:, 3]
    low, high = grid[g], grid[g + 1]
    while np.max(high - low) > TOLERANCE:  # bisection, every swap at once
        middle = (low + high) / 2
        s = engine.scores(_weights_at(engine, column, siblings, middle), variant)
        same = np.sign(s[np.arange(len(middle)), a] - s[np.arange(len(middle)), b]) == start
        low, high = np.where(same, middle, low), np.where(same, high, middle)
    return np.column_stack([high, a, b])


def weight_stability(
    engine: Engine,
    node: str,
    entity: str | None = None,
    top_k: int = 3,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> Stability:
    """Every swap as ``node``'s weight moves over its whole range, and the intervals of its share (around the
    nominal share) over which the ranking, the top-k set and ``entity``'s rank stay unchanged."""
    column, siblings = _group(engine, node)
    variant = engine.nominal_variant()
    exact = all(a.method == "arithmetic" for a in variant.aggregation)
    found = (_exact_swaps if exact else _scanned_swaps)(engine, variant, column, siblings, progress, cancelled)
    found = found[np.lexsort((found[:, 2], found[:, 1], found[:, 0]))]
    t, a, b = found[:, 0], found[:, 1].astype(int), found[:, 2].astype(int)
    total = engine.nominal[siblings].sum()
    nominal = engine.nominal[column] / (engine.nominal[column] + total)
    entities = engine.entities
    ties = engine.weights.ties
    # Just after each swap, who is ahead; and whether the top-k set differs either side of it.
    after = engine.scores(_weights_at(engine, column, siblings, np.minimum(1.0, t + 1e-7)), variant)
    rows = np.arange(len(t))
    up = np.where(after[rows, a] > after[rows, b], a, b)
    down = np.where(up == a, b, a)
    around = np.r_[np.maximum(0.0, t - 1e-7), np.minimum(1.0, t + 1e-7)]
    either = engine.scores(_weights_at(engine, column, siblings, around), variant)
    ranks = order_rows(either).ranks(ties)
    top = ranks <= top_k
    top_changes = (top[: len(t)] != top[len(t) :]).any(axis=1)
    weight = np.where(t < 1, t / np.where(t < 1, 1 - t, 1) * total, np.inf)
    swaps = tuple(Swap(float(x), float(w), entities[u], entities[d])
                  for x, w, u, d in zip(t, weight, up, down, strict=True))  # fmt: skip

    def interval(matters: np.ndarray) -> tuple[float, float]:
        left = t[(t <= nominal) & matters]
        right = t[(t > nominal) & matters]
        return float(left.max(initial=0.0)), float(right.min(initial=1.0))

    focus = None
    if entity is not None:
        if entity not in entities:
            raise ConfigError(f"no entity {entity!r}")
        i = entities.index(entity)
        involved = (a == i) | (b == i)
        focus = interval(np.isin(t, t[involved]))
    return Stability(
        node=node,
        nominal_share=float(nominal),
        nominal_weight=float(engine.nominal[column]),
        exact=exact,
        swaps=swaps,
        ranking=interval(np.ones(len(t), dtype=bool)),
        top=interval(np.isin(t, t[top_changes])),
        entity=focus,
    )


@contextmanager
def _silenced():
    """Point file descriptors 1 and 2 at the null device for a while: HiGHS (under scipy's ``milp``) can print a
    stray debug line ("HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();",
    ERGO-Code/HiGHS#2783) straight to the process's stdout, which carries data, or its stderr. The solver
    reports failure through its result, which is checked."""
    saved = []
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        null = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            saved.append((fd, os.dup(fd)))
            os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError):
        pass
    try:
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)


@dataclass(frozen=True, eq=False)
class Bounds(Record):
    entity: str
    nominal: float
    best: float
    worst: float
    exact: bool = True
    """False when some ranked entity lacks a component of the index: then [best, worst] is an outer bound."""


def rank_bounds(
    engine: Engine,
    level: str = "pillar",
    floor: float = 0.0,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> tuple[Bounds, ...]:
    """Best and worst rank of every entity over all weight vectors of the nodes at ``level`` under the index
    (each weight at least ``floor``, shares summing to 1), other weights nominal. Arithmetic index only.

    An entity missing a component is scored over the others, a ratio the linear programs cannot hold: its own
    bounds are NaN, and the bounds of the others count it as possibly ahead or behind (outer bounds, not exact).
    Ranks follow the profile's tie rule; entities with equal component scores are tied under every weighting."""
    top = engine.steps[-1]
    variant = engine.nominal_variant()
    if variant.aggregation[-1].method != "arithmetic":
        raise ConfigError("best and worst ranks are linear programs only for an arithmetic index")
    columns = [c for c in top.children if engine.framework.level(engine.nodes[c]) == level]
    if len(columns) < 2 or len(columns) != len(top.children):
        raise ConfigError(f"the index must combine two or more nodes of level {level!r}")
    m = len(columns)
    if not 0 <= floor < 1 / m:
        raise ConfigError(f"the floor must lie in [0, {1 / m:.3g})")
    run = engine.node_scores(engine.nominal, variant)
    node_scores = run.scores[0][:, columns]
    nominal = order_rows(run.scores[0][None, :, 0]).ranks(engine.weights.ties)[0]
    complete = ~np.isnan(node_scores).any(axis=1)
    spread = np.nanmax(node_scores) - np.nanmin(node_scores) + 1.0
    epsilon = 1e-7 * spread
    gaps = int(np.sum(~complete & ~np.isnan(nominal)))  # ranked, but not over every component
    # Entities with the same component scores are tied under every weighting: one program per distinct row, in
    # which another row counts as its number of entities (competition and fractional ranks) or as one (dense).
    ties = engine.weights.ties
    rows, inverse, sizes = np.unique(node_scores[complete], axis=0, return_inverse=True, return_counts=True)
    group = np.full(len(engine.entities), -1)
    group[complete] = inverse.reshape(-1)
    found: dict[int, tuple[float, float] | None] = {}
    out = []
    for e, _ in batches(len(engine.entities), 1, progress, cancelled):
        # one pair of mixed-integer programs per distinct row: a solver call each, not a numpy step
        g = int(group[e])
        if g < 0:
            out.append(Bounds(engine.entities[e], float(nominal[e]), np.nan, np.nan, exact=False))
            continue
        if g not in found:
            others = np.flatnonzero(np.arange(len(rows)) != g)
            weight = np.ones(len(others)) if ties == "dense" else sizes[others].astype(float)
            found[g] = _bounds_of(rows[others] - rows[g], weight, m, floor, spread, epsilon)
        if found[g] is None:  # the solver gave up: say so rather than guess
            out.append(Bounds(engine.entities[e], float(nominal[e]), np.nan, np.nan, exact=False))
            continue
        ahead_least, ahead_most = found[g]
        shared = (sizes[g] - 1) / 2 if ties == "fractional" else 0.0  # a tie of t shares the middle rank
        out.append(Bounds(engine.entities[e], float(nominal[e]), 1 + ahead_least + shared,
                          1 + ahead_most + gaps + shared, exact=gaps == 0))  # fmt: skip
    return tuple(out)


def _bounds_of(diff, weight, m: int, floor: float, spread: float, epsilon: float) -> tuple[float, float] | None:
    """The least and the most weight of rows that can score above a row (``diff``: their scores less its own,
    rows × components) over the weights of the m components (each ≥ ``floor``, summing to 1); None when the
    solver gives up."""
    from scipy.optimize import Bounds as Box
    from scipy.optimize import LinearConstraint, milp

    k = len(diff)
    integrality = np.r_[np.zeros(m), np.ones(k)]
    box = Box(np.r_[np.full(m, floor), np.zeros(k)], np.r_[np.ones(m), np.ones(k)])
    simplex = LinearConstraint(np.r_[np.ones(m), np.zeros(k)][None, :], 1, 1)
    # least: row b may be ahead only if y_b = 1: diff_b·w − M y_b <= 0
    ahead = LinearConstraint(np.hstack([diff, -spread * np.eye(k)]), -np.inf, 0)
    with _silenced():
        least = milp(np.r_[np.zeros(m), weight], constraints=[simplex, ahead], integrality=integrality, bounds=box)
    # most: z_b = 1 needs row b strictly ahead, diff_b·w >= epsilon
    behind = LinearConstraint(np.hstack([diff, -(spread + epsilon) * np.eye(k)]), -spread, np.inf)
    with _silenced():
        most = milp(np.r_[np.zeros(m), -weight], constraints=[simplex, behind], integrality=integrality, bounds=box)
    if not (least.success and most.success):
        return None
    return float(round(least.fun)), float(round(-most.fun))


@dataclass(frozen=True, eq=False)
class Acceptability(Record):
    runs: int
    seed: int
    nodes: tuple[str, ...]
    """The nodes whose weights vary; central weights are given in this order (shares of their group)."""
    probabilities: np.ndarray
    """probabilities[i, r]: share of runs in which entity i holds rank r + 1."""
    central: np.ndarray
    """central[i]: the mean weight shares of the runs in which entity i ranks first (NaN if it never does)."""
    first: np.ndarray
    """Share of runs in which each entity ranks first (its first-rank acceptability)."""
    ranks: np.ndarray
    """The rank each column of ``probabilities`` stands for (halves appear with fractional ties)."""


def acceptability(
    engine: Engine,
    runs: int,
    seed: int,
    weights: WeightSpec | None = None,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> Acceptability:
    """SMAA-2 rank acceptability indices and central weight vectors (weights uniform on the simplex by default)."""
    weights = weights or WeightSpec(distribution="simplex", levels=("pillar",))
    design = Design(engine, Spec(runs=runs, sampler="random", weights=weights, aggregation=()))
    sampler = Sampler("random", design.dimensions, np.random.default_rng(seed), runs)
    ties = engine.weights.ties
    n = len(engine.entities)
    counts = RankCounts(n, runs, half=ties == "fractional")
    columns = [c for group in design.varying for c in group]
    spans = [[columns.index(c) for c in group] for group in design.varying]
    central = np.zeros((n, len(columns)))
    for start, stop in batches(runs, design.batch(), progress, cancelled):
        w, picks = design.decode(sampler.draw(stop - start))
        ranks = order_rows(design.evaluate(w, picks)[0]).ranks(ties)
        counts.add(ranks)
        shares = w[:, columns]
        for at in spans:
            shares[:, at] /= shares[:, at].sum(axis=1, keepdims=True)
        central += (ranks == 1).T.astype(float) @ shares  # the weights of the runs each entity wins
    first = counts.summary((), 1)[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        central = np.where(first[:, None] > 0, central / first[:, None], np.nan)
    return Acceptability(runs, seed, tuple(engine.nodes[c] for c in columns), readonly(counts.counts / runs),
                         readonly(central), readonly(first / runs), readonly(counts.values))  # fmt: skip
