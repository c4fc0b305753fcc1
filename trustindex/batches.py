"""Long work in batches: bounded memory, progress at least every 2 % or 0.25 s, and a way to stop.

Every long analysis (uncertainty, sensitivity, weight stability, best and worst ranks, rank acceptability,
what it would take) walks its items — runs, pairs, entities, indicators — through :func:`batches`. The
batch size is set by memory (``limit`` items at once), by progress (at most 2 % of the work, but never
fewer than ``minimum`` items, below which the per-batch overhead would dominate) and by time (each batch
aims at TARGET seconds, measured as it goes), never by anything the results depend on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

TARGET = 0.1
"""Seconds a batch takes at most: progress and cancellation are then never more than about 0.25 s apart."""
FLOOR = 0.05
"""Seconds a batch takes at least, even when that is more than 2 % of the work: shorter batches would spend
more on their overhead than on the work (an analysis shorter than 2.5 s then reports in fewer steps)."""

Progress = Callable[[float], None]
Stop = Callable[[], bool]


class Cancelled(Exception):
    """Raised when the ``cancelled`` callback asks a long analysis to stop."""


def batches(
    total: int,
    limit: int,
    progress: Progress | None = None,
    cancelled: Stop | None = None,
    minimum: int = 256,
    first: int | None = None,
) -> Iterator[tuple[int, int]]:
    """Yield (start, stop) ranges covering ``range(total)``; report progress after each and stop on request.

    ``first`` is the size of the first batch (default ``minimum``), before the speed of one item is known.
    """
    limit = max(1, limit)
    step = max(1, min(limit, first if first is not None else minimum, total))
    share = max(minimum, -(-total // 50))  # 2 % of the work, unless that is too small to pay its overhead
    start = 0
    while start < total:
        if cancelled is not None and cancelled():
            raise Cancelled(f"stopped after {start:,} of {total:,}")
        stop = min(total, start + step)
        began = time.perf_counter()
        yield start, stop
        per_item = (time.perf_counter() - began) / (stop - start)
        start = stop
        if progress is not None:
            progress(start / total)
        fast = per_item <= 0
        step = int(max(1, min(limit, limit if fast else TARGET / per_item,
                              max(share, 1 if fast else FLOOR / per_item))))  # fmt: skip
