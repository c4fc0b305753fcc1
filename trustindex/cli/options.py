"""Option bundles and the number types shared by the commands."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..render import FORMATS


class Number(click.ParamType):
    """A number written in ASCII (see :mod:`trustindex.io.numbers`), finite, within [low, high]."""

    name = "number"

    def __init__(self, low: float | None = None, high: float | None = None, integer: bool = False,
                 below: float | None = None):  # fmt: skip
        self.low, self.high, self.integer, self.below = low, high, integer, below
        self.name = "integer" if integer else "number"

    def convert(self, value, param, ctx):
        from ..io.numbers import LARGEST, NotANumber, parse_integer, parse_number, shown

        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = parse_integer(str(value).strip()) if self.integer else parse_number(str(value).strip())
            except NotANumber as exc:
                self.fail(str(exc), param, ctx)
        if isinstance(number, float) and (math.isnan(number) or abs(number) > LARGEST):
            self.fail(f"{shown(number)} is not a finite number within ±{LARGEST:g}", param, ctx)
        low = "-inf" if self.low is None else shown(self.low)
        high = shown(self.below) + ")" if self.below is not None else ("inf" if self.high is None else shown(self.high))
        span = f"[{low}, {high}{']' if self.below is None else ''}"
        if (
            (self.low is not None and number < self.low)
            or (self.high is not None and number > self.high)
            or (self.below is not None and number >= self.below)
        ):
            self.fail(f"{shown(number)} is not in {span}", param, ctx)
        return number


YEAR = Number(1000, 9999, integer=True)
SEED = Number(0, 2**64 - 1, integer=True)
COUNT = Number(1, 2**53, integer=True)


def data_options(function):
    """``--data``, ``--meta``, ``--year`` and ``--weights``: a shipped name or a path (or a values file and its
    indicator table), and the year of a panel."""
    function = click.option(
        "-m",
        "--meta",
        metavar="FILE",
        default=None,
        help="Indicator table (CSV, or .xlsx; book.xlsx#SHEET names a sheet) of the values file given as --data: "
        "one row per indicator and aggregate, COINr's iMeta included.",
    )(function)
    function = click.option(
        "-y",
        "--year",
        type=YEAR,
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
        help="Dataset: a shipped name or a dataset folder (with --meta, a values file)  [default: coexistence-regimes]",
    )(function)


def output_options(formats=FORMATS):
    def decorate(function):
        function = click.option(
            "-o",
            "--output",
            metavar="FILE",
            default="-",
            show_default=True,
            help="Write to FILE (atomically; never over a file the command reads) instead of stdout.",
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


def announce(dataset) -> None:
    """The notices that point at a cell or key (values and targets beyond their goalposts), on stderr."""
    from ..errors import located

    for notice in dataset.notices:
        if not notice.location:
            continue
        path, line, column = (*notice.location, None, None)[:3]
        where = located(path, line or None, column if line else None)
        who = f" ({', '.join(notice.entities[:5])}{' and more' if len(notice.entities) > 5 else ''})"
        node = f"{notice.node}: " if notice.node else ""
        click.echo(f"trustindex: notice: {where}: {node}{notice.message}{who if notice.entities else ''}",
                   err=True)  # fmt: skip


def preflight(output: str | None) -> None:
    """Refuse ``--output`` now, before the work, when it names a file that was read or cannot be written."""
    from ..io.output import check_target

    if output not in (None, "-"):
        check_target(output)


def load(data: str | None, weights: str | None, year: int | None = None, meta: str | None = None):
    """Resolve and read the dataset (for ``year``; with ``meta``, the values file ``data`` and its indicator
    table) and the weights named on the command line (else the dataset's ``default_weights``, an error at its
    line when no such profile exists)."""
    from ..errors import ConfigError
    from ..io.dataset import load_dataset
    from ..io.registry import resolve_dataset, resolve_weights
    from ..io.weights import load_weights

    if meta is not None and not data:
        raise click.UsageError("--meta needs --data naming the values file")
    dataset = load_dataset(resolve_dataset(data) if meta is None else data, year, meta)
    announce(dataset)
    if weights is None and dataset.default_weights:
        named = dataset.default_weights
        if dataset.path is not None and named.endswith(".toml") and not Path(named).is_absolute():
            named = str(Path(dataset.path) / named)  # a path in dataset.toml is relative to it
        try:
            path = resolve_weights(named)
        except ConfigError as exc:
            line, column = dataset.positions.at((), "default_weights")
            raise ConfigError(f"default_weights: {exc.message}", path=dataset.files[0], line=line, column=column,
                              hint=exc.hint) from None  # fmt: skip
        return dataset, load_weights(path)
    return dataset, load_weights(resolve_weights(weights))
