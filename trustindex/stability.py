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

from .engine import Engine, rank_rows
from .errors import ConfigError
from .uncertainty import Design, Spec, WeightSpec, uniforms

TOLERANCE = 1e-9
GRID = 2049


@dataclass(frozen=True)
class Swap:
    share: float
    """The weight's share of its group at which the two entities swap."""
    weight: float
    """The same point as a weight, the siblings' weights unchanged."""
    above: str
    """The entity ahead just after the swap (as the share grows)."""
    below: str


@dataclass(frozen=True)
class Stability:
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


def _exact_swaps(engine, variant, column, siblings):
    # Fitted around the middle share, not at 0 or 1: there a zero weight leaves a node out, and with it the
    # only component of some entities, so the score is not the same ratio there (or not defined).
    centre, t1, t2 = 0.5, -0.25, 0.25
    s = engine.scores(_weights_at(engine, column, siblings, centre + np.array([0.0, t1, t2])), variant)
    p, q, r = _mobius(s[0], s[1], s[2], t1, t2)
    found = []
    n = len(p)
    for a in range(n):
        for b in range(a + 1, n):
            if np.isnan(p[a]) or np.isnan(p[b]):
                continue
            # (p_a + q_a t)(1 + r_b t) = (p_b + q_b t)(1 + r_a t), t measured from the centre
            coefficients = [q[a] * r[b] - q[b] * r[a], p[a] * r[b] + q[a] - p[b] * r[a] - q[b], p[a] - p[b]]
            scale = max(abs(c) for c in coefficients) or 1.0
            if abs(coefficients[0]) < 1e-12 * scale:
                roots = [] if abs(coefficients[1]) < 1e-12 * scale else [-coefficients[2] / coefficients[1]]
            else:
                roots = [t.real for t in np.roots(coefficients) if abs(t.imag) < 1e-12]
            found += [(centre + t, a, b) for t in roots if TOLERANCE < centre + t < 1 - TOLERANCE]
    return found


def _scanned_swaps(engine, variant, column, siblings):
    grid = np.linspace(0, 1, GRID)
    scores = engine.scores(_weights_at(engine, column, siblings, grid), variant)
    sign = np.sign(scores[:, :, None] - scores[:, None, :])
    change = np.argwhere((sign[1:] != sign[:-1]) & ~np.isnan(sign[1:]) & ~np.isnan(sign[:-1]))
    change = change[change[:, 1] < change[:, 2]]
    if not len(change):
        return []
    low, high = grid[change[:, 0]], grid[change[:, 0] + 1]
    a, b = change[:, 1], change[:, 2]
    start = sign[change[:, 0], a, b]
    while np.max(high - low) > TOLERANCE:
        middle = (low + high) / 2
        s = engine.scores(_weights_at(engine, column, siblings, middle), variant)
        same = np.sign(s[np.arange(len(middle)), a] - s[np.arange(len(middle)), b]) == start
        low, high = np.where(same, middle, low), np.where(same, high, middle)
    return [(float(h), int(i), int(j)) for h, i, j in zip(high, a, b, strict=True)]


def weight_stability(engine: Engine, node: str, entity: str | None = None, top_k: int = 3) -> Stability:
    """Every swap as ``node``'s weight moves over its whole range, and the intervals of its share (around the
    nominal share) over which the ranking, the top-k set and ``entity``'s rank stay unchanged."""
    column, siblings = _group(engine, node)
    variant = engine.nominal_variant()
    exact = all(a.method == "arithmetic" for a in variant.aggregation)
    found = (_exact_swaps if exact else _scanned_swaps)(engine, variant, column, siblings)
    total = engine.nominal[siblings].sum()
    nominal = engine.nominal[column] / (engine.nominal[column] + total)
    entities = engine.entities
    swaps = []
    for t, a, b in sorted(found):
        after = engine.scores(_weights_at(engine, column, siblings, np.array([min(1.0, t + 1e-7)])), variant)[0]
        up, down = (a, b) if after[a] > after[b] else (b, a)
        weight = t / (1 - t) * total if t < 1 else np.inf
        swaps.append((t, up, down, Swap(float(t), float(weight), entities[up], entities[down])))

    def interval(matters) -> tuple[float, float]:
        left = max([t for t, *_ in swaps if t <= nominal and matters(t)], default=0.0)
        right = min([t for t, *_ in swaps if t > nominal and matters(t)], default=1.0)
        return float(left), float(right)

    def ranks_at(t: float) -> np.ndarray:
        return rank_rows(engine.scores(_weights_at(engine, column, siblings, np.array([t])), variant))[0]

    def top_changes(t: float) -> bool:
        before, after = ranks_at(max(0.0, t - 1e-7)), ranks_at(min(1.0, t + 1e-7))
        return set(np.flatnonzero(before <= top_k)) != set(np.flatnonzero(after <= top_k))

    focus = None
    if entity is not None:
        if entity not in entities:
            raise ConfigError(f"no entity {entity!r}")
        i = entities.index(entity)
        focus = interval(lambda t: any(i in (up, down) for s, up, down, _ in swaps if s == t))
    return Stability(
        node=node,
        nominal_share=float(nominal),
        nominal_weight=float(engine.nominal[column]),
        exact=exact,
        swaps=tuple(s for *_, s in swaps),
        ranking=interval(lambda t: True),
        top=interval(top_changes),
        entity=focus,
    )


