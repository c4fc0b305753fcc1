"""Validate a dataset's values against its own metadata, reporting every problem at its cell.

The loader (:mod:`trustindex.io.dataset`) stops at the first problem; this module reads the same files with
the loader's own helpers and keeps going, so that one run of ``trustindex check`` lists everything.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..io.dataset import ID_KINDS, MISSING, Metadata, field_column, read_csv
from ..io.toml import locate
from .codes import ISO3, PREFECTURES
from .findings import Collector

STRUCTURE = ("missing-column", "undeclared-column", "duplicate-column", "not-a-number", "absent-value", "entity-id",
             "duplicate-entity", "year")  # fmt: skip
"""Rules whose findings keep the loader from reading the dataset: scoring waits until they are fixed."""


@dataclass
class Row:
    line: int
    fields: list[str]
    raw: str
    entity: str = ""
    year: int | None = None
    keyed: bool = False
    """Whether the row has a usable id (and year): one row per key."""


@dataclass
class Table:
    """A values CSV read without stopping at the first problem."""

    path: Path
    header_line: int
    header_raw: str
    header: list[str]
    rows: list[Row]
    position: dict[str, int] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    """Undeclared columns the rules allow: left out when scoring."""
    _index: dict | None = None

    def text(self, row: Row, name: str) -> str:
        return row.fields[self.position[name]].strip()

    def column(self, row: Row, name: str) -> int:
        return field_column(row.raw, self.position[name])

    def header_column(self, name: str) -> int:
        return field_column(self.header_raw, self.position[name])

    def find(self, entity: str, year: int | None) -> Row | None:
        if self._index is None:
            self._index = {(r.entity, r.year): r for r in self.rows if r.keyed}
        return self._index.get((entity, year))

    def keyed(self) -> list[Row]:
        return [r for r in self.rows if r.keyed]


def read_table(path: Path, col: Collector) -> Table | None:
    """The values CSV, or None (with ``readable`` findings) when it cannot be read as a table."""
    col.run("readable")
    try:
        rows = read_csv(path)
    except DataError as exc:
        col.error(exc)
        return None
    if len(rows) < 2:
        what = "empty file: expected a header and one row per entity" if not rows else "no rows under the header"
        col.add("readable", what, path, 1)
        return None
    line, fields, raw = rows[0]
    header = [h.strip() for h in fields]
    broken = False
    for number, fields_, _ in rows[1:]:
        if len(fields_) != len(header):
            col.add("readable", f"row has {len(fields_)} fields, the header has {len(header)} (check for a missing or "
                    "extra comma, or quoting)", path, number)  # fmt: skip
            broken = True
    if broken:
        return None
    table = Table(path, line, raw, header, [Row(n, f, r) for n, f, r in rows[1:]])
    for j, name in enumerate(header):
        if name in table.position:
            col.add("duplicate-column", f"column {name!r} appears twice (first as column {table.position[name] + 1})",
                    path, line, field_column(raw, j))  # fmt: skip
        else:
            table.position[name] = j
    return table


def _columns(meta: Metadata, table: Table, col: Collector, allowed: set[str]) -> bool:
    """Declared columns present, no undeclared one; whether rows can be keyed (id and year columns present)."""
    fixed = [meta.id_column]
    fixed += [meta.name_column] if meta.name_column != meta.id_column else []
    fixed += [meta.year_column] if meta.year_column else []
    direct = [i.id for i in meta.framework.indicators if i.formula is None]
    expected = fixed + direct + [c.name for c in meta.columns if c.name not in fixed]
    col.run("missing-column", "undeclared-column", "duplicate-column")
    for name in expected:
        if name not in table.position:
            what = "indicator" if name in direct else "column"
            col.add("missing-column", f"declared {what} {name!r} is not in {table.path.name}", table.path,
                    table.header_line, node=name if what == "indicator" else None)  # fmt: skip
    for j, name in enumerate(table.header):
        where = (table.path, table.header_line, field_column(table.header_raw, j))
        if name in meta.formulas:
            col.add("undeclared-column", f"column {name!r} is an indicator derived by its formula (remove the column, "
                    "or the formula)", *where, node=name)  # fmt: skip
        elif name not in expected:
            if name in allowed:
                table.extra.append(name)
            else:
                col.add("undeclared-column", f"column {name!r} is not declared in dataset.toml (declare it under "
                        "[columns] or as an indicator, or allow it in the rules' [columns] allow)", *where)  # fmt: skip
    return meta.id_column in table.position and (meta.year_column is None or meta.year_column in table.position)


def _code(meta: Metadata, table: Table, row: Row, col: Collector) -> None:
    """Well-formed ids that are not assigned codes, or JIS codes whose name is another prefecture's."""
    where = (table.path, row.line, table.column(row, meta.id_column))
    if meta.id_kind == "iso3" and row.entity not in ISO3:
        col.add("unknown-code", f"{row.entity!r} is not an assigned ISO 3166-1 alpha-3 code", *where,
                entity=row.entity)  # fmt: skip
    elif meta.id_kind == "jis-prefecture" and meta.name_column in table.position:
        name = table.text(row, meta.name_column)
        ja, en = PREFECTURES[row.entity]
        if name and name not in (ja, en, row.entity):
            col.add("unknown-code", f"JIS code {row.entity} is {ja} ({en}), but the name is {name!r}", *where,
                    entity=row.entity)  # fmt: skip


