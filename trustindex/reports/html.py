"""The HTML report: one self-contained page with every analysis of one dataset and weights profile.

:func:`analyse` runs the core's analyses — the scoring, uncertainty, Sobol' sensitivity, weight stability,
the audit, and each entity's explanation and what it would take — exactly as the commands do;
:func:`page` turns them into HTML with the figures of :mod:`trustindex.reports.charts` and the vendored Vega
runtime inline, so the file opens offline and fetches nothing; :func:`write_report` does both and writes the
page (and, asked, each figure as SVG and PNG) atomically. The CLI's ``report`` and the TUI call
:func:`write_report`.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..batches import Progress, Stop, batches
from ..model import Record, Spec
from . import charts
from .common import notice_lines

VEGA = Path(__file__).with_name("vega")
VERSIONS = {"vega": "6.2.0", "vega-lite": "6.4.1"}
"""The vendored runtime (``vega/``), the versions vl-convert 1.9 renders ``--figures`` with."""
SECTIONS = ("ranking", "uncertainty", "sensitivity", "stability", "audit", "profiles", "provenance")
FIGURES = ("ranking", "rank-intervals", "sobol", "stability", "correlations", "pillar-correlations")
"""Every figure the page may have (``sobol`` when the mean rank shift varies, ``pillar-correlations`` with three
aggregates or more)."""
SAMPLES = 1024
"""Sobol' base samples N by default (the CLI's ``--samples``)."""
SHARES = {"uncertainty": 0.15, "sensitivity": 0.45, "stability": 0.05, "profiles": 0.35}
"""Each long analysis's share of the progress reported."""


@dataclass(frozen=True, eq=False)
class Report(Record):
    """Every analysis the page shows, from the same calls as the commands'."""

    result: object
    uncertainty: object
    sensitivity: object
    stability: tuple
    audit: object
    explanations: tuple
    targets: tuple
    """Per entity (result order): what it takes to move up one place (None when first or unranked)."""
    seed: int
    spec: Spec


def _part(progress: Progress | None, start: float, share: float) -> Progress | None:
    return None if progress is None else (lambda done: progress(start + share * done))


def analyse(
    dataset,
    weights,
    spec: Spec,
    samples: int,
    seed: int,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> Report:
    """Run every analysis of the page; a ConfigError first, before any work, when ``spec`` does not fit the
    dataset and weights (:func:`trustindex.fit.fit_spec`; the CLI checks it first against its file, to say
    where) or its runs, or the N(d + 2) Sobol' runs of ``samples`` (a power of 2), do not fit in memory."""
    from ..audit import audit
    from ..engine import Engine
    from ..errors import ConfigError
    from ..explain import explain
    from ..fit import fit_samples, fit_spec, power_of_two
    from ..io.spec import SpecFile
    from ..pipeline import score
    from ..sensitivity import sensitivity
    from ..stability import weight_stability
    from ..targets import what_it_takes
    from ..uncertainty import uncertainty

    power_of_two(samples, "samples")
    engine = Engine(dataset, weights)
    fit_spec(SpecFile(spec), engine)

    def fail(message: str) -> None:
        raise ConfigError(f"the Sobol' analysis of N = {samples:,}: {message}", hint="ask for fewer samples")

    fit_samples(samples, engine, spec, fail)
    result = score(dataset, weights)
    done = 0.0

    def part(name: str) -> Progress | None:
        nonlocal done
        start, done = done, done + SHARES[name]
        return _part(progress, start, SHARES[name])

    ranks = uncertainty(engine, spec, seed, progress=part("uncertainty"), cancelled=cancelled)
    indices = sensitivity(engine, spec, samples, seed, progress=part("sensitivity"), cancelled=cancelled)
    pillars = [engine.nodes[c] for c in engine.steps[-1].children]
    share, stable = part("stability"), []
    for start, _ in batches(len(pillars), 1, share, cancelled):
        stable.append(weight_stability(engine, pillars[start], None, spec.top_k))
    found = audit(result)
    rank = result.rank(result.nodes[0])
    explanations, targets = [], []
    for start, _ in batches(len(result.entities), 1, part("profiles"), cancelled):
        entity = result.entities[start]
        explanations.append(explain(result, entity))
        up = not math.isnan(rank[start]) and rank[start] > 1
        targets.append(what_it_takes(result, entity, rank=int(rank[start]) - 1, alone=False) if up else None)
    return Report(result, ranks, indices, tuple(stable), found, tuple(explanations), tuple(targets), seed, spec)


def write_report(
    dataset,
    weights,
    output: str | Path,
    spec: Spec | None = None,
    samples: int = SAMPLES,
    seed: int = 0,
    figures: str | Path | None = None,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
) -> Report:
    """Analyse ``dataset`` under ``weights`` and write the page to ``output`` (``-``: stdout) and, with
    ``figures``, each figure as SVG and PNG into that folder; atomically, never over a file that was read.
    Raises :class:`~trustindex.batches.Cancelled` when ``cancelled()`` says so (nothing is written then)."""
    from ..io.output import check_target, write_file, write_output

    if str(output) != "-":
        check_target(output)
    folder = check_figures(figures) if figures is not None else None
    report = analyse(dataset, weights, spec or Spec(), samples, seed, progress, cancelled)
    specs = figure_specs(report)
    if folder is not None:
        for name, data in charts.render(specs).items():
            write_file(folder / name, data, inputs=True, what="--figures")
    write_output(page(report, specs), str(output))
    return report


def check_figures(figures: str | Path) -> Path:
    """The ``--figures`` folder, created if missing; a ConfigError now, before any work, when vl-convert is
    missing or a figure's file must not or cannot be written."""
    from ..errors import ConfigError
    from ..io.output import check_target

    folder = Path(figures)
    if folder.exists() and not folder.is_dir():
        raise ConfigError("is a file, not a folder", path=folder, hint="give --figures a folder")
    charts.exporter()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the folder: {exc.strerror}", path=folder, hint="choose another --figures"
        ) from None
    for target in charts.targets(folder, FIGURES):
        check_target(target, what="--figures")
    return folder