@contextmanager
def _stdout_to_stderr():
    """Point file descriptor 1 at stderr for a while: HiGHS (under scipy's ``milp``) can print a stray debug line
    ("HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();", ERGO-Code/HiGHS#2783) straight
    to the process's stdout, which carries data (``stability -f json``)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        saved = None
    try:
        if saved is not None:
            os.dup2(2, 1)
        yield
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


@dataclass(frozen=True)
class Bounds:
    entity: str
    nominal: float
    best: float
    worst: float
    exact: bool = True
    """False when some ranked entity lacks a component of the index: then [best, worst] is an outer bound."""


def rank_bounds(engine: Engine, level: str = "pillar", floor: float = 0.0) -> tuple[Bounds, ...]:
    """Best and worst rank of every entity over all weight vectors of the nodes at ``level`` under the index
    (each weight at least ``floor``, shares summing to 1), other weights nominal. Arithmetic index only.

    An entity missing a component is scored over the others, a ratio the linear programs cannot hold: its own
    bounds are NaN, and the bounds of the others count it as possibly ahead or behind (outer bounds, not exact)."""
    from scipy.optimize import Bounds as Box
    from scipy.optimize import LinearConstraint, milp

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
    node_scores = engine.scores(engine.nominal[None, :], variant, nodes=True)[0][:, columns]
    nominal = rank_rows(engine.scores(engine.nominal[None, :], variant))[0]
    complete = ~np.isnan(node_scores).any(axis=1)
    spread = np.nanmax(node_scores) - np.nanmin(node_scores) + 1.0
    epsilon = 1e-7 * spread
    gaps = int(np.sum(~complete & ~np.isnan(nominal)))  # ranked, but not over every component
    out = []
    for e in range(len(engine.entities)):
        if not complete[e]:
            out.append(Bounds(engine.entities[e], float(nominal[e]), np.nan, np.nan, exact=False))
            continue
        others = [b for b in range(len(engine.entities)) if b != e and complete[b]]
        diff = node_scores[others] - node_scores[e]  # S_b − S_e = diff @ w
        k = len(others)
        integrality = np.r_[np.zeros(m), np.ones(k)]
        box = Box(np.r_[np.full(m, floor), np.zeros(k)], np.r_[np.ones(m), np.ones(k)])
        simplex = LinearConstraint(np.r_[np.ones(m), np.zeros(k)][None, :], 1, 1)
        # best: minimise how many may beat e; b beats e only if y_b = 1: diff_b·w − M y_b <= 0
        ahead = LinearConstraint(np.hstack([diff, -spread * np.eye(k)]), -np.inf, 0)
        with _stdout_to_stderr():
            best = milp(np.r_[np.zeros(m), np.ones(k)], constraints=[simplex, ahead], integrality=integrality,
                        bounds=box)  # fmt: skip
        # worst: maximise how many beat e strictly; z_b = 1 needs diff_b·w >= epsilon
        behind = LinearConstraint(np.hstack([diff, -(spread + epsilon) * np.eye(k)]), -spread, np.inf)
        with _stdout_to_stderr():
            worst = milp(
                np.r_[np.zeros(m), -np.ones(k)], constraints=[simplex, behind], integrality=integrality, bounds=box
            )
        if not (best.success and worst.success):  # the solver gave up: say so rather than guess
            out.append(Bounds(engine.entities[e], float(nominal[e]), np.nan, np.nan, exact=False))
            continue
        best, worst = 1 + round(best.fun), 1 + round(-worst.fun) + gaps
        out.append(Bounds(engine.entities[e], float(nominal[e]), best, worst, exact=gaps == 0))
    return tuple(out)


@dataclass(frozen=True)
class Acceptability:
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


def acceptability(engine: Engine, runs: int, seed: int, weights: WeightSpec | None = None) -> Acceptability:
    """SMAA-2 rank acceptability indices and central weight vectors (weights uniform on the simplex by default)."""
    weights = weights or WeightSpec(distribution="simplex", levels=("pillar",))
    design = Design(engine, Spec(runs=runs, sampler="random", weights=weights, aggregation=()))
    rng = np.random.default_rng(seed)
    u = uniforms(runs, design.dimensions, "random", rng)
    w, picks = design.decode(u)
    ranks = rank_rows(design.evaluate(w, picks))
    n = len(engine.entities)
    counts = np.zeros((n, n))
    for r in range(1, n + 1):
        counts[:, r - 1] = np.sum(ranks == r, axis=0)
    columns = [c for group in design.varying for c in group]
    shares = w[:, columns]
    for group in design.varying:
        at = [columns.index(c) for c in group]
        shares[:, at] /= shares[:, at].sum(axis=1, keepdims=True)
    central = np.full((n, len(columns)), np.nan)
    for i in range(n):
        wins = ranks[:, i] == 1
        if wins.any():
            central[i] = shares[wins].mean(axis=0)
    return Acceptability(
        runs, seed, tuple(engine.nodes[c] for c in columns), counts / runs, central, counts[:, 0] / runs
    )
