"""TOML reading with errors that name the file, line and column of the offending key."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from ..errors import TrustIndexError, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
REQUIRED = object()


def read_text(path: Path, error: type[TrustIndexError]) -> str:
    """The file's text as UTF-8 (a leading BOM is accepted); unreadable or non-UTF-8 files raise ``error``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error("file not found", path=path, hint="check the path or the name") from None
    except IsADirectoryError:
        raise error("is a folder, not a file", path=path) from None
    except OSError as exc:
        raise error(f"cannot read: {exc.strerror}", path=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            path=path,
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def _split_key(header: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in header.split("."))


def locate(path: Path | None, table: tuple[str, ...], key: str | None = None) -> tuple[int | None, int | None]:
    """Line and column (1-based) of ``key`` in ``table`` (or of the table header), best effort."""
    if path is None:
        return None, None
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None, None
    current: tuple[str, ...] = ()
    key_pattern = (
        None if key is None else re.compile(r"^(\s*)(" + re.escape(key) + r"|\"" + re.escape(key) + r"\")\s*[=.]")
    )
    for number, text in enumerate(lines, start=1):
        header = _HEADER.match(text)
        if header:
            current = _split_key(header.group(1))
            if current == table if key is None else current[: len(table) + 1] == (*table, key):
                return number, len(text) - len(text.lstrip()) + 1
            continue
        if key_pattern is not None and current == table:
            match = key_pattern.match(text)
            if match:
                return number, len(match.group(1)) + 1
    return None, None


class TomlDoc:
    """A parsed TOML file whose every complaint points at a line and column."""

    def __init__(self, path: Path, error: type[TrustIndexError]):
        self.path = Path(path)
        self.error_class = error
        text = read_text(self.path, error)
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            position = _POSITION.search(message)
            line = int(position.group(1)) if position else None
            column = int(position.group(2)) if position else None
            message = _POSITION.sub("", message).strip()
            raise error(
                f"TOML syntax error: {message[:1].lower() + message[1:]}",
                path=self.path,
                line=line,
                column=column,
                hint="see https://toml.io for the syntax",
            ) from None

    def fail(self, message: str, table: tuple[str, ...] = (), key: str | None = None, hint: str | None = None):
        line, column = locate(self.path, table, key)
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

    def get(self, table: tuple[str, ...], key: str, kind: str, default=REQUIRED):
        """The value at ``table.key``, checked to be of ``kind``: str, int, number, bool, pair, strings."""
        node = self.table(table)
        if key not in node:
            if default is REQUIRED:
                where = f"in [{'.'.join(table)}]" if table else "at the top level"
                self.fail(f"missing key {key!r} {where}", table)
            return default
        value = node[key]
        if not _is(value, kind):
            self.fail(f"{key} must be {_DESCRIBE[kind]}, not {value!r}", table, key)
        return float(value) if kind == "number" else value


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_DESCRIBE = {
    "str": "a string",
    "int": "an integer",
    "number": "a finite number",
    "bool": "true or false",
    "pair": "a pair of numbers [low, high]",
    "strings": "a list of strings",
    "ints": "a list of whole numbers",
    "list": "a list",
}


def _is(value, kind: str) -> bool:
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
