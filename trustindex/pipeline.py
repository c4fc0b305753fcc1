"""Dataset + Weights → Result: normalise → aggregate → rank, with every gap recorded."""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .aggregate import aggregate
from .errors import ConfigError, did_you_mean
from .impute import impute
from .methods import BOUNDED, GROUPED, NEED_POSITIVE, PANEL
from .model import Aggregation, Dataset, Framework, Notice, Result, Weights, readonly
from .normalise import normalise
from .treat import treat

COVERAGE_DECIMALS = 3
"""Coverage is rounded to this many decimals before the comparison, so min_coverage = 0.667 means two thirds."""


def _where(weights: Weights, table: tuple, key: str | None = None) -> tuple[int | None, int | None]:
    """Line and column of ``table.key`` in the profile's file, as recorded when it was read."""
    return weights.positions.at(table, key) if weights.positions is not None else (None, None)


def _written(weights: Weights, path: tuple) -> bool:
    """Whether the profile's file sets ``path`` (a profile built in code may weigh every node, the index too)."""
    return weights.positions is not None and path in weights.positions.keys


def _known_datasets(dataset: Dataset) -> set[str]:
    """The names a profile may give datasets: the shipped ones, those beside this one, and this one."""
    from .io.registry import dataset_names

    known = {dataset.name, *dataset_names()}
    if dataset.path is not None:
        known |= _siblings(os.path.dirname(os.path.realpath(dataset.path)))
    return known


@functools.lru_cache(maxsize=16)
def _siblings(folder: str) -> frozenset[str]:
    from .io.files import kind

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return frozenset()
    return frozenset(e.name for e in entries if kind(Path(e.path) / "dataset.toml") == "file")


def check_fit(dataset: Dataset, weights: Weights) -> None:
    """Raise ConfigError, at the profile's line, when ``weights`` names nodes, datasets or a framework that
    ``dataset`` does not have, zeroes every weight of a group, or sends negative scores into a mean that
    needs positive ones."""
    framework = dataset.framework

    def fail(message: str, table: tuple[str, ...], key: str | None, hint: str | None):
        line, column = _where(weights, table, key)
        raise ConfigError(message, path=weights.path, line=line, column=column, hint=hint)

    if weights.framework and framework.name and weights.framework != framework.name:
        fail(
            f"weights profile {weights.name!r} is for framework {weights.framework!r}, "
            f"but dataset {dataset.name!r} uses {framework.name!r}",
            (),
            "framework",
            "choose a profile written for this dataset's framework",
        )
    others = [name for name in weights.datasets if name != dataset.name]
    if others:
        known = _known_datasets(dataset)
        for name in others:
            if name not in known:
                fail(f"weights for dataset {name!r}, which does not exist", ("datasets", name), None,
                     did_you_mean(name, known))  # fmt: skip
    known = set(framework.node_ids)
    tables = [
        (("weights",), weights.weights),
        (("datasets", dataset.name, "weights"), weights.datasets.get(dataset.name, {})),
    ]
    for table, mapping in tables:
        for node_id in mapping:
            if node_id == framework.index.id and _written(weights, (*table, node_id)):
                fail(f"weight for the index {node_id!r}, which has no siblings: it changes nothing", table, node_id,
                     "remove it")  # fmt: skip
            if node_id not in known:
                fail(
                    f"weight for {node_id!r}, which is not a pillar or indicator of dataset {dataset.name!r}",
                    table,
                    node_id,
                    did_you_mean(node_id, known),
                )
    merged = weights.for_dataset(dataset.name)
    specific = weights.datasets.get(dataset.name, {})
    for parent in framework.aggregates_bottom_up():
        children = framework.children(parent)
        if children and not any(merged.weight(c) > 0 for c in children):
            table = ("datasets", dataset.name, "weights") if any(c in specific for c in children) else ("weights",)
            fail(
                f"every weight under {parent!r} is zero ({', '.join(children)})",
                table,
                None,
                "give at least one of them a positive weight",
            )
    lacking = lacking_anchors(framework, weights.normalisation)
    if lacking:
        what = "goalposts" if weights.normalisation.method == "goalposts" else "a target"
        fail(f"normalisation {weights.normalisation.method!r} needs {what}, but {', '.join(lacking[:5])} declare "
             "none" + (f" (and {len(lacking) - 5} more)" if len(lacking) > 5 else ""), ("normalisation",), "method",
             f"add {'goalposts = [low, high]' if what == 'goalposts' else 'target = VALUE'} to these indicators, "
             "or use method = 'minmax'")  # fmt: skip
    _positive_means(dataset, merged, fail)


