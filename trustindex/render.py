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
        return "" if kind == "text" else MISSING
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


def _span(years) -> str:
    return "" if not years else (str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}")


def datasets_report(datasets, fmt: str) -> str:
    """One line per dataset: size, years, licence and description."""
    rows = [
        {
            "name": d.name,
            "entities": len(d.entities),
            "indicators": len(d.framework.indicators),
            "years": _span(d.years),
            "licence": d.licence,
            "description": d.description,
        }
        for d in datasets
    ]
    if fmt == "json":
        return json_text(
            {"datasets": [dict(r, years=list(d.years), title=d.title) for r, d in zip(rows, datasets, strict=True)]}
        )
    columns = [
        Column("name", "Dataset"),
        Column("entities", "Entities", "int"),
        Column("indicators", "Indicators", "int"),
        Column("years", "Years"),
        Column("licence", "Licence"),
        Column("description", "Description"),
    ]
    return render_table(fmt, columns, rows)


def _tree(framework):
    """(node id, depth) in depth-first order from the index."""

    def walk(node: str, depth: int):
        yield node, depth
        for child in framework.children(node):
            yield from walk(child, depth + 1)

    return list(walk(framework.index.id, 0))


def framework_report(dataset, fmt: str) -> str:
    """The framework tree with, per indicator, direction, unit, goalposts, source, year and formula."""
    framework = dataset.framework
    indicators = {i.id: i for i in framework.indicators}
    rows = []
    for node, depth in _tree(framework):
        row = {"id": node, "level": framework.level(node), "label": framework.label(node), "depth": depth}
        indicator = indicators.get(node)
        if indicator is not None:
            row.update(
                direction="higher" if indicator.direction > 0 else "lower",
                unit=indicator.unit,
                goalposts=list(indicator.goalposts) if indicator.goalposts else None,
                target=indicator.target,
                source=indicator.source,
                year=indicator.year,
                formula=indicator.formula,
            )
        elif not framework.indicators_under(node):
            row["source"] = "no indicators: left out of the index"
        rows.append(row)
    if fmt == "json":
        document = {
            "dataset": {
                "name": dataset.name,
                "title": dataset.title,
                "description": dataset.description,
                "licence": dataset.licence,
                "attribution": dataset.attribution,
                "notice": dataset.notice,
                "years": list(dataset.years),
                "digest": dataset.digest,
            },
            "nodes": rows,
            "columns": [
                {
                    "name": c.name,
                    "label": c.label,
                    "unit": c.unit,
                    "source": c.source,
                    "kind": c.kind,
                    "years": list(c.years) if c.years else None,
                    "absent": c.absent,
                    "absent_note": c.absent_note,
                    "standard_error_of": c.standard_error_of,
                }
                for c in dataset.columns
            ],
        }
        return json_text(document)
    for row in rows:
        if fmt != "csv":
            row["label"] = "  " * row["depth"] + row["label"]
        if row.get("goalposts"):
            row["goalposts"] = f"{row['goalposts'][0]:g}–{row['goalposts'][1]:g}"
    columns = [
        Column("label", "Node"),
        Column("id", "ID"),
        Column("direction", "Better"),
        Column("unit", "Unit"),
        Column("goalposts", "Goalposts"),
        Column("year", "Year", "int"),
        Column("source", "Source"),
        Column("formula", "Formula"),
    ]
    if fmt == "csv":
        columns.insert(1, Column("level", "level"))
    header = [dataset.title or dataset.name, dataset.description, f"Licence: {dataset.licence}"]
    if dataset.years:
        header.append(f"Years: {_span(dataset.years)}")
    footer = [line for line in header[1:] if line] + (
        [f"Attribution: {dataset.attribution}"] if dataset.attribution else []
    )
    footer += [f"Note: {dataset.notice}"] if dataset.notice else []
    text = render_table(fmt, columns, rows, footer)
    if fmt == "csv" or not dataset.columns:
        return text
    published = [
        {
            "name": c.name,
            "label": c.label,
            "unit": c.unit,
            "years": f"{c.years[0]}–{c.years[1]}" if c.years else "",
            "absent": "" if c.absent is None else f"{c.absent:g}",
            "note": c.absent_note or (f"standard error of {c.standard_error_of}" if c.standard_error_of else ""),
        }
        for c in dataset.columns
    ]
    table = [Column("name", "Column"), Column("label", "Label"), Column("unit", "Unit"), Column("years", "Exists"),
             Column("absent", "When absent"), Column("note", "Note")]  # fmt: skip
    title = "Published columns (formula inputs and metadata):"
    return text + "\n" + ("## " if fmt == "markdown" else "") + title + "\n\n" + render_table(fmt, table, published)
