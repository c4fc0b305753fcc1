"""The report of ``trustindex score``."""

from __future__ import annotations

from ..render import Column, json_text, machine, render_table
from .common import document, notice_lines


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
        doc = document(result, "score")
        doc["nodes"] = [
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
        doc["entities"] = [
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
        doc["notices"] = [
            {"kind": n.kind, "message": n.message, "node": n.node, "entities": list(n.entities)} for n in result.notices
        ]
        return json_text(doc)
    table = [Column("rank", "Rank", "rank"), Column("id", "ID", long="spare"), Column("name", "Entity")]
    table += [Column(n, framework.label(n) if fmt != "csv" else n, "score") for n in shown]
    rows = []
    for i in order:
        row = {"rank": rank[i], "id": result.entities[i], "name": result.dataset.names[i]}
        row.update({n: result.scores[i, j] for n, j in columns.items()})
        rows.append(row)
    footer = [f"Dataset: {result.dataset.title or result.dataset.name} · weights: {result.weights.name}"]
    return render_table(fmt, table, rows, (footer if fmt != "csv" else []) + notice_lines(result))
