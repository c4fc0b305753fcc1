"""Shell completion, driven through click's own completion machinery (what `_TRUSTINDEX_COMPLETE` runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from trustindex.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def complete(args: list[str], incomplete: str) -> list[tuple[str, str]]:
    items = ShellComplete(cli, {}, "trustindex", "_TRUSTINDEX_COMPLETE").get_completions(args, incomplete)
    return [(item.type, item.value) for item in items]


SHIPPED_DATASETS = sorted(p.name for p in (ROOT / "datasets").iterdir() if (p / "dataset.toml").is_file())
SHIPPED_PROFILES = sorted(p.stem for p in (ROOT / "weights").glob("*.toml"))


@pytest.mark.parametrize("command", ["score", "explain", "compare", "importance", "audit", "uncertainty",
                                     "sensitivity", "stability", "tui"])  # fmt: skip
def test_data_completes_dataset_names_and_folders(command):
    got = complete([command, "--data"], "")
    assert got[0] == ("dir", "") and [v for t, v in got[1:]] == SHIPPED_DATASETS
    assert complete([command, "-d"], "jp") == [("dir", "jp"), ("plain", "jp-prefectures")]
    assert complete([command, "--data"], "./da") == [("dir", "./da")]  # a path: the shell completes it


@pytest.mark.parametrize("command", ["score", "audit", "uncertainty", "tui"])
def test_weights_completes_profile_names_and_files(command):
    got = complete([command, "--weights"], "")
    assert got[0] == ("file", "") and [v for t, v in got[1:]] == SHIPPED_PROFILES
    assert complete([command, "-w"], "man") == [("file", "man"), ("plain", "management-first")]


def test_check_completes_dataset_names_and_takes_profiles():
    assert [v for t, v in complete(["check"], "")[1:]] == SHIPPED_DATASETS
    assert [v for t, v in complete(["check", "--weights"], "")[1:]] == SHIPPED_PROFILES


def test_datasets_show_completes_dataset_names():
    assert complete(["datasets", "show"], "oe") == [("dir", "oe"), ("plain", "oecd-governance")]


@pytest.mark.parametrize(("args", "option"), [(["score"], "-o"), (["uncertainty"], "--spec"),
                                              (["check"], "--rules"), (["check"], "--base-file"),
                                              (["check"], "-o"), (["datasets"], "--output")])  # fmt: skip
def test_files_complete_as_files(args, option):
    assert complete([*args, option], "res") == [("file", "res")]


def test_entity_arguments_complete_the_datasets_entities():
    assert set(complete(["explain"], "")) == {("plain", e) for e in ("japan", "continental-europe", "united-states",
                                                                     "nordic")}  # fmt: skip
    asem = {v for _, v in complete(["explain", "--data", "asem"], "")}
    assert len(asem) == 51 and "DEU" in asem
    assert complete(["compare", "--data", "asem", "DEU"], "FR") == [("plain", "FRA")]
    assert complete(["stability", "--data", "asem", "--entity"], "GB") == [("plain", "GBR")]


def test_a_broken_dataset_completes_no_entities_and_no_traceback(tmp_path):
    (tmp_path / "dataset.toml").write_text("[[broken", encoding="utf-8")
    assert complete(["explain", "--data", str(tmp_path)], "") == []


def test_local_datasets_and_profiles_complete_first(tmp_path, monkeypatch):
    folder = tmp_path / "datasets" / "cities"
    folder.mkdir(parents=True)
    (folder / "dataset.toml").write_text("", encoding="utf-8")
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "mine.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [v for _, v in complete(["score", "--data"], "")[1:3]] == ["cities", "asem"]
    assert [v for _, v in complete(["score", "--weights"], "")][1] == "mine"


def test_the_bash_script_is_generated():
    done = subprocess.run([sys.executable, "-m", "trustindex"], capture_output=True, text=True, check=False,
                          env={**os.environ, "_TRUSTINDEX_COMPLETE": "bash_source"})  # fmt: skip
    assert "complete -o nosort -F" in done.stdout and done.returncode == 0


def test_init_completes_its_folder_and_files():
    assert complete(["init"], "my") == [("dir", "my")]
    assert complete(["init", "x", "--from"], "va") == [("file", "va")]
    assert complete(["init", "x", "--from", "v.csv", "--meta"], "in") == [("file", "in")]
    assert complete(["score", "--meta"], "in") == [("file", "in")]
