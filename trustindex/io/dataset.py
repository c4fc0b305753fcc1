"""Read and validate a dataset folder: ``dataset.toml``, the values CSV and optional cell notes."""

from __future__ import annotations

import csv
import difflib
import hashlib
import math
from pathlib import Path

import numpy as np

from ..errors import DataError, did_you_mean
from ..model import Dataset, Framework, Indicator, Node, frozen_map, readonly
from .toml import TomlDoc, read_text

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
    "entity",
    "index",
    "pillars",
    "indicators",
)
ENTITY = ("id_column", "name_column")
NODE = ("label", "description", "parent")
INDICATOR = ("label", "parent", "direction", "unit", "goalposts", "target", "source", "year", "description")
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


def _values(path: Path, framework: Framework, id_column: str, name_column: str):
    rows = read_csv(path)
    if not rows:
        raise DataError("empty file: expected a header and one row per entity", path=path, line=1)
    _, header, _ = rows[0]
    header = [h.strip() for h in header]
    position = {}
    for j, name in enumerate(header):
        if name in position:
            raise DataError(
                f"column {name!r} appears twice", path=path, line=rows[0][0], column=field_column(rows[0][2], j)
            )
        position[name] = j
    expected = [id_column, name_column, *framework.indicator_ids]
    for name in expected:
        if name not in position:
            close = difflib.get_close_matches(name, sorted(set(header) - set(expected)), n=1, cutoff=0.6)
            raise DataError(
                f"missing column {name!r}",
                path=path,
                line=rows[0][0],
                column=field_column(rows[0][2], position[close[0]]) if close else None,
                hint=f"is column {close[0]!r} meant to be {name!r}?" if close else "add the column",
            )
    for j, name in enumerate(header):
        if name not in expected:
            raise DataError(
                f"column {name!r} is not declared in dataset.toml",
                path=path,
                line=rows[0][0],
                column=field_column(rows[0][2], j),
                hint=did_you_mean(name, framework.indicator_ids) or "declare it as an indicator or remove it",
            )
    if len(rows) == 1:
        raise DataError("no entities: the file has a header but no rows", path=path, line=1)

    ids, names = [], []
    values = np.full((len(rows) - 1, len(framework.indicators)), np.nan)
    seen: dict[str, int] = {}
    columns = [position[i] for i in framework.indicator_ids]
    for r, (line, fields, raw) in enumerate(rows[1:]):
        if len(fields) != len(header):
            raise DataError(
                f"row has {len(fields)} fields, the header has {len(header)}",
                path=path,
                line=line,
                hint="check for a missing or extra comma",
            )
        entity = fields[position[id_column]].strip()
        if not entity:
            raise DataError("empty entity id", path=path, line=line, column=field_column(raw, position[id_column]))
        if entity in seen:
            raise DataError(
                f"duplicate entity id {entity!r} (first on line {seen[entity]})",
                path=path,
                line=line,
                column=field_column(raw, position[id_column]),
            )
        seen[entity] = line
        ids.append(entity)
        names.append(fields[position[name_column]].strip() or entity)
        for k, j in enumerate(columns):
            text = fields[j].strip()
            if text in MISSING:
                continue
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise DataError(
                    f"column {header[j]!r}: {text!r} is not a number",
                    path=path,
                    line=line,
                    column=field_column(raw, j),
                    hint="write a number, or leave the cell empty if missing",
                )
            values[r, k] = number
    return tuple(ids), tuple(names), values


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


def load_dataset(path: Path) -> Dataset:
    """Read the dataset at ``path`` (its folder or its ``dataset.toml``); problems raise DataError."""
    path = Path(path)
    toml_path = path / "dataset.toml" if path.is_dir() else path
    if not path.exists():
        raise DataError("no such dataset folder", path=path, hint="check the path, or give a shipped dataset's name")
    if not toml_path.exists():
        raise DataError("no dataset.toml in this folder", path=path, hint="a dataset is a folder with a dataset.toml")
    folder = toml_path.parent
    doc = TomlDoc(toml_path, DataError)
    doc.table((), TOP)
    schema = doc.get((), "schema", "int")
    if schema != 1:
        doc.fail(f"unsupported schema {schema}", (), "schema", "this version of trustindex reads schema = 1")
    doc.table(("entity",), ENTITY)
    framework = _framework(doc)
    values_path = folder / doc.get((), "values", "str", "values.csv")
    entities, names, values = _values(
        values_path,
        framework,
        doc.get(("entity",), "id_column", "str", "id"),
        doc.get(("entity",), "name_column", "str", "name"),
    )
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
        names=names,
        values=readonly(values),
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
    )
