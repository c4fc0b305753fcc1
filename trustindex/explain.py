"""Why an entity scores what it scores: exact contributions, strengths and weaknesses, comparisons.

Contributions are an exact decomposition of the index score:

* when every level aggregates arithmetically, indicator i contributes ``e_i · n_i``, its effective
  weight (its share of the index after renormalising over the entity's available components) times its
  normalised value; the contributions sum to the score;
* otherwise they are the exact Shapley values of the game "switch indicators from the baseline entity
  to this entity", in the form that respects the index tree (the Owen–Winter level-structure value):
  a pillar's contribution is the exact Shapley value of that pillar among its siblings, and it is
  shared among its own components by their exact Shapley values. They sum to score − baseline score.

The baseline is the average entity (the mean normalised value of every indicator) unless another
entity is named; :func:`compare` uses the second entity as the baseline, so the gap between two
entities splits exactly into indicator contributions. (With a Copeland level and another entity as the
baseline, the two entities swap the values outside the coalition and the field is re-scored, so the empty
coalition scores exactly as that entity.)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from math import factorial

import numpy as np

from .engine import plan, run_steps
from .errors import ConfigError, did_you_mean
from .model import Notice, Record, Result, readonly

MAX_COALITIONS = 2**22
"""Largest number of coalitions evaluated for one indicator's exact Shapley value."""


@dataclass(frozen=True, eq=False)
class Part(Record):
    """One node of an entity's explanation."""

    node: str
    label: str
    level: str
    parent: str | None
    depth: int
    score: float
    """Normalised value (indicator) or aggregate score."""
    rank: float
    contribution: float
    nominal_weight: float
    """Share of the index by the profile's weights alone."""
    effective_weight: float
    """Share of the index for this entity, renormalised over its available components."""
    coverage: float
    raw: float | None = None
    unit: str = ""
    source: str = ""
    year: int | None = None
    formula: str | None = None
    note: str = ""
    missing: bool = False
    used: float | None = None
    """The value after denomination, imputation and outlier treatment, when any changed it."""
    how: str = ""
    """What changed it: ``÷ COLUMN VALUE``, ``imputed (METHOD)``, ``winsorised`` or ``log``."""
    denominator: str | None = None
    """The column the published value was divided by (when the profile denominates)."""
    denominator_value: float | None = None
    ratio: float | None = None
    """The published value over the denominator, times the indicator's ``per``."""


@dataclass(frozen=True, eq=False)
class Explanation(Record):
    """Everything needed to render why ``entity`` scores what it scores, without recomputing."""

    entity: str
    name: str
    score: float
    rank: float
    ranked: int
    method: str
    """``linear`` (contributions sum to the score) or ``shapley`` (they sum to score − baseline)."""
    baseline: str
    baseline_score: float
    parts: tuple[Part, ...]
    strengths: tuple[str, ...]
    weaknesses: tuple[str, ...]
    notices: tuple[Notice, ...]
    summary: str

    def part(self, node: str) -> Part:
        return next(p for p in self.parts if p.node == node)


def find_entity(result: Result, name: str) -> int:
    """Position of an entity given by id or display name (case-insensitive)."""
    dataset = result.dataset
    for i, (entity, label) in enumerate(zip(dataset.entities, dataset.names, strict=True)):
        if name == entity or name.casefold() in (entity.casefold(), label.casefold()):
            return i
    for entity, label in zip(result.screened, result.screened_names, strict=True):
        if name.casefold() in (entity.casefold(), label.casefold()):
            raise ConfigError(
                f"{entity!r} was left out by screening: under {result.weights.screening:g} of its indicators are "
                "available", hint="lower [screening] min_coverage to score it")  # fmt: skip
    raise ConfigError(
        f"no entity {name!r} in dataset {dataset.name!r}",
        hint=did_you_mean(name, [*dataset.entities, *dataset.names]) or "see `trustindex score` for the ids",
    )


def _tree(result: Result) -> list[tuple[str, int]]:
    framework = result.framework

    def walk(node: str, depth: int):
        yield node, depth
        for child in framework.children(node):
            yield from walk(child, depth + 1)

    return list(walk(framework.index.id, 0))


