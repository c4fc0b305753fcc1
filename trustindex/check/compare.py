"""What changed against the base: entities, indicators, columns, years and cells, each at its place."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..io.dataset import Metadata
from ..io.numbers import NotANumber, parse_number
from ..io.table import Table
from ..io.validate import MISSING
from .findings import Collector


@dataclass(frozen=True)
class Changes:
    """Counts of what changed; the findings carry the details."""

    entities_added: tuple[str, ...] = ()
    entities_removed: tuple[str, ...] = ()
    indicators_added: tuple[str, ...] = ()
    indicators_removed: tuple[str, ...] = ()
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    years_added: tuple[int, ...] = ()
    years_removed: tuple[int, ...] = ()
    rows_added: int = 0
    rows_removed: int = 0
    cells_changed: int = 0
    """Every changed cell of a row both have, revisions and removed values included."""
    revisions: int = 0
    values_removed: int = 0


def _same(old: str, new: str) -> bool:
    if old == new or (old in MISSING and new in MISSING):
        return True
    try:
        return parse_number(old) == parse_number(new)
    except NotANumber:
        return False


def _indicators(meta: Metadata, table: Table) -> list[str]:
    """The indicators a dataset has: derived ones, and direct ones whose column the values have."""
    return [i.id for i in meta.framework.indicators if i.formula is not None or i.id in table.position]


def _in(year) -> str:
    return f" in {year}" if year is not None else ""


def _shown(text: str) -> str:
    return text if text not in MISSING else "missing"


def compare(meta: Metadata, table: Table, base_meta: Metadata, base_table: Table, col: Collector) -> Changes:
    """Findings for every change from ``base_table`` (read with ``base_meta``) to ``table``."""
    toml = meta.doc.path
    col.run("entity-added", "entity-removed", "indicator-added", "indicator-removed", "column-added",
            "column-removed", "cell-changed", "value-removed", "metadata-changed")  # fmt: skip
    panel = meta.year_column is not None
    if panel:
        col.run("year-added", "year-removed", "revision")

    # Indicators, from the metadata; other columns, from the headers.
    now, before = _indicators(meta, table), _indicators(base_meta, base_table)
    added = [i for i in now if i not in before]
    removed = [i for i in before if i not in now]
    for iid in added:
        col.add("indicator-added", f"indicator {iid!r} added", *meta.doc.locate(("indicators", iid)), node=iid)
    for iid in removed:
        col.add("indicator-removed", f"indicator {iid!r} is in the base but not here", toml, node=iid)
    _metadata(meta, base_meta, [i for i in now if i in before], col)
    keys = {meta.id_column, meta.name_column, meta.year_column, base_meta.id_column, base_meta.year_column}
    every = set(now) | set(before)
    columns_added = [c for c in table.header if c not in base_table.position and c not in keys | every]
    columns_removed = [c for c in base_table.header if c not in table.position and c not in keys | every]
    for name in columns_added:
        col.add("column-added", f"column {name!r} added", *table.header_where(name))
    for name in columns_removed:
        col.add("column-removed", f"column {name!r} is in the base but not here", table.path, table.header_line)

    # Entities and years.
    rows, base_rows = table.keyed(), base_table.keyed()
    entities = {r.entity: r for r in reversed(rows)}  # the first row of each
    base_entities = {r.entity: r for r in reversed(base_rows)}
    entities_added = [e for e in entities if e not in base_entities]
    entities_removed = [e for e in base_entities if e not in entities]
    for entity in entities_added:
        row = entities[entity]
        col.add("entity-added", f"entity {entity} added", *table.where(row, meta.id_column), entity=entity)  # fmt: skip
    for entity in entities_removed:
        col.add("entity-removed", f"entity {entity} is in the base (line {base_entities[entity].line}) but not here",
                table.path, entity=entity)  # fmt: skip
    _renamed(meta, table, base_meta, base_table, entities, base_entities, entities_added, entities_removed, col)
    years = sorted({r.year for r in rows if r.year is not None})
    base_years = sorted({r.year for r in base_rows if r.year is not None})
    years_added = [y for y in years if y not in base_years] if panel else []
    years_removed = [y for y in base_years if y not in years] if panel else []
    for year in years_added:
        first = next(r for r in rows if r.year == year)
        count = sum(r.year == year for r in rows)
        col.add(
            "year-added",
            f"year {year} added: {count} rows",
            *table.where(first, meta.year_column),
            year=year,
            rows=count,
        )
    for year in years_removed:
        count = sum(r.year == year for r in base_rows)
        col.add("year-removed", f"year {year} is in the base ({count} rows) but not here", table.path, year=year)

    # Cells of the rows both have.
    common = [c for c in table.header if c in base_table.position and c not in keys]
    changed = revisions = removed_values = 0
    for row in rows:
        old_row = base_table.find(row.entity, row.year)
        if old_row is None:
            continue
        for name in common:
            old, new = base_table.text(old_row, name), table.text(row, name)
            if _same(old, new):
                continue
            changed += 1
            message = f"{name} of {row.entity}{_in(row.year)}: {_shown(old)} → {_shown(new)}"
            rule = "value-removed" if new in MISSING else "revision" if panel else "cell-changed"
            revisions += rule == "revision"
            removed_values += rule == "value-removed"
            col.add(rule, message, *table.where(row, name), entity=row.entity, node=name,
                    old=old, new=new, year=row.year)  # fmt: skip
    base_keys = {(r.entity, r.year) for r in base_rows}
    keys_now = {(r.entity, r.year) for r in rows}
    return Changes(
        entities_added=tuple(entities_added),
        entities_removed=tuple(entities_removed),
        indicators_added=tuple(added),
        indicators_removed=tuple(removed),
        columns_added=tuple(columns_added),
        columns_removed=tuple(columns_removed),
        years_added=tuple(years_added),
        years_removed=tuple(years_removed),
        rows_added=len(keys_now - base_keys),
        rows_removed=len(base_keys - keys_now),
        cells_changed=changed,
        revisions=revisions,
        values_removed=removed_values,
    )


def _renamed(meta, table, base_meta, base_table, entities, base_entities, added, removed, col) -> None:
    """An entity added under the name of one removed: its id changed."""
    if meta.name_column == meta.id_column or meta.name_column not in table.position:
        return
    if base_meta.name_column not in base_table.position:
        return
    col.run("entity-changed")
    gone = {base_table.text(base_entities[e], base_meta.name_column): e for e in removed}
    for entity in added:
        row = entities[entity]
        name = table.text(row, meta.name_column)
        if name and name in gone:
            col.add(
                "entity-changed",
                f"{name!r} is {gone[name]} in the base but {entity} here",
                *table.where(row, meta.id_column),
                entity=entity,
                hint="ids must stay the same between updates",
            )


FIELDS = ("direction", "goalposts", "target", "parent", "formula", "denominator", "per")


def _show(field: str, value) -> str:
    if field == "direction":
        return "higher" if value > 0 else "lower"
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) and math.isfinite(value) else str(value)


def _metadata(meta: Metadata, base_meta: Metadata, common: list[str], col: Collector) -> None:
    """An indicator's direction, goalposts, target, parent, formula, denominator or its scale changed."""
    if base_meta is meta:
        return
    now = {i.id: i for i in meta.framework.indicators}
    before = {i.id: i for i in base_meta.framework.indicators}
    for iid in common:
        for field in FIELDS:
            old, new = getattr(before[iid], field), getattr(now[iid], field)
            if old != new:
                where = meta.doc.locate(("indicators", iid), field)
                col.add("metadata-changed", f"{iid}: {field} {_show(field, old)} → {_show(field, new)}", *where,
                        node=iid, field=field, old=_show(field, old), new=_show(field, new))  # fmt: skip
