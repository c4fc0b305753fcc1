"""Read and validate a dataset folder: ``dataset.toml``, the values CSV and optional cell notes.

The values are checked by the rules of :mod:`trustindex.io.validate`, stopping at the first problem.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError, did_you_mean
from ..formula import FormulaError, parse
from ..model import Column, Dataset, Framework, Indicator, Node, Notice, frozen_map, readonly
from .files import kind, read_bytes, record
from .numbers import LARGEST, shown
from .table import read_table
from .toml import TomlDoc
from .validate import ID_KINDS, Strict, derived, notes, validate

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
COLUMN = ("label", "unit", "source", "kind", "years", "absent", "absent_note", "standard_error_of", "bounds",
          "required")  # fmt: skip
NODE = ("label", "description", "parent")
INDICATOR = ("label", "parent", "direction", "unit", "goalposts", "target", "source", "year", "description", "formula",
             "bounds", "required")  # fmt: skip
FIRST_YEAR, LAST_YEAR = 1000, 9999
"""Years are written with four digits."""


def _bounds(doc: TomlDoc, table: tuple[str, ...]) -> tuple[float, float] | None:
    """``bounds = [low, high]``: numbers (infinite ends allowed) with low < high."""
    value = doc.get(table, "bounds", "list", None)
    if value is None:
        return None
    numbers = len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if not numbers or any(isinstance(v, float) and math.isnan(v) for v in value):
        doc.fail(f"bounds must be [low, high] (inf allowed), not {value!r}"[:120], table, "bounds")
    for v in value:
        if not (isinstance(v, float) and math.isinf(v)) and abs(v) > LARGEST:
            doc.fail(f"bounds: {shown(v)} is too large (at most ±{LARGEST:g}; write inf for no bound)", table, "bounds")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        doc.fail(f"bounds must be [low, high] with low < high, not [{low:g}, {high:g}]", table, "bounds")
    return low, high


def _framework(doc: TomlDoc) -> tuple[Framework, list[Notice]]:
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
    indicators, notices = [], []
    for iid in doc.table(("indicators",), required=True):
        table = ("indicators", iid)
        doc.table(table, INDICATOR)
        direction = doc.get(table, "direction", "str")
        if direction not in ("higher", "lower"):
            doc.fail(f"direction must be 'higher' or 'lower', not {direction!r}", table, "direction",
                     "higher: a higher value is better")  # fmt: skip
        goalposts = doc.get(table, "goalposts", "pair", None)
        if goalposts is not None and not goalposts[0] < goalposts[1]:
            doc.fail(f"goalposts must be [low, high] with low < high, not {goalposts}", table, "goalposts")
        bounds = _bounds(doc, table)
        target = doc.get(table, "target", "number", None)
        if target is not None and bounds is not None and not bounds[0] <= target <= bounds[1]:
            doc.fail(f"target {target:g} is outside the bounds [{bounds[0]:g}, {bounds[1]:g}]", table, "target",
                     "a value the indicator cannot take")  # fmt: skip
        if target is not None and goalposts is not None and not goalposts[0] <= target <= goalposts[1]:
            notices.append(Notice("goalposts", f"target {target:g} is outside the goalposts [{goalposts[0]:g}, "
                                  f"{goalposts[1]:g}]", iid, (), (doc.path, *doc.where(table, "target"))))  # fmt: skip
        indicators.append(
            Indicator(
                id=iid,
                label=doc.get(table, "label", "str", iid),
                parent=doc.get(table, "parent", "str"),
                direction=1 if direction == "higher" else -1,
                unit=doc.get(table, "unit", "str", ""),
                goalposts=None if goalposts is None else (float(goalposts[0]), float(goalposts[1])),
                target=target,
                source=doc.get(table, "source", "str", ""),
                year=doc.get(table, "year", "int", None, low=FIRST_YEAR, high=LAST_YEAR),
                description=doc.get(table, "description", "str", ""),
                formula=doc.get(table, "formula", "str", None),
                bounds=bounds,
                required=doc.get(table, "required", "bool", False),
            )
        )
    if not indicators:
        doc.fail("the dataset declares no indicators", ("indicators",), hint="add [indicators.ID] tables")
    _check_tree(doc, index, pillars, indicators)
    return Framework(index, tuple(pillars), tuple(indicators), doc.get((), "framework", "str", "")), notices


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
        kind_ = doc.get(table, "kind", "str", "number")
        if kind_ not in ("number", "text"):
            doc.fail(f"kind must be 'number' or 'text', not {kind_!r}", table, "kind")
        years = doc.get(table, "years", "pair", None, low=FIRST_YEAR, high=LAST_YEAR)
        if years is not None and not (all(float(y).is_integer() for y in years) and years[0] <= years[1]):
            doc.fail(f"years must be [first, last] as whole years, not {years}", table, "years")
        error_of = doc.get(table, "standard_error_of", "str", None)
        if error_of is not None and error_of not in framework.indicator_ids:
            doc.fail(f"standard_error_of names {error_of!r}, which is not an indicator", table, "standard_error_of",
                     did_you_mean(error_of, framework.indicator_ids))  # fmt: skip
        bounds = _bounds(doc, table)
        if kind_ == "text" and (bounds is not None or "absent" in doc.table(table)):
            doc.fail("a text column has no bounds or absent value", table, "bounds" if bounds else "absent")
        columns.append(
            Column(
                name=name,
                label=doc.get(table, "label", "str", name),
                unit=doc.get(table, "unit", "str", ""),
                source=doc.get(table, "source", "str", ""),
                kind=kind_,
                years=None if years is None else (int(years[0]), int(years[1])),
                absent=doc.get(table, "absent", "number", None),
                absent_note=doc.get(table, "absent_note", "str", ""),
                standard_error_of=error_of,
                bounds=bounds,
                required=doc.get(table, "required", "bool", False),
            )
        )
        if name in framework.node_ids:
            doc.fail(f"column {name!r} has the id of {framework.level(name)} {name!r} of the framework", table,
                     hint="ids must be unique: rename the column")  # fmt: skip
    return tuple(columns)


def _formulas(doc: TomlDoc, framework: Framework, columns: tuple[Column, ...], panel: bool) -> dict:
    """Parse every indicator's formula; errors point at the character of the formula at fault."""

    def fail(iid: str, message: str, offset: int, hint: str | None = None):
        line, column = doc.positions.in_string(("indicators", iid, "formula"), texts[iid], offset)
        raise DataError(f"formula of {iid!r}: {message}", path=doc.path, line=line, column=column, hint=hint)

    texts = {i.id: i.formula for i in framework.indicators}
    numeric = {c.name for c in columns if c.kind == "number"}
    numeric |= {i.id for i in framework.indicators if i.formula is None}
    text = {c.name for c in columns if c.kind == "text"}
    formulas = {}
    for indicator in framework.indicators:
        if indicator.formula is None:
            continue
        try:
            formula = parse(indicator.formula)
        except FormulaError as exc:
            fail(indicator.id, exc.message, exc.offset, exc.hint)
        for name in sorted(formula.names | formula.lagged):
            if name in numeric:
                continue
            at = formula.position(name)
            if name in text:
                fail(
                    indicator.id,
                    f"column {name!r} holds text, not numbers",
                    at,
                    "formulas compute with numeric columns; is its kind meant to be 'number'?",
                )
            if name in texts:
                fail(indicator.id, f"{name!r} is an indicator derived by its own formula", at,
                     "formulas read published columns: repeat the terms of its formula here")  # fmt: skip
            fail(indicator.id, f"unknown column {name!r}", at,
                 did_you_mean(name, numeric) or "declare it under [columns] or as an indicator")  # fmt: skip
        if formula.lagged and not panel:
            call = re.search(r"\blag\s*\(", formula.text)  # point at the first lag(, not at a plain use of its column
            fail(indicator.id, "lag() needs a panel dataset", call.start(), "set [entity] year_column")
        formulas[indicator.id] = formula
    return formulas


