"""Option bundles and the number types shared by the commands."""

from __future__ import annotations

import math

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
    """``--data``, ``--year`` and ``--weights``: a shipped name or a path, and the year of a panel."""
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
    for notice in dataset.notices:
        if not notice.location:
            continue
        path, line, column = (*notice.location, None, None)[:3]
        where = str(path) + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        who = f" ({', '.join(notice.entities[:5])}{' and more' if len(notice.entities) > 5 else ''})"
        click.echo(f"trustindex: notice: {where}: {notice.node}: {notice.message}{who if notice.entities else ''}",
                   err=True)  # fmt: skip


def preflight(output: str | None) -> None:
    """Refuse ``--output`` now, before the work, when it names a file that was read or cannot be written."""
    from ..io.output import check_target

    if output not in (None, "-"):
        check_target(output)


def load(data: str | None, weights: str | None, year: int | None = None):
    """The dataset and the weights profile named on the command line, by the one rule
    (:func:`trustindex.io.registry.load_inputs`), with the dataset's located notices on stderr."""
    from ..io.registry import load_inputs

    dataset, profile = load_inputs(data, weights, year)
    announce(dataset)
    return dataset, profile
