"""Read and validate a dataset folder: ``dataset.toml``, the values CSV and optional cell notes."""

from __future__ import annotations

import csv
import difflib
import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError, did_you_mean
from ..formula import FormulaError, parse
from ..model import Column, Dataset, Framework, Indicator, Node, Notice, frozen_map, readonly
from .toml import TomlDoc, locate, read_text

TOP = (
    "schema",
    "name",
    "title",
    "description",
    "framework",
    "licence",
    "attribution",
    "illustrative",
    "notice",
    "values",
    "notes",
    "default_weights",
    "years",
    "entity",
    "columns",
    "index",
    "pillars",
    "indicators",
)
ENTITY = ("id_column", "name_column", "year_column", "id_kind")
COLUMN = ("label", "unit", "source", "kind", "years", "absent", "absent_note", "standard_error_of")
ID_KINDS = {
    "iso3": (re.compile(r"[A-Z]{3}"), "three capital letters (ISO 3166-1 alpha-3)"),
    "jis-prefecture": (re.compile(r"0[1-9]|[1-3][0-9]|4[0-7]"), "a two-digit JIS X 0401 prefecture code, 01-47"),
    "code": (re.compile(r"\S+"), "a code without spaces"),
}
NODE = ("label", "description", "parent")
INDICATOR = ("label", "parent", "direction", "unit", "goalposts", "target", "source", "year", "description", "formula")
MISSING = frozenset({"", "NA"})
"""Cell texts read as a missing value."""


def read_csv(path: Path) -> list[tuple[int, list[str], str]]:
    """Rows of a CSV file as (line number, fields, raw line); header included. Malformed files raise."""
    text = read_text(path, DataError)
    lines = text.splitlines()
    rows = []
    reader = csv.reader(lines, strict=True)
    try:
        for fields in reader:
            if fields:
                rows.append((reader.line_num, fields, lines[reader.line_num - 1]))
    except csv.Error as exc:
        raise DataError(f"malformed CSV: {exc}", path=path, line=reader.line_num, hint="check the quoting") from None
    return rows


def field_column(raw: str, index: int) -> int:
    """1-based character column where field ``index`` starts in the CSV line ``raw``."""
    field, quoted, opening = 0, False, True
    for position, char in enumerate(raw):
        if field == index:
            return position + 1
        if quoted:
            quoted = char != '"'
            opening = not quoted  # a quote right after the closing one is an escaped quote: reopen
        elif char == '"' and opening:
            quoted = True
        elif char == ",":
            field, opening = field + 1, True
        else:
            opening = False  # a quote inside an unquoted field is literal, as csv.reader reads it
    return len(raw) + 1


def _framework(doc: TomlDoc) -> Framework:
    root = doc.table(("index",), NODE[:2] + ("id",), required=True)
    index = Node(
        id=doc.get(("index",), "id", "str"),
        label=doc.get(("index",), "label", "str", root.get("id", "index")),
        parent=None,
        description=doc.get(("index",), "description", "str", ""),
    )
    pillars = []
    for pid in doc.table(("pillars",)):
        table = ("pillars", pid)
        doc.table(table, NODE)
        parent = doc.get(table, "parent", "str", index.id)
        pillars.append(Node(pid, doc.get(table, "label", "str", pid), parent, doc.get(table, "description", "str", "")))
    indicators = []
    for iid in doc.table(("indicators",), required=True):
        table = ("indicators", iid)
        doc.table(table, INDICATOR)
        direction = doc.get(table, "direction", "str")
        if direction not in ("higher", "lower"):
            doc.fail(
                f"direction must be 'higher' or 'lower', not {direction!r}",
                table,
                "direction",
                "higher: a higher value is better",
            )
        goalposts = doc.get(table, "goalposts", "pair", None)
        if goalposts is not None and not goalposts[0] < goalposts[1]:
            doc.fail(f"goalposts must be [low, high] with low < high, not {goalposts}", table, "goalposts")
        year = doc.get(table, "year", "int", None)
        indicators.append(
            Indicator(
                id=iid,
                label=doc.get(table, "label", "str", iid),
                parent=doc.get(table, "parent", "str"),
                direction=1 if direction == "higher" else -1,
                unit=doc.get(table, "unit", "str", ""),
                goalposts=None if goalposts is None else (float(goalposts[0]), float(goalposts[1])),
                target=doc.get(table, "target", "number", None),
                source=doc.get(table, "source", "str", ""),
                year=year,
                description=doc.get(table, "description", "str", ""),
                formula=doc.get(table, "formula", "str", None),
            )
        )
    if not indicators:
        doc.fail("the dataset declares no indicators", ("indicators",), hint="add [indicators.ID] tables")
    _check_tree(doc, index, pillars, indicators)
    return Framework(index, tuple(pillars), tuple(indicators), doc.get((), "framework", "str", ""))


