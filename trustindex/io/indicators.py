"""The indicator table: a dataset's tree and indicators as one row per node, in a CSV or a sheet of a workbook.

A row is an indicator, an aggregate (the index, a pillar, a sub-pillar) or a published column that is not an
indicator. The table is read into the very structure ``dataset.toml`` declares (``[index]``, ``[pillars.*]``,
``[indicators.*]``, ``[columns.*]``), each key remembering its cell, so the rules of
:mod:`trustindex.io.dataset` apply unchanged and their errors name the cell: ``indicators.csv:5:12`` or
``book.xlsx: iMeta!D5``. COINr's ``iMeta`` is read as it is (:data:`COLUMNS` gives every accepted header).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, did_you_mean
from .numbers import INTEGER, NotANumber, parse_number
from .table import SPACE, Layout, Row, Table, foreign, read_rows
from .toml import REQUIRED, TomlDoc

COLUMNS = {
    "id": "id", "icode": "id",
    "label": "label", "iname": "label",
    "parent": "parent",
    "type": "type",
    "direction": "direction",
    "weight": "weight",
    "unit": "unit",
    "source": "source",
    "year": "year",
    "goalposts": "goalposts", "low": "low", "high": "high",
    "target": "target",
    "description": "description",
    "formula": "formula",
    "bounds": "bounds",
    "required": "required",
    "kind": "kind",
    "level": "level",
    "denominator": "denominator", "per": "per",
    "review": None, "comment": None, "notes": None,
}  # fmt: skip
"""Accepted headers (compared without regard to case) and the key each gives; None: read by people, not by
trustindex. COINr's Denominator names the column its Denominate() divides by, as ``denominator`` does."""
TYPES = {"indicator": "indicator", "aggregate": "aggregate", "column": "column", "group": "text",
         "denominator": "number", "other": "text"}  # fmt: skip
"""Row types (without regard to case) and what they are: COINr's Group and Other rows are text columns, its
Denominator rows numeric columns."""
KEYS = {
    "indicator": ("label", "parent", "direction", "unit", "goalposts", "target", "source", "year", "description",
                  "formula", "bounds", "required", "denominator", "per"),
    "aggregate": ("label", "parent", "description"),
    "column": ("label", "unit", "source", "kind", "bounds", "required"),
}  # fmt: skip
"""The keys each kind of row may set: those of its table in dataset.toml."""
IGNORED_ON_AGGREGATES = ("unit", "direction", "target")
"""Cells of an aggregate row that COINr fills (Unit "Score", Direction 1) and that mean nothing for an aggregate:
read only when they say nothing (a direction of 1), else an error."""
CONVENTIONS = {"trustindex": ("id", "name", "year"), "coinr": ("uCode", "uName", "Time")}
"""The entity columns of the values, without a dataset.toml: by the table's convention (COINr's iMeta goes with
its iData)."""


@dataclass(frozen=True)
class IndicatorTable:
    """An indicator table read: the structure of dataset.toml it declares, where each key came from, the
    suggested weights, and what is marked for review."""

    path: Path
    data: dict
    places: dict
    weights: Mapping[str, float] = field(default_factory=dict)
    weight_places: dict = field(default_factory=dict)
    convention: str = "trustindex"
    review: tuple[tuple[str, tuple], ...] = ()
    """(node id, location) of every row whose review cell is not empty."""


