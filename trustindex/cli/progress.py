"""Progress bars on stderr for long analyses, and the seed every stochastic command reports."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack, contextmanager

import click

DELAY = 1.0
"""Seconds of work before a bar appears: shorter work shows none."""


def seed_or_new(seed: int | None) -> int:
    """The given seed, or a fresh one that is printed on stderr so the run can be repeated."""
    if seed is None:
        import secrets

        seed = secrets.randbits(32)
        click.echo(f"trustindex: seed {seed} (repeat this run with --seed {seed})", err=True)
    return seed


@contextmanager
def progress_bar(label: str, quiet: bool):
    """A callback taking the fraction done that draws a rich progress bar with an ETA on stderr — when stderr is
    a terminal, and only once the work has lasted DELAY seconds."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    began = time.monotonic()
    with ExitStack() as stack:
        bar = []

        def update(done: float) -> None:
            if not bar:
                if time.monotonic() - began < DELAY:
                    return
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

                progress = stack.enter_context(Progress(
                    TextColumn(label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                ))  # fmt: skip
                bar.append((progress, progress.add_task(label, total=1.0)))
            progress, task = bar[0]
            progress.update(task, completed=done)

        yield update


def quiet_option(function):
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(function)


def seed_option(function):
    from .options import SEED

    return click.option("--seed", type=SEED, default=None, help="Random seed (printed when not given).")(function)
