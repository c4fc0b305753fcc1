"""The rules a dataset's values follow, in one place: the loader stops at the first problem, ``check`` lists all.

Each rule reports to a *sink* with ``sink.add(rule, message, path, line, column, entity=, node=, hint=, **values)``
(and ``sink.run(*rules)`` to say which rules were evaluated). :class:`Strict`, the loader's sink, raises
DataError at the first problem that keeps the values from being read (:data:`BLOCKING`) and keeps values beyond
their goalposts as notices; ``check``'s :class:`~trustindex.check.findings.Collector` keeps every finding with
its severity. The sink's ``rules`` carry the settings: bounds beyond the dataset's own, allowed columns and
vanishing entities, and the thresholds of the coverage and outlier rules (:class:`Settings` for the loader).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError, did_you_mean
from .numbers import DECIMAL_COMMA, YEAR, NotANumber, parse_number
from .table import Table, field_position, read_csv

MISSING = frozenset({"", "NA"})
"""Cell texts read as a missing value."""
ID_KINDS = {
    "iso3": (re.compile(r"[A-Z]{3}"), "three capital letters (ISO 3166-1 alpha-3)"),
    "jis-prefecture": (re.compile(r"0[1-9]|[1-3][0-9]|4[0-7]"), "a two-digit JIS X 0401 prefecture code, 01-47"),
    "code": (re.compile(r"\S+"), "a code without spaces"),
}
BLOCKING = frozenset({"readable", "missing-column", "undeclared-column", "duplicate-column", "not-a-number",
                      "absent-value", "out-of-bounds", "required-value", "entity-id", "duplicate-entity", "year",
                      "notes"})  # fmt: skip
"""Rules whose findings keep the loader from reading the values (every one of them is an error)."""


@dataclass(frozen=True)
class Settings:
    """The loader's settings: the dataset's own rules and the default thresholds (``check`` reads a rules file)."""

    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    allow_columns: tuple[str, ...] = ()
    allow_vanished: tuple[str, ...] = ()
    min_coverage: float = 2 / 3
    max_history_jump: float = 10.0
    max_value_ratio: float = 5.0


@dataclass(frozen=True)
class Beyond:
    """A value outside its indicator's goalposts: a notice when the dataset is scored."""

    node: str
    entity: str
    year: int | None
    value: float
    goalposts: tuple[float, float]
    where: tuple


class Strict:
    """The loader's sink: DataError at the first blocking problem; values beyond goalposts kept for notices."""

    def __init__(self):
        self.rules = Settings()
        self.beyond: list[Beyond] = []

    def run(self, *names: str) -> None:
        pass

    def add(self, rule, message, path=None, line=None, column=None, entity=None, node=None, hint=None, **values):
        if rule in BLOCKING:
            raise DataError(message, path=path, line=line, column=column, hint=hint)
        if rule == "beyond-goalposts":
            self.beyond.append(Beyond(node, entity, values.get("year"), values["value"], (values["low"],
                                      values["high"]), (path, line, column)))  # fmt: skip

    def error(self, exc, rule: str = "readable") -> None:
        raise exc


def _in(year: int | None) -> str:
    return f" in {year}" if year is not None else ""


# --- columns and keys ------------------------------------------------------------------------------------------


def fixed_columns(meta) -> list[str]:
    """The id, name and year columns, each once."""
    fixed = [meta.id_column] + ([meta.name_column] if meta.name_column != meta.id_column else [])
    return fixed + ([meta.year_column] if meta.year_column else [])


