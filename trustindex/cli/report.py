"""``trustindex report``."""

from __future__ import annotations

import click

from .options import FILE, Completed, data_options, load, preflight
from .progress import progress_bar, quiet_option, seed_option, seed_or_new
from .robustness import _fit, _spec, fit_samples, runs_option, samples_option, spec_option


@click.command(
    epilog="""\b
Examples:
  trustindex report                                  # report.html: the default dataset, balanced weights
  trustindex report --data asem --seed 7 -o asem.html
  trustindex report --data jp-prefectures --year 2020 --figures figures/
  trustindex report --data my-dataset/ --weights mine.toml --spec spec.toml --runs 5000 --samples 2048
"""
)
@data_options
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default="report.html",
    show_default=True,
    type=FILE,
    help="Write the page to FILE (atomically; never over a file the command reads); - for stdout.",
)
@spec_option
@runs_option
@samples_option
@click.option(
    "--figures",
    metavar="DIR",
    type=Completed("dir"),
    default=None,
    help="Also write each figure as SVG and PNG into DIR (needs the report extra).",
)
@seed_option
@quiet_option
def report(data, meta, year, weights, output, spec, runs, samples, figures, seed, quiet):
    """Write one self-contained HTML page with every analysis, to share.

    The ranking with each entity's pillar scores as bars; the uncertainty analysis's median ranks and
    5–95 % rank intervals beside the nominal ranks; Sobol' first-order and total indices with their
    intervals; the weight-stability intervals; the audit (indicator statistics and outliers, correlation
    heat maps, Cronbach's alpha); a profile of every entity (contributions, strengths and weaknesses,
    what it would take to move up one place), linked from the ranking; and the provenance of every
    indicator. Every number comes from the same calls as the other commands'. The page needs no network.
    """
    from ..engine import Engine
    from ..fit import power_of_two
    from ..reports.html import check_figures, write_report

    power_of_two(samples)
    dataset, profile = load(data, weights, year, meta)
    engine = Engine(dataset, profile)
    chosen = _spec(spec, engine, runs).spec
    _fit(chosen.runs, engine, chosen, None, "--runs" if runs is not None else "runs")
    fit_samples(samples, engine, chosen)
    preflight(output)
    if figures is not None:
        check_figures(figures)
    seed = seed_or_new(seed)
    with progress_bar("report", quiet) as progress:
        write_report(dataset, profile, output, chosen, samples, seed, figures, progress=progress)
    if output != "-" and not quiet:
        click.echo(f"trustindex: wrote {output}" + (f" and the figures in {figures}" if figures else ""), err=True)
