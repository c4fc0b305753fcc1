"""The report of ``trustindex check``: text, Markdown, JSON and GitHub workflow annotations."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

from ..io.files import resolved
from ..render import Column, json_text, markdown_table, text_table
from .common import plain

SEVERITIES = ("error", "warning", "notice")
SHOWN = {"error": 25, "warning": 25, "notice": 5}
"""Findings of one rule listed in text and Markdown before the rest are counted (JSON lists all)."""
MOVES = 10
"""Entities listed per profile in text and Markdown: the largest rank shifts."""


def display(path) -> str:
    """A path relative to the working directory when it lies under it, with forward slashes."""
    if path is None:
        return ""
    path = Path(path)
    with contextlib.suppress(ValueError, OSError):
        path = Path(resolved(path)).relative_to(resolved(Path.cwd()))
    return path.as_posix()


def where(finding) -> str:
    parts = [display(finding.path)] if finding.path else []
    if finding.path and finding.line is not None:
        parts.append(str(finding.line))
        if finding.column is not None:
            parts.append(str(finding.column))
    return ":".join(parts)


def closing(report) -> str:
    """``N passed, N failed`` with the count of findings by severity."""
    counts = [(sum(f.severity == s for f in report.findings), s) for s in SEVERITIES]
    tally = ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for n, s in counts)
    return f"{report.passed} passed, {report.failed} failed ({tally}; failing on {report.fail_on})"


def _ordered(findings):
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), display(f.path), f.line or 0, f.column or 0))


def _capped(findings):
    """The findings to list, each rule's list cut at SHOWN: findings, and (rule, count) where the rest was cut."""
    ordered = _ordered(findings)
    total: dict[str, int] = {}
    for f in ordered:
        total[f.rule] = total.get(f.rule, 0) + 1
    out, seen = [], {}
    for f in ordered:
        seen[f.rule] = seen.get(f.rule, 0) + 1
        if seen[f.rule] <= SHOWN[f.severity]:
            out.append(f)
        elif seen[f.rule] == SHOWN[f.severity] + 1:
            out.append((f.rule, total[f.rule] - SHOWN[f.severity]))
    return out


def _rank(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:g}"


def _head(d) -> str:
    what = [f"{d.entities} entities", f"{d.indicators} indicators"] if d.entities else []
    if d.year is not None:
        what.append(f"year {d.year}" + (f" of {d.years[0]}-{d.years[-1]}" if len(d.years) > 1 else ""))
    head = f"{d.name} ({display(d.path)})" + (": " + ", ".join(what) if what else "")
    if d.base is not None:
        head += f"; base {d.base.label}" + (f" (year {d.base_year})" if d.base_year is not None else "")
    return head


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _changes_lines(c) -> list[str]:
    def listed(added, removed):
        parts = [f"+{a}" for a in added] + [f"−{r}" for r in removed]
        return ", ".join(parts[:12]) + (f" and {len(parts) - 12} more" if len(parts) > 12 else "") or "none"

    lines = [f"entities: {listed(c.entities_added, c.entities_removed)}",
             f"indicators: {listed(c.indicators_added, c.indicators_removed)}",
             f"columns: {listed(c.columns_added, c.columns_removed)}"]  # fmt: skip
    if c.years_added or c.years_removed:
        lines.append(f"years: {listed(c.years_added, c.years_removed)}")
    lines.append(f"rows: {c.rows_added} added, {c.rows_removed} removed")
    lines.append(f"cells changed: {c.cells_changed} ({_count(c.revisions, 'revision')}, "
                 f"{_count(c.values_removed, 'value')} removed)")  # fmt: skip
    return lines


def _signed(value: float, spec: str) -> str | None:
    if math.isnan(value):
        return None
    text = format(value, spec)
    if float(text) == 0:
        return format(0.0, spec)
    return text if text.startswith("-") else "+" + text


def _score_rows(scores) -> list[dict]:
    moves = [m for m in scores.moves if not (math.isnan(m.shift) and math.isnan(m.rank) and math.isnan(m.base_rank))]
    moves.sort(key=lambda m: (-abs(m.shift) if not math.isnan(m.shift) else 1, -abs(m.change) if not
                              math.isnan(m.change) else 0, m.entity))  # fmt: skip
    return [{"entity": m.entity, "name": m.name, "base_rank": m.base_rank, "rank": m.rank,
             "shift": _signed(m.shift, "g"), "base_score": m.base_score, "score": m.score,
             "change": _signed(m.change, ".1f")} for m in moves[:MOVES]]  # fmt: skip