class TableDoc(TomlDoc):
    """The metadata of a dataset whose tree is an indicator table: the structure of dataset.toml, with every key
    located at its cell (or, for the keys of a ``dataset.toml`` beside it, at its line)."""

    def __init__(self, table: IndicatorTable, base: TomlDoc | None, error=DataError):
        self.error_class = error
        self.base = base
        self.indicator_table = table
        self.path = base.path if base is not None else table.path
        data = dict(base.data) if base is not None else {}
        data.pop("indicators", None)
        data.update({k: v for k, v in table.data.items() if k != "columns"})
        data["columns"] = {**table.data.get("columns", {}), **data.get("columns", {})}
        self.data = data
        self.positions = TablePositions(table.places, base.positions if base is not None else None)

    def locate(self, table: tuple = (), key=None) -> tuple:
        """(path, line, column) of ``table.key``: its cell in the indicator table, else its line in dataset.toml."""
        for path in ((*table, key), tuple(table)) if key is not None else (tuple(table),):
            if path in self.indicator_table.places:
                return self.indicator_table.places[path]
        if self.base is not None:
            return self.base.locate(table, key)
        return self.indicator_table.path, None, None

    def where(self, table: tuple = (), key=None) -> tuple:
        return self.locate(table, key)[1:]

    def fail(self, message: str, table: tuple = (), key=None, hint: str | None = None):
        path, line, column = self.locate(table, key)
        raise self.error_class(message, path=path, line=line, column=column, hint=hint)

    def fail_at(self, message: str, path: tuple, hint: str | None = None):
        self.fail(message, path[:-1], path[-1], hint)

    def get(self, table: tuple, key: str, kind: str, default=REQUIRED, low=None, high=None):
        if default is REQUIRED and table and table[0] in ("indicators", "pillars") and key not in self.table(table):
            what = "indicator" if table[0] == "indicators" else "aggregate"
            self.fail(f"{what} {table[-1]!r} has no {key}", table, key, f"fill its {key} cell")
        return super().get(table, key, kind, default, low, high)


class TablePositions:
    """Where each key of a :class:`TableDoc` is, with the interface of :class:`~trustindex.io.toml.Positions`."""

    def __init__(self, places: dict, base):
        self.places, self.base = places, base
        self.path = base.path if base is not None else None
        self.keys = base.keys if base is not None else {}
        self.text = base.text if base is not None else ""

    def at(self, table: tuple = (), key=None) -> tuple:
        for path in ((*table, key), tuple(table)) if key is not None else (tuple(table),):
            if path in self.places:
                return self.places[path][1:]
        return self.base.at(table, key) if self.base is not None else (None, None)

    def value_at(self, path: tuple) -> tuple:
        return self.at(path[:-1], path[-1]) if path else (None, None)

    def in_string(self, path: tuple, decoded: str, offset: int) -> tuple:
        if path in self.places:
            return self.places[path][1:]  # the cell: a CSV may quote it, a sheet has no characters to count
        return self.base.in_string(path, decoded, offset) if self.base is not None else (None, None)


# --- reading ---------------------------------------------------------------------------------------------------


class _Reader:
    """One pass over the rows of an indicator table, failing at the first problem, at its cell."""

    def __init__(self, table: Table):
        self.table = table
        self.keys: dict[str, int] = {}

    def fail(self, message: str, row: Row | None = None, key: str | None = None, hint: str | None = None):
        if row is None:
            where = self.table.header_where(index=self.keys[key]) if key in self.keys else self.table.header_where()
        else:
            where = self.table.at(row, self.keys.get(key, self.keys["id"]))
        raise DataError(message, path=where[0], line=where[1], column=where[2], hint=hint)

    def cell(self, row: Row, key: str) -> str:
        j = self.keys.get(key)
        return row.fields[j].strip(SPACE) if j is not None else ""

    def place(self, row: Row, key: str | None = None) -> tuple:
        return self.table.at(row, self.keys[key] if key in self.keys else self.keys["id"])

    def number(self, row: Row, key: str, text: str | None = None, infinite: bool = False) -> float:
        text = self.cell(row, key) if text is None else text
        if infinite and text.lower().lstrip("+-") in ("inf", "infinity"):
            return -math.inf if text.startswith("-") else math.inf
        try:
            return parse_number(text, decimal=self.table.decimal)
        except NotANumber as exc:
            self.fail(f"{key}: {exc}", row, key, "write a number in ASCII digits")

    def pair(self, row: Row, key: str, infinite: bool = False) -> list[float]:
        text = self.cell(row, key)
        parts = [p.strip(SPACE) for p in text.split(";")]
        if len(parts) != 2 or not all(parts):
            self.fail(f"{key} must be two numbers 'low;high', not {text!r}", row, key,
                      f"for example {'0;inf' if infinite else '0;100'}")  # fmt: skip
        return [self.number(row, key, p, infinite) for p in parts]


