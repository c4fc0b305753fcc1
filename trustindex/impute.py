"""Imputation of missing values, every filled cell recorded (the default, ``none``, fills nothing:
aggregation then runs over the components that are available)."""

from __future__ import annotations

import warnings

import numpy as np

from .methods import GROUPED, PANEL
from .methods import IMPUTATION as METHODS

__all__ = ["GROUPED", "METHODS", "PANEL", "impute"]


def _centre(values: np.ndarray, method: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=0) if method.endswith("median") else np.nanmean(values, axis=0)


def impute(values: np.ndarray, method: str, groups=None, history: np.ndarray | None = None, years=(), year=None):
    """Fill the NaN cells of ``values`` (entities × indicators); return the filled values and the mask of filled cells.

    ``groups`` (one label per entity) serves the group methods; ``history`` (years × entities × indicators for
    the calendar ``years``, ``values`` being ``year``) serves carry-forward (the last earlier observed value)
    and interpolate (linear in time between the nearest observed earlier and later years; never extrapolated).
    A cell with nothing to fill it from stays missing.
    """
    if method == "none":
        return values, np.zeros(values.shape, dtype=bool)
    missing = np.isnan(values)
    out = np.array(values, dtype=float)
    if not missing.any():
        return out, np.zeros_like(missing)
    if method in ("mean", "median"):
        out = np.where(missing, _centre(values, method), values)
    elif method in GROUPED:
        labels = np.asarray(groups, dtype=object)
        for label in set(labels.tolist()):
            rows = labels == label
            out[rows] = np.where(missing[rows], _centre(values[rows], method), values[rows])
    else:
        years, at = np.asarray(years, dtype=float), float(year)
        for i, k in zip(*np.nonzero(missing), strict=True):
            series = history[:, i, k]
            seen = ~np.isnan(series)
            before = np.flatnonzero(seen & (years < at))
            after = np.flatnonzero(seen & (years > at))
            if method == "carry-forward" and before.size:
                out[i, k] = series[before[-1]]
            elif method == "interpolate" and before.size and after.size:
                b, a = before[-1], after[0]
                out[i, k] = series[b] + (series[a] - series[b]) * (at - years[b]) / (years[a] - years[b])
    return out, missing & ~np.isnan(out)
