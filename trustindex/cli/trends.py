"""``trustindex trends``."""

from __future__ import annotations

import click

from .options import YEAR, data_options, emit, load, output_options, preflight


@click.command(
    epilog="""\b
Examples:
  trustindex trends --data jp-prefectures --weights jp-settlement
  trustindex trends --data jp-prefectures --weights jp-settlement --from 2015 --to 2021 --level indicator
  trustindex trends --data jp-prefectures --weights jp-settlement -f json -o trends.json
"""
)
@data_options
@output_options()
@click.option("--from", "start", type=YEAR, default=None, help="The first year  [default: the panel's first]")
@click.option("--to", "end", type=YEAR, default=None, help="The last year  [default: the panel's last]")
@click.option("--level", type=click.Choice(["pillar", "indicator"]), default="pillar", show_default=True,
              help="Split each change into pillars, or also into indicators.")  # fmt: skip
def trends(data, meta, year, weights, fmt, output, start, end, level):
    """Each entity's score and rank per year of a panel, and the change from the first year to the last split
    exactly into the pillars (and indicators) that caused it.

    Every year is scored with the same profile. The split is the one `compare` makes between entities (exact
    Shapley values within each group of the tree, the first year as the baseline), re-scored to check it. A
    normalisation within each year, an indicator missing in a year and entities in one year only are said
    under the table: set `[normalisation] over = "panel"` (or use goalposts) to compare the years on one scale.
    """
    from ..pipeline import score
    from ..reports.trends import trends_report
    from ..trends import span
    from ..trends import trends as run

    if year is not None:
        raise click.UsageError("trends scores a range of years: use --from and --to, not --year")
    dataset, profile = load(data, weights, None, meta)
    chosen = span(dataset, start, end)
    preflight(output)
    results = [score(load(data, weights, y, meta)[0], profile) for y in chosen]
    emit(trends_report(results[-1], run(results), fmt, level), output)
