"""What would it take: the smallest improvements that bring an entity to a target rank or score.

For each indicator alone, the smallest change of its published value (within its goalposts or target,
else up to the best observed value) that reaches the target, found by re-scoring the whole dataset over
a refined grid of candidate values — so data-driven normalisations (min–max, z-scores, ranks) move as
they really would — and verified with the ordinary pipeline: the answer reaches the target and a
slightly smaller change does not. For each pillar alone, the smallest rise of its score, other pillars
fixed. Combined, the minimum-norm change in normalised points (closed form by water-filling when every
level is arithmetic, a constrained optimisation otherwise), converted to published units and re-scored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .batches import Progress, Stop, batches
from .denominate import denominate
from .engine import plan, run_steps
from .errors import ConfigError
from .explain import _effective_weights, _evaluate, _opponents, find_entity
from .impute import impute
from .model import Record, Result
from .normalise import ceiling, normalise
from .pipeline import score
from .ranking import TOLERANCE, rank_rows
from .treat import treat

GRID = 65
ROUNDS = 4
"""Candidate values per round and refinement rounds: a resolution of the search range / 64⁴."""


@dataclass(frozen=True, eq=False)
class Move(Record):
    """The smallest change of one indicator or pillar that reaches the target, or why none does."""

    node: str
    label: str
    level: str
    current: float
    """Current normalised value or pillar score."""
    needed: float | None
    raw_current: float | None = None
    raw_needed: float | None = None
    unit: str = ""
    reachable: bool = False
    verified: bool = False
    reason: str = ""


@dataclass(frozen=True, eq=False)
class Change(Record):
    """One indicator's part of the combined minimum-norm change."""

    node: str
    current: float
    needed: float
    raw_current: float | None
    raw_needed: float | None


@dataclass(frozen=True, eq=False)
class Target(Record):
    """What it would take for ``entity`` to reach ``target_rank`` or ``target_score``."""

    entity: str
    name: str
    score: float
    rank: float
    target_rank: int | None
    target_score: float
    reached: bool
    indicators: tuple[Move, ...]
    pillars: tuple[Move, ...]
    combined: tuple[Change, ...]
    combined_norm: float | None
    combined_verified: bool
    combined_note: str


def _success(index: np.ndarray, i: int, target_rank: int | None, target_score: float, ties: str) -> np.ndarray:
    """Per candidate (rows of ``index``, candidates × entities): does entity ``i`` reach the target? A rank is
    ranked by the profile's tie rule; a score within the tie tolerance of the target reaches it."""
    mine = index[:, i]
    if target_rank is not None:
        return ~np.isnan(mine) & (rank_rows(index, ties)[:, i] <= target_rank)
    return ~np.isnan(mine) & (mine >= target_score - TOLERANCE * max(1.0, abs(target_score)))


def _index_batch(result: Result, states: np.ndarray, steps) -> np.ndarray:
    """Index scores of every entity for each candidate state (candidates × entities × nodes)."""
    count, n, width = states.shape
    if any(s.aggregation.method == "copeland" for s in steps):  # entities compete within a candidate only
        for state in states:
            run_steps(steps, state)
        return states[:, :, 0]
    flat = states.reshape(count * n, width)
    run_steps(steps, flat)
    return flat[:, 0].reshape(count, n)


def _cap(result: Result, k: int) -> tuple[float, str]:
    """The best value indicator ``k`` may take: its goalpost, its target, or the best observed value."""
    indicator = result.framework.indicators[k]
    method = result.weights.normalisation.method
    if method == "goalposts" and indicator.goalposts:
        return (indicator.goalposts[1] if indicator.direction > 0 else indicator.goalposts[0]), "goalpost"
    if method == "target" and indicator.target is not None:
        return indicator.target, "target"
    column = result.dataset.values[:, k]
    return (np.nanmax(column) if indicator.direction > 0 else np.nanmin(column)), "best observed value"


def _normalised(result: Result, i: int, k: int, candidates: np.ndarray) -> np.ndarray:
    """Indicator ``k`` normalised as the pipeline would with entity ``i``'s published value set to each candidate
    (entities × candidates): imputed and treated over every entity of the dataset (the pipeline's order:
    impute, treat, then screen; both work column by column, so one column is enough), then normalised over
    the entities that passed screening."""
    source, weights = result.source, result.weights
    indicator = source.framework.indicators[k]
    keep = np.isin(np.array(source.entities, dtype=object), np.array(result.entities, dtype=object))
    values = np.repeat(source.values[:, k : k + 1], len(candidates), axis=1)
    values[source.entities.index(result.entities[i]), :] = candidates
    if weights.denomination == "divide":  # the candidates are published values: divided as the pipeline divides
        values, _ = denominate(values, (indicator,) * len(candidates), source.inputs, source.entities)
    if weights.imputation.method != "none" or weights.treatment.method != "none":
        spec = weights.imputation
        history = None if source.history is None else source.history[:, :, k : k + 1]
        for g in range(len(candidates)):
            column, _ = impute(values[:, g : g + 1], spec.method, source.labels.get(spec.group), history,
                               source.years, source.year)  # fmt: skip
            if weights.treatment.method == "winsorise":
                treatment = weights.treatment
                column, _ = treat(column, source.entities, (indicator.id,), treatment.max_points, weights.audit)
            values[:, g] = column[:, 0]
    panel = None
    if weights.normalisation.over == "panel":  # every year's values, this year's with the candidate
        dataset = result.dataset
        panel = np.array(dataset.history[:, :, [k] * len(candidates)])
        panel[dataset.years.index(dataset.year)] = values[keep]
    return normalise(values[keep], (indicator,) * len(candidates), weights.normalisation, result.entities, panel)