def _check_tree(doc: TomlDoc, index: Node, pillars: list[Node], indicators: list[Indicator]) -> None:
    seen = {index.id}
    for node in [*pillars, *indicators]:
        if node.id in seen:
            doc.fail(
                f"id {node.id!r} is used twice", ("indicators" if isinstance(node, Indicator) else "pillars", node.id)
            )
        seen.add(node.id)
    aggregates = {index.id} | {p.id for p in pillars}
    for node in [*pillars, *indicators]:
        table = ("indicators" if isinstance(node, Indicator) else "pillars", node.id)
        if node.parent not in aggregates:
            doc.fail(
                f"parent {node.parent!r} of {node.id!r} is not a pillar or the index",
                table,
                "parent",
                did_you_mean(node.parent, aggregates),
            )
    parents = {p.id: p.parent for p in pillars}
    for pillar in pillars:
        node, steps = pillar.id, 0
        while node in parents:
            node, steps = parents[node], steps + 1
            if steps > len(pillars):
                doc.fail(f"pillar {pillar.id!r} is its own ancestor", ("pillars", pillar.id), "parent")


def _columns(doc: TomlDoc, framework: Framework) -> tuple[Column, ...]:
    columns = []
    for name in doc.table(("columns",)):
        table = ("columns", name)
        doc.table(table, COLUMN)
        kind = doc.get(table, "kind", "str", "number")
        if kind not in ("number", "text"):
            doc.fail(f"kind must be 'number' or 'text', not {kind!r}", table, "kind")
        years = doc.get(table, "years", "pair", None)
        if years is not None and not (all(float(y).is_integer() for y in years) and years[0] <= years[1]):
            doc.fail(f"years must be [first, last] as whole years, not {years}", table, "years")
        error_of = doc.get(table, "standard_error_of", "str", None)
        if error_of is not None and error_of not in framework.indicator_ids:
            doc.fail(f"standard_error_of names {error_of!r}, which is not an indicator", table, "standard_error_of",
                     did_you_mean(error_of, framework.indicator_ids))  # fmt: skip
        columns.append(
            Column(
                name=name,
                label=doc.get(table, "label", "str", name),
                unit=doc.get(table, "unit", "str", ""),
                source=doc.get(table, "source", "str", ""),
                kind=kind,
                years=None if years is None else (int(years[0]), int(years[1])),
                absent=doc.get(table, "absent", "number", None),
                absent_note=doc.get(table, "absent_note", "str", ""),
                standard_error_of=error_of,
            )
        )
        if name in framework.node_ids:
            doc.fail(f"column {name!r} has the id of {framework.level(name)} {name!r} of the framework", table,
                     hint="ids must be unique: rename the column")  # fmt: skip
    return tuple(columns)


_OPENING = re.compile(r"""[^=\n]*=[ \t]*(\"\"\"|'''|"|')""")
"""A TOML key, its ``=`` and the opening delimiter of its string value."""


def _in_string(path: Path, line: int, text: str, offset: int) -> tuple[int, int | None]:
    """Line and column of character ``offset`` of the string value ``text`` whose key is on ``line``.

    Any TOML string form works, multi-line ones included, when the file holds ``text`` verbatim; when it does not
    (an escape sequence, a line-ending backslash), the key's line without a column.
    """
    source = path.read_text(encoding="utf-8-sig")
    start = sum(len(part) for part in source.splitlines(keepends=True)[: line - 1])
    opening = _OPENING.match(source, start)
    if opening is None:
        return line, None
    body = opening.end()
    if len(opening.group(1)) == 3 and source.startswith("\n", body):  # TOML drops a newline right after it
        body += 1
    if source[body : body + len(text)] != text:
        return line, None
    position = body + offset
    return source.count("\n", 0, position) + 1, position - source.rfind("\n", 0, position)


