"""Option bundles shared by the commands."""

from __future__ import annotations

import click

from ..render import FORMATS


def data_options(function):
    """``--data``, ``--year`` and ``--weights``: a shipped name or a path, and the year of a panel."""
    function = click.option(
        "-y",
        "--year",
        type=int,
        default=None,
        help="Year of a panel dataset  [default: the latest]",
    )(function)
    function = click.option(
        "-w",
        "--weights",
        metavar="NAME|PATH",
        default=None,
        help="Weights profile: a name in weights/ or a TOML file  [default: the dataset's, else balanced]",
    )(function)
    return click.option(
        "-d",
        "--data",
        metavar="NAME|PATH",
        default=None,
        help="Dataset: a shipped name or a dataset folder  [default: coexistence-regimes]",
    )(function)


def output_options(formats=FORMATS):
    def decorate(function):
        function = click.option(
            "-o",
            "--output",
            metavar="FILE",
            default="-",
            show_default=True,
            help="Write to FILE (atomically) instead of stdout.",
        )(function)
        return click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(formats),
            default="table",
            show_default=True,
            help="Output format.",
        )(function)

    return decorate


def load(data: str | None, weights: str | None, year: int | None = None):
    """Resolve and read the dataset (for ``year``) and the weights named on the command line."""
    from ..io.dataset import load_dataset
    from ..io.registry import resolve_dataset, resolve_weights
    from ..io.weights import load_weights

    dataset = load_dataset(resolve_dataset(data), year)
    return dataset, load_weights(resolve_weights(weights or dataset.default_weights or None))
