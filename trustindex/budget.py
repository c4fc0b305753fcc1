"""How much memory an analysis needs, checked before anything is allocated.

The summaries of an uncertainty analysis are counts, whose size depends on the number of entities and not on
the number of runs (only their integer type widens with it); the runs themselves are limited by the Sobol'
sequence's 2^30 points, which also keeps any analysis within days rather than years."""

from __future__ import annotations

import os

FLOAT = 8
"""Bytes of one float64."""
SHARE = 0.5
"""The share of the available memory one analysis may take."""


def available() -> int:
    """Bytes of memory available now (MemAvailable on Linux, else the physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8 * 2**30


MAX_RUNS = 2**30


def summaries(entities: int, runs: int) -> int:
    """Bytes the summaries of ``runs`` runs over ``entities`` entities take: the entities × ranks counts and,
    per entity, a score histogram of a few thousand cells."""
    width = 1 if runs < 2**8 else 2 if runs < 2**16 else 4 if runs < 2**32 else 8
    return width * entities * (entities + 4096)


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    return ""  # pragma: no cover


def too_large(runs: int, entities: int) -> str | None:
    """Why ``runs`` runs over ``entities`` entities cannot be summarised here, or None when they can."""
    if runs > MAX_RUNS:
        return f"{runs:,} runs are more than the {MAX_RUNS:,} an analysis may take"
    need = summaries(entities, runs)
    have = available()
    if need <= SHARE * have:
        return None
    return (
        f"the summaries of {entities:,} entities need about {_size(need)} of memory, more than half of the "
        f"{_size(have)} available"
    )