# --- the figures -------------------------------------------------------------------------------------


def _aggregates(result) -> list[str]:
    """The index and every aggregate below it with a score, in tree order."""
    framework = result.framework
    out = []

    def walk(node: str) -> None:
        if framework.level(node) != "indicator":
            if not all(math.isnan(v) for v in result.scores[:, result.column(node)]):
                out.append(node)
            for child in framework.children(node):
                walk(child)

    walk(framework.index.id)
    return out


def _indicators(result) -> list[str]:
    """The indicators in tree order (grouped by their parent)."""
    framework = result.framework
    return [n for n in _tree(framework) if framework.level(n) == "indicator"]


def _tree(framework) -> list[str]:
    out = []

    def walk(node: str) -> None:
        out.append(node)
        for child in framework.children(node):
            walk(child)

    walk(framework.index.id)
    return out


def _ranked(report: Report) -> list[int]:
    return [int(i) for i in report.result.order()]


def _sobol_output(report: Report):
    """The output the Sobol' chart shows: the mean rank shift when it varies, else None."""
    return next((o for o in report.sensitivity.outputs if o.output == "mean rank shift" and o.status == "varies"), None)


def _correlations(result, nodes: list[str]):
    from ..audit import pearson_matrix

    return pearson_matrix(result.scores[:, [result.column(n) for n in nodes]])


def figure_specs(report: Report) -> dict[str, dict]:
    """The page's figures by name, as Vega-Lite specifications."""
    result, framework = report.result, report.result.framework
    nodes = _aggregates(result)
    rank = result.rank(result.nodes[0])
    rows = [
        {
            "name": result.dataset.names[i],
            "rank": None if math.isnan(rank[i]) else float(rank[i]),
            "scores": {n: result.scores[i, result.column(n)] for n in nodes},
        }
        for i in _ranked(report)
    ]
    low, high = result.weights.normalisation.range
    finite = [v for r in rows for v in r["scores"].values() if not math.isnan(v)]
    bounded = result.weights.normalisation.method in ("minmax", "goalposts", "percentile", "target")
    scale = (low, high) if bounded else (min(0.0, min(finite, default=0.0)), max(finite, default=1.0))
    depth = {framework.index.id: 0}
    for n in nodes[1:]:  # tree order: a parent before its children
        depth[n] = depth[framework.parent(n)] + 1
    specs = {"ranking": charts.ranking(rows, [(n, framework.label(n), depth[n]) for n in nodes], scale)}
    by_entity = {e.entity: e for e in report.uncertainty.entities}
    specs["rank-intervals"] = charts.rank_intervals(
        [
            {
                "name": result.dataset.names[i],
                "low": by_entity[e].low_rank,
                "high": by_entity[e].high_rank,
                "median": by_entity[e].median_rank,
                "nominal": by_entity[e].nominal_rank,
            }
            for i in _ranked(report)
            for e in [result.entities[i]]
        ]
    )
    shift = _sobol_output(report)
    if shift is not None:
        specs["sobol"] = charts.sobol(
            list(report.sensitivity.inputs),
            shift.first,
            shift.total,
            shift.first_interval,
            shift.total_interval,
            "mean absolute rank shift",
        )
    if report.stability:
        specs["stability"] = charts.stability(
            [
                {"label": framework.label(s.node), "share": s.nominal_share, "ranking": s.ranking, "top": s.top}
                for s in report.stability
            ]
        )
    indicators = _indicators(result)
    r, n = _correlations(result, indicators)
    specs["correlations"] = charts.heat_map(
        indicators,
        [framework.label(i) for i in indicators],
        [framework.label(framework.parent(i)) for i in indicators],
        r.tolist(),
        n.tolist(),
        "Indicators (normalised scores), boxed by the aggregate they belong to",
    )
    if len(nodes) > 2:
        r, n = _correlations(result, nodes)
        groups = [framework.label(framework.parent(x) or x) for x in nodes]
        specs["pillar-correlations"] = charts.heat_map(
            nodes, [framework.label(x) for x in nodes], groups, r.tolist(), n.tolist(), "The index and its aggregates"
        )
    return specs


