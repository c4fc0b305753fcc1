"""Writers shared by every command: aligned text tables, CSV, Markdown and JSON."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from dataclasses import dataclass

FORMATS = ("table", "csv", "json", "markdown")
MISSING = "n/a"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"
    """text, score (one decimal in tables), rank (integer unless fractional) or int."""


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
        return MISSING
    if kind == "score":
        return f"{value:.1f}"
    if kind in ("rank", "int"):
        return f"{value:g}" if value != int(value) else str(int(value))
    return str(value)


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
    sizes = [max([width(c.header)] + [width(r[j]) for r in cells]) for j, c in enumerate(columns)]
    lines = ["  ".join(_pad(c.header, sizes[j], right[j]) for j, c in enumerate(columns)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(_pad(r[j], sizes[j], right[j]) for j in range(len(columns))).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


def markdown_table(columns: list[Column], rows: list[dict]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

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
    if fmt == "markdown":
        body = markdown_table(columns, rows)
        return body + ("\n" + "\n".join(f"- {line}" for line in footer) + "\n" if footer else "")
    body = text_table(columns, rows)
    return body + ("\n" + "\n".join(footer) + "\n" if footer else "")


def _document(result, command: str) -> dict:
    """The provenance block every JSON output starts with."""
    from . import __version__

    dataset, weights = result.dataset, result.weights
    return {
        "tool": "trustindex",
        "version": __version__,
        "command": command,
        "dataset": {
            "name": dataset.name,
            "title": dataset.title,
            "digest": dataset.digest,
            "licence": dataset.licence,
            "illustrative": dataset.illustrative,
            "year": dataset.year,
        },
        "weights": {"name": weights.name, "digest": weights.digest},
        "seed": None,
    }


def _notice_lines(result) -> list[str]:
    names = dict(zip(result.dataset.entities, result.dataset.names, strict=True))
    lines = []
    for notice in result.notices:
        where = f"{result.framework.label(notice.node)}: " if notice.node else ""
        who = ""
        if notice.entities:
            shown = [names[e] for e in notice.entities[:5]]
            more = len(notice.entities) - len(shown)
            who = " (" + ", ".join(shown) + (f" and {more} more" if more else "") + ")"
        lines.append(f"{'Note' if notice.kind == 'dataset' else 'Notice'}: {where}{notice.message}{who}")
    return lines


def score_report(result, fmt: str, level: str = "pillar", top: int | None = None) -> str:
    """The ranking of ``score``: rank, entity, index and the nodes down to ``level``."""
    framework = result.framework
    shown = [n for n in result.nodes if level == "indicator" or framework.level(n) in ("index", "pillar", "sub-pillar")]
    if level == "index":
        shown = shown[:1]
    order = result.order()
    rank = result.rank(result.nodes[0])
    if top is not None:
        order = [i for i in order if rank[i] <= top]
    columns = {n: result.column(n) for n in shown}
    if fmt == "json":
        document = _document(result, "score")
        document["nodes"] = [
            {
                "id": n,
                "label": framework.label(n),
                "level": framework.level(n),
                "parent": framework.parent(n),
                "share": result.shares[columns[n]],
            }
            for n in shown
        ]
        ranks = {n: result.rank(n) for n in shown}
        document["entities"] = [
            {
                "id": result.entities[i],
                "name": result.dataset.names[i],
                "rank": machine(rank[i]),
                "score": machine(result.scores[i, 0]),
                "scores": {n: machine(result.scores[i, j]) for n, j in columns.items()},
                "ranks": {n: machine(ranks[n][i]) for n in shown},
                "coverage": {n: machine(result.coverage[i, j]) for n, j in columns.items()},
            }
            for i in order
        ]
        document["notices"] = [
            {"kind": n.kind, "message": n.message, "node": n.node, "entities": list(n.entities)} for n in result.notices
        ]
        return json_text(document)
    table = [Column("rank", "Rank", "rank"), Column("id", "ID"), Column("name", "Entity")]
    table += [Column(n, framework.label(n) if fmt != "csv" else n, "score") for n in shown]
    rows = []
    for i in order:
        row = {"rank": rank[i], "id": result.entities[i], "name": result.dataset.names[i]}
        row.update({n: result.scores[i, j] for n, j in columns.items()})
        rows.append(row)
    if fmt == "csv":
        return csv_table(table, rows)
    footer = [f"Dataset: {result.dataset.title or result.dataset.name} · weights: {result.weights.name}"]
    return render_table(fmt, table, rows, footer + _notice_lines(result))
