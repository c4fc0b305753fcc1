"""CSV files and sheets of workbooks as tables whose every cell knows its line and column.

Records end at ``\\n``, ``\\r\\n`` or ``\\r`` only (not at U+2028 or the other separators ``str.splitlines``
knows), and a quoted field may span lines; a quote that is never closed is reported where it opens. A CSV's
delimiter and decimal mark are the dataset's (:class:`Layout`); a file that is plainly written with others is
recognised (:func:`sniff`) and refused with the key to set. A sheet of an ``.xlsx`` workbook
(:mod:`trustindex.io.xlsx`) is a table whose cells are located as ``book.xlsx: Sheet1!C5``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError, Sheet
from .toml import read_text

_RECORD_END = re.compile(r"\r\n|\n|\r")
SPACE = " \t"
"""What is trimmed around a cell: ASCII spaces and tabs only."""
DELIMITERS = (",", ";", "\t", "|")
"""The delimiters a CSV may use (``delimiter`` in dataset.toml)."""
WORKBOOKS = (".xlsx", ".xlsm")
"""Suffixes of the workbooks read as tables (a sheet each)."""
NOT_READ = {".xls": "an Excel 97-2003 workbook", ".ods": "an OpenDocument spreadsheet", ".numbers": "a Numbers file"}


def delimiter_name(delimiter: str) -> str:
    """How a delimiter is written in dataset.toml and on the command line."""
    return "\\t" if delimiter == "\t" else delimiter


@dataclass(frozen=True)
class Layout:
    """How a table file is written: a CSV's delimiter and decimal mark, or which sheet of a workbook it is."""

    delimiter: str = ","
    decimal: str = "."
    sheet: str | None = None
    """The sheet of a workbook (None: chosen by :func:`trustindex.io.xlsx.choose_sheet`)."""
    role: str = "values"
    """``values`` or ``indicators``: which sheet a workbook's names suggest when none is named."""


@dataclass
class Row:
    """One record: the line it starts on, its fields, and its text (with the newlines of a quoted field)."""

    line: int
    fields: list[str]
    raw: str
    entity: str = ""
    year: int | None = None
    keyed: bool = False
    """Whether the row has a usable id (and year): one row per key."""


def _lines(text: str) -> list[str]:
    """Physical lines, each with its line ending."""
    out, start = [], 0
    for match in _RECORD_END.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out


def _quote_fault(record: str, delimiter: str = ",") -> tuple[int, str] | None:
    """Where quoting goes wrong in ``record``: the opening of a quote never closed, or text after a closing one."""
    i, n = 0, len(record)
    while i <= n:
        if i < n and record[i] == '"':  # a quoted field
            opening, i = i, i + 1
            while True:
                if i >= n:
                    return opening, "the quote opened here is never closed"
                if record[i] == '"':
                    if i + 1 < n and record[i + 1] == '"':
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            if i < n and record[i] not in delimiter + "\r\n":
                return i, "text after a closing quote"
        while i < n and record[i] != delimiter:
            if record[i] in "\r\n":
                return None
            i += 1
        i += 1
    return None


def read_csv(path: Path, delimiter: str = ",", text: str | None = None) -> list[Row]:
    """The records of a CSV file (header first), blank lines skipped. Malformed quoting raises DataError where
    it goes wrong."""
    text = read_text(path, DataError) if text is None else text
    lines = _lines(text)
    reader = csv.reader(lines, strict=True, delimiter=delimiter)
    rows = []
    start = 1
    try:
        for fields in reader:
            if fields:
                rows.append(Row(start, fields, "".join(lines[start - 1 : reader.line_num])))
            start = reader.line_num + 1
    except csv.Error as exc:
        record = "".join(lines[start - 1 :])
        fault = _quote_fault(record, delimiter)
        if fault is None:
            raise DataError(f"malformed CSV: {exc}", path=path, line=start, hint="check the quoting") from None
        offset, what = fault
        line = start + record.count("\n", 0, offset) + record.count("\r", 0, offset) - record.count("\r\n", 0, offset)
        column = offset - max(record.rfind("\n", 0, offset), record.rfind("\r", 0, offset))
        raise DataError(f"malformed CSV: {what}", path=path, line=line, column=column,
                        hint="a quote inside a quoted field is written twice: \"\"") from None  # fmt: skip
    return rows


