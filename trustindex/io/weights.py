"""Read and validate a weights profile (``weights/*.toml``, ``schema = 1``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import methods
from ..errors import ConfigError, did_you_mean
from ..model import LEVELS, Aggregation, Imputation, Normalisation, Thresholds, Treatment, Weights, frozen_map
from .files import read_bytes
from .numbers import POWER, SCALE, THRESHOLDS, shown
from .toml import TomlDoc

TOP = (
    "schema", "name", "description", "framework", "weights", "datasets", "normalisation", "aggregation", "ranking",
    "treatment", "imputation", "denomination", "screening", "audit",
)  # fmt: skip
NORMALISATION = ("method", "range", "mean", "sd", "sd_basis", "reference", "cap", "over")
ONLY_WITH = {"mean": "zscore", "sd": "zscore", "sd_basis": "zscore", "reference": "dist2ref", "cap": "dist2ref"}
"""Normalisation keys that only one method reads."""
AGGREGATION = ("method", "p", "min_coverage")


def _aggregation(doc: TomlDoc, table: tuple[str, ...], default: Aggregation) -> Aggregation:
    doc.table(table, AGGREGATION + (LEVELS if len(table) == 1 else ()))
    method = doc.get(table, "method", "str", default.method)
    if method not in methods.AGGREGATION:
        doc.fail(f"unknown aggregation method {method!r}", table, "method", _one_of(method, methods.AGGREGATION))
    p = doc.get(table, "p", "number", None, low=-POWER, high=POWER)
    if method == "power" and p is None:
        doc.fail("the power mean needs its exponent p", table, "method", "add p = 0.5, or any other exponent")
    if method != "power" and p is not None:
        doc.fail(f"p has no effect with method {method!r}", table, "p", "remove it, or use method = 'power'")
    coverage = doc.get(table, "min_coverage", "number", default.min_coverage, low=0, high=1)
    return Aggregation(method=method, p=p, min_coverage=coverage)


def _one_of(name: str, choices) -> str:
    return did_you_mean(name, choices) or ""


def _normalisation(doc: TomlDoc) -> Normalisation:
    table = ("normalisation",)
    keys = doc.table(table, NORMALISATION)
    method = doc.get(table, "method", "str", "minmax")
    if method not in methods.NORMALISATION:
        doc.fail(f"unknown normalisation method {method!r}", table, "method", _one_of(method, methods.NORMALISATION))
    if "range" in keys and method not in methods.BOUNDED:
        doc.fail(f"range has no effect with method {method!r}", table, "range", "remove it")
    for key, owner in ONLY_WITH.items():
        if key in keys and method != owner:
            doc.fail(f"{key} has no effect with method {method!r}", table, key, f"remove it, or use {owner!r}")
    basis = doc.get(table, "sd_basis", "str", "sample")
    if basis not in methods.SD_BASES:
        doc.fail(f"unknown sd_basis {basis!r}", table, "sd_basis", _one_of(basis, methods.SD_BASES))
    reference = doc.get(table, "reference", "str", None)
    if method == "dist2ref" and reference is None:
        doc.fail("dist2ref needs the reference entity", table, "method", 'add reference = "ENTITY-ID"')
    low, high = doc.get(table, "range", "pair", [0.0, 100.0], low=-SCALE, high=SCALE)
    if not low < high:
        doc.fail(f"range must be [low, high] with low < high, not [{low:g}, {high:g}]", table, "range")
    sd = doc.get(table, "sd", "number", 1.0, high=SCALE)
    if sd <= 0:
        doc.fail(f"sd must be positive, not {sd:g}", table, "sd")
    mean = doc.get(table, "mean", "number", 0.0, low=-SCALE, high=SCALE)
    cap = doc.get(table, "cap", "bool", False)
    over = doc.get(table, "over", "str", "year")
    if over not in methods.OVER:
        doc.fail(f"unknown over {over!r}", table, "over", _one_of(over, methods.OVER))
    if over == "panel" and method not in methods.PANEL_WIDE:
        doc.fail(f"over = 'panel' has no effect with method {method!r}", table, "over",
                 "only minmax, zscore and fracmax read the data's bounds; goalposts and targets are fixed")  # fmt: skip
    return Normalisation(method, (float(low), float(high)), mean, sd, basis, reference, cap, over)


def _treatment(doc: TomlDoc) -> Treatment:
    table = ("treatment",)
    doc.table(table, ("method", "max_points"))
    method = doc.get(table, "method", "str", "none")
    if method not in methods.TREATMENT:
        doc.fail(f"unknown treatment {method!r}", table, "method", _one_of(method, methods.TREATMENT))
    points = doc.get(table, "max_points", "int", 5, low=0)
    if method == "none" and "max_points" in doc.table(table):
        doc.fail(
            "max_points has no effect without treatment", table, "max_points", "remove it, or method = 'winsorise'"
        )
    return Treatment(method, points)


def _imputation(doc: TomlDoc) -> Imputation:
    table = ("imputation",)
    doc.table(table, ("method", "group"))
    method = doc.get(table, "method", "str", "none")
    if method not in methods.IMPUTATION:
        doc.fail(f"unknown imputation {method!r}", table, "method", _one_of(method, methods.IMPUTATION))
    group = doc.get(table, "group", "str", None)
    if method in methods.GROUPED and group is None:
        doc.fail(f"{method} needs the text column that defines the groups", table, "method", 'add group = "COLUMN"')
    if method not in methods.GROUPED and group is not None:
        doc.fail(f"group has no effect with {method!r}", table, "group", "remove it, or use group-mean or group-median")
    return Imputation(method, group)


def _denomination(doc: TomlDoc) -> str:
    table = ("denomination",)
    doc.table(table, ("method",))
    method = doc.get(table, "method", "str", "none")
    if method not in methods.DENOMINATION:
        doc.fail(f"unknown denomination {method!r}", table, "method", _one_of(method, methods.DENOMINATION))
    return method


def thresholds(doc: TomlDoc, table: tuple[str, ...], base: Thresholds, extra=()) -> dict[str, float]:
    """The audit thresholds set in ``table`` of ``doc`` (which may also hold the keys ``extra``), each within its
    range (:data:`THRESHOLDS`) and ``conflicting`` below ``weak`` (with those of ``base``)."""
    doc.table(table, (*THRESHOLDS, *extra))
    out = {}
    for name, (low, high) in THRESHOLDS.items():
        value = doc.get(table, name, "number", None, low=low, high=high)
        if value is not None:
            out[name] = value
    merged = {**{k: getattr(base, k) for k in THRESHOLDS}, **out}
    if ("conflicting" in out or "weak" in out) and merged["conflicting"] >= merged["weak"]:
        doc.fail(f"conflicting ({merged['conflicting']:g}) must lie below weak ({merged['weak']:g})", table,
                 "conflicting" if "conflicting" in out else "weak")  # fmt: skip
    return out


SCREENING_BASES = ("imputed", "raw")


def _screening(doc: TomlDoc) -> tuple[float | None, str]:
    table = ("screening",)
    doc.table(table, ("min_coverage", "basis"))
    value = doc.get(table, "min_coverage", "number", None, low=0, high=1)
    basis = doc.get(table, "basis", "str", "imputed")
    if basis not in SCREENING_BASES:
        doc.fail(f"unknown screening basis {basis!r}", table, "basis", _one_of(basis, SCREENING_BASES))
    return value, basis


def weight_problem(node_id: str, value: float) -> tuple[str, str] | None:
    """What is wrong with ``value`` as the weight of ``node_id`` (message, hint), or None: the one rule for a
    weight, in a profile and in a dataset's indicator table."""
    if value < 0:
        return f"weight of {node_id!r} is negative ({value:g})", "weights must be >= 0"
    if value > SCALE:
        return f"weight of {node_id!r} is {value:g}, more than {SCALE:g}", "weights are relative: scale them down"
    return None


