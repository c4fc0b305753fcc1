"""``trustindex datasets``: what is shipped, and where every indicator comes from."""

from __future__ import annotations

import click

from .options import DATASET, announce, emit, output_options, preflight

TABLE_FORMATS = ("table", "csv", "json", "markdown")


@click.group(
    invoke_without_command=True,
    epilog="""\b
Examples:
  trustindex datasets                       # ./datasets here, then the shipped ones
  trustindex datasets -f markdown
  trustindex datasets show jp-prefectures
""",
)
@output_options(TABLE_FORMATS)
@click.pass_context
def datasets(ctx, fmt, output):
    """List the datasets under ./datasets here and the shipped ones: entities, indicators, years, licence."""
    if ctx.invoked_subcommand is not None:
        return
    from ..io.dataset import load_dataset
    from ..io.registry import LOCAL, dataset_names, local_dataset_names, shipped_root
    from ..reports.datasets import datasets_report

    found = [(LOCAL[0] / n, "here") for n in local_dataset_names()]
    found += [(shipped_root() / "datasets" / n, "shipped") for n in dataset_names()]
    loaded = [load_dataset(path) for path, _ in found]
    for dataset in loaded:
        announce(dataset)
    preflight(output)
    emit(datasets_report(loaded, fmt, [place for _, place in found]), output)


@datasets.command(
    epilog="""\b
Examples:
  trustindex datasets show coexistence-regimes
  trustindex datasets show oecd-governance -f markdown
  trustindex datasets show ./my-dataset -f json
"""
)
@click.argument("name", metavar="NAME|PATH", type=DATASET)
@output_options(TABLE_FORMATS)
def show(name, fmt, output):
    """Print a dataset's framework with each indicator's source, unit and direction."""
    from ..io.dataset import load_dataset
    from ..io.registry import resolve_dataset
    from ..reports.datasets import framework_report

    dataset = load_dataset(resolve_dataset(name))
    announce(dataset)
    preflight(output)
    emit(framework_report(dataset, fmt), output)