def lacking_anchors(framework: Framework, normalisation) -> list[str]:
    """The indicators ``normalisation`` cannot be applied to: without goalposts for ``goalposts``, without a
    target for ``target``."""
    if normalisation.method == "goalposts":
        return [i.id for i in framework.indicators if i.goalposts is None]
    if normalisation.method == "target":
        return [i.id for i in framework.indicators if i.target is None]
    return []


def _positive_means(dataset: Dataset, weights: Weights, fail) -> None:
    """Fail at the aggregation that would receive a negative score it cannot take (geometric, harmonic, power)."""
    norm = weights.normalisation
    if norm.method != "zscore" and not (norm.method in BOUNDED and norm.range[0] < 0):
        return
    framework = dataset.framework
    if not any(weights.aggregation_for(framework.level(n)).method in NEED_POSITIVE
               for n in framework.aggregates_bottom_up()):  # fmt: skip
        return
    values = prepare(dataset, weights)[0]
    first = len(framework.node_ids) - len(framework.indicators)
    scores = np.full((len(dataset.entities), len(framework.node_ids)), np.nan)
    scores[:, first:] = normalise(values, framework.indicators, norm)
    for step in plan(framework, weights)[0]:
        spec = step.aggregation
        x = scores[:, step.children]
        if spec.method in NEED_POSITIVE and np.nanmin(x, initial=0.0) < 0:
            level = framework.level(step.node)
            table = ("aggregation", level) if level in weights.aggregation else ("aggregation",)
            fail(f"{spec.method} aggregation of {step.node!r} needs non-negative scores, but the {norm.method} "
                 "normalisation gives negative ones", table, "method",
                 "normalise to a positive range such as range = [1, 100], or aggregate arithmetically")  # fmt: skip
        run_steps((step,), scores)


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


@dataclass(frozen=True)
class Step:
    """One aggregation: the node's column, its live children's columns, their weights and the method."""

    node: str
    column: int
    children: tuple[int, ...]
    weights: np.ndarray
    aggregation: Aggregation


def plan(framework: Framework, weights: Weights) -> tuple[tuple[Step, ...], tuple[str, ...]]:
    """The aggregation steps bottom-up, and the aggregates left out because nothing with weight is under them."""
    col = {node: j for j, node in enumerate(framework.node_ids)}
    live = set(framework.indicator_ids)
    steps, empty = [], []
    for node in framework.aggregates_bottom_up():
        kids = [c for c in framework.children(node) if c in live and weights.weight(c) > 0]
        if not kids:
            empty.append(node)
            continue
        live.add(node)
        w = readonly([weights.weight(c) for c in kids])
        spec = weights.aggregation_for(framework.level(node))
        steps.append(Step(node, col[node], tuple(col[c] for c in kids), w, spec))
    return tuple(steps), tuple(empty)


def run_steps(
    steps: tuple[Step, ...],
    scores: np.ndarray,
    opponents: np.ndarray | None = None,
    coverage: np.ndarray | None = None,
    below: np.ndarray | None = None,
) -> None:
    """Fill the aggregate columns of ``scores`` (rows × nodes, indicators filled) in place.

    An aggregate whose share of available components falls below its ``min_coverage`` is left missing;
    ``coverage`` and ``below`` (same shape as ``scores``), when given, receive the shares and those cuts.
    With ``opponents`` (rows × nodes, every column filled), Copeland levels score the rows of ``scores``
    as hypothetical entities against those fixed rows instead of against each other.
    """
    for step in steps:
        spec, j = step.aggregation, step.column
        x = scores[:, step.children]
        share = np.mean(~np.isnan(x), axis=1)
        field = None if opponents is None else opponents[:, step.children]
        value = aggregate(x, step.weights, spec.method, spec.p, field)
        short = (np.round(share, COVERAGE_DECIMALS) < spec.min_coverage) & ~np.isnan(value)
        value[short] = np.nan
        scores[:, j] = value
        if coverage is not None:
            coverage[:, j] = share
        if below is not None:
            below[:, j] = short


def screen(dataset: Dataset, weights: Weights) -> tuple[Dataset, tuple[str, ...]]:
    """Leave out the entities whose share of available indicators is below the profile's screening threshold."""
    if weights.screening is None:
        return dataset, ()
    share = np.round(np.mean(~np.isnan(dataset.values), axis=1), COVERAGE_DECIMALS)
    keep = share >= weights.screening
    if keep.all():
        return dataset, ()
    if not keep.any():
        raise ConfigError(f"screening at {weights.screening:g} leaves no entity", path=weights.path,
                          hint="lower [screening] min_coverage")  # fmt: skip
    return dataset.subset(keep), tuple(e for e, k in zip(dataset.entities, keep, strict=True) if not k)