def _indicator_move(result: Result, i: int, k: int, target_rank, target_score, steps) -> Move:
    framework, dataset = result.framework, result.dataset
    indicator = framework.indicators[k]
    column = result.column(indicator.id)
    raw = dataset.values[i, k]
    cap, why = _cap(result, k)
    start = raw if not np.isnan(raw) else (np.nanmin if indicator.direction > 0 else np.nanmax)(dataset.values[:, k])
    base = dict(node=indicator.id, label=indicator.label, level="indicator", current=float(result.scores[i, column]),
                raw_current=None if np.isnan(raw) else float(raw), unit=indicator.unit)  # fmt: skip
    if not (cap - start) * indicator.direction > 0:
        return Move(needed=None, reason=f"already at its {why}", **base)
    scores = np.array(result.scores)
    low, high = start, cap
    found = None
    for _ in range(ROUNDS):
        candidates = np.linspace(low, high, GRID)
        normalised = _normalised(result, i, k, candidates)
        states = np.repeat(scores[None, :, :], GRID, axis=0)
        states[:, :, column] = normalised.T
        states[:, :, : len(result.nodes) - len(framework.indicators)] = np.nan
        ok = _success(_index_batch(result, states, steps), i, target_rank, target_score, result.weights.ties)
        if not ok.any():
            break
        g = int(np.argmax(ok))
        found = (candidates[g], normalised[i, g])
        if g == 0:
            break
        low, high = candidates[g - 1], candidates[g]
    if found is None:
        return Move(needed=None, reason=f"not reachable even at its {why} ({cap:g})", **base)
    needed_raw, needed = found
    reaches = _rescored(result, {k: needed_raw}, i, target_rank, target_score)
    smaller = low  # the last grid value that missed: one step (range / 64⁴) short, however small the change
    verified = reaches and not _rescored(result, {k: smaller}, i, target_rank, target_score)
    return Move(needed=float(needed), raw_needed=float(needed_raw), reachable=True, verified=verified,
                reason="" if verified else "re-scoring did not confirm the minimum", **base)  # fmt: skip


def _rescored(result: Result, changes: dict[int, float], i: int, target_rank, target_score) -> bool:
    """Does the ordinary pipeline, on the dataset with ``changes`` to entity ``i``'s raw values, reach the target?"""
    source = result.source
    values = np.array(source.values)
    row = source.entities.index(result.entities[i])
    for k, value in changes.items():
        values[row, k] = value
    again = score(dataclasses.replace(source, values=values), result.weights)
    if result.entities[i] not in again.entities:
        return False
    mine = again.entities.index(result.entities[i])
    return bool(_success(again.scores[None, :, 0], mine, target_rank, target_score, result.weights.ties)[0])


