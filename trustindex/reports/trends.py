"""The report of ``trustindex trends``."""

from __future__ import annotations

from ..render import Column, json_text, machine, render_table
from .common import document, notice_lines


def _nodes(result, trend, level: str) -> list[str]:
    framework = result.framework
    return [n for n in trend.nodes[1:] if level == "indicator" or framework.level(n) in ("pillar", "sub-pillar")]


def _order(trend) -> list[int]:
    """Entities by change, the largest rise first (no change last)."""
    change = trend.change
    return sorted(range(len(trend.entities)), key=lambda e: -change[e] if change[e] == change[e] else float("inf"))


def trends_table(result, trend, level: str = "pillar") -> tuple[list[str], list[dict]]:
    """One row per entity, the largest rise first: ``entity``, ``name``, the score of each year (``YYYY``), the
    rank of each year (``rank_YYYY``), ``change`` and each node's share of it (the node's id): the CSV of
    ``trends``."""
    nodes = _nodes(result, trend, level)
    keys = ["entity", "name", *map(str, trend.years), *(f"rank_{y}" for y in trend.years), "change", *nodes]
    rows = []
    for e in _order(trend):
        row = {"entity": trend.entities[e], "name": trend.names[e], "change": trend.change[e]}
        row.update({str(y): trend.scores[k, e] for k, y in enumerate(trend.years)})
        row.update({f"rank_{y}": trend.ranks[k, e] for k, y in enumerate(trend.years)})
        row.update({n: trend.contributions[e, trend.nodes.index(n)] for n in nodes})
        rows.append(row)
    return keys, rows


def trends_report(result, trend, fmt: str, level: str = "pillar") -> str:
    """Each entity's score per year, its rank in the first and last year, the change and its split."""
    framework = result.framework
    nodes = _nodes(result, trend, level)
    first, last = trend.years[0], trend.years[-1]
    if fmt == "json":
        doc = document(result, "trends")
        doc["years"] = list(trend.years)
        doc["entities"] = [
            {
                "entity": trend.entities[e],
                "name": trend.names[e],
                "scores": {str(y): machine(trend.scores[k, e]) for k, y in enumerate(trend.years)},
                "ranks": {str(y): machine(trend.ranks[k, e]) for k, y in enumerate(trend.years)},
                "change": machine(trend.change[e]),
                "contributions": {n: machine(trend.contributions[e, j]) for n, j in
                                  ((n, trend.nodes.index(n)) for n in trend.nodes[1:])},
            }
            for e in _order(trend)
        ]  # fmt: skip
        doc["notices"] = [{"kind": n.kind, "message": n.message, "node": n.node, "entities": list(n.entities)}
                          for n in (*trend.notices, *result.notices)]  # fmt: skip
        return json_text(doc)
    notes = [f"Notice: {(framework.label(n.node) + ': ') if n.node else ''}{n.message}" for n in trend.notices]
    keys, rows = trends_table(result, trend, level)
    if fmt == "csv":
        kinds = {"entity": "text", "name": "text"} | {f"rank_{y}": "rank" for y in trend.years}
        columns = [Column(k, k, kinds.get(k, "score")) for k in keys]
        return render_table(fmt, columns, rows, notes + notice_lines(result))
    table = [Column("name", "Entity")]
    table += [Column(str(y), str(y), "score") for y in trend.years]
    table += [Column("ranks", f"Rank {first}→{last}"), Column("change", "Change", "score")]
    table += [Column(n, f"Δ {framework.label(n)}", "score") for n in nodes]
    for row in rows:
        a, b = row[f"rank_{first}"], row[f"rank_{last}"]
        row["ranks"] = f"{a:g} → {b:g}" if a == a and b == b else "–"
    footer = [f"Dataset: {result.dataset.title or result.dataset.name} · weights: {result.weights.name} · the Δ "
              f"columns split each change from {first} to {last} exactly (they sum to it)"]  # fmt: skip
    return render_table(fmt, table, rows, footer + notes + notice_lines(result))
