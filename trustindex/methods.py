"""The names of every method trustindex offers, by family, and what sets some of them apart: the one registry.

Readers of profiles and specifications, the pipeline and ``check`` take method names from here; the kernels
that implement them are in :mod:`trustindex.normalise`, :mod:`trustindex.aggregate`, :mod:`trustindex.ranking`,
:mod:`trustindex.treat` and :mod:`trustindex.impute`.
"""

from __future__ import annotations

NORMALISATION = (
    "minmax", "goalposts", "scaled", "zscore", "rank", "borda", "percentile", "target", "dist2ref", "fracmax",
)  # fmt: skip
BOUNDED = frozenset({"minmax", "goalposts", "scaled", "percentile", "target", "dist2ref", "fracmax"})
"""Normalisations whose output is mapped to the profile's ``range``."""
WITHIN = frozenset({"minmax", "goalposts", "percentile", "target", "fracmax"})
"""Bounded normalisations whose output never leaves the range (``dist2ref`` does above its reference unless
capped, ``scaled`` beyond its bounds)."""
UNFLOORED = frozenset({"zscore", "scaled"})
"""Normalisations that can give scores below the range's low end (below 0 for z-scores)."""
ANCHORS = {"goalposts": "goalposts", "scaled": "goalposts", "target": "target"}
"""What a normalisation reads from every indicator's metadata."""
OVER = ("year", "panel")
"""Where the data-driven normalisations take their bounds or moments: the scored year, or every year."""
PANEL_WIDE = frozenset({"minmax", "zscore", "fracmax"})
"""The normalisations that can take their bounds or moments from the whole panel."""
SD_BASES = ("sample", "population")
"""The standard deviation of z-scores: n − 1 (COINr's n_zscore) or n (the Mazziotta–Pareto index's)."""
AGGREGATION = ("arithmetic", "geometric", "harmonic", "power", "mazziotta-pareto", "copeland")
NEED_POSITIVE = frozenset({"geometric", "harmonic", "power", "mazziotta-pareto"})
"""Means that are not defined for negative scores."""
TIES = ("competition", "dense", "fractional")
TREATMENT = ("none", "winsorise")
DENOMINATION = ("none", "divide")
"""``divide``: every indicator that declares a denominator is divided by it (COINr's Denominate)."""
IMPUTATION = ("none", "mean", "median", "group-mean", "group-median", "carry-forward", "interpolate")
PANEL = frozenset({"carry-forward", "interpolate"})
"""Imputations that read other years of a panel."""
GROUPED = frozenset({"group-mean", "group-median"})
"""Imputations within the groups of a text column."""
SAMPLERS = ("sobol", "random")
DISTRIBUTIONS = ("uniform", "dirichlet", "simplex")
"""How an uncertainty analysis varies weights."""