def keys(meta: Metadata, table: Table, col: Collector) -> None:
    """Entity ids and years of every row: well formed, each key once."""
    col.run("entity-id", "duplicate-entity", "year")
    if meta.id_kind in ("iso3", "jis-prefecture"):
        col.run("unknown-code")
    pattern = ID_KINDS.get(meta.id_kind) if meta.id_kind else None
    seen: dict[tuple, int] = {}
    for row in table.rows:
        row.entity = table.text(row, meta.id_column)
        where = (table.path, row.line, table.column(row, meta.id_column))
        if meta.year_column:
            text = table.text(row, meta.year_column)
            if not re.fullmatch(r"\d{4}", text):
                col.add("year", f"year {text!r} is not a four-digit year", table.path, row.line,
                        table.column(row, meta.year_column), entity=row.entity)  # fmt: skip
                continue
            row.year = int(text)
        if not row.entity:
            col.add("entity-id", "empty entity id", *where)
            continue
        if pattern and not pattern[0].fullmatch(row.entity):
            col.add("entity-id", f"entity id {row.entity!r} is not {pattern[1]}", *where, entity=row.entity)
            continue
        _code(meta, table, row, col)
        key = (row.entity, row.year)
        if key in seen:
            what = f"entity id {row.entity!r}" + (f" in {row.year}" if row.year else "")
            col.add("duplicate-entity", f"duplicate {what} (first on line {seen[key]})", *where, entity=row.entity)
            continue
        seen[key] = row.line
        row.keyed = True


def _years(meta: Metadata, table: Table, col: Collector) -> tuple[int, ...]:
    """The panel's years, checked against ``years`` in dataset.toml; empty for a cross-section."""
    doc = meta.doc
    try:
        declared = doc.get((), "years", "ints", None)
    except DataError as exc:
        col.error(exc, "year")
        declared = None
    rows = [r for r in table.rows if r.keyed]
    present = sorted({r.year for r in rows if r.year is not None})
    line, column = locate(doc.path, (), "years")
    if meta.year_column is None:
        if declared is not None:
            col.add("year", "years is set, but the dataset has no year column (set [entity] year_column, or remove "
                    "years)", doc.path, line, column)  # fmt: skip
        return ()
    if declared is None:
        return tuple(present)
    if list(declared) != sorted(set(declared)):
        col.add("year", f"years must be in increasing order, each year once, not {declared}", doc.path, line, column)
        declared = sorted(set(declared))
    for row in rows:
        if row.year not in declared:
            col.add("year", f"year {row.year} is not among the years declared in dataset.toml (add it to years, or "
                    "remove its rows)", table.path, row.line, table.column(row, meta.year_column),
                    entity=row.entity)  # fmt: skip
            row.keyed = False
    for year in declared:
        if year not in present:
            col.add("year", f"years lists {year}, but {table.path.name} has no rows for it", doc.path, line, column)
    return tuple(declared)


