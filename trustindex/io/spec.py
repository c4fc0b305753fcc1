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
from .toml import TomlDoc

DEFAULT = Spec()
TOP = ("schema", "runs", "sampler", "top_k", "weights", "normalisation", "aggregation", "treatment", "imputation",
       "leave_out")  # fmt: skip
WEIGHT_LEVELS = ("pillar", "sub-pillar", "indicator")


def _alternatives(doc: TomlDoc, table: tuple[str, ...]) -> list:
    value = doc.get(table, "alternatives", "list")
    if len(value) < 2:
        doc.fail("give two or more alternatives: a single one varies nothing", table, "alternatives")
    return value


def _normalisation(doc: TomlDoc, item, table) -> Normalisation:
    if isinstance(item, str):
        item = {"method": item}
    if not isinstance(item, dict):
        doc.fail(f"a normalisation alternative must be a method name or a table, not {item!r}", table, "alternatives")
    unknown = set(item) - {"method", "range", "mean", "sd"}
    if unknown:
        doc.fail(f"unknown key {sorted(unknown)[0]!r} in a normalisation alternative", table, "alternatives",
                 did_you_mean(sorted(unknown)[0], ("method", "range", "mean", "sd")))  # fmt: skip
    method = item.get("method")
    if method not in normalise.METHODS:
        hint = did_you_mean(str(method), normalise.METHODS)
        doc.fail(f"unknown normalisation method {method!r}", table, "alternatives", hint)
    low, high = item.get("range", (0.0, 100.0))
    return Normalisation(method, (float(low), float(high)), float(item.get("mean", 0.0)), float(item.get("sd", 1.0)))


def _aggregation(doc: TomlDoc, item, table) -> Aggregation:
    if isinstance(item, str):
        item = {"method": item}
    if not isinstance(item, dict) or item.get("method") not in aggregate.METHODS:
        doc.fail(f"unknown aggregation alternative {item!r}", table, "alternatives",
                 "a method name, or a table such as { method = 'power', p = 0.5 }")  # fmt: skip
    if (item["method"] == "power") != ("p" in item):
        doc.fail("p goes with method 'power', and only with it", table, "alternatives")
    return Aggregation(item["method"], float(item["p"]) if "p" in item else None)


def _levels(doc: TomlDoc, table, allowed, default) -> tuple[str, ...]:
    levels = tuple(doc.get(table, "levels", "strings", list(default)))
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
        normalisations = tuple(_normalisation(doc, i, table) for i in _alternatives(doc, table))
    if "aggregation" in doc.data:
        doc.table(("aggregation",), ("alternatives", "levels"))
        aggregations = tuple(_aggregation(doc, i, ("aggregation",)) for i in _alternatives(doc, ("aggregation",)))
        levels = _levels(doc, ("aggregation",), LEVELS, ("index",))
    if "treatment" in doc.data:
        doc.table(("treatment",), ("alternatives",))
        for item in _alternatives(doc, ("treatment",)):
            method = item.get("method") if isinstance(item, dict) else item
            if method not in ("none", "winsorise"):
                doc.fail(f"unknown treatment {method!r}", ("treatment",), "alternatives", "none or winsorise")
            treatments += ((method, int(item.get("max_points", 5)) if isinstance(item, dict) else 5),)
    if "imputation" in doc.data:
        doc.table(("imputation",), ("alternatives",))
        imputations = tuple(_alternatives(doc, ("imputation",)))
        for method in imputations:
            if method not in impute.METHODS or method in impute.GROUPED:
                doc.fail(f"unsupported imputation alternative {method!r}", ("imputation",), "alternatives",
                         "none, mean, median, carry-forward or interpolate")  # fmt: skip
    if "leave_out" in doc.data:
        doc.table(("leave_out",), ("nodes",))
        leave_out = tuple(doc.get(("leave_out",), "nodes", "strings"))
        if not leave_out:
            doc.fail("leave_out names no node", ("leave_out",), "nodes")
    if weights is None and not (normalisations or aggregations or treatments or imputations or leave_out):
        doc.fail("nothing is uncertain in this specification", (), None, "add [weights] or alternatives")
    return Spec(runs, sampler, weights, normalisations, aggregations, levels, treatments, imputations, leave_out, top_k)