def _formulas(doc: TomlDoc, framework: Framework, numeric: set[str], panel: bool) -> dict:
    """Parse every indicator's formula; errors point at the character of the formula at fault."""

    def fail(iid: str, message: str, offset: int, hint: str | None = None):
        line, column = locate(doc.path, ("indicators", iid), "formula")
        if line is not None:
            line, column = _in_string(doc.path, line, texts[iid], offset)
        raise DataError(f"formula of {iid!r}: {message}", path=doc.path, line=line, column=column, hint=hint)

    texts = {i.id: i.formula for i in framework.indicators}

    formulas = {}
    for indicator in framework.indicators:
        if indicator.formula is None:
            continue
        try:
            formula = parse(indicator.formula)
        except FormulaError as exc:
            fail(indicator.id, exc.message, exc.offset, exc.hint)
        for name in sorted(formula.names | formula.lagged):
            if name not in numeric:
                fail(indicator.id, f"unknown column {name!r}", formula.position(name),
                     did_you_mean(name, numeric) or "declare it under [columns] or as an indicator")  # fmt: skip
        if formula.lagged and not panel:
            call = re.search(r"\blag\s*\(", formula.text)  # point at the first lag(, not at a plain use of its column
            fail(indicator.id, "lag() needs a panel dataset", call.start(), "set [entity] year_column")
        formulas[indicator.id] = formula
    return formulas


class _Table:
    """The values CSV: header positions and rows, with the helpers that report a cell's location."""

    def __init__(self, path: Path):
        self.path = path
        rows = read_csv(path)
        if not rows:
            raise DataError("empty file: expected a header and one row per entity", path=path, line=1)
        self.header_line, header, self.header_raw = rows[0]
        self.header = [h.strip() for h in header]
        self.position: dict[str, int] = {}
        for j, name in enumerate(self.header):
            if name in self.position:
                self.fail(f"column {name!r} appears twice", self.header_line, self.header_raw, j)
            self.position[name] = j
        self.rows = rows[1:]
        if not self.rows:
            raise DataError("no entities: the file has a header but no rows", path=path, line=1)
        for line, fields, _ in self.rows:
            if len(fields) != len(self.header):
                raise DataError(f"row has {len(fields)} fields, the header has {len(self.header)}", path=path,
                                line=line, hint="check for a missing or extra comma")  # fmt: skip

    def fail(self, message: str, line: int, raw: str, j: int | None, hint: str | None = None):
        column = None if j is None else field_column(raw, j)
        raise DataError(message, path=self.path, line=line, column=column, hint=hint)

    def require(self, expected: list[str], derived: set[str]) -> None:
        """Every expected column present; no undeclared or derived one."""
        for name in expected:
            if name not in self.position:
                close = difflib.get_close_matches(name, sorted(set(self.header) - set(expected)), n=1, cutoff=0.6)
                self.fail(f"missing column {name!r}", self.header_line, self.header_raw,
                          self.position[close[0]] if close else None,
                          f"is column {close[0]!r} meant to be {name!r}?" if close else "add the column")  # fmt: skip
        for j, name in enumerate(self.header):
            if name in derived:
                self.fail(f"column {name!r} is an indicator derived by its formula", self.header_line,
                          self.header_raw, j, "remove the column, or the formula")  # fmt: skip
            if name not in expected:
                self.fail(f"column {name!r} is not declared in dataset.toml", self.header_line, self.header_raw, j,
                          did_you_mean(name, expected) or "declare it under [columns] or as an indicator")  # fmt: skip

    def number(self, row, name: str) -> float:
        line, fields, raw = row
        j = self.position[name]
        text = fields[j].strip()
        if text in MISSING:
            return math.nan
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.fail(f"column {name!r}: {text!r} is not a number", line, raw, j,
                      "write a number, or leave the cell empty if missing")  # fmt: skip
        return value


