"""The defaults of the analyses, in one place: the CLI's options and the Python API's keyword arguments share
them (the uncertainty specification's own defaults are :class:`trustindex.model.Spec`'s)."""

SCORE_LEVELS = ("index", "pillar", "indicator")
"""The deepest level a ranking shows: the index only, also the pillars (and sub-pillars), or every indicator."""
LEVEL = "pillar"
"""The deepest level a ranking shows (``score --level``, ``Result.to_frame(level=)``)."""
SAMPLES = 1024
"""Sobol' base samples N (``sensitivity --samples``): N(d + 2) runs."""
TOP_K = 3
"""The size of the top set whose stability is reported (``stability --top-k``)."""
FLOOR = 0.0
"""The smallest weight share a component keeps when best and worst ranks are sought (``stability --floor``)."""
ACCEPTABILITY = 0
"""Runs of SMAA-2 rank acceptability, none by default (``stability --acceptability``)."""