# --- the page ----------------------------------------------------------------------------------------

e = html.escape


def _n(value, digits: int = 1, missing: str = "–") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{value:,.{digits}f}"


def _r(value) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:g}"


def _span(low, high, digits: int = 0) -> str:
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "–"
    return f"{low:.{digits}f}–{high:.{digits}f}" if low != high else f"{low:.{digits}f}"


def anchor(entity: str) -> str:
    """The id of an entity's profile in the page."""
    return "entity-" + "_".join(entity.split())


def _table(
    head: list[str],
    rows: list[list[str]],
    numeric: set[int] = frozenset(),
    caption: str = "",
    classes: list[str] | None = None,
) -> str:
    """A table; cells are HTML already (escape text before). Columns in ``numeric`` align right."""
    cells = "".join(f"<th{' class=n' if j in numeric else ''}>{h}" for j, h in enumerate(head))
    body = "".join(
        f"<tr{f' class={classes[i]}' if classes and classes[i] else ''}>"
        + "".join(f"<td{' class=n' if j in numeric else ''}>{c}" for j, c in enumerate(row))
        for i, row in enumerate(rows)
    )
    title = f"<caption>{caption}</caption>" if caption else ""
    return f'<div class="scroll"><table>{title}<thead><tr>{cells}</thead><tbody>{body}</tbody></table></div>\n'


def _figure(name: str, specs: dict, caption: str) -> str:
    if name not in specs:
        return ""
    return (
        f'<figure><div class="chart" id="figure-{name}" data-figure="{name}" role="img" '
        f'aria-label="{e(caption)}"></div><figcaption>{e(caption)}</figcaption></figure>\n'
    )


def _bar(value: float, low: float, high: float) -> str:
    """The score as a bar on its scale: dark on a light track."""
    if math.isnan(value) or not high > low:
        return ""
    width = max(0.0, min(100.0, 100 * (value - low) / (high - low)))
    return f'<b class=bar style="--w:{width:.0f}%"></b>'


def _header(report: Report) -> str:
    from .. import __version__
    from ..model import describe, methods

    result = report.result
    dataset, weights = result.dataset, result.weights
    title = dataset.title or dataset.name
    text = f"<header><h1>{e(title)}</h1>\n"
    if dataset.illustrative:
        text += (
            '<p class="notice illustrative" role="note" id="illustrative"><strong>Illustrative data, not a '
            f"measurement.</strong> {e(dataset.notice)}</p>\n"
        )
    elif dataset.notice:
        text += f'<p class="notice" role="note"><strong>Note.</strong> {e(dataset.notice)}</p>\n'
    year = f", year {dataset.year}" if dataset.year is not None else ""
    text += (
        f'<p class="meta">Dataset <b>{e(dataset.name)}</b>{year} ({len(result.entities)} entities, '
        f"{len(result.framework.indicators)} indicators) · weights <b>{e(weights.name)}</b>: "
        f"{e(describe(methods(weights)))}.<br>Seed <b id=seed>{report.seed}</b> · {report.uncertainty.runs:,} "
        f"uncertainty runs ({e(report.uncertainty.sampler)}) · Sobol' N = {report.sensitivity.samples:,} "
        f"({report.sensitivity.runs:,} runs) · trustindex {e(__version__)} · dataset SHA-256 "
        f"<code>{e(dataset.digest[:16])}</code>, weights <code>{e((weights.digest or 'none')[:16])}</code>. "
        f"Repeat: <code>{e(repeat(report))}</code>.</p>\n"
    )
    links = " ".join(f'<a href="#{s}">{s.capitalize()}</a>' for s in SECTIONS)
    return text + f"<nav>{links}</nav></header>\n"