def _keys(table: _Table, id_column: str, name_column: str, year_column: str | None, id_kind: str | None):
    """(entity, name, year) per row, checked: ids well formed, no (entity, year) twice, years whole."""
    pattern = ID_KINDS[id_kind] if id_kind else None
    keys, seen = [], {}
    for row in table.rows:
        line, fields, raw = row
        entity = fields[table.position[id_column]].strip()
        j = table.position[id_column]
        if not entity:
            table.fail("empty entity id", line, raw, j)
        if pattern and not pattern[0].fullmatch(entity):
            table.fail(f"entity id {entity!r} is not {pattern[1]}", line, raw, j)
        year = None
        if year_column:
            text = fields[table.position[year_column]].strip()
            if not re.fullmatch(r"\d{4}", text):
                table.fail(f"year {text!r} is not a four-digit year", line, raw, table.position[year_column])
            year = int(text)
        if (entity, year) in seen:
            what = f"entity id {entity!r}" + (f" in {year}" if year else "")
            table.fail(f"duplicate {what} (first on line {seen[entity, year]})", line, raw, j)
        seen[entity, year] = line
        keys.append((entity, fields[table.position[name_column]].strip() or entity, year))
    return keys


def _absent(column: Column | None, year: int | None) -> bool:
    """Whether ``column`` did not exist in ``year``."""
    if column is None or not column.years or year is None:
        return False
    return not column.years[0] <= year <= column.years[1]


def _empty(table: _Table, row, name: str, column: Column, year: int) -> None:
    """Fail unless the cell of a column that did not exist in ``year`` is empty."""
    if row[1][table.position[name]].strip() not in MISSING:
        first, last = column.years
        table.fail(f"column {name!r} exists only in {first}-{last} but has a value in {year}", row[0],
                   row[2], table.position[name], "fix the value or the column's years")  # fmt: skip


def _cells(table: _Table, rows, name: str, column: Column | None, year: int | None) -> np.ndarray:
    """One numeric column over ``rows``; a column that did not exist in ``year`` takes its ``absent`` value."""
    if _absent(column, year):
        for row in rows:
            _empty(table, row, name, column, year)
        return np.full(len(rows), math.nan if column.absent is None else column.absent)
    return np.array([table.number(row, name) for row in rows], dtype=float)


def _notes(path: Path, entities, indicators) -> dict:
    rows = read_csv(path)
    if not rows or [h.strip() for h in rows[0][1]] != ["entity", "indicator", "note"]:
        raise DataError("expected the header entity,indicator,note", path=path, line=1)
    notes = {}
    for line, fields, raw in rows[1:]:
        if len(fields) != 3:
            raise DataError(f"row has {len(fields)} fields, expected 3", path=path, line=line)
        entity, indicator, note = (f.strip() for f in fields)
        for value, known, j in ((entity, entities, 0), (indicator, indicators, 1)):
            if value not in known:
                raise DataError(
                    f"unknown {'entity' if j == 0 else 'indicator'} {value!r}",
                    path=path,
                    line=line,
                    column=field_column(raw, j),
                    hint=did_you_mean(value, known),
                )
        notes[(entity, indicator)] = note
    return notes


def _select_year(doc: TomlDoc, table: _Table, keys, year: int | None) -> tuple[int | None, tuple[int, ...]]:
    name = doc.get((), "name", "str", doc.path.parent.name)
    present = sorted({k[2] for k in keys})
    if present == [None]:
        if doc.get((), "years", "ints", None) is not None:
            doc.fail("years is set, but the dataset has no year column", (), "years",
                     "set [entity] year_column, or remove years")  # fmt: skip
        if year is not None:
            raise ConfigError(f"dataset {name!r} has no years", hint="leave out --year")
        return None, ()
    declared = doc.get((), "years", "ints", None)
    if declared is not None and list(declared) != sorted(set(declared)):
        doc.fail(f"years must be in increasing order, each year once, not {declared}", (), "years")
    years = tuple(declared) if declared is not None else tuple(present)
    for row, key in zip(table.rows, keys, strict=True):
        if key[2] not in years:
            table.fail(f"year {key[2]} is not among the years declared in dataset.toml", row[0], row[2],
                       table.position[doc.get(("entity",), "year_column", "str")],
                       f"add {key[2]} to years, or remove its rows")  # fmt: skip
    for declared_year in years:
        if declared_year not in present:
            doc.fail(f"years lists {declared_year}, but {table.path.name} has no rows for it", (), "years",
                     f"add its rows, or remove {declared_year} from years")  # fmt: skip
    chosen = years[-1] if year is None else year
    if chosen not in years:
        raise ConfigError(f"dataset {name!r} has no year {chosen}", hint=f"its years: {_span(years)}")
    return chosen, years


