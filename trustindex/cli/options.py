"""Option bundles and the number types shared by the commands."""

from __future__ import annotations

import functools
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


class Completed(click.ParamType):
    """A string that the shell completes (checked where it is used): as a file (``kind="file"``) or a folder
    (``"dir"``), after the names ``names(ctx)`` gives that start with what was typed."""

    def __init__(self, kind: str = "file", names=None):
        self.kind = self.name = kind
        self.names = names

    def convert(self, value, param, ctx):
        return value

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        try:
            names = self.names(ctx) if self.names and "/" not in incomplete else []
        except Exception:  # noqa: BLE001 - completing must never fail: a broken dataset completes no names
            names = []
        # The path item first: bash completes paths only when no name matches what was typed.
        return [CompletionItem(incomplete, type=self.kind)] * (self.kind != "plain") + [
            CompletionItem(n) for n in dict.fromkeys(names) if n.startswith(incomplete)]  # fmt: skip


def _dataset_names(ctx) -> list[str]:
    from ..io.registry import dataset_names, local_dataset_names

    return local_dataset_names() + dataset_names()


def _profile_names(ctx) -> list[str]:
    from ..io.registry import local_weights_names, weights_names

    return local_weights_names() + weights_names()


def _entity_ids(ctx) -> list[str]:
    """The entities of the dataset named so far on the command line (else the default one)."""
    from ..io.dataset import load_dataset
    from ..io.registry import resolve_dataset

    return list(load_dataset(resolve_dataset(ctx.params.get("data"))).entities)


FOLDER = Completed("dir")
DATASET = Completed("dir", _dataset_names)
PROFILE = Completed("file", _profile_names)
ENTITY = Completed("plain", _entity_ids)
FILE = Completed("file")
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
        type=FILE,
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
        type=PROFILE,
        default=None,
        help="Weights profile: a TOML file, else a name in ./weights, else a shipped one  [default: the "
        "dataset's, else balanced when it fits, else equal weights]",
    )(function)
    return click.option(
        "-d",
        "--data",
        metavar="NAME|PATH",
        type=DATASET,
        default=None,
        help="Dataset: a folder (with --meta, a values file), else a name in ./datasets, else a shipped one  "
        "[default: coexistence-regimes]",
    )(function)


SUFFIXES = {".csv": "csv", ".json": "json", ".md": "markdown"}
"""The format an ``--output`` file gets by its suffix when ``-f`` is not given."""


def format_for(output: str, formats, default: str) -> str:
    """The format of an ``--output`` file by its suffix (.csv, .json, .md) when the command has it, else
    ``default``."""
    fmt = SUFFIXES.get(Path(output).suffix.lower()) if output != "-" else None
    return fmt if fmt in formats else default


def output_options(formats=FORMATS):
    """``-f`` and ``-o``: the format (else the output file's suffix's, else a table), a table fitted to the
    terminal when it is written to one, and the lines a CSV cannot hold (its notices) on stderr."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, fmt, output, **kwargs):
            from ..render import fitted

            fmt = fmt or format_for(output, formats, "table")
            aside: list[str] = []
            with fitted(terminal_width() if output == "-" and fmt == "table" else None, aside):
                result = function(*args, fmt=fmt, output=output, **kwargs)
            for line in aside:
                kind, _, text = line.partition(": ")
                click.echo(f"trustindex: {kind.lower()}: {text}" if kind in ("Note", "Notice") else
                           f"trustindex: notice: {line}", err=True)  # fmt: skip
            return result

        run = click.option(
            "-o",
            "--output",
            metavar="FILE",
            default="-",
            show_default=True,
            type=FILE,
            help="Write to FILE (atomically; never over a file the command reads) instead of stdout.",
        )(run)
        return click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(formats),
            default=None,
            help="Output format  [default: by the suffix of -o (.csv, .json, .md), else table]",
        )(run)

    return decorate


def emit(text: str, output: str | None) -> None:
    """Write a command's output (see :func:`trustindex.io.output.write_output`), its prose folded to the
    terminal's width when a table is fitted to it."""
    from ..io.output import write_output
    from ..render import fold

    write_output(fold(text), output)


def terminal_width() -> int | None:
    """The width of the terminal stdout writes to (``$COLUMNS`` first), None when it is not one."""
    import shutil
    import sys

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


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
    """The dataset (with ``meta``: the values file ``data`` and its indicator table) and the weights profile
    named on the command line, by the one rule (:func:`trustindex.io.registry.load_inputs`), with the
    dataset's located notices on stderr."""
    from ..io.registry import load_inputs

    if meta is not None and not data:
        raise click.UsageError("--meta needs --data naming the values file")
    dataset, profile = load_inputs(data, weights, year, meta)
    announce(dataset)
    return dataset, profile