def _effective_weights(result: Result, i: int) -> np.ndarray:
    """Each node's share of the index for entity ``i``: within-group weights renormalised over its available
    components, multiplied down the tree (what an arithmetic index actually gives each value)."""
    steps, _ = plan(result.framework, result.weights)
    share = np.zeros(len(result.nodes))
    share[0] = 1.0
    for step in reversed(steps):
        available = ~np.isnan(result.scores[i, list(step.children)])
        total = step.weights[available].sum()
        if total > 0:
            share[list(step.children)] = np.where(available, step.weights / total, 0.0) * share[step.column]
    return share


def _baseline_row(result: Result, baseline: str | None) -> tuple[np.ndarray, str]:
    if baseline in (None, "mean"):
        with warnings.catch_warnings():  # a column missing for every entity has no mean: NaN, silently
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(result.scores, axis=0), "mean"
    j = find_entity(result, baseline)
    return result.scores[j].copy(), result.entities[j]


def _shapley(result: Result, i: int, base: np.ndarray, swap: int | None = None) -> np.ndarray:
    """Exact level-structure Shapley values of every node for entity ``i`` against the ``base`` row (entity
    ``swap``'s row, when given: see :func:`_swapped`)."""
    steps, _ = plan(result.framework, result.weights)
    children = {step.column: step.children for step in steps}
    parent = {c: step.column for step in steps for c in step.children}
    first = len(result.nodes) - len(result.framework.indicators)
    leaves = sorted(c for c in parent if c >= first)

    def leaves_under(column: int) -> list[int]:
        return [column] if column >= first else [x for c in children[column] for x in leaves_under(c)]

    actual = result.scores[i]
    opponents = _opponents(result, i, steps)
    values = np.zeros(len(result.nodes))
    for leaf in leaves:
        # At each ancestor, the subsets of the path node's siblings, with their Shapley weights.
        masks, weights = [np.zeros((1, len(result.nodes)), dtype=bool)], [np.ones(1)]
        node = leaf
        while node in parent:
            up = parent[node]
            siblings = [c for c in children[up] if c != node]
            k = len(siblings) + 1
            subsets = np.array(list(np.ndindex(*(2,) * len(siblings))), dtype=bool).reshape(2 ** len(siblings), -1)
            level_mask = np.zeros((len(subsets), len(result.nodes)), dtype=bool)
            for s, sibling in enumerate(siblings):
                level_mask[np.ix_(subsets[:, s], leaves_under(sibling))] = True
            sizes = subsets.sum(axis=1)
            level_weight = np.array([factorial(m) * factorial(k - 1 - m) / factorial(k) for m in sizes])
            masks.append(level_mask)
            weights.append(level_weight)
            node = up
        count = int(np.prod([len(w) for w in weights]))
        if count > MAX_COALITIONS:
            raise ConfigError(
                f"exact attribution for {result.nodes[leaf]!r} needs {count:,} coalitions",
                hint="a group has too many components for exact Shapley values; use arithmetic aggregation there",
            )
        mask = masks[0]
        weight = weights[0]
        for level_mask, level_weight in zip(masks[1:], weights[1:], strict=True):
            mask = (mask[:, None, :] | level_mask[None, :, :]).reshape(-1, len(result.nodes))
            weight = (weight[:, None] * level_weight[None, :]).reshape(-1)
        rows = np.where(mask, actual, base)
        with_leaf = rows.copy()
        with_leaf[:, leaf] = actual[leaf]
        if swap is None:
            v = _evaluate(steps, first, opponents, np.vstack([rows, with_leaf]))
        else:
            partners = np.where(mask, base, actual)
            without = partners.copy()
            without[:, leaf] = base[leaf]
            v = _swapped(result, steps, first, i, swap, np.vstack([rows, with_leaf]), np.vstack([partners, without]))
        values[leaf] = np.sum(weight * (v[len(rows) :] - v[: len(rows)]))
    for step in steps:  # bottom-up: an aggregate's contribution is the sum of its components'
        values[step.column] = values[list(step.children)].sum()
    return values


def _opponents(result: Result, i: int, steps) -> np.ndarray | None:
    """The other entities' actual rows, when a Copeland level needs a field to score hypothetical rows against."""
    if any(s.aggregation.method == "copeland" for s in steps):
        return np.delete(result.scores, i, axis=0)
    return None


