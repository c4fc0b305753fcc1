"""Long work in batches: bounded memory, progress at least every 2 % or about 0.1 s, and a way to stop.

Every long analysis (uncertainty, sensitivity, weight stability, best and worst ranks, rank acceptability,
what it would take) walks its items — runs, pairs, entities, indicators — through :func:`batches`. The caller
gives ``limit``, the items that make about 0.1 s of work (and bound the memory of a batch); a batch is at most
that, and at most 2 % of the work — but never less than a quarter of ``limit``, below which the per-batch
overhead would dominate (so analyses shorter than about 1 s report in fewer steps). Batch sizes depend on the
size of the problem only, never on timing, so the results of a seed are the same to the last bit.
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
    """Yield (start, stop) ranges covering ``range(total)``; report progress after each and stop on request."""
    limit = max(1, limit)
    step = max(1, min(limit, max(-(-total // 50), limit // 4)))
    for start in range(0, total, step):
        if cancelled is not None and cancelled():
            raise Cancelled(f"stopped after {start:,} of {total:,}")
        stop = min(total, start + step)
        yield start, stop
        if progress is not None:
            progress(stop / total)
