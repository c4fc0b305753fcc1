"""Dataset + Weights → Result: normalise → aggregate → rank, with every gap recorded."""

from __future__ import annotations

import numpy as np

from .aggregate import aggregate
from .errors import ConfigError, did_you_mean
from .io.toml import locate
from .model import Dataset, Notice, Result, Weights, readonly
from .normalise import normalise
from .ranking import rank_scores


def check_fit(dataset: Dataset, weights: Weights) -> None:
    """Raise ConfigError when ``weights`` names nodes or a framework that ``dataset`` does not have."""
    framework = dataset.framework
    if weights.framework and framework.name and weights.framework != framework.name:
        raise ConfigError(
            f"weights profile {weights.name!r} is for framework {weights.framework!r}, "
            f"but dataset {dataset.name!r} uses {framework.name!r}",
            path=weights.path,
            hint="choose a profile written for this dataset's framework",
        )
    known = set(framework.node_ids)
    for node_id in weights.weights:
        if node_id not in known:
            line, column = locate(weights.path, ("weights",), node_id)
            raise ConfigError(
                f"weight for {node_id!r}, which is not a pillar or indicator of dataset {dataset.name!r}",
                path=weights.path,
                line=line,
                column=column,
                hint=did_you_mean(node_id, known),
            )
    for parent in framework.aggregates_bottom_up():
        children = framework.children(parent)
        if children and not any(weights.weight(c) > 0 for c in children):
            raise ConfigError(
                f"every weight under {parent!r} is zero ({', '.join(children)})",
                path=weights.path,
                hint="give at least one of them a positive weight",
            )


def nominal_shares(dataset: Dataset, weights: Weights, nodes: tuple[str, ...], live) -> np.ndarray:
    """Each node's share of the index: the product of its within-group weight shares down the tree."""
    framework = dataset.framework
    share = {framework.index.id: 1.0}
    for parent in reversed(framework.aggregates_bottom_up()):
        kids = [c for c in framework.children(parent) if c in live]
        total = sum(weights.weight(c) for c in kids)
        for c in kids:
            share[c] = share.get(parent, 0.0) * (weights.weight(c) / total if total > 0 else 0.0)
    return np.array([share.get(n, 0.0) for n in nodes])


def score(dataset: Dataset, weights: Weights) -> Result:
    """Score every entity at every node of the framework."""
    check_fit(dataset, weights)
    framework = dataset.framework
    nodes = framework.node_ids
    col = {node: j for j, node in enumerate(nodes)}
    n = len(dataset.entities)
    entities = np.array(dataset.entities, dtype=object)
    notices: list[Notice] = []
    if dataset.notice:
        notices.append(Notice("dataset", dataset.notice))

    scores = np.full((n, len(nodes)), np.nan)
    coverage = np.zeros((n, len(nodes)))
    below = np.zeros((n, len(nodes)), dtype=bool)
    first = len(nodes) - len(framework.indicators)
    scores[:, first:] = normalise(dataset.values, framework.indicators, weights.normalisation)
    coverage[:, first:] = ~np.isnan(dataset.values)

    missing = np.isnan(dataset.values)
    if missing.any():
        for j in np.flatnonzero(missing.any(axis=0)):
            who = tuple(entities[missing[:, j]])
            notices.append(Notice("missing", f"{len(who)} missing value(s)", framework.indicators[j].id, who))
    for j, indicator in enumerate(framework.indicators):
        observed = dataset.values[~missing[:, j], j]
        if observed.size > 1 and np.all(observed == observed[0]):
            notices.append(Notice("constant", "constant indicator: every entity gets the centre score", indicator.id))

    live = set(framework.indicator_ids)
    for node in framework.aggregates_bottom_up():
        kids = [c for c in framework.children(node) if c in live]
        if not kids:
            notices.append(Notice("empty", "no indicators: left out, its weight shared by its siblings", node))
            continue
        live.add(node)
        spec = weights.aggregation_for(framework.level(node))
        x = scores[:, [col[c] for c in kids]]
        w = np.array([weights.weight(c) for c in kids])
        counted = w > 0
        cov = np.sum(~np.isnan(x[:, counted]), axis=1) / counted.sum()
        value = aggregate(x, w, spec.method, spec.p)
        short = (cov < spec.min_coverage - 1e-12) & ~np.isnan(value)
        value[short] = np.nan
        scores[:, col[node]] = value
        coverage[:, col[node]] = cov
        below[:, col[node]] = short
        if short.any():
            notices.append(
                Notice(
                    "coverage",
                    f"below minimum coverage {spec.min_coverage:.2f}: score left missing",
                    node,
                    tuple(entities[short]),
                )
            )

    unranked = np.isnan(scores[:, 0])
    if unranked.any():
        notices.append(Notice("unranked", "no index score: not ranked", framework.index.id, tuple(entities[unranked])))

    return Result(
        dataset=dataset,
        weights=weights,
        nodes=nodes,
        scores=readonly(scores),
        ranks=readonly(rank_scores(scores, weights.ties)),
        coverage=readonly(coverage),
        below_coverage=readonly(below, bool),
        shares=readonly(nominal_shares(dataset, weights, nodes, live)),
        notices=tuple(notices),
    )
