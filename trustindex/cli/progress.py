"""Progress bars on stderr for long analyses, and the seed every stochastic command reports."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click


def seed_or_new(seed: int | None) -> int:
    """The given seed, or a fresh one that is printed on stderr so the run can be repeated."""
    if seed is None:
        import secrets

        seed = secrets.randbits(32)
        click.echo(f"trustindex: seed {seed} (repeat this run with --seed {seed})", err=True)
    return seed


@contextmanager
def progress_bar(label: str, quiet: bool):
    """A callback taking the fraction done, drawing a rich progress bar on stderr when it is a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=1.0)
        yield lambda done: bar.update(task, completed=done)


def quiet_option(function):
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(function)


def seed_option(function):
    from .options import SEED

    return click.option("--seed", type=SEED, default=None, help="Random seed (printed when not given).")(function)