def repeat(report: Report) -> str:
    """The command that writes this page again (``--spec FILE`` standing for a specification other than the
    default, ``--weights FILE`` for weights read from no file, such as the TUI's)."""
    from dataclasses import replace

    dataset, spec, weights = report.result.dataset, report.spec, report.result.weights
    words = ["trustindex report", f"--data {dataset.name}"]
    words += [f"--year {dataset.year}"] if dataset.year is not None else []
    if weights.digest:
        words += [f"--weights {weights.name}"]
    elif not any(n.kind == "defaults" for n in weights.notices):  # the defaults need no option
        words += ["--weights FILE"]
    words += ["--spec FILE"] if replace(spec, runs=Spec.runs) != Spec() else []
    words += [f"--runs {spec.runs}"] if spec.runs != Spec.runs else []
    samples = report.sensitivity.samples
    words += [f"--samples {samples}"] if samples != SAMPLES else []
    return " ".join([*words, f"--seed {report.seed}"])


def _ranking(report: Report, specs: dict) -> str:
    result = report.result
    framework = result.framework
    nodes = _aggregates(result)
    rank = result.rank(result.nodes[0])
    ranks = {x.entity: x for x in report.uncertainty.entities}
    k = report.uncertainty.top_k
    head = ["Rank", "Entity", *[e(framework.label(n)) for n in nodes], "Median rank", "5–95 %", f"P(top {k})"]
    rows = []
    for i in _ranked(report):
        entity = result.entities[i]
        u = ranks[entity]
        rows.append(
            [
                _r(rank[i]),
                f'<a href="#{e(anchor(entity))}">{e(result.dataset.names[i])}</a>',
                *[_n(result.scores[i, result.column(n)]) for n in nodes],
                _r(u.median_rank),
                _span(u.low_rank, u.high_rank),
                _n(u.top_k, 2),
            ]
        )
    numeric = {0, *range(2, len(head))}
    text = '<section id="ranking"><h2>Ranking</h2>\n'
    text += _figure("ranking", specs, "Each entity's index score (dark) and the scores of its pillars, in rank order")
    text += _table(head, rows, numeric, "Scores, nominal ranks and the ranks over the uncertainty runs")
    lines = [line for line in notice_lines(result) if not line.startswith("Note: ")]
    if lines:
        text += "<ul class=notices>" + "".join(f"<li>{e(line)}" for line in lines) + "</ul>\n"
    return text + "</section>\n"


def _uncertainty(report: Report, specs: dict) -> str:
    u = report.uncertainty
    text = '<section id="uncertainty"><h2>Uncertainty: how far each rank can move</h2>\n'
    text += (
        f"<p>{u.runs:,} runs ({e(u.sampler)}, seed {u.seed}) varying {e(', '.join(u.factors))}. Mean absolute "
        f"rank shift {u.mean_shift:.2f}; Spearman {u.spearman:.3f} and Kendall {u.kendall:.3f} with the nominal "
        "ranking (means over runs). The median ranks and 5–95 % intervals are in the ranking table.</p>\n"
    )
    if len(u.scales) > 1:
        text += (
            "<p>The alternatives score on different scales, so no score summary mixes them; ranks are "
            "comparable: " + e("; ".join(f"{s.label}: {s.runs:,} runs" for s in u.scales)) + ".</p>\n"
        )
    text += _figure("rank-intervals", specs, "Rank over the runs: 5–95 % interval (bar), median (dot), nominal (cross)")
    if u.notices:
        names = dict(zip(report.result.entities, report.result.dataset.names, strict=True))
        text += (
            "<ul class=notices>"
            + "".join(f"<li>Notice: {e(n.message)} ({e(', '.join(names[x] for x in n.entities))})" for n in u.notices)
            + "</ul>\n"
        )
    return text + "</section>\n"


