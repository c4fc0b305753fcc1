"""Whether an uncertainty specification fits the dataset and profile it varies, and its runs the memory."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import methods
from .budget import per_run, too_large
from .errors import ConfigError, did_you_mean
from .io.spec import SpecFile
from .normalise import normalise
from .pipeline import lacking_anchors, plan, prepare


def fit_runs(runs: int, dataset, dimensions: int, fail) -> None:
    """Call ``fail(message)`` when ``runs`` runs over ``dataset`` (with ``dimensions`` uncertain inputs) would
    not fit in memory."""
    problem = too_large(runs, per_run(len(dataset.entities), len(dataset.framework.node_ids), dimensions))
    if problem:
        fail(problem)


def fit_spec(source: SpecFile, dataset, weights) -> None:
    """Raise ConfigError, at the setting at fault, when the specification names a node or a level the dataset
    does not have, or pairs a normalisation that gives negative scores with a mean that needs positive ones."""
    spec = source.spec
    framework = dataset.framework
    nodes = framework.node_ids[1:]
    for i, node in enumerate(spec.leave_out):
        if node not in nodes:
            source.fail(f"cannot leave out {node!r}: not a pillar or indicator of dataset {dataset.name!r}",
                        ("leave_out", "nodes"), i, did_you_mean(node, nodes))  # fmt: skip
    merged = weights.for_dataset(dataset.name)
    present = _levels_present(framework, merged)
    if spec.weights is not None and not set(spec.weights.levels) & present["weights"]:
        source.fail(f"no weights vary: dataset {dataset.name!r} has no group of two weighted components at the "
                    f"level{'s' if len(spec.weights.levels) > 1 else ''} {', '.join(spec.weights.levels)}",
                    ("weights", "levels"), None,
                    "levels with weights to vary: " + ", ".join(sorted(present["weights"])))  # fmt: skip
    if spec.aggregation and not set(spec.aggregation_levels) & present["aggregation"]:
        source.fail(f"the aggregation alternatives change nothing: dataset {dataset.name!r} combines two components "
                    f"at no level of {', '.join(spec.aggregation_levels)}", ("aggregation", "levels"), None,
                    "levels that combine components: " + ", ".join(sorted(present["aggregation"])))  # fmt: skip
    for k, normalisation in enumerate(spec.normalisation):
        lacking = lacking_anchors(framework, normalisation)
        if lacking:
            source.fail(f"normalisation alternative {normalisation.method!r} needs what {', '.join(lacking[:5])} "
                        "do not declare (goalposts or a target)", ("normalisation", "alternatives"), k,
                        "declare them in dataset.toml, or choose another method")  # fmt: skip
    _negative_scores(source, dataset, merged)


def _levels_present(framework, weights) -> dict[str, set[str]]:
    """The levels whose weights can vary and those that aggregate two or more components."""
    out: dict[str, set[str]] = {"weights": set(), "aggregation": set()}
    every = replace(weights, weights={n: 1.0 for n in framework.node_ids})
    for step in plan(framework, every)[0]:
        kids = framework.children(step.node)
        if len(step.children) >= 2:
            out["aggregation"].add(framework.level(step.node))
        by_level: dict[str, int] = {}
        for kid in kids:
            if weights.weight(kid) > 0:
                by_level[framework.level(kid)] = by_level.get(framework.level(kid), 0) + 1
        out["weights"] |= {level for level, count in by_level.items() if count >= 2}
    return out


def _negative_scores(source: SpecFile, dataset, weights) -> None:
    """A normalisation alternative that gives negative scores, with an aggregation that cannot take them."""
    spec = source.spec
    framework = dataset.framework
    nominal = weights.normalisation
    normalisations = list(spec.normalisation) or [nominal]
    varied = set(spec.aggregation_levels) if spec.aggregation else set()
    needing = [(i, a.method) for i, a in enumerate(spec.aggregation) if a.method in methods.NEED_POSITIVE]
    fixed = {framework.level(n): weights.aggregation_for(framework.level(n)).method
             for n in framework.aggregates_bottom_up() if framework.level(n) not in varied}  # fmt: skip
    fixed_need = {level: m for level, m in fixed.items() if m in methods.NEED_POSITIVE}
    if not needing and not fixed_need:
        return
    values = None
    for k, norm in enumerate(normalisations):
        if norm.method != "zscore" and not (norm.method in methods.BOUNDED and norm.range[0] < 0):
            continue
        if values is None:
            values = prepare(dataset, weights)[0]
        with np.errstate(all="ignore"):
            lowest = np.nanmin(normalise(values, framework.indicators, norm), initial=0.0)
        if lowest >= 0:
            continue
        if needing and source.path is not None:
            i, method = needing[0]
            source.fail(f"aggregation alternative {method!r} needs non-negative scores, but the {norm.method} "
                        "normalisation gives negative ones", ("aggregation", "alternatives"), i,
                        "normalise to a positive range, e.g. { method = 'minmax', range = [1, 100] }")  # fmt: skip
        if needing:
            line, column = weights.positions.at(("normalisation",), "method") if weights.positions else (None, None)
            raise ConfigError(f"the default analysis compares arithmetic and {needing[0][1]} aggregation of the index, "
                              f"but the {norm.method} normalisation gives negative scores", path=weights.path,
                              line=line, column=column,
                              hint="give --spec with other alternatives, or normalise to a positive range")  # fmt: skip
        if spec.normalisation:
            level, method = next(iter(fixed_need.items()))
            source.fail(f"normalisation alternative {norm.method!r} gives negative scores, which the profile's "
                        f"{method} aggregation of the {level} level cannot take", ("normalisation", "alternatives"), k,
                        "use a positive range, or aggregate that level arithmetically")  # fmt: skip