def field_column(raw: str, index: int, delimiter: str = ",") -> int:
    """1-based character offset in the record text ``raw`` where field ``index`` starts."""
    field_, quoted, opening = 0, False, True
    for position, char in enumerate(raw):
        if field_ == index:
            return position + 1
        if quoted:
            quoted = char != '"'
            opening = not quoted  # a quote right after the closing one is an escaped quote: reopen
        elif char == '"' and opening:
            quoted = True
        elif char == delimiter:
            field_, opening = field_ + 1, True
        else:
            opening = False  # a quote inside an unquoted field is literal, as csv.reader reads it
    return len(raw.rstrip("\r\n")) + 1


def field_position(row: Row, index: int, delimiter: str = ",") -> tuple[int, int]:
    """Line and 1-based column where field ``index`` of ``row`` starts (a quoted field may span lines)."""
    offset = field_column(row.raw, index, delimiter) - 1
    before = row.raw[:offset]
    return row.line + before.count("\n"), offset - before.rfind("\n")


@dataclass
class Table:
    """A CSV file (or a sheet of a workbook) of one header and rows, read without stopping at the first problem."""

    path: Path
    header_row: Row
    header: list[str]
    rows: list[Row]
    position: dict[str, int] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    """Undeclared columns the rules allow: left out when scoring."""
    _index: dict | None = None
    sheet: str | None = None
    """The sheet of a workbook this table is (rows are then the sheet's rows, fields its columns from A)."""
    delimiter: str = ","
    decimal: str = "."
    """The decimal mark of the numbers written as text."""

    @property
    def header_line(self) -> int:
        return self.header_row.line

    @property
    def file(self) -> Path | Sheet:
        """What a location's path is: the file, or its sheet."""
        return self.path if self.sheet is None else Sheet(self.path, self.sheet)

    def text(self, row: Row, name: str) -> str:
        return row.fields[self.position[name]].strip(SPACE)

    def at(self, row: Row, index: int) -> tuple[Path | Sheet, int, int | None]:
        """(path, line, column) of field ``index`` of ``row``: in a sheet, its row and column."""
        if self.sheet is not None:
            return self.file, row.line, index + 1
        return (self.path, *field_position(row, index, self.delimiter))

    def where(self, row: Row, name: str | None = None) -> tuple[Path | Sheet, int, int | None]:
        """(path, line, column) of ``row``'s cell of column ``name`` (its first field when None)."""
        return self.at(row, self.position[name] if name else 0)

    def header_where(self, name: str | None = None, index: int | None = None) -> tuple[Path | Sheet, int, int | None]:
        if name is None and index is None:
            return self.file, self.header_line, None
        return self.at(self.header_row, self.position[name] if index is None else index)

    def find(self, entity: str, year: int | None) -> Row | None:
        if self._index is None:
            self._index = {(r.entity, r.year): r for r in self.rows if r.keyed}
        return self._index.get((entity, year))

    def keyed(self) -> list[Row]:
        return [r for r in self.rows if r.keyed]


def _split(text: str, delimiter: str) -> list[list[str]]:
    """The first records of ``text`` split at ``delimiter`` (quotes respected), for guessing; [] if unreadable."""
    lines = _lines(text)[:50]
    try:
        return [r for r in csv.reader(lines, delimiter=delimiter) if r]
    except csv.Error:
        return []


def sniff(text: str) -> tuple[str, str]:
    """The delimiter and decimal mark a CSV text is most plainly written with: the delimiter that splits the
    header and the first rows into the same number of fields, the most of them (a comma when none does), and a
    decimal comma when numbers are written ``1,5`` and none ``1.5``."""
    from .numbers import DECIMAL_COMMA, NUMBER

    best, fields = ",", 1
    for delimiter in DELIMITERS:
        records = _split(text, delimiter)
        counts = {len(r) for r in records}
        if records and len(counts) == 1 and (n := counts.pop()) > fields:
            best, fields = delimiter, n
    cells = [c.strip(SPACE) for r in _split(text, best)[1:] for c in r]
    commas = sum(bool(DECIMAL_COMMA.fullmatch(c)) for c in cells)
    points = sum("." in c and bool(NUMBER.fullmatch(c)) for c in cells)
    return best, "," if commas and not points else "."