def _header(reader: _Reader, table: Table) -> None:
    for j, name in enumerate(table.header):
        key = name.strip().lower()
        if key not in COLUMNS:
            where = table.header_where(index=j)
            raise DataError(f"unknown column {name!r} in the indicator table", path=where[0], line=where[1],
                            column=where[2], hint=did_you_mean(key, COLUMNS))  # fmt: skip
        canonical = COLUMNS[key]
        if canonical is None:
            continue
        if canonical in reader.keys:
            first = table.header[reader.keys[canonical]]
            where = table.header_where(index=j)
            raise DataError(f"columns {first!r} and {name!r} both give the {canonical}", path=where[0], line=where[1],
                            column=where[2], hint="keep one of them")  # fmt: skip
        reader.keys[canonical] = j
    if "id" not in reader.keys:
        where = table.header_where()
        raise DataError("the indicator table has no id column", path=where[0], line=where[1], column=1,
                        hint="name the column of node ids id (or iCode, as COINr does)")  # fmt: skip
    if ("low" in reader.keys) != ("high" in reader.keys):
        reader.fail("a low column needs a high column (the goalposts)", None, "low" if "low" in reader.keys else "high")
    if "goalposts" in reader.keys and "low" in reader.keys:
        reader.fail("give goalposts as one column 'low;high' or as low and high, not both", None, "goalposts")


def _kinds(reader: _Reader, rows: list[Row]) -> dict[str, str]:
    """Each row's kind: indicator, aggregate, text or number (a column); ids each once."""
    ids: dict[str, Row] = {}
    for row in rows:
        node = reader.cell(row, "id")
        if not node:
            reader.fail("empty id", row, "id", "every row names its node")
        if node in ids:
            reader.fail(f"id {node!r} is used twice (first on {_row_name(reader, ids[node])})", row, "id")
        ids[node] = row
    parents = {reader.cell(r, "parent") for r in rows}
    kinds = {}
    for node, row in ids.items():
        given = reader.cell(row, "type").lower()
        if given and given not in TYPES:
            hint = "indicator, aggregate or column (COINr's Group, Denominator and Other are columns)"
            reader.fail(f"unknown type {reader.cell(row, 'type')!r}", row, "type", hint)
        kinds[node] = TYPES[given] if given else ("aggregate" if node in parents else "indicator")
    return kinds


def _row_name(reader: _Reader, row: Row) -> str:
    return f"row {row.line}" if reader.table.sheet is not None else f"line {row.line}"


