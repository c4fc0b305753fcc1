"""The report of ``trustindex audit``: findings, indicator statistics, pillar consistency, flagged correlations."""

from __future__ import annotations

import math

from ..render import Column, csv_table, json_text, render_table
from .common import TableView, document, plain

SECTIONS = ("findings", "indicators", "pillars", "correlations", "entities")


def _heading(fmt: str, text: str) -> str:
    return f"## {text}\n\n" if fmt == "markdown" else f"{text}\n\n"


def _rules_line(rules) -> str:
    return (
        f"Rules: outliers when |skewness| > {rules.max_skew:g} and kurtosis > {rules.max_kurtosis:g}; "
        f"Cronbach's alpha >= {rules.min_alpha:g}; within a pillar r > {rules.redundant:g} redundant, "
        f"r < {rules.conflicting:g} conflicting; with the parent r >= {rules.weak:g} and p <= {rules.significance:g}; "
        f"coverage >= {100 * rules.min_coverage:.1f}%."
    )


def audit_summary(report) -> str:
    """``1 error, 2 warnings, 0 notices``."""
    counts = [(report.count(s), s) for s in ("error", "warning", "notice")]
    return ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for n, s in counts)


def findings_view(result, report) -> TableView:
    """The findings, most serious first: severity, rule and the full message, with what each concerns
    (``nodes`` and ``entities`` as ids, ``concerns`` as labels and names) for a front end to point at."""
    names = dict(zip(result.dataset.entities, result.dataset.names, strict=True))
    label = result.framework.label
    rows = []
    for f in report.findings:
        concerns = [label(n) for n in f.nodes] + [names.get(e, e) for e in f.entities[:5]]
        more = len(f.entities) - 5
        rows.append(
            {
                "severity": f.severity,
                "rule": f.rule,
                "message": f.message,
                "nodes": f.nodes,
                "entity_ids": f.entities,
                "entities": ", ".join(names.get(e, e) for e in f.entities[:5]),
                "concerns": ", ".join(concerns) + (f" and {more} more" if more > 0 else ""),
            }
        )
    columns = (Column("severity", "Severity"), Column("rule", "Rule"), Column("message", "Finding"))
    return TableView(columns, tuple(rows))


def _findings(result, report, fmt):
    view = findings_view(result, report)
    columns = list(view.columns)
    if fmt != "csv":
        return columns, list(view.rows)
    rows = [{**row, "nodes": " ".join(row["nodes"]), "entities": " ".join(row["entity_ids"])} for row in view.rows]
    columns[2:2] = [Column("nodes", "nodes"), Column("entities", "entities")]
    return columns, rows


def _indicators(result, report, fmt):
    label = result.framework.label
    rows = [
        {
            "indicator": s.indicator,
            "label": s.label,
            "parent": s.parent if fmt == "csv" else label(s.parent),
            "unit": s.unit,
            "n": s.n,
            "coverage": s.coverage,
            "min": s.min,
            "max": s.max,
            "mean": s.mean,
            "median": s.median,
            "sd": s.sd,
            "skewness": s.skewness,
            "kurtosis": s.kurtosis,
            "zeros": s.zeros,
            "unique": s.unique,
            "outlier": ("true" if s.outlier else "false") if fmt == "csv" else ("yes" if s.outlier else ""),
        }
        for s in report.indicators
    ]
    columns = [
        Column("indicator", "ID"), Column("parent", "Pillar"), Column("n", "n", "int"),
        Column("coverage", "Coverage", "share"), Column("min", "Min", "number"), Column("max", "Max", "number"),
        Column("mean", "Mean", "number"), Column("median", "Median", "number"), Column("sd", "SD", "number"),
        Column("skewness", "Skew", "share"), Column("kurtosis", "Kurt", "share"), Column("zeros", "Zeros", "share"),
        Column("unique", "Unique", "share"), Column("outlier", "Outliers"),
    ]  # fmt: skip
    if fmt == "csv":
        columns[1:1] = [Column("label", "label"), Column("unit", "unit")]
    return columns, rows


def _pillars(result, report, fmt):
    label = result.framework.label
    rows = []
    for p in report.pillars:
        deleted = [(d, c) for d, c in zip(p.alpha_if_deleted, p.components, strict=True) if not math.isnan(d)]
        best = max(deleted, default=None)
        row = {
            "node": p.node,
            "label": p.label,
            "level": p.level,
            "k": len(p.components),
            "n": p.n,
            "alpha": p.alpha,
            "best": "" if best is None or not best[0] > p.alpha else f"{label(best[1])}: {best[0]:.3f}",
            "first_component": p.first_component,
            "above_one": p.above_one,
        }
        if fmt == "csv":
            row["best_deletion"] = "" if best is None else best[1]  # the best one, even when it lowers alpha
            row["alpha_without_best"] = None if best is None else best[0]
        rows.append(row)
    columns = [
        Column("label" if fmt != "csv" else "node", "Node" if fmt != "csv" else "node"), Column("level", "Level"),
        Column("k", "Components", "int"), Column("n", "n", "int"), Column("alpha", "Alpha", "share"),
        Column("best", "Deleting raises alpha"), Column("first_component", "PC1 share", "share"),
        Column("above_one", "Eigenvalues > 1", "int"),
    ]  # fmt: skip
    if fmt == "csv":
        columns[5] = Column("best_deletion", "best_deletion")
        columns.insert(6, Column("alpha_without_best", "alpha_without_best", "share"))
    return columns, rows


