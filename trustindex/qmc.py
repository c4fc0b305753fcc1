"""Scrambled Sobol' points, addressable by index, without importing ``scipy.stats``.

``import scipy.stats`` costs about a second here — more than a whole uncertainty analysis of ASEM — and the
CLI would pay it on every call only to draw the points. This module builds the same sequence as
``scipy.stats.qmc.Sobol``: Joe & Kuo's direction numbers (new-joe-kuo-6.21201, shipped in ``data/``, see its
README), Gray-code order, 30 bits, and Owen-type linear matrix
scrambling with a digital shift (LMS + shift) for randomisation. The unscrambled points equal scipy's
exactly (a test checks it); point ``i`` is computed from ``i`` alone, so a long sequence is drawn in chunks
that do not depend on each other.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

BITS = 30
MAX_DIMENSIONS = 21201
MAX_POINTS = 2**BITS


def _joe_kuo(dimensions: int) -> tuple[np.ndarray, np.ndarray]:
    """The primitive polynomials and initial direction numbers of the first ``dimensions`` dimensions (the table
    is memory-mapped: a few dimensions read a few rows)."""
    table = np.load(Path(__file__).parent / "data" / "joe_kuo_6_21201.npy", mmap_mode="r")[:dimensions]
    return table[:, 0].astype(np.int64), table[:, 1:].astype(np.uint64)


@lru_cache(maxsize=8)
def direction_numbers(dimensions: int) -> np.ndarray:
    """The direction numbers v[j, k] (dimensions × BITS), as integers of BITS bits (read-only, cached)."""
    if not 1 <= dimensions <= MAX_DIMENSIONS:
        raise ValueError(f"Sobol' points have 1 to {MAX_DIMENSIONS} dimensions, not {dimensions}")
    poly, vinit = _joe_kuo(dimensions)
    degree = np.array([int(p).bit_length() - 1 for p in poly])
    shifts = np.uint64(BITS - 1) - np.arange(BITS, dtype=np.uint64)
    v = np.zeros((dimensions, BITS), dtype=np.uint64)
    v[0] = np.uint64(1) << shifts  # the first dimension is van der Corput's sequence
    rest = np.arange(1, dimensions)
    s = degree[rest]
    for k in range(BITS):
        initial = k < s  # the first s direction numbers come from the table
        if initial.any():
            v[rest[initial], k] = vinit[rest[initial], k] << shifts[k]
        grown = rest[~initial]
        if not grown.size:
            continue
        sg = degree[grown]
        back = v[grown, k - sg]
        value = back ^ (back >> sg.astype(np.uint64))
        for lag in range(1, int(sg.max())):  # the primitive polynomial's middle coefficients
            use = lag < sg
            coefficient = (poly[grown] >> np.maximum(sg - lag, 0)) & 1
            value ^= np.where(use & (coefficient == 1), v[grown, np.maximum(k - lag, 0)], np.uint64(0))
        v[grown, k] = value
    v.setflags(write=False)
    return v


def scrambled(v: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Linear matrix scrambling of direction numbers ``v`` and a random digital shift, drawn from ``rng``."""
    d = len(v)
    lower = np.tril(rng.integers(0, 2, size=(d, BITS, BITS)), -1) + np.eye(BITS, dtype=np.int64)
    shifts = np.uint64(BITS - 1) - np.arange(BITS, dtype=np.uint64)
    bits = ((v[:, :, None] >> shifts[None, None, :]) & np.uint64(1)).astype(float)  # d × k × t, MSB first
    mixed = (bits @ lower.transpose(0, 2, 1).astype(float)).astype(np.int64) & 1  # exact: sums of at most 30 ones
    out = np.bitwise_or.reduce(mixed.astype(np.uint64) << shifts[None, None, :], axis=2)
    shift = np.bitwise_or.reduce(rng.integers(0, 2, size=(d, BITS)).astype(np.uint64) << shifts[None, :], axis=1)
    return out, shift


def points(v: np.ndarray, shift: np.ndarray | None, start: int, count: int) -> np.ndarray:
    """Points ``start`` to ``start + count - 1`` of the sequence with direction numbers ``v`` (count × d)."""
    if start + count > MAX_POINTS:
        raise ValueError(f"at most 2**{BITS} Sobol' points")
    first = np.uint64(start) ^ (np.uint64(start) >> np.uint64(1))  # Gray code of the first index
    out = np.zeros((count, len(v)), dtype=np.uint64)
    out[0] = np.bitwise_xor.reduce(v[:, [k for k in range(BITS) if int(first) >> k & 1]], axis=1) if first else 0
    if shift is not None:
        out[0] ^= shift
    if count > 1:  # consecutive Gray codes differ in one bit: the lowest set bit of the index
        index = np.arange(start + 1, start + count, dtype=np.int64)
        lowest = np.log2((index & -index).astype(float)).astype(int)
        out[1:] = v[:, lowest].T
        np.bitwise_xor.accumulate(out, axis=0, out=out)
    return out * (1.0 / MAX_POINTS)


class Sobol:
    """A scrambled Sobol' sequence in [0, 1)^dimensions whose points are drawn by index."""

    def __init__(self, dimensions: int, rng: np.random.Generator, scramble: bool = True):
        v = direction_numbers(dimensions)
        self.v, self.shift = scrambled(v, rng) if scramble else (v, None)

    def points(self, start: int, count: int) -> np.ndarray:
        return points(self.v, self.shift, start, count)
