"""Read and validate a dataset: ``dataset.toml`` (or an indicator table), the values and optional cell notes.

A dataset is a folder with a ``dataset.toml`` (the full form, whose tree may be ``[indicators.*]`` tables or an
indicator table it names), or a folder with ``values.csv`` and ``indicators.csv`` (either may be ``.xlsx``), or
a values file and an indicator table given together (``--data FILE --meta FILE``). The values are checked by
the rules of :mod:`trustindex.io.validate`, stopping at the first problem.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError, did_you_mean
from ..formula import FormulaError, parse
from ..model import Column, Dataset, Framework, Indicator, Node, Notice, frozen_map, readonly
from .files import kind, read_bytes, record
from .indicators import TableDoc, entity_columns, read_indicator_table
from .numbers import DECIMALS, LARGEST, shown
from .table import DELIMITERS, WORKBOOKS, Layout, delimiter_name, read_rows, read_table
from .toml import TomlDoc
from .validate import ID_KINDS, Strict, derived, notes, validate
from .xlsx import split_sheet

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
    "delimiter",
    "decimal",
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
             "bounds", "required", "denominator", "per")  # fmt: skip
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


def _per(doc: TomlDoc, table: tuple[str, ...]) -> float:
    """``per``: the positive scale of a denominated value (100000: per 100,000 of the denominator)."""
    per = doc.get(table, "per", "number", 1.0, high=LARGEST)
    if not per > 0:
        doc.fail(f"per must be positive, not {shown(per)}", table, "per", "e.g. per = 100000 for a rate per 100,000")
    if "per" in doc.table(table) and doc.get(table, "denominator", "str", None) is None:
        doc.fail("per has no effect without a denominator", table, "per", 'add denominator = "COLUMN", or remove it')
    return float(per)


def _denominators(doc: TomlDoc, framework: Framework, columns: tuple[Column, ...]) -> None:
    """Every declared denominator is a numeric column of the dataset (COINr's Denominator rows)."""
    numeric = [c.name for c in columns if c.kind == "number"]
    for indicator in framework.indicators:
        name = indicator.denominator
        if name is not None and name not in numeric:
            text = [c.name for c in columns if c.kind == "text"]
            doc.fail(f"denominator {name!r} of {indicator.id!r} is not a numeric column of the dataset",
                     ("indicators", indicator.id), "denominator",
                     "it holds text" if name in text else did_you_mean(name, numeric)
                     or "declare it under [columns] (a Denominator row of an indicator table)")  # fmt: skip


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
                                  f"{goalposts[1]:g}]", iid, (), doc.locate(table, "target")))  # fmt: skip
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
                denominator=doc.get(table, "denominator", "str", None),
                per=_per(doc, table),
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
        path = doc.locate(("indicators", iid), "formula")[0]
        raise DataError(f"formula of {iid!r}: {message}", path=path, line=line, column=column, hint=hint)

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


TABLE_FILES = {"values": ("values.csv", "values.xlsx"), "indicators": ("indicators.csv", "indicators.xlsx")}
"""The files that make a folder without a dataset.toml a dataset: its values and its indicator table."""


@dataclass(frozen=True)
class Metadata:
    """What ``dataset.toml`` (or an indicator table) declares, validated: the framework, the columns, the entity
    keys and the formulas."""

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
    """What the metadata itself calls for telling: targets outside the goalposts, rows marked for review."""
    layout: Layout = Layout()
    """How the values (and the notes) are written: delimiter, decimal mark, sheet."""
    name: str = ""
    weights: Mapping[str, float] = field(default_factory=dict)
    """The weights suggested by an indicator table's weight column, by node id."""
    files: tuple[Path, ...] = ()
    """The metadata's own files: dataset.toml and the indicator table, as each exists."""


def is_dataset_folder(path: Path) -> bool:
    """Whether ``path`` is a dataset's folder: it holds a ``dataset.toml``, or values and an indicator table
    (``values.csv`` or ``values.xlsx``, and ``indicators.csv`` or ``indicators.xlsx``)."""
    path = Path(path)
    if kind(path / "dataset.toml") == "file":
        return True
    return all(any(kind(path / n) == "file" for n in names) for names in TABLE_FILES.values())


def _table_file(folder: Path, role: str) -> Path:
    """The values or indicator file of a folder without dataset.toml (one of :data:`TABLE_FILES`)."""
    found = [folder / n for n in TABLE_FILES[role] if kind(folder / n) == "file"]
    if len(found) > 1:
        raise DataError(f"two {role} files, {found[0].name} and {found[1].name}", path=folder,
                        hint="keep one, or say which in a dataset.toml")  # fmt: skip
    return found[0]


