"""The JRC statistical audit of a scored index: indicator statistics, pillar coherence, correlations, coverage.

``audit(result)`` reads the raw values (``result.dataset.values``) for the indicator statistics and the
normalised and aggregated scores (``result.scores``, directions applied) for everything else, and applies
the rules of ``result.weights.audit`` (OECD/JRC practice, see DESIGN.md, "Method references"):

- an indicator has outliers when |skewness| > max_skew and excess kurtosis > max_kurtosis (Excel SKEW/KURT);
- a pillar is internally consistent when Cronbach's alpha >= min_alpha;
- within a pillar, r > redundant flags two components as redundant, r < conflicting as pulling apart;
- a component correlates weakly with its parent when r < weak or the correlation is not significant;
- an indicator or entity needs data for at least min_coverage of the entities or indicators.

Every rule that fires becomes a ``Finding``; findings are ordered error, warning, notice. scipy is imported
inside the functions that need it (DESIGN.md rule 1).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .aggregate import below
from .model import Record, Result, Thresholds, frozen_map
from .stats import MIN_ENTITIES, SMALL_N, kurtosis, outlying, skewness

SEVERITIES = ("error", "warning", "notice")
MAX_ZEROS = 0.5
"""A notice when more than this share of an indicator's observed values are zero (COINr's get_stats t_zero)."""
MIN_UNIQUE = 0.5
"""A notice when fewer than this share of an indicator's observed values are distinct (COINr's t_unq)."""
MIN_ROWS = 3
"""Fewest complete rows (entities) for a correlation, an alpha or a principal component analysis."""


@dataclass(frozen=True, eq=False)
class IndicatorStats(Record):
    """Descriptive statistics of one indicator's raw values (missing values left out)."""

    indicator: str
    label: str
    parent: str
    unit: str
    n: int
    """Entities with a value."""
    coverage: float
    """Share of entities with a value."""
    min: float
    max: float
    mean: float
    median: float
    sd: float
    """Sample standard deviation (ddof = 1)."""
    skewness: float
    """Bias-corrected, as Excel's SKEW."""
    kurtosis: float
    """Bias-corrected excess kurtosis, as Excel's KURT."""
    zeros: float
    """Share of the observed values that are zero."""
    unique: float
    """Share of the observed values that are distinct."""
    outlier: bool
    """|skewness| > max_skew and kurtosis > max_kurtosis."""


@dataclass(frozen=True, eq=False)
class PillarStats(Record):
    """Internal consistency of one aggregate node over its components' scores (complete rows only)."""

    node: str
    label: str
    level: str
    components: tuple[str, ...]
    n: int
    """Entities with a score on every component."""
    alpha: float
    """Cronbach's alpha: k/(k−1) · (1 − Σ var(component) / var(sum)); NaN with fewer than MIN_ROWS rows."""
    alpha_if_deleted: tuple[float, ...]
    """Alpha without each component in turn (NaN when only one would remain), aligned with ``components``."""
    first_component: float
    """Share of the variance the first principal component explains (largest eigenvalue / k, correlation matrix)."""
    eigenvalues: tuple[float, ...]
    """Eigenvalues of the components' correlation matrix, largest first."""
    above_one: int
    """How many eigenvalues exceed 1 (Kaiser's rule: more than one suggests more than one latent dimension)."""


@dataclass(frozen=True, eq=False)
class Correlation(Record):
    """The correlation of two nodes' scores over the entities that have both (pairwise complete)."""

    kind: str
    """``within`` (two indicators of one pillar), ``siblings`` (two aggregates of one parent), ``parent``
    (a component and its parent) or ``index`` (a component and the index, when its parent is not the index)."""
    first: str
    second: str
    n: int
    pearson: float
    pearson_p: float
    spearman: float
    spearman_p: float
    flags: tuple[str, ...] = ()
    """``redundant``, ``conflicting``, ``weak``."""


@dataclass(frozen=True, eq=False)
class EntityCoverage(Record):
    entity: str
    name: str
    available: int
    """Indicators with a value."""
    coverage: float
    below: bool
    """Coverage below the audit's min_coverage."""


@dataclass(frozen=True, eq=False)
class Finding(Record):
    """One rule that fired: how serious, which rule, where, and the numbers."""

    severity: str
    """``error``, ``warning`` or ``notice``."""
    rule: str
    """``coverage``, ``outlier``, ``alpha``, ``redundant``, ``conflicting``, ``weak``, ``dimensions``, ``zeros``,
    ``unique``, ``constant``, ``too-few`` or ``small-n`` (first, below MIN_ENTITIES entities)."""
    message: str
    nodes: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    values: Mapping[str, float] = field(default_factory=frozen_map)


