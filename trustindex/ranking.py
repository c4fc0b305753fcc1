"""Ranks from scores: one sort per row of a batch, three tie rules, and what the rank statistics need.

Every ranking in trustindex — a result's ranks, the nominal and per-run ranks of uncertainty, sensitivity and
stability, the TUI's live table — goes through :func:`order_rows`; a single ranking is its one-row case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import methods
from .model import Record

TIES = methods.TIES
"""``competition`` ranks 1224, ``dense`` 1223, ``fractional`` 1 2.5 2.5 4."""
TOLERANCE = 1e-9
"""Scores within TOLERANCE of each other (relative, above magnitude 1) are tied, so float noise never breaks
a tie. Neighbours are compared after sorting, so a tie can chain through close scores."""


@dataclass(frozen=True, eq=False)
class Ordering(Record):
    """Each row of a batch of scores (runs × entities) sorted ascending, with its tie groups, per entity.

    ``place[r, e]`` is entity e's position in row r's ascending order (ties in any order); the group of
    entities tied with it holds positions ``start[r, e]`` to ``end[r, e] - 1``; the first ``valid[r]``
    positions hold scores, the rest NaN. ``starts`` (in sorted order) marks where each group begins.
    """

    place: np.ndarray
    start: np.ndarray
    end: np.ndarray
    valid: np.ndarray
    starts: np.ndarray | None = None
    """None when no row has a tie."""

    def ranks(self, ties: str = "competition") -> np.ndarray:
        """Ranks (1 = best) of every entity in every row under a tie rule; NaN where there is no score."""
        m = self.valid[:, None]
        if ties == "competition":
            ranks = (m - self.end + 1).astype(float)
        elif ties == "fractional":
            ranks = m - (self.start + self.end - 1) / 2.0
        elif ties == "dense":
            group = self.place + 1 if self.starts is None else np.take_along_axis(np.cumsum(self.starts, axis=1),
                                                                                  self.place, axis=1)  # fmt: skip
            last = group.max(axis=1, initial=0, where=self.place < m, keepdims=True)  # groups among the scored
            ranks = (last - group + 1).astype(float)
        else:
            raise ValueError(f"unknown tie rule {ties!r}")
        ranks[self.place >= m] = np.nan
        return ranks

    def tied_pairs(self) -> np.ndarray:
        """Per row, the number of pairs of scored entities that are tied."""
        return np.where(self.place < self.valid[:, None], self.place - self.start, 0).sum(axis=1)


def order_rows(scores: np.ndarray) -> Ordering:
    """Sort every row of ``scores`` (runs × entities) and find its tie groups."""
    scores = np.asarray(scores, dtype=float)
    runs, n = scores.shape
    if not n:
        empty = np.zeros((runs, 0), dtype=np.intp)
        return Ordering(empty, empty, empty, np.zeros(runs, dtype=np.intp))
    order = np.argsort(scores, axis=1)  # NaN last; the order within a tie group does not matter
    ascending = np.take_along_axis(scores, order, axis=1)
    valid = np.count_nonzero(~np.isnan(scores), axis=1)
    positions = np.arange(n)
    starts = np.ones((runs, n), dtype=bool)
    if n > 1:
        size = np.abs(ascending)
        tolerance = np.minimum(size[:, :-1], size[:, 1:])
        np.maximum(tolerance, 1.0, out=tolerance)
        tolerance *= TOLERANCE
        with np.errstate(invalid="ignore"):
            np.greater(np.diff(ascending, axis=1), tolerance, out=starts[:, 1:])
        if (valid < n).any():  # NaN sorts last: each unscored entity is a group of its own
            starts[positions[None, :] >= valid[:, None]] = True
    place = np.empty((runs, n), dtype=np.intp)
    place[np.arange(runs)[:, None], order] = positions  # the inverse permutation
    if starts.all():  # no ties: every entity is a group of its own
        return Ordering(place, place, place + 1, valid)
    start = np.maximum.accumulate(np.where(starts, positions, 0), axis=1)
    following = np.where(starts, positions, n)  # where each group ends: the next group's start
    end = np.minimum.accumulate(np.concatenate([following[:, 1:], np.full((runs, 1), n)], axis=1)[:, ::-1], axis=1)
    start, end = (np.take_along_axis(part, place, axis=1) for part in (start, end[:, ::-1]))
    return Ordering(place, start, end, valid, starts)


def rank_rows(scores: np.ndarray, ties: str = "competition") -> np.ndarray:
    """Ranks (1 = best) within each row of ``scores`` (runs × entities); NaN scores stay unranked."""
    return order_rows(scores).ranks(ties)


def rank_scores(scores: np.ndarray, ties: str = "competition") -> np.ndarray:
    """Rank a vector of scores, or each column of a matrix (entities × columns): the one-row case."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return rank_rows(scores[None, :], ties)[0]
    return rank_rows(scores.T, ties).T
