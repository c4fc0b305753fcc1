"""How much memory a number of runs needs, checked before anything is allocated."""

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


def per_run(entities: int, nodes: int, dimensions: int) -> int:
    """Bytes one run holds until the analysis ends: its uniforms, its weights, and its scores and ranks."""
    return FLOAT * (dimensions + nodes + 3 * entities + 2)


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    return ""  # pragma: no cover


def too_large(runs: int, each: int) -> str | None:
    """Why ``runs`` runs of ``each`` bytes do not fit in memory, or None when they do."""
    need = runs * each
    have = available()
    if need <= SHARE * have:
        return None
    return f"{runs:,} runs need about {_size(need)} of memory, more than half of the {_size(have)} available"