def _absent(column: Column | None, year: int | None) -> bool:
    """Whether ``column`` did not exist in ``year``."""
    if column is None or not column.years or year is None:
        return False
    return not column.years[0] <= year <= column.years[1]


def _span(years: tuple[int, ...]) -> str:
    """``2012-2021`` for consecutive years, else the years listed."""
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


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
    notices: tuple[Notice, ...] = ()
    """What the metadata itself calls for telling: targets outside the goalposts."""


def read_metadata(path: Path) -> Metadata:
    """Read and validate the ``dataset.toml`` of the dataset at ``path`` (its folder or the file itself).

    Problems raise DataError at the first one, with its location; the values are not read.
    """
    path = Path(path)
    what = kind(path)
    if what == "missing":
        raise DataError("no such dataset folder", path=path, hint="check the path, or give a shipped dataset's name")
    if what not in ("file", "folder"):
        raise DataError(what, path=path)
    toml_path = path / "dataset.toml" if what == "folder" else path
    if what == "folder" and kind(toml_path) == "missing" and not toml_path.is_symlink():
        raise DataError("no dataset.toml in this folder", path=path, hint="a dataset is a folder with a dataset.toml")
    if what == "file" and path.suffix != ".toml":
        raise DataError("not a dataset: give its folder or its dataset.toml", path=path)
    doc = TomlDoc(toml_path, DataError)
    record(toml_path.parent, folder=True)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int")
    if schema != 1:
        doc.fail(f"unsupported schema {shown(schema)}", (), "schema", "this version of trustindex reads schema = 1")
    doc.table(("entity",), ENTITY)
    framework, notices = _framework(doc)
    meta = _columns(doc, framework)
    id_column = doc.get(("entity",), "id_column", "str", "id")
    name_column = doc.get(("entity",), "name_column", "str", "name")
    year_column = doc.get(("entity",), "year_column", "str", None)
    id_kind = doc.get(("entity",), "id_kind", "str", None)
    if id_kind is not None and id_kind not in ID_KINDS:
        doc.fail(f"unknown id_kind {id_kind!r}", ("entity",), "id_kind", did_you_mean(id_kind, ID_KINDS))
    declared = doc.get((), "years", "ints", None, low=FIRST_YEAR, high=LAST_YEAR)
    if year_column is None:
        if declared is not None:
            doc.fail("years is set, but the dataset has no year column", (), "years",
                     "set [entity] year_column, or remove years")  # fmt: skip
        for column in meta:
            if column.years is not None:
                doc.fail(f"column {column.name!r} has years, but the dataset has no year column", ("columns",
                         column.name), "years", "set [entity] year_column, or remove years")  # fmt: skip
    elif declared is not None and list(declared) != sorted(set(declared)):
        doc.fail(f"years must be in increasing order, each year once, not {declared}", (), "years")
    formulas = _formulas(doc, framework, meta, year_column is not None)
    for key in ("values", "notes"):
        if doc.get((), key, "str", "values.csv").strip() in ("", "."):
            doc.fail(f"{key} names no file", (), key, "the file's name, relative to dataset.toml")
    values_path = toml_path.parent / doc.get((), "values", "str", "values.csv")
    for name in ("title", "description", "licence", "attribution", "notice", "notes", "default_weights"):
        doc.get((), name, "str", "")
    doc.get((), "illustrative", "bool", False)
    return Metadata(doc, framework, meta, id_column, name_column, year_column, id_kind, formulas, values_path,
                    tuple(notices))  # fmt: skip