def _weights(doc: TomlDoc, table: tuple[str, ...]) -> dict[str, float]:
    weights = {}
    for node_id in doc.table(table):
        value = doc.get(table, node_id, "number")
        problem = weight_problem(node_id, value)
        if problem is not None:
            doc.fail(problem[0], table, node_id, problem[1])
        weights[node_id] = value
    return weights


def load_weights(path: Path) -> Weights:
    """Parse and validate ``path``; every problem raises ConfigError with its line and column."""
    path = Path(path)
    doc = TomlDoc(path, ConfigError)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int")
    if schema != 1:
        doc.fail(f"unsupported schema {shown(schema)}", (), "schema", "this version of trustindex reads schema = 1")

    weights = _weights(doc, ("weights",))
    per_dataset = {}
    for name in doc.table(("datasets",)):
        doc.table(("datasets", name), ("weights",))
        per_dataset[name] = frozen_map(_weights(doc, ("datasets", name, "weights")))

    default = _aggregation(doc, ("aggregation",), Aggregation())
    levels = {"default": default}
    for level in LEVELS:
        if level in doc.table(("aggregation",)):
            levels[level] = _aggregation(doc, ("aggregation", level), default)

    ties = doc.get(("ranking",), "ties", "str", "competition")
    doc.table(("ranking",), ("ties",))
    if ties not in methods.TIES:
        doc.fail(f"unknown tie rule {ties!r}", ("ranking",), "ties", _one_of(ties, methods.TIES))

    screening, basis = _screening(doc)
    return Weights(
        name=doc.get((), "name", "str", path.stem),
        weights=frozen_map(weights),
        datasets=frozen_map(per_dataset),
        normalisation=_normalisation(doc),
        aggregation=frozen_map(levels),
        ties=ties,
        treatment=_treatment(doc),
        imputation=_imputation(doc),
        denomination=_denomination(doc),
        screening=screening,
        screening_basis=basis,
        audit=Thresholds(**thresholds(doc, ("audit",), Thresholds())),
        description=doc.get((), "description", "str", ""),
        framework=doc.get((), "framework", "str", ""),
        path=path,
        digest=hashlib.sha256(read_bytes(path, ConfigError)).hexdigest(),
        positions=doc.positions,
    )
