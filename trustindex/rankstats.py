"""Accumulators for summaries over many runs, whose partial results merge exactly: counts and sums.

Nothing here keeps a run: rank counts, score histograms on a fixed lattice, and the sums behind the mean
Spearman and Kendall correlations of each run's ranking with the nominal one. Memory depends on the number
of entities, never on the number of runs.
"""

from __future__ import annotations

import numpy as np

from .ranking import Ordering, order_rows

EXACT_KENDALL = 512
"""Up to this many ranked entities Kendall's tau is exact (all pairs, by bit sets); beyond, it is estimated."""
KENDALL_PAIRS = 2**12
"""Random pairs of entities, drawn afresh for each batch of runs, that estimate Kendall's tau of a larger
ranking: about ±0.01 for one batch, and the mean over many batches far closer."""
BLOCK = 64
"""Window columns per block: a search for a count goes over the blocks' sums first, then within one block."""
WORDS_PER_BATCH = 2**22


def first_reaching(cumulative: np.ndarray, goals: np.ndarray, strictly: bool = False) -> np.ndarray:
    """Per row of ``cumulative`` (non-decreasing counts), the first column at which it reaches each goal (exceeds
    it, with ``strictly``): ``goals`` is one per row, or a stack of them (goals × rows), and one binary search
    over all rows at once finds them all, the rows laid end to end."""
    rows, width = cumulative.shape
    goals = np.asarray(goals)
    if not width:
        return np.zeros(goals.shape, dtype=np.int64)
    lift = (cumulative[:, -1].max(initial=0) + 2) * np.arange(rows)  # keeps the rows apart and in order
    flat = (cumulative + lift[:, None]).reshape(-1)
    found = np.searchsorted(flat, goals + lift, side="right" if strictly else "left")
    return np.clip(found - width * np.arange(rows), 0, width - 1)


def count_type(runs: int) -> np.dtype:
    """The smallest unsigned integer type that counts up to ``runs``."""
    return np.dtype(np.min_scalar_type(runs)) if runs >= 256 else np.dtype(np.uint8)


