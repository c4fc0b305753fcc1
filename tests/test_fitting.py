"""Output that fits: tables fitted to a terminal's width, full width elsewhere; the format by the output file's
suffix; CSV's notices on stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.render import Column, fitted, fold, render_table, width, wrap

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="trustindex")


def on_terminal(*args: str, columns: int = 80) -> str:
    """What trustindex prints on a terminal ``columns`` wide (a pseudo-terminal, as a user's shell gives)."""
    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "trustindex", *args, "-q"] if args[0] in ("uncertainty",)
                               else [sys.executable, "-m", "trustindex", *args], stdout=secondary,
                               stderr=subprocess.DEVNULL, env=env, cwd=ROOT)  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(main)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


COLUMNS = [Column("rank", "Rank", "rank"), Column("id", "ID", long="spare"), Column("name", "Entity"),
           Column("source", "Source", long="note"), Column("score", "A long score heading", "score")]  # fmt: skip
ROWS = [
    {"rank": 1, "id": "alpha-land", "name": "The Republic of Alphaland", "source": "Statistics office, " * 6,
     "score": 71.25},
    {"rank": 2, "id": "beta", "name": "Beta", "source": "Survey of households 2021, table 4.2, annex B",
     "score": 12.5},
]  # fmt: skip


@pytest.mark.parametrize("limit", [30, 40, 60, 80, 120])
def test_a_fitted_table_is_never_wider_than_the_terminal(limit):
    with fitted(limit):
        text = render_table("table", COLUMNS, ROWS, ["A footer line that is long enough to need wrapping " * 3])
    assert max(width(line) for line in text.splitlines()) <= limit, text


def test_unfitted_tables_keep_their_full_width():
    text = render_table("table", COLUMNS, ROWS)
    assert "Statistics office, " * 5 in text and "alpha-land" in text and "[1]" not in text


def test_long_citations_become_numbered_footnotes_and_the_spare_id_goes_first():
    with fitted(50):
        text = render_table("table", COLUMNS, ROWS)
    body, notes = text.split("\n\n", 1)
    assert "[1]" in body and "[2]" in body and "alpha-land" not in body
    assert notes.startswith("[1] Statistics office,") and "[2] Survey of households 2021" in notes
    assert "Left out to fit 50 columns: ID;" in " ".join(notes.split())
    assert "Alphaland" in body and "71.2" in body  # the name wraps, the number stays whole


def test_wrap_breaks_at_spaces_and_splits_only_overlong_words():
    assert wrap("one two three", 7) == ["one two", "three"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert all(width(line) <= 6 for line in wrap("外国人住民の統計 by prefecture", 6))


def test_fold_wraps_prose_and_keeps_indentation():
    with fitted(20):
        folded = fold("  a sentence that is far too long for twenty cells\nshort")
    assert folded.splitlines()[-1] == "short"
    assert all(line.startswith("  ") and width(line) <= 20 for line in folded.splitlines()[:-1])
    assert fold("x " * 100) == "x " * 100  # not fitted: unchanged


SCREENS = [
    ("score",),
    ("score", "-d", "asem"),
    ("datasets",),
    ("datasets", "show", "jp-prefectures"),
    ("audit", "-d", "oecd-governance"),
    ("explain", "japan"),
    ("uncertainty", "--runs", "200"),
]


@pytest.mark.parametrize("args", SCREENS)
def test_every_line_fits_an_80_column_terminal(args):
    text = on_terminal(*args)
    lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line) for line in text.splitlines()]
    assert lines and max(width(line) for line in lines) <= 80, "\n".join(line for line in lines if width(line) > 80)


def test_piped_output_keeps_the_full_width():
    done = subprocess.run([sys.executable, "-m", "trustindex", "score"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "80"}, check=True)  # fmt: skip
    assert max(width(line) for line in done.stdout.splitlines()) > 80
    assert "continental-europe" in done.stdout  # the ID column is kept


@pytest.mark.parametrize(("suffix", "check"), [
    (".csv", lambda text: next(csv.reader(io.StringIO(text)))[:2] == ["rank", "id"]),
    (".json", lambda text: json.loads(text)["command"] == "score"),
    (".md", lambda text: text.startswith("| Rank |")),
    (".txt", lambda text: text.startswith("                              Balanced") or "----" in text),
])  # fmt: skip
def test_the_output_file_suffix_chooses_the_format(tmp_path, suffix, check):
    target = tmp_path / f"result{suffix}"
    result = run("score", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert check(target.read_text(encoding="utf-8"))


def test_an_explicit_format_wins_over_the_suffix(tmp_path):
    target = tmp_path / "result.csv"
    assert run("score", "-f", "json", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["command"] == "score"


def test_check_takes_its_format_from_the_suffix_too(tmp_path):
    target = tmp_path / "check.json"
    result = run("check", "coexistence-regimes", "-q", "-o", str(target))
    assert result.exit_code in (0, 1), result.output
    assert json.loads(target.read_text(encoding="utf-8"))["command"] == "check"


@pytest.mark.parametrize("command", [("score",), ("audit",), ("uncertainty", "--runs", "100", "-q")])
def test_csv_notices_go_to_stderr(command):
    result = run(*command, "-d", "oecd-governance", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "Notice:" not in result.stdout
    if command[0] in ("score",):
        assert "trustindex: notice: Management: no indicators: left out" in result.stderr
    said = ("trustindex: note: ", "trustindex: notice: ", "trustindex: seed ")
    assert all(line.startswith(said) for line in result.stderr.splitlines())


def test_wrap_keeps_a_tree_indentation_and_breaks_long_names_after_an_underscore():
    assert wrap("  students_per_teacher", 17) == ["  students_per_", "  teacher"]
    assert wrap("students_per_teacher", 9) == ["students_", "per_", "teacher"]