def foreign(path: Path, text: str, header: list[str], layout: Layout) -> DataError | None:
    """The error for a file plainly written with another delimiter than ``layout``'s: its header splits into
    more fields at another one."""
    delimiter, decimal = sniff(text)
    if delimiter == layout.delimiter or len(_split(text, delimiter)[0]) <= len(header):
        return None
    name = {";": "semicolon", "\t": "tab", "|": "bar", ",": "comma"}[delimiter]
    keys = f"delimiter = '{delimiter_name(delimiter)}'"
    if decimal != layout.decimal:
        keys += f" and decimal = '{decimal}'"
        name += f"-separated with decimal {'commas' if decimal == ',' else 'points'}"
    else:
        name += "-separated"
    return DataError(f"the file looks {name}, not {'comma' if layout.delimiter == ',' else repr(layout.delimiter)}"
                     f"-separated (its header splits at {delimiter_name(delimiter)!r})", path=path, line=1, column=1,
                     hint=f"set {keys} in dataset.toml; trustindex init detects them")  # fmt: skip


def read_rows(path: Path, layout: Layout | None = None) -> tuple[list[Row], str | None, str]:
    """The records of the CSV or the sheet of the workbook at ``path`` (header first), the sheet's name (None
    for a CSV) and the text of a CSV. A workbook's cells are read as text (numbers in their shortest exact
    form); unreadable files raise DataError."""
    layout = layout or Layout()
    suffix = Path(path).suffix.lower()
    if suffix in NOT_READ:
        raise DataError(f"{NOT_READ[suffix]} is not read", path=path, hint="save it as .xlsx or as CSV (UTF-8)")
    if suffix in WORKBOOKS:
        from .xlsx import read_sheet

        sheet, rows = read_sheet(Path(path), layout.sheet, layout.role)
        return rows, sheet, ""
    text = read_text(path, DataError)
    return read_csv(path, layout.delimiter, text), None, text


def read_table(path: Path, sink, layout: Layout | None = None) -> Table | None:
    """The CSV (or sheet) at ``path`` as a table, or None after reporting (rule ``readable``) why it is not one;
    duplicate header names are reported (``duplicate-column``) and keep their first position."""
    layout = layout or Layout()
    sink.run("readable")
    try:
        rows, sheet, text = read_rows(path, layout)
        if sheet is None and rows:
            other = foreign(path, text, rows[0].fields, layout)
            if other is not None:
                raise other
    except DataError as exc:
        sink.error(exc)
        return None
    file = path if sheet is None else Sheet(path, sheet)
    if len(rows) < 2:
        what = "empty file: expected a header and one row per entity" if not rows else "no rows under the header"
        if sheet is not None:
            what = what.replace("file", "sheet")
        sink.add("readable", what, file, 1, 1)
        return None
    header_row = rows[0]
    header = [h.strip(SPACE) for h in header_row.fields]
    table = Table(path, header_row, header, rows[1:], sheet=sheet, delimiter=layout.delimiter,
                  decimal=layout.decimal)  # fmt: skip
    broken = False
    for row in rows[1:]:
        if len(row.fields) != len(header):
            if sheet is not None:  # rows are padded to the header: this one has a value beyond it
                beyond = [j for j in range(len(header), len(row.fields)) if row.fields[j].strip(SPACE)]
                first = beyond[0] if beyond else len(header)
                sink.add("readable", "a value beyond the header's last column", *table.at(row, first),
                         hint="give the column a header, or clear the cell")  # fmt: skip
            else:
                at = table.at(row, min(len(row.fields), len(header)))  # the first extra field, or the line's end
                name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[layout.delimiter]
                sink.add("readable", f"row has {len(row.fields)} fields, the header has {len(header)}", *at,
                         hint=f"check for a missing or extra {name}, or quoting")  # fmt: skip
            broken = True
    if broken:
        return None
    sink.run("duplicate-column")
    for j, name in enumerate(header):
        if name in table.position:
            sink.add("duplicate-column", f"column {name!r} appears twice (first as column {table.position[name] + 1})",
                     *table.header_where(index=j))  # fmt: skip
        else:
            table.position[name] = j
    return table