def read_indicator_table(path: Path, layout: Layout | None = None) -> IndicatorTable:
    """Read the indicator table at ``path`` (a CSV, or a sheet of a workbook: ``layout.sheet``); the first
    problem raises DataError at its cell."""
    layout = layout or Layout(role="indicators")
    rows, sheet, text = read_rows(path, layout)
    if sheet is None and rows and (other := foreign(path, text, rows[0].fields, layout)) is not None:
        raise other
    if len(rows) < 2:
        what = "no rows under the header" if rows else "empty file: expected a header and one row per node"
        raise DataError(what, path=path, line=1, column=1, hint="one row per indicator and one per aggregate")
    header = [h.strip(SPACE) for h in rows[0].fields]
    table = Table(Path(path), rows[0], header, rows[1:], sheet=sheet, delimiter=layout.delimiter,
                  decimal=layout.decimal)  # fmt: skip
    reader = _Reader(table)
    _header(reader, table)
    for row in table.rows:
        if len(row.fields) != len(header):
            where = table.at(row, min(len(row.fields), len(header)))
            raise DataError(
                f"row has {len(row.fields)} fields, the header has {len(header)}",
                path=where[0],
                line=where[1],
                column=where[2],
                hint="check for a missing or extra delimiter, or quoting",
            )
    kinds = _kinds(reader, table.rows)
    convention = "coinr" if header[reader.keys["id"]].strip().lower() == "icode" else "trustindex"
    data: dict = {"pillars": {}, "indicators": {}, "columns": {}}
    places: dict = {}
    weights: dict[str, float] = {}
    weight_places: dict = {}
    levels: dict[str, tuple[int, Row]] = {}
    review = []
    roots = []
    for row in table.rows:
        node, what = reader.cell(row, "id"), kinds[reader.cell(row, "id")]
        section = {"indicator": "indicators", "aggregate": "pillars"}.get(what, "columns")
        entry: dict = {}
        allowed = KEYS["column" if section == "columns" else what]
        for key, j in reader.keys.items():
            text = row.fields[j].strip(SPACE)
            if key not in ("id", "type", "level", "weight", "low", "high"):
                places[(section, node, key)] = reader.place(row, key)  # an empty cell too: a missing value is there
            if key in ("id", "type") or not text:
                continue
            if key == "level":
                if not INTEGER.fullmatch(text) or int(text) < 1:
                    reader.fail(f"level must be a whole number from 1, not {text!r}", row, key,
                                "1 for indicators, 2 for what aggregates them, and so on")  # fmt: skip
                levels[node] = (int(text), row)
                continue
            if key == "weight":
                if section == "columns":
                    reader.fail(f"a column ({node!r}) has no weight", row, key, "leave the cell empty")
                from .weights import weight_problem

                value = reader.number(row, key)
                problem = weight_problem(node, value)
                if problem is not None:
                    reader.fail(problem[0], row, key, problem[1])
                weights[node] = value
                weight_places[node] = reader.place(row, key)
                continue
            if section == "pillars" and key in IGNORED_ON_AGGREGATES:
                if key == "direction" and text.lower() not in ("1", "+1", "1.0", "higher"):
                    reader.fail(f"aggregate {node!r} has a direction {text!r}", row, key,
                                "only indicators have a direction: leave the cell empty (or 1)")  # fmt: skip
                if key == "target":
                    reader.fail(f"aggregate {node!r} has a target", row, key, "only indicators have a target")
                continue
            if key in ("low", "high"):
                continue
            if key not in allowed:
                kind = "an indicator" if what == "indicator" else "an aggregate" if what == "aggregate" else "a column"
                reader.fail(f"{key} does not apply to {kind} ({node!r})", row, key,
                            f"{kind[kind.index(' ') + 1:]} rows set {', '.join(allowed)}")  # fmt: skip
            entry[key] = _value(reader, row, key, text)
            places[(section, node, key)] = reader.place(row, key)
        if section == "indicators" and "low" in reader.keys and (reader.cell(row, "low") or reader.cell(row, "high")):
            low, high = reader.cell(row, "low"), reader.cell(row, "high")
            if not (low and high):
                reader.fail(f"goalposts of {node!r} need both low and high", row, "high" if low else "low")
            entry["goalposts"] = [reader.number(row, "low"), reader.number(row, "high")]
            places[(section, node, "goalposts")] = reader.place(row, "low")
        elif section == "pillars" and "low" in reader.keys and (reader.cell(row, "low") or reader.cell(row, "high")):
            reader.fail(f"aggregate {node!r} has goalposts", row, "low", "only indicators have goalposts")
        if section == "columns":
            entry.setdefault("kind", "number" if what in ("number", "column") else "text")
            if what == "text" and entry["kind"] != "text":
                reader.fail(f"a {reader.cell(row, 'type')} row holds text, not numbers", row, "kind")
        if _review_cell(reader, row):
            review.append((node, reader.place(row)))
        places[(section, node)] = reader.place(row)
        if section == "pillars" and not reader.cell(row, "parent"):
            roots.append(row)
        data[section][node] = entry
    _check_levels(reader, levels, data)
    if not data["indicators"]:
        raise DataError("the indicator table has no indicator", path=table.file if sheet else path,
                        hint="a row whose id is no other row's parent is an indicator")  # fmt: skip
    data = _root(reader, roots, data, places)
    weights.pop(data["index"]["id"], None)  # the index has no siblings: its weight means nothing
    return IndicatorTable(Path(path), data, places, weights, weight_places, convention, tuple(review))


