"""Weights from intentions: pillar weights whose *effective* importance matches target shares (Becker et al.
2017, as COINr's ``get_opt_weights``), or weights from the first principal component of the pillars.

A nominal weight is not the importance a component ends up with: correlated components, different spreads and
non-linear means shift it. :mod:`trustindex.importance` measures the first-order effect of each pillar on the
index (the correlation ratio, or the squared correlation); here the index weights are searched
(``scipy.optimize.minimize``, Nelder–Mead on log-weights, so they stay positive) until each pillar's share of
the effects is within ``tolerance`` of its target share. The pillar scores do not depend on the index weights,
so each step re-scores the index only, through the one engine.

PCA weights: the squared loadings of the first principal component of the standardised pillar scores (the
OECD/JRC Handbook's factor-analysis weights, scaled to sum to 1). They describe the data's correlation, not an
intention, and are fragile: loadings of mixed sign (a pillar that pulls against the others gets a positive
weight all the same), and a first component that explains little or barely more than the second (the
direction is unstable: a small change of data turns it), are reported as caveats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .importance import first_order
from .model import Record
from .stats import MIN_ENTITIES

MEASURES = ("eta2", "r2")
"""The correlation ratio (what ``importance`` reports as effective) or the squared correlation."""
TOLERANCE = 0.01
MIN_EXPLAINED = 0.5
"""Below this share of the variance the first principal component is a weak summary."""
MIN_GAP = 1.5
"""A first eigenvalue less than this many times the second leaves the component's direction unstable."""


@dataclass(frozen=True, eq=False)
class Fitted(Record):
    """Fitted index weights and how close their effective importance came to the target."""

    nodes: tuple[str, ...]
    """The components of the index whose weights were fitted."""
    method: str
    """``target`` or ``pca``."""
    measure: str
    nominal: np.ndarray
    """The profile's weight shares."""
    weights: np.ndarray
    """The fitted weight shares (sum 1)."""
    target: np.ndarray
    """The target shares of effective importance (for PCA: the fitted weights themselves)."""
    before: np.ndarray
    """Effective importance shares under the profile's weights."""
    after: np.ndarray
    """Effective importance shares under the fitted weights."""
    gap: float
    """The largest |after − target|."""
    tolerance: float
    reached: bool
    evaluations: int
    caveats: tuple[str, ...] = ()


def _few(engine) -> tuple[str, ...]:
    """The caveat of a small field: below MIN_ENTITIES the importance measures and PCA are noise."""
    n = len(engine.entities)
    if n >= MIN_ENTITIES:
        return ()
    return (f"{n} entities: below {MIN_ENTITIES} the measures of importance and the principal components are too "
            "noisy to act on",)  # fmt: skip


def _components(engine) -> tuple[list[int], np.ndarray]:
    """The columns of the index's weighted components and their scores (entities × components)."""
    step = engine.steps[-1]
    assert engine.nodes[step.column] == engine.framework.index.id
    columns = [c for c in step.children if engine.nominal[c] > 0]
    if len(columns) < 2:
        raise ConfigError("the index has fewer than two weighted components: there is no weight to fit")
    nodes = engine.node_scores(engine.nominal, engine.nominal_variant()).scores[0]
    return columns, nodes[:, columns]


def _shares(scores: np.ndarray, index: np.ndarray, measure: str) -> np.ndarray:
    """Each component's share of the first-order effects on ``index`` (as :func:`importance` computes them)."""
    which = 0 if measure == "r2" else 1
    effects = np.array([first_order(scores[:, k], index)[which] for k in range(scores.shape[1])])
    total = np.nansum(effects)
    return effects / total if total > 0 else np.full(len(effects), np.nan)