def columns(meta, table: Table, sink) -> bool:
    """Every declared column present, none derived or undeclared; whether rows can be keyed."""
    import difflib

    fixed = fixed_columns(meta)
    direct = [i.id for i in meta.framework.indicators if i.formula is None]
    expected = fixed + direct + [c.name for c in meta.columns if c.name not in fixed]
    sink.run("missing-column", "undeclared-column")
    allowed = set(sink.rules.allow_columns)
    for name in expected:
        if name not in table.position:
            spare = sorted(set(table.header) - set(expected) - allowed)
            close = difflib.get_close_matches(name, spare, n=1, cutoff=0.6)
            where = table.header_where(close[0]) if close else table.header_where()
            sink.add("missing-column", f"missing column {name!r}", *where,
                     hint=f"is column {close[0]!r} meant to be {name!r}?" if close else "add the column",
                     node=name if name in direct else None)  # fmt: skip
    for j, name in enumerate(table.header):
        if j != table.position.get(name):
            continue  # a duplicate, reported by the table
        where = table.header_where(index=j)
        if name in meta.formulas:
            sink.add("undeclared-column", f"column {name!r} is an indicator derived by its formula", *where,
                     hint="remove the column, or the formula", node=name)  # fmt: skip
        elif name not in expected:
            if name in allowed:
                table.extra.append(name)
            else:
                table_ = getattr(meta.doc, "indicator_table", None)
                if table_ is None:
                    hint = did_you_mean(name, expected) or "declare it under [columns] or as an indicator"
                else:
                    close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
                    hint = f"did you mean {close[0]!r}?" if close else (
                        "give it a row in the indicator table (type column, if it is not an indicator)")  # fmt: skip
                declared = (table_ or meta.doc).path.name
                sink.add("undeclared-column", f"column {name!r} is not declared in {declared}", *where,
                         hint=hint)  # fmt: skip
    return meta.id_column in table.position and (meta.year_column is None or meta.year_column in table.position)


def _code(meta, table: Table, row, sink) -> None:
    """Well-formed ids that are not assigned codes, or JIS codes whose name is another prefecture's."""
    from .codes import ISO3, PREFECTURES

    where = table.where(row, meta.id_column)
    if meta.id_kind == "iso3" and row.entity not in ISO3:
        sink.add("unknown-code", f"{row.entity!r} is not an assigned ISO 3166-1 alpha-3 code", *where,
                 entity=row.entity)  # fmt: skip
    elif meta.id_kind == "jis-prefecture" and meta.name_column in table.position:
        name = table.text(row, meta.name_column)
        ja, en = PREFECTURES[row.entity]
        if name and name not in (ja, en, row.entity):
            sink.add("unknown-code", f"JIS code {row.entity} is {ja} ({en}), but the name is {name!r}", *where,
                     entity=row.entity)  # fmt: skip


def keys(meta, table: Table, sink) -> None:
    """Entity ids and years of every row: well formed, each key once."""
    sink.run("entity-id", "duplicate-entity", "year")
    if meta.id_kind in ("iso3", "jis-prefecture"):
        sink.run("unknown-code")
    pattern = ID_KINDS.get(meta.id_kind) if meta.id_kind else None
    seen: dict[tuple, int] = {}
    for row in table.rows:
        row.entity = table.text(row, meta.id_column)
        if meta.year_column:
            text = table.text(row, meta.year_column)
            if not YEAR.fullmatch(text):
                ascii_ = (
                    "write the year in ASCII digits" if any(c.isdigit() and not c.isascii() for c in text) else None
                )
                sink.add("year", f"year {text!r} is not a four-digit year", *table.where(row, meta.year_column),
                         entity=row.entity, hint=ascii_)  # fmt: skip
                continue
            row.year = int(text)
        if not row.entity:
            sink.add("entity-id", "empty entity id", *table.where(row, meta.id_column))
            continue
        if pattern and not pattern[0].fullmatch(row.entity):
            sink.add("entity-id", f"entity id {row.entity!r} is not {pattern[1]}", *table.where(row, meta.id_column),
                     entity=row.entity)  # fmt: skip
            continue
        _code(meta, table, row, sink)
        key = (row.entity, row.year)
        if key in seen:
            what = f"entity id {row.entity!r}" + _in(row.year)
            sink.add("duplicate-entity", f"duplicate {what} (first on line {seen[key]})",
                     *table.where(row, meta.id_column), entity=row.entity)  # fmt: skip
            continue
        seen[key] = row.line
        row.keyed = True