def _select_year(meta: Metadata, years: tuple[int, ...], year: int | None) -> int | None:
    name = meta.doc.get((), "name", "str", meta.doc.path.parent.name)
    if not years:
        if year is not None:
            raise ConfigError(f"dataset {name!r} has no years", hint="leave out --year")
        return None
    chosen = years[-1] if year is None else year
    if chosen not in years:
        raise ConfigError(f"dataset {name!r} has no year {chosen}", hint=f"its years: {_span(years)}")
    return chosen


def _notice_cells(beyond, year) -> list[Notice]:
    """One notice per indicator with values beyond its goalposts in ``year``, located at the first such cell."""
    by_node: dict[str, list] = {}
    for b in beyond:
        if b.year == year:
            by_node.setdefault(b.node, []).append(b)
    out = []
    for node, cells in by_node.items():
        low, high = cells[0].goalposts
        message = f"{len(cells)} value(s) outside the goalposts [{low:g}, {high:g}]: normalised as at the goalpost"
        out.append(Notice("goalposts", message, node, tuple(c.entity for c in cells), cells[0].where))
    return out


def _derived_problems(formula, iid: str, problems, entities, year) -> list[Notice]:
    out = []
    for problem in problems:
        who = tuple(e for e, hit in zip(entities, problem.entities, strict=True) if hit)
        if who:
            reads = f" (it reads {', '.join(problem.columns)})" if problem.columns else ""
            message = f"{problem.what} in {problem.text!r}{reads}{' in ' + str(year) if year else ''}: missing"
            out.append(Notice("derived", message, iid, who))
    return out


def is_dataset_folder(path: Path) -> bool:
    """Whether ``path`` is a dataset's folder."""
    return kind(Path(path) / "dataset.toml") == "file"