@dataclass(frozen=True, eq=False)
class Audit(Record):
    thresholds: Thresholds
    indicators: tuple[IndicatorStats, ...]
    pillars: tuple[PillarStats, ...]
    correlations: tuple[Correlation, ...]
    entities: tuple[EntityCoverage, ...]
    findings: tuple[Finding, ...]

    def flagged(self) -> tuple[Correlation, ...]:
        """The correlations that raised a flag."""
        return tuple(c for c in self.correlations if c.flags)

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)


# --- kernels ---------------------------------------------------------------------------------------------


def cronbach_alpha(x: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``x`` (complete rows, k >= 2); NaN when the total does not vary."""
    k = x.shape[1]
    total = np.var(x.sum(axis=1), ddof=1)
    if k < 2 or not total > 0:
        return math.nan
    return float(k / (k - 1) * (1 - np.var(x, axis=0, ddof=1).sum() / total))


def eigenvalues(x: np.ndarray) -> np.ndarray:
    """Eigenvalues of the correlation matrix of the columns of ``x``, largest first; NaN if a column is constant."""
    if not np.all(np.ptp(x, axis=0) > 0):
        return np.full(x.shape[1], np.nan)
    values = np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))
    return values[::-1]


def pearson_matrix(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of every pair of columns of ``x`` over the rows where both are observed, and those rows'
    counts (k × k each): NaN where fewer than MIN_ROWS rows remain or either column is constant on them."""
    observed = ~np.isnan(x)
    values = np.where(observed, x, 0.0)
    counts = observed.T.astype(np.intp) @ observed
    r = np.full(counts.shape, np.nan)
    for i in range(x.shape[1]):
        both = observed[:, i : i + 1] & observed  # rows × k: the rows of each pair (i, j)
        n = counts[i]
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.where(both, values[:, i : i + 1], 0.0)
            a = np.where(both, a - a.sum(axis=0) / n, 0.0)
            b = np.where(both, values - np.where(both, values, 0.0).sum(axis=0) / n, 0.0)
            high_a = np.where(both, values[:, i : i + 1], -np.inf).max(axis=0, initial=-np.inf)
            low_a = np.where(both, values[:, i : i + 1], np.inf).min(axis=0, initial=np.inf)
            high_b = np.where(both, values, -np.inf).max(axis=0, initial=-np.inf)
            low_b = np.where(both, values, np.inf).min(axis=0, initial=np.inf)
            row = (a * b).sum(axis=0) / np.sqrt((a * a).sum(axis=0) * (b * b).sum(axis=0))
        defined = (n >= MIN_ROWS) & (high_a > low_a) & (high_b > low_b)
        r[i] = np.where(defined, np.clip(row, -1.0, 1.0), np.nan)
    return r, counts


def correlations(x: np.ndarray, pairs) -> tuple[np.ndarray, ...]:
    """For each pair (i, j) of columns of ``x``, over the rows where both are observed: their count n, Pearson r
    (:func:`pearson_matrix`), its two-sided p, Spearman rho (r of the average ranks) and its two-sided p, as
    scipy.stats' pearsonr and spearmanr compute them; NaN wherever r is undefined. Only scipy.special is
    imported (scipy.stats costs over a second)."""
    from scipy.special import betainc, stdtr

    from .ranking import rank_scores

    i, j = np.asarray(pairs, dtype=np.intp).reshape(-1, 2).T
    matrix, counts = pearson_matrix(x)
    n, r = counts[i, j], matrix[i, j]
    observed = ~np.isnan(x)
    ranks = rank_scores(x, "fractional")  # each column's ranks: a pair's own when both miss the same rows
    rho = pearson_matrix(ranks)[0][i, j]
    for k in np.flatnonzero((observed[:, i] != observed[:, j]).any(axis=0) & ~np.isnan(r)):
        both = observed[:, i[k]] & observed[:, j[k]]
        rho[k] = pearson_matrix(rank_scores(x[both][:, [i[k], j[k]]], "fractional"))[0][0, 1]
    rho = np.where(np.isnan(r), np.nan, rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = n / 2 - 1  # r is Beta(n/2 - 1, n/2 - 1) on [-1, 1] under the null hypothesis
        r_p = 2 * betainc(half, half, (1 - np.abs(r)) / 2)
        t = rho * np.sqrt(((n - 2) / ((rho + 1) * (1 - rho))).clip(0))  # Student's t, n - 2 degrees of freedom
        rho_p = 2 * stdtr(n - 2, -np.abs(t))
    return n, r, r_p, rho, rho_p


def correlate(a: np.ndarray, b: np.ndarray) -> tuple[int, float, float, float, float]:
    """(n, Pearson r, its p, Spearman rho, its p) over the rows where both are observed; NaN if undefined
    (one pair of :func:`correlations`)."""
    n, *rest = (v[0] for v in correlations(np.column_stack([a, b]), [(0, 1)]))
    return int(n), *(float(v) for v in rest)


# --- the audit -------------------------------------------------------------------------------------------


def _indicator_stats(result: Result, rules: Thresholds) -> tuple[IndicatorStats, ...]:
    x = result.dataset.values
    rows = x.shape[0]
    observed = ~np.isnan(x)
    n = observed.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        mean, median = np.nanmean(x, axis=0), np.nanmedian(x, axis=0)
        sd = np.nanstd(x, axis=0, ddof=1)
    skew, kurt = skewness(x), kurtosis(x)
    flags = outlying(skew, kurt, rules.max_skew, rules.max_kurtosis)
    out = []
    for j, indicator in enumerate(result.framework.indicators):
        values = x[observed[:, j], j]
        count = int(n[j])
        out.append(
            IndicatorStats(
                indicator=indicator.id,
                label=indicator.label,
                parent=indicator.parent,
                unit=indicator.unit,
                n=count,
                coverage=count / rows if rows else math.nan,
                min=float(low[j]),
                max=float(high[j]),
                mean=float(mean[j]),
                median=float(median[j]),
                sd=float(sd[j]) if count > 1 else math.nan,
                skewness=float(skew[j]),
                kurtosis=float(kurt[j]),
                zeros=float(np.mean(values == 0)) if count else math.nan,
                unique=len(np.unique(values)) / count if count else math.nan,
                outlier=bool(flags[j]),
            )
        )
    return tuple(out)


def _components(result: Result, node: str) -> tuple[str, ...]:
    """The children of ``node`` that count: a positive weight and at least one score."""
    scores = result.scores
    return tuple(
        c
        for c in result.framework.children(node)
        if result.weights.weight(c) > 0 and not np.all(np.isnan(scores[:, result.column(c)]))
    )


def _pillar_stats(result: Result) -> tuple[PillarStats, ...]:
    framework, out = result.framework, []
    for node in framework.node_ids:
        if framework.level(node) == "indicator":
            continue
        components = _components(result, node)
        k = len(components)
        if k < 2:
            continue
        x = result.scores[:, [result.column(c) for c in components]]
        x = x[~np.isnan(x).any(axis=1)]
        n = x.shape[0]
        if n < MIN_ROWS:
            alpha, deleted, eig = math.nan, (math.nan,) * k, np.full(k, np.nan)
        else:
            alpha = cronbach_alpha(x)
            deleted = tuple(cronbach_alpha(np.delete(x, i, axis=1)) if k > 2 else math.nan for i in range(k))
            eig = eigenvalues(x)
        out.append(
            PillarStats(
                node=node,
                label=framework.label(node),
                level=framework.level(node),
                components=components,
                n=n,
                alpha=alpha,
                alpha_if_deleted=deleted,
                first_component=float(eig[0] / k),
                eigenvalues=tuple(float(e) for e in eig),
                above_one=int(np.sum(eig > 1)),
            )
        )
    return tuple(out)


def _correlations(result: Result, rules: Thresholds) -> tuple[Correlation, ...]:
    framework, scores = result.framework, result.scores
    index = framework.index.id

    def pair(kind: str, first: str, second: str, n, r, rp, rho, rhop) -> Correlation:
        flags = []
        if kind in ("within", "siblings"):
            if r > rules.redundant:
                flags.append("redundant")
            if r < rules.conflicting:
                flags.append("conflicting")
        elif kind == "parent":
            if r > rules.redundant:
                flags.append("redundant")
            if r < rules.conflicting:
                flags.append("conflicting")
            if r < rules.weak or rp > rules.significance:
                flags.append("weak")
        elif r < rules.conflicting:  # a component against the index
            flags.append("conflicting")
        return Correlation(kind, first, second, int(n), float(r), float(rp), float(rho), float(rhop), tuple(flags))

    out = []
    for node in framework.node_ids:
        if framework.level(node) == "indicator":
            continue
        components = _components(result, node)
        indicators = [c for c in components if framework.level(c) == "indicator"]
        aggregates = [c for c in components if framework.level(c) != "indicator"]
        for group, kind in ((indicators, "within"), (aggregates, "siblings")):
            for i, first in enumerate(group):
                for second in group[i + 1 :]:
                    out.append((kind, first, second))
        if len(components) > 1:  # a lone component is its parent, up to scale: nothing to learn
            out += [("parent", c, node) for c in components]
        if node != index:
            out += [("index", c, index) for c in components]
    if not out:
        return ()
    found = correlations(scores, [(result.column(a), result.column(b)) for _, a, b in out])
    return tuple(pair(*names, *values) for names, *values in zip(out, *found, strict=True))


def _entity_coverage(result: Result, rules: Thresholds) -> tuple[EntityCoverage, ...]:
    x = result.dataset.values
    available = (~np.isnan(x)).sum(axis=1)
    total = x.shape[1]
    out = []
    for i, (entity, name) in enumerate(zip(result.dataset.entities, result.dataset.names, strict=True)):
        share = available[i] / total if total else math.nan
        short = bool(below(share, rules.min_coverage))
        out.append(EntityCoverage(entity, name, int(available[i]), float(share), short))
    return tuple(out)


def _g(value: float, digits: int = 3) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}g}"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