def _pillar_moves(result: Result, i: int, nodes: list[str], target_rank, target_score, steps) -> list[Move]:
    """The smallest rise of each of ``nodes`` alone (siblings: the same steps above them) that reaches the target,
    others fixed; their searches run side by side, one batch of re-aggregations per round."""
    framework = result.framework
    ceiling_ = ceiling(result.weights.normalisation)
    upper = tuple(s for s in steps if s.node in set(framework.path(nodes[0])[:-1]))
    # Only entity i's row changes: without Copeland (entities compete) only that row is re-aggregated.
    alone = not any(s.aggregation.method == "copeland" for s in upper)
    moves, searched = {}, []
    for node in nodes:
        column = result.column(node)
        current = float(result.scores[i, column])
        cap = ceiling_ if ceiling_ is not None else float(np.nanmax(result.scores[:, column]))
        base = dict(node=node, label=framework.label(node), level=framework.level(node), current=current)
        if np.isnan(current):
            moves[node] = Move(needed=None, reason="no score", **base)
        elif not cap > current:
            moves[node] = Move(needed=None, reason="already at the top of the scale", **base)
        else:
            searched.append((node, column, cap, base))
    low = np.array([b["current"] for *_, b in searched])
    high = np.array([cap for _, _, cap, _ in searched])
    found = np.full(len(searched), np.nan)
    active = np.ones(len(searched), dtype=bool)
    for _ in range(ROUNDS):
        live = np.flatnonzero(active)
        if not len(live):
            break
        candidates = np.linspace(low[live], high[live], GRID, axis=1)  # live searches × GRID
        rows = result.scores[i : i + 1] if alone else result.scores
        states = np.repeat(np.array(rows)[None, :, :], len(live) * GRID, axis=0)
        for a, s in enumerate(live):
            states[a * GRID : (a + 1) * GRID, 0 if alone else i, searched[s][1]] = candidates[a]
        if alone:
            index = np.repeat(np.array(result.scores[None, :, 0]), len(states), axis=0)
            index[:, i] = _index_batch(result, states, upper)[:, 0]
        else:
            index = _index_batch(result, states, upper)
        ok = _success(index, i, target_rank, target_score, result.weights.ties).reshape(len(live), GRID)
        for a, s in enumerate(live):
            if not ok[a].any():
                active[s] = False
                continue
            g = int(np.argmax(ok[a]))
            found[s] = candidates[a, g]
            if g == 0:
                active[s] = False
            else:
                low[s], high[s] = candidates[a, g - 1], candidates[a, g]
    for (node, _, cap, base), needed in zip(searched, found, strict=True):
        moves[node] = (
            Move(needed=None, reason=f"not reachable even at {cap:g}", **base)
            if np.isnan(needed)
            else Move(needed=float(needed), reachable=True, verified=True, **base)
        )
    return [moves[node] for node in nodes]


def _to_raw(result: Result, i: int, k: int, value: float) -> float | None:
    """The published value of entity ``i`` that normalises to ``value`` with the dataset's current parameters
    (None if the normalisation has no inverse, as ranks do): through the ratio when the profile denominates."""
    indicator = result.framework.indicators[k]
    found = _inverse(result, k, value)
    if found is None or result.weights.denomination != "divide" or indicator.denominator is None:
        return found
    return float(found * result.dataset.inputs[indicator.denominator][i] / indicator.per)


def _inverse(result: Result, k: int, value: float) -> float | None:
    """The value (a ratio, when denominated) that normalises to ``value``."""
    indicator = result.framework.indicators[k]
    spec = result.weights.normalisation
    lo, hi = spec.range
    denominated = result.weights.denomination == "divide" and indicator.denominator is not None
    column = result.values[:, k] if denominated else result.dataset.values[:, k]
    if spec.over == "panel":
        column = result.dataset.history[:, :, k].ravel()
    d = indicator.direction
    unit = (value - lo) / (hi - lo)
    if spec.method == "minmax":
        mn, mx = np.nanmin(column), np.nanmax(column)
        return float(mn + (unit if d > 0 else 1 - unit) * (mx - mn))
    if spec.method in ("goalposts", "scaled"):
        low, high = indicator.goalposts
        return float(low + (unit if d > 0 else 1 - unit) * (high - low))
    if spec.method == "zscore":
        mu, sigma = np.nanmean(column), np.nanstd(column, ddof=1 if spec.sd_basis == "sample" else 0)
        return float(mu + (value - spec.mean) / (spec.sd * d) * sigma)
    worst = np.nanmin(column) if d > 0 else np.nanmax(column)
    if spec.method == "target":
        return float(worst + unit * (indicator.target - worst))
    if spec.method == "dist2ref":
        reference = column[result.entities.index(spec.reference)]
        return float(worst + unit * (reference - worst))
    if spec.method == "fracmax" and unit > 0:
        return float(unit * np.nanmax(column) if d > 0 else np.nanmin(column) / unit)
    return None


