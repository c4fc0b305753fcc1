"""Writers shared by every command: aligned text tables, CSV, Markdown and JSON.

On a terminal a table fits its width (:func:`fitted`): headers wrap, long text wraps within its column, and
long citations and formulas move to numbered footnotes under the table (see :attr:`Column.long`); columns
with nothing in them are left out. Piped or
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
    long: str = "wrap"
    """What a long cell becomes when the table must fit a terminal: ``wrap`` (lines within the column),
    ``shorten`` (one line ending in …), ``note`` (a numbered footnote under the table: citations, formulas) or
    ``keep`` (identifiers: narrowed only when nothing else can be) or ``spare`` (left out first, as an ID beside
    the entity's name)."""


_WIDTH: ContextVar[int | None] = ContextVar("width", default=None)
_ASIDE: ContextVar[list | None] = ContextVar("aside", default=None)
NARROWEST = 8
"""The narrowest a text column is wrapped to."""
WORD = 14
"""Words up to this long are kept whole while columns narrow."""


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
    longer than a line, as a run of CJK characters is, after an underscore or hyphen where one fits); leading
    spaces (a tree's indentation) start every line."""
    lead = len(text) - len(text.lstrip(" "))
    if lead and size - lead >= NARROWEST:
        return [" " * lead + line for line in wrap(text[lead:], size - lead)]
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
    """How many characters of ``word`` fit ``room`` cells (at least one), up to the last underscore or hyphen
    that fits if one does."""
    used = 0
    for i, c in enumerate(word):
        used += width(c)
        if used > room:
            joint = max(word.rfind("_", 0, i), word.rfind("-", 0, i))
            return joint + 1 if joint > 0 else max(1, i)
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
    left: list[str] = []
    gap = 2
    if limit is None:
        sizes = [max([width(x) for x in h.split("\n")] + [width(r[j]) for r in cells]) for j, h in enumerate(headers)]
    else:  # two spaces between columns, one when two would leave a column out
        layout = _layout(columns, headers, cells, limit, gap)
        if layout[-1]:
            gap, layout = 1, _layout(columns, headers, cells, limit, 1)
        columns, headers, cells, sizes, notes, left = layout
        right = [c.kind != "text" for c in columns]
    head = [h.split("\n") for h in headers]
    depth = max(len(h) for h in head)
    space = " " * gap
    lines = [space.join(_pad(h[k - depth + len(h)] if k >= depth - len(h) else "", sizes[j], right[j])
                        for j, h in enumerate(head)).rstrip() for k in range(depth)]  # fmt: skip
    lines.append(space.join("-" * s for s in sizes))
    for r in cells:
        parts = [[r[j]] if right[j] or width(r[j]) <= sizes[j] else
                 [shorten(r[j], sizes[j])] if columns[j].long == "shorten" else wrap(r[j], sizes[j])
                 for j in range(len(r))]  # fmt: skip
        for k in range(max(len(p) for p in parts)):
            lines.append(space.join(_pad(p[k] if k < len(p) else "", sizes[j], right[j])
                                    for j, p in enumerate(parts)).rstrip())  # fmt: skip
    if notes or left:
        lines += [""] + [line for k, note in enumerate(notes, 1) for line in wrap(f"[{k}] {note}", limit)]
        lines += wrap(f"Left out to fit {limit} columns: {', '.join(left)}; a wider terminal or -f csv shows every "
                      "column.", limit) if left else []  # fmt: skip
    return "\n".join(lines) + "\n"


def _layout(columns, headers, cells, limit: int, gap: int):
    """The columns, headers, cells and widths of a table fitted to ``limit`` with ``gap`` spaces between
    columns, its footnotes and the headers of the columns left out: long text wraps within its column, and the
    columns that still do not fit are left out."""
    columns, headers, cells, notes, left = _fit(columns, headers, cells, limit, gap)
    sizes = [max([width(x) for x in h.split("\n")] + [width(r[j]) for r in cells]) for j, h in enumerate(headers)]
    sizes = _narrowed(columns, headers, cells, sizes, limit, gap, final=False)
    kept = _fitting(sizes, limit, gap)
    if kept <= max((j for j, c in enumerate(columns) if c.kind == "text"), default=-1):  # a text column too
        sizes = _narrowed(columns, headers, cells, sizes, limit, gap, final=True)
        kept = _fitting(sizes, limit, gap)
    left += [" ".join(h.split()) for h in headers[kept:]]
    return columns[:kept], headers[:kept], [r[:kept] for r in cells], sizes[:kept], notes, left


def _fit(columns, headers, cells, limit, gap):
    """When the table is wider than ``limit``: empty columns left out, headers wrapped to their column's cells,
    then ``note`` columns' long cells moved to footnotes."""

    def total(heads) -> int:
        return sum(max([width(x) for x in h.split("\n")] + [width(r[j]) for r in cells]) for j, h in
                   enumerate(heads)) + gap * (len(heads) - 1)  # fmt: skip

    notes: list[str] = []
    if total(headers) <= limit:
        return columns, headers, cells, notes, []
    keep = [j for j in range(len(columns)) if any(r[j] for r in cells) or not cells]
    columns, headers = [columns[j] for j in keep], [headers[j] for j in keep]
    cells = [[r[j] for j in keep] for r in cells]
    data = [max([width(r[j]) for r in cells], default=0) for j in range(len(columns))]
    headers = ["\n".join(wrap(h, max(data[j], max((width(w) for w in h.split(" ")), default=1), 1)))
               for j, h in enumerate(headers)]  # fmt: skip
    if total(headers) <= limit:
        return columns, headers, cells, notes, []
    for j, column in enumerate(columns):
        if column.long == "note":
            for r in cells:
                if width(r[j]) > NARROWEST:
                    if r[j] not in notes:
                        notes.append(r[j])
                    r[j] = f"[{notes.index(r[j]) + 1}]"
    keep = [j for j, c in enumerate(columns) if c.long != "spare"]
    spare = [" ".join(headers[j].split()) for j in range(len(columns)) if j not in keep]
    if spare and total(headers) > limit:
        columns, headers = [columns[j] for j in keep], [headers[j] for j in keep]
        cells = [[r[j] for j in keep] for r in cells]
    else:
        spare = []
    return columns, headers, cells, notes, spare


def fold(text: str) -> str:
    """``text`` with every line wider than the fitted width (prose: tables already fit) wrapped, its indentation
    kept; unchanged outside :func:`fitted`."""
    limit = _WIDTH.get()
    if limit is None:
        return text
    out = []
    for line in text.split("\n"):
        if width(line) <= limit:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        out += [" " * indent + part for part in wrap(line.strip(" "), max(limit - indent, NARROWEST))]
    return "\n".join(out)


def shorten(text: str, size: int) -> str:
    """``text`` cut to ``size`` terminal cells, ending in … when cut."""
    return text if width(text) <= size else text[: _cut(text, size - 1)] + "…"


def _fitting(sizes: list[int], limit: int, gap: int) -> int:
    """How many leading columns of these widths fit ``limit`` (at least one)."""
    return next(k for k in range(len(sizes), 0, -1) if sum(sizes[:k]) + gap * (k - 1) <= limit or k == 1)


def _narrowed(columns, headers, cells, sizes, limit, gap, final: bool):
    """Column widths within ``limit``, the widest text columns narrowed first: none below its longest word
    (up to WORD) and the identifiers (``keep``) not at all; ``final``: any text column, to NARROWEST."""
    sizes = list(sizes)
    text = [j for j, c in enumerate(columns) if c.kind == "text" and (final or c.long != "keep")]

    def least(j: int) -> int:
        longest = max((width(w) for r in cells for w in r[j].split(" ")), default=1)
        return NARROWEST if final or columns[j].long == "shorten" else min(max(longest, NARROWEST), WORD)

    while sum(sizes) + gap * (len(sizes) - 1) > limit:
        floor = [max(least(j), max((width(x) for x in headers[j].split("\n")), default=1)) for j in text]
        room = [(sizes[j], j) for j, low in zip(text, floor, strict=True) if sizes[j] > low]
        if not room:
            break
        widest, j = max(room)
        excess = sum(sizes) + gap * (len(sizes) - 1) - limit
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