def _correlations(result, report, fmt, flagged_only: bool):
    label = result.framework.label
    shown = report.flagged() if flagged_only else report.correlations
    rows = [
        {
            "kind": c.kind,
            "first": c.first if fmt == "csv" else label(c.first),
            "second": c.second if fmt == "csv" else label(c.second),
            "n": c.n,
            "pearson": c.pearson,
            "pearson_p": c.pearson_p,
            "spearman": c.spearman,
            "spearman_p": c.spearman_p,
            "flags": " ".join(c.flags) if fmt == "csv" else ", ".join(c.flags),
        }
        for c in shown
    ]
    columns = [
        Column("kind", "Kind"), Column("first", "First"), Column("second", "Second"), Column("n", "n", "int"),
        Column("pearson", "Pearson r", "share"), Column("pearson_p", "p", "number"),
        Column("spearman", "Spearman rho", "share"), Column("spearman_p", "p", "number"), Column("flags", "Flags"),
    ]  # fmt: skip
    if fmt == "csv":
        columns[5] = Column("pearson_p", "pearson_p", "number")
        columns[7] = Column("spearman_p", "spearman_p", "number")
    return columns, rows


def _entities(result, report, fmt):
    rows = [
        {"entity": e.entity, "name": e.name, "available": e.available, "coverage": e.coverage,
         "below": ("true" if e.below else "false") if fmt == "csv" else ("below" if e.below else "")}
        for e in sorted(report.entities, key=lambda e: (e.coverage, e.entity))
    ]  # fmt: skip
    columns = [Column("entity", "ID", long="keep"), Column("name", "Entity"), Column("available", "Indicators", "int"),
               Column("coverage", "Coverage", "share"), Column("below", "Below minimum")]  # fmt: skip
    return columns, rows


def _section(result, report, section: str):
    if section == "correlations":
        return _correlations(result, report, "csv", flagged_only=False)
    return {"findings": _findings, "indicators": _indicators, "pillars": _pillars,
            "entities": _entities}[section](result, report, "csv")  # fmt: skip


def audit_table(result, report, section: str = "findings") -> tuple[list[str], list[dict]]:
    """The rows of one section (findings, indicators, pillars, correlations, entities): the CSV of ``audit``."""
    columns, rows = _section(result, report, section)
    return [c.key for c in columns], rows


def audit_report(result, report, fmt: str, only: str | None = None) -> str:
    """The audit in ``fmt``; ``only`` restricts it to one section (CSV holds one: the findings by default)."""
    if fmt == "json":
        doc = document(result, "audit")
        doc["thresholds"] = plain(report.thresholds)
        doc["summary"] = {s: report.count(s) for s in ("error", "warning", "notice")}
        sections = {
            "findings": [dict(plain(f), values=plain(dict(f.values))) for f in report.findings],
            "indicators": plain(report.indicators),
            "pillars": plain(report.pillars),
            "correlations": plain(report.correlations),
            "entities": plain(report.entities),
        }
        doc.update({k: v for k, v in sections.items() if only in (None, k)})
        return json_text(doc)
    if fmt == "csv":
        columns, rows = _section(result, report, only or "findings")
        return csv_table(columns, rows)

    dataset = result.dataset
    title = f"Audit of {dataset.title or dataset.name} · weights: {result.weights.name}"
    text = f"# {title}\n\n" if fmt == "markdown" else f"{title}\n\n"
    small = [f for f in report.findings if f.rule == "small-n"]
    text += "".join(f"Notice: {f.message[:1].upper()}{f.message[1:]}.\n\n" for f in small)
    text += _rules_line(report.thresholds) + "\n"
    text += f"{audit_summary(report)}.\n\n"
    parts = []
    if only in (None, "findings"):
        columns, rows = _findings(result, report, fmt)
        body = render_table(fmt, columns, rows) if rows else "No findings.\n"
        parts.append(_heading(fmt, f"Findings ({audit_summary(report)})") + body)
    if only in (None, "indicators"):
        columns, rows = _indicators(result, report, fmt)
        parts.append(
            _heading(fmt, "Indicators (raw values, missing values left out)") + render_table(fmt, columns, rows)
        )
    if only in (None, "pillars"):
        columns, rows = _pillars(result, report, fmt)
        head = "Pillars (normalised component scores, entities with every component)"
        parts.append(
            _heading(fmt, head) + (render_table(fmt, columns, rows) if rows else "No pillar has two components.\n")
        )
    if only in (None, "correlations"):
        columns, rows = _correlations(result, report, fmt, flagged_only=only is None)
        head = "Flagged correlations" if only is None else "Correlations"
        head += (
            " (normalised scores, pairwise complete; -f json or --only correlations for all)" if only is None else ""
        )
        parts.append(_heading(fmt, head) + (render_table(fmt, columns, rows) if rows else "None flagged.\n"))
    if only == "entities":
        columns, rows = _entities(result, report, fmt)
        parts.append(
            _heading(fmt, "Entity coverage (share of indicators with a value)") + render_table(fmt, columns, rows)
        )
    elif only is None and report.entities:
        lowest = min(report.entities, key=lambda e: (e.coverage, e.entity))
        below = sum(e.below for e in report.entities)
        total = len(result.framework.indicators)
        parts.append(
            f"Entity coverage: lowest {lowest.name} with {lowest.available} of {total} indicators "
            f"({100 * lowest.coverage:.1f}%); {below} of {len(report.entities)} entities below "
            f"{100 * report.thresholds.min_coverage:.1f}%.\n"
        )
    return text + "\n".join(parts)