def _combined(result: Result, i: int, target_score: float, steps):
    """Minimum-norm change of normalised values reaching ``target_score`` with others fixed, within caps."""
    framework = result.framework
    first = len(result.nodes) - len(framework.indicators)
    row = np.array(result.scores[i])
    present = ~np.isnan(row[first:])
    ceiling_ = ceiling(result.weights.normalisation)
    caps = np.nanmax(result.scores[:, first:], axis=0) if ceiling_ is None else np.full(len(row) - first, ceiling_)
    room = np.where(present, np.maximum(caps - row[first:], 0.0), 0.0)
    needed = target_score - result.scores[i, 0]
    if all(s.aggregation.method == "arithmetic" for s in steps):
        weight = np.where(present, _effective_weights(result, i)[first:], 0.0)
        if weight @ room < needed - 1e-12:
            return None
        if weight @ room <= needed:  # reached only at the caps (within rounding): nothing to search
            return room
        low, high = 0.0, 1.0
        while weight @ np.minimum(high * weight, room) < needed:
            high *= 2
        for _ in range(200):  # water-filling: Δ_j = min(λ e_j, room_j), Σ e_j Δ_j = needed
            middle = (low + high) / 2
            low, high = (middle, high) if weight @ np.minimum(middle * weight, room) < needed else (low, middle)
        return np.minimum(high * weight, room)
    from scipy.optimize import minimize

    opponents = _opponents(result, i, steps)

    def index(delta):
        state = row.copy()
        state[first:] = np.where(present, row[first:] + delta, row[first:])
        return _evaluate(steps, first, opponents, state[None, :])[0]

    if index(room) < target_score:
        return None
    solution = minimize(
        lambda d: d @ d,
        room / 2,
        jac=lambda d: 2 * d,
        bounds=list(zip(np.zeros_like(room), room, strict=True)),
        constraints=[{"type": "ineq", "fun": lambda d: index(d) - target_score}],
        method="SLSQP",
    )
    delta = np.clip(solution.x, 0.0, room)
    if index(delta) >= target_score:
        return delta
    low, high = 0.0, 1.0  # the optimiser stops within its tolerance: step towards the caps until it is reached
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if index(delta + middle * (room - delta)) < target_score else (low, middle)
    return delta + high * (room - delta)


def what_it_takes(
    result: Result,
    entity: str,
    rank: int | None = None,
    score_: float | None = None,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
    alone: bool = True,
) -> Target:
    """The smallest single improvements, per indicator and per pillar, and the minimum-norm combined change,
    that bring ``entity`` to rank ``rank`` (or better) or to index score ``score_``. Progress counts the
    indicators searched (each is a batch of re-scorings), then the combined change. ``alone=False`` skips the
    search of each indicator alone (about 20 ms each): pillars and the combined change only."""
    if (rank is None) == (score_ is None):
        raise ConfigError("give a target rank or a target score", hint="--rank N or --score X")
    i = find_entity(result, entity)
    index = result.scores[:, 0]
    if np.isnan(index[i]):
        raise ConfigError(f"{entity!r} has no index score, so it has no rank to improve")
    if rank is not None:
        others = np.sort(np.delete(index, i)[~np.isnan(np.delete(index, i))])[::-1]
        if not 1 <= rank <= len(others) + 1:
            raise ConfigError(f"target rank {rank} is not between 1 and {len(others) + 1}")
        target_score = float(others[rank - 1]) if rank <= len(others) else -np.inf
    else:
        target_score = float(score_)
    steps, _ = plan(result.framework, result.weights)
    current_rank = float(result.rank(result.nodes[0])[i])
    reached = bool(_success(index[None, :], i, rank, target_score, result.weights.ties)[0])
    indicators, pillars, changes, norm, verified, note = (), (), (), None, False, ""
    if not reached:
        live = {result.nodes[c] for s in steps for c in s.children}
        searched = [k for k, ind in enumerate(result.framework.indicators) if ind.id in live and alone]
        moves = []
        for start, _ in batches(len(searched) + 1, 1, progress, cancelled):
            if start < len(searched):
                moves.append(_indicator_move(result, i, searched[start], rank, target_score, steps))
                continue
            groups: dict[str, list[str]] = {}  # siblings share the steps above them: searched together
            for s in steps[:-1]:
                groups.setdefault(result.framework.parent(s.node), []).append(s.node)
            found = {
                m.node: m
                for nodes in groups.values()
                for m in _pillar_moves(result, i, nodes, rank, target_score, steps)
            }
            pillars = tuple(found[s.node] for s in steps[:-1])
            delta = _combined(result, i, target_score, steps)
        indicators = tuple(moves)
        if delta is None:
            note = "not reachable even with every indicator at its cap"
        else:
            first = len(result.nodes) - len(result.framework.indicators)
            raw_changes = {}
            parts = []
            for k in np.flatnonzero(delta > 1e-9):
                now = float(result.scores[i, first + k])
                raw = _to_raw(result, i, int(k), now + float(delta[k]))
                parts.append(Change(result.framework.indicators[k].id, now, now + float(delta[k]),
                                    float(result.dataset.values[i, k]), raw))  # fmt: skip
                raw_changes[int(k)] = raw
            changes, norm = tuple(parts), float(np.linalg.norm(delta))
            if any(v is None for v in raw_changes.values()):
                note = "this normalisation has no inverse: the change is in normalised points only"
            else:
                verified = _rescored(result, raw_changes, i, rank, target_score)
                note = "" if verified else "re-scored, it falls short: the normalisation or the others' scores moved"
    return Target(
        entity=result.entities[i],
        name=result.dataset.names[i],
        score=float(index[i]),
        rank=current_rank,
        target_rank=rank,
        target_score=target_score,
        reached=reached,
        indicators=indicators,
        pillars=pillars,
        combined=changes,
        combined_norm=norm,
        combined_verified=verified,
        combined_note=note,
    )