def years(meta, table: Table, sink) -> tuple[int, ...]:
    """The panel's years, checked against ``years`` in dataset.toml; empty for a cross-section."""
    doc = meta.doc
    declared = doc.data.get("years")
    line, column = doc.where((), "years")
    rows = table.keyed()
    present = sorted({r.year for r in rows if r.year is not None})
    if meta.year_column is None:
        return ()
    if declared is None:
        return tuple(present)
    for row in rows:
        if row.year not in declared:
            sink.add("year", f"year {row.year} is not among the years declared in dataset.toml",
                     *table.where(row, meta.year_column), entity=row.entity,
                     hint=f"add {row.year} to years, or remove its rows")  # fmt: skip
            row.keyed = False
    for year in declared:
        if year not in present:
            sink.add("year", f"years lists {year}, but {table.path.name} has no rows for it", doc.path, line, column,
                     hint=f"add its rows, or remove {year} from years")  # fmt: skip
    return tuple(declared)


def panel(meta, table: Table, years_: tuple[int, ...], sink) -> None:
    """Contiguous years, the year lag() needs, no entity leaving or changing its name silently."""
    if not years_:
        return
    doc = meta.doc
    sink.run("panel-gap", "vanished-entity", "entity-changed")
    line, column = doc.where((), "years")
    where = (doc.path, line, column) if line else (table.path, None, None)
    missing = [y for y in range(years_[0], years_[-1] + 1) if y not in years_]
    if missing:
        sink.add("panel-gap", f"the panel has no year {', '.join(map(str, missing))} between {years_[0]} and "
                 f"{years_[-1]}", *where)  # fmt: skip
    lagged = sorted(i for i, f in meta.formulas.items() if f.lagged)
    if lagged:
        sink.run("lag-gap")
        for year in years_[1:]:
            if year - 1 not in years_:
                sink.add("lag-gap", f"lag() in {', '.join(lagged)} reads {year - 1}, which the panel does not have: "
                         f"{year}'s values will be missing", *where)  # fmt: skip
    by_year: dict[int, dict[str, object]] = {}
    for row in table.keyed():
        by_year.setdefault(row.year, {})[row.entity] = row
    unkeyed = {r.year for r in table.rows if not r.keyed}  # a malformed row may be the entity that seems gone
    allowed = set(sink.rules.allow_vanished)
    for before, after in zip(years_, years_[1:], strict=False):
        if after in unkeyed:
            continue
        for entity in [e for e in by_year.get(before, {}) if e not in by_year.get(after, {}) and e not in allowed]:
            row = by_year[before][entity]
            sink.add("vanished-entity", f"{entity} has a row for {before} but none for {after}",
                     *table.where(row, meta.id_column), entity=entity,
                     hint="allow it in the rules' [panel] allow_vanished if intended")  # fmt: skip
    if meta.name_column != meta.id_column and meta.name_column in table.position:
        renamed(meta, table, sink)


def renamed(meta, table: Table, sink) -> None:
    """An entity whose name changes from one year to another, or a name that two ids carry: a changed id."""
    first: dict[str, object] = {}
    owner: dict[str, object] = {}
    for row in sorted(table.keyed(), key=lambda r: (r.year, r.line)):
        name = table.text(row, meta.name_column)
        earlier = first.setdefault(row.entity, row)
        if table.text(earlier, meta.name_column) != name:
            sink.add("entity-changed", f"{row.entity} is {table.text(earlier, meta.name_column)!r} on line "
                     f"{earlier.line} but {name!r}{_in(row.year)}", *table.where(row, meta.name_column),
                     entity=row.entity, hint="a row of another entity under this id?")  # fmt: skip
        if name:
            holder = owner.setdefault(name, row)
            if holder.entity != row.entity and first[holder.entity] is holder:
                sink.add("entity-changed", f"{name!r} is {holder.entity} on line {holder.line} but {row.entity}"
                         f"{_in(row.year)}", *table.where(row, meta.id_column), entity=row.entity,
                         hint="did the id change? ids must stay the same from year to year")  # fmt: skip


