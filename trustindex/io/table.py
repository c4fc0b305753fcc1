"""CSV files as tables whose every cell knows its line and column.

Records end at ``\\n``, ``\\r\\n`` or ``\\r`` only (not at U+2028 or the other separators ``str.splitlines``
knows), and a quoted field may span lines; a quote that is never closed is reported where it opens.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .toml import read_text

_RECORD_END = re.compile(r"\r\n|\n|\r")
SPACE = " \t"
"""What is trimmed around a cell: ASCII spaces and tabs only."""


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


def _quote_fault(record: str) -> tuple[int, str] | None:
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
            if i < n and record[i] not in ",\r\n":
                return i, "text after a closing quote"
        while i < n and record[i] != ",":
            if record[i] in "\r\n":
                return None
            i += 1
        i += 1
    return None


def read_csv(path: Path) -> list[Row]:
    """The records of a CSV file (header first), blank lines skipped. Malformed quoting raises DataError where
    it goes wrong."""
    text = read_text(path, DataError)
    lines = _lines(text)
    reader = csv.reader(lines, strict=True)
    rows = []
    start = 1
    try:
        for fields in reader:
            if fields:
                rows.append(Row(start, fields, "".join(lines[start - 1 : reader.line_num])))
            start = reader.line_num + 1
    except csv.Error as exc:
        record = "".join(lines[start - 1 :])
        fault = _quote_fault(record)
        if fault is None:
            raise DataError(f"malformed CSV: {exc}", path=path, line=start, hint="check the quoting") from None
        offset, what = fault
        line = start + record.count("\n", 0, offset) + record.count("\r", 0, offset) - record.count("\r\n", 0, offset)
        column = offset - max(record.rfind("\n", 0, offset), record.rfind("\r", 0, offset))
        raise DataError(f"malformed CSV: {what}", path=path, line=line, column=column,
                        hint="a quote inside a quoted field is written twice: \"\"") from None  # fmt: skip
    return rows


def field_column(raw: str, index: int) -> int:
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
        elif char == ",":
            field_, opening = field_ + 1, True
        else:
            opening = False  # a quote inside an unquoted field is literal, as csv.reader reads it
    return len(raw.rstrip("\r\n")) + 1


def field_position(row: Row, index: int) -> tuple[int, int]:
    """Line and 1-based column where field ``index`` of ``row`` starts (a quoted field may span lines)."""
    offset = field_column(row.raw, index) - 1
    before = row.raw[:offset]
    return row.line + before.count("\n"), offset - before.rfind("\n")


@dataclass
class Table:
    """A CSV file of one header and rows, read without stopping at the first problem."""

    path: Path
    header_row: Row
    header: list[str]
    rows: list[Row]
    position: dict[str, int] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    """Undeclared columns the rules allow: left out when scoring."""
    _index: dict | None = None

    @property
    def header_line(self) -> int:
        return self.header_row.line

    def text(self, row: Row, name: str) -> str:
        return row.fields[self.position[name]].strip(SPACE)

    def where(self, row: Row, name: str | None = None) -> tuple[Path, int, int | None]:
        """(path, line, column) of ``row``'s cell of column ``name`` (its first field when None)."""
        return (self.path, *field_position(row, self.position[name] if name else 0))

    def header_where(self, name: str | None = None, index: int | None = None) -> tuple[Path, int, int | None]:
        if name is None and index is None:
            return self.path, self.header_line, None
        return (self.path, *field_position(self.header_row, self.position[name] if index is None else index))

    def find(self, entity: str, year: int | None) -> Row | None:
        if self._index is None:
            self._index = {(r.entity, r.year): r for r in self.rows if r.keyed}
        return self._index.get((entity, year))

    def keyed(self) -> list[Row]:
        return [r for r in self.rows if r.keyed]


def read_table(path: Path, sink) -> Table | None:
    """The CSV at ``path`` as a table, or None after reporting (rule ``readable``) why it is not one; duplicate
    header names are reported (``duplicate-column``) and keep their first position."""
    sink.run("readable")
    try:
        rows = read_csv(path)
    except DataError as exc:
        sink.error(exc)
        return None
    if len(rows) < 2:
        what = "empty file: expected a header and one row per entity" if not rows else "no rows under the header"
        sink.add("readable", what, path, 1, 1)
        return None
    header_row = rows[0]
    header = [h.strip(SPACE) for h in header_row.fields]
    broken = False
    for row in rows[1:]:
        if len(row.fields) != len(header):
            at = field_position(row, min(len(row.fields), len(header)))  # the first extra field, or the line's end
            sink.add("readable", f"row has {len(row.fields)} fields, the header has {len(header)}", path, *at,
                     hint="check for a missing or extra comma, or quoting")  # fmt: skip
            broken = True
    if broken:
        return None
    table = Table(path, header_row, header, rows[1:])
    sink.run("duplicate-column")
    for j, name in enumerate(header):
        if name in table.position:
            sink.add("duplicate-column", f"column {name!r} appears twice (first as column {table.position[name] + 1})",
                     *table.header_where(index=j))  # fmt: skip
        else:
            table.position[name] = j
    return table