SCORE_COLUMNS = [Column("entity", "ID", long="keep"), Column("name", "Entity"),
                 Column("base_rank", "Base rank", "rank"),
                 Column("rank", "Rank", "rank"), Column("shift", "Shift"),
                 Column("base_score", "Base score", "score"), Column("score", "Score", "score"),
                 Column("change", "Change")]  # fmt: skip


def _score_summary(s) -> str:
    years = f" ({s.base_year} → {s.year})" if s.year is not None and s.base_year != s.year else ""
    parts = []
    if (m := s.largest_shift()) is not None:
        parts.append(f"largest rank shift {m.entity} {m.name} {_rank(m.base_rank)} → {_rank(m.rank)} "
                     f"({_signed(m.shift, 'g')})" if m.shift else "no rank changed")  # fmt: skip
    if (m := s.largest_change()) is not None:
        parts.append(f"largest score change {m.entity} {m.name} {m.base_score:.1f} → {m.score:.1f} "
                     f"({_signed(m.change, '.1f')})" if abs(m.change) > 5e-10 else "no score changed")  # fmt: skip
    if s.top != s.base_top:
        parts.append(f"top: {', '.join(s.base_top)} → {', '.join(s.top)}")
    text = f"Scores under {s.profile}{years}: " + ("; ".join(parts) or "no entity in common")
    return text + (f". Note: {s.note}" if s.note else "")


def _gate_lines(d) -> list[str]:
    lines = []
    if d.audit_profile:
        lines.append(f"Audit gates under {d.audit_profile}" + (f"; profiles compared: {', '.join(d.profiles)}"
                                                                  if d.profiles else ""))  # fmt: skip
    if d.uncertainty is not None:
        u = d.uncertainty
        lines.append(f"Uncertainty gate under {u.profile}: {u.runs} runs, seed {u.seed}: {len(u.outside)} nominal "
                     "ranks outside their 90% interval")  # fmt: skip
    return lines


def _text(report) -> str:
    out = []
    if report.base:
        out.append(f"trustindex check against {report.base} ({report.base_kind})\n")
    for d in report.datasets:
        out.append(f"== {_head(d)}")
        for f in _capped(d.findings):
            if isinstance(f, tuple):
                out.append(f"... and {f[1]} more [{f[0]}] (-f json lists all)")
            else:
                out.append(f"{where(f) + ': ' if where(f) else ''}{f.severity}: {f.message} [{f.rule}]")
        out += [f"Note: {n}" for n in d.notes]
        if d.changes is not None:
            out.append(f"Changes against {d.base.label}:")
            out += [f"  {line}" for line in _changes_lines(d.changes)]
        for s in d.scores:
            out.append(_score_summary(s))
            rows = _score_rows(s)
            if rows:
                out.append(text_table(SCORE_COLUMNS, rows).rstrip("\n"))
        out += _gate_lines(d)
        failed = d.failed(report.fail_on)
        out.append(f"{len(d.ran) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed
                                                                                else "") + "\n")  # fmt: skip
    out.append(closing(report))
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(report) -> str:
    """The report in Markdown (also what goes to ``$GITHUB_STEP_SUMMARY``)."""
    failed = report.failed
    out = [f"# trustindex check {'✅' if not failed and report.exit_code == 0 else '❌'}", ""]
    if report.base:
        out += [f"Against `{report.base}` ({report.base_kind}); failing on {report.fail_on}.", ""]
    for d in report.datasets:
        out += [f"## {_head(d)}", ""]
        listed = _capped(d.findings)
        if listed:
            columns = [Column("severity", "Severity"), Column("rule", "Rule"), Column("where", "Where"),
                       Column("message", "Finding")]  # fmt: skip
            rows = [{"severity": "", "rule": f[0], "where": "", "message": f"… and {f[1]} more (`-f json` lists all)"}
                    if isinstance(f, tuple) else {"severity": f.severity, "rule": f.rule,
                    "where": f"`{where(f)}`" if where(f) else "", "message": f.message} for f in listed]  # fmt: skip
            out.append(markdown_table(columns, rows).rstrip("\n"))
            out.append("")
        else:
            out += ["No findings.", ""]
        out += [f"- Note: {_cell(n)}" for n in d.notes] + ([""] if d.notes else [])
        if d.changes is not None:
            out += [f"**Changes against `{d.base.label}`**", ""]
            out += [f"- {line}" for line in _changes_lines(d.changes)] + [""]
        for s in d.scores:
            out += [_score_summary(s), ""]
            rows = _score_rows(s)
            if rows:
                out += [markdown_table(SCORE_COLUMNS, rows).rstrip("\n"), ""]
        out += [f"- {line}" for line in _gate_lines(d)] + ([""] if _gate_lines(d) else [])
        failed_rules = d.failed(report.fail_on)
        out += [f"{len(d.ran) - len(failed_rules)} passed, {len(failed_rules)} failed" +
                (f": {', '.join(f'`{r}`' for r in failed_rules)}" if failed_rules else ""), ""]  # fmt: skip
    out.append(f"**{closing(report)}**")
    return "\n".join(out) + "\n"


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding, dataset: str) -> str:
    """``::error file=…,line=…,col=…,title=…::message`` for one finding."""
    props = []
    if finding.path is not None:
        props.append(("file", display(finding.path)))
        if finding.line is not None:
            props.append(("line", str(finding.line)))
            if finding.column is not None:
                props.append(("col", str(finding.column)))
    props.append(("title", f"trustindex check: {finding.rule} ({dataset})"))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{finding.severity} {head}::{escape_data(finding.message)}"


