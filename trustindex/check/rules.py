"""The rules of ``trustindex check``: every rule's name and default severity, and the TOML rules file.

A rules file (``--rules FILE``, ``schema = 1``) changes severities and thresholds; every key is optional::

    fail_on = "error"                 # the --fail-on default: error or warning

    [severity]                        # per rule: error, warning, notice or off
    coverage = "error"

    [thresholds]
    min_coverage = 0.667              # share of entities per indicator and of indicators per entity
    max_rank_shift = 3                # places, against the base, per entity and profile
    max_score_change = 10.0           # index points, against the base
    top = 3                           # the top places watched by top-change
    max_history_jump = 10             # far-from-history: distance from the entity's other years, in their spread
    max_value_ratio = 5               # far-from-others: times the next largest value of the column

    [audit]                           # the audit gates; thresholds default to the profile's [audit]
    profile = "balanced"              # default: the dataset's default_weights, else the first that fits
    min_alpha = 0.7                   # also max_skew, max_kurtosis, redundant, conflicting, weak, significance

    [columns]
    allow = ["comment"]               # undeclared columns that are not an error (left out when scoring)

    [bounds]                          # bounds beyond the goalposts, per column or indicator
    n_total = [0, inf]

    [panel]
    allow_vanished = ["13"]           # entities that may leave a panel

    [compare]
    profiles = ["balanced"]           # default: every profile of the dataset's framework

    [uncertainty]                     # the optional gate: nominal rank outside its 90 % interval
    enabled = false
    runs = 1000
    seed = 0
    spec = "spec.toml"                # an uncertainty specification; default weights ±25 %, arith. vs geom.

    [datasets.jp-prefectures]         # any of the tables above, for one dataset only
    thresholds = { max_rank_shift = 5 }
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import ConfigError
from ..model import Thresholds, frozen_map

SEVERITIES = ("error", "warning", "notice")
OFF = "off"

RULES: dict[str, tuple[str, str]] = {
    # reading
    "readable": ("error", "the files read: TOML and CSV syntax, UTF-8, one field per column, valid metadata"),
    # validation against the dataset's own metadata
    "missing-column": ("error", "every declared indicator and column is in the values file"),
    "undeclared-column": ("error", "no column the metadata does not declare, unless the rules allow it"),
    "duplicate-column": ("error", "each column once in the header"),
    "not-a-number": ("error", "numeric cells hold numbers (empty or NA when missing)"),
    "absent-value": ("error", "no value in a year in which the column did not exist"),
    "out-of-bounds": ("error", "values within the bounds the dataset declares and the rules' bounds"),
    "beyond-goalposts": ("error", "values and targets within their indicator's goalposts (elsewhere a notice)"),
    "required-value": ("error", "no missing value in a column the dataset declares required"),
    "notes": ("error", "notes name known entities and indicators, one note per cell"),
    "entity-id": ("error", "entity ids present and well formed for the declared id_kind"),
    "unknown-code": ("warning", "ISO3 codes officially assigned; JIS prefecture codes match the prefecture's name"),
    "duplicate-entity": ("error", "each entity once (once per year in a panel)"),
    "year": ("error", "years of four digits and declared; every declared year has rows"),
    "coverage": ("warning", "indicators and entities have data for at least min_coverage (the latest year)"),
    "provenance": ("error", "every indicator names its source and year; formula inputs their source; a licence"),
    "sources-file": ("warning", "a SOURCES.md beside dataset.toml"),
    "review": ("warning", "no row of an indicator table marked for review (its review cell filled)"),
    "panel-gap": ("warning", "the years of a panel are contiguous"),
    "lag-gap": ("error", "lag() has the previous year it reads"),
    "vanished-entity": ("error", "no entity leaves a panel from one year to the next unless allowed"),
    "entity-changed": ("warning", "an entity keeps its name from year to year, and a name keeps its id"),
    "panel-hole": ("warning", "no value missing between two years in which the same entity has one"),
    "duplicate-row": ("warning", "no two rows with the same numbers in every column"),
    "far-from-history": ("warning", "values near the same entity's other years (max_history_jump)"),
    "far-from-others": ("warning", "no value more than max_value_ratio times the next largest of its column"),
    "profile": ("error", "the dataset's weights profiles read and fit it"),
    "scoring": ("error", "the dataset loads and scores"),
    # audit gates
    "alpha": ("warning", "Cronbach's alpha of every pillar at or above min_alpha"),
    "new-outlier": ("warning", "no indicator newly flagged with outliers (|skewness| and kurtosis)"),
    "outlier": ("notice", "indicators flagged with outliers, as in the base (or with no base)"),
    "new-correlation": ("warning", "no new redundant, conflicting or weak correlation"),
    "correlation": ("notice", "correlation flags, as in the base (or with no base)"),
    # changes against the base
    "entity-added": ("notice", "entities added"),
    "entity-removed": ("warning", "entities removed"),
    "indicator-added": ("notice", "indicators added"),
    "indicator-removed": ("warning", "indicators removed"),
    "column-added": ("notice", "published columns added"),
    "column-removed": ("notice", "published columns removed"),
    "year-added": ("notice", "panel years added"),
    "year-removed": ("warning", "panel years removed"),
    "cell-changed": ("notice", "cells changed in a cross-section"),
    "revision": ("warning", "cells of a year the base already had changed (revisions of a panel)"),
    "value-removed": ("warning", "cells that had a value and are now missing"),
    "metadata-changed": ("warning", "an indicator's direction, goalposts, target, parent or formula changed"),
    "rank-shift": ("warning", "no entity moves more than max_rank_shift places under a profile"),
    "score-change": ("warning", "no index score changes by more than max_score_change"),
    "top-change": ("notice", "the top places, in order"),
    # optional
    "uncertain-rank": ("warning", "every nominal rank inside its 90 % uncertainty interval ([uncertainty] enabled)"),
}
"""Rule name → (default severity, what passing means)."""

FIXED = frozenset({"readable"})
"""Rules whose severity cannot be changed: an unreadable file stops the check (exit 3)."""

TOP = ("schema", "fail_on", "severity", "thresholds", "audit", "columns", "bounds", "panel", "compare", "uncertainty",
       "datasets")  # fmt: skip
TABLES = TOP[2:-1]
THRESHOLDS = {
    "min_coverage": (0, 1, False),
    "max_rank_shift": (0, None, True),
    "max_score_change": (0, None, False),
    "top": (1, None, True),
    "max_history_jump": (1, None, False),
    "max_value_ratio": (1, None, False),
}
"""Threshold → (lowest, highest, whole number)."""
UNCERTAINTY = ("enabled", "runs", "seed", "spec")


@dataclass(frozen=True)
class Rules:
    """Effective rules for one dataset (or the defaults)."""

    severity: Mapping[str, str] = field(default_factory=lambda: frozen_map({k: v[0] for k, v in RULES.items()}))
    fail_on: str = "error"
    min_coverage: float = 2 / 3
    max_rank_shift: int = 3
    max_score_change: float = 10.0
    top: int = 3
    max_history_jump: float = 10.0
    max_value_ratio: float = 5.0
    audit_profile: str | None = None
    audit: Mapping[str, float] = field(default_factory=frozen_map)
    """Overrides of the profile's audit thresholds."""
    allow_columns: tuple[str, ...] = ()
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=frozen_map)
    allow_vanished: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    """The profiles compared; empty: every profile of the dataset's framework."""
    uncertainty: bool = False
    runs: int = 1000
    seed: int = 0
    spec: Path | None = None
    path: Path | None = None
    datasets: Mapping[str, Rules] = field(default_factory=frozen_map)
    """The rules of the datasets that have a ``[datasets.NAME]`` table."""
    prefix: tuple[str, ...] = ()
    """Where these rules are set in the file: ``()`` or ``("datasets", NAME)``."""
    positions: object | None = field(default=None, repr=False, compare=False)
    """Where each key of the rules file is (:class:`trustindex.io.toml.Positions`)."""

    def level(self, rule: str) -> str:
        return self.severity[rule]

    def thresholds(self, base: Thresholds) -> Thresholds:
        """The audit thresholds: the profile's, with this file's overrides."""
        return replace(base, **self.audit)

    def for_dataset(self, name: str) -> Rules:
        return self.datasets.get(name, self)

    def where(self, *path) -> tuple:
        """(path, line, column) of the setting at ``path`` under this dataset's table (or the top), for findings."""
        if self.positions is None:
            return (self.path,) if self.path else ()
        for prefix in (self.prefix, ()):
            line, column = self.positions.value_at((*prefix, *path))
            if line is not None:
                return self.path, line, column
        return (self.path,)


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` fails the check under ``--fail-on fail_on``."""
    return severity in SEVERITIES and SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


def _apply(doc, prefix: tuple[str, ...], rules: Rules) -> Rules:
    """``rules`` with the tables under ``prefix`` of ``doc`` applied."""
    from ..errors import did_you_mean
    from ..io.weights import thresholds

    doc.table(prefix, TABLES if prefix else TOP)
    changes: dict = {"prefix": prefix}
    table = (*prefix, "severity")
    severity = dict(rules.severity)
    for rule, value in doc.table(table).items():
        if rule not in RULES:
            doc.fail(f"unknown rule {rule!r}", table, rule, did_you_mean(rule, RULES))
        if value not in (*SEVERITIES, OFF):
            doc.fail(f"severity must be error, warning, notice or off, not {value!r}", table, rule)
        if rule in FIXED and value != RULES[rule][0]:
            doc.fail(f"the severity of {rule!r} is fixed: an unreadable file stops the check", table, rule)
        severity[rule] = value
    changes["severity"] = frozen_map(severity)

    table = (*prefix, "thresholds")
    doc.table(table, tuple(THRESHOLDS))
    for key, (low, high, integer) in THRESHOLDS.items():
        value = doc.get(table, key, "int" if integer else "number", None, low=low, high=high)
        if value is not None:
            changes[key] = value

    table = (*prefix, "audit")
    changes["audit_profile"] = doc.get(table, "profile", "str", rules.audit_profile)
    base = replace(Thresholds(), **rules.audit)
    changes["audit"] = frozen_map({**rules.audit, **thresholds(doc, table, base, extra=("profile",))})

    table = (*prefix, "columns")
    doc.table(table, ("allow",))
    changes["allow_columns"] = tuple(doc.get(table, "allow", "strings", list(rules.allow_columns)))

    table = (*prefix, "bounds")
    bounds = dict(rules.bounds)
    for name, value in doc.table(table).items():
        if not (isinstance(value, list) and len(value) == 2 and all(_real(v) for v in value) and value[0] <= value[1]):
            doc.fail(f"bounds of {name!r} must be [low, high] with low <= high (inf allowed), not {value!r}"[:160],
                     table, name)  # fmt: skip
        bounds[name] = (float(value[0]), float(value[1]))
    changes["bounds"] = frozen_map(bounds)

    table = (*prefix, "panel")
    doc.table(table, ("allow_vanished",))
    changes["allow_vanished"] = tuple(doc.get(table, "allow_vanished", "strings", list(rules.allow_vanished)))

    table = (*prefix, "compare")
    doc.table(table, ("profiles",))
    changes["profiles"] = tuple(doc.get(table, "profiles", "strings", list(rules.profiles)))

    table = (*prefix, "uncertainty")
    doc.table(table, UNCERTAINTY)
    changes["uncertainty"] = doc.get(table, "enabled", "bool", rules.uncertainty)
    changes["runs"] = doc.get(table, "runs", "int", rules.runs, low=2)
    changes["seed"] = doc.get(table, "seed", "int", rules.seed, low=0)
    spec = doc.get(table, "spec", "str", None)
    changes["spec"] = rules.spec if spec is None else (doc.path.parent / spec if doc.path else Path(spec))
    return replace(rules, **changes)


def _real(value) -> bool:
    """A bound: a number (infinite allowed) within ±LARGEST unless infinite."""
    from ..io.numbers import LARGEST

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return not math.isnan(value)
    return abs(value) <= LARGEST


def read_rules(path: Path | None) -> Rules:
    """The rules of the file at ``path`` over the defaults (the defaults when ``path`` is None).

    Unknown keys, rules or severities raise ConfigError naming the line (exit 2).
    """
    if path is None:
        return Rules()
    from ..io.toml import TomlDoc

    doc = TomlDoc(Path(path), ConfigError)
    doc.table((), TOP)
    rules_positions = doc.positions
    schema = doc.get((), "schema", "int", 1)
    if schema != 1:
        doc.fail(f"unsupported schema {schema}", (), "schema", "this version of trustindex reads schema = 1")
    fail_on = doc.get((), "fail_on", "str", "error")
    if fail_on not in ("error", "warning"):
        doc.fail(f"fail_on must be 'error' or 'warning', not {fail_on!r}", (), "fail_on")
    rules = _apply(doc, (), replace(Rules(), fail_on=fail_on, path=Path(path), positions=rules_positions))
    datasets = {}
    for name, table in doc.table(("datasets",)).items():
        if not isinstance(table, dict):
            doc.fail(f"datasets.{name} must be a table", ("datasets",), name)
        datasets[name] = _apply(doc, ("datasets", name), rules)
    return replace(rules, datasets=frozen_map(datasets))


def verify(rules: Rules, metadata: dict, profiles: dict) -> None:
    """Raise ConfigError, at the rules file's line, for a dataset, column or profile the rules name that does
    not exist: ``metadata`` maps each checked dataset's name to its metadata, ``profiles`` to the names of the
    profiles beside it."""
    from ..errors import did_you_mean

    def fail(scope: Rules, message: str, path: tuple, hint: str | None) -> None:
        where = (*scope.where(*path), None, None, None)
        raise ConfigError(message, path=where[0] or rules.path, line=where[1], column=where[2], hint=hint)

    from ..io.registry import dataset_names

    known = set(metadata) | set(dataset_names())
    for name in rules.datasets:
        if name not in known:
            fail(
                rules,
                f"rules for dataset {name!r}, which is not checked here",
                ("datasets", name),
                did_you_mean(name, known),
            )
    for scope, names in [(rules, metadata)] + [(r, [n]) for n, r in rules.datasets.items() if n in metadata]:
        columns = set().union(*(_columns(metadata[n]) for n in names)) if names else set()
        own = scope.bounds if scope is rules else {k: v for k, v in scope.bounds.items() if k not in rules.bounds}
        for column in own:
            if names and column not in columns:
                what = "any dataset checked" if scope is rules else f"dataset {names[0]!r}"
                fail(
                    scope,
                    f"bounds for {column!r}, which is no column of {what}",
                    ("bounds", column),
                    did_you_mean(column, columns),
                )
        available = set().union(*(profiles[n] for n in names)) if names else set()
        if not names:
            continue
        for i, name in enumerate(scope.profiles):
            if name not in available:
                fail(scope, f"the rules compare profile {name!r}, which is not among the profiles",
                     ("compare", "profiles", i), did_you_mean(name, available))  # fmt: skip
        if scope.audit_profile and scope.audit_profile not in available:
            fail(scope, f"the rules audit under profile {scope.audit_profile!r}, which is not among the profiles",
                 ("audit", "profile"), did_you_mean(scope.audit_profile, available))  # fmt: skip


def _columns(meta) -> set[str]:
    return {i.id for i in meta.framework.indicators} | {c.name for c in meta.columns}