# --- cells -----------------------------------------------------------------------------------------------------


def numeric_columns(meta) -> dict[str, object]:
    """The columns of numbers: direct indicators (None) and numeric published columns (their Column)."""
    out: dict[str, object] = {i.id: None for i in meta.framework.indicators if i.formula is None}
    out.update({c.name: c for c in meta.columns if c.kind == "number"})
    return out


def _bounds(meta, rules) -> dict[str, tuple[float, float]]:
    """Hard bounds per column: the dataset's own (indicators and columns), then the rules'."""
    out = {i.id: i.bounds for i in meta.framework.indicators if getattr(i, "bounds", None)}
    out.update({c.name: c.bounds for c in meta.columns if getattr(c, "bounds", None)})
    out.update(rules.bounds)
    return out


def cells(meta, table: Table, sink) -> dict[str, np.ndarray]:
    """Numeric cells are numbers within their bounds, present where required, empty in years their column did
    not exist; the values per column (NaN where missing or not a number), in row order."""
    sink.run("not-a-number", "out-of-bounds", "beyond-goalposts")
    numeric = {n: c for n, c in numeric_columns(meta).items() if n in table.position}
    bounds = _bounds(meta, sink.rules)
    goalposts = {i.id: i.goalposts for i in meta.framework.indicators if i.goalposts is not None}
    required = {i.id for i in meta.framework.indicators if getattr(i, "required", False)}
    required |= {c.name for c in meta.columns if getattr(c, "required", False)}
    if any(c is not None and c.years for c in numeric.values()):
        sink.run("absent-value")
    if required:
        sink.run("required-value")
    out = {name: np.full(len(table.rows), np.nan) for name in numeric}
    for r, row in enumerate(table.rows):
        for name, column in numeric.items():
            text = table.text(row, name)
            exists = not (column is not None and column.years and row.year is not None
                          and not column.years[0] <= row.year <= column.years[1])  # fmt: skip
            if text in MISSING:
                if name in required and exists:
                    sink.add("required-value", f"{name} of {row.entity}{_in(row.year)} is missing, but the dataset "
                             "requires a value", *table.where(row, name), entity=row.entity, node=name,
                             hint="fill the cell, or remove required = true")  # fmt: skip
                continue
            if not exists:
                first, last = column.years
                sink.add("absent-value", f"column {name!r} exists only in {first}-{last} but has a value in "
                         f"{row.year}", *table.where(row, name), entity=row.entity, node=name,
                         hint="fix the value or the column's years")  # fmt: skip
                continue
            try:
                value = parse_number(text, decimal=table.decimal)
            except NotANumber as exc:
                hint = _number_hint(text, table)
                sink.add("not-a-number", f"column {name!r}: {exc}", *table.where(row, name), entity=row.entity,
                         node=name, hint=hint)  # fmt: skip
                continue
            out[name][r] = value
            if name in bounds and not bounds[name][0] <= value <= bounds[name][1]:
                low, high = bounds[name]
                sink.add("out-of-bounds", f"{name} of {row.entity}{_in(row.year)} is {text}, outside its bounds "
                         f"[{low:g}, {high:g}]", *table.where(row, name), entity=row.entity, node=name, value=value,
                         low=low, high=high, hint="a value the dataset says cannot occur")  # fmt: skip
            elif name in goalposts and not goalposts[name][0] <= value <= goalposts[name][1]:
                low, high = goalposts[name]
                sink.add("beyond-goalposts", f"{name} of {row.entity}{_in(row.year)} is {text}, outside its "
                         f"goalposts [{low:g}, {high:g}]", *table.where(row, name), entity=row.entity, node=name,
                         value=value, low=low, high=high, year=row.year)  # fmt: skip
    return out


EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"})


def _number_hint(text: str, table: Table) -> str:
    """How to mend a cell that is not a number: a decimal comma the dataset does not declare, an Excel error."""
    if table.decimal == "." and DECIMAL_COMMA.fullmatch(text):
        return "a decimal comma: set decimal = ',' in dataset.toml (trustindex init detects it)"
    if text.upper() in EXCEL_ERRORS:
        return "an error value of the spreadsheet: mend its formula, or leave the cell empty if missing"
    return "write a number in ASCII digits, or leave the cell empty if missing"


def outliers(meta, table: Table, values: dict[str, np.ndarray], sink) -> None:
    """Values far from the same entity's other years (a panel) or, without such a history, far above the rest
    of their column: a thousand times too large, a unit slip."""
    rules = sink.rules
    sink.run("far-from-history", "far-from-others")
    names = list(values)
    if not names:
        return
    keyed = np.array([r.keyed for r in table.rows], dtype=bool)
    x = np.where(keyed[:, None], np.column_stack([values[n] for n in names]), np.nan)
    with warnings.catch_warnings():  # columns without a value give NaN statistics, and are skipped
        warnings.simplefilter("ignore", RuntimeWarning)
        q1, q3 = np.nanpercentile(x, [25, 75], axis=0)
        typical = np.fmax(np.nanmedian(np.abs(x), axis=0), q3 - q1)  # each column's own scale
        history = np.zeros(x.shape, dtype=bool)
        if meta.year_column:
            _history(table, x, names, typical, history, rules.max_history_jump, sink)
        years_ = np.array([r.year if r.year is not None else -1 for r in table.rows])
        for year in sorted(set(years_[keyed])):
            rows = np.flatnonzero((years_ == year) & keyed)
            block = np.where(history[rows], np.nan, np.abs(x[rows]))  # entities with a history are judged by it
            if len(rows) < 10:
                continue
            order = np.sort(np.where(np.isnan(block), -np.inf, block), axis=0)
            top, second = order[-1], order[-2]
            far = (second > 0) & np.isfinite(second) & (top > rules.max_value_ratio * second)
            for j in np.flatnonzero(far):
                i = int(np.nanargmax(block[:, j]))
                row, value = table.rows[rows[i]], float(x[rows[i], j])
                sink.add("far-from-others", f"{names[j]} of {row.entity}{_in(row.year)} is {value:.6g}, more than "
                         f"{rules.max_value_ratio:g} times the next largest of its column ({second[j]:.6g})",
                         *table.where(row, names[j]), entity=row.entity, node=names[j], value=value,
                         hint="a unit or a decimal point slipped?")  # fmt: skip


def _history(table: Table, x: np.ndarray, names, typical, history, jump: float, sink) -> None:
    """far-from-history for every entity with three or more years of a column (``history`` marks them)."""
    by_entity: dict[str, list[int]] = {}
    for r, row in enumerate(table.rows):
        if row.keyed:
            by_entity.setdefault(row.entity, []).append(r)
    for entity, rows in by_entity.items():
        if len(rows) < 3:
            continue
        block = x[rows]
        present = ~np.isnan(block)
        long = present.sum(axis=0) >= 3
        history[rows] = present & long
        for k in range(len(rows)):
            others = np.delete(block, k, axis=0)
            centre = np.nanmedian(others, axis=0)
            scale = np.fmax(np.fmax(np.nanmax(others, axis=0) - np.nanmin(others, axis=0), np.abs(centre)), typical)
            far = long & present[k] & (scale > 0) & (np.abs(block[k] - centre) > jump * scale)
            for j in np.flatnonzero(far):
                row = table.rows[rows[k]]
                count = int(np.sum(~np.isnan(others[:, j])))
                sink.add("far-from-history", f"{names[j]} of {entity}{_in(row.year)} is {block[k, j]:.6g}, far from "
                         f"its other years (median {centre[j]:.6g} over {count})", *table.where(row, names[j]),
                         entity=entity, node=names[j], value=float(block[k, j]), median=float(centre[j]),
                         hint="a unit or a decimal point slipped?")  # fmt: skip


