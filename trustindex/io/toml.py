"""TOML reading with errors that name the file, line and column of the offending key.

The file is read once: :class:`Positions` records, while the text is at hand, where every key, table header
and value starts, so that an error found long after loading (a weight for a node the dataset lacks, a
threshold out of range) still points at its line. Lines are counted at ``\\n`` only, as TOML counts them, so
U+2028, U+0085 and the like inside strings and comments do not shift them.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TrustIndexError, did_you_mean
from .files import read_bytes
from .numbers import LARGEST, LARGEST_INTEGER, shown

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_BARE = re.compile(r"[A-Za-z0-9_-]+")
REQUIRED = object()


def read_text(path: Path, error: type[TrustIndexError]) -> str:
    """The file's text as UTF-8 (a leading BOM is accepted); unreadable or non-UTF-8 files raise ``error``."""
    data = read_bytes(path, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        prefix = data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start]
        if line == 1 and prefix.startswith(b"\xef\xbb\xbf"):
            prefix = prefix[3:]
        column = len(prefix.decode("utf-8")) + 1  # characters, as every other column
        raise error(f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded", path=path, line=line,
                    column=column, hint="save the file as UTF-8") from None  # fmt: skip


@dataclass(frozen=True, eq=False)
class Positions:
    """Where each key (or table header) and each value of one TOML text starts, by key path.

    Arrays add the index of each element to the path: ``("aggregation", "alternatives", 1)``.
    """

    path: Path | None = None
    keys: Mapping[tuple, int] = field(default_factory=dict)
    values: Mapping[tuple, tuple[int, int]] = field(default_factory=dict)
    text: str = ""
    _newlines: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, path: Path | None, text: str) -> Positions:
        try:
            keys, values = _scan(text)
        except (IndexError, AttributeError, KeyError, RecursionError, tomllib.TOMLDecodeError):  # best effort
            keys, values = {}, {}
        return cls(path, keys, values, text, [i for i, c in enumerate(text) if c == "\n"])

    def line_column(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def at(self, table: tuple = (), key=None) -> tuple[int | None, int | None]:
        """Line and column of ``table.key`` (the key itself), else of the table, else (None, None)."""
        for path in ((*table, key), tuple(table)) if key is not None else (tuple(table),):
            if path in self.keys:
                return self.line_column(self.keys[path])
        return None, None

    def value_at(self, path: tuple) -> tuple[int | None, int | None]:
        """Line and column of the setting at ``path``: an array element's value (the path ends with its index),
        else the key."""
        if path and isinstance(path[-1], int) and path in self.values:
            return self.line_column(self.values[path][0])
        return self.at(path[:-1], path[-1]) if path else (None, None)

    def in_string(self, path: tuple, decoded: str, offset: int) -> tuple[int | None, int | None]:
        """Line and column of character ``offset`` of the string value at ``path`` (whose value is ``decoded``).

        Exact when the file holds the string verbatim (any quoting, multi-line too); else the value's start.
        """
        if path not in self.values:
            return self.at(path[:-1], path[-1])
        start, end = self.values[path]
        raw = self.text[start:end]
        quote = 3 if raw[:3] in ('"""', "'''") else 1
        body = start + quote
        if quote == 3 and self.text.startswith("\n", body):  # TOML drops a newline right after the opening
            body += 1
        elif quote == 3 and self.text.startswith("\r\n", body):
            body += 2
        if self.text[body : body + len(decoded)] != decoded:
            return self.line_column(start)[0], None
        return self.line_column(body + offset)


# --- the scanner: positions of the keys and values of a text tomllib has already parsed -----------------------


def _skip(text: str, i: int, newlines: bool = True) -> int:
    """Past spaces, tabs, comments (and newlines, when ``newlines``)."""
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t" or (newlines and c in "\r\n"):
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        else:
            break
    return i


def _string_end(text: str, i: int) -> int:
    """The offset just past the string that starts at ``i`` (any of the four TOML forms); -1 when unclosed."""
    for quote in ('"""', "'''"):
        if text.startswith(quote, i):
            j = i + 3
            while True:
                j = text.find(quote, j)
                if j < 0:
                    return -1
                if quote == '"""' and _escaped(text, j):
                    j += 1
                    continue
                end = j + 3
                while end < len(text) and text[end] == quote[0] and end - j < 5:  # up to two quotes end the body
                    end += 1
                return end
    quote = text[i]
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\n":
            return -1
        if quote == '"' and c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        j += 1
    return -1


def _escaped(text: str, j: int) -> bool:
    count = 0
    while j - count - 1 >= 0 and text[j - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _key(text: str, i: int) -> tuple[tuple[str, ...], int]:
    """A dotted key starting at ``i``, and the offset after it."""
    parts = []
    while True:
        i = _skip(text, i, newlines=False)
        if text[i] in "\"'":
            end = _string_end(text, i)
            parts.append(tomllib.loads(f"k = {text[i:end]}")["k"] if text[i] == '"' else text[i + 1 : end - 1])
            i = end
        else:
            match = _BARE.match(text, i)
            parts.append(match.group())
            i = match.end()
        i = _skip(text, i, newlines=False)
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return tuple(parts), i


def _value(text: str, i: int, path: tuple, keys: dict, values: dict) -> int:
    """Record the value starting at ``i`` (and what it holds) under ``path``; the offset after it."""
    start = i
    c = text[i]
    if c in "\"'":
        i = _string_end(text, i)
    elif c == "[":
        i, index = i + 1, 0
        while True:
            i = _skip(text, i)
            if text[i] == "]":
                i += 1
                break
            i = _value(text, i, (*path, index), keys, values)
            index += 1
            i = _skip(text, i)
            if text[i] == ",":
                i += 1
    elif c == "{":
        i += 1
        while True:
            i = _skip(text, i, newlines=False)
            if text[i] == "}":
                i += 1
                break
            if text[i] == ",":
                i += 1
                continue
            begin = i
            key, i = _key(text, i)
            _register(keys, (*path, *key), begin, len(path))
            i = _skip(text, i, newlines=False) + 1  # past '='
            i = _value(text, _skip(text, i, newlines=False), (*path, *key), keys, values)
    else:
        while i < len(text) and text[i] not in ",]}#\r\n":
            i += 1
        while text[i - 1] in " \t":
            i -= 1
    values.setdefault(path, (start, i))
    return i


def _register(keys: dict, path: tuple, offset: int, known: int = 0) -> None:
    """``path`` starts at ``offset``; so do its parents not seen before (implicit tables)."""
    for depth in range(max(known, 1), len(path) + 1):
        keys.setdefault(path[:depth], offset)


def _scan(text: str) -> tuple[dict, dict]:
    keys: dict = {}
    values: dict = {}
    arrays: dict = {}
    table: tuple = ()
    i, n = 0, len(text)
    while True:
        i = _skip(text, i)
        if i >= n:
            return keys, values
        start = i
        if text[i] == "[":
            double = text.startswith("[[", i)
            key, i = _key(text, i + (2 if double else 1))
            i += 2 if double else 1
            if double:
                arrays[key] = arrays.get(key, -1) + 1
                _register(keys, key, start)
                key = (*key, arrays[key])
            _register(keys, key, start)
            table = key
            continue
        key, i = _key(text, i)
        _register(keys, (*table, *key), start, len(table))
        i = _skip(text, i, newlines=False) + 1  # past '='
        i = _value(text, _skip(text, i, newlines=False), (*table, *key), keys, values)


def unclosed_string(text: str) -> int | None:
    """The offset of the first string that is never closed (outside comments), or None."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "\"'":
            end = _string_end(text, i)
            if end < 0:
                return i
            i = end
        else:
            i += 1
    return None


# --- documents -----------------------------------------------------------------------------------------------


class TomlDoc:
    """A parsed TOML file whose every complaint points at a line and column."""

    def __init__(self, path: Path, error: type[TrustIndexError], text: str | None = None):
        self.path = Path(path)
        self.error_class = error
        text = read_text(self.path, error) if text is None else text
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise self._syntax(text, str(exc)) from None
        except RecursionError:
            raise error("TOML nested too deeply to read", path=self.path) from None
        self.positions = Positions.of(self.path, text)

    def _syntax(self, text: str, message: str) -> TrustIndexError:
        position = _POSITION.search(message)
        line = int(position.group(1)) if position else None
        column = int(position.group(2)) if position else None
        message = _POSITION.sub("", message).strip().rstrip(".")
        opening = unclosed_string(text)
        if opening is not None:
            offset = _offset(text, line, column) if line else len(text)
            if offset is None or offset >= opening:
                where = Positions(None, {}, {}, text, [i for i, c in enumerate(text) if c == "\n"])
                line, column = where.line_column(opening)
                message = f"the string opened here is never closed ({message[:1].lower() + message[1:]})"
                return self.error_class(f"TOML syntax error: {message}", path=self.path, line=line, column=column,
                                        hint="close the quote")  # fmt: skip
        return self.error_class(
            f"TOML syntax error: {message[:1].lower() + message[1:]}", path=self.path, line=line, column=column,
            hint="see https://toml.io for the syntax",
        )  # fmt: skip

    def where(self, table: tuple = (), key=None) -> tuple[int | None, int | None]:
        return self.positions.at(table, key)

    def locate(self, table: tuple = (), key=None) -> tuple:
        """(path, line, column) of ``table.key``: the file and :meth:`where`. A document assembled from several
        files (:class:`trustindex.io.indicators.TableDoc`) names the file each key is in."""
        return (self.path, *self.where(table, key))

    def fail(self, message: str, table: tuple = (), key=None, hint: str | None = None):
        line, column = self.where(table, key)
        raise self.error_class(message, path=self.path, line=line, column=column, hint=hint)

    def fail_at(self, message: str, path: tuple, hint: str | None = None):
        """Raise at the value at ``path`` (an array element, say)."""
        line, column = self.positions.value_at(path)
        raise self.error_class(message, path=self.path, line=line, column=column, hint=hint)

    def table(self, table: tuple[str, ...], allowed=None, required: bool = False) -> dict:
        """The table at ``table`` (empty if absent and not required), its keys checked against ``allowed``."""
        node = self.data
        for depth, part in enumerate(table):
            node = node.get(part, REQUIRED)
            if node is REQUIRED:
                if required:
                    self.fail(f"missing table [{'.'.join(table)}]", table[:depth])
                return {}
            if not isinstance(node, dict):
                self.fail(f"{'.'.join(table[: depth + 1])} must be a table", table[:depth], part)
        if allowed is not None:
            for key in node:
                if key not in allowed:
                    where = f"in [{'.'.join(table)}]" if table else "at the top level"
                    self.fail(f"unknown key {key!r} {where}", table, key, did_you_mean(key, allowed))
        return node

    def get(self, table: tuple[str, ...], key: str, kind: str, default=REQUIRED, low=None, high=None):
        """The value at ``table.key``, checked to be of ``kind`` (str, int, number, bool, pair, strings, ints,
        list) and, for numbers, within [low, high] (numbers: at most ±LARGEST; whole numbers: ±2**53)."""
        node = self.table(table)
        if key not in node:
            if default is REQUIRED:
                where = f"in [{'.'.join(table)}]" if table else "at the top level"
                self.fail(f"missing key {key!r} {where}", table)
            return default
        value = node[key]
        if not is_kind(value, kind):
            self.fail(f"{key} must be {DESCRIBE[kind]}, not {_short(value)}", table, key)
        self.check_range(value, kind, (*table, key), low, high)
        if kind == "number":
            return float(value)
        if kind == "pair":
            return [float(v) for v in value]
        return value

    def check_range(self, value, kind: str, path: tuple, low=None, high=None) -> None:
        """Fail at ``path`` when a number of ``value`` (of ``kind``) lies outside [low, high] or its kind's limit."""
        numbers = value if kind in ("pair", "ints") else [value] if kind in ("number", "int") else []
        for number in numbers:
            limit = LARGEST_INTEGER if isinstance(number, int) and kind in ("int", "ints") else LARGEST
            name = path[-1]
            if abs(number) > limit:
                self.fail(f"{name}: {shown(number)} is too large (at most ±{shown(float(limit))})", path[:-1], name)
            if (low is not None and number < low) or (high is not None and number > high):
                self.fail(f"{name} must {_span(low, high)}, not {shown(number)}", path[:-1], name)


def _span(low, high) -> str:
    if high is None:
        return f"be {shown(low)} or more"
    if low is None:
        return f"be {shown(high)} or less"
    return f"lie in [{shown(low)}, {shown(high)}]"


def _offset(text: str, line: int, column: int) -> int | None:
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    return start + column - 1


def _short(value) -> str:
    text = repr(value) if not isinstance(value, int) else shown(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


DESCRIBE = {
    "str": "a string",
    "int": "an integer",
    "number": "a finite number",
    "bool": "true or false",
    "pair": "a pair of numbers [low, high]",
    "strings": "a list of strings",
    "ints": "a list of whole numbers",
    "list": "a list",
}


def is_kind(value, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return _number(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "pair":
        return isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value)
    if kind == "list":
        return isinstance(value, list)
    if kind == "ints":
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise ValueError(kind)