NOISY = ("alpha", "redundant", "conflicting", "weak", "dimensions")
"""The rules that rest on correlations, Cronbach's alpha or PCA: notices below MIN_ENTITIES entities."""


def _findings(result: Result, rules: Thresholds, indicators, pillars, correlations, entities) -> list[Finding]:
    framework = result.framework
    label = framework.label
    rows = len(result.dataset.entities)
    found: list[Finding] = []
    small = rows < MIN_ENTITIES

    def add(severity, rule, message, nodes=(), who=(), **values):
        if small and rule in NOISY:
            severity = "notice"
        found.append(Finding(severity, rule, message, tuple(nodes), tuple(who), frozen_map(values)))

    # Coverage of indicators, then of entities.
    missing = np.isnan(result.dataset.values)
    for j, s in enumerate(indicators):
        if below(s.coverage, rules.min_coverage):
            who = tuple(np.array(result.dataset.entities, dtype=object)[missing[:, j]])
            add("error", "coverage", f"{s.label}: {s.n} of {rows} entities have a value ({_pct(s.coverage)}), "
                f"below {_pct(rules.min_coverage)}", [s.indicator], who, coverage=s.coverage,
                min_coverage=rules.min_coverage)  # fmt: skip
    total = len(framework.indicators)
    for e in entities:
        if e.below:
            add("error", "coverage", f"{e.name}: {e.available} of {total} indicators have a value "
                f"({_pct(e.coverage)}), below {_pct(rules.min_coverage)}", (), [e.entity], coverage=e.coverage,
                min_coverage=rules.min_coverage)  # fmt: skip

    # Correlations against the parent that run the wrong way: an error (a direction is probably wrong).
    for c in correlations:
        if c.kind == "parent" and "conflicting" in c.flags:
            add("error", "conflicting", f"{label(c.first)} runs against {label(c.second)}: r = {c.pearson:.2f} < "
                f"{rules.conflicting:g} (n = {c.n}); check its direction", [c.first, c.second], pearson=c.pearson,
                spearman=c.spearman, n=c.n, threshold=rules.conflicting)  # fmt: skip

    # Outliers.
    for s in indicators:
        if s.outlier:
            add("warning", "outlier", f"{s.label}: skewness {s.skewness:.2f} and kurtosis {s.kurtosis:.2f} exceed "
                f"{rules.max_skew:g} and {rules.max_kurtosis:g}: outliers likely", [s.indicator],
                skewness=s.skewness, kurtosis=s.kurtosis, max_skew=rules.max_skew,
                max_kurtosis=rules.max_kurtosis)  # fmt: skip

    # Internal consistency.
    for p in pillars:
        if not math.isnan(p.alpha) and p.alpha < rules.min_alpha:
            message = f"{p.label}: Cronbach's alpha {p.alpha:.2f} below {rules.min_alpha:g} ({len(p.components)} "
            message += f"components, n = {p.n})"
            deleted = [-math.inf if math.isnan(d) else d for d in p.alpha_if_deleted]
            best = int(np.argmax(deleted))
            extra = {}
            if deleted[best] > p.alpha:
                message += f"; without {label(p.components[best])} it would be {p.alpha_if_deleted[best]:.2f}"
                extra = {"alpha_without": p.alpha_if_deleted[best]}
            add("warning", "alpha", message, [p.node], alpha=p.alpha, min_alpha=rules.min_alpha, n=p.n, **extra)
        elif math.isnan(p.alpha) and p.n < MIN_ROWS:
            add(
                "notice",
                "too-few",
                f"{p.label}: only {p.n} entities have every component: no alpha or PCA",
                [p.node],
                n=p.n,
            )

    # Pairs within a pillar and sibling pillars.
    for c in correlations:
        where = label(framework.parent(c.first))
        if c.kind in ("within", "siblings") and "redundant" in c.flags:
            add("warning", "redundant", f"{label(c.first)} and {label(c.second)} ({where}): r = {c.pearson:.2f} > "
                f"{rules.redundant:g} (n = {c.n}): one may be redundant", [c.first, c.second], pearson=c.pearson,
                spearman=c.spearman, n=c.n, threshold=rules.redundant)  # fmt: skip
        if c.kind in ("within", "siblings") and "conflicting" in c.flags:
            add("warning", "conflicting", f"{label(c.first)} and {label(c.second)} ({where}): r = {c.pearson:.2f} < "
                f"{rules.conflicting:g} (n = {c.n}): they pull the pillar apart", [c.first, c.second],
                pearson=c.pearson, spearman=c.spearman, n=c.n, threshold=rules.conflicting)  # fmt: skip
        if c.kind == "index" and "conflicting" in c.flags:
            add("warning", "conflicting", f"{label(c.first)} runs against the index: r = {c.pearson:.2f} < "
                f"{rules.conflicting:g} (n = {c.n})", [c.first, c.second], pearson=c.pearson, n=c.n,
                threshold=rules.conflicting)  # fmt: skip

    # Components and their parent.
    for c in correlations:
        if c.kind != "parent" or "weak" not in c.flags or "conflicting" in c.flags:
            continue
        strength = "weakly" if c.pearson < rules.weak else "not significantly"
        add("warning" if c.pearson < rules.weak else "notice", "weak",
            f"{label(c.first)} correlates {strength} with {label(c.second)}: r = {c.pearson:.2f} "
            f"(p = {_g(c.pearson_p, 2)}, n = {c.n}; rule r >= {rules.weak:g}, p <= {rules.significance:g})",
            [c.first, c.second], pearson=c.pearson, p=c.pearson_p, n=c.n, weak=rules.weak,
            significance=rules.significance)  # fmt: skip
    for c in correlations:
        if c.kind == "parent" and "redundant" in c.flags:
            add("notice", "redundant", f"{label(c.second)} follows {label(c.first)} closely: r = {c.pearson:.2f} > "
                f"{rules.redundant:g} (n = {c.n})", [c.first, c.second],
                pearson=c.pearson, n=c.n, threshold=rules.redundant)  # fmt: skip

    # Dimensionality and the shape of the values.
    for p in pillars:
        if p.above_one > 1:
            add("notice", "dimensions", f"{p.label}: {p.above_one} eigenvalues above 1; the first principal "
                f"component explains {_pct(p.first_component)}: more than one latent dimension", [p.node],
                above_one=p.above_one, first_component=p.first_component)  # fmt: skip
    for s in indicators:
        if s.n > 1 and s.max == s.min:
            add("notice", "constant", f"{s.label}: every entity has the same value ({_g(s.min, 6)})", [s.indicator])
            continue
        if s.zeros > MAX_ZEROS:
            add("notice", "zeros", f"{s.label}: {_pct(s.zeros)} of the values are zero", [s.indicator],
                zeros=s.zeros, threshold=MAX_ZEROS)  # fmt: skip
        if s.unique < MIN_UNIQUE:
            add("notice", "unique", f"{s.label}: only {round(s.unique * s.n)} distinct values among {s.n} "
                f"({_pct(s.unique)})", [s.indicator], unique=s.unique, threshold=MIN_UNIQUE)  # fmt: skip
    lead = [Finding("notice", "small-n", SMALL_N.format(n=rows, least=MIN_ENTITIES), values=frozen_map({"n": rows}))]
    return lead * small + sorted(found, key=lambda f: SEVERITIES.index(f.severity))


def audit(result: Result, thresholds: Thresholds | None = None) -> Audit:
    """Audit ``result`` with ``thresholds`` (default: its weights profile's ``audit`` rules)."""
    rules = result.weights.audit if thresholds is None else thresholds
    indicators = _indicator_stats(result, rules)
    pillars = _pillar_stats(result)
    correlations = _correlations(result, rules)
    entities = _entity_coverage(result, rules)
    findings = _findings(result, rules, indicators, pillars, correlations, entities)
    return Audit(rules, indicators, pillars, correlations, entities, tuple(findings))