def duplicated_rows(meta, table: Table, values: dict[str, np.ndarray], sink) -> None:
    """Two rows with the same numbers in every numeric column (at least two of them present): a copied row."""
    sink.run("duplicate-row")
    names = list(values)
    if len(names) < 2:
        return
    seen: dict[tuple, object] = {}
    for r, row in enumerate(table.rows):
        if not row.keyed:
            continue
        key = tuple(values[n][r] for n in names)
        if sum(not math.isnan(v) for v in key) < 2:
            continue
        key = tuple("missing" if math.isnan(v) else v for v in key)
        if key in seen:
            first = seen[key]
            sink.add("duplicate-row", f"the values of {row.entity}{_in(row.year)} repeat those of {first.entity}"
                     f"{_in(first.year)} (line {first.line}) in every column", *table.where(row, meta.id_column),
                     entity=row.entity, hint="a row copied over another?")  # fmt: skip
        else:
            seen[key] = row


def holes(meta, table: Table, values: dict[str, np.ndarray], sink) -> None:
    """A cell missing in a panel between years where the same entity has a value: a deleted cell?"""
    if not meta.year_column:
        return
    sink.run("panel-hole")
    by_entity: dict[str, list[int]] = {}
    for r, row in enumerate(table.rows):
        if row.keyed:
            by_entity.setdefault(row.entity, []).append(r)
    for rows in by_entity.values():
        rows.sort(key=lambda r: table.rows[r].year)
        for name, column in values.items():
            have = ~np.isnan(column[rows])
            for k in range(1, len(rows) - 1):
                row = table.rows[rows[k]]
                if not have[k] and have[:k].any() and have[k + 1 :].any() and table.text(row, name) in MISSING:
                    sink.add("panel-hole", f"{name} of {row.entity} is missing in {row.year} but present before and "
                             "after", *table.where(row, name), entity=row.entity, node=name,
                             hint="a deleted value?")  # fmt: skip


# --- notes and provenance ----------------------------------------------------------------------------------


def notes(path: Path, entities, indicators, sink, delimiter: str = ",") -> dict[tuple[str, str], str]:
    """The notes file: header entity,indicator,note; known entities and indicators; one note per cell."""
    sink.run("notes")
    try:
        rows = read_csv(path, delimiter)
    except DataError as exc:
        sink.error(exc, "notes")
        return {}
    if not rows or [h.strip() for h in rows[0].fields] != ["entity", "indicator", "note"]:
        sink.add("notes", "expected the header entity,indicator,note", path, 1, 1)
        return {}
    out: dict[tuple[str, str], str] = {}
    first: dict[tuple[str, str], int] = {}
    for row in rows[1:]:
        if len(row.fields) != 3:
            sink.add("notes", f"row has {len(row.fields)} fields, expected 3", path, row.line, 1,
                     hint="quote a note that holds a comma")  # fmt: skip
            continue
        entity, indicator, note = (f.strip() for f in row.fields)
        known = True
        for value, choices, j in ((entity, entities, 0), (indicator, indicators, 1)):
            if value not in choices:
                known = False
                sink.add("notes", f"unknown {'entity' if j == 0 else 'indicator'} {value!r}", path,
                         *field_position(row, j, delimiter), hint=did_you_mean(value, choices))  # fmt: skip
        if not known:
            continue
        if (entity, indicator) in first:
            sink.add("notes", f"a second note for {entity}, {indicator} (the first is on line "
                     f"{first[entity, indicator]})", path, row.line, 1, hint="keep one note per cell")  # fmt: skip
            continue
        first[entity, indicator] = row.line
        out[entity, indicator] = note
    return out