def prepare(dataset: Dataset, weights: Weights) -> tuple[np.ndarray, np.ndarray, tuple, list[Notice]]:
    """Imputation then outlier treatment (the JRC / COINr order, so panel imputation reads untreated years):
    the values to normalise, the imputed mask, the treated values, and their notices."""
    spec = weights.imputation

    def fail(message: str, key: str, hint: str) -> None:
        line, column = _where(weights, ("imputation",), key)
        raise ConfigError(message, path=weights.path, line=line, column=column, hint=hint)

    if spec.method in PANEL and dataset.history is None:
        fail(f"imputation {spec.method!r} needs a panel dataset", "method", "use mean, median or a group method")
    if spec.method in GROUPED and spec.group not in dataset.labels:
        fail(f"no text column {spec.group!r} in dataset {dataset.name!r} to group by", "group",
             did_you_mean(spec.group, dataset.labels) or "declare it under [columns] with kind = 'text'")  # fmt: skip
    values, imputed = impute(dataset.values, spec.method, dataset.labels.get(spec.group), dataset.history,
                             dataset.years, dataset.year)  # fmt: skip
    notices = []
    entities = np.array(dataset.entities, dtype=object)
    for k in np.flatnonzero(imputed.any(axis=0)):
        message = f"{imputed[:, k].sum()} missing value(s) imputed ({spec.method})"
        notices.append(Notice("imputed", message, dataset.framework.indicator_ids[k], tuple(entities[imputed[:, k]])))
    treated = ()
    if weights.treatment.method == "winsorise":
        values, treated = treat(values, dataset.entities, dataset.framework.indicator_ids,
                                weights.treatment.max_points, weights.audit)  # fmt: skip
        for indicator in dict.fromkeys(t.indicator for t in treated):
            points = [t for t in treated if t.indicator == indicator]
            how = "log-transformed" if points[0].method == "log" else f"{len(points)} value(s) winsorised"
            notices.append(Notice("treated", f"outliers: {how}", indicator, tuple(t.entity for t in points)))
    return values, imputed, treated, notices


def score(dataset: Dataset, weights: Weights) -> Result:
    """Score every entity at every node of the framework: screen → impute → treat → normalise → aggregate."""
    check_fit(dataset, weights)
    weights = weights.for_dataset(dataset.name)
    full = dataset
    dataset, screened = screen(dataset, weights)
    framework = dataset.framework
    nodes = framework.node_ids
    n, first = len(dataset.entities), len(nodes) - len(framework.indicators)
    entities = np.array(dataset.entities, dtype=object)
    missing = np.isnan(dataset.values)
    notices = _data_notices(dataset, missing)
    if screened:
        message = f"left out of the ranking: under {weights.screening:g} of the indicators available"
        notices.append(Notice("screened", message, None, screened))
    values, imputed, treated, prepared = prepare(dataset, weights)
    notices += prepared
    if values is not dataset.values:
        missing = np.isnan(values)

    scores = np.empty((n, len(nodes)), order="F")  # columns contiguous: nodes are read whole
    scores[:, :first] = np.nan
    scores[:, first:] = normalise(values, framework.indicators, weights.normalisation)
    coverage = np.zeros((n, len(nodes)), order="F")
    np.logical_not(missing, out=coverage[:, first:], casting="unsafe")
    below = np.zeros((n, len(nodes)), dtype=bool, order="F")

    steps, empty = plan(framework, weights)
    for node in empty:
        why = "no indicators" if not framework.indicators_under(node) else "no indicators with positive weight"
        notices.append(Notice("empty", f"{why}: left out, its weight shared by its siblings", node))
    run_steps(steps, scores, coverage=coverage, below=below)
    for step in steps:
        short = below[:, step.column]
        if short.any():
            message = f"below minimum coverage {step.aggregation.min_coverage:.2f}: score left missing"
            notices.append(Notice("coverage", message, step.node, tuple(entities[short])))

    unranked = np.isnan(scores[:, 0])
    if unranked.any():
        notices.append(Notice("unranked", "no index score: not ranked", nodes[0], tuple(entities[unranked])))

    live = set(framework.indicator_ids) | {step.node for step in steps}
    return Result(
        dataset=dataset,
        weights=weights,
        nodes=nodes,
        scores=readonly(scores, copy=False),
        coverage=readonly(coverage, copy=False),
        below_coverage=readonly(below, bool, copy=False),
        shares=readonly(nominal_shares(dataset, weights, nodes, live), copy=False),
        notices=tuple(notices),
        values=readonly(values, copy=False),
        imputed=readonly(imputed, bool, copy=False),
        treated=treated,
        screened=screened,
        screened_names=tuple(full.names[full.entities.index(e)] for e in screened),
    )
