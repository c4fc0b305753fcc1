"""``trustindex score``."""

from __future__ import annotations

import click

from .options import COUNT, data_options, emit, load, output_options, preflight

LEVELS = ("index", "pillar", "indicator")


@click.command(
    epilog="""\b
Examples:
  trustindex score
  trustindex score --weights welfare-first --level pillar
  trustindex score --top 10 -f markdown
  trustindex score --data jp-prefectures --weights jp-settlement --year 2015
  trustindex score --data my-dataset/ --weights my-weights.toml -f json -o result.json
"""
)
@data_options
@output_options()
@click.option("--top", type=COUNT, metavar="N", help="Show only the N best-ranked entities.")
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="pillar",
    show_default=True,
    help="Deepest level shown: the index only, also pillars, or also every indicator (normalised).",
)
def score(data, meta, year, weights, fmt, output, top, level):
    """Score and rank every entity.

    Prints each entity's rank and index score, and the score of every pillar (or indicator) below
    it, then notices about missing, excluded or illustrative data.
    """
    from ..pipeline import score as run
    from ..reports.score import score_report

    dataset, profile = load(data, weights, year, meta)
    preflight(output)
    result = run(dataset, profile)
    text = score_report(result, fmt, level=level, top=top)
    emit(text, output)