def fit_target(engine, target: np.ndarray | None = None, measure: str = "eta2", tolerance: float = TOLERANCE) -> Fitted:
    """Index weights whose effective importance shares match ``target`` (equal shares when None)."""
    from scipy.optimize import minimize

    if measure not in MEASURES:
        raise ConfigError(f"unknown measure {measure!r}", hint="eta2 or r2")
    columns, scores = _components(engine)
    k = len(columns)
    target = np.full(k, 1.0 / k) if target is None else np.asarray(target, dtype=float)
    nominal = engine.nominal[columns] / engine.nominal[columns].sum()
    row = np.array(engine.nominal, dtype=float)
    variant = engine.nominal_variant()

    def shares(weights: np.ndarray) -> np.ndarray:
        row[columns] = weights
        return _shares(scores, engine.scores(row[None, :], variant)[0], measure)

    def loss(u: np.ndarray) -> float:
        found = shares(np.exp(u - u.max()))
        return float(np.sum((found - target) ** 2)) if np.all(np.isfinite(found)) else 1e9

    before = shares(nominal)
    if np.any(np.isnan(before)):
        raise ConfigError(
            "the effective importance of a pillar cannot be measured (it does not vary, or too few "
            "entities are scored)",
            hint="fit weights on a dataset where every pillar varies",
        )
    start = np.log(nominal)
    found = minimize(
        loss,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": tolerance**2 / 100, "maxiter": 400 * k, "maxfev": 400 * k},
    )
    weights = np.exp(found.x - found.x.max())
    weights /= weights.sum()
    after = shares(weights)
    gap = float(np.max(np.abs(after - target)))
    return Fitted(tuple(engine.nodes[c] for c in columns), "target", measure, nominal, weights, target, before, after,
                  gap, tolerance, gap <= tolerance, int(found.nfev), _few(engine))  # fmt: skip


def fit_pca(engine, measure: str = "eta2") -> Fitted:
    """Index weights from the first principal component of the standardised component scores (entities with
    every component), with the caveats of its loadings."""
    columns, scores = _components(engine)
    nodes = tuple(engine.nodes[c] for c in columns)
    complete = scores[~np.isnan(scores).any(axis=1)]
    if len(complete) <= len(columns):
        raise ConfigError(f"PCA needs more entities with every component than components ({len(complete)} for "
                          f"{len(columns)})", hint="fit weights to targets instead")  # fmt: skip
    spread = complete.std(axis=0, ddof=1)
    if np.any(spread == 0):
        raise ConfigError(f"{nodes[int(np.argmin(spread))]!r} does not vary: it has no principal component loading")
    values, vectors = np.linalg.eigh(np.corrcoef(complete, rowvar=False))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    loading = vectors[:, 0] * np.sign(vectors[:, 0].sum() or 1.0)
    weights = loading**2 / np.sum(loading**2)
    caveats = list(_few(engine))
    negative = [n for n, v in zip(nodes, loading, strict=True) if v < 0]
    if negative:
        caveats.append(
            f"{', '.join(negative)} load{'s' if len(negative) == 1 else ''} negatively on the first "
            "component: it pulls against the others, yet its squared loading gives it a positive weight"
        )
    explained = values[0] / values.sum()
    if explained < MIN_EXPLAINED:
        caveats.append(f"the first component explains {explained:.0%} of the variance: a weak summary of the pillars")
    if values[1] > 0 and values[0] / values[1] < MIN_GAP:
        caveats.append(f"the first eigenvalue ({values[0]:.2f}) is less than {MIN_GAP:g} times the second "
                       f"({values[1]:.2f}): the component's direction, and so the weights, are unstable")  # fmt: skip
    nominal = engine.nominal[columns] / engine.nominal[columns].sum()
    row = np.array(engine.nominal, dtype=float)
    variant = engine.nominal_variant()

    def shares(w: np.ndarray) -> np.ndarray:
        row[columns] = w
        return _shares(scores, engine.scores(row[None, :], variant)[0], measure)

    after = shares(weights)
    return Fitted(nodes, "pca", measure, nominal, weights, weights, shares(nominal), after,
                  float(np.max(np.abs(after - weights))), 0.0, True, 1, tuple(caveats))  # fmt: skip