def _panel(meta: Metadata, table: Table, years: tuple[int, ...], col: Collector, allowed: set[str]) -> None:
    """Contiguous years, the year lag() needs, and no entity leaving silently."""
    if not years:
        return
    doc = meta.doc
    col.run("panel-gap", "vanished-entity")
    line, column = locate(doc.path, (), "years")
    where = (doc.path, line, column) if line else (table.path, None, None)
    missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
    if missing:
        col.add("panel-gap", f"the panel has no year {', '.join(map(str, missing))} between {years[0]} and "
                f"{years[-1]}", *where)  # fmt: skip
    lagged = sorted(i for i, f in meta.formulas.items() if f.lagged)
    if lagged:
        col.run("lag-gap")
        for year in years[1:]:
            if year - 1 not in years:
                col.add("lag-gap", f"lag() in {', '.join(lagged)} reads {year - 1}, which the panel does not have: "
                        f"{year}'s values will be missing", *where)  # fmt: skip
    by_year: dict[int, dict[str, Row]] = {}
    for row in table.keyed():
        by_year.setdefault(row.year, {})[row.entity] = row
    unkeyed = {r.year for r in table.rows if not r.keyed}  # a malformed row may be the entity that seems gone
    for before, after in zip(years, years[1:], strict=False):
        if after in unkeyed:
            continue
        gone = [e for e in by_year.get(before, {}) if e not in by_year.get(after, {}) and e not in allowed]
        for entity in gone:
            row = by_year[before][entity]
            col.add("vanished-entity", f"{entity} has a row for {before} but none for {after} (allow it in the rules' "
                    "[panel] allow_vanished if intended)", table.path, row.line, table.column(row, meta.id_column),
                    entity=entity)  # fmt: skip


def bounds_of(meta: Metadata, rules) -> dict[str, tuple[float, float]]:
    """Bounds per column or indicator: the rules' first, else the indicator's goalposts."""
    out = {i.id: i.goalposts for i in meta.framework.indicators if i.goalposts is not None}
    out.update(rules.bounds)
    return out


def _cells(meta: Metadata, table: Table, col: Collector) -> None:
    """Numeric cells are numbers, within bounds, and empty in years their column did not exist."""
    col.run("not-a-number", "out-of-bounds")
    columns = {c.name: c for c in meta.columns if c.kind == "number"}
    direct = [i.id for i in meta.framework.indicators if i.formula is None]
    names = [n for n in [*direct, *columns] if n in table.position]
    bounds = bounds_of(meta, col.rules)
    if any(c.years for c in columns.values()):
        col.run("absent-value")
    for row in table.rows:
        for name in names:
            text = table.text(row, name)
            if text in MISSING:
                continue
            where = (table.path, row.line, table.column(row, name))
            column = columns.get(name)
            if column is not None and column.years and row.year is not None:
                first, last = column.years
                if not first <= row.year <= last:
                    col.add("absent-value", f"column {name!r} exists only in {first}-{last} but has a value in "
                            f"{row.year}", *where, entity=row.entity, node=name)  # fmt: skip
                    continue
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                col.add("not-a-number", f"column {name!r}: {text!r} is not a number (leave the cell empty if "
                        "missing)", *where, entity=row.entity, node=name)  # fmt: skip
                continue
            if name in bounds and not bounds[name][0] <= value <= bounds[name][1]:
                low, high = bounds[name]
                col.add("out-of-bounds", f"{name} of {row.entity}{_in(row.year)} is {text}, outside [{low:g}, "
                        f"{high:g}]", *where, entity=row.entity, node=name, value=value, low=low,
                        high=high)  # fmt: skip


def _in(year: int | None) -> str:
    return f" in {year}" if year is not None else ""