def _layout(doc: TomlDoc) -> Layout:
    """The ``delimiter`` and ``decimal`` keys of dataset.toml (a comma and a point by default)."""
    delimiter = doc.get((), "delimiter", "str", ",")
    if delimiter not in DELIMITERS:
        doc.fail(f"delimiter must be one of {', '.join(repr(delimiter_name(d)) for d in DELIMITERS)}, not "
                 f"{delimiter!r}", (), "delimiter", "write a tab as '\\t'")  # fmt: skip
    decimal = doc.get((), "decimal", "str", ".")
    if decimal not in DECIMALS:
        doc.fail(f"decimal must be '.' or ',', not {decimal!r}", (), "decimal")
    if decimal == "," and delimiter == ",":
        doc.fail("a decimal comma needs another delimiter than the comma", (), "decimal", "set delimiter = ';'")
    return Layout(delimiter, decimal)


def _named_file(doc: TomlDoc, key: str, default: str) -> tuple[Path, str | None]:
    """The file (and sheet) a key of dataset.toml names, relative to dataset.toml."""
    text = doc.get((), key, "str", default)
    if text.strip() in ("", "."):
        doc.fail(f"{key} names no file", (), key, "the file's name, relative to dataset.toml")
    file, sheet = split_sheet(text)
    if sheet is not None and not sheet:
        doc.fail(f"{key} names no sheet after '#'", (), key, f"for example {file}#Sheet1")
    return doc.path.parent / file, sheet


def _table_doc(doc: TomlDoc | None, path: Path, sheet: str | None, layout: Layout) -> TableDoc:
    """The metadata of an indicator table (with the dataset.toml that names it)."""
    table = read_indicator_table(path, replace(layout, sheet=sheet, role="indicators"))
    if doc is not None:
        for section in ("index", "pillars"):
            if section in doc.data:
                doc.fail(f"[{section}] is given, but the tree is the indicator table's ({path.name})", (section,),
                         hint=f"remove [{section}]: the table's rows are the index and its aggregates")  # fmt: skip
        for name in doc.table(("columns",)):
            if name in table.data["columns"]:
                where = table.places[("columns", name)]
                raise DataError(f"column {name!r} is declared twice: here and under [columns] in dataset.toml",
                                path=where[0], line=where[1], column=where[2], hint="keep one")  # fmt: skip
    return TableDoc(table, doc)


def _review(doc) -> tuple[Notice, ...]:
    """A notice naming the rows of an indicator table marked for review (their review cell is not empty)."""
    table = getattr(doc, "indicator_table", None)
    if table is None or not table.review:
        return ()
    nodes = [node for node, _ in table.review]
    shown_ = ", ".join(nodes[:5]) + (f" and {len(nodes) - 5} more" if len(nodes) > 5 else "")
    message = (f"{len(nodes)} row(s) of {table.path.name} marked for review ({shown_}): check each, then clear "
               "its review cell")  # fmt: skip
    return (Notice("review", message, None, (), table.review[0][1]),)