class Windows:
    """Each entity's counts over integer cells, kept in a window per entity that grows as needed: dense where
    the entity's values fall, so memory follows their spread rather than the whole scale."""

    def __init__(self, entities: int, runs: int):
        self.entities, self.dtype = entities, count_type(runs)
        self.low = np.zeros(entities, dtype=np.int64)
        self.counts = np.zeros((entities, 0), dtype=self.dtype)

    def add(self, cells: np.ndarray, seen: np.ndarray) -> None:
        """Count a batch of cells (runs × entities, ints) where ``seen`` (the others are missing values)."""
        every = bool(seen.all())
        low = cells.min(axis=0) if every else np.min(np.where(seen, cells, np.iinfo(np.int64).max), axis=0)
        high = cells.max(axis=0) if every else np.max(np.where(seen, cells, np.iinfo(np.int64).min), axis=0)
        self._cover(low, high, seen.any(axis=0))
        flat = cells + (np.arange(self.entities) * self.counts.shape[1] - self.low)  # one pass over the batch
        flat = flat.reshape(-1) if every else flat[seen]
        np.add.at(self.counts.reshape(-1), flat, self.dtype.type(1))  # a Python 1 takes numpy's slow path (40x)

    def _cover(self, low: np.ndarray, high: np.ndarray, seen: np.ndarray) -> None:
        """Widen the windows so that every seen entity's cells from ``low`` to ``high`` fit."""
        width = self.counts.shape[1]
        end = self.low + width
        if width and np.all(~seen | ((low >= self.low) & (high < end))):
            return
        if width:
            start = np.where(seen, np.minimum(low, self.low), self.low)
            stop = np.where(seen, np.maximum(high + 1, end), end)
        else:
            start, stop = np.where(seen, low, 0), np.where(seen, high + 1, 0)
        size = max(int((stop - start).max()) * 3 // 2 + 8, width * 3 // 2)  # room to grow
        size = -(-size // BLOCK) * BLOCK  # whole blocks
        start = start - (size - (stop - start)) // 2  # each window centred on what it must hold
        grown = np.zeros((self.entities, size), dtype=self.dtype)
        if width:
            rows = np.repeat(np.arange(self.entities), width)
            grown[rows, ((self.low - start)[:, None] + np.arange(width)).reshape(-1)] = self.counts.reshape(-1)
        self.counts, self.low = grown, start

    def ends(self) -> np.ndarray:
        """The cumulative count at the end of each block (entities × blocks); the last column is the total."""
        e, width = self.counts.shape
        blocks = self.counts.reshape(e, width // BLOCK, BLOCK).sum(axis=2, dtype=self.dtype)  # an entity's total
        return blocks.cumsum(axis=1, dtype=np.int64)  # is at most the runs, which the dtype holds

    def search(self, ends: np.ndarray, goals: np.ndarray, strictly: bool = False):
        """For each goal (goals × entities), the first window column at which the entity's cumulative count
        reaches it (exceeds it, with ``strictly``; the last column when none does), with the count before that
        column and the count in it. ``ends`` is :meth:`ends`. The block is found first, then the column in it."""
        e, width = self.counts.shape
        blocks = self.counts.reshape(e, width // BLOCK, BLOCK)
        rows = np.arange(e)
        block = first_reaching(ends, goals, strictly)  # goals × entities
        start = np.where(block > 0, ends[rows, np.maximum(block - 1, 0)], 0)
        inner = blocks[rows, block]  # goals × entities × BLOCK
        cumulative = inner.cumsum(axis=2, dtype=np.int64) + start[..., None]
        short = cumulative <= goals[..., None] if strictly else cumulative < goals[..., None]
        at = np.minimum(short.sum(axis=2), BLOCK - 1)
        inside = np.take_along_axis(inner, at[..., None], axis=2)[..., 0].astype(np.int64)
        before = np.take_along_axis(cumulative, at[..., None], axis=2)[..., 0] - inside
        return block * BLOCK + at, before, inside

    def through(self, ends: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Each entity's cumulative count up to and including its window column ``columns`` (0 before the
        window, the total after it)."""
        e, width = self.counts.shape
        rows, column = np.arange(e), np.clip(columns, 0, width - 1)
        block, at = column // BLOCK, column % BLOCK
        inner = self.counts.reshape(e, width // BLOCK, BLOCK)[rows, block]
        start = np.where(block > 0, ends[rows, np.maximum(block - 1, 0)], 0)
        value = start + np.where(np.arange(BLOCK) <= at[:, None], inner, 0).sum(axis=1, dtype=np.int64)
        return np.where(columns >= 0, value, 0)

    def dense(self, cells: int) -> np.ndarray:
        """The counts of cells 0 to ``cells`` − 1 of every entity (entities × cells)."""
        out = np.zeros((self.entities, cells), dtype=self.dtype)
        columns = self.low[:, None] + np.arange(self.counts.shape[1])
        inside = (columns >= 0) & (columns < cells)
        rows = np.broadcast_to(np.arange(self.entities)[:, None], columns.shape)
        out[rows[inside], columns[inside]] = self.counts[inside]
        return out


class RankCounts:
    """How often each entity held each rank. Fractional ranks (x.5) get cells of their own."""

    def __init__(self, entities: int, runs: int, half: bool):
        self.step = 0.5 if half else 1.0
        self.slots = 2 * entities - 1 if half else entities
        self.windows = Windows(entities, runs)

    def add(self, ranks: np.ndarray) -> None:
        seen = ~np.isnan(ranks)
        if self.step != 1:  # halves: cells of their own
            cells = np.rint(np.where(seen, ranks - 1, 0) / self.step).astype(np.int64)
        else:  # whole ranks are exact in a float
            cells = (ranks if seen.all() else np.where(seen, ranks, 1)).astype(np.int64)
            cells -= 1
        self.windows.add(cells, seen)

    @property
    def values(self) -> np.ndarray:
        """The rank each slot stands for."""
        return 1 + self.step * np.arange(self.slots)

    @property
    def counts(self) -> np.ndarray:
        """counts[i, k]: runs in which entity i held rank ``values[k]``."""
        return self.windows.dense(self.slots)

    def summary(self, qs: tuple[float, ...], best: float) -> tuple[np.ndarray, np.ndarray]:
        """Per entity, the smallest rank whose cumulative share of its ranked runs reaches each of ``qs``
        (quantiles × entities), and the number of runs in which it ranked ``best`` or better."""
        windows = self.windows
        out = np.full((len(qs), windows.entities), np.nan)
        if not windows.counts.shape[1]:
            return out, np.zeros(windows.entities, dtype=np.int64)
        ends = windows.ends()
        total = ends[:, -1]
        if len(qs):
            goals = np.ceil((np.asarray(qs, dtype=float)[:, None] - 1e-12) * total).astype(np.int64)
            at = windows.search(ends, goals)[0]
            out = np.where(total > 0, 1 + self.step * (windows.low + at), np.nan)
        cell = int(np.floor((best - 1) / self.step + 1e-9))  # the cell of ``best``
        return out, windows.through(ends, cell - windows.low)

    def quantiles(self, *qs: float) -> tuple[np.ndarray, ...]:
        """Per entity, the smallest rank whose cumulative share of its ranked runs reaches each q."""
        return tuple(self.summary(qs, 1)[0])

    def at_most(self, rank: float) -> np.ndarray:
        """Per entity, the number of runs with a rank of ``rank`` or better."""
        return self.summary((), rank)[1]


class Histogram:
    """Each entity's scores counted on a lattice of width ``width`` (see :class:`Windows`), and their sums."""

    def __init__(self, entities: int, width: float, runs: int):
        self.width, self.entities = width, entities
        self.windows = Windows(entities, runs)
        self.total = np.zeros(entities)
        self.seen = np.zeros(entities, dtype=np.int64)

    def add(self, scores: np.ndarray) -> None:
        """Count a batch of runs' scores (runs × entities, NaN where unscored)."""
        seen = ~np.isnan(scores)
        values = scores if seen.all() else np.where(seen, scores, 0.0)
        self.total += values.sum(axis=0)
        self.seen += seen.sum(axis=0)
        self.windows.add(np.floor(values / self.width).astype(np.int64), seen)

    def mean(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.seen > 0, self.total / np.where(self.seen > 0, self.seen, 1), np.nan)

    def quantiles(self, *qs: float) -> tuple[np.ndarray, ...]:
        """Per entity, the ``q`` quantiles of its scores as ``numpy.percentile`` defines them (linear between
        order statistics), each order statistic placed within its lattice cell: off by at most one width."""
        windows = self.windows
        if not windows.counts.shape[1]:
            return tuple(np.full((len(qs), self.entities), np.nan))
        ends = windows.ends()
        total = ends[:, -1]
        last = np.maximum(total - 1, 0)
        at = np.asarray(qs, dtype=float)[:, None] * last  # qs × entities
        below = np.floor(at)
        k = np.stack([below, np.minimum(below + 1, last)]).astype(np.int64)  # the order statistics around
        cell, before, inside = windows.search(ends, k.reshape(-1, self.entities), strictly=True)
        cell, before, inside = (a.reshape(k.shape) for a in (cell, before, inside))
        value = (windows.low + cell + (k - before + 0.5) / np.where(inside > 0, inside, 1)) * self.width
        return tuple(np.where(total > 0, value[0] + (at - below) * (value[1] - value[0]), np.nan))


class Spearman:
    """Sum of each run's Spearman correlation with the nominal ranking: the Pearson correlation of average
    ranks over the entities ranked in both (re-ranked among them when a run and the nominal rank different
    entities)."""

    def __init__(self, nominal_average: np.ndarray):
        self.target = nominal_average
        self.sum, self.runs = 0.0, 0
        self.complete = not np.isnan(nominal_average).any()
        self.dy = nominal_average - (len(nominal_average) + 1) / 2  # average ranks of n entities: mean (n + 1) / 2

    def add(self, average: np.ndarray) -> None:
        if self.complete and not np.isnan(average).any():  # every entity ranked everywhere: the means are known
            dx = average - (average.shape[1] + 1) / 2
            with np.errstate(invalid="ignore", divide="ignore"):
                rho = dx @ self.dy / np.sqrt(np.einsum("ij,ij->i", dx, dx) * (self.dy @ self.dy))
            self._count(rho)
            return
        ok = ~np.isnan(average) & ~np.isnan(self.target)
        x, y = average, np.broadcast_to(self.target, average.shape)
        differ = (ok != ~np.isnan(average)).any(axis=1) | (ok != ~np.isnan(self.target)).any(axis=1)
        if differ.any():  # rank again among the entities that both rank
            x, y = np.array(x), np.array(y)
            x[differ] = order_rows(np.where(ok[differ], x[differ], np.nan)).ranks("fractional")
            y[differ] = order_rows(np.where(ok[differ], y[differ], np.nan)).ranks("fractional")
        m = ok.sum(axis=1)
        x, y = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            dx = np.where(ok, x - (x.sum(axis=1) / m)[:, None], 0.0)
            dy = np.where(ok, y - (y.sum(axis=1) / m)[:, None], 0.0)
            rho = np.sum(dx * dy, axis=1) / np.sqrt(np.sum(dx * dx, axis=1) * np.sum(dy * dy, axis=1))
        self._count(rho)

    def _count(self, rho: np.ndarray) -> None:
        finite = np.isfinite(rho)
        self.sum += float(rho[finite].sum())
        self.runs += int(finite.sum())

    @property
    def mean(self) -> float:
        return self.sum / self.runs if self.runs else float("nan")


class Kendall:
    """Sum of each run's Kendall tau-b with the nominal ranking.

    Exact up to EXACT_KENDALL ranked entities: in nominal order, the discordant pairs are the inversions of
    the run's ranks, counted with bit sets (each entity's run rank as one bit; a prefix OR tells how many
    earlier entities rank below it), in O(n²/64) per run with no loop over entities. Beyond, each batch of runs
    is compared on KENDALL_PAIRS random pairs of entities drawn from ``rng`` (the batches are fixed by the size
    of the problem, so the estimate is the same for a seed).
    """

    def __init__(self, nominal: np.ndarray, rng: np.random.Generator):
        ranked = np.flatnonzero(~np.isnan(nominal))
        self.order = ranked[np.argsort(nominal[ranked], kind="stable")]  # best first
        y = nominal[self.order]
        self.sum, self.runs = 0.0, 0
        m = len(self.order)
        self.exact = m <= EXACT_KENDALL
        if self.exact:
            tied = y[:, None] == y[None, :]
            first, second = np.nonzero(np.triu(tied, 1))
            self.tied = (first, second)  # pairs tied in the nominal ranking (positions in nominal order)
            self.groups = np.cumsum(np.r_[True, y[1:] != y[:-1]]) - 1  # y ascending: tie groups in order
        else:
            self.rng, self.nominal = rng, nominal

    @property
    def mean(self) -> float:
        return self.sum / self.runs if self.runs else float("nan")

    def add(self, ordering: Ordering, ranks: np.ndarray) -> None:
        """Count a batch of runs, given their :class:`~trustindex.ranking.Ordering` and ranks."""
        if self.exact:
            tau = np.empty(len(ranks))
            tied = ordering.tied_pairs() > 0
            calm = slice(None) if not tied.any() else ~tied
            if not tied.all():  # no ties: each entity's slot is its place in the sorted scores
                n = ranks.shape[1]
                place = ordering.valid[calm][:, None] - 1 - ordering.place[calm]  # best first
                tau[calm] = self._exact(ranks[calm][:, self.order], place[:, self.order], n)
            if tied.any():
                tau[tied] = self._exact(ranks[tied][:, self.order], None, ranks.shape[1])
        else:
            tau = self._sampled(ranks)
        finite = np.isfinite(tau)
        self.sum += float(tau[finite].sum())
        self.runs += int(finite.sum())

    def _sampled(self, ranks: np.ndarray) -> np.ndarray:
        pairs = self.order[self.rng.integers(0, len(self.order), size=(KENDALL_PAIRS, 2))]
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        a, b = pairs[:, 0], pairs[:, 1]
        xa, xb = ranks[:, a], ranks[:, b]
        both = ~np.isnan(xa) & ~np.isnan(xb)
        sx = np.where(both, np.sign(xa - xb), 0.0)
        sy = np.sign(self.nominal[a] - self.nominal[b])[None, :] * both
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sum(sx * sy, axis=1) / np.sqrt(np.sum(sx * sx, axis=1) * np.sum(sy * sy, axis=1))

    def _exact(self, x: np.ndarray, slot: np.ndarray | None, width: int) -> np.ndarray:
        """Tau-b of each row of ``x`` (run ranks, entities in nominal order, NaN unranked); ``slot`` gives each
        entity a distinct place below ``width`` in the run's order when the run has no ties."""
        runs, m = x.shape
        words = -(-width // 64)
        per = max(1, WORDS_PER_BATCH // max(1, m * words))
        out = np.empty(runs)
        for start in range(0, runs, per):  # batches of runs, to bound the bit sets
            part = slice(start, start + per)
            out[part] = self._tau(x[part], None if slot is None else slot[part], words)
        return out

    def _tau(self, x: np.ndarray, slot: np.ndarray | None, words: int) -> np.ndarray:
        runs, m = x.shape
        ranked = ~np.isnan(x)
        count = ranked.sum(axis=1)
        pairs = count * (count - 1) // 2
        run_ties = 0
        if slot is None:
            # The run has ties: a slot is the place in the run's order with ties broken by nominal position
            # (earlier first), so that a pair tied in the run is never counted as an inversion.
            position = np.arange(m)
            key = np.where(ranked, np.rint(2 * np.where(ranked, x, 0)).astype(np.int64) * (m + 1) + position,
                           np.iinfo(np.int64).max)  # fmt: skip
            order = np.argsort(key, axis=1)
            slot = np.empty((runs, m), dtype=np.int64)
            np.put_along_axis(slot, order, position[None, :], axis=1)
            ordered = np.take_along_axis(key, order, axis=1) // (m + 1)
            same = np.concatenate([np.zeros((runs, 1), dtype=bool), ordered[:, 1:] == ordered[:, :-1]], axis=1)
            run_ties = _tied_pairs(same & (position < count[:, None]))
            words = -(-m // 64)
        complete = bool(ranked.all())  # every entity ranked in every run: no masking
        slot = (slot if complete else np.where(ranked, slot, 0)).astype(np.uint64)
        if words == 1:
            sets = np.uint64(1) << slot
            if not complete:
                sets[~ranked] = 0
            earlier = np.bitwise_or.accumulate(sets, axis=1)
            earlier ^= sets  # the earlier entities' slots (slots are distinct)
            slot += np.uint64(1)
            earlier >>= slot  # those above this one's
            inversions = np.bitwise_count(earlier)
        else:
            word, bit = (slot >> np.uint64(6)).astype(np.int64), slot & np.uint64(63)
            sets = np.zeros((runs, m, words), dtype=np.uint64)
            r, e = np.nonzero(ranked)
            sets[r, e, word[r, e]] = np.uint64(1) << bit[r, e]
            earlier = np.bitwise_or.accumulate(sets, axis=1) ^ sets
            above = np.cumsum(np.bitwise_count(earlier)[:, :, ::-1], axis=2, dtype=np.int64)[:, :, ::-1]
            later = np.concatenate([above[:, :, 1:], np.zeros((runs, m, 1), dtype=np.int64)], axis=2)
            index = word[:, :, None]
            own = np.take_along_axis(earlier, index, axis=2)[:, :, 0] >> bit >> np.uint64(1)
            inversions = np.take_along_axis(later, index, axis=2)[:, :, 0] + np.bitwise_count(own)
        # discordant: earlier nominally, strictly worse in the run
        discordant = (inversions if complete else np.where(ranked, inversions, 0)).sum(axis=1)
        nominal_ties = _group_pairs(self.groups, ranked)
        both_ties = 0
        if len(self.tied[0]):
            a, b = x[:, self.tied[0]], x[:, self.tied[1]]
            valid = ~np.isnan(a) & ~np.isnan(b)
            discordant = discordant - np.sum(valid & (a > b), axis=1)
            both_ties = np.sum(valid & (a == b), axis=1)
        untied = pairs - run_ties - nominal_ties + both_ties
        with np.errstate(invalid="ignore", divide="ignore"):
            return (untied - 2 * discordant) / np.sqrt((pairs - run_ties) * (pairs - nominal_ties).astype(float))


def _tied_pairs(same: np.ndarray) -> np.ndarray:
    """Pairs tied within each row, given where a sorted value equals its predecessor."""
    runs, m = same.shape
    start = np.maximum.accumulate(np.where(~same, np.arange(m), 0), axis=1)
    return np.where(same, np.arange(m) - start, 0).sum(axis=1)


def _group_pairs(groups: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Pairs within each nominal tie group among the entities ranked in each run."""
    size = groups.max(initial=0) + 1
    if size == len(groups):  # no nominal ties
        return np.zeros(len(ranked), dtype=np.int64)
    keys = (np.arange(len(ranked))[:, None] * size + groups[None, :])[ranked]
    sizes = np.bincount(keys, minlength=len(ranked) * size).reshape(len(ranked), size)
    return (sizes * (sizes - 1) // 2).sum(axis=1)
