"""The reports of ``trustindex uncertainty``, ``sensitivity`` and ``stability``."""

from __future__ import annotations

import math

from ..render import Column, json_text, render_table
from .common import TableView, document, plain


def _interval(low: float, high: float, digits: int = 0) -> str:
    if math.isnan(low) or math.isnan(high):
        return "n/a"
    return f"{low:.{digits}f}–{high:.{digits}f}" if low != high else f"{low:.{digits}f}"


def share_interval(low: float, high: float, percent: bool = False) -> str:
    """A weight share's interval: ``0.180–0.310``, or ``18–31%`` with ``percent``."""
    if percent:
        if math.isnan(low) or math.isnan(high):
            return "n/a"
        return f"{low * 100:.0f}–{high * 100:.0f}%"
    return _interval(low, high, 3)


def rank_interval(low: float, high: float) -> str:
    """An entity's 5–95 % rank interval as the uncertainty report prints it (``2–5``, or ``3`` when one rank)."""
    return _interval(low, high)


TRACK = {"band": "━", "median": "●", "nominal": "│", "empty": "·"}
"""The marks of a rank track: the 5–95 % interval, the median rank, the nominal rank, the other ranks."""


def rank_cells(rank: float, count: int, width: int) -> tuple[int, int]:
    """The first and last of ``width`` cells that stand for ``rank`` on a track of ranks 1 to ``count``."""
    count = max(count, 1)
    first = int(math.floor((rank - 1) / count * width))
    last = int(math.ceil(rank / count * width)) - 1
    return min(max(first, 0), width - 1), min(max(last, first, 0), width - 1)