def _sensitivity(report: Report, specs: dict) -> str:
    s = report.sensitivity
    text = '<section id="sensitivity"><h2>Sensitivity: which choice drives the ranks (Sobol\' indices)</h2>\n'
    text += (
        f"<p>First-order (Saltelli 2010) and total-effect (Jansen 1999) indices of each uncertain input, "
        f"with {100 * s.confidence:.0f} % bootstrap intervals, from {s.runs:,} runs (N = {s.samples:,}, seed "
        f"{s.seed}).</p>\n"
    )
    text += _figure("sobol", specs, "First-order and total Sobol' indices of the mean absolute rank shift")
    head = ["Output"] + [f"{e(n)} S1" for n in s.inputs] + [f"{e(n)} ST (95 %)" for n in s.inputs] + ["Note"]
    rows = []
    base = 2 * s.samples
    names = report.result.dataset.names
    place = {f"rank: {names[i]}": k for k, i in enumerate(_ranked(report))}  # the ranking's order
    for o in sorted(s.outputs, key=lambda o: place.get(o.output, -1)):  # the mean rank shift first
        if o.output.startswith("score: "):
            continue
        if o.status == "varies":
            cells = [_n(v, 2) for v in o.first] + [
                f"{_n(v, 2)} ({_span(lo, hi, 2)})" for v, (lo, hi) in zip(o.total, o.total_interval, strict=True)
            ]
            note = "; ".join(o.flags)
        else:
            cells = ["–"] * (2 * len(s.inputs))
            note = "never changes" if o.status == "constant" else f"changes in {o.changes} of {base:,} runs"
        rows.append([e(o.output), *cells, e(note)])
    text += _table(
        head,
        rows,
        set(range(1, 1 + 2 * len(s.inputs))),
        "Indices of the mean rank shift and of each entity's rank, in rank order",
    )
    if s.skipped:
        text += f"<p>Not computed (no value in some runs): {e(', '.join(s.skipped))}.</p>\n"
    return text + "</section>\n"


def _stability(report: Report, specs: dict) -> str:
    result = report.result
    label, names = result.framework.label, dict(zip(result.entities, result.dataset.names, strict=True))
    text = '<section id="stability"><h2>Weight stability: how far each weight can move</h2>\n'
    text += (
        "<p>Each weight moves like a slider, its siblings keeping their proportions: the interval of its share "
        "around the nominal share over which the whole ranking, and the top set, stay the same.</p>\n"
    )
    text += _figure(
        "stability",
        specs,
        "Share intervals over which the ranking (dark) and the top set (light) hold; the tick is the nominal share",
    )
    rows = []
    for s in report.stability:
        left = [w for w in s.swaps if w.share <= s.nominal_share]
        right = [w for w in s.swaps if w.share > s.nominal_share]
        near = [f"at {w.share:.3f} {names[w.above]} passes {names[w.below]}" for w in (left[-1:] + right[:1])]
        rows.append(
            [
                e(label(s.node)),
                _n(s.nominal_share, 3),
                _span(*s.ranking, 3),
                _span(*s.top, 3),
                str(len(s.swaps)),
                "exact" if s.exact else "±1e-9",
                e("; ".join(near)),
            ]
        )
    head = [
        "Weight",
        "Share",
        "Ranking holds",
        f"Top {report.spec.top_k} holds",
        "Swaps",
        "Breakpoints",
        "Nearest swaps",
    ]
    return text + _table(head, rows, {1, 2, 3, 4}) + "</section>\n"


