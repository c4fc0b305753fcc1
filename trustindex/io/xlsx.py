"""Sheets of ``.xlsx`` workbooks as rows of text, read with openpyxl (imported here only, when a workbook is read).

Every cell becomes the text a CSV would hold: a number in its shortest form that reads back exactly (``repr``),
a date in ISO form, TRUE or FALSE, an empty cell as empty text. A formula is read by the value the workbook
saved for it; a formula saved without one (a workbook written by a program that does not calculate) is an error
at its cell, never a silently missing value. Rows are the sheet's rows (1 = the first), fields its columns from
A, so a table's locations read ``book.xlsx: Sheet1!C5``. Blank rows are skipped, as in a CSV.
"""

from __future__ import annotations

import datetime
import io
import warnings
from pathlib import Path

from ..errors import DataError, Sheet, did_you_mean
from .files import read_bytes

ROLES = {"values": ("values", "idata", "data"), "indicators": ("indicators", "imeta", "meta", "metadata")}
"""The sheet names that say which sheet holds the values and which the indicator table (case-insensitive)."""


def split_sheet(text: str) -> tuple[str, str | None]:
    """``book.xlsx#Sheet1`` → (``book.xlsx``, ``Sheet1``): a sheet named after a workbook's file name (the one way
    to name a sheet, in dataset.toml and on the command line); any other text is a path without a sheet."""
    head, hash_, sheet = text.rpartition("#")
    if hash_ and Path(head).suffix.lower() in (".xlsx", ".xlsm"):
        return head, sheet
    return text, None


def choose_sheet(path: Path, names: list[str], wanted: str | None, role: str) -> str:
    """The sheet to read: ``wanted``; else the one named for ``role`` (values: values, iData, data; indicators:
    indicators, iMeta, meta, metadata); else the only one. Anything else is a DataError naming the sheets."""
    if wanted is not None:
        if wanted in names:
            return wanted
        raise DataError(f"no sheet named {wanted!r}", path=path, hint=did_you_mean(wanted, names))
    for candidate in ROLES[role]:
        for name in names:
            if name.strip().lower() == candidate:
                return name
    if len(names) == 1:
        return names[0]
    raise DataError(
        f"the workbook has {len(names)} sheets and none is named {ROLES[role][0]!r}",
        path=path,
        hint=f"name the sheet after the file: {path.name}#{names[0]} (sheets: {', '.join(names)})",
    )


def cell_text(value) -> str:
    """The text of a cell's value, as a CSV would hold it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    return str(value)


def _open(data: bytes, path: Path, values: bool):
    import openpyxl

    with warnings.catch_warnings():  # openpyxl warns about styles and extensions it does not read: not ours to say
        warnings.simplefilter("ignore")
        try:
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=values)
        except Exception as exc:  # a zip that is not a workbook, a damaged file: openpyxl raises many kinds
            what = type(exc).__name__
            raise DataError(f"not a readable .xlsx workbook ({what}: {str(exc)[:80]})", path=path,
                            hint="save it again as an Excel workbook (.xlsx), or as CSV (UTF-8)") from None  # fmt: skip


def _rows(workbook, sheet: str) -> list[tuple[int, list]]:
    """(row number, values from column A) of every row of ``sheet`` with a value, trailing empty cells dropped."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, values in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
            values = list(values)
            while values and (values[-1] is None or values[-1] == ""):
                values.pop()
            if values:
                out.append((number, values))
    return out


def read_sheet(path: Path, wanted: str | None = None, role: str = "values"):
    """(the sheet's name, its rows) of the workbook at ``path``: each row a
    :class:`~trustindex.io.table.Row` of texts, the header first; every row as wide as the header (short rows are
    padded, a value beyond the header is kept so the table reports it)."""
    from .table import Row

    data = read_bytes(path, DataError)
    formulas = _open(data, path, values=False)
    try:
        sheet = choose_sheet(path, list(formulas.sheetnames), wanted, role)
        written = _rows(formulas, sheet)
    finally:
        formulas.close()
    cached = None
    if any(isinstance(v, str) and v.startswith("=") or type(v).__name__ == "ArrayFormula" for _, r in written
           for v in r):  # fmt: skip
        book = _open(data, path, values=True)
        try:
            cached = dict(_rows(book, sheet))
        finally:
            book.close()
    rows = []
    for number, values in written:
        if cached is not None:
            saved = cached.get(number, [])
            for j, value in enumerate(values):
                formula = isinstance(value, str) and value.startswith("=") or type(value).__name__ == "ArrayFormula"
                result = saved[j] if j < len(saved) else None
                if formula and result is None:
                    raise DataError(
                        "a formula saved without its value", path=Sheet(path, sheet), line=number, column=j + 1,
                        hint="open the workbook in a spreadsheet program and save it, so each formula's value is "
                        "stored; or type the value",
                    )  # fmt: skip
                if formula:
                    values[j] = result
        rows.append(Row(number, [cell_text(v) for v in values], ""))
    if rows:
        width = len(rows[0].fields)
        for row in rows[1:]:
            row.fields += [""] * (width - len(row.fields))
    return sheet, rows
