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
    "out-of-bounds": ("error", "values within their goalposts and the rules' bounds"),
    "entity-id": ("error", "entity ids present and well formed for the declared id_kind"),
    "unknown-code": ("warning", "ISO3 codes officially assigned; JIS prefecture codes match the prefecture's name"),
    "duplicate-entity": ("error", "each entity once (once per year in a panel)"),
    "year": ("error", "years of four digits and declared; every declared year has rows"),
    "coverage": ("warning", "indicators and entities have data for at least min_coverage (the latest year)"),
    "provenance": ("error", "every indicator names its source and year; formula inputs their source; a licence"),
    "sources-file": ("warning", "a SOURCES.md beside dataset.toml"),
    "panel-gap": ("warning", "the years of a panel are contiguous"),
    "lag-gap": ("error", "lag() has the previous year it reads"),
    "vanished-entity": ("error", "no entity leaves a panel from one year to the next unless allowed"),
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
THRESHOLDS = ("min_coverage", "max_rank_shift", "max_score_change", "top")
AUDIT = ("profile", "max_skew", "max_kurtosis", "min_alpha", "redundant", "conflicting", "weak", "significance")
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

    def level(self, rule: str) -> str:
        return self.severity[rule]

    def thresholds(self, base: Thresholds) -> Thresholds:
        """The audit thresholds: the profile's, with this file's overrides."""
        return replace(base, **self.audit)

    def for_dataset(self, name: str) -> Rules:
        return self.datasets.get(name, self)


def fails(severity: str, fail_on: str) -> bool:
    """Whether a finding of ``severity`` fails the check under ``--fail-on fail_on``."""
    return severity in SEVERITIES and SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


def _number(doc, table, key, low=None, integer=False):
    value = doc.get(table, key, "int" if integer else "number", None)
    if value is not None and low is not None and value < low:
        doc.fail(f"{key} must be at least {low}, not {value}", table, key)
    return value


def _apply(doc, prefix: tuple[str, ...], rules: Rules) -> Rules:
    """``rules`` with the tables under ``prefix`` of ``doc`` applied."""
    doc.table(prefix, TABLES if prefix else TOP)
    changes: dict = {}
    table = (*prefix, "severity")
    severity = dict(rules.severity)
    for rule, value in doc.table(table).items():
        from ..errors import did_you_mean

        if rule not in RULES:
            doc.fail(f"unknown rule {rule!r}", table, rule, did_you_mean(rule, RULES))
        if value not in (*SEVERITIES, OFF):
            doc.fail(f"severity must be error, warning, notice or off, not {value!r}", table, rule)
        if rule in FIXED and value != RULES[rule][0]:
            doc.fail(f"the severity of {rule!r} is fixed: an unreadable file stops the check", table, rule)
        severity[rule] = value
    changes["severity"] = frozen_map(severity)

    table = (*prefix, "thresholds")
    doc.table(table, THRESHOLDS)
    for key, low, integer in (("min_coverage", 0, False), ("max_rank_shift", 0, True),
                              ("max_score_change", 0, False), ("top", 1, True)):  # fmt: skip
        value = _number(doc, table, key, low, integer)
        if key == "min_coverage" and value is not None and value > 1:
            doc.fail(f"min_coverage must lie in [0, 1], not {value}", table, key)
        if value is not None:
            changes[key] = value

    table = (*prefix, "audit")
    doc.table(table, AUDIT)
    changes["audit_profile"] = doc.get(table, "profile", "str", rules.audit_profile)
    audit = dict(rules.audit)
    for key in AUDIT[1:]:
        value = doc.get(table, key, "number", None)
        if value is not None:
            audit[key] = value
    changes["audit"] = frozen_map(audit)

    table = (*prefix, "columns")
    doc.table(table, ("allow",))
    changes["allow_columns"] = tuple(doc.get(table, "allow", "strings", list(rules.allow_columns)))

    table = (*prefix, "bounds")
    bounds = dict(rules.bounds)
    for name, value in doc.table(table).items():
        if not (isinstance(value, list) and len(value) == 2 and all(_real(v) for v in value) and value[0] <= value[1]):
            doc.fail(f"bounds of {name!r} must be [low, high] with low <= high (inf allowed), not {value!r}",
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
    changes["runs"] = _number(doc, table, "runs", 2, integer=True) or rules.runs
    seed = _number(doc, table, "seed", 0, integer=True)
    changes["seed"] = rules.seed if seed is None else seed
    spec = doc.get(table, "spec", "str", None)
    changes["spec"] = rules.spec if spec is None else (doc.path.parent / spec if doc.path else Path(spec))
    return replace(rules, **changes)


def _real(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def read_rules(path: Path | None) -> Rules:
    """The rules of the file at ``path`` over the defaults (the defaults when ``path`` is None).

    Unknown keys, rules or severities raise ConfigError naming the line (exit 2).
    """
    if path is None:
        return Rules()
    from ..io.toml import TomlDoc

    doc = TomlDoc(Path(path), ConfigError)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int", 1)
    if schema != 1:
        doc.fail(f"unsupported schema {schema}", (), "schema", "this version of trustindex reads schema = 1")
    fail_on = doc.get((), "fail_on", "str", "error")
    if fail_on not in ("error", "warning"):
        doc.fail(f"fail_on must be 'error' or 'warning', not {fail_on!r}", (), "fail_on")
    rules = _apply(doc, (), replace(Rules(), fail_on=fail_on, path=Path(path)))
    datasets = {}
    for name, table in doc.table(("datasets",)).items():
        if not isinstance(table, dict):
            doc.fail(f"datasets.{name} must be a table", ("datasets",), name)
        datasets[name] = _apply(doc, ("datasets", name), rules)
    return replace(rules, datasets=frozen_map(datasets))