def _review_cell(reader: _Reader, row: Row) -> str:
    for name, j in ((n.strip().lower(), j) for j, n in enumerate(reader.table.header)):
        if name == "review":
            return row.fields[j].strip(SPACE)
    return ""


def _value(reader: _Reader, row: Row, key: str, text: str):
    """A cell's text as the value dataset.toml would hold."""
    if key == "direction":
        lowered = text.lower()
        if lowered in ("1", "+1", "1.0", "higher"):
            return "higher"
        if lowered in ("-1", "-1.0", "lower"):
            return "lower"
        return text  # the dataset's rule says what is allowed
    if key in ("goalposts", "bounds"):
        return reader.pair(row, key, infinite=key == "bounds")
    if key in ("target", "per"):
        return reader.number(row, key)
    if key == "year":
        if not INTEGER.fullmatch(text):
            reader.fail(f"year must be a four-digit year, not {text!r}", row, key)
        return int(text)
    if key == "required":
        lowered = text.lower()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            reader.fail(f"required must be true or false, not {text!r}", row, key)
        return lowered in ("true", "yes", "1")
    return text


def _check_levels(reader: _Reader, levels: dict, data: dict) -> None:
    """COINr's Level: 1 for indicators, and each parent one level above its children."""
    parents = {n: e.get("parent") for s in ("pillars", "indicators") for n, e in data[s].items()}
    for node, (level, row) in levels.items():
        if node in data["indicators"] and level != 1:
            reader.fail(f"indicator {node!r} is at level {level}", row, "level", "indicators are at level 1")
        parent = parents.get(node)
        if parent in levels and levels[parent][0] != level + 1:
            reader.fail(f"{node!r} is at level {level}, but its parent {parent!r} is at level {levels[parent][0]}",
                        row, "level", "a parent is one level above its children")  # fmt: skip


def _root(reader: _Reader, roots: list[Row], data: dict, places: dict) -> dict:
    """The index: the one aggregate without a parent, moved from the pillars to ``[index]``."""
    if not roots:
        named = sorted({e.get("parent") for s in ("pillars", "indicators") for e in data[s].values()} - {None}
                       - set(data["pillars"]) - set(data["indicators"]))  # fmt: skip
        hint = (f"add a row for {named[0]!r} (an aggregate with no parent)" if named
                else "the index is the aggregate row whose parent is empty")  # fmt: skip
        where = reader.table.header_where()
        raise DataError("no row is the index: every aggregate has a parent", path=where[0], line=where[1],
                        hint=hint)  # fmt: skip
    if len(roots) > 1:
        first = reader.cell(roots[0], "id")
        reader.fail(f"two aggregates without a parent ({first!r} on {_row_name(reader, roots[0])} and "
                    f"{reader.cell(roots[1], 'id')!r}): only the index has none", roots[1], "parent",
                    "give every aggregate but the index a parent")  # fmt: skip
    index = reader.cell(roots[0], "id")
    entry = data["pillars"].pop(index)
    data["index"] = {"id": index, **{k: v for k, v in entry.items() if k != "parent"}}
    for key in [k for k in places if k[:2] == ("pillars", index)]:
        places[("index", *key[2:])] = places.pop(key)
    return data


def entity_columns(table: IndicatorTable, header: list[str]) -> tuple[str, str, str | None]:
    """The id, name and year columns of values that come without a dataset.toml: by the indicator table's
    convention (id, name, year; COINr's uCode, uName, Time), the name column being the id when absent, the year
    column only when present."""
    id_, name, year = CONVENTIONS[table.convention]
    if id_ not in header:
        for other in CONVENTIONS.values():
            if other[0] in header:
                id_, name, year = other
                break
    return id_, name if name in header else id_, year if year in header else None