def github(report) -> str:
    """Annotations for the errors and warnings (notices are in the step summary), then the closing line."""
    out = []
    notices = 0
    for d in report.datasets:
        for f in _ordered(d.findings):
            if f.severity == "notice":
                notices += 1
                continue
            out.append(annotation(f, d.name))
    if notices:
        out.append(f"{notices} notice{'' if notices == 1 else 's'} not annotated: see the step summary or -f text")
    out.append(closing(report))
    return "\n".join(out) + "\n"


def _json(report) -> str:
    from .. import __version__

    datasets = []
    for d in report.datasets:
        failed = d.failed(report.fail_on)
        datasets.append({
            "name": d.name, "path": display(d.path), "title": d.title, "digest": d.digest, "year": d.year,
            "years": list(d.years), "entities": d.entities, "indicators": d.indicators, "unreadable": d.unreadable,
            "base": None if d.base is None else {"label": d.base.label, "kind": d.base.kind, "year": d.base_year,
                                                 "digest": d.base_digest or None, "note": d.base.note or None},
            "checks": {"passed": [r for r in d.ran if r not in failed], "failed": failed},
            "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message, "file": display(f.path) or None,
                          "line": f.line, "column": f.column, "entity": f.entity, "node": f.node,
                          "values": plain(dict(f.values))} for f in _ordered(d.findings)],
            "changes": plain(d.changes),
            "scores": [dict(plain(s), moves=[dict(plain(m), shift=plain(m.shift), change=plain(m.change))
                                             for m in s.moves]) for s in d.scores],
            "profiles": list(d.profiles), "audit_profile": d.audit_profile,
            "uncertainty": plain(d.uncertainty), "notes": list(d.notes),
        })  # fmt: skip
    seed = report.rules.seed if any(d.uncertainty is not None for d in report.datasets) else None
    doc = {
        "tool": "trustindex", "version": __version__, "command": "check", "fail_on": report.fail_on,
        "base": None if report.base is None else {"label": report.base, "kind": report.base_kind},
        "rules": display(report.rules.path) or None, "seed": seed, "datasets": datasets,
        "summary": {"passed": report.passed, "failed": report.failed,
                    **{s: sum(f.severity == s for f in report.findings) for s in SEVERITIES}},
        "exit_code": int(report.exit_code),
    }  # fmt: skip
    return json_text(doc)


def check_report(report, fmt: str) -> str:
    """The report in ``fmt``: text, markdown, json or github."""
    if fmt == "json":
        return _json(report)
    if fmt == "markdown":
        return markdown(report)
    if fmt == "github":
        return github(report)
    return _text(report)
