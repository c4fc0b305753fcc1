"""What counts as a number in a file or on the command line, and the limits of the numbers trustindex accepts.

Python's ``float()`` and ``int()`` read ``8_5``, full-width ``８５`` and Arabic-Indic ``٨٥`` as 85; a data file or
an option that holds them is a mistake, not a number. Here a number is ASCII only: an optional sign, digits
with at most one decimal point, and an optional exponent (``85``, ``-0.5``, ``.5``, ``85.``, ``1e3``).
"""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
INTEGER = re.compile(r"[+-]?[0-9]+")
YEAR = re.compile(r"[0-9]{4}")

LARGEST = 1e50
"""The largest magnitude of a value, goalpost, target or bound: beyond any measured quantity, and small enough
that squares, sums and fourth powers of standardised values stay finite."""
SCALE = 1e6
"""The largest weight and the largest magnitude of an output scale (a normalisation's range, mean and sd)."""
LARGEST_INTEGER = 2**53
"""The largest magnitude of a whole number in a file (a count, a seed, a year): exact as a float."""


POWER = 10.0
"""The largest magnitude of a power mean's exponent: beyond it the mean is the maximum (or the minimum) and
powers of the scores overflow."""
THRESHOLDS = {
    "max_skew": (0.0, None),
    "max_kurtosis": (-2.0, None),
    "min_alpha": (0.0, 1.0),
    "redundant": (0.0, 1.0),
    "conflicting": (-1.0, 0.0),
    "weak": (0.0, 1.0),
    "significance": (1e-12, 1 - 1e-12),
    "min_coverage": (0.0, 1.0),
}
"""The range of each audit threshold (``[audit]`` of a profile or of check's rules, and the audit's options):
outside it a rule could never, or would always, fire. Excess kurtosis is never below -2; a p-value threshold
lies strictly between 0 and 1."""


class NotANumber(ValueError):
    """Text that is not a number, with the reason."""


def shown(value) -> str:
    """A short text for a number, however long its digits (a TOML integer can have hundreds)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**16:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


DECIMAL_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?|[+-]?[0-9]+,")
"""A number written with a decimal comma (``1,5``), as locales that use one write it."""
DECIMALS = (".", ",")


def parse_number(text: str, largest: float = LARGEST, decimal: str = ".") -> float:
    """The number ``text`` spells (ASCII, see the module docstring), at most ``largest`` in magnitude, written
    with the decimal mark ``decimal`` (``.`` or ``,``; no thousands separators either way).

    Raises NotANumber, saying why: not the number syntax, or too large.
    """
    spelled = text
    if decimal == ",":
        if "." in text and (NUMBER.fullmatch(text) or re.fullmatch(r"[+-]?[0-9.]+,?[0-9]*", text)):
            raise NotANumber(f"{text!r} has a point, but the decimal mark is ',' (no thousands separators)")
        if DECIMAL_COMMA.fullmatch(text):
            spelled = text.replace(",", ".")
    if not NUMBER.fullmatch(spelled):
        raise NotANumber(f"{text!r} is not a number")
    value = float(spelled)
    if not math.isfinite(value) or abs(value) > largest:
        raise NotANumber(f"{text!r} is beyond ±{largest:g}, the largest magnitude accepted")
    return value


def parse_integer(text: str) -> int:
    """The whole number ``text`` spells in ASCII digits (with an optional sign)."""
    if not INTEGER.fullmatch(text):
        raise NotANumber(f"{text!r} is not a whole number")
    return int(text)