def provenance(meta, sink) -> None:
    """Every indicator names its source (and its year, in a cross-section); formula inputs their source;
    the dataset its licence; a SOURCES.md lies beside dataset.toml."""
    doc, path = meta.doc, meta.doc.path
    sink.run("provenance", "sources-file")
    if not str(doc.data.get("licence", "")).strip():
        sink.add("provenance", "the dataset names no licence", path, hint="add licence = ...")
    columns_ = {c.name: c for c in meta.columns}
    for indicator in meta.framework.indicators:
        missing = [] if indicator.source.strip() else ["source"]
        if meta.year_column is None and indicator.year is None:
            missing.append("year")
        if missing:
            sink.add("provenance", f"indicator {indicator.id!r} names no {' and no '.join(missing)}",
                     *doc.locate(("indicators", indicator.id), missing[0]), node=indicator.id)  # fmt: skip
        formula = meta.formulas.get(indicator.id)
        for name in sorted(formula.names | formula.lagged) if formula else ():
            if name in columns_ and not columns_[name].source.strip():
                sink.add("provenance", f"column {name!r}, an input of {indicator.id!r}, names no source",
                         *doc.locate(("columns", name)), node=name)  # fmt: skip
    from .files import kind

    if kind(path.parent / "SOURCES.md") != "file":
        sink.add("sources-file", "no SOURCES.md beside dataset.toml", path,
                 hint="publisher, edition, URL, licence, attribution, what was changed")  # fmt: skip


@dataclass
class Validated:
    """What validation learned on the way: the panel's years and the numbers of every numeric column."""

    years: tuple[int, ...]
    values: dict[str, np.ndarray]


def validate(meta, table: Table, sink, every: bool = False) -> Validated | None:
    """Check the values against the metadata: the rules that keep them from loading, and with ``every`` also
    those ``check`` reports (panels, outliers, copies, holes, provenance). None when the rows cannot even be
    keyed (the id or year column is missing)."""
    if not columns(meta, table, sink):
        return None
    keys(meta, table, sink)
    years_ = years(meta, table, sink)
    if every:
        panel(meta, table, years_, sink)
    values = cells(meta, table, sink)
    if every:
        outliers(meta, table, values, sink)
        duplicated_rows(meta, table, values, sink)
        holes(meta, table, values, sink)
        provenance(meta, sink)
    return Validated(years_, values)


# --- rules on the loaded dataset ---------------------------------------------------------------------------


def derived(dataset, meta, table: Table, sink) -> None:
    """Values of derived indicators within their bounds and goalposts, in every year of a panel."""
    bounds = _bounds(meta, sink.rules)
    layers = dataset.history if dataset.history is not None else dataset.values[None]
    for j, indicator in enumerate(dataset.framework.indicators):
        if indicator.formula is None:
            continue
        for rule, limits in (("out-of-bounds", bounds.get(indicator.id)), ("beyond-goalposts", indicator.goalposts)):
            if limits is None:
                continue
            low, high = limits
            for k, year in enumerate(dataset.years or (None,)):
                values = layers[k, :, j]
                with np.errstate(invalid="ignore"):
                    outside = np.flatnonzero((values < low) | (values > high))
                for i in outside:
                    entity = dataset.entities[i]
                    row = table.find(entity, year)
                    kind = "bounds" if rule == "out-of-bounds" else "goalposts"
                    sink.add(rule, f"{indicator.id} of {entity}{_in(year)} is {values[i]:.6g}, outside its {kind} "
                             f"[{low:g}, {high:g}] (derived: {indicator.formula})", table.path, row and row.line,
                             entity=entity, node=indicator.id, value=float(values[i]), low=low, high=high,
                             year=year)  # fmt: skip
            if rule == "out-of-bounds":
                break