def _audit(report: Report, specs: dict) -> str:
    result, audit = report.result, report.audit
    label, rules = result.framework.label, audit.thresholds
    text = '<section id="audit"><h2>Statistical audit</h2>\n'
    counts = ", ".join(
        f"{audit.count(s)} {s}{'' if audit.count(s) == 1 else 's'}" for s in ("error", "warning", "notice")
    )
    text += (
        f"<p>{counts}. Rules: outliers when |skewness| &gt; {rules.max_skew:g} and kurtosis &gt; "
        f"{rules.max_kurtosis:g}; Cronbach's alpha ≥ {rules.min_alpha:g}; within a pillar r &gt; "
        f"{rules.redundant:g} redundant, r &lt; {rules.conflicting:g} conflicting; coverage ≥ "
        f"{100 * rules.min_coverage:.1f} %.</p>\n"
    )
    text += "<h3>Findings</h3>\n"
    for severe in (True, False):
        rows = [[e(f.severity), e(f.rule), e(f.message)] for f in audit.findings if (f.severity != "notice") == severe]
        table = _table(["Severity", "Rule", "Finding"], rows) if rows else ""
        if rows and not severe:
            table = f"<details><summary>{len(rows)} notices</summary>{table}</details>\n"
        text += table or ("<p>No errors or warnings.</p>\n" if severe else "")
    rows, flags = [], []
    for s in audit.indicators:
        rows.append(
            [
                f"<code>{e(s.indicator)}</code>",
                e(s.label),
                e(label(s.parent)),
                str(s.n),
                _n(100 * s.coverage),
                _n(s.min, 2),
                _n(s.max, 2),
                _n(s.mean, 2),
                _n(s.median, 2),
                _n(s.sd, 2),
                _n(s.skewness, 2),
                _n(s.kurtosis, 2),
                "<strong>outliers</strong>" if s.outlier else "",
            ]
        )
        flags.append("flag" if s.outlier else "")
    head = [
        "ID",
        "Indicator",
        "Pillar",
        "n",
        "Coverage %",
        "Min",
        "Max",
        "Mean",
        "Median",
        "SD",
        "Skew",
        "Kurt",
        "Flag",
    ]
    text += "<h3>Indicators (raw values)</h3>\n" + _table(head, rows, set(range(3, 12)), classes=flags)
    rows, flags = [], []
    for p in audit.pillars:
        rows.append(
            [
                e(p.label),
                e(p.level),
                str(len(p.components)),
                str(p.n),
                _n(p.alpha, 3),
                _n(p.first_component, 3),
                str(p.above_one),
            ]
        )
        flags.append("flag" if p.alpha < rules.min_alpha else "")
    head = ["Node", "Level", "Components", "n", "Cronbach's alpha", "PC1 share", "Eigenvalues > 1"]
    text += "<h3>Internal consistency</h3>\n" + _table(head, rows, {2, 3, 4, 5, 6}, classes=flags)
    text += "<h3>Correlations</h3>\n<p>Pearson r of the normalised scores over the entities with both values.</p>\n"
    text += _figure("correlations", specs, "Correlations of every pair of indicators, within and across pillars")
    text += _figure("pillar-correlations", specs, "Correlations of the index, pillars and sub-pillars")
    if audit.entities:
        lowest = min(audit.entities, key=lambda x: (x.coverage, x.entity))
        below = sum(x.below for x in audit.entities)
        text += (
            f"<p>Entity coverage: lowest {e(lowest.name)} with {lowest.available} of "
            f"{len(result.framework.indicators)} indicators ({100 * lowest.coverage:.1f} %); {below} of "
            f"{len(audit.entities)} below {100 * rules.min_coverage:.1f} %.</p>\n"
        )
    return text + "</section>\n"


def _target(report: Report, target) -> str:
    if target is None:
        return ""
    label = report.result.framework.label
    text = f"<h4>What it would take to reach rank {target.target_rank} (index score {target.target_score:.1f})</h4>\n"
    if target.reached:
        return text + "<p>Already there.</p>\n"
    rows = [
        [e(m.label), e(m.level), f"{_n(m.current, missing='missing')} → {_n(m.needed)}" if m.reachable else e(m.reason)]
        for m in target.pillars
    ]
    if rows:
        text += _table(["Improve alone", "Level", "Score now → needed"], rows)
    if target.combined:
        items = "".join(
            f"<li>{e(label(c.node))}: {_n(c.current, missing='missing')} → {_n(c.needed)}"
            + (
                f" (value {'missing' if c.raw_current is None else f'{c.raw_current:,.6g}'} → {c.raw_needed:,.6g})"
                if c.raw_needed is not None
                else ""
            )
            for c in target.combined
        )
        check = "re-scored, it reaches the target" if target.combined_verified else target.combined_note
        text += (
            f"<p>Combined, the smallest change of the indicators (Euclidean norm {target.combined_norm:.1f} "
            f"points; {e(check)}):</p><ul>{items}</ul>\n"
        )
    elif target.combined_note:
        text += f"<p>Combined: {e(target.combined_note)}.</p>\n"
    data = report.result.dataset.name
    return text + (
        f"<p class=hint>Each indicator alone: <code>trustindex explain {e(target.entity)} --data "
        f"{e(data)}</code>.</p>\n"
    )


