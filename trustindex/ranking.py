"""Ranks from scores, with explicit tie rules."""

from __future__ import annotations

import numpy as np

TIES = ("competition", "dense", "fractional")
DECIMALS = 9
"""Scores equal when rounded to this many decimals are tied, so float noise never breaks a tie."""


def rank_scores(scores: np.ndarray, ties: str = "competition") -> np.ndarray:
    """Rank each column of ``scores`` (higher is better, 1 = best); NaN scores get NaN ranks.

    ``competition`` gives 1224, ``dense`` 1223 and ``fractional`` 1 2.5 2.5 4.
    """
    scores = np.round(np.asarray(scores, dtype=float), DECIMALS)
    flat = scores.ndim == 1
    if flat:
        scores = scores[:, None]
    out = np.full(scores.shape, np.nan)
    for j in range(scores.shape[1]):
        col = scores[:, j]
        ok = ~np.isnan(col)
        ascending = np.sort(col[ok])
        n = ascending.size
        above = n - np.searchsorted(ascending, col[ok], side="right")
        if ties == "competition":
            out[ok, j] = above + 1
        elif ties == "dense":
            distinct = np.unique(ascending)
            out[ok, j] = distinct.size - np.searchsorted(distinct, col[ok], side="left")
        else:
            at_or_above = n - np.searchsorted(ascending, col[ok], side="left")
            out[ok, j] = (above + 1 + at_or_above) / 2.0
    return out[:, 0] if flat else out
