"""``trustindex uncertainty``, ``sensitivity`` and ``stability``."""

from __future__ import annotations

import click

from .options import COUNT, ENTITY, FILE, Number, data_options, emit, load, output_options, preflight
from .progress import progress_bar, quiet_option, seed_option, seed_or_new

FORMATS = ("table", "csv", "markdown", "json")


def _spec(path, engine, runs=None, sampler=None, top_k=None):
    """The specification (the file's, else the default) with the options' changes, checked against the dataset."""
    from dataclasses import replace

    from ..fit import fit_spec
    from ..io.spec import DEFAULT, SpecFile, read_spec

    source = read_spec(path) if path else SpecFile(DEFAULT)
    changes = {k: v for k, v in (("runs", runs), ("sampler", sampler), ("top_k", top_k)) if v is not None}
    source = source._replace(spec=replace(source.spec, **changes))
    fit_spec(source, engine)
    return source


def _fit(runs: int, engine, spec, source=None, option: str = "--runs") -> None:
    """Refuse, before anything is allocated, runs that do not fit in memory (at the spec's runs, or the option)."""
    from ..errors import ConfigError
    from ..fit import fit_runs

    def fail(message: str) -> None:
        if source is not None and source.path is not None and option == "runs":
            source.fail(message, (), "runs", "ask for fewer runs")
        raise ConfigError(f"{option}: {message}", hint="ask for fewer runs")

    fit_runs(runs, engine.dataset, fail)


def fit_samples(samples: int, engine, spec) -> None:
    """Refuse a Sobol' analysis of N(d + 2) runs that does not fit in memory."""
    from ..errors import ConfigError
    from ..fit import fit_samples as fit

    def fail(message: str) -> None:
        raise ConfigError(f"--samples: {message}", hint="ask for fewer samples")

    fit(samples, engine, spec, fail)


def samples_option(function):
    return click.option(
        "--samples", type=Number(2, 2**53, integer=True), default=1024, show_default=True,
        help="Base samples N, a power of 2 (N(d+2) runs).",
    )(function)  # fmt: skip


def runs_option(function):
    return click.option("--runs", type=Number(2, 2**53, integer=True), default=None,
                        help="Number of runs  [default: the spec's, 1000]")(function)  # fmt: skip


def spec_option(function):
    return click.option(
        "--spec", default=None, metavar="FILE", type=FILE,
        help="Uncertainty specification (TOML)  [default: weights ±25 %, arithmetic vs geometric index]",
    )(function)  # fmt: skip


@click.command(
    epilog="""\b
Examples:
  trustindex uncertainty                              # 1,000 runs: weights ±25 %, arithmetic vs geometric
  trustindex uncertainty --runs 100000 --seed 7 --plot
  trustindex uncertainty --data oecd-governance --spec my-spec.toml -f json -o ranks.json
"""
)
@data_options
@output_options(FORMATS)
@spec_option
@runs_option
@click.option(
    "--sampler", type=click.Choice(["sobol", "random"]), default=None, help="Scrambled Sobol' QMC or Monte Carlo."
)
@click.option("--top-k", type=COUNT, default=None, help="Report the probability of a top-k place.")
@click.option("--plot", is_flag=True, help="Draw the rank intervals in the terminal (table format).")
@seed_option
@quiet_option
def uncertainty(data, meta, year, weights, fmt, output, spec, runs, sampler, top_k, plot, seed, quiet):
    """How robust is every rank? Monte Carlo over the uncertain choices.

    Varies what the specification says is uncertain — weights, normalisation, aggregation, treatment,
    imputation, leaving a node out — and reports for each entity its nominal rank, median rank, 5th–95th
    percentile rank interval, mean score and interval, and probability of a top-k place; overall the mean
    absolute rank shift and the Spearman and Kendall correlations with the nominal ranking.
    """
    from ..engine import Engine
    from ..reports.robustness import uncertainty_report
    from ..uncertainty import uncertainty as run

    dataset, profile = load(data, weights, year, meta)
    engine = Engine(dataset, profile)
    source = _spec(spec, engine, runs, sampler, top_k)
    chosen = source.spec
    _fit(chosen.runs, engine, chosen, source, "--runs" if runs is not None else "runs")
    preflight(output)
    seed = seed_or_new(seed)
    with progress_bar(f"{chosen.runs:,} runs", quiet) as progress:
        result = run(engine, chosen, seed, progress=progress)
    emit(uncertainty_report(engine, result, fmt, plot), output)


