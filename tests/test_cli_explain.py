"""``trustindex explain``, ``compare`` and ``importance`` through the CLI: exit codes, stdout vs stderr, formats.

Numbers for the default dataset are worked out here from values.csv (pillar means, equal pillar weights):
Japan 84, 27.5, 28.33…, 48.75 → 47.1458…; Continental Europe 62, 55.83…, 64.16…, 58.75 → 60.1875;
Nordic 58, 65.83…, 72.5, 60 → 64.0833…; United States 47, 49.16…, 36.66…, 46.25 → 44.77…
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import only_notices

from trustindex.cli import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATASET = Path(__file__).resolve().parents[1] / "datasets" / "coexistence-regimes"
USAGE = 2
JAPAN, EUROPE, NORDIC = 188.5833333333 / 4, 60.1875, 256.3333333333 / 4


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="trustindex")


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    assert only_notices(result.stderr), result.stderr
    return result.stdout


def meta():
    return tomllib.loads((DATASET / "dataset.toml").read_text(encoding="utf-8"))


def japan_values() -> dict[str, float]:
    with open(DATASET / "values.csv", encoding="utf-8", newline="") as stream:
        row = next(r for r in csv.DictReader(stream) if r["id"] == "japan")
    return {k: float(row[k]) for k in meta()["indicators"]}


# --- explain ----------------------------------------------------------------------------------------


def test_explain_japan_table():
    out = ok("explain", "japan")
    assert out.startswith("Japan (japan): rank 3 of 4, Balanced Coexistence Index 47.1\n")
    assert "Japan ranks 3 of 4 with 47.1." in out
    assert "Its strongest pillar is Management (84.0), its weakest Connectivity (27.5)." in out
    for indicator in meta()["indicators"].values():
        assert indicator["label"] in out
    assert "Contributions are effective weight × score and sum to the index score" in out
    # one place up by default: rank 2 means Continental Europe's 60.1875
    assert "What it would take to reach rank 2 (index score 60.2)" in out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert "27.5 → 79.7" in lines["Connectivity"]  # (84 + c + 28.33 + 48.75)/4 = 60.1875 → c = 79.67
    assert "28.3 → 80.5" in lines["Support"]  # 240.75 − 84 − 27.5 − 48.75 = 80.5
    assert "Note: Illustrative coding" in out


def test_explain_rank_and_score_targets():
    out = ok("explain", "japan", "--rank", "1")
    assert f"What it would take to reach rank 1 (index score {NORDIC:.1f})" in out
    out = ok("explain", "japan", "--score", "60")
    assert "What it would take to reach a score of 60 (index score 60.0)" in out
    # (84 + c + 28.333 + 48.75)/4 = 60 → c = 78.917
    assert "27.5 → 78.9" in next(line for line in out.splitlines() if line.startswith("Connectivity "))
    out = ok("explain", "japan", "--score", "40")
    assert "What it would take to reach a score of 40 (index score 40.0)\n\nAlready there." in out


def test_explain_leader_has_no_target_section():
    out = ok("explain", "nordic")
    assert out.startswith("Nordic countries (nordic): rank 1 of 4") and "What it would take" not in out


def test_explain_json():
    doc = json.loads(ok("explain", "japan", "-f", "json"))
    assert doc["command"] == "explain" and doc["dataset"]["name"] == "coexistence-regimes"
    explanation, target = doc["explanation"], doc["target"]
    assert explanation["entity"] == "japan" and explanation["method"] == "linear"
    assert explanation["score"] == pytest.approx(JAPAN, abs=1e-9)
    parts = {p["node"]: p for p in explanation["parts"]}
    values = japan_values()
    leaves = [parts[iid]["contribution"] for iid in values]
    assert math.fsum(leaves) == pytest.approx(explanation["score"], abs=1e-9)
    pillars = ("management", "connectivity", "support", "explainability")
    assert math.fsum(parts[p]["contribution"] for p in pillars) == pytest.approx(explanation["score"], abs=1e-9)
    assert all(parts[iid]["raw"] == values[iid] for iid in values)
    assert target["target_rank"] == 2 and target["target_score"] == pytest.approx(EUROPE, abs=1e-12)
    assert target["reached"] is False and target["rank"] == 3
    moves = {m["node"]: m for m in target["pillars"]}
    assert moves["connectivity"]["needed"] == pytest.approx(4 * EUROPE - 84 - 170 / 6 - 48.75, abs=1e-5)
    assert moves["management"]["needed"] is None and moves["management"]["reachable"] is False


def test_explain_markdown():
    out = ok("explain", "japan", "-f", "markdown")
    assert out.startswith("# Japan (japan): rank 3 of 4, Balanced Coexistence Index 47.1\n")
    assert "## What it would take to reach rank 2 (index score 60.2)" in out
    assert "| Node | Value | Unit | Score | Rank | Weight | Effective | Contribution | Source |" in out
    assert "| Admission control | 85 |" in out
    assert "## Where the values come from" in out


def test_explain_with_a_baseline_entity():
    out = ok("explain", "japan", "--baseline", "nordic")
    assert f"exact Shapley values against the nordic entity (score {NORDIC:.1f})" in out


def test_explain_japanese_entity_names():
    out = ok("explain", "東京都", "--data", "jp-prefectures")
    assert out.startswith("東京都 (13): rank ") and "東京都 ranks " in out
    assert ok("explain", "13", "--data", "jp-prefectures") == out  # by id
    doc = json.loads(ok("explain", "大阪府", "--data", "jp-prefectures", "--year", "2020", "-f", "json"))
    assert doc["explanation"]["name"] == "大阪府" and doc["dataset"]["year"] == 2020
    assert doc["target"] is not None or doc["explanation"]["rank"] == 1
    out = ok("explain", "大阪府", "--data", "jp-prefectures", "-f", "markdown")
    assert out.startswith("# 大阪府 (27): rank ")


def test_explain_unknown_entity():
    result = run("explain", "japn")
    assert result.exit_code == USAGE and result.stdout == ""
    expected = "trustindex: error: no entity 'japn' in dataset 'coexistence-regimes' (did you mean 'japan'?)\n"
    assert result.stderr == expected  # one line
    result = run("explain", "東京", "--data", "jp-prefectures")
    assert result.exit_code == USAGE and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "did you mean '東京都'?" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rank", "1", "--score", "60"], "give --rank or --score, not both"),
        (["--rank", "0"], "0 is not in [1, "),
        (["--rank", "9"], "trustindex: error: target rank 9 is not between 1 and 4"),
        (["--baseline", "nordc"], "did you mean 'nordic'?"),
    ],
)
def test_explain_usage_errors(args, message):
    result = run("explain", "japan", *args)
    assert result.exit_code == USAGE and result.stdout == ""
    assert message in result.stderr and "Traceback" not in result.stderr


# --- compare -----------------------------------------------------------------------------------------


def test_compare_table():
    out = ok("compare", "japan", "nordic")
    assert out.startswith("Japan (47.1, rank 3) against Nordic countries (64.1, rank 1)\n")
    index_line = next(line for line in out.splitlines() if line.startswith("Balanced Coexistence Index"))
    assert index_line.split()[-4:] == ["47.1", "64.1", "-16.9", "-16.9"]  # 47.146 − 64.083 = −16.94
    assert "they sum to the score gap" in out


def test_compare_markdown():
    out = ok("compare", "japan", "nordic", "-f", "markdown")
    assert out.startswith("# Japan (47.1, rank 3) against Nordic countries (64.1, rank 1)\n")
    assert "| Node | Japan | Nordic countries | Difference | Share of the gap |" in out
    assert "| Management | 84.0 | 58.0 | 26.0 | 6.5 |" in out  # 26/4 = 6.5


def test_compare_json():
    doc = json.loads(ok("compare", "japan", "nordic", "-f", "json"))
    assert doc["command"] == "compare" and doc["method"] == "linear"
    assert doc["first"]["entity"] == "japan" and doc["second"]["entity"] == "nordic"
    gap = doc["gap"]
    assert gap["coexistence"] == pytest.approx(JAPAN - NORDIC, abs=1e-8)
    leaves = [gap[iid] for iid in meta()["indicators"]]
    assert math.fsum(leaves) == pytest.approx(JAPAN - NORDIC, abs=1e-8)
    assert gap["admission_control"] == pytest.approx((85 - 65) / 4 / 5, abs=1e-12)


def test_compare_unknown_entity():
    result = run("compare", "japan", "nordics")
    assert result.exit_code == USAGE and result.stdout == ""
    assert result.stderr.startswith("trustindex: error: no entity 'nordics'")
    assert "did you mean 'nordic'?" in result.stderr and len(result.stderr.splitlines()) == 1


# --- importance ----------------------------------------------------------------------------------------


JP_PILLARS = ("Stable residence", "Labour: career or rotation", "Presence and dependence")


def test_importance_table_and_markdown():
    out = ok("importance", "--data", "jp-prefectures")
    header = out.splitlines()[0]
    for column in ("Node", "Level", "Nominal share", "r²", "Correlation ratio", "Effective share", "Counts"):
        assert column in header
    for label in JP_PILLARS:
        assert label in out
    assert "Flagged when the two differ by more than a factor of 2." in out
    out = ok("importance", "--data", "jp-prefectures", "-f", "markdown")
    assert out.startswith("| Node | Level | Nominal share | r² | Correlation ratio | Effective share | Counts |")
    assert "| Stable residence | pillar | 0.333 |" in out  # three pillars with equal weights


def test_importance_json():
    doc = json.loads(ok("importance", "--data", "jp-prefectures", "-f", "json"))
    assert doc["command"] == "importance" and doc["dataset"]["name"] == "jp-prefectures"
    rows = doc["importance"]
    for level in ("pillar", "indicator"):
        level_rows = [r for r in rows if r["level"] == level]
        assert level_rows
        assert math.fsum(r["nominal"] for r in level_rows) == pytest.approx(1, abs=1e-12)
        assert math.fsum(r["share"] for r in level_rows) == pytest.approx(1, abs=1e-12)
        for r in level_rows:
            assert 0 <= r["eta2"] <= 1 and 0 <= r["r2"] <= 1
            expected = "over" if r["share"] > 2 * r["nominal"] else "under" if r["share"] < r["nominal"] / 2 else ""
            assert r["flag"] == expected
    assert [r["label"] for r in rows if r["level"] == "pillar"] == list(JP_PILLARS)


# --- help ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["explain", "compare", "importance"])
def test_every_command_has_help_with_examples(command):
    out = ok(command, "--help")
    assert out.startswith(f"Usage: trustindex {command} [OPTIONS]")
    examples = out.split("Examples:", 1)[1].strip().splitlines()
    assert examples and all(line.strip().startswith(f"trustindex {command} ") for line in examples)
    assert "--format" in out and "--data" in out
    assert command in ok("--help")
