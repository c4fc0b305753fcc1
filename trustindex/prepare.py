"""Before scoring: does the profile fit the dataset, and the data steps denominate → impute → treat → screen.

The order is the JRC's and COINr's: imputation first (panel imputation reads untreated years, and a filled
value is treated with its column), then outlier treatment, then screening of the entities with too little
data — on their coverage after imputation, or before it when the profile says ``[screening] basis = "raw"``.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import methods
from .aggregate import below
from .denominate import denominate, denominated
from .errors import ConfigError, did_you_mean
from .impute import impute
from .methods import GROUPED, PANEL
from .model import Dataset, Notice, Record, Weights, readonly
from .normalise import lacking_anchors
from .treat import Treated, treat


def where(weights: Weights, table: tuple, key: str | None = None) -> tuple[int | None, int | None]:
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
        line, column = where(weights, table, key)
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
    merged = weights.for_dataset(dataset.name, dataset.weights)
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
    lacking = lacking_anchors(framework.indicators, weights.normalisation)
    if lacking:
        what = "goalposts" if methods.ANCHORS[weights.normalisation.method] == "goalposts" else "a target"
        fail(f"normalisation {weights.normalisation.method!r} needs {what}, but {', '.join(lacking[:5])} declare "
             "none" + (f" (and {len(lacking) - 5} more)" if len(lacking) > 5 else ""), ("normalisation",), "method",
             f"add {'goalposts = [low, high]' if what == 'goalposts' else 'target = VALUE'} to these indicators, "
             "or use method = 'minmax'")  # fmt: skip
    if weights.normalisation.over == "panel" and dataset.history is None:
        fail(f"over = 'panel' needs a panel dataset, and {dataset.name!r} has one year", ("normalisation",), "over",
             'remove it, or set over = "year"')  # fmt: skip
    if weights.normalisation.over == "panel" and weights.denomination == "divide":
        fail("over = 'panel' reads other years' published values, which are not denominated", ("normalisation",),
             "over", 'set over = "year" with denomination')  # fmt: skip
    reference = weights.normalisation.reference
    if weights.normalisation.method == "dist2ref" and reference not in dataset.entities:
        fail(f"the reference entity {reference!r} is not in dataset {dataset.name!r}", ("normalisation",),
             "reference", did_you_mean(str(reference), dataset.entities))  # fmt: skip


@dataclass(frozen=True, eq=False)
class Prepared(Record):
    """The values to normalise after imputation and outlier treatment, with what each step did."""

    values: np.ndarray
    """Entities × indicators, read-only."""
    imputed: np.ndarray
    """True where a missing value was imputed."""
    treated: tuple[Treated, ...]
    notices: tuple[Notice, ...]


def prepare(dataset: Dataset, weights: Weights) -> Prepared:
    """Denomination, imputation then outlier treatment of every entity of ``dataset`` under ``weights``."""
    spec = weights.imputation

    def fail(message: str, key: str, hint: str, table: tuple = ("imputation",)) -> None:
        line, column = where(weights, table, key)
        raise ConfigError(message, path=weights.path, line=line, column=column, hint=hint)

    values, notices = dataset.values, []
    if weights.denomination == "divide":
        if not denominated(dataset.framework.indicators):
            fail(f"no indicator of dataset {dataset.name!r} declares a denominator", "method",
                 'declare denominator = "COLUMN" on the indicators to divide, or method = "none"',
                 ("denomination",))  # fmt: skip
        if spec.method in PANEL:
            fail(f"imputation {spec.method!r} reads other years' published values, which are not denominated",
                 "method", "use mean or median imputation with denomination")  # fmt: skip
        values, notices = denominate(values, dataset.framework.indicators, dataset.inputs, dataset.entities)

    if spec.method in PANEL and dataset.history is None:
        fail(f"imputation {spec.method!r} needs a panel dataset", "method", "use mean, median or a group method")
    if spec.method in GROUPED and spec.group not in dataset.labels:
        fail(f"no text column {spec.group!r} in dataset {dataset.name!r} to group by", "group",
             did_you_mean(spec.group, dataset.labels) or "declare it under [columns] with kind = 'text'")  # fmt: skip
    values, imputed = impute(values, spec.method, dataset.labels.get(spec.group), dataset.history, dataset.years,
                             dataset.year)  # fmt: skip
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
    return Prepared(readonly(values), readonly(imputed, bool), tuple(treated), tuple(notices))


def screen(dataset: Dataset, weights: Weights, prepared: Prepared) -> np.ndarray:
    """The entities to keep: those whose share of available indicators — after imputation, or before it with
    ``basis = "raw"`` — reaches the profile's screening threshold (all of them when there is none)."""
    if weights.screening is None:
        return np.ones(len(dataset.entities), dtype=bool)
    values = dataset.values if weights.screening_basis == "raw" else prepared.values
    keep = ~below(np.mean(~np.isnan(values), axis=1), weights.screening)
    if not keep.any():
        line, column = where(weights, ("screening",), "min_coverage")
        raise ConfigError(f"screening at {weights.screening:g} leaves no entity", path=weights.path, line=line,
                          column=column, hint="lower [screening] min_coverage")  # fmt: skip
    return keep
