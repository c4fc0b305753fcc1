"""Outlier treatment (JRC / COINr practice): winsorise on the side of the skew, else log-transform.

An indicator is treated when |skewness| > max_skew and excess kurtosis > max_kurtosis (bias-corrected,
as Excel's SKEW and KURT). Winsorising replaces the most extreme value on the side the skew points to
with the next value inward, one value at a time, up to ``max_points`` values, and stops as soon as the
rule passes. If it still fails, the winsorised values are discarded and the original values are
log-transformed instead: log(x − min + c) for positive skew and −log(max − x + c) for negative skew,
with c = (max − min) / 100, which keeps the order of the values and their direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Record, Thresholds
from .stats import kurtosis, outlying, skewness


@dataclass(frozen=True, eq=False)
class Treated(Record):
    """One value the treatment changed."""

    entity: str
    indicator: str
    original: float
    treated: float
    method: str
    """``winsorised`` or ``log``."""


def _passes(column: np.ndarray, rules: Thresholds) -> bool:
    x = column[:, None]
    return not bool(outlying(skewness(x), kurtosis(x), rules.max_skew, rules.max_kurtosis)[0])


def winsorise(column: np.ndarray, max_points: int, rules: Thresholds) -> tuple[np.ndarray, int] | None:
    """The column winsorised until the rule passes, and the number of values changed; None if it never does."""
    out = column.copy()
    changed = np.zeros(len(out), dtype=bool)
    while not _passes(out, rules):
        positive = skewness(out[:, None])[0] > 0
        observed = np.unique(out[~np.isnan(out)])
        if len(observed) < 3:
            return None
        extreme, inward = (observed[-1], observed[-2]) if positive else (observed[0], observed[1])
        at = out == extreme
        if (changed | at).sum() > max_points:  # a value already winsorised counts once
            return None
        out[at] = inward
        changed |= at
    return out, int(changed.sum())


def log_transform(column: np.ndarray) -> np.ndarray:
    """Order-preserving log transform on the side of the skew (see the module docstring)."""
    low, high = np.nanmin(column), np.nanmax(column)
    c = (high - low) / 100
    if skewness(column[:, None])[0] > 0:
        return np.log(column - low + c)
    return -np.log(high - column + c)


def treat(values: np.ndarray, entities, indicators, max_points: int, rules: Thresholds):
    """Treat every outlying indicator (columns of ``values``); return the new values and every changed value."""
    out = np.array(values, dtype=float)
    flagged = outlying(skewness(out), kurtosis(out), rules.max_skew, rules.max_kurtosis)
    records = []
    for k in np.flatnonzero(flagged):
        original = out[:, k].copy()
        result = winsorise(original, max_points, rules)
        treated, method = (result[0], "winsorised") if result is not None else (log_transform(original), "log")
        out[:, k] = treated
        for i in np.flatnonzero(~np.isnan(original) & (treated != original)):
            records.append(Treated(entities[i], indicators[k], float(original[i]), float(treated[i]), method))
    return out, tuple(records)
