"""Writers shared by every command: aligned text tables, CSV, Markdown and JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
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
    columns = [Column(c.key, visible(c.header), c.kind) for c in columns]
    sizes = [max([width(c.header)] + [width(r[j]) for r in cells]) for j, c in enumerate(columns)]
    lines = ["  ".join(_pad(c.header, sizes[j], right[j]) for j, c in enumerate(columns)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(_pad(r[j], sizes[j], right[j]) for j in range(len(columns))).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


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
    """A table in ``table``, ``csv`` or ``markdown``; the footer follows tables, as a list in Markdown."""
    if fmt == "csv":
        return csv_table(columns, rows)
    footer = ["\n".join(visible(part) for part in line.split("\n")) for line in footer]  # lines of its own stay
    if fmt == "markdown":
        body = markdown_table(columns, rows)
        return body + ("\n" + "\n".join(f"- {line}" for line in footer) + "\n" if footer else "")
    body = text_table(columns, rows)
    return body + ("\n" + "\n".join(footer) + "\n" if footer else "")
