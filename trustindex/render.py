"""Writers shared by every command: aligned text tables, CSV, Markdown and JSON.

On a terminal a table fits its width (:func:`fitted`): headers wrap, long text wraps within its column, and
long citations and formulas (columns marked ``note``) move to numbered footnotes under the table. Piped or
written to a file, tables keep their full width. In CSV, the lines a table would carry under it (notices,
what was run) are set aside (:func:`fitted`'s ``aside``) for the caller to show elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

FORMATS = ("table", "csv", "json", "markdown")
MISSING = "n/a"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with control characters (an escape sequence in a name, a newline) shown as ``\\xNN``, so that
    data cannot move the cursor, recolour or clear the terminal a table is printed on."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"
    """text, score (one decimal in tables), share (three decimals), number (four significant digits),
    rank (integer unless fractional) or int."""
    note: bool = False
    """Long cells (citations, formulas) become numbered footnotes when the table must fit a terminal."""


_WIDTH: ContextVar[int | None] = ContextVar("width", default=None)
_ASIDE: ContextVar[list | None] = ContextVar("aside", default=None)
NARROWEST = 8
"""The narrowest a text column is wrapped to."""


@contextmanager
def fitted(width: int | None, aside: list | None = None):
    """Within this, tables fit ``width`` terminal cells (None: their full width), and CSV tables put their
    footer lines in ``aside``."""
    tokens = _WIDTH.set(width), _ASIDE.set(aside)
    try:
        yield
    finally:
        _WIDTH.reset(tokens[0])
        _ASIDE.reset(tokens[1])


def wrap(text: str, size: int) -> list[str]:
    """``text`` in lines of at most ``size`` terminal cells, broken at spaces (within a word only when it is
    longer than a line, as a run of CJK characters is)."""
    lines, line = [], ""
    for word in text.split(" "):
        while width(word) > size:  # a word longer than a line: break it where the line ends
            room = size - width(line) - (1 if line else 0)
            if room < 1:
                lines.append(line)
                line, room = "", size
            cut = _cut(word, room)
            line = f"{line} {word[:cut]}" if line else word[:cut]
            word = word[cut:]
            lines.append(line)
            line = ""
        if not line:
            line = word
        elif width(line) + 1 + width(word) <= size:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return [x for x in lines if x] or [""]


def _cut(word: str, room: int) -> int:
    """How many characters of ``word`` fit ``room`` cells (at least one)."""
    used = 0
    for i, c in enumerate(word):
        used += width(c)
        if used > room:
            return max(1, i)
    return len(word)


def width(text: str) -> int:
    """Display width in a terminal: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, size: int, right: bool) -> str:
    fill = " " * (size - width(text))
    return fill + text if right else text + fill


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def human(value, kind: str) -> str:
    """A cell for people: scores to one decimal, ranks as integers, missing as ``n/a``."""
    if _missing(value):
        return "" if kind == "text" else MISSING
    if isinstance(value, str):  # text, or a word in place of a number ("–"), shown as it is, escaped
        return visible(value)
    if kind == "score":
        return f"{value:.1f}"
    if kind == "share":
        return f"{value:.3f}"
    if kind == "number":
        return f"{value:.4g}"
    if kind in ("rank", "int"):
        return f"{value:g}" if value != int(value) else str(int(value))
    return visible(str(value))