def _span(years: tuple[int, ...]) -> str:
    """``2012-2021`` for consecutive years, else the years listed."""
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def _derive(table: _Table, framework: Framework, meta, formulas: dict, year: int | None, now, before):
    """Values (entities × indicators) for ``year``, its numeric inputs and the notices of derivation.

    ``now`` and ``before`` are (rows, entity ids) of ``year`` and of the year before (None if absent).
    """
    rows, entities = now
    numeric = {c.name: c for c in meta if c.kind == "number"}
    direct = [i.id for i in framework.indicators if i.formula is None]
    current = {n: _cells(table, rows, n, numeric.get(n), year) for n in [*numeric, *direct]}
    previous = None
    lagged = set().union(*(f.lagged for f in formulas.values()))
    if before is not None:
        before_rows, before_entities = before
        where = {e: i for i, e in enumerate(before_entities)}
        index = np.array([where.get(e, -1) for e in entities])
        previous = {}
        for name in lagged:
            values = _cells(table, before_rows, name, numeric.get(name), year - 1)
            previous[name] = np.where(index >= 0, values[index], math.nan)
    notices = []
    for iid, formula in formulas.items():
        absent = {}
        for name in sorted(formula.names | formula.lagged):
            column = numeric.get(name)
            for when, used in ((year, name in formula.names), (year and year - 1, name in formula.lagged)):
                if used and _absent(column, when):
                    absent.setdefault((when, column.absent), []).append(name)
        for (when, value), names in absent.items():
            treated = "missing" if value is None else f"counted as {value:g}"
            message = f"{', '.join(names)} did not exist in {when}: {treated} (see the columns' absent_note)"
            notices.append(Notice("absent", message, iid))
        if formula.lagged and previous is None:
            message = f"lag() needs {year - 1}, which the dataset does not have: missing"
            notices.append(Notice("derived", message, iid))
    values = np.column_stack(
        [
            current[i.id] if i.formula is None else formulas[i.id].evaluate(current, previous)
            for i in framework.indicators
        ]
    )
    inputs = {n: readonly(current[n]) for n in numeric}
    return values, inputs, notices


@dataclass(frozen=True)
class Metadata:
    """What ``dataset.toml`` declares, validated: the framework, the columns, the entity keys and the formulas."""

    doc: TomlDoc
    framework: Framework
    columns: tuple[Column, ...]
    id_column: str
    name_column: str
    year_column: str | None
    id_kind: str | None
    formulas: dict
    values_path: Path


def read_metadata(path: Path) -> Metadata:
    """Read and validate the ``dataset.toml`` of the dataset at ``path`` (its folder or the file itself).

    Problems raise DataError at the first one, with its location; the values are not read.
    """
    path = Path(path)
    toml_path = path / "dataset.toml" if path.is_dir() else path
    if not path.exists():
        raise DataError("no such dataset folder", path=path, hint="check the path, or give a shipped dataset's name")
    if not toml_path.exists():
        raise DataError("no dataset.toml in this folder", path=path, hint="a dataset is a folder with a dataset.toml")
    doc = TomlDoc(toml_path, DataError)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int")
    if schema != 1:
        doc.fail(f"unsupported schema {schema}", (), "schema", "this version of trustindex reads schema = 1")
    doc.table(("entity",), ENTITY)
    framework = _framework(doc)
    meta = _columns(doc, framework)
    id_column = doc.get(("entity",), "id_column", "str", "id")
    name_column = doc.get(("entity",), "name_column", "str", "name")
    year_column = doc.get(("entity",), "year_column", "str", None)
    id_kind = doc.get(("entity",), "id_kind", "str", None)
    if id_kind is not None and id_kind not in ID_KINDS:
        doc.fail(f"unknown id_kind {id_kind!r}", ("entity",), "id_kind", did_you_mean(id_kind, ID_KINDS))
    if year_column is None:
        for column in meta:
            if column.years is not None:
                doc.fail(f"column {column.name!r} has years, but the dataset has no year column", ("columns",
                         column.name), "years", "set [entity] year_column, or remove years")  # fmt: skip
    numeric = {c.name for c in meta if c.kind == "number"} | {i.id for i in framework.indicators if i.formula is None}
    formulas = _formulas(doc, framework, numeric, year_column is not None)
    values_path = toml_path.parent / doc.get((), "values", "str", "values.csv")
    return Metadata(doc, framework, meta, id_column, name_column, year_column, id_kind, formulas, values_path)


