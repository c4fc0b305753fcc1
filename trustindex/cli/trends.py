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
    from ..errors import ConfigError
    from ..pipeline import score
    from ..reports.trends import trends_report
    from ..trends import trends as run

    if year is not None:
        raise click.UsageError("trends scores a range of years: use --from and --to, not --year")
    dataset, profile = load(data, weights, None, meta)
    if not dataset.years:
        raise ConfigError(f"dataset {dataset.name!r} has no years", hint="trends needs a panel dataset")
    first = dataset.years[0] if start is None else start
    last = dataset.years[-1] if end is None else end
    chosen = [y for y in dataset.years if first <= y <= last]
    for name, value in (("--from", first), ("--to", last)):
        if value not in dataset.years:
            raise ConfigError(f"{name} {value}: dataset {dataset.name!r} has no such year",
                              hint=f"its years: {dataset.years[0]}–{dataset.years[-1]}")  # fmt: skip
    if len(chosen) < 2:
        raise ConfigError(f"--from {first} --to {last} spans fewer than two years", hint="give a range of years")
    preflight(output)
    results = [score(load(data, weights, y, meta)[0], profile) for y in chosen]
    emit(trends_report(results[-1], run(results), fmt, level), output)
