"""Read an uncertainty specification (``schema = 1``): what varies in an uncertainty or sensitivity analysis.

A file lists exactly what is uncertain; a table that is absent stays at its nominal choice. Without a
file, :data:`DEFAULT` applies: weights ±25 % at the pillar and sub-pillar levels, arithmetic against
geometric aggregation of the index, 1,000 runs.
"""

from __future__ import annotations

from pathlib import Path

from .. import aggregate, impute, normalise
from ..errors import ConfigError, did_you_mean
from ..model import LEVELS, Aggregation, Normalisation
from ..uncertainty import Spec, WeightSpec
from .toml import _DESCRIBE, TomlDoc, _is

DEFAULT = Spec()
TOP = ("schema", "runs", "sampler", "top_k", "weights", "normalisation", "aggregation", "treatment", "imputation",
       "leave_out")  # fmt: skip
WEIGHT_LEVELS = ("pillar", "sub-pillar", "indicator")


def _alternatives(doc: TomlDoc, table: tuple[str, ...]) -> list:
    value = doc.get(table, "alternatives", "list")
    if len(value) < 2:
        doc.fail("give two or more alternatives: a single one varies nothing", table, "alternatives")
    return value


def _distinct(doc: TomlDoc, table: tuple[str, ...], parsed: tuple) -> tuple:
    if len(set(parsed)) < len(parsed):
        doc.fail("an alternative is listed twice", table, "alternatives", "list each choice once")
    return parsed


def _field(doc: TomlDoc, table: tuple[str, ...], item: dict, key: str, kind: str, default, what: str):
    """``item[key]`` (a key of one alternative's inline table) checked to be of ``kind``, else ``default``."""
    allowed = what.split()
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        doc.fail(f"unknown key {unknown[0]!r} in an alternative", table, "alternatives",
                 did_you_mean(unknown[0], allowed))  # fmt: skip
    value = item.get(key, default)
    if key in item and not _is(value, kind):
        doc.fail(f"{key} must be {_DESCRIBE[kind]}, not {value!r}", table, "alternatives")
    return value


def _normalisation(doc: TomlDoc, item, table) -> Normalisation:
    if isinstance(item, str):
        item = {"method": item}
    if not isinstance(item, dict):
        doc.fail(f"a normalisation alternative must be a method name or a table, not {item!r}", table, "alternatives")
    keys = "method range mean sd"
    method = _field(doc, table, item, "method", "str", None, keys)
    if method not in normalise.METHODS:
        hint = did_you_mean(str(method), normalise.METHODS)
        doc.fail(f"unknown normalisation method {method!r}", table, "alternatives", hint)
    low, high = _field(doc, table, item, "range", "pair", (0.0, 100.0), keys)
    if not low < high:
        doc.fail(f"range must be [low, high] with low < high, not [{low}, {high}]", table, "alternatives")
    sd = _field(doc, table, item, "sd", "number", 1.0, keys)
    if sd <= 0:
        doc.fail(f"sd must be positive, not {sd}", table, "alternatives")
    mean = _field(doc, table, item, "mean", "number", 0.0, keys)
    return Normalisation(method, (float(low), float(high)), float(mean), float(sd))


def _aggregation(doc: TomlDoc, item, table) -> Aggregation:
    if isinstance(item, str):
        item = {"method": item}
    if not isinstance(item, dict) or item.get("method") not in aggregate.METHODS:
        doc.fail(f"unknown aggregation alternative {item!r}", table, "alternatives",
                 "a method name, or a table such as { method = 'power', p = 0.5 }")  # fmt: skip
    if (item["method"] == "power") != ("p" in item):
        doc.fail("p goes with method 'power', and only with it", table, "alternatives")
    p = _field(doc, table, item, "p", "number", None, "method p")
    return Aggregation(item["method"], None if p is None else float(p))


def _levels(doc: TomlDoc, table, allowed, default) -> tuple[str, ...]:
    levels = tuple(doc.get(table, "levels", "strings", list(default)))
    if not levels:
        doc.fail("levels names no level", table, "levels", "expected some of: " + ", ".join(allowed))
    for level in levels:
        if level not in allowed:
            doc.fail(f"unknown level {level!r}", table, "levels", did_you_mean(level, allowed))
    return levels


