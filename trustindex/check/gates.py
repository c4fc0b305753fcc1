"""The audit gates (outliers, Cronbach's alpha, correlation flags) and the optional uncertainty gate."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .findings import Collector


def _indicator_place(dataset, table, meta, indicator: str, entity: str | None):
    """The cell of ``entity``'s value of ``indicator`` (its row for a derived one), else the indicator's table."""
    if entity is not None:
        row = table.find(entity, dataset.year)
        if row is not None:
            return table.where(row, indicator) if indicator in table.position else (table.path, row.line)
    return meta.doc.locate(("indicators", indicator))


def _node_place(meta, node: str):
    framework = meta.framework
    kind = "indicators" if framework.level(node) == "indicator" else "pillars"
    if node == framework.index.id:
        return meta.doc.locate(("index",))
    return meta.doc.locate((kind, node))


def _extreme(values: np.ndarray, entities) -> tuple[str | None, float]:
    """The entity farthest from the median, and its value."""
    if np.all(np.isnan(values)):
        return None, math.nan
    i = int(np.nanargmax(np.abs(values - np.nanmedian(values))))
    return entities[i], float(values[i])


def audit_gates(result, base_result, meta, table, col: Collector) -> str:
    """Alpha below its threshold; outliers and correlation flags, new ones against the base as warnings; below
    MIN_ENTITIES entities, alpha and correlations as notices, and the note that says so (else "")."""
    from ..audit import audit
    from ..stats import MIN_ENTITIES, SMALL_N

    rules = col.rules
    thresholds = rules.thresholds(result.weights.audit)
    now = audit(result, thresholds)
    before = audit(base_result, thresholds) if base_result is not None else None
    col.run("alpha", "outlier", "new-outlier", "correlation", "new-correlation")
    profile = result.weights.name
    label = result.framework.label
    dataset = result.dataset
    small = len(dataset.entities) < MIN_ENTITIES

    for p in now.pillars:
        if not math.isnan(p.alpha) and p.alpha < thresholds.min_alpha:
            old = next((q.alpha for q in before.pillars if q.node == p.node), None) if before else None
            was = "" if old is None or math.isnan(old) else f" (base {old:.2f})"
            col.add("alpha", f"{label(p.node)}: Cronbach's alpha {p.alpha:.2f}{was} below {thresholds.min_alpha:g} "
                    f"({len(p.components)} components, n = {p.n}; profile {profile})", *_node_place(meta, p.node),
                    notice=small, node=p.node, alpha=p.alpha, base_alpha=old,
                    min_alpha=thresholds.min_alpha)  # fmt: skip

    flagged_before = {s.indicator for s in before.indicators if s.outlier} if before else set()
    for j, s in enumerate(now.indicators):
        if not s.outlier:
            continue
        entity, value = _extreme(dataset.values[:, j], dataset.entities)
        new = before is not None and s.indicator not in flagged_before
        status = "newly flagged" if new else "flagged in the base too" if before else "flagged"
        col.add("new-outlier" if new else "outlier", f"{s.label}: skewness {s.skewness:.2f} and kurtosis "
                f"{s.kurtosis:.2f} exceed {thresholds.max_skew:g} and {thresholds.max_kurtosis:g}, {status}; most "
                f"extreme: {entity} = {value:.6g}", *_indicator_place(dataset, table, meta, s.indicator, entity),
                node=s.indicator, entity=entity, skewness=s.skewness, kurtosis=s.kurtosis)  # fmt: skip

    def flags(report):
        return {(c.kind, c.first, c.second, flag): c for c in report.flagged() for flag in c.flags}

    old_flags = flags(before) if before else {}
    for (kind, first, second, flag), c in flags(now).items():
        new = before is not None and (kind, first, second, flag) not in old_flags
        was = old_flags.get((kind, first, second, flag)) or (
            next((o for o in before.correlations if (o.kind, o.first, o.second) == (kind, first, second)), None)
            if before else None
        )  # fmt: skip
        base = "" if was is None or math.isnan(was.pearson) else f" (base r = {was.pearson:.2f})"
        col.add("new-correlation" if new else "correlation", f"{label(first)} and {label(second)} ({kind}): {flag}, "
                f"r = {c.pearson:.2f}{base}, n = {c.n}", *_node_place(meta, first), notice=small, node=first,
                flag=flag, second=second, pearson=c.pearson)  # fmt: skip
    return SMALL_N.format(n=len(dataset.entities), least=MIN_ENTITIES) if small else ""


@dataclass(frozen=True)
class UncertaintyGate:
    profile: str
    runs: int
    seed: int
    outside: tuple[str, ...]


def uncertainty_gate(dataset, weights, meta, table, col: Collector) -> UncertaintyGate:
    """Entities whose nominal rank lies outside the 5th-95th percentile interval of their rank."""
    from dataclasses import replace

    from ..engine import Engine
    from ..errors import ConfigError
    from ..fit import fit_runs
    from ..io.spec import DEFAULT, load_spec
    from ..uncertainty import uncertainty

    rules = col.rules
    col.run("uncertain-rank")
    spec = load_spec(rules.spec) if rules.spec is not None else replace(DEFAULT, runs=rules.runs)
    engine = Engine(dataset, weights)

    def fail(message: str) -> None:
        where = (*rules.where("uncertainty", "runs"), None, None, None)
        raise ConfigError(f"[uncertainty] runs: {message}", path=where[0], line=where[1], column=where[2],
                          hint="ask for fewer runs")  # fmt: skip

    fit_runs(spec.runs, dataset, fail)
    result = uncertainty(engine, spec, rules.seed)
    outside = []
    for e in result.entities:
        if math.isnan(e.nominal_rank) or e.low_rank <= e.nominal_rank <= e.high_rank:
            continue
        outside.append(e.entity)
        row = table.find(e.entity, dataset.year)
        where = table.where(row, meta.id_column) if row else (table.path,)
        col.add("uncertain-rank", f"{e.entity} ({e.name}): nominal rank {e.nominal_rank:g} outside its 90% interval "
                f"[{e.low_rank:g}, {e.high_rank:g}] (median {e.median_rank:g}; {spec.runs} runs, seed {rules.seed}, "
                f"profile {weights.name})", *where, entity=e.entity, rank=e.nominal_rank, low=e.low_rank,
                high=e.high_rank)  # fmt: skip
    return UncertaintyGate(weights.name, spec.runs, rules.seed, tuple(outside))
