"""Trends over the years of a panel: each entity's score and rank per year, and the change between two years
split exactly into the contributions of the pillars and indicators that caused it.

The split is the one ``compare`` makes between two entities, here between an entity's first and last year:
the Owen value of the index tree over its normalised values (Shapley values within each group), with the
first year's values as the baseline, so the contributions sum exactly to the change; the change is re-scored
from the first year's values to check it. Both years are scored with the same profile; what would make the
years incomparable is flagged: a normalisation within each year (a change then includes the field's moves:
``over = "panel"`` or goalposts avoid it), an indicator missing in one of the years, entities in one year only.
Copeland's pairwise score depends on the other entities of the year and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import plan
from .errors import ConfigError
from .explain import _evaluate, _shapley
from .model import Notice, Record, Result, readonly

WITHIN_YEAR = frozenset({"minmax", "zscore", "rank", "borda", "percentile", "dist2ref", "fracmax"})
"""Normalisations that read the scored year's data: their scores move when the field does."""


@dataclass(frozen=True, eq=False)
class Trend(Record):
    years: tuple[int, ...]
    entities: tuple[str, ...]
    """The entities scored in the first and the last year."""
    names: tuple[str, ...]
    nodes: tuple[str, ...]
    scores: np.ndarray
    """Index scores (years × entities), NaN where an entity is not scored that year."""
    ranks: np.ndarray
    change: np.ndarray
    """Last year's index score minus the first's (entities)."""
    contributions: np.ndarray
    """Each node's exact share of the change (entities × nodes); an aggregate's is the sum of its components'."""
    notices: tuple[Notice, ...] = ()


def span(dataset, start: int | None, end: int | None, names: tuple[str, str] = ("--from", "--to")) -> list[int]:
    """The years of panel ``dataset`` from ``start`` to ``end`` (its first and last by default), two at least;
    ``names`` are what the caller calls the two bounds, for the errors."""
    if not dataset.years:
        raise ConfigError(f"dataset {dataset.name!r} has no years", hint="trends needs a panel dataset")
    first = dataset.years[0] if start is None else start
    last = dataset.years[-1] if end is None else end
    for name, value in zip(names, (first, last), strict=True):
        if value not in dataset.years:
            raise ConfigError(f"{name} {value}: dataset {dataset.name!r} has no such year",
                              hint=f"its years: {dataset.years[0]}–{dataset.years[-1]}")  # fmt: skip
    chosen = [y for y in dataset.years if first <= y <= last]
    if len(chosen) < 2:
        raise ConfigError(f"{names[0]} {first} {names[1]} {last} spans fewer than two years",
                          hint="give a range of years")  # fmt: skip
    return chosen


def trends(results: list[Result]) -> Trend:
    """The trend over ``results`` (one per year, in order, scored with one profile)."""
    first, last = results[0], results[-1]
    years = tuple(int(r.dataset.year) for r in results)
    steps, _ = plan(last.framework, last.weights)
    if any(s.aggregation.method == "copeland" for s in steps):
        raise ConfigError("Copeland's pairwise scores depend on each year's field: a change between years cannot be "
                          "split", hint="use another aggregation for trends")  # fmt: skip
    entities = tuple(e for e in last.entities if e in first.entities)
    notices = []
    norm = last.weights.normalisation
    if norm.method in WITHIN_YEAR and norm.over != "panel":
        notices.append(Notice("trend", f"{norm.method} normalisation within each year: a change of score includes "
                              "the other entities' moves; set [normalisation] over = \"panel\" (or use goalposts) "
                              "to compare the years on one scale"))  # fmt: skip
    gone = sorted(set(first.entities) ^ set(last.entities))
    if gone:
        notices.append(Notice("trend", f"entities scored in only one of {years[0]} and {years[-1]}: no change",
                              entities=tuple(gone)))  # fmt: skip
    columns = len(last.nodes) - len(last.framework.indicators)
    for k, indicator in enumerate(last.framework.indicator_ids):
        absent = [y for y, r in zip(years, results, strict=True) if np.isnan(r.scores[:, columns + k]).all()]
        if absent:
            notices.append(Notice("trend", f"no values in {', '.join(map(str, absent))}", indicator))
    scores = np.full((len(results), len(entities)), np.nan)
    ranks = np.full_like(scores, np.nan)
    for y, result in enumerate(results):
        index, rank = result.index_scores(), result.rank(result.nodes[0])
        for e, entity in enumerate(entities):
            if entity in result.entities:
                scores[y, e] = index[result.entities.index(entity)]
                ranks[y, e] = rank[result.entities.index(entity)]
    contributions = np.zeros((len(entities), len(last.nodes)))
    for e, entity in enumerate(entities):
        i, j = last.entities.index(entity), first.entities.index(entity)
        base = np.array(first.scores[j])
        if np.isnan(scores[0, e]) or np.isnan(scores[-1, e]):
            contributions[e] = np.nan
            continue
        again = float(_evaluate(steps, columns, None, base[None, :])[0])
        if not np.isclose(again, scores[0, e], rtol=1e-9, atol=1e-9 * max(1.0, abs(scores[0, e]))):
            raise ConfigError(f"{entity!r}: re-scoring {years[0]} under {years[-1]}'s plan gives {again:g}, not "
                              f"{scores[0, e]:g}", hint="the years do not share the profile's tree")  # fmt: skip
        contributions[e] = _shapley(last, i, base)
    return Trend(years, entities, tuple(last.dataset.names[last.entities.index(e)] for e in entities), last.nodes,
                 readonly(scores), readonly(ranks), readonly(scores[-1] - scores[0]), readonly(contributions),
                 tuple(notices))  # fmt: skip
