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
        if (self.valid < self.place.shape[1]).any():
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
    ascending = np.sort(scores, axis=1)  # faster than gathering by ``order`` (a vectorised sort), and the same
    valid = np.full(runs, n)
    unscored = np.isnan(ascending[:, -1])
    valid[unscored] = np.count_nonzero(~np.isnan(ascending[unscored]), axis=1)
    positions = np.arange(n)
    starts = np.ones((runs, n), dtype=bool)
    if n > 1:
        with np.errstate(invalid="ignore"):
            gap = np.diff(ascending, axis=1)  # NaN next to an unscored entity: a group of its own
            # Only a gap within the tolerance of the row's largest magnitude can be a tie: those few are
            # compared with the tolerance of their own pair.
            rows = np.arange(runs)
            largest = np.maximum(np.abs(ascending[:, 0]), np.abs(ascending[rows, np.maximum(valid - 1, 0)]))
            close = gap <= (TOLERANCE * np.maximum(largest, 1.0))[:, None]
        if close.any():
            r, i = np.nonzero(close)
            pair = np.minimum(np.abs(ascending[r, i]), np.abs(ascending[r, i + 1]))
            close[r, i] = gap[r, i] <= TOLERANCE * np.maximum(pair, 1.0)
        np.logical_not(close, out=starts[:, 1:])
    place = np.empty((runs, n), dtype=np.intp)
    place[np.arange(runs)[:, None], order] = positions  # the inverse permutation
    if starts.all():  # no ties: every entity is a group of its own
        return Ordering(place, place, place + 1, valid)
    # Ties are few: each entity is a group of its own but those in a group of two or more, set one by one,
    # found in the rows that have a tie.
    tied = np.flatnonzero(~starts.all(axis=1))
    begins = starts[tied]
    following = np.ones(begins.shape, dtype=bool)  # the next position begins a group
    following[:, :-1] = begins[:, 1:]
    k, i = np.nonzero(~(begins & following))  # (sorted) positions in a group of two or more
    first = np.maximum.accumulate(np.where(begins, positions, 0), axis=1)[k, i]
    after = np.where(following, positions + 1, n)[:, ::-1]  # where each group ends, found from the right
    last = np.minimum.accumulate(after, axis=1)[:, ::-1][k, i]
    r = tied[k]
    start, end = place.copy(), place + 1
    entity = order[r, i]
    start[r, entity], end[r, entity] = first, last
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