def _swapped(result: Result, steps, first: int, i: int, j: int, rows: np.ndarray, partners: np.ndarray) -> np.ndarray:
    """Index scores of entity ``i`` holding each of ``rows`` while entity ``j`` holds the values ``i`` gave up
    (``partners``), the whole field re-scored: with Copeland against another entity, so that the full coalition
    scores exactly as ``i`` and the empty one exactly as ``j`` (a fixed field would pit ``j`` against itself)."""
    state = np.array(result.scores)
    out = np.empty(len(rows))
    for r in range(len(rows)):
        state[i], state[j] = rows[r], partners[r]
        state[:, :first] = np.nan
        run_steps(steps, state)
        out[r] = state[i, 0]
    return out


def _evaluate(steps, first: int, opponents: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
    """Index scores of hypothetical rows (indicator columns filled), Copeland levels scored against ``opponents``."""
    states = rows.copy()
    states[:, :first] = np.nan
    run_steps(steps, states, opponents)
    return states[:, 0]


@dataclass(frozen=True, eq=False)
class Contributions(Record):
    """Every node's exact contribution to one entity's index score."""

    values: np.ndarray
    """Per node (result order), read-only."""
    method: str
    """``linear`` (they sum to the score; baseline score 0) or ``shapley`` (they sum to score − baseline)."""
    baseline_score: float
    baseline: str
    """``zero``, ``mean`` (the average entity) or the baseline entity's id."""


def contributions(result: Result, entity: str, baseline: str | None = None) -> Contributions:
    """Exact contributions of every node to ``entity``'s index score (see :class:`Contributions`)."""
    i = find_entity(result, entity)
    steps, _ = plan(result.framework, result.weights)
    if baseline is None and all(s.aggregation.method == "arithmetic" for s in steps):
        share = _effective_weights(result, i)
        values = np.where(np.isnan(result.scores[i]), 0.0, share * result.scores[i])
        for step in steps:
            values[step.column] = values[list(step.children)].sum()
        return Contributions(readonly(values), "linear", 0.0, "zero")
    base, name = _baseline_row(result, baseline)
    first = len(result.nodes) - len(result.framework.indicators)
    j = None if name == "mean" else result.entities.index(name)
    if j is not None and j != i and _opponents(result, i, steps) is not None:
        baseline_score = float(_swapped(result, steps, first, i, j, base[None, :], result.scores[i][None, :])[0])
        return Contributions(readonly(_shapley(result, i, base, swap=j)), "shapley", baseline_score, name)
    baseline_score = float(_evaluate(steps, first, _opponents(result, i, steps), base[None, :])[0])
    return Contributions(readonly(_shapley(result, i, base)), "shapley", baseline_score, name)


def _strengths(result: Result, i: int, count: int = 3) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The indicators where entity ``i`` ranks best (of those in the better half of the entities ranked on
    it) and worst (of those in the worse half): a last-placed entity has no strengths to name."""
    ranked = []
    for indicator in result.framework.indicator_ids:
        ranks = result.rank(indicator)
        if not np.isnan(ranks[i]):
            middle = (np.count_nonzero(~np.isnan(ranks)) + 1) / 2
            ranked.append((ranks[i], -result.scores[i, result.column(indicator)], indicator, ranks[i] - middle))
    ranked.sort()
    best = tuple(r[2] for r in ranked if r[3] < 0)[:count]
    worst = tuple(r[2] for r in reversed(ranked) if r[3] > 0)[:count]
    return best, worst


def _summary(result: Result, i: int, parts: dict[str, Part], strengths, weaknesses) -> str:
    framework = result.framework
    names = result.dataset.names
    index = parts[framework.index.id]
    if np.isnan(index.score):
        return f"{names[i]} has no index score: too few of its values are available."
    ranked = int(np.sum(~np.isnan(result.rank(result.nodes[0]))))
    pillars = [parts[c] for c in framework.children(framework.index.id) if c in parts and not np.isnan(parts[c].score)]
    lines = [f"{names[i]} ranks {index.rank:g} of {ranked} with {index.score:.1f}."]
    if pillars:
        top = max(pillars, key=lambda p: p.score)
        low = min(pillars, key=lambda p: p.score)
        if top is not low:
            lines.append(
                f"Its strongest pillar is {top.label} ({top.score:.1f}), its weakest {low.label} ({low.score:.1f})."
            )
    if strengths:
        lines.append("It ranks best on " + ", ".join(framework.label(s) for s in strengths) + ".")
    if weaknesses:
        lines.append("It ranks worst on " + ", ".join(framework.label(w) for w in weaknesses) + ".")
    order = result.order()
    leader = int(order[0])
    if leader != i and pillars:
        gaps = [(result.scores[leader, result.column(p.node)] - p.score, p) for p in pillars]
        gap, pillar = max(gaps, key=lambda g: g[0])
        if gap > 0:
            lines.append(f"The largest gap to the leader, {names[leader]}, is in {pillar.label} ({gap:.1f} points).")
    return " ".join(lines)


def explain(result: Result, entity: str, baseline: str | None = None) -> Explanation:
    """Explain ``entity``'s score: every node's value, weight and exact contribution, and what stands out."""
    i = find_entity(result, entity)
    framework, dataset = result.framework, result.dataset
    found = contributions(result, entity, baseline)
    values, method, baseline_score, baseline_name = found.values, found.method, found.baseline_score, found.baseline
    effective = _effective_weights(result, i)
    indicators = {ind.id: (j, ind) for j, ind in enumerate(framework.indicators)}
    parts = {}
    for node, depth in _tree(result):
        j = result.column(node)
        extra = {}
        if node in indicators:
            k, ind = indicators[node]
            raw = float(dataset.values[i, k])
            extra = dict(raw=raw, unit=ind.unit, source=ind.source, year=ind.year or dataset.year,
                         formula=ind.formula, note=dataset.notes.get((dataset.entities[i], node), ""),
                         missing=bool(np.isnan(raw)))  # fmt: skip
            changed = [t.method for t in result.treated if t.entity == dataset.entities[i] and t.indicator == node]
            if result.imputed is not None and result.imputed[i, k]:
                changed.insert(0, f"imputed ({result.weights.imputation.method})")
            if result.weights.denomination == "divide" and ind.denominator is not None:
                size = float(dataset.inputs[ind.denominator][i])
                ratio = raw / size * ind.per if abs(size) > 0 else math.nan
                extra.update(denominator=ind.denominator, denominator_value=size, ratio=ratio)
                changed.insert(0, f"÷ {ind.denominator} {size:.6g}" + (f" × {ind.per:g}" if ind.per != 1 else ""))
            if changed:
                extra.update(used=float(result.values[i, k]), how=", then ".join(changed))
        parts[node] = Part(
            node=node,
            label=framework.label(node),
            level=framework.level(node),
            parent=framework.parent(node),
            depth=depth,
            score=float(result.scores[i, j]),
            rank=float(result.rank(node)[i]),
            contribution=float(values[j]),
            nominal_weight=float(result.shares[j]),
            effective_weight=float(effective[j]),
            coverage=float(result.coverage[i, j]),
            **extra,
        )
    strengths, weaknesses = _strengths(result, i)
    entity_id = dataset.entities[i]
    notices = tuple(n for n in result.notices if not n.entities or entity_id in n.entities)
    return Explanation(
        entity=entity_id,
        name=dataset.names[i],
        score=float(result.scores[i, 0]),
        rank=float(result.rank(result.nodes[0])[i]),
        ranked=int(np.sum(~np.isnan(result.rank(result.nodes[0])))),
        method=method,
        baseline=baseline_name,
        baseline_score=baseline_score,
        parts=tuple(parts.values()),
        strengths=strengths,
        weaknesses=weaknesses,
        notices=notices,
        summary=_summary(result, i, parts, strengths, weaknesses),
    )


@dataclass(frozen=True, eq=False)
class Comparison(Record):
    """Two entities side by side, with the score gap split exactly into indicator contributions."""

    first: Explanation
    second: Explanation
    gap: np.ndarray
    """Per node (result order): the contribution to score(first) − score(second)."""
    method: str
    nodes: tuple[str, ...]


def compare(result: Result, first: str, second: str) -> Comparison:
    """Compare two entities; the gap contributions sum to the difference of their index scores."""
    a, b = explain(result, first), explain(result, second)
    if a.method == "linear":
        gap, method = contributions(result, first).values - contributions(result, second).values, "linear"
    else:
        gap, method = contributions(result, first, baseline=b.entity).values, "shapley"
    return Comparison(a, b, readonly(gap), method, result.nodes)