def read_metadata(path: Path, meta: Path | str | None = None) -> Metadata:
    """Read and validate the metadata of the dataset at ``path``: its folder or its ``dataset.toml``; or, with
    ``meta`` (an indicator table, ``book.xlsx#Sheet`` naming a sheet), the values file at ``path``.

    Problems raise DataError at the first one, with its location; the values are not read.
    """
    values_path, values_sheet = split_sheet(str(path)) if meta is not None else (str(path), None)
    path = Path(values_path)
    what = kind(path)
    if what == "missing":
        raise DataError("no such dataset folder" if meta is None else "no such file", path=path,
                        hint="check the path, or give a shipped dataset's name")  # fmt: skip
    if what not in ("file", "folder"):
        raise DataError(what, path=path)
    if meta is not None:
        if what != "file":
            raise DataError("with --meta, --data names the values file, not a folder", path=path,
                            hint="give values.csv (or .xlsx), or leave out --meta")  # fmt: skip
        table_path, sheet = split_sheet(str(meta))
        if kind(Path(table_path)) != "file":
            raise DataError("no such file" if kind(Path(table_path)) == "missing" else kind(Path(table_path)),
                            path=table_path, hint="--meta names the indicator table (CSV or .xlsx)")  # fmt: skip
        doc = _table_doc(None, Path(table_path), sheet, Layout())
        return _metadata(doc, None, Path(values_path), Layout(sheet=values_sheet), Path(values_path).stem)
    toml_path = path / "dataset.toml" if what == "folder" else path
    if what == "folder" and kind(toml_path) == "missing" and not toml_path.is_symlink():
        if is_dataset_folder(path):
            record(path, folder=True)
            doc = _table_doc(None, _table_file(path, "indicators"), None, Layout())
            return _metadata(doc, None, _table_file(path, "values"), Layout(), Path(os.path.abspath(path)).name)
        raise DataError(
            "no dataset.toml in this folder",
            path=path,
            hint="a dataset is a folder with a dataset.toml, or with values.csv and indicators.csv",
        )
    if what == "file" and path.suffix != ".toml":
        hint = "give its folder or its dataset.toml"
        if path.suffix.lower() in (".csv", ".tsv", *WORKBOOKS):
            hint = "values need their indicator table: add --meta indicators.csv, or run trustindex init"
        raise DataError("not a dataset", path=path, hint=hint)
    doc = TomlDoc(toml_path, DataError)
    record(toml_path.parent, folder=True)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int")
    if schema != 1:
        doc.fail(f"unsupported schema {shown(schema)}", (), "schema", "this version of trustindex reads schema = 1")
    layout = _layout(doc)
    values_path, values_sheet = _named_file(doc, "values", "values.csv")
    name = doc.get((), "name", "str", toml_path.parent.name)
    beside = [n for n in TABLE_FILES["indicators"] if kind(toml_path.parent / n) == "file"]
    if isinstance(doc.data.get("indicators"), str) or (beside and not {"index", "indicators"} & set(doc.data)):
        table_path, sheet = _named_file(doc, "indicators", beside[0] if beside else "indicators.csv")
        doc = _table_doc(doc, table_path, sheet, layout)
    return _metadata(doc, toml_path, values_path, replace(layout, sheet=values_sheet), name)


def _metadata(doc: TomlDoc, toml_path: Path | None, values_path: Path, layout: Layout, name: str) -> Metadata:
    """The metadata of ``doc`` (dataset.toml, an indicator table, or both), validated."""
    doc.table((), TOP)
    doc.table(("entity",), ENTITY)
    framework, notices = _framework(doc)
    meta = _columns(doc, framework)
    _denominators(doc, framework, meta)
    table = getattr(doc, "indicator_table", None)
    if toml_path is None:
        rows = read_rows(values_path, layout)[0]
        header = [h.strip(" \t") for h in rows[0].fields] if rows else []
        id_column, name_column, year_column = entity_columns(table, header)
    else:
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
    if toml_path is not None:
        _named_file(doc, "notes", "notes.csv")
    for key in ("title", "description", "licence", "attribution", "notice", "notes", "default_weights"):
        doc.get((), key, "str", "")
    doc.get((), "illustrative", "bool", False)
    files = tuple(p for p in (toml_path, table and table.path) if p is not None)
    return Metadata(doc, framework, meta, id_column, name_column, year_column, id_kind, formulas, values_path,
                    (*notices, *_review(doc)), layout, name, dict(table.weights) if table else {},
                    files)  # fmt: skip


def _select_year(meta: Metadata, years: tuple[int, ...], year: int | None) -> int | None:
    name = meta.name
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


def load_dataset(path: Path, year: int | None = None, meta: Path | str | None = None) -> Dataset:
    """Read the dataset at ``path`` (its folder or its ``dataset.toml``; with ``meta``, an indicator table, the
    values file) for ``year`` (default: the latest).

    Problems with the files raise DataError; a year the dataset does not have raises ConfigError.
    """
    meta = read_metadata(path, meta)
    doc, framework, formulas = meta.doc, meta.framework, meta.formulas
    folder = doc.path.parent
    strict = Strict()
    table = read_table(meta.values_path, strict, meta.layout)
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

    files = [*meta.files, meta.values_path]
    notes_ = {}
    notes_name = doc.get((), "notes", "str", None)
    if notes_name is not None:
        files.append(folder / notes_name)
        notes_ = notes(files[-1], {r.entity for r in table.keyed()}, set(framework.indicator_ids), strict,
                       meta.layout.delimiter)  # fmt: skip
    dataset = Dataset(
        name=meta.name,
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
        weights=frozen_map(meta.weights),
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
