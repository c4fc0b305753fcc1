"""The README's table of exit codes is the ExitCode enum, and each code is what a command returns in its case."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.errors import ConfigError, DataError, ExitCode

ROOT = Path(__file__).resolve().parents[1]


def readme_table() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    return {int(code): meaning for code, meaning in re.findall(r"^\|\s*(\d+)\s*\|\s*(.+?)\s*\|$", section, re.M)}


def test_the_readme_table_is_the_enum():
    assert readme_table() == {int(code): readme_table()[int(code)] for code in ExitCode}
    assert set(readme_table()) == {int(code) for code in ExitCode}
    assert (ConfigError.exit_code, DataError.exit_code) == (ExitCode.USAGE, ExitCode.DATA)


def _broken_dataset(tmp_path) -> str:
    folder = tmp_path / "ds"
    shutil.copytree(ROOT / "datasets" / "coexistence-regimes", folder)
    values = folder / "values.csv"
    values.write_text(values.read_text(encoding="utf-8").replace("japan,Japan,85,", "japan,Japan,８５,"), "utf-8")
    return str(folder)


def _findings(tmp_path) -> str:
    rules = tmp_path / "rules.toml"
    rules.write_text('[severity]\nalpha = "error"\n', encoding="utf-8")  # the shipped data has a low alpha
    return str(rules)


@pytest.mark.parametrize(
    "code, argv",
    [
        (ExitCode.OK, lambda tmp: ["score"]),
        (ExitCode.FINDINGS, lambda tmp: ["check", "coexistence-regimes", "--rules", _findings(tmp), "-q"]),
        (ExitCode.USAGE, lambda tmp: ["score", "--data", "coexistence-regime"]),  # a name is usage
        (ExitCode.USAGE, lambda tmp: ["score", "--top", "ten"]),
        (ExitCode.DATA, lambda tmp: ["score", "--data", _broken_dataset(tmp)]),
    ],
)
def test_each_code_in_its_case(tmp_path, code, argv):
    result = CliRunner().invoke(cli, argv(tmp_path))
    assert result.exit_code == int(code), result.stderr
    if code in (ExitCode.USAGE, ExitCode.DATA):
        assert result.stderr.startswith("trustindex: error: ") and result.stderr.count("\n") == 1


def test_a_bug_is_70_and_an_interrupt_130(monkeypatch):
    import trustindex.pipeline

    for error, code in ((RuntimeError("boom"), ExitCode.INTERNAL), (KeyboardInterrupt(), ExitCode.INTERRUPTED)):

        def broken(*args, error=error, **kwargs):
            raise error

        monkeypatch.setattr(trustindex.pipeline, "score", broken)
        result = CliRunner().invoke(cli, ["score"])
        assert result.exit_code == int(code) and result.stderr.count("\n") == 1