def load_spec(path: Path) -> Spec:
    """Parse and validate ``path``; every problem raises ConfigError with its line and column."""
    doc = TomlDoc(Path(path), ConfigError)
    doc.table((), TOP)
    if doc.get((), "schema", "int") != 1:
        doc.fail("unsupported schema", (), "schema", "this version of trustindex reads schema = 1")
    runs = doc.get((), "runs", "int", DEFAULT.runs)
    if runs < 2:
        doc.fail(f"runs must be 2 or more, not {runs}", (), "runs")
    sampler = doc.get((), "sampler", "str", DEFAULT.sampler)
    if sampler not in ("sobol", "random"):
        doc.fail(f"unknown sampler {sampler!r}", (), "sampler", did_you_mean(sampler, ("sobol", "random")))
    top_k = doc.get((), "top_k", "int", DEFAULT.top_k)
    if top_k < 1:
        doc.fail(f"top_k must be 1 or more, not {top_k}", (), "top_k")

    weights = None
    if "weights" in doc.data:
        table = ("weights",)
        doc.table(table, ("distribution", "spread", "concentration", "levels"))
        distribution = doc.get(table, "distribution", "str", "uniform")
        if distribution not in ("uniform", "dirichlet", "simplex"):
            doc.fail(f"unknown distribution {distribution!r}", table, "distribution",
                     did_you_mean(distribution, ("uniform", "dirichlet", "simplex")))  # fmt: skip
        keys = doc.table(table)
        if "spread" in keys and distribution != "uniform":
            doc.fail(f"spread has no effect with {distribution!r}", table, "spread", "remove it")
        if "concentration" in keys and distribution != "dirichlet":
            doc.fail(f"concentration has no effect with {distribution!r}", table, "concentration", "remove it")
        spread = doc.get(table, "spread", "number", 0.25)
        if not 0 < spread < 1:
            doc.fail(f"spread must lie in (0, 1), not {spread}", table, "spread")
        concentration = doc.get(table, "concentration", "number", 100.0)
        if concentration <= 0:
            doc.fail(f"concentration must be positive, not {concentration}", table, "concentration")
        levels = _levels(doc, table, WEIGHT_LEVELS, ("pillar", "sub-pillar"))
        weights = WeightSpec(distribution, spread, concentration, levels)

    normalisations, aggregations, levels, treatments, imputations, leave_out = (), (), ("index",), (), (), ()
    if "normalisation" in doc.data:
        doc.table(("normalisation",), ("alternatives",))
        table = ("normalisation",)
        normalisations = _distinct(doc, table, tuple(_normalisation(doc, i, table) for i in _alternatives(doc, table)))
    if "aggregation" in doc.data:
        doc.table(("aggregation",), ("alternatives", "levels"))
        aggregations = tuple(_aggregation(doc, i, ("aggregation",)) for i in _alternatives(doc, ("aggregation",)))
        _distinct(doc, ("aggregation",), aggregations)
        levels = _levels(doc, ("aggregation",), LEVELS, ("index",))
    if "treatment" in doc.data:
        doc.table(("treatment",), ("alternatives",))
        for item in _alternatives(doc, ("treatment",)):
            method = item.get("method") if isinstance(item, dict) else item
            if method not in ("none", "winsorise"):
                doc.fail(f"unknown treatment {method!r}", ("treatment",), "alternatives", "none or winsorise")
            points = _field(doc, ("treatment",), item, "max_points", "int", 5, "method max_points") if isinstance(
                item, dict) else 5  # fmt: skip
            if points < 0:
                doc.fail(f"max_points must be 0 or more, not {points}", ("treatment",), "alternatives")
            treatments += ((method, points),)
        _distinct(doc, ("treatment",), treatments)
    if "imputation" in doc.data:
        doc.table(("imputation",), ("alternatives",))
        imputations = tuple(_alternatives(doc, ("imputation",)))
        for method in imputations:
            if method not in impute.METHODS or method in impute.GROUPED:
                doc.fail(f"unsupported imputation alternative {method!r}", ("imputation",), "alternatives",
                         "none, mean, median, carry-forward or interpolate")  # fmt: skip
        _distinct(doc, ("imputation",), imputations)
    if "leave_out" in doc.data:
        doc.table(("leave_out",), ("nodes",))
        leave_out = tuple(doc.get(("leave_out",), "nodes", "strings"))
        if not leave_out:
            doc.fail("leave_out names no node", ("leave_out",), "nodes")
    if weights is None and not (normalisations or aggregations or treatments or imputations or leave_out):
        doc.fail("nothing is uncertain in this specification", (), None, "add [weights] or alternatives")
    return Spec(runs, sampler, weights, normalisations, aggregations, levels, treatments, imputations, leave_out, top_k)
