"""The names of every method trustindex offers, by family, and what sets some of them apart: the one registry.

Readers of profiles and specifications, the pipeline and ``check`` take method names from here; the kernels
that implement them are in :mod:`trustindex.normalise`, :mod:`trustindex.aggregate`, :mod:`trustindex.ranking`,
:mod:`trustindex.treat` and :mod:`trustindex.impute`.
"""

from __future__ import annotations

NORMALISATION = ("minmax", "goalposts", "zscore", "rank", "percentile", "target")
BOUNDED = frozenset({"minmax", "goalposts", "percentile", "target"})
"""Normalisations whose output is mapped to the profile's ``range``."""
AGGREGATION = ("arithmetic", "geometric", "harmonic", "power", "copeland")
NEED_POSITIVE = frozenset({"geometric", "harmonic", "power"})
"""Means that are not defined for negative scores."""
TIES = ("competition", "dense", "fractional")
TREATMENT = ("none", "winsorise")
IMPUTATION = ("none", "mean", "median", "group-mean", "group-median", "carry-forward", "interpolate")
PANEL = frozenset({"carry-forward", "interpolate"})
"""Imputations that read other years of a panel."""
GROUPED = frozenset({"group-mean", "group-median"})
"""Imputations within the groups of a text column."""
SAMPLERS = ("sobol", "random")
DISTRIBUTIONS = ("uniform", "dirichlet", "simplex")
"""How an uncertainty analysis varies weights."""
