"""``trustindex explain``, ``compare`` and ``importance``."""

from __future__ import annotations

import click

from .options import COUNT, ENTITY, Number, data_options, emit, load, output_options, preflight
from .progress import progress_bar, quiet_option

FORMATS = ("table", "markdown", "json")


@click.command(
    epilog="""\b
Examples:
  trustindex explain japan                      # and what it takes to move up one place
  trustindex explain japan --rank 1             # what it would take to rank first
  trustindex explain japan --score 60 -f markdown
  trustindex explain 東京都 --data jp-prefectures --year 2020
  trustindex explain JPN --data oecd-governance --baseline KOR -f json
"""
)
@click.argument("entity", type=ENTITY)
@data_options
@output_options(FORMATS)
@click.option("--rank", "target_rank", type=COUNT, metavar="N", help="What it would take to rank N.")
@click.option("--score", "target_score", type=Number(), metavar="X", help="What it would take to score X.")
@click.option(
    "--baseline", metavar="mean|ENTITY", default=None,
    help="Shapley baseline: the average entity (default for non-arithmetic) or another entity.",
)  # fmt: skip
@quiet_option
def explain(entity, data, meta, year, weights, fmt, output, target_rank, target_score, baseline, quiet):
    """Explain an entity's score: every value, weight and exact contribution.

    Shows, for the index, each pillar and each indicator: the published value with its unit, source and
    year, the normalised score, its rank among all entities, the nominal and effective weight and the
    contribution to the score. Then the strengths and weaknesses, what it would take to move up (one
    place unless --rank or --score says otherwise), where each value comes from, and every notice.
    """
    from ..explain import explain as run
    from ..pipeline import score
    from ..reports.explain import explain_report
    from ..targets import what_it_takes

    if target_rank is not None and target_score is not None:
        raise click.UsageError("give --rank or --score, not both")
    dataset, profile = load(data, weights, year, meta)
    preflight(output)
    result = score(dataset, profile)
    explanation = run(result, entity, baseline)
    target = None
    if target_score is not None or target_rank is not None or explanation.rank > 1:
        rank = None if target_score is not None else target_rank or int(explanation.rank) - 1
        with progress_bar("what it would take", quiet) as progress:
            target = what_it_takes(result, entity, rank=rank, score_=target_score, progress=progress)
    emit(explain_report(result, explanation, target, fmt), output)


@click.command(
    epilog="""\b
Examples:
  trustindex compare japan nordic
  trustindex compare JPN KOR --data oecd-governance -f markdown
"""
)
@click.argument("first", type=ENTITY)
@click.argument("second", type=ENTITY)
@data_options
@output_options(FORMATS)
def compare(first, second, data, meta, year, weights, fmt, output):
    """Compare two entities, with the score gap split exactly into contributions.

    Side by side per pillar and indicator; the last column splits the index gap between them into the
    part each node accounts for, and those parts sum to the gap.
    """
    from ..explain import compare as run
    from ..pipeline import score
    from ..reports.explain import compare_report

    dataset, profile = load(data, weights, year, meta)
    preflight(output)
    result = score(dataset, profile)
    emit(compare_report(result, run(result, first, second), fmt), output)  # fmt: skip


@click.command(
    epilog="""\b
Examples:
  trustindex importance --data jp-prefectures
  trustindex importance --data oecd-governance -f json
"""
)
@data_options
@output_options(FORMATS)
def importance(data, meta, year, weights, fmt, output):
    """Effective importance of each pillar and indicator against its nominal weight.

    Estimates each component's first-order effect on the index across the entities (squared correlation
    and correlation ratio, after Paruolo, Saisana & Saltelli 2013) and sets its share beside the nominal
    weight share, flagging components that count far more or far less than their weight says.
    """
    from ..importance import importance as run
    from ..pipeline import score
    from ..reports.explain import importance_report

    dataset, profile = load(data, weights, year, meta)
    preflight(output)
    result = score(dataset, profile)
    emit(importance_report(result, run(result), fmt), output)