def load_dataset(path: Path, year: int | None = None) -> Dataset:
    """Read the dataset at ``path`` (its folder or its ``dataset.toml``) for ``year`` (default: the latest).

    Problems with the files raise DataError; a year the dataset does not have raises ConfigError.
    """
    metadata = read_metadata(path)
    doc, framework, meta, formulas = metadata.doc, metadata.framework, metadata.columns, metadata.formulas
    id_column, name_column, year_column = metadata.id_column, metadata.name_column, metadata.year_column
    id_kind, values_path = metadata.id_kind, metadata.values_path
    toml_path, folder = doc.path, doc.path.parent
    table = _Table(values_path)
    fixed = [id_column] + ([name_column] if name_column != id_column else []) + ([year_column] if year_column else [])
    declared = [c.name for c in meta if c.name not in fixed]
    table.require(fixed + [i.id for i in framework.indicators if i.formula is None] + declared, set(formulas))
    keys = _keys(table, id_column, name_column, year_column, id_kind)
    year, years = _select_year(doc, table, keys, year)

    def rows_of(when):
        chosen = [(row, key) for row, key in zip(table.rows, keys, strict=True) if key[2] == when]
        return [r for r, _ in chosen], [k for _, k in chosen]

    def derive(when):
        rows, chosen = rows_of(when)
        before = None
        if when is not None and when - 1 in years:
            before_rows, before_keys = rows_of(when - 1)
            before = (before_rows, [k[0] for k in before_keys])
        return rows, chosen, _derive(table, framework, meta, formulas, when, (rows, [k[0] for k in chosen]), before)

    rows, chosen, (values, inputs, notices) = derive(year)
    entities = tuple(k[0] for k in chosen)
    labels = {c.name: tuple(row[1][table.position[c.name]].strip() for row in rows) for c in meta if c.kind == "text"}
    history = None
    if year is not None:  # every year, aligned to this year's entities: imputation reads it, and every cell is checked
        layers = []
        for when in years:
            _, other, (other_values, _, _) = derive(when) if when != year else (rows, chosen, (values, None, None))
            where = {k[0]: r for r, k in enumerate(other)}
            index = np.array([where.get(e, -1) for e in entities])
            layers.append(np.where(index[:, None] >= 0, other_values[np.maximum(index, 0)], np.nan))
        history = readonly(np.stack(layers))

    files = [toml_path, values_path]
    notes = {}
    notes_name = doc.get((), "notes", "str", None)
    if notes_name is not None:
        files.append(folder / notes_name)
        notes = _notes(files[-1], set(entities), set(framework.indicator_ids))
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return Dataset(
        name=doc.get((), "name", "str", folder.name),
        framework=framework,
        entities=entities,
        names=tuple(k[1] for k in chosen),
        values=values,
        title=doc.get((), "title", "str", ""),
        description=doc.get((), "description", "str", ""),
        licence=doc.get((), "licence", "str", ""),
        attribution=doc.get((), "attribution", "str", ""),
        notice=doc.get((), "notice", "str", ""),
        illustrative=doc.get((), "illustrative", "bool", False),
        notes=frozen_map(notes),
        path=folder,
        files=tuple(files),
        digest=digest.hexdigest(),
        year=year,
        years=years,
        columns=meta,
        inputs=frozen_map(inputs),
        notices=tuple(notices),
        labels=frozen_map(labels),
        history=history,
        default_weights=doc.get((), "default_weights", "str", ""),
    )
