"""The report of ``trustindex score``."""

from __future__ import annotations

from ..render import Column, json_text, render_table
from ..tidy import score_document, score_rows
from .common import notice_lines


def score_report(result, fmt: str, level: str = "pillar", top: int | None = None) -> str:
    """The ranking of ``score``: rank, entity, index and the nodes down to ``level``."""
    if fmt == "json":
        return json_text(score_document(result, level, top))
    keys, rows = score_rows(result, level, top)
    framework = result.framework
    table = [Column("rank", "Rank", "rank"), Column("entity", "ID", long="spare"), Column("name", "Entity")]
    table += [Column(n, framework.label(n) if fmt != "csv" else n, "score") for n in keys[3:]]
    footer = [f"Dataset: {result.dataset.title or result.dataset.name} · weights: {result.weights.name}"]
    return render_table(fmt, table, rows, (footer if fmt != "csv" else []) + notice_lines(result))
