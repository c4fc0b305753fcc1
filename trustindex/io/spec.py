"""Read an uncertainty specification (``schema = 1``): what varies in an uncertainty or sensitivity analysis.

A file lists exactly what is uncertain; a table that is absent stays at its nominal choice. Without a
file, :data:`DEFAULT` applies: weights ±25 % at the pillar and sub-pillar levels (the indicators of a tree
without pillars), arithmetic against geometric aggregation of the index, 1,000 runs. :class:`SpecFile` keeps
where each setting is, so that :func:`trustindex.fit.fit_spec` can point at the one that does not fit a
dataset.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .. import methods
from ..errors import ConfigError, did_you_mean
from ..model import LEVELS, Aggregation, Normalisation, Spec, WeightSpec, frozen_map
from .numbers import LARGEST_INTEGER, POWER, SCALE, shown
from .toml import DESCRIBE, Positions, TomlDoc, is_kind
from .weights import NORMALISATION, ONLY_WITH, weight_problem

DEFAULT = Spec()
TOP = ("schema", "runs", "sampler", "top_k", "weights", "normalisation", "aggregation", "treatment", "imputation",
       "denomination", "weightings", "leave_out")  # fmt: skip
WEIGHT_LEVELS = ("pillar", "sub-pillar", "indicator")
CONCENTRATION = (1.0, 1e6)
"""Dirichlet concentrations: below 1 the weights pile on single components, above 10⁶ nothing varies."""


class SpecFile(NamedTuple):
    """A specification and where each of its settings is in its file (None for the default)."""

    spec: Spec
    path: Path | None = None
    positions: Positions | None = None

    def fail(self, message: str, table: tuple = (), key=None, hint: str | None = None):
        path = tuple(table) if key is None else (*table, key)
        line, column = (None, None) if self.positions is None else self.positions.value_at(path)
        raise ConfigError(message, path=self.path, line=line, column=column, hint=hint)


def _alternatives(doc: TomlDoc, table: tuple[str, ...]) -> list:
    value = doc.get(table, "alternatives", "list")
    if len(value) < 2:
        doc.fail("give two or more alternatives: a single one varies nothing", table, "alternatives")
    return value


def _distinct(doc: TomlDoc, table: tuple[str, ...], parsed: tuple) -> tuple:
    for i, item in enumerate(parsed):
        if item in parsed[:i]:
            doc.fail_at("an alternative is listed twice", (*table, "alternatives", i), "list each choice once")
    return parsed


def _field(doc: TomlDoc, at: tuple, item: dict, key: str, kind: str, default, what: str, low=None, high=None):
    """``item[key]`` (a key of the alternative at ``at``) checked to be of ``kind`` within [low, high]."""
    allowed = what.split()
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        doc.fail_at(f"unknown key {unknown[0]!r} in an alternative", at, did_you_mean(unknown[0], allowed))
    if key not in item:
        return default
    value = item[key]
    if not is_kind(value, kind):
        doc.fail_at(f"{key} must be {DESCRIBE[kind]}, not {value!r}"[:160], at)
    numbers = value if isinstance(value, list) else [value] if kind in ("number", "int") else []
    for number in numbers:
        if low is not None and number < low:
            doc.fail_at(f"{key} must be {shown(low)} or more, not {shown(number)}", at)
        if high is not None and number > high:
            doc.fail_at(f"{key} must be {shown(high)} or less, not {shown(number)}", at)
    return value


def _normalisation(doc: TomlDoc, item, at) -> Normalisation:
    if isinstance(item, str):
        item = {"method": item}
    if not isinstance(item, dict):
        doc.fail_at(f"a normalisation alternative must be a method name or a table, not {item!r}"[:160], at)
    keys = " ".join(NORMALISATION)
    method = _field(doc, at, item, "method", "str", None, keys)
    if method not in methods.NORMALISATION:
        doc.fail_at(f"unknown normalisation method {method!r}", at, did_you_mean(str(method), methods.NORMALISATION))
    for key, owner in ONLY_WITH.items():
        if key in item and method != owner:
            doc.fail_at(f"{key} has no effect with method {method!r}", at, f"remove it, or use {owner!r}")
    basis = _field(doc, at, item, "sd_basis", "str", "sample", keys)
    if basis not in methods.SD_BASES:
        doc.fail_at(f"unknown sd_basis {basis!r}", at, did_you_mean(str(basis), methods.SD_BASES))
    reference = _field(doc, at, item, "reference", "str", None, keys)
    if method == "dist2ref" and reference is None:
        doc.fail_at("dist2ref needs the reference entity", at, "add reference = 'ENTITY-ID' to the alternative")
    cap = _field(doc, at, item, "cap", "bool", False, keys)
    over = _field(doc, at, item, "over", "str", "year", keys)
    if over not in methods.OVER:
        doc.fail_at(f"unknown over {over!r}", at, did_you_mean(str(over), methods.OVER))
    if over == "panel" and method not in methods.PANEL_WIDE:
        doc.fail_at(f"over = 'panel' has no effect with method {method!r}", at, "only minmax, zscore and fracmax")
    low, high = _field(doc, at, item, "range", "pair", (0.0, 100.0), keys, -SCALE, SCALE)
    if not low < high:
        doc.fail_at(f"range must be [low, high] with low < high, not [{low:g}, {high:g}]", at)
    sd = _field(doc, at, item, "sd", "number", 1.0, keys, 0, SCALE)
    if sd <= 0:
        doc.fail_at(f"sd must be positive, not {sd:g}", at)
    mean = _field(doc, at, item, "mean", "number", 0.0, keys, -SCALE, SCALE)
    return Normalisation(method, (float(low), float(high)), float(mean), float(sd), basis, reference, cap, over)


def _aggregation(doc: TomlDoc, item, at) -> Aggregation:
    if isinstance(item, str):
        item = {"method": item}
    if not isinstance(item, dict) or item.get("method") not in methods.AGGREGATION:
        doc.fail_at(f"unknown aggregation alternative {item!r}"[:160], at,
                    "a method name, or a table such as { method = 'power', p = 0.5 }")  # fmt: skip
    if (item["method"] == "power") != ("p" in item):
        doc.fail_at("p goes with method 'power', and only with it", at)
    p = _field(doc, at, item, "p", "number", None, "method p", -POWER, POWER)
    return Aggregation(item["method"], None if p is None else float(p))


def _levels(doc: TomlDoc, table, allowed, default) -> tuple[str, ...]:
    if "levels" not in doc.table(table):
        return default
    levels = tuple(doc.get(table, "levels", "strings"))
    if not levels:
        doc.fail("levels names no level", table, "levels", "expected some of: " + ", ".join(allowed))
    for i, level in enumerate(levels):
        if level not in allowed:
            doc.fail_at(f"unknown level {level!r}", (*table, "levels", i), did_you_mean(level, allowed))
    return levels


def read_spec(path: Path) -> SpecFile:
    """Parse and validate ``path``; every problem raises ConfigError with its line and column."""
    doc = TomlDoc(Path(path), ConfigError)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int")
    if schema != 1:
        doc.fail(f"unsupported schema {shown(schema)}", (), "schema", "this version of trustindex reads schema = 1")
    runs = doc.get((), "runs", "int", DEFAULT.runs, low=2)
    sampler = doc.get((), "sampler", "str", DEFAULT.sampler)
    if sampler not in methods.SAMPLERS:
        doc.fail(f"unknown sampler {sampler!r}", (), "sampler", did_you_mean(sampler, methods.SAMPLERS))
    top_k = doc.get((), "top_k", "int", DEFAULT.top_k, low=1)

    weights = None
    if "weights" in doc.data:
        table = ("weights",)
        doc.table(table, ("distribution", "spread", "concentration", "levels"))
        distribution = doc.get(table, "distribution", "str", "uniform")
        if distribution not in methods.DISTRIBUTIONS:
            doc.fail(f"unknown distribution {distribution!r}", table, "distribution",
                     did_you_mean(distribution, methods.DISTRIBUTIONS))  # fmt: skip
        keys = doc.table(table)
        if "spread" in keys and distribution != "uniform":
            doc.fail(f"spread has no effect with {distribution!r}", table, "spread", "remove it")
        if "concentration" in keys and distribution != "dirichlet":
            doc.fail(f"concentration has no effect with {distribution!r}", table, "concentration", "remove it")
        spread = doc.get(table, "spread", "number", 0.25)
        if not 0 < spread < 1:
            doc.fail(f"spread must lie in (0, 1), not {shown(spread)}", table, "spread")
        concentration = doc.get(table, "concentration", "number", 100.0, *CONCENTRATION)
        levels = _levels(doc, table, WEIGHT_LEVELS, ())
        weights = WeightSpec(distribution, spread, concentration, levels)

    normalisations, aggregations, levels, treatments, imputations, leave_out = (), (), ("index",), (), (), ()
    if "normalisation" in doc.data:
        table = ("normalisation",)
        doc.table(table, ("alternatives",))
        items = _alternatives(doc, table)
        normalisations = _distinct(doc, table, tuple(_normalisation(doc, item, (*table, "alternatives", i))
                                                     for i, item in enumerate(items)))  # fmt: skip
    if "aggregation" in doc.data:
        table = ("aggregation",)
        doc.table(table, ("alternatives", "levels"))
        items = _alternatives(doc, table)
        aggregations = _distinct(doc, table, tuple(_aggregation(doc, item, (*table, "alternatives", i))
                                                   for i, item in enumerate(items)))  # fmt: skip
        levels = _levels(doc, table, LEVELS, ("index",))
    if "treatment" in doc.data:
        table = ("treatment",)
        doc.table(table, ("alternatives",))
        for i, item in enumerate(_alternatives(doc, table)):
            at = (*table, "alternatives", i)
            method = item.get("method") if isinstance(item, dict) else item
            if method not in methods.TREATMENT:
                doc.fail_at(f"unknown treatment {method!r}"[:120], at, "none or winsorise")
            points = 5
            if isinstance(item, dict):
                points = _field(doc, at, item, "max_points", "int", 5, "method max_points", 0, LARGEST_INTEGER)
            treatments += ((method, points),)
        _distinct(doc, table, treatments)
    if "imputation" in doc.data:
        table = ("imputation",)
        doc.table(table, ("alternatives",))
        imputations = tuple(_alternatives(doc, table))
        for i, method in enumerate(imputations):
            if not isinstance(method, str) or method not in methods.IMPUTATION or method in methods.GROUPED:
                doc.fail_at(f"unsupported imputation alternative {method!r}"[:120], (*table, "alternatives", i),
                            "none, mean, median, carry-forward or interpolate")  # fmt: skip
        _distinct(doc, table, imputations)
    denominations = ()
    if "denomination" in doc.data:
        table = ("denomination",)
        doc.table(table, ("alternatives",))
        denominations = tuple(_alternatives(doc, table))
        for i, method in enumerate(denominations):
            if not isinstance(method, str) or method not in methods.DENOMINATION:
                doc.fail_at(f"unknown denomination {method!r}"[:120], (*table, "alternatives", i), "none or divide")
        _distinct(doc, table, denominations)
    weightings = _weightings(doc) if "weightings" in doc.data else ()
    if weightings and weights is not None:
        doc.fail("[weightings] and [weights] both vary the weights: give one of them", ("weightings",),
                 "alternatives", "drop [weights] to run the weightings as they are")  # fmt: skip
    if "leave_out" in doc.data:
        doc.table(("leave_out",), ("nodes",))
        leave_out = tuple(doc.get(("leave_out",), "nodes", "strings"))
        if not leave_out:
            doc.fail("leave_out names no node", ("leave_out",), "nodes")
        _distinct_nodes(doc, leave_out)
    if weights is None and not (normalisations or aggregations or treatments or imputations or denominations
                                or weightings or leave_out):  # fmt: skip
        doc.fail("nothing is uncertain in this specification", (), None, "add [weights] or alternatives")
    spec = Spec(runs, sampler, weights, normalisations, aggregations, levels, treatments, imputations, leave_out,
                top_k, denominations, weightings)  # fmt: skip
    return SpecFile(spec, doc.path, doc.positions)


def _weightings(doc: TomlDoc) -> tuple[tuple[str, Mapping[str, float]], ...]:
    """``[weightings] alternatives = [{ name = "...", weights = { node = w, ... } }, ...]``."""
    table = ("weightings",)
    doc.table(table, ("alternatives",))
    out = []
    for i, item in enumerate(_alternatives(doc, table)):
        at = (*table, "alternatives", i)
        if not isinstance(item, dict):
            doc.fail_at(f"a weighting must be a table {{ name = ..., weights = {{ ... }} }}, not {item!r}"[:160], at)
        name = _field(doc, at, item, "name", "str", None, "name weights")
        weights = item.get("weights")
        if name is None or not isinstance(weights, dict) or not weights:
            doc.fail_at("a weighting needs its name and its weights", at,
                        'e.g. { name = "expert-a", weights = { management = 2, support = 1 } }')  # fmt: skip
        for node, value in weights.items():
            if not is_kind(value, "number"):
                doc.fail_at(f"weight of {node!r} must be {DESCRIBE['number']}, not {value!r}"[:160], at)
            problem = weight_problem(node, value)
            if problem is not None:
                doc.fail_at(problem[0], at, problem[1])
        if name in [n for n, _ in out]:
            doc.fail_at(f"the weighting {name!r} is listed twice", at, "give each weighting its own name")
        out.append((name, frozen_map({k: float(v) for k, v in weights.items()})))
    return tuple(out)


def _distinct_nodes(doc: TomlDoc, nodes: tuple[str, ...]) -> None:
    for i, node in enumerate(nodes):
        if node in nodes[:i]:
            doc.fail_at(f"{node!r} is listed twice", ("leave_out", "nodes", i), "list each node once")


def load_spec(path: Path) -> Spec:
    """Parse and validate ``path``; every problem raises ConfigError with its line and column."""
    return read_spec(path).spec
