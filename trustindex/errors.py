"""Errors that carry a location and a hint, and the exit codes they map to."""

from __future__ import annotations

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
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
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
