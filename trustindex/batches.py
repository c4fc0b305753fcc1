"""Long work in batches: bounded memory, progress after every batch, and a way to stop between batches.

Every long analysis (uncertainty, sensitivity, weight stability, best and worst ranks, rank acceptability,
what it would take) walks its items — runs, pairs, entities, indicators — through :func:`batches`. The caller
gives ``limit``, the items that fit the memory of one batch, sized to take well under 0.1 s; progress is
reported and cancellation checked after each, so both are at most about 0.1 s apart, and an analysis of more
than 50 batches (a few seconds) reports at least every 2 %. Batch sizes depend on the size of the problem
only, never on timing, so the results of a seed are the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

Progress = Callable[[float], None]
Stop = Callable[[], bool]


class Cancelled(Exception):
    """Raised when the ``cancelled`` callback asks a long analysis to stop."""


def batches(
    total: int, limit: int, progress: Progress | None = None, cancelled: Stop | None = None
) -> Iterator[tuple[int, int]]:
    """Yield (start, stop) ranges of at most ``limit`` items covering ``range(total)``; report progress after
    each, and raise :class:`Cancelled` before the next when ``cancelled()`` says so."""
    step = max(1, min(limit, total))
    for start in range(0, total, step):
        if cancelled is not None and cancelled():
            raise Cancelled(f"stopped after {start:,} of {total:,}")
        stop = min(total, start + step)
        yield start, stop
        if progress is not None:
            progress(stop / total)
