"""Ranks from scores: one sort per row of a batch, three tie rules, and what the rank statistics need.

Every ranking in trustindex — a result's ranks, the nominal and per-run ranks of uncertainty, sensitivity and
stability, the TUI's live table — goes through :func:`order_rows`; a single ranking is its one-row case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Record

TIES = ("competition", "dense", "fractional")
"""``competition`` ranks 1224, ``dense`` 1223, ``fractional`` 1 2.5 2.5 4."""
TOLERANCE = 1e-9
"""Scores within TOLERANCE of each other (relative, above magnitude 1) are tied, so float noise never breaks
a tie. Neighbours are compared after sorting, so a tie can chain through close scores."""


@dataclass(frozen=True, eq=False)
class Ordering(Record):
    """Each row of a batch of scores (runs × entities) sorted ascending, with its tie groups.

    Positions are in sorted order: ``order[r, k]`` is the entity at position k of row r and ``place[r, e]``
    the position of entity e; the entities at positions ``start[r, k]`` to ``end[r, k] - 1`` share a tie
    group; the first ``valid[r]`` positions hold scores, the rest NaN.
    """

    order: np.ndarray
    place: np.ndarray
    start: np.ndarray
    end: np.ndarray
    valid: np.ndarray

    def _scatter(self, sorted_values: np.ndarray) -> np.ndarray:
        """Values given per sorted position, back in entity order; NaN for unscored entities."""
        out = np.take_along_axis(sorted_values, self.place, axis=1).astype(float)
        out[self.place >= self.valid[:, None]] = np.nan
        return out

    def ranks(self, ties: str = "competition") -> np.ndarray:
        """Ranks (1 = best) of every entity in every row under a tie rule; NaN where there is no score."""
        m = self.valid[:, None]
        if not self.order.size:
            return np.full(self.order.shape, np.nan)
        if ties == "competition":
            return self._scatter((m - self.end + 1).astype(float))
        if ties == "fractional":
            return self._scatter(m - (self.start + self.end - 1) / 2.0)
        if ties == "dense":
            group = np.cumsum(self.start == np.arange(self.order.shape[1]), axis=1)  # 1-based, ascending
            last = np.take_along_axis(group, np.maximum(self.valid - 1, 0)[:, None], axis=1)
            return self._scatter((last - group + 1).astype(float))
        raise ValueError(f"unknown tie rule {ties!r}")

    def tied_pairs(self) -> np.ndarray:
        """Per row, the number of pairs of scored entities that are tied."""
        positions = np.arange(self.order.shape[1])
        within = np.where(positions < self.valid[:, None], positions - self.start, 0)
        return within.sum(axis=1)


def order_rows(scores: np.ndarray) -> Ordering:
    """Sort every row of ``scores`` (runs × entities) and find its tie groups."""
    scores = np.asarray(scores, dtype=float)
    runs, n = scores.shape
    order = np.argsort(scores, axis=1)  # NaN last; the order within a tie group does not matter
    place = np.empty_like(order)
    rows = np.arange(runs)[:, None] * n
    place.reshape(-1)[(order + rows).reshape(-1)] = np.tile(np.arange(n), runs)
    ascending = np.take_along_axis(scores, order, axis=1)
    valid = np.count_nonzero(~np.isnan(scores), axis=1)
    starts = np.ones((runs, n), dtype=bool)
    if n > 1:
        low, high = ascending[:, :-1], ascending[:, 1:]
        with np.errstate(invalid="ignore"):
            scale = np.maximum(1.0, np.minimum(np.abs(low), np.abs(high)))
            starts[:, 1:] = ~(high - low <= TOLERANCE * scale)  # NaN neighbours start groups of their own
    positions = np.arange(n)
    start = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
    following = np.where(starts, positions, n)  # where each group ends: the next group's start
    end = np.minimum.accumulate(np.concatenate([following[:, 1:], np.full((runs, 1), n)], axis=1)[:, ::-1], axis=1)
    return Ordering(order, place, start, end[:, ::-1], valid)


def rank_rows(scores: np.ndarray, ties: str = "competition") -> np.ndarray:
    """Ranks (1 = best) within each row of ``scores`` (runs × entities); NaN scores stay unranked."""
    return order_rows(scores).ranks(ties)


def rank_scores(scores: np.ndarray, ties: str = "competition") -> np.ndarray:
    """Rank a vector of scores, or each column of a matrix (entities × columns): the one-row case."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return rank_rows(scores[None, :], ties)[0]
    return rank_rows(scores.T, ties).T