def _profiles(report: Report) -> str:
    result = report.result
    framework = result.framework
    ranks = {x.entity: x for x in report.uncertainty.entities}
    low, high = (0.0, 100.0) if result.weights.normalisation.method == "zscore" else result.weights.normalisation.range
    text = '<section id="profiles"><h2>Profiles</h2>\n'
    for i in _ranked(report):
        x, target = report.explanations[i], report.targets[i]
        u = ranks[x.entity]
        head = f"{_r(x.rank)}. {x.name}" if not math.isnan(x.rank) else f"{x.name} (not ranked)"
        text += f'<article class="profile" id="{e(anchor(x.entity))}"><h3>{e(head)}</h3>\n'
        text += (
            f"<p>{e(x.summary)} Over the uncertainty runs: median rank {_r(u.median_rank)}, 5–95 % "
            f"{_span(u.low_rank, u.high_rank)}.</p>\n"
        )
        aggregates, indicators = [], []
        for part in x.parts:
            depth = part.depth if part.level != "indicator" else 0  # indicators sit in a table of their own
            cells = [
                f'<span class="d{min(depth, 4)}">{e(part.label)}</span>' if depth else e(part.label),
                _n(part.score) + (_bar(part.score, low, high) if part.level != "indicator" else ""),
                _r(part.rank),
                _n(part.effective_weight, 3),
                _n(part.contribution, 2),
            ]
            if part.level == "indicator":
                value = "missing" if part.missing else f"{part.raw:,.6g}"
                if part.how:
                    value += f" → {part.used:,.6g} ({part.how})"
                indicators.append([cells[0], e(value), e(part.unit), *cells[1:]])
            else:
                aggregates.append(cells)
        what = (
            "contribution (effective weight × score)"
            if x.method == "linear"
            else (f"contribution (Shapley value against the {x.baseline} entity, {x.baseline_score:.1f})")
        )
        text += _table(
            ["Node", "Score", "Rank", "Effective weight", "Contribution"],
            aggregates,
            {1, 2, 3, 4},
            f"Scores and each {e(what)}",
        )
        text += (
            f"<details><summary>All {len(indicators)} indicators</summary>"
            + _table(
                ["Indicator", "Value", "Unit", "Score", "Rank", "Effective weight", "Contribution"],
                indicators,
                {1, 3, 4, 5, 6},
            )
            + "</details>\n"
        )
        best, worst = (", ".join(map(framework.label, nodes)) for nodes in (x.strengths, x.weaknesses))
        text += (
            f"<p><b>Strengths</b> (best ranks): {e(best or 'none in the better half')}. <b>Weaknesses</b> (worst "
            f"ranks): {e(worst or 'none in the worse half')}.</p>\n"
        )
        text += _target(report, target)
        own = [n for n in x.notices if n.entities]
        if own:
            text += "<ul class=notices>" + "".join(f"<li>{e(line)}" for line in notice_lines(result, own)) + "</ul>\n"
        text += '<p><a href="#ranking">Back to the ranking</a></p></article>\n'
    return text + "</section>\n"


def _provenance(report: Report) -> str:
    result = report.result
    dataset, framework = result.dataset, result.framework
    text = '<section id="provenance"><h2>Provenance</h2>\n'
    facts = [
        ("Dataset", dataset.title or dataset.name),
        ("Description", dataset.description),
        ("Licence", dataset.licence),
        ("Attribution", dataset.attribution),
        ("Notice", dataset.notice),
        ("Weights profile", f"{result.weights.name}: {result.weights.description}".rstrip(": ")),
    ]
    text += "<dl>" + "".join(f"<dt>{k}<dd>{e(v)}" for k, v in facts if v) + "</dl>\n"
    rows = []
    for node in _indicators(result):
        ind = framework.indicators[framework.indicator_ids.index(node)]
        rows.append(
            [
                f"<code>{e(ind.id)}</code>",
                e(ind.label),
                e(framework.label(ind.parent)),
                "higher" if ind.direction > 0 else "lower",
                e(ind.unit),
                e(ind.source),
                e(str(ind.year or dataset.year or "")),
                e(ind.formula or ""),
                e(ind.description),
            ]
        )
    head = ["ID", "Indicator", "Pillar", "Better", "Unit", "Source", "Year", "Formula", "Description"]
    text += _table(head, rows, caption="Every indicator: where it comes from")
    text += _weights(result)
    if result.screened:
        text += f"<p>Left out of the ranking for too little data: {e(', '.join(result.screened_names))}.</p>\n"
    return text + "</section>\n"


def _weights(result) -> str:
    """The weight of every node as scored (the profile's, for this dataset) and its share of its group."""
    framework = result.framework
    weights = result.weights.for_dataset(result.dataset.name, result.dataset.weights)
    rows = []
    for node in _tree(framework)[1:]:
        group = framework.children(framework.parent(node))
        total = sum(weights.weight(n) for n in group)
        depth = len(framework.path(node)) - 1  # 1 for a pillar
        rows.append(
            [
                f'<span class="d{min(depth - 1, 4)}">{e(framework.label(node))}</span>'
                if depth > 1
                else e(framework.label(node)),
                e(framework.level(node)),
                f"{weights.weight(node):g}",
                _n(weights.weight(node) / total if total > 0 else math.nan, 3),
            ]
        )
    table = _table(["Node", "Level", "Weight", "Share of its group"], rows, {2, 3})
    return f"<details><summary>The weight of every node ({e(weights.name)})</summary>{table}</details>\n"