@click.command(
    epilog="""\b
Examples:
  trustindex sensitivity                        # Sobol' indices, N = 1024 base samples
  trustindex sensitivity --samples 4096 --seed 1 -f markdown
  trustindex sensitivity --data asem --spec my-spec.toml -f json
"""
)
@data_options
@output_options(FORMATS)
@spec_option
@samples_option
@seed_option
@quiet_option
def sensitivity(data, meta, year, weights, fmt, output, spec, samples, seed, quiet):
    """Which uncertain input drives each rank? Sobol' first-order and total indices.

    For every entity's rank and score and for the mean absolute rank shift: the first-order and
    total-effect Sobol' index of each uncertain input of the specification, with 95 % bootstrap
    confidence intervals, from N(d + 2) runs.
    """
    from ..engine import Engine
    from ..fit import power_of_two
    from ..reports.robustness import sensitivity_report
    from ..sensitivity import sensitivity as run

    power_of_two(samples)
    dataset, profile = load(data, weights, year, meta)
    engine = Engine(dataset, profile)
    chosen = _spec(spec, engine).spec
    fit_samples(samples, engine, chosen)
    preflight(output)
    seed = seed_or_new(seed)
    with progress_bar("Sobol' runs", quiet) as progress:
        result = run(engine, chosen, samples, seed, progress=progress)
    emit(sensitivity_report(engine, result, fmt), output)


@click.command(
    epilog="""\b
Examples:
  trustindex stability                               # every pillar weight, best and worst ranks
  trustindex stability --entity japan --weight support
  trustindex stability --floor 0.1 --acceptability 10000 --seed 1 -f markdown
"""
)
@data_options
@output_options(("table", "markdown", "json"))
@click.option(
    "--weight", "nodes", multiple=True, metavar="NODE", help="A weight to move (repeatable)  [default: the pillars]"
)
@click.option(
    "--entity", default=None, type=ENTITY, help="Also report the interval over which this entity's rank holds."
)
@click.option("--top-k", type=COUNT, default=3, show_default=True, help="Size of the top set.")
@click.option(
    "--floor", type=Number(0, below=1), default=0.0, show_default=True,
    help="Minimum pillar weight share for best/worst ranks.",
)  # fmt: skip
@click.option("--acceptability", "runs", type=Number(0, 2**53, integer=True), default=0, metavar="RUNS",
              help="Also run SMAA-2 rank acceptability with this many runs.")  # fmt: skip
@seed_option
@quiet_option
def stability(data, meta, year, weights, fmt, output, nodes, entity, top_k, floor, runs, seed, quiet):
    """How far can each weight move before the ranking changes?

    For each weight moved like a slider (its siblings keeping their proportions): the share at which
    each pair of entities swaps (exact for arithmetic aggregation, to 1e-9 otherwise), and the interval
    around the nominal share over which the whole ranking, the top-k set and --entity's rank hold. Then
    the best and worst rank each entity can reach over all pillar weights (with --floor), and with
    --acceptability the SMAA-2 rank acceptability and central weights.
    """
    from ..engine import Engine
    from ..explain import find_entity
    from ..pipeline import score
    from ..reports.robustness import stability_report
    from ..stability import acceptability, rank_bounds, weight_stability

    dataset, profile = load(data, weights, year, meta)
    engine = Engine(dataset, profile)
    chosen = None
    if entity is not None:
        chosen = engine.entities[find_entity(score(dataset, profile), entity)]
    if runs:
        from ..model import Spec, WeightSpec

        simplex = Spec(runs=runs, weights=WeightSpec(distribution="simplex", levels=("pillar",)), aggregation=())
        _fit(runs, engine, simplex, option="--acceptability")
    preflight(output)
    pillars = [engine.nodes[c] for c in engine.steps[-1].children]
    intervals = []
    for node in nodes or pillars:
        with progress_bar(f"stability of {node}", quiet) as progress:
            intervals.append(weight_stability(engine, node, chosen, top_k, progress=progress))
    bounds = None
    if all(s.aggregation.method == "arithmetic" for s in engine.steps[-1:]) and len(pillars) >= 2:
        with progress_bar("best and worst ranks", quiet) as progress:
            bounds = rank_bounds(engine, engine.framework.level(pillars[0]), floor, progress=progress)
    smaa = None
    if runs:
        seed = seed_or_new(seed)
        with progress_bar(f"acceptability, {runs:,} runs", quiet) as progress:
            smaa = acceptability(engine, runs, seed, progress=progress)
    emit(stability_report(engine, intervals, bounds, smaa, chosen, fmt), output)