def rank_track(low: float, high: float, median: float, nominal: float, count: int, width: int) -> str:
    """``width`` cells over ranks 1 (left) to ``count``: the 5–95 % interval ``low``–``high`` as a band, the median
    and the nominal rank marked on it (see :data:`TRACK`); blank when there is no interval. Every mark is one
    terminal cell wide, so a track lines up under any label."""
    if width <= 0:
        return ""
    if math.isnan(low) or math.isnan(high):
        return " " * width
    cells = [TRACK["empty"]] * width
    start, end = rank_cells(low, count, width)[0], rank_cells(high, count, width)[1]
    for x in range(start, end + 1):
        cells[x] = TRACK["band"]
    for rank, mark in ((nominal, TRACK["nominal"]), (median, TRACK["median"])):
        if not math.isnan(rank):
            first, last = rank_cells(rank, count, width)
            cells[(first + last) // 2] = mark
    return "".join(cells)


def _nominal_order(result) -> list:
    return sorted(result.entities, key=lambda e: (math.isnan(e.nominal_rank), e.nominal_rank, e.entity))


def uncertainty_table(result) -> tuple[list[str], list[dict]]:
    """One row per entity in nominal order, named as in the JSON: the CSV of ``uncertainty`` (the mean score
    and its interval only when every run scores on one scale)."""
    keys = ["entity", "name", "nominal_rank", "median_rank", "low_rank", "high_rank", "nominal_score"]
    keys += ["mean_score", "low_score", "high_score"] if len(result.scales) == 1 else []
    keys += ["top_k", "unranked"]
    return keys, [{k: getattr(e, k) for k in keys} for e in _nominal_order(result)]


def _uncertainty_rows(result) -> list[dict]:
    rows = [
        {
            "name": e.name, "entity": e.entity, "nominal": e.nominal_rank, "median": e.median_rank,
            "low": e.low_rank, "high": e.high_rank, "interval": _interval(e.low_rank, e.high_rank),
            "score": e.nominal_score, "mean": e.mean_score, "score_low": e.low_score, "score_high": e.high_score,
            "scores": _interval(e.low_score, e.high_score, 1), "top": e.top_k, "unranked": e.unranked,
        }
        for e in _nominal_order(result)
    ]  # fmt: skip
    if len(result.scales) != 1:  # one score summary per scale instead of a mean across scales
        order = [result.entities.index(next(e for e in result.entities if e.entity == r["entity"])) for r in rows]
        for s, scale in enumerate(result.scales):
            for row, i in zip(rows, order, strict=True):
                row[f"mean{s}"] = float(scale.mean[i])
                row[f"scores{s}"] = _interval(float(scale.low[i]), float(scale.high[i]), 1)
    return rows


def uncertainty_view(result) -> TableView:
    """Every entity's ranks and scores over the runs (nominal rank order) and the summary sentences."""
    comparable = len(result.scales) == 1
    rows = _uncertainty_rows(result)
    columns = [
        Column("name", "Entity"), Column("nominal", "Rank", "rank"), Column("median", "Median", "rank"),
        Column("interval", "5–95 %"), Column("score", "Score", "score"),
    ]  # fmt: skip
    if comparable:
        columns += [Column("mean", "Mean", "score"), Column("scores", "Score 5–95 %")]
    else:
        for s, _ in enumerate(result.scales):
            columns += [Column(f"mean{s}", f"Mean ({s + 1})", "score"), Column(f"scores{s}", f"5–95 % ({s + 1})")]
    columns.append(Column("top", f"P(top {result.top_k})", "share"))
    kendall = (
        f"Kendall {result.kendall:.3f}"
        if result.kendall_pairs is None
        else f"Kendall {result.kendall:.3f} (estimated from {result.kendall_pairs:,} random pairs of entities per "
        "batch)"
    )
    footer = [
        f"{result.runs:,} runs ({result.sampler}, seed {result.seed}) varying: {', '.join(result.factors)}.",
        f"Mean absolute rank shift {result.mean_shift:.2f}; Spearman {result.spearman:.3f}, {kendall} with the "
        "nominal ranking (means over runs).",
    ]
    if not comparable:
        footer.append(
            "The alternatives score on different scales, so no score summary mixes them; ranks are comparable. "
            + "; ".join(f"({s + 1}) {scale.label}: {scale.runs:,} runs" for s, scale in enumerate(result.scales))
            + "."
        )
    unranked = [e.name for e in result.entities if e.unranked > 0]
    if unranked:
        footer.append("Without a score in some runs: " + ", ".join(unranked) + ".")
    names = {e.entity: e.name for e in result.entities}
    footer += [f"Notice: {n.message} ({', '.join(names.get(e, e) for e in n.entities)})" for n in result.notices]
    return TableView(tuple(columns), tuple(rows), tuple(footer))


def uncertainty_report(engine, result, fmt: str, plot: bool = False) -> str:
    if fmt == "json":
        doc = document(engine, "uncertainty", result.seed)
        doc.update(plain(result))
        doc["counts"] = result.counts.tolist()
        return json_text(doc)
    if fmt == "csv":
        keys, rows = uncertainty_table(result)
        return render_table("csv", [Column(k, k, "text" if k in ("name", "entity") else "share") for k in keys], rows)
    view = uncertainty_view(result)
    text = view.text(fmt)
    if plot and fmt == "table":
        text += "\n" + rank_plot(list(view.rows))
    return text


def rank_plot(rows: list[dict], width: int = 100, height: int | None = None) -> str:
    """The 5–95 % rank intervals with the nominal and median ranks, drawn by plotext."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height or max(10, 2 * len(rows) + 6))
    labels = [r["name"] for r in rows]
    y = list(range(len(rows), 0, -1))
    for yy, r in zip(y, rows, strict=True):
        if not math.isnan(r["low"]):
            plt.plot([r["low"], r["high"]], [yy, yy], color="blue")
    plt.scatter([r["median"] for r in rows], y, marker="●", color="blue", label="median rank")
    plt.scatter([r["nominal"] for r in rows], y, marker="x", color="red", label="nominal rank")
    plt.yticks(y, labels)
    plt.xlabel("rank (5–95 % interval)")
    plt.theme("clear")
    return plt.uncolorize(plt.build()) + "\n"  # markers tell the series apart: no ANSI codes in any output


def _sensitivity_rows(result, fmt: str) -> list[dict]:
    base = 2 * result.samples
    rows = []
    for item in result.outputs:
        row = {"output": item.output, "status": item.status, "changes": item.changes}
        varies = item.status == "varies"
        for j, name in enumerate(result.inputs):
            row[f"{name}:first"] = item.first[j] if varies else "–" if fmt != "csv" else None
            row[f"{name}:total"] = item.total[j] if varies else "–" if fmt != "csv" else None
            row[f"{name}:first_ci"] = _interval(*item.first_interval[j], 2) if varies else ""
            row[f"{name}:total_ci"] = _interval(*item.total_interval[j], 2) if varies else ""
        if item.status == "constant":
            row["note"] = "never changes"
        elif item.status == "rare":
            row["note"] = f"changes in {item.changes} of {base:,} runs"
        else:
            row["note"] = "; ".join(item.flags)
        rows.append(row)
    return rows


def sensitivity_view(result, more: str = "--samples") -> TableView:
    """Every output's Sobol' indices per input, and the summary sentences; ``more`` names the control that
    sets the number of samples (the CLI's option, the TUI's field)."""
    base = 2 * result.samples
    columns = [Column("output", "Output")]
    for name in result.inputs:
        columns += [Column(f"{name}:first", f"{name} S1", "share"), Column(f"{name}:total", f"{name} ST", "share"),
                    Column(f"{name}:total_ci", "ST 95 % CI")]  # fmt: skip
    columns.append(Column("note", "Note"))
    footer = [
        f"Sobol' indices from {result.runs:,} runs (N = {result.samples}, seed {result.seed}): S1 first-order "
        "(Saltelli 2010), ST total effect (Jansen 1999), 95 % bootstrap intervals.",
    ]
    if any(item.status != "varies" for item in result.outputs):
        footer.append(
            f"An output that never changes, or changes in fewer than 1 % of the {base:,} base runs, has no "
            "variance to apportion: its indices are not estimated."
        )
    if any(item.flags for item in result.outputs):
        footer.append(
            "Flagged: a first-order index above the total, or an index outside [0, 1], beyond both intervals — "
            f"estimation noise; more samples ({more}) narrow it."
        )
    if result.skipped:
        footer.append("Not computed (no value in some runs): " + ", ".join(result.skipped) + ".")
    return TableView(tuple(columns), tuple(_sensitivity_rows(result, "table")), tuple(footer))


def sensitivity_table(result) -> tuple[list[str], list[dict]]:
    """One row per output (each entity's rank and score, the mean rank shift): its status and each input's
    first-order and total index, empty where it is not estimated. The CSV of ``sensitivity``."""
    keys = ["output", "status"] + [f"{n}:{k}" for n in result.inputs for k in ("first", "total")]
    rows = []
    for item in result.outputs:
        row = {"output": item.output, "status": item.status}
        for j, name in enumerate(result.inputs):
            row[f"{name}:first"] = item.first[j] if item.status == "varies" else None
            row[f"{name}:total"] = item.total[j] if item.status == "varies" else None
        rows.append(row)
    return keys, rows


def sensitivity_report(engine, result, fmt: str) -> str:
    if fmt == "json":
        doc = document(engine, "sensitivity", result.seed)
        doc.update(plain(result))
        return json_text(doc)
    if fmt == "csv":
        keys, rows = sensitivity_table(result)
        return render_table("csv", [Column(k, k, "text" if k in ("output", "status") else "share") for k in keys],
                            rows)  # fmt: skip
    return sensitivity_view(result).text(fmt)


def stability_report(engine, intervals, bounds, smaa, entity, fmt: str) -> str:
    if fmt == "json":
        doc = document(engine, "stability", smaa.seed if smaa else None)
        # not under 'weights': that key holds the profile's provenance
        doc.update(stability=plain(intervals), bounds=plain(bounds), acceptability=plain(smaa), entity=entity)
        return json_text(doc)
    label = engine.framework.label
    rows = []
    for s in intervals:
        row = {
            "node": label(s.node), "share": s.nominal_share, "ranking": share_interval(*s.ranking),
            "top": share_interval(*s.top), "swaps": len(s.swaps), "exact": "exact" if s.exact else "±1e-9",
        }  # fmt: skip
        if entity:
            row["entity"] = share_interval(*s.entity)
        rows.append(row)
    columns = [
        Column("node", "Weight"), Column("share", "Share", "share"), Column("ranking", "Ranking holds"),
        Column("top", "Top set holds"), Column("swaps", "Swaps", "int"), Column("exact", "Breakpoints"),
    ]  # fmt: skip
    if entity:
        columns.insert(4, Column("entity", f"{entity} holds"))
    text = render_table(fmt, columns, rows)
    text += "\nShares are the weight's share of its group; its siblings keep their proportions.\n"
    names = dict(zip(engine.entities, engine.dataset.names, strict=True))
    for s in intervals:
        if s.swaps:
            text += (
                f"\n{label(s.node)}: "
                + "; ".join(
                    f"at {w.share:.3f} (weight {w.weight:.3g}) {names[w.above]} passes {names[w.below]}"
                    for w in s.swaps
                )
                + "\n"
            )
    if bounds:
        rows = [{"name": names[b.entity], "nominal": b.nominal, "best": b.best, "worst": b.worst} for b in bounds]
        columns = [Column("name", "Entity"), Column("nominal", "Rank", "rank"), Column("best", "Best", "rank"),
                   Column("worst", "Worst", "rank")]  # fmt: skip
        text += "\n" + render_table(fmt, columns, rows)
        text += "Best and worst ranks over every weight vector of the index's components (mixed-integer programs).\n"
        if not all(b.exact for b in bounds if not math.isnan(b.best)):
            text += "Some entities lack a component of the index: theirs are n/a, and the others' are outer bounds.\n"
    if smaa:
        n = smaa.probabilities.shape[1]
        rows = [{"name": names[e], **{f"r{r + 1}": smaa.probabilities[i, r] for r in range(n)}}
                for i, e in enumerate(engine.entities)]  # fmt: skip
        columns = [Column("name", "Entity")] + [
            Column(f"r{r + 1}", f"P(rank {r + 1})", "share") for r in range(min(n, 8))
        ]
        text += f"\nRank acceptability (SMAA-2, {smaa.runs:,} runs, seed {smaa.seed}):\n\n" + render_table(
            fmt, columns, rows
        )
        text += (
            "Central weights (mean shares under which each entity ranks first):\n"
            + "\n".join(
                f"  {names[e]}: "
                + ", ".join(f"{label(node)} {w:.3f}" for node, w in zip(smaa.nodes, smaa.central[i], strict=True))
                for i, e in enumerate(engine.entities)
                if not math.isnan(smaa.central[i][0])
            )
            + "\n"
        )
    return text
