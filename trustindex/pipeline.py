"""Dataset + Weights → Result: impute → treat → screen → normalise → aggregate → rank, every gap recorded.

A scoring is the :class:`~trustindex.engine.Engine` run once with the profile's own weights and choices.
"""

from __future__ import annotations

import warnings

import numpy as np

from .engine import Engine
from .model import Dataset, Notice, Result, Weights, readonly


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
    """Score every entity at every node of the framework: impute → treat → screen → normalise → aggregate."""
    engine = Engine(dataset, weights)
    weights, full, dataset = engine.weights, engine.source, engine.dataset
    variant = engine.nominal_variant()
    prepared = engine.prepared(variant)
    framework, nodes = dataset.framework, engine.nodes
    entities = np.array(dataset.entities, dtype=object)
    notices = [*_data_notices(dataset, np.isnan(dataset.values)), *weights.notices]
    if engine.screened:
        basis = ""
        if weights.imputation.method != "none":
            basis = " before imputation" if weights.screening_basis == "raw" else " after imputation"
        message = f"left out of the ranking: under {weights.screening:g} of the indicators available{basis}"
        notices.append(Notice("screened", message, None, engine.screened))
    notices += prepared.notices
    run = engine.node_scores(engine.nominal, variant)
    live = set(framework.indicator_ids) | {step.node for step in engine.steps if run.live[0, step.column]}
    for node in framework.aggregates_bottom_up():
        if node not in live:
            why = "no indicators with positive weight" if framework.indicators_under(node) else "no indicators"
            notices.append(Notice("empty", f"{why}: left out, its weight shared by its siblings", node))
    below = run.below[0]
    for step, spec in zip(engine.steps, variant.aggregation, strict=True):
        short = below[:, step.column]
        if short.any():
            message = f"below minimum coverage {spec.min_coverage:.2f}: score left missing"
            notices.append(Notice("coverage", message, step.node, tuple(entities[short])))
    scores = np.asfortranarray(run.scores[0])  # columns contiguous: nodes are read whole
    notices += engine.zero_notices(variant, scores)
    unranked = np.isnan(scores[:, 0])
    if unranked.any():
        notices.append(Notice("unranked", "no index score: not ranked", nodes[0], tuple(entities[unranked])))
    return Result(
        dataset=dataset,
        weights=weights,
        nodes=nodes,
        scores=readonly(scores, copy=False),
        coverage=readonly(np.asfortranarray(run.coverage[0]), copy=False),
        below_coverage=readonly(np.asfortranarray(below), bool, copy=False),
        shares=readonly(nominal_shares(dataset, weights, nodes, live), copy=False),
        notices=tuple(notices),
        values=prepared.values,
        imputed=prepared.imputed,
        treated=prepared.treated,
        screened=engine.screened,
        screened_names=tuple(full.names[full.entities.index(e)] for e in engine.screened),
        source=full,
    )
