"""No library warning (numpy's RuntimeWarning, scipy's, a solver's message) reaches the user: every command over
every shipped dataset runs without one, and without anything written to the process's stderr beneath Python.
"""

from __future__ import annotations

import warnings

import pytest
from click.testing import CliRunner

from trustindex.cli import cli

ENTITIES = {"coexistence-regimes": ("japan", "nordic"), "jp-prefectures": ("13", "27"), "asem": ("AUT", "BEL"),
            "oecd-governance": ("JPN", "KOR")}  # fmt: skip
COMMANDS = {
    "score": ("score",),
    "explain": ("explain", "{a}"),
    "explain-rank": ("explain", "{a}", "--rank", "1"),
    "compare": ("compare", "{a}", "{b}"),
    "importance": ("importance",),
    "audit": ("audit",),
    "uncertainty": ("uncertainty", "--runs", "64", "--seed", "1", "-q"),
    "sensitivity": ("sensitivity", "--samples", "16", "--seed", "1", "-q"),
    "stability": ("stability", "--acceptability", "64", "--seed", "1"),
}


def _cases():
    for dataset, (a, b) in ENTITIES.items():
        for name, args in COMMANDS.items():
            argv = [arg.format(a=a, b=b) for arg in args] + ["--data", dataset]
            yield pytest.param(argv, id=f"{dataset}-{name}")
        yield pytest.param(["datasets", "show", dataset], id=f"{dataset}-datasets-show")
        yield pytest.param(["check", dataset, "-q"], id=f"{dataset}-check")


@pytest.mark.parametrize("argv", list(_cases()))
def test_no_library_warning_reaches_stderr(argv, capfd):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(cli, argv)
    assert result.exit_code in (0, 1), result.stderr
    below = capfd.readouterr().err  # what C code (a solver) writes to the file descriptor itself
    shown = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]
    assert not shown and not below.strip() and "Warning" not in result.stderr, (shown, below, result.stderr)
