"""``trustindex tui``."""

from __future__ import annotations

import click

from .options import SEED, data_options


@click.command(
    epilog="""\b
Examples:
  trustindex tui                                   # the embedded default, balanced weights
  trustindex tui --weights market-first
  trustindex tui --data jp-prefectures --year 2015
  trustindex tui --data my-dataset/ --weights my-weights.toml --seed 7
"""
)
@data_options
@click.option("--seed", type=SEED, default=None, help="Seed of the robustness runs  [default: a fresh one, shown]")
def tui(data, meta, year, weights, seed):
    """Explore weights live in a terminal interface.

    Change any pillar or indicator weight and the ranking is re-scored at once; explain an
    entity, run uncertainty and Sobol' analyses, read the audit, and save the weights as TOML
    (comments kept). Press ? in the interface for every key.
    """
    from ..tui import run

    run(data, weights, year, seed, meta)