STYLE = """
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK JP','Hiragino Sans','IPAPGothic',
'IPAGothic',sans-serif;margin:0 auto;max-width:1100px;padding:0 12px 40px;line-height:1.45;color:#111;background:#fff}
h1{font-size:1.6rem;margin:18px 0 8px}h2{font-size:1.3rem;margin-top:34px;border-bottom:2px solid #111}
h3{font-size:1.1rem}h4{font-size:1rem;margin-bottom:4px}
.notice{border:3px solid #111;padding:8px 12px;background:#f2f2f2}.illustrative{font-size:1.05rem}
.meta{font-size:.9rem;color:#333}nav{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.95rem;margin:10px 0}
a{color:#0b3d91}.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.85rem;margin:8px 0;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f2f2f2}.n{text-align:right;white-space:nowrap}tr.flag td{background:#ececec;font-weight:600}
.bar{display:inline-block;width:60px;height:.7em;margin-left:6px;vertical-align:middle;
background:linear-gradient(90deg,#333 var(--w),#ddd var(--w))}.d1,.d2,.d3,.d4{display:block}
.d1{padding-left:1.2em}.d2{padding-left:2.4em}.d3{padding-left:3.6em}.d4{padding-left:4.8em}
figure{margin:12px 0;overflow-x:auto}figcaption{font-size:.85rem;color:#333}
.chart{min-height:40px}.chart svg{max-width:none}.profile{border-top:1px solid #bbb;margin-top:18px}
.hint{font-size:.85rem;color:#333}dt{font-weight:600}dd{margin:0 0 6px 0}
@media print{nav{display:none}.profile{break-inside:avoid-page}a{color:#111}details{display:block}}
"""

SCRIPT = """
(function () {
  var specs = JSON.parse(document.getElementById('figure-specs').textContent);
  Object.keys(specs).forEach(function (name) {
    var element = document.getElementById('figure-' + name);
    try {
      var view = new vega.View(vega.parse(vegaLite.compile(specs[name]).spec), {renderer: 'svg', container: element,
                                                                                  hover: true});
      view.runAsync().then(function () { element.setAttribute('data-rendered', 'true'); });
    } catch (error) {
      element.textContent = 'This figure could not be drawn: ' + error;
      console.error(error);
    }
  });
})();
"""


def _inline(script: str) -> str:
    """JavaScript safe inside a <script> element: no ``</script`` can close it early."""
    return re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE)


def page(report: Report, specs: dict[str, dict] | None = None) -> str:
    """The whole page: text, tables, the figures' specifications and the Vega runtime, inline."""
    specs = figure_specs(report) if specs is None else specs
    result = report.result
    title = f"{result.dataset.title or result.dataset.name} · trustindex report"
    body = (
        _header(report)
        + "<main>\n"
        + _ranking(report, specs)
        + _uncertainty(report, specs)
        + _sensitivity(report, specs)
        + _stability(report, specs)
        + _audit(report, specs)
        + _profiles(report)
        + _provenance(report)
        + "</main>\n"
    )
    licences = "\n".join((VEGA / f"LICENSE-{name}").read_text(encoding="utf-8") for name in VERSIONS)
    runtime = "".join(
        f"<script>/* {name} {version} */\n{_inline((VEGA / f'{name}.min.js').read_text(encoding='utf-8'))}</script>\n"
        for name, version in VERSIONS.items()
    )
    data = json.dumps(specs, ensure_ascii=False).replace("<", "\\u003c")  # no "</script" inside
    footer = (
        f"<footer><p class=hint>Figures drawn in this page by Vega {VERSIONS['vega']} and Vega-Lite "
        f"{VERSIONS['vega-lite']} (BSD-3-Clause, University of Washington Interactive Data Lab), embedded "
        "here: nothing is fetched.</p></footer>\n"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        '<noscript><p class="notice">The figures need JavaScript; every number is also in the tables.</p></noscript>\n'
        + body
        + footer
        + f"<!--\n{licences.replace('--', '- -')}\n-->\n"
        + runtime
        + f'<script type="application/json" id="figure-specs">{data}</script>\n'
        + f"<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )
