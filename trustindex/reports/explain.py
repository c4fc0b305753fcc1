"""The reports of ``trustindex explain``, ``compare`` and ``importance``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..render import Column, json_text, render_table
from .common import TableView, document, notice_lines, plain


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def _raw(value: float | None) -> str:
    return "" if value is None or math.isnan(value) else f"{value:,.6g}"


def _heading(fmt: str, text: str) -> str:
    return f"## {text}\n\n" if fmt == "markdown" else f"{text}\n\n"


def _decomposition_line(explanation) -> str:
    if explanation.method == "linear":
        return "Contributions are effective weight × score and sum to the index score (arithmetic aggregation)."
    return (
        f"Contributions are exact Shapley values against the {explanation.baseline} entity "
        f"(score {explanation.baseline_score:.1f}) and sum to the score minus that baseline."
    )


@dataclass(frozen=True, eq=False)
class TargetView:
    """What it would take, in the words both front ends show."""

    heading: str
    reached: str
    """``Already there.`` when the target is met, else empty."""
    moves: TableView | None
    """One row per indicator or pillar that reaches the target alone (None when none does)."""
    none_alone: str
    """The sentence shown instead of ``moves`` when nothing reaches the target alone."""
    unreachable: str
    """``Not reachable alone: …`` (empty when every move reaches it, or none does)."""
    combined_head: str
    combined: tuple[str, ...]
    """One line per indicator of the combined change."""
    combined_verdict: str


def target_view(target, label) -> TargetView:
    """The view of :func:`trustindex.targets.what_it_takes`'s answer; ``label`` names a node."""
    goal = f"rank {target.target_rank}" if target.target_rank is not None else f"a score of {target.target_score:g}"
    heading = f"What it would take to reach {goal} (index score {target.target_score:.1f})"
    if target.reached:
        return TargetView(heading, "Already there.", None, "", "", "", (), "")
    moves = (*target.indicators, *target.pillars)
    rows = tuple(
        {
            "node": move.node,
            "label": move.label,
            "level": move.level,
            "change": f"{_number(move.current) or 'missing'} → {_number(move.needed)}",
            "raw": f"{_raw(move.raw_current) or 'missing'} → {_raw(move.raw_needed)} {move.unit}".strip()
            if move.raw_needed is not None
            else "",
            "verified": "yes" if move.verified else "no",
        }
        for move in moves
        if move.reachable
    )
    columns = (Column("label", "Improve alone"), Column("level", "Level"), Column("change", "Score now → needed"),
               Column("raw", "Value now → needed"), Column("verified", "Re-scored"))  # fmt: skip
    unreachable = [m for m in moves if not m.reachable]
    combined_head, combined, verdict = "", (), ""
    if target.combined:
        norm = f"{target.combined_norm:.1f}"
        combined_head = f"Combined, the smallest change (Euclidean norm {norm} points) that reaches it:"
        combined = tuple(
            f"{label(c.node)}: {_number(c.current)} → {_number(c.needed)}"
            + (f" (value {_raw(c.raw_current)} → {_raw(c.raw_needed)})" if c.raw_needed is not None else "")
            for c in target.combined
        )
        verdict = "Re-scored: it reaches the target." if target.combined_verified else f"{target.combined_note}."
    elif target.combined_note:
        verdict = f"Combined: {target.combined_note}."
    return TargetView(
        heading=heading,
        reached="",
        moves=TableView(columns, rows) if rows else None,
        none_alone="" if rows else "No single indicator or pillar can reach it alone.",
        unreachable="Not reachable alone: " + ", ".join(m.label for m in unreachable) + "."
        if unreachable and rows
        else "",
        combined_head=combined_head,
        combined=combined,
        combined_verdict=verdict,
    )


def _target_lines(fmt: str, target, label) -> str:
    view = target_view(target, label)
    text = _heading(fmt, view.heading)
    if view.reached:
        return text + view.reached + "\n"
    text += view.moves.text(fmt) if view.moves is not None else view.none_alone + "\n"
    if view.unreachable:
        text += "\n" + view.unreachable + "\n"
    if view.combined:
        text += "\n" + view.combined_head + "\n" + "\n".join(f"  {line}" for line in view.combined)
        text += "\n" + view.combined_verdict + "\n"
    elif view.combined_verdict:
        text += "\n" + view.combined_verdict + "\n"
    return text


@dataclass(frozen=True, eq=False)
class ExplanationView:
    """An explanation in the words both front ends show."""

    title: str
    summary: str
    parts: TableView
    """One row per node, the index first; each row also holds ``node`` and ``depth`` (for indenting)."""
    method: str
    """How the contributions decompose the score."""
    strengths: str
    weaknesses: str
    notes: tuple[str, ...]
    """``label: note`` for every value that was derived, imputed or treated."""
    notices: tuple[str, ...]


def explanation_view(result, explanation) -> ExplanationView:
    """The view of :func:`trustindex.explain.explain`'s answer for ``result``."""
    framework = result.framework
    title = f"{explanation.name} ({explanation.entity}): rank {explanation.rank:g} of {explanation.ranked}, "
    title += f"{framework.label(framework.index.id)} {explanation.score:.1f}"
    if math.isnan(explanation.rank):
        title = f"{explanation.name} ({explanation.entity}): not ranked"
    rows = []
    for part in explanation.parts:
        source = ", ".join(str(x) for x in (part.source, part.year) if x)
        if part.formula:
            source += f" · formula: {part.formula}"
        rows.append(
            {
                "node": part.node,
                "level": part.level,
                "depth": part.depth,
                "label": part.label,
                "raw": ("missing" if part.missing else _raw(part.raw))
                + (f" → {_raw(part.used)} ({part.how})" if part.how else ""),
                "unit": part.unit,
                "score": part.score,
                "rank": part.rank,
                "weight": part.nominal_weight,
                "effective": part.effective_weight,
                "contribution": part.contribution,
                "source": source,
            }
        )
    columns = (
        Column("label", "Node"), Column("raw", "Value"), Column("unit", "Unit"), Column("score", "Score", "score"),
        Column("rank", "Rank", "rank"), Column("weight", "Weight", "share"), Column("effective", "Effective", "share"),
        Column("contribution", "Contribution", "score"), Column("source", "Source"),
    )  # fmt: skip
    labels = framework.label
    best, worst = (", ".join(map(labels, names)) for names in (explanation.strengths, explanation.weaknesses))
    return ExplanationView(
        title=title,
        summary=explanation.summary,
        parts=TableView(columns, tuple(rows)),
        method=_decomposition_line(explanation),
        strengths=f"Strengths (best ranks): {best or 'none in the better half'}",
        weaknesses=f"Weaknesses (worst ranks): {worst or 'none in the worse half'}",
        notes=tuple(f"{p.label}: {p.note}" for p in explanation.parts if p.note),
        notices=tuple(notice_lines(result, explanation.notices)),
    )


def explain_report(result, explanation, target, fmt: str) -> str:
    """Every node's value, weight and contribution, strengths and weaknesses, what it would take, notices."""
    if fmt == "json":
        doc = document(result, "explain")
        doc["explanation"] = plain(explanation)
        doc["target"] = plain(target)
        return json_text(doc)
    view = explanation_view(result, explanation)
    text = (f"# {view.title}\n\n" if fmt == "markdown" else f"{view.title}\n\n") + view.summary + "\n\n"
    parts = view.parts
    if fmt != "markdown":
        rows = tuple({**row, "label": "  " * row["depth"] + row["label"]} for row in parts.rows)
        parts = TableView(parts.columns, rows)
    text += parts.text(fmt) + "\n" + view.method + "\n\n"
    text += view.strengths + "\n" + view.weaknesses + "\n\n"
    if target is not None:
        text += _target_lines(fmt, target, result.framework.label) + "\n"
    if view.notes:
        text += _heading(fmt, "Where the values come from")
        text += "\n".join(f"- {note}" for note in view.notes) + "\n\n"
    if view.notices:
        text += "\n".join(view.notices) + "\n"
    return text


def compare_report(result, comparison, fmt: str) -> str:
    """Two entities side by side with the gap split into contributions."""
    a, b = comparison.first, comparison.second
    if fmt == "json":
        doc = document(result, "compare")
        doc.update(first=plain(a), second=plain(b), method=comparison.method,
                   gap={n: plain(g) for n, g in zip(comparison.nodes, comparison.gap, strict=True)})  # fmt: skip
        return json_text(doc)
    gap = dict(zip(comparison.nodes, comparison.gap, strict=True))
    rows = []
    for part_a in a.parts:
        part_b = b.part(part_a.node)
        indent = "" if fmt == "markdown" else "  " * part_a.depth
        rows.append({"label": indent + part_a.label, "a": part_a.score, "b": part_b.score,
                     "diff": part_a.score - part_b.score, "gap": gap[part_a.node]})  # fmt: skip
    columns = [Column("label", "Node"), Column("a", a.name, "score"), Column("b", b.name, "score"),
               Column("diff", "Difference", "score"), Column("gap", "Share of the gap", "score")]  # fmt: skip
    head = f"{a.name} ({a.score:.1f}, rank {a.rank:g}) against {b.name} ({b.score:.1f}, rank {b.rank:g})"
    text = (f"# {head}\n\n" if fmt == "markdown" else f"{head}\n\n") + render_table(fmt, columns, rows) + "\n"
    if comparison.method == "linear":
        text += "The shares of the gap are the differences of the contributions; they sum to the score gap.\n"
    else:
        text += f"The shares of the gap are exact Shapley values with {b.name} as the baseline; they sum to the gap.\n"
    return text


def importance_report(result, rows, fmt: str) -> str:
    """Effective against nominal importance, level by level."""
    if fmt == "json":
        doc = document(result, "importance")
        doc["importance"] = plain(rows)
        return json_text(doc)
    table = [{"label": r.label, "level": r.level, "nominal": r.nominal, "r2": r.r2, "eta2": r.eta2, "share": r.share,
              "flag": {"over": "more than its weight", "under": "less than its weight"}.get(r.flag, "")}
             for r in rows]  # fmt: skip
    columns = [Column("label", "Node"), Column("level", "Level"), Column("nominal", "Nominal share", "share"),
               Column("r2", "r²", "share"), Column("eta2", "Correlation ratio", "share"),
               Column("share", "Effective share", "share"), Column("flag", "Counts")]  # fmt: skip
    text = render_table(fmt, columns, table)
    return text + (
        "\nEffective share: each component's first-order effect on the index (correlation ratio) as a share of its "
        "level's total, beside its nominal weight share. Flagged when the two differ by more than a factor of 2.\n"
    )
