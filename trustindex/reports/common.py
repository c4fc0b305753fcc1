"""Pieces every report shares: the provenance block of JSON outputs, the notice lines, and :class:`TableView`.

A report is built in two steps: a *view* (frozen values: headings, sentences, a table's columns and rows,
its footer) says what is shown and in which words; a front end then formats the view — the CLI as text,
Markdown or CSV (:func:`trustindex.render.render_table`), the TUI as widgets. Both read the same view, so
their wording cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..render import Column, human, render_table
from ..tidy import document, plain


@dataclass(frozen=True, eq=False)
class TableView:
    """A table as both front ends show it: columns (key, header, kind), rows (key → value) and a footer."""

    columns: tuple[Column, ...]
    rows: tuple[Mapping, ...]
    footer: tuple[str, ...] = ()

    def text(self, fmt: str) -> str:
        """The table in ``table``, ``csv`` or ``markdown`` (see :func:`~trustindex.render.render_table`)."""
        return render_table(fmt, list(self.columns), list(self.rows), list(self.footer))

    def cells(self, row: Mapping) -> list[str]:
        """One row's cells as people read them (the ``table`` format's cells)."""
        return [human(row.get(c.key), c.kind) for c in self.columns]

    def line(self, row: Mapping, skip: tuple[str, ...] = ()) -> str:
        """One row as ``Header value · Header value`` (for a one-line summary of an entity, say)."""
        return " · ".join(f"{c.header} {cell}" for c, cell in zip(self.columns, self.cells(row), strict=True)
                          if c.key not in skip and cell)  # fmt: skip


__all__ = ["document", "notice_lines", "plain"]


def notice_lines(result, notices=None) -> list[str]:
    """One line per notice (``notices`` defaults to all of the result's), naming at most five entities."""
    names = dict(zip(result.dataset.entities, result.dataset.names, strict=True))
    names.update(zip(result.screened, result.screened_names, strict=True))
    lines = []
    for notice in result.notices if notices is None else notices:
        where = f"{result.framework.label(notice.node)}: " if notice.node else ""
        who = ""
        if notice.entities:
            shown = [names[e] for e in notice.entities[:5]]
            more = len(notice.entities) - len(shown)
            who = " (" + ", ".join(shown) + (f" and {more} more" if more else "") + ")"
        lines.append(f"{'Note' if notice.kind == 'dataset' else 'Notice'}: {where}{notice.message}{who}")
    return lines