def load_dataset(path: Path, year: int | None = None) -> Dataset:
    """Read the dataset at ``path`` (its folder or its ``dataset.toml``) for ``year`` (default: the latest).

    Problems with the files raise DataError; a year the dataset does not have raises ConfigError.
    """
    meta = read_metadata(path)
    doc, framework, formulas = meta.doc, meta.framework, meta.formulas
    folder = doc.path.parent
    strict = Strict()
    table = read_table(meta.values_path, strict)
    validated = validate(meta, table, strict)
    year = _select_year(meta, validated.years, year)
    columns = {c.name: c for c in meta.columns}
    numeric = {c.name: c for c in meta.columns if c.kind == "number"}
    direct = [i.id for i in framework.indicators if i.formula is None]

    def rows_of(when):
        return [r for r, row in enumerate(table.rows) if row.year == when]

    def cells(rows, name, when):
        if _absent(columns.get(name), when):
            absent = columns[name].absent
            return np.full(len(rows), math.nan if absent is None else absent)
        return validated.values[name][rows]

    def derive(when, problems=None):
        """Values (entities × indicators) of ``when``, the numeric inputs, and the notices of derivation."""
        rows = rows_of(when)
        entities = [table.rows[r].entity for r in rows]
        current = {n: cells(rows, n, when) for n in [*numeric, *direct]}
        previous = None
        if when is not None and when - 1 in validated.years:
            before = {table.rows[r].entity: r for r in rows_of(when - 1)}
            index = [before.get(e) for e in entities]
            lagged = set().union(*(f.lagged for f in formulas.values()))
            previous = {}
            for name in lagged:
                values = cells([r if r is not None else 0 for r in index], name, when - 1)
                previous[name] = np.where([r is not None for r in index], values, math.nan)
        notices = []
        columns_ = []
        for indicator in framework.indicators:
            if indicator.formula is None:
                columns_.append(current[indicator.id])
                continue
            formula = formulas[indicator.id]
            found = [] if problems is not None else None
            columns_.append(formula.evaluate(current, previous, found))
            if problems is not None:
                notices += _derived_problems(formula, indicator.id, found, entities, when)
                notices += _absence(formula, indicator.id, numeric, when, previous)
        return entities, np.column_stack(columns_), {n: readonly(current[n]) for n in numeric}, notices

    entities, values, inputs, notices = derive(year, problems=True)
    rows = rows_of(year)
    names = [table.text(table.rows[r], meta.name_column) or table.rows[r].entity for r in rows]
    labels = {c.name: tuple(table.text(table.rows[r], c.name) for r in rows) for c in meta.columns
              if c.kind == "text"}  # fmt: skip
    history = None
    if year is not None:  # every year, aligned to this year's entities: imputation reads it
        layers = []
        for when in validated.years:
            other, other_values = (entities, values) if when == year else derive(when)[:2]
            where = {e: r for r, e in enumerate(other)}
            index = np.array([where.get(e, -1) for e in entities])
            layers.append(np.where(index[:, None] >= 0, other_values[np.maximum(index, 0)], np.nan))
        history = readonly(np.stack(layers))

    files = [doc.path, meta.values_path]
    notes_ = {}
    notes_name = doc.get((), "notes", "str", None)
    if notes_name is not None:
        files.append(folder / notes_name)
        notes_ = notes(files[-1], {r.entity for r in table.keyed()}, set(framework.indicator_ids), strict)
    dataset = Dataset(
        name=doc.get((), "name", "str", folder.name),
        framework=framework,
        entities=tuple(entities),
        names=tuple(names),
        values=values,
        title=doc.get((), "title", "str", ""),
        description=doc.get((), "description", "str", ""),
        licence=doc.get((), "licence", "str", ""),
        attribution=doc.get((), "attribution", "str", ""),
        notice=doc.get((), "notice", "str", ""),
        illustrative=doc.get((), "illustrative", "bool", False),
        notes=frozen_map(notes_),
        path=folder,
        files=tuple(files),
        digest=_digest(files),
        year=year,
        years=validated.years,
        columns=meta.columns,
        inputs=frozen_map(inputs),
        labels=frozen_map(labels),
        history=history,
        default_weights=doc.get((), "default_weights", "str", ""),
        positions=doc.positions,
    )
    derived(dataset, meta, table, strict)
    return replace(dataset, notices=(*notices, *meta.notices, *_notice_cells(strict.beyond, year)))


def _absence(formula, iid: str, numeric: dict, year, previous) -> list[Notice]:
    """Notices for columns a formula reads in a year they did not exist, and for a lag() without its year."""
    absent: dict = {}
    for name in sorted(formula.names | formula.lagged):
        column = numeric.get(name)
        for when, used in ((year, name in formula.names), (year and year - 1, name in formula.lagged)):
            if used and _absent(column, when):
                absent.setdefault((when, column.absent), []).append(name)
    notices = []
    for (when, value), names in absent.items():
        treated = "missing" if value is None else f"counted as {value:g}"
        message = f"{', '.join(names)} did not exist in {when}: {treated} (see the columns' absent_note)"
        notices.append(Notice("absent", message, iid))
    if formula.lagged and previous is None:
        notices.append(Notice("derived", f"lag() needs {year - 1}, which the dataset does not have: missing", iid))
    return notices


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(read_bytes(file, DataError))
    return digest.hexdigest()