def provenance(meta: Metadata, col: Collector) -> None:
    """Every indicator names its source (and its year, in a cross-section); formula inputs their source;
    the dataset its licence; a SOURCES.md lies beside dataset.toml."""
    doc, path = meta.doc, meta.doc.path
    col.run("provenance", "sources-file")
    if not str(doc.data.get("licence", "")).strip():
        col.add("provenance", "the dataset names no licence (add licence = ...)", path)
    columns = {c.name: c for c in meta.columns}
    for indicator in meta.framework.indicators:
        line, column = locate(path, ("indicators", indicator.id))
        missing = [] if indicator.source.strip() else ["source"]
        if meta.year_column is None and indicator.year is None:
            missing.append("year")
        if missing:
            col.add("provenance", f"indicator {indicator.id!r} names no {' and no '.join(missing)}", path, line,
                    column, node=indicator.id)  # fmt: skip
        formula = meta.formulas.get(indicator.id)
        for name in sorted(formula.names | formula.lagged) if formula else ():
            if name in columns and not columns[name].source.strip():
                col.add("provenance", f"column {name!r}, an input of {indicator.id!r}, names no source", path,
                        *locate(path, ("columns", name)), node=name)  # fmt: skip
    if not (path.parent / "SOURCES.md").is_file():
        col.add("sources-file", "no SOURCES.md beside dataset.toml (publisher, edition, URL, licence, attribution, "
                "what was changed)", path)  # fmt: skip


def validate(meta: Metadata, table: Table, col: Collector) -> tuple[int, ...]:
    """Check the values against the metadata; return the panel's years (empty for a cross-section)."""
    rules = col.rules
    if not _columns(meta, table, col, set(rules.allow_columns)):
        return ()
    keys(meta, table, col)
    years = _years(meta, table, col)
    _panel(meta, table, years, col, set(rules.allow_vanished))
    _cells(meta, table, col)
    provenance(meta, col)
    return years


def blocked(col: Collector) -> bool:
    """Whether a structural problem keeps the loader from reading the dataset (even if its rule is off)."""
    return any(rule in col.hit for rule in STRUCTURE)


def derived(dataset, meta: Metadata, table: Table, col: Collector) -> None:
    """Values of derived indicators within their bounds, in every year of a panel."""
    import numpy as np

    bounds = bounds_of(meta, col.rules)
    layers = dataset.history if dataset.history is not None else dataset.values[None]
    for j, indicator in enumerate(dataset.framework.indicators):
        if indicator.formula is None or indicator.id not in bounds:
            continue
        low, high = bounds[indicator.id]
        for k, year in enumerate(dataset.years or (None,)):
            values = layers[k, :, j]
            with np.errstate(invalid="ignore"):
                outside = np.flatnonzero((values < low) | (values > high))
            for i in outside:
                entity = dataset.entities[i]
                row = table.find(entity, year)
                col.add("out-of-bounds", f"{indicator.id} of {entity}{_in(year)} is {values[i]:.6g}, outside "
                        f"[{low:g}, {high:g}] (derived: {indicator.formula})", table.path, row and row.line,
                        entity=entity, node=indicator.id, value=float(values[i]), low=low, high=high)  # fmt: skip


def coverage(dataset, meta: Metadata, table: Table, col: Collector) -> None:
    """Each indicator has a value for min_coverage of the entities, each entity for min_coverage of the
    indicators, in the year scored (the latest of a panel)."""
    import numpy as np

    from ..audit import COVERAGE_DECIMALS

    col.run("coverage")
    rule = col.rules.min_coverage
    observed = ~np.isnan(dataset.values)
    rows, total = observed.shape
    for j, indicator in enumerate(dataset.framework.indicators):
        share = observed[:, j].mean()
        if round(share, COVERAGE_DECIMALS) < rule:
            if indicator.id in table.position:
                where = (table.path, table.header_line, table.header_column(indicator.id))
            else:
                where = (meta.doc.path, *locate(meta.doc.path, ("indicators", indicator.id)))
            col.add("coverage", f"{indicator.id}: {observed[:, j].sum()} of {rows} entities have a value"
                    f"{_in(dataset.year)} ({100 * share:.1f}%), below {100 * rule:.1f}%", *where,
                    node=indicator.id, coverage=float(share), min_coverage=rule)  # fmt: skip
    for i, entity in enumerate(dataset.entities):
        share = observed[i].mean()
        if round(share, COVERAGE_DECIMALS) < rule:
            row = table.find(entity, dataset.year)
            where = (table.path, row.line, table.column(row, meta.id_column)) if row else (table.path,)
            col.add("coverage", f"{entity} ({dataset.names[i]}): {observed[i].sum()} of {total} indicators have a "
                    f"value{_in(dataset.year)} ({100 * share:.1f}%), below {100 * rule:.1f}%", *where, entity=entity,
                    coverage=float(share), min_coverage=rule)  # fmt: skip
