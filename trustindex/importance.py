"""Effective importance of each pillar and indicator in the index (Paruolo, Saisana & Saltelli 2013).

A weight says how much a component *should* count; its first-order effect on the index across the
entities says how much it *does*. The first-order effect S = Var(E[index | component]) / Var(index) is
estimated two ways: the squared Pearson correlation (exact when the relation is linear) and the
correlation ratio from a local linear kernel regression (any smooth relation). Shares of S within a level
are set beside the nominal weight shares; a component whose share is more than ``factor`` times its
nominal share, or less than 1/``factor`` of it, is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Record, Result
from .stats import MIN_ENTITIES

FACTOR = 2.0


@dataclass(frozen=True, eq=False)
class Importance(Record):
    node: str
    label: str
    level: str
    nominal: float
    """Nominal weight share among the components of the same level."""
    r2: float
    eta2: float
    """Correlation ratio: the first-order effect estimated by kernel regression."""
    share: float
    """``eta2`` as a share among the components of the same level."""
    flag: str
    """``over`` or ``under`` when the share diverges from the nominal share by more than the factor."""


def correlation_ratio(x: np.ndarray, y: np.ndarray, chunk: int = 256) -> float:
    """Var(E[y | x]) / Var(y), with E[y | x] from a local linear Gaussian kernel regression (bandwidth by
    Silverman's rule on the standardised x). Local linear, unlike a local mean, reproduces a straight
    line exactly, so a linear relation gives the squared correlation."""
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.var(y) == 0 or np.var(x) == 0:
        return float("nan")
    z = (x - x.mean()) / x.std()
    bandwidth = 1.06 * len(z) ** (-1 / 5)
    fitted = np.empty_like(y)
    for start in range(0, len(z), chunk):
        d = z[None, :] - z[start : start + chunk, None]
        k = np.exp(-0.5 * (d / bandwidth) ** 2)
        s0, s1, s2 = k.sum(axis=1), (k * d).sum(axis=1), (k * d * d).sum(axis=1)
        t0, t1 = k @ y, (k * d) @ y
        fitted[start : start + chunk] = (s2 * t0 - s1 * t1) / (s0 * s2 - s1 * s1)
    return float(min(1.0, np.var(fitted) / np.var(y)))


def first_order(x: np.ndarray, index: np.ndarray) -> tuple[float, float]:
    """The first-order effect of ``x`` on ``index`` two ways (entities with both): the squared correlation and
    the correlation ratio."""
    ok = ~(np.isnan(x) | np.isnan(index))
    r = np.corrcoef(x[ok], index[ok])[0, 1] if ok.sum() > 2 and np.std(x[ok]) > 0 else np.nan
    return float(r * r), correlation_ratio(x, index)


def importance(result: Result, factor: float = FACTOR) -> tuple[Importance, ...]:
    """Effective against nominal importance of every pillar and indicator with a positive nominal share."""
    framework = result.framework
    index = result.scores[:, 0]
    scored = int(np.sum(~np.isnan(index)))
    rows = []
    for level in ("pillar", "sub-pillar", "indicator"):
        nodes = [n for n in result.nodes[1:] if framework.level(n) == level and result.shares[result.column(n)] > 0]
        if not nodes:
            continue
        nominal = np.array([result.shares[result.column(n)] for n in nodes])
        nominal = nominal / nominal.sum()
        r2, eta2 = [], []
        for node in nodes:
            found = first_order(result.scores[:, result.column(node)], index)
            r2.append(found[0])
            eta2.append(found[1])
        eta = np.array(eta2)
        total = np.nansum(eta)
        share = eta / total if total > 0 else np.full(len(nodes), np.nan)
        for j, node in enumerate(nodes):
            flag = ""
            if scored >= MIN_ENTITIES and not np.isnan(share[j]):
                if share[j] > factor * nominal[j]:
                    flag = "over"
                elif share[j] < nominal[j] / factor:
                    flag = "under"
            rows.append(
                Importance(
                    node,
                    framework.label(node),
                    level,
                    float(nominal[j]),
                    float(r2[j]),
                    float(eta[j]),
                    float(share[j]),
                    flag,
                )  # fmt: skip
            )
    return tuple(rows)
