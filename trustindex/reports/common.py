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


def document(result, command: str, seed=None) -> dict:
    """The provenance block every JSON output starts with: the tool, the dataset, the profile and the methods
    in effect (defaults included); ``result`` is a scoring result or an engine."""
    from .. import __version__
    from ..model import methods

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
        "weights": {"name": weights.name, "digest": weights.digest, "methods": methods(weights)},
        "seed": seed,
    }


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


def plain(value):
    """A JSON-ready copy of dataclasses, tuples, arrays and floats (NaN and infinities become null)."""
    import dataclasses
    import math

    import numpy as np

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return (
            None if not math.isfinite(value) else (int(value) if value.is_integer() and abs(value) < 2**53 else value)
        )
    if isinstance(value, np.integer):
        return int(value)
    return value
