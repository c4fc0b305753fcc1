"""Fuzzing every loader: random bytes and mutations of the shipped files must give the package's own errors.

Through the public API (``load_dataset``, ``load_weights``, ``load_spec``, ``read_rules``, then scoring what
loads) any exception other than a TrustIndexError fails; through the command line, any exit code outside
0-3 or a traceback fails. The budget is fixed and the examples derandomised by default, so the suite is
repeatable; ``TRUSTINDEX_FUZZ=N`` runs N random examples per test instead (for instance 2000, before a
release).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import trustindex as ti
from trustindex.check import read_rules
from trustindex.cli import cli
from trustindex.errors import TrustIndexError

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "coexistence-regimes"
PANEL = ROOT / "datasets" / "jp-prefectures"
PROFILE = ROOT / "weights" / "balanced.toml"
SPEC = ROOT / "benchmarks" / "asem-spec.toml"
RULES = """schema = 1
fail_on = "error"
[severity]
rank-shift = "error"
[thresholds]
min_coverage = 0.667
max_rank_shift = 3
[bounds]
labour_link = [0, 1000]
[audit]
min_alpha = 0.7
[datasets.coexistence-regimes]
thresholds = { max_rank_shift = 5 }
"""

BUDGET = int(os.environ.get("TRUSTINDEX_FUZZ", "0"))
FUZZ = settings(
    max_examples=BUDGET or 10,
    derandomize=not BUDGET,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PIECES = ["\u2028", "\u2029", "\x85", "\x0b", "\ufeff", '"', "'", '"""', "[", "]", "[[", "{", "}", "=", ",", "\n",
          "\r\n", "\r", "#", "\\", ".", "-", "1e308", "-1e308", "1" + "0" * 309, "nan", "inf", "-inf", "８５", "٨٥",
          "8_5", "\x00", "0x1f", "1e999", "NA", "", " ", "\t", "é", "東京都", "true", "[0, 100]", "= 1",
          "12345"]  # fmt: skip


@st.composite
def mutated(draw, text: str) -> str:
    """``text`` with one to four edits: a piece inserted, a span deleted, duplicated or replaced, lines swapped."""
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "replace", "swap"]))
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 40)))
        piece = draw(st.sampled_from(PIECES) | st.text(max_size=6))
        if op == "insert":
            text = text[:i] + piece + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "replace":
            text = text[:i] + piece + text[j:]
        else:
            lines = text.split("\n")
            a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


def contents(path: Path):
    """Random bytes, or the file at ``path`` mutated."""
    return st.binary(max_size=600) | mutated(path.read_text(encoding="utf-8")).map(lambda t: t.encode("utf-8"))


def _copy(source: Path, tmp: Path) -> Path:
    folder = tmp / source.name
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("build.py", "__pycache__"))
    return folder


def _own_errors_only(call):
    try:
        return call()
    except TrustIndexError:
        return None


# --- the public API --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dataset.toml", "values.csv", "notes.csv"])
@FUZZ
@given(data=st.data())
def test_a_damaged_dataset_file_gives_a_trustindex_error(name, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _copy(DATASET, Path(tmp))
        (folder / name).write_bytes(data.draw(contents(DATASET / name)))
        dataset = _own_errors_only(lambda: ti.load_dataset(folder))
        if dataset is not None:
            _own_errors_only(lambda: ti.score(dataset, ti.load_weights(PROFILE)))


@pytest.mark.parametrize("name", ["dataset.toml", "values.csv"])
@settings(FUZZ, max_examples=max(3, (BUDGET or 10) // 3))
@given(data=st.data())
def test_a_damaged_panel_gives_a_trustindex_error(name, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _copy(PANEL, Path(tmp))
        (folder / name).write_bytes(data.draw(contents(PANEL / name)))
        _own_errors_only(lambda: ti.load_dataset(folder))


@FUZZ
@given(content=contents(PROFILE))
def test_a_damaged_profile_gives_a_trustindex_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mine.toml"
        path.write_bytes(content)
        weights = _own_errors_only(lambda: ti.load_weights(path))
        if weights is not None:
            _own_errors_only(lambda: ti.score(ti.load_dataset(DATASET), weights))


@FUZZ
@given(content=contents(SPEC))
def test_a_damaged_spec_gives_a_trustindex_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.toml"
        path.write_bytes(content)
        _own_errors_only(lambda: ti.load_spec(path))


@FUZZ
@given(content=st.binary(max_size=400) | mutated(RULES).map(lambda t: t.encode("utf-8")))
def test_a_damaged_rules_file_gives_a_trustindex_error(content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.toml"
        path.write_bytes(content)
        _own_errors_only(lambda: read_rules(path))


# --- the command line ------------------------------------------------------------------------------------------


def _cli(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1, 2, 3), (result.exit_code, result.stderr[-500:])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-500:]
    return result


@pytest.mark.parametrize("name", ["dataset.toml", "values.csv", "notes.csv"])
@settings(FUZZ, max_examples=max(3, (BUDGET or 10) // 3))
@given(data=st.data())
def test_the_cli_on_a_damaged_dataset(name, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder = _copy(DATASET, Path(tmp))
        (folder / name).write_bytes(data.draw(contents(DATASET / name)))
        _cli("score", "--data", str(folder), "-f", "json")
        _cli("check", str(folder), "-q")


@settings(FUZZ, max_examples=max(3, (BUDGET or 10) // 3))
@given(profile=contents(PROFILE), spec=contents(SPEC))
def test_the_cli_on_a_damaged_profile_and_spec(profile, spec):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "mine.toml").write_bytes(profile)
        (Path(tmp) / "spec.toml").write_bytes(spec)
        _cli("score", "--weights", str(Path(tmp) / "mine.toml"))
        _cli("uncertainty", "--spec", str(Path(tmp) / "spec.toml"), "--runs", "8", "--seed", "1", "-q")


@settings(FUZZ, max_examples=max(3, (BUDGET or 10) // 3))
@given(content=mutated(RULES).map(lambda t: t.encode("utf-8")))
def test_the_cli_on_a_damaged_rules_file(content):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "rules.toml").write_bytes(content)
        _cli("check", str(DATASET), "--rules", str(Path(tmp) / "rules.toml"), "-q")


# --- where positions point ----------------------------------------------------------------------------------


@FUZZ
@given(text=mutated(PROFILE.read_text(encoding="utf-8")))
def test_every_key_of_a_parsed_file_has_its_position(text):
    """For any text tomllib parses, each key path it holds is recorded at a place where the key's text starts."""
    import tomllib

    from trustindex.io.toml import Positions

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    positions = Positions.of(None, text)

    def walk(node, path):
        for key, value in node.items():
            here = (*path, key)
            assert here in positions.keys, here
            offset = positions.keys[here]
            assert text[offset] in "[\"'" or text.startswith(key, offset) or "." in text[offset : offset + 200], here
            if isinstance(value, dict):
                walk(value, here)

    walk(data, ())
