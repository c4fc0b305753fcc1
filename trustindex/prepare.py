"""Before scoring: does the profile fit the dataset, and the data steps impute → treat → screen.

The order is the JRC's and COINr's: imputation first (panel imputation reads untreated years, and a filled
value is treated with its column), then outlier treatment, then screening of the entities with too little
data — on their coverage after imputation, or before it when the profile says ``[screening] basis = "raw"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .aggregate import below
from .errors import ConfigError, did_you_mean
from .impute import GROUPED, PANEL, impute
from .io.toml import locate
from .model import Dataset, Notice, Record, Weights, readonly
from .treat import Treated, treat


def check_fit(dataset: Dataset, weights: Weights) -> None:
    """Raise ConfigError when ``weights`` names nodes or a framework that ``dataset`` does not have, or leaves a
    group of the dataset's tree without any positive weight."""
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
    own = ("datasets", dataset.name, "weights")
    tables = [(("weights",), weights.weights), (own, weights.datasets.get(dataset.name, {}))]
    for table, mapping in tables:
        for node_id in mapping:
            if node_id not in known:
                fail(
                    f"weight for {node_id!r}, which is not a pillar or indicator of dataset {dataset.name!r}",
                    table,
                    node_id,
                    did_you_mean(node_id, known),
                )
    merged = weights.for_dataset(dataset.name)
    for parent in framework.aggregates_bottom_up():
        children = framework.children(parent)
        if children and not any(merged.weight(c) > 0 for c in children):
            zeroed = [c for c in children if c in weights.datasets.get(dataset.name, {})]
            table = own if zeroed else ("weights",)
            fail(
                f"every weight under {parent!r} is zero ({', '.join(children)})",
                table,
                zeroed[0] if zeroed else None,
                "give at least one of them a positive weight",
            )


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
    """Imputation then outlier treatment of every entity of ``dataset`` under ``weights``."""
    spec = weights.imputation

    def fail(message: str, key: str, hint: str) -> None:
        line, column = locate(weights.path, ("imputation",), key)
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
    return Prepared(readonly(values), readonly(imputed, bool), tuple(treated), tuple(notices))


def screen(dataset: Dataset, weights: Weights, prepared: Prepared) -> np.ndarray:
    """The entities to keep: those whose share of available indicators — after imputation, or before it with
    ``basis = "raw"`` — reaches the profile's screening threshold (all of them when there is none)."""
    if weights.screening is None:
        return np.ones(len(dataset.entities), dtype=bool)
    values = dataset.values if weights.screening_basis == "raw" else prepared.values
    keep = ~below(np.mean(~np.isnan(values), axis=1), weights.screening)
    if not keep.any():
        line, column = locate(weights.path, ("screening",), "min_coverage")
        raise ConfigError(f"screening at {weights.screening:g} leaves no entity", path=weights.path, line=line,
                          column=column, hint="lower [screening] min_coverage")  # fmt: skip
    return keep
