"""Denomination (COINr's Denominate): indicators divided by a size column, so that large and small entities
compare — flights per 1,000 inhabitants rather than flights.

An indicator declares ``denominator = COLUMN`` (a numeric column of the dataset) and optionally ``per``, the
scale of the ratio (``per = 100000``: per 100,000 of the denominator); the profile switches the step on with
``[denomination] method = "divide"``, so the same data scores raw or denominated and an uncertainty
specification can vary it. It is the first data step: imputation, treatment and screening see the ratios.
"""

from __future__ import annotations

import numpy as np

from .model import Indicator, Notice


def denominate(values: np.ndarray, indicators: tuple[Indicator, ...], inputs, entities) -> tuple[np.ndarray, list]:
    """``values`` (entities × indicators) with each indicator that declares a denominator divided by that column
    of ``inputs`` and multiplied by its ``per``; a missing or zero denominator gives a missing value, with a
    notice."""
    out = np.array(values, dtype=float)
    notices = []
    for k, indicator in enumerate(indicators):  # a loop over indicators: each column is one vector operation
        if indicator.denominator is None:
            continue
        size = np.asarray(inputs[indicator.denominator], dtype=float)
        bad = ~(np.abs(size) > 0) & ~np.isnan(out[:, k])
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, k] = np.where(bad, np.nan, out[:, k] / size * indicator.per)
        if bad.any():
            message = f"denominator {indicator.denominator!r} missing or 0: the denominated value is missing"
            notices.append(Notice("denominated", message, indicator.id, tuple(np.array(entities, object)[bad])))
    return out, notices


def denominated(indicators: tuple[Indicator, ...]) -> list[str]:
    """The indicators that declare a denominator."""
    return [i.id for i in indicators if i.denominator is not None]
