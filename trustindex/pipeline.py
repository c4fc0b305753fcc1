"""Dataset + Weights → Result: normalise → aggregate → rank, with every gap recorded."""

from __future__ import annotations

import warnings

import numpy as np

from .aggregate import aggregate
from .errors import ConfigError, did_you_mean
from .io.toml import locate
from .model import Dataset, Notice, Result, Weights, readonly
from .normalise import normalise

COVERAGE_DECIMALS = 3
"""Coverage is rounded to this many decimals before the comparison, so min_coverage = 0.667 means two thirds."""


def check_fit(dataset: Dataset, weights: Weights) -> None:
    """Raise ConfigError when ``weights`` names nodes or a framework that ``dataset`` does not have."""
    framework = dataset.framework

    def fail(message: str, table: tuple[str, ...], key: str | None, hint: str | None):
        line, column = locate(weights.path, table, key)
        raise ConfigError(message, path=weights.path, line=line, column=column, hint=hint)

    if weights.framework and framework.name and weights.framework != framework.name:
        fail(
            f"weights profile {weights.name!r} is for framework {weights.framework!r}, "
            f"but dataset {dataset.name!r} uses {framework.name!r}",
            (),
            "framework",
            "choose a profile written for this dataset's framework",
        )
    known = set(framework.node_ids)
    for node_id in weights.weights:
        if node_id not in known:
            fail(
                f"weight for {node_id!r}, which is not a pillar or indicator of dataset {dataset.name!r}",
                ("weights",),
                node_id,
                did_you_mean(node_id, known),
            )
    for parent in framework.aggregates_bottom_up():
        children = framework.children(parent)
        if children and not any(weights.weight(c) > 0 for c in children):
            fail(
                f"every weight under {parent!r} is zero ({', '.join(children)})",
                ("weights",),
                None,
                "give at least one of them a positive weight",
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


def _data_notices(dataset: Dataset, missing: np.ndarray) -> list[Notice]:
    """Notices about the data itself: the dataset's own notice, missing values, constant indicators."""
    framework, entities = dataset.framework, np.array(dataset.entities, dtype=object)
    notices = [Notice("dataset", dataset.notice)] if dataset.notice else []
    notices += dataset.notices
    for j in np.flatnonzero(missing.any(axis=0)):
        who = tuple(entities[missing[:, j]])
        notices.append(Notice("missing", f"{len(who)} missing value(s)", framework.indicators[j].id, who))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        constant = np.nanmin(dataset.values, axis=0) == np.nanmax(dataset.values, axis=0)
    constant &= np.sum(~missing, axis=0) > 1
    for j in np.flatnonzero(constant):
        notices.append(
            Notice("constant", "constant indicator: every entity gets the same score", framework.indicators[j].id)
        )
    return notices


def score(dataset: Dataset, weights: Weights) -> Result:
    """Score every entity at every node of the framework."""
    check_fit(dataset, weights)
    framework = dataset.framework
    nodes = framework.node_ids
    col = {node: j for j, node in enumerate(nodes)}
    n, first = len(dataset.entities), len(nodes) - len(framework.indicators)
    entities = np.array(dataset.entities, dtype=object)
    missing = np.isnan(dataset.values)
    notices = _data_notices(dataset, missing)

    scores = np.empty((n, len(nodes)), order="F")  # columns contiguous: nodes are read whole
    scores[:, first:] = normalise(dataset.values, framework.indicators, weights.normalisation)
    coverage = np.empty((n, len(nodes)), order="F")
    np.logical_not(missing, out=coverage[:, first:], casting="unsafe")
    below = np.zeros((n, len(nodes)), dtype=bool, order="F")

    live = set(framework.indicator_ids)
    for node in framework.aggregates_bottom_up():
        kids = [c for c in framework.children(node) if c in live and weights.weight(c) > 0]
        j = col[node]
        if not kids:
            scores[:, j], coverage[:, j] = np.nan, 0.0
            message = "no indicators with positive weight: left out, its weight shared by its siblings"
            notices.append(Notice("empty", message, node))
            continue
        live.add(node)
        spec = weights.aggregation_for(framework.level(node))
        x = scores[:, [col[c] for c in kids]]
        w = np.array([weights.weight(c) for c in kids])
        coverage[:, j] = np.mean(~np.isnan(x), axis=1)
        scores[:, j] = aggregate(x, w, spec.method, spec.p)
        below[:, j] = (np.round(coverage[:, j], COVERAGE_DECIMALS) < spec.min_coverage) & ~np.isnan(scores[:, j])
        if below[:, j].any():
            scores[below[:, j], j] = np.nan
            message = f"below minimum coverage {spec.min_coverage:.2f}: score left missing"
            notices.append(Notice("coverage", message, node, tuple(entities[below[:, j]])))

    unranked = np.isnan(scores[:, 0])
    if unranked.any():
        notices.append(Notice("unranked", "no index score: not ranked", nodes[0], tuple(entities[unranked])))

    return Result(
        dataset=dataset,
        weights=weights,
        nodes=nodes,
        scores=readonly(scores, copy=False),
        coverage=readonly(coverage, copy=False),
        below_coverage=readonly(below, bool, copy=False),
        shares=readonly(nominal_shares(dataset, weights, nodes, live), copy=False),
        notices=tuple(notices),
    )
