"""Pieces every report shares: the provenance block of JSON outputs and the notice lines."""

from __future__ import annotations

from ..tidy import document, plain

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
