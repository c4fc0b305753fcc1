"""Datasets given in Python: a pandas DataFrame, a mapping of columns or a numpy array, with the indicator
metadata as a second table in the indicator-table form (COINr's ``iMeta`` columns understood).

The tables are read as a file's would be: their cells become the same rows of text, checked by the same rules
(:mod:`trustindex.io.indicators`, :mod:`trustindex.io.validate`), and an error names the parameter, the row and
the column: ``values: row 'japan', column 'gdp': ...``. pandas is never imported: a DataFrame is read through
its columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from ..errors import ConfigError, DataError, Frame
from ..model import Dataset
from .table import Layout, Row, Table

INDEX, PILLAR = "index", "pillar"
"""The tree of a dataset given without metadata: every numeric column an indicator under one pillar."""


def _text(column: np.ndarray) -> list[str]:
    """The cells of a column as a file holds them: numbers in their shortest exact form, missing ones empty."""
    if column.dtype.kind in "iu":
        return column.astype(str).tolist()
    if column.dtype.kind == "f":
        whole = np.isfinite(column) & (column == np.round(column)) & (np.abs(column) < 2**53)
        text = np.where(whole, np.where(whole, column, 0).astype(np.int64).astype(str), column.astype(str))
        return np.where(np.isnan(column), "", text).tolist()
    if column.dtype.kind == "b":
        return np.where(column, "true", "false").tolist()
    out = []
    for value in column.tolist():
        if value is None or (isinstance(value, float) and value != value):
            out.append("")
        elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            out.append(str(int(value)))
        else:
            out.append(str(value))
    return out


def columns_of(table, parameter: str, names=None) -> tuple[list[str], list[np.ndarray], list[str] | None]:
    """The column names, the columns and the row labels (None: plain positions) of a DataFrame, a mapping of
    columns or a two-dimensional array (its columns named by ``names``, else ``x1``, ``x2``, ...)."""
    if hasattr(table, "columns") and hasattr(table, "iloc"):  # a pandas DataFrame, without importing pandas
        header = [str(c) for c in table.columns]
        columns = [table.iloc[:, j].to_numpy() for j in range(len(header))]
        index = table.index
        plain = type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
        return header, columns, None if plain else [str(v) for v in index]
    if isinstance(table, Mapping):
        header = [str(k) for k in table]
        columns = [np.asarray(v) for v in table.values()]
        lengths = {len(c) for c in columns if c.ndim == 1}
        if any(c.ndim != 1 for c in columns) or len(lengths) > 1:
            raise ConfigError(f"{parameter}: every column must be a sequence of the same length",
                              hint="a mapping of column name to values")  # fmt: skip
        return header, columns, None
    array = np.asarray(table) if isinstance(table, (np.ndarray, list, tuple)) else None
    if array is None or array.ndim != 2:
        raise ConfigError(f"{parameter} must be a DataFrame, a mapping of columns or a 2-d array, not "
                          f"{type(table).__name__}", hint="or give a dataset's name or folder")  # fmt: skip
    header = [str(n) for n in names] if names is not None else [f"x{j + 1}" for j in range(array.shape[1])]
    if len(header) != array.shape[1]:
        raise ConfigError(f"columns names {len(header)} columns, {parameter} has {array.shape[1]}")
    return header, [array[:, j] for j in range(array.shape[1])], None


def _rows(header: list[str], columns: list[np.ndarray]) -> list[Row]:
    cells = [_text(np.asarray(c)) for c in columns]
    rows = [Row(1, header, "")]
    rows += [Row(r + 2, list(fields), "") for r, fields in enumerate(zip(*cells, strict=True))] if cells else []
    return rows


def _table(frame: Frame, rows: list[Row]) -> Table:
    header = rows[0].fields
    table = Table(frame, rows[0], header, rows[1:])
    for j, name in enumerate(header):
        if name in table.position:
            raise DataError(f"column {name!r} appears twice", path=frame, line=1, column=j + 1)
        table.position[name] = j
    return table


def _tree(header: list[str], columns: list[np.ndarray], fixed: set[str]) -> list[Row]:
    """Indicator-table rows of a dataset given without metadata: every numeric column under one pillar."""
    numeric = [h for h, c in zip(header, columns, strict=True)
               if h not in fixed and np.asarray(c).dtype.kind in "iuf"]  # fmt: skip
    if not numeric:
        raise DataError("values has no numeric column to score", path=Frame("values"),
                        hint="give numbers, or the metadata (meta=) saying which columns are indicators")  # fmt: skip
    rows = [["id", "parent", "type", "direction"], [INDEX, "", "aggregate", ""], [PILLAR, INDEX, "aggregate", ""]]
    rows += [[h, PILLAR, "indicator", "higher"] for h in numeric]
    return [Row(n + 1, r, "") for n, r in enumerate(rows)]


def dataset_from_frame(values, meta=None, *, entity: str = "id", name: str | None = None, year: int | None = None,
                       title: str = "", columns=None, name_column: str | None = None,
                       year_column: str | None = None) -> Dataset:  # fmt: skip
    """The dataset of ``values`` (one row per entity, or per entity and year) described by ``meta`` (one row per
    indicator and aggregate), checked as the files of a dataset are; see :meth:`trustindex.Dataset.from_frame`."""
    from .dataset import _metadata, assemble
    from .indicators import TableDoc, indicator_table
    from .validate import Strict

    if isinstance(year, str):
        raise ConfigError(f"year is the year of a panel to score (an integer), not {year!r}",
                          hint=f"name the column of years with year_column={year!r}")  # fmt: skip
    header, cells, labels = columns_of(values, "values", columns)
    for parameter, column in (("name_column", name_column), ("year_column", year_column)):
        if column is not None and column not in header:
            raise ConfigError(f"{parameter}: values has no column {column!r}", hint=f"its columns: {', '.join(header)}")
    if entity not in header:
        if labels is None and not len(cells):
            raise DataError("values has no rows", path=Frame("values"), hint="one row per entity")
        count = len(cells[0]) if cells else 0
        header, cells = [entity, *header], [np.array(labels or [str(r) for r in range(count)]), *cells]
    if not cells or not len(cells[0]):
        raise DataError("values has no rows", path=Frame("values"), hint="one row per entity")
    if meta is None:
        fixed = {entity, name_column or "name", year_column or "year"}
        table_rows, meta_frame = _tree(header, cells, fixed), Frame("meta")
        keep = [j for j, h in enumerate(header) if h in fixed or h in {r.fields[0] for r in table_rows[3:]}]
        header, cells = [header[j] for j in keep], [cells[j] for j in keep]
    else:
        meta_header, meta_cells, _ = columns_of(meta, "meta")
        table_rows = _rows(meta_header, meta_cells)
        meta_frame = Frame("meta", tuple(r.fields[0] if r.fields else "" for r in table_rows[1:]), tuple(meta_header))
    doc = TableDoc(indicator_table(meta_frame, table_rows, layout=Layout(role="indicators")), None)
    rows = _rows(header, cells)
    at = header.index(entity)
    frame = Frame("values", tuple(row.fields[at] for row in rows[1:]), tuple(header))
    metadata = _metadata(doc, None, frame, Layout(), name or "dataframe", header)
    if metadata.id_column != entity:
        metadata = replace(metadata, id_column=entity, name_column=metadata.name_column
                           if metadata.name_column in header and metadata.name_column != metadata.id_column
                           else entity)  # fmt: skip
    if name_column is not None or year_column is not None:
        metadata = replace(metadata, name_column=name_column or metadata.name_column,
                           year_column=year_column or metadata.year_column)  # fmt: skip
    digest = hashlib.sha256()
    for part in (table_rows, rows):
        for row in part:
            digest.update("\x1f".join(row.fields).encode() + b"\x1e")
    dataset = assemble(metadata, _table(frame, rows), Strict(), year, None, digest.hexdigest())
    return replace(dataset, title=title or dataset.title)
