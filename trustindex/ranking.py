"""Ranks from scores, with explicit tie rules."""

from __future__ import annotations

import numpy as np

TIES = ("competition", "dense", "fractional")
DECIMALS = 9
"""Scores within 10**-DECIMALS of each other (relative, above magnitude 1) are tied, so float noise
never breaks a tie. Neighbours are compared after sorting, so a tie can chain through close scores."""


def _snap(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` with each run of near-equal sorted neighbours set to the run's lowest, and sorted."""
    order = np.argsort(values, kind="stable")
    ascending = values[order]
    if ascending.size:
        scale = np.maximum(1.0, np.minimum(np.abs(ascending[:-1]), np.abs(ascending[1:])))
        starts = np.r_[True, np.diff(ascending) > 10.0**-DECIMALS * scale]
        ascending = ascending[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    snapped = np.empty_like(values)
    snapped[order] = ascending
    return snapped, ascending


def rank_scores(scores: np.ndarray, ties: str = "competition") -> np.ndarray:
    """Rank each column of ``scores`` (higher is better, 1 = best); NaN scores get NaN ranks.

    ``competition`` gives 1224, ``dense`` 1223 and ``fractional`` 1 2.5 2.5 4.
    """
    scores = np.asarray(scores, dtype=float)
    flat = scores.ndim == 1
    if flat:
        scores = scores[:, None]
    out = np.full(scores.shape, np.nan)
    for j in range(scores.shape[1]):
        ok = ~np.isnan(scores[:, j])
        col, ascending = _snap(scores[ok, j])
        n = ascending.size
        above = n - np.searchsorted(ascending, col, side="right")
        if ties == "competition":
            out[ok, j] = above + 1
        elif ties == "dense":
            distinct = np.unique(ascending)
            out[ok, j] = distinct.size - np.searchsorted(distinct, col, side="left")
        else:
            at_or_above = n - np.searchsorted(ascending, col, side="left")
            out[ok, j] = (above + 1 + at_or_above) / 2.0
    return out[:, 0] if flat else out
