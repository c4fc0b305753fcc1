"""Errors that carry a location and a hint, and the exit codes they map to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes of every trustindex command."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    DATA = 3
    INTERNAL = 70
    """An unexpected failure: a bug (EX_SOFTWARE)."""
    INTERRUPTED = 130


@dataclass(frozen=True)
class Sheet(os.PathLike):
    """A sheet of a workbook, given where a location's path goes: its line is then the sheet's row and its
    column the sheet's column, and the location reads ``book.xlsx: Sheet1!C5``. As a path it is the file."""

    path: Path
    name: str

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return os.fspath(self.path)


def column_letters(column: int) -> str:
    """A spreadsheet's name of 1-based column ``column``: A, ..., Z, AA, ..."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_name(sheet: str, row: int | None, column: int | None) -> str:
    """``Sheet1!C5`` (a sheet whose name is not a plain word is quoted, as spreadsheets write it: ``'My data'!C5``);
    ``Sheet1 row 5`` without a column."""
    plain = sheet.replace("_", "").isalnum() and not sheet[:1].isdigit()
    name = sheet if plain else "'" + sheet.replace("'", "''") + "'"
    if row is None:
        return name
    return f"{name}!{column_letters(column)}{row}" if column else f"{name} row {row}"


def located(path, line: int | None = None, column: int | None = None) -> str:
    """Where a problem is, as errors and notices print it: ``path:line:column``, or ``book.xlsx: Sheet1!C5``
    when ``path`` is a :class:`Sheet`; empty without a path."""
    if path is None or path == "":
        return ""
    if isinstance(path, Sheet):
        return f"{path}: {cell_name(path.name, line, column)}"
    where = str(path)
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where


class TrustIndexError(Exception):
    """A problem the user can fix, reported as one line: ``path:line:col: message (hint)``."""

    exit_code = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = path.name if isinstance(path, Sheet) else None
        """The sheet of a workbook the location is in (its line is then a row, its column a sheet column)."""
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        path = Sheet(Path(self.path), self.sheet) if self.path and self.sheet is not None else self.path
        where = located(path, self.line, self.column)
        where += ": " if where else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message}{hint}"


class ConfigError(TrustIndexError):
    """Invalid usage or configuration: weights, options, names (exit 2)."""

    exit_code = ExitCode.USAGE


class DataError(TrustIndexError):
    """Unreadable or invalid input data (exit 3)."""

    exit_code = ExitCode.DATA


def did_you_mean(name: str, choices) -> str | None:
    """A hint naming the closest of ``choices`` to ``name``, or listing them when none is close."""
    import difflib

    choices = sorted(choices)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    if choices and len(choices) <= 12:
        return "expected one of: " + ", ".join(choices)
    return None