def machine(value):
    """A cell for machines: full precision, integers as integers, missing as None."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value) if value == int(value) else value
    return value


def text_table(columns: list[Column], rows: list[dict]) -> str:
    cells = [[human(row.get(c.key), c.kind) for c in columns] for row in rows]
    right = [c.kind != "text" for c in columns]
    headers = [visible(c.header) for c in columns]
    limit = _WIDTH.get()
    notes: list[str] = []
    if limit is not None:
        headers, cells, notes = _fit(columns, headers, cells, limit)
    sizes = [max([width(line) for line in h.split("\n")] + [width(r[j]) for r in cells]) for j, h in enumerate(headers)]
    if limit is not None:  # long text wraps within its column
        sizes = _narrowed(columns, headers, cells, sizes, limit)
    head = [h.split("\n") for h in headers]
    depth = max(len(h) for h in head)
    lines = ["  ".join(_pad(h[k - depth + len(h)] if k >= depth - len(h) else "", sizes[j], right[j])
                       for j, h in enumerate(head)).rstrip() for k in range(depth)]  # fmt: skip
    lines.append("  ".join("-" * s for s in sizes))
    for r in cells:
        parts = [wrap(r[j], sizes[j]) if not right[j] and width(r[j]) > sizes[j] else [r[j]] for j in range(len(r))]
        for k in range(max(len(p) for p in parts)):
            lines.append("  ".join(_pad(p[k] if k < len(p) else "", sizes[j], right[j])
                                   for j, p in enumerate(parts)).rstrip())  # fmt: skip
    if notes:
        lines += [""] + [line for k, note in enumerate(notes, 1) for line in wrap(f"[{k}] {note}", limit)]
    return "\n".join(lines) + "\n"


def _fit(columns, headers, cells, limit):
    """When the table is wider than ``limit``: headers wrapped to their column's cells, then ``note`` columns'
    long cells moved to footnotes."""

    def total(heads) -> int:
        return sum(max([width(x) for x in h.split("\n")] + [width(r[j]) for r in cells]) for j, h in
                   enumerate(heads)) + 2 * (len(heads) - 1)  # fmt: skip

    notes: list[str] = []
    if total(headers) <= limit:
        return headers, cells, notes
    data = [max([width(r[j]) for r in cells], default=0) for j in range(len(columns))]
    headers = ["\n".join(wrap(h, max(data[j], max((width(w) for w in h.split(" ")), default=1), 1)))
               for j, h in enumerate(headers)]  # fmt: skip
    if total(headers) <= limit:
        return headers, cells, notes
    for j, column in enumerate(columns):
        if column.note:
            for r in cells:
                if width(r[j]) > NARROWEST:
                    if r[j] not in notes:
                        notes.append(r[j])
                    r[j] = f"[{notes.index(r[j]) + 1}]"
    return headers, cells, notes


def _narrowed(columns, headers, cells, sizes, limit):
    """Column widths within ``limit``: the widest text columns narrowed first, none below NARROWEST."""
    sizes = list(sizes)
    text = [j for j, c in enumerate(columns) if c.kind == "text"]
    while sum(sizes) + 2 * (len(sizes) - 1) > limit:
        floor = [max(NARROWEST, max((width(x) for x in headers[j].split("\n")), default=1)) for j in text]
        room = [(sizes[j], j) for j, low in zip(text, floor, strict=True) if sizes[j] > low]
        if not room:
            break
        widest, j = max(room)
        excess = sum(sizes) + 2 * (len(sizes) - 1) - limit
        low = floor[text.index(j)]
        second = max([s for s, k in room if k != j], default=low)
        sizes[j] = max(low, widest - excess, min(widest - 1, second))
    return sizes


def markdown_table(columns: list[Column], rows: list[dict]) -> str:
    def cell(text: str) -> str:
        return visible(text.replace("|", "\\|").replace("\n", " "))

    lines = ["| " + " | ".join(cell(c.header) for c in columns) + " |"]
    lines.append("|" + "|".join("---:" if c.kind != "text" else "---" for c in columns) + "|")
    for row in rows:
        lines.append("| " + " | ".join(cell(human(row.get(c.key), c.kind)) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def csv_table(columns: list[Column], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for row in rows:
        writer.writerow(["" if (v := machine(row.get(c.key))) is None else v for c in columns])
    return out.getvalue()


def json_text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def render_table(fmt: str, columns: list[Column], rows: list[dict], footer: list[str] = ()) -> str:
    """A table in ``table``, ``csv`` or ``markdown``; the footer follows tables, as a list in Markdown, and is
    set aside with CSV (see :func:`fitted`)."""
    if fmt == "csv":
        aside = _ASIDE.get()
        if aside is not None:
            aside.extend(footer)
        return csv_table(columns, rows)
    footer = ["\n".join(visible(part) for part in line.split("\n")) for line in footer]  # lines of its own stay
    if fmt == "markdown":
        body = markdown_table(columns, rows)
        return body + ("\n" + "\n".join(f"- {line}" for line in footer) + "\n" if footer else "")
    body = text_table(columns, rows)
    limit = _WIDTH.get()
    if limit is not None:
        footer = ["\n".join(w for part in line.split("\n") for w in wrap(part, limit)) for line in footer]
    return body + ("\n" + "\n".join(footer) + "\n" if footer else "")
