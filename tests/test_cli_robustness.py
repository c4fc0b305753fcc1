"""``trustindex uncertainty``, ``sensitivity`` and ``stability`` through the CLI: formats, seeds, stdout vs stderr,
exit codes and help.

The default dataset's nominal order is worked out in test_cli_explain.py from values.csv (pillar means, equal
weights): Nordic 64.08, Continental Europe 60.19, Japan 47.15, United States 44.77. Its pillar means give the
stability numbers checked here: moving support (Japan 28.33, United States 36.67; the other three pillars average
Japan 53.42, United States 47.47), United States passes Japan where 53.42 − 25.08 t = 47.47 − 10.81 t, at
t = 5.944 / 14.27 ≈ 0.4165.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import only_notices

from trustindex.cli import cli

ROOT = Path(__file__).resolve().parents[1]
USAGE = 2
ORDER = ["nordic", "continental-europe", "japan", "united-states"]
NAMES = {"nordic": "Nordic countries", "continental-europe": "Continental Europe", "japan": "Japan",
         "united-states": "United States"}  # fmt: skip
SEED_LINE = re.compile(r"^trustindex: seed (\d+) \(repeat this run with --seed \1\)\n$")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="trustindex")


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    assert only_notices(result.stderr), result.stderr
    return result.stdout


def fails(*args: str, code: int = USAGE) -> str:
    result = run(*args)
    assert result.exit_code == code, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("trustindex: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    return result.stderr


def bad_spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text("schema = 1\n\n[weights]\nspread = 2\n", encoding="utf-8")
    return path


# --- uncertainty -----------------------------------------------------------------------------------------------


def test_uncertainty_json():
    doc = json.loads(ok("uncertainty", "--seed", "1", "-q", "-f", "json"))
    assert doc["command"] == "uncertainty" and doc["tool"] == "trustindex"
    assert doc["dataset"]["name"] == "coexistence-regimes" and doc["weights"]["name"] == "balanced"
    assert doc["seed"] == 1 and doc["runs"] == 1000 and doc["sampler"] == "sobol" and doc["top_k"] == 3
    assert doc["factors"] == ["weights", "aggregation"]
    entities = {e["entity"]: e for e in doc["entities"]}
    assert [e for e in ORDER] == sorted(entities, key=lambda e: entities[e]["nominal_rank"])
    for i, e in enumerate(doc["entities"]):
        assert sum(doc["counts"][i]) == 1000  # every run ranks every entity
        assert e["low_rank"] <= e["median_rank"] <= e["high_rank"]
        assert e["low_score"] <= e["mean_score"] <= e["high_score"]
        assert e["unranked"] == 0
    # Nordic and Continental Europe are first and second in every run (their counts say so too)
    assert (entities["nordic"]["low_rank"], entities["nordic"]["high_rank"]) == (1, 1)
    assert doc["counts"][[e["entity"] for e in doc["entities"]].index("nordic")] == [1000, 0, 0, 0]
    assert (entities["japan"]["low_rank"], entities["japan"]["high_rank"]) == (3, 4)
    assert entities["japan"]["nominal_score"] == pytest.approx(188.5833333333 / 4)
    assert doc["mean_shift"] >= 0 and -1 <= doc["kendall"] <= doc["spearman"] <= 1
    assert json.loads(ok("uncertainty", "--seed", "1", "-q", "-f", "json")) == doc  # same seed, same document


def test_uncertainty_table():
    out = ok("uncertainty", "--seed", "1", "-q")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Entity", "Rank", "Median", "5–95"]
    assert [line.split("  ")[0] for line in lines[2:6]] == [NAMES[e] for e in ORDER]
    assert "1,000 runs (sobol, seed 1) varying: weights, aggregation." in out
    assert "Mean absolute rank shift" in out and "Spearman" in out and "Kendall" in out
    assert "\x1b" not in out


def test_uncertainty_csv_and_markdown():
    rows = list(csv.DictReader(io.StringIO(ok("uncertainty", "--seed", "1", "-q", "-f", "csv"))))
    assert [r["id"] for r in rows] == ORDER
    assert set(rows[0]) >= {"id", "name", "nominal", "median", "low", "high", "score", "mean", "top", "unranked"}
    assert float(rows[0]["nominal"]) == 1 and float(rows[0]["top"]) == 1
    markdown = ok("uncertainty", "--seed", "1", "-q", "-f", "markdown")
    assert markdown.splitlines()[0].startswith("|") and "| Nordic countries" in markdown
    assert "\x1b" not in markdown


def test_uncertainty_options():
    doc = json.loads(ok("uncertainty", "--seed", "3", "-q", "-f", "json", "--runs", "64", "--sampler", "random",
                        "--top-k", "1"))  # fmt: skip
    assert (doc["runs"], doc["sampler"], doc["top_k"], doc["seed"]) == (64, "random", 1, 3)
    assert all(sum(row) == 64 for row in doc["counts"])
    nordic = next(e for e in doc["entities"] if e["entity"] == "nordic")
    assert nordic["top_k"] == 1


def test_uncertainty_plot_has_no_ansi_codes():
    out = ok("uncertainty", "--seed", "1", "-q", "--runs", "128", "--plot")
    table, plot = out.split("\n\n", 1)[0], out
    assert "Nordic countries" in table
    assert "rank (5–95 % interval)" in plot and "median rank" in plot and "nominal rank" in plot
    assert "\x1b" not in out


def test_uncertainty_prints_the_seed_it_chose():
    result = run("uncertainty", "-q", "--runs", "32", "-f", "json")
    assert result.exit_code == 0
    match = SEED_LINE.match(result.stderr)
    assert match, result.stderr
    seed = int(match.group(1))
    doc = json.loads(result.stdout)
    assert doc["seed"] == seed
    again = json.loads(ok("uncertainty", "-q", "--runs", "32", "-f", "json", "--seed", str(seed)))
    assert again == doc  # the printed seed repeats the run


def test_uncertainty_with_a_spec(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(
        'schema = 1\nruns = 64\nsampler = "random"\n[normalisation]\n'
        'alternatives = ["goalposts", { method = "minmax", range = [1, 100] }]\n[leave_out]\nnodes = ["support"]\n',
        encoding="utf-8",
    )
    doc = json.loads(ok("uncertainty", "--spec", str(path), "--seed", "1", "-q", "-f", "json"))
    assert doc["runs"] == 64 and doc["factors"] == ["normalisation", "leave_out"]
    # --runs overrides the file
    assert (
        json.loads(ok("uncertainty", "--spec", str(path), "--seed", "1", "-q", "-f", "json", "--runs", "8"))["runs"]
        == 8
    )


def test_uncertainty_output_file(tmp_path):
    target = tmp_path / "ranks.json"
    assert ok("uncertainty", "--seed", "1", "-q", "-f", "json", "-o", str(target), "--runs", "16") == ""
    assert json.loads(target.read_text(encoding="utf-8"))["runs"] == 16
    assert [p.name for p in tmp_path.iterdir()] == ["ranks.json"]  # no temporary file left behind


# --- sensitivity -----------------------------------------------------------------------------------------------


def test_sensitivity_json():
    doc = json.loads(ok("sensitivity", "--seed", "1", "--samples", "64", "-q", "-f", "json"))
    assert doc["command"] == "sensitivity" and doc["weights"]["name"] == "balanced"
    assert doc["seed"] == 1 and doc["samples"] == 64 and doc["runs"] == 64 * 4
    assert doc["inputs"] == ["weights", "aggregation"] and doc["confidence"] == 0.95
    outputs = [o["output"] for o in doc["outputs"]]
    assert outputs == [f"rank: {NAMES[e]}" for e in ("japan", "continental-europe", "united-states", "nordic")] + [
        f"score: {NAMES[e]}" for e in ("japan", "continental-europe", "united-states", "nordic")
    ] + ["mean rank shift"]
    nordic = next(o for o in doc["outputs"] if o["output"] == "rank: Nordic countries")
    assert nordic["status"] == "constant" and nordic["changes"] == 0  # always first: nothing moves it
    assert nordic["first"] == [None, None] and nordic["total"] == [None, None]
    for o in doc["outputs"]:
        if o["status"] == "varies":
            for low, high in o["first_interval"] + o["total_interval"]:
                assert low <= high


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_sensitivity_formats(fmt):
    out = ok("sensitivity", "--seed", "1", "--samples", "64", "-q", "-f", fmt)
    assert "rank: Japan" in out and "mean rank shift" in out and "\x1b" not in out
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 9
        assert list(rows[0]) == [
            "output",
            "status",
            "weights:first",
            "weights:total",
            "aggregation:first",
            "aggregation:total",
        ]
    if fmt == "table":
        assert "Sobol' indices from 256 runs (N = 64, seed 1)" in out


def test_sensitivity_samples_must_be_a_power_of_two():
    assert "--samples must be a power of 2, not 100" in fails("sensitivity", "--samples", "100", "--seed", "1")


def test_sensitivity_prints_the_seed_it_chose():
    result = run("sensitivity", "--samples", "16", "-q", "-f", "json")
    assert result.exit_code == 0
    match = SEED_LINE.match(result.stderr)
    assert match and json.loads(result.stdout)["seed"] == int(match.group(1))


# --- stability -------------------------------------------------------------------------------------------------


def test_stability_entity_and_weight():
    out = ok("stability", "--entity", "japan", "--weight", "support")
    lines = out.splitlines()
    assert lines[0].split() == ["Weight", "Share", "Ranking", "holds", "Top", "set", "holds", "japan", "holds",
                                "Swaps", "Breakpoints"]  # fmt: skip
    assert lines[2].split() == ["Support", "0.250", "0.000–0.416", "0.000–0.416", "0.000–0.416", "1", "exact"]
    assert "Support: at 0.416 (weight 2.14) United States passes Japan" in out
    assert "Best" in out and "Worst" in out


def test_stability_json():
    doc = json.loads(ok("stability", "--entity", "Japan", "--weight", "support", "-f", "json"))
    assert doc["command"] == "stability" and doc["entity"] == "japan" and doc["seed"] is None
    assert set(doc["weights"]) == {"name", "digest", "methods"} and doc["weights"]["name"] == "balanced"
    assert doc["weights"]["methods"]["normalisation"] == {"method": "goalposts", "range": [0, 100]}
    [support] = doc["stability"]
    assert support["node"] == "support" and support["exact"] is True
    [swap] = support["swaps"]
    # United States passes Japan at t = (53.4167 − 47.4722) / ((53.4167 − 28.3333) − (47.4722 − 36.6667))
    japan_rest, us_rest = (84 + 27.5 + 48.75) / 3, (47 + 49 + 1 / 6 + 46.25) / 3
    expected = (japan_rest - us_rest) / ((japan_rest - (28 + 1 / 3)) - (us_rest - (36 + 2 / 3)))
    assert swap["share"] == pytest.approx(expected, abs=1e-12)
    assert (swap["above"], swap["below"]) == ("united-states", "japan")
    assert support["ranking"] == pytest.approx([0, expected]) and support["entity"] == pytest.approx([0, expected])
    bounds = {b["entity"]: b for b in doc["bounds"]}
    assert set(bounds) == set(ORDER) and all(b["best"] <= b["nominal"] <= b["worst"] for b in bounds.values())
    assert doc["acceptability"] is None


def test_stability_every_pillar_by_default():
    doc = json.loads(ok("stability", "-f", "json"))
    assert [s["node"] for s in doc["stability"]] == ["management", "connectivity", "support", "explainability"]
    assert all(s["entity"] is None for s in doc["stability"])


def test_stability_acceptability():
    out = ok("stability", "--acceptability", "1000", "--seed", "1")
    assert "Rank acceptability (SMAA-2, 1,000 runs, seed 1):" in out
    assert "Central weights (mean shares under which each entity ranks first):" in out
    doc = json.loads(ok("stability", "--acceptability", "1000", "--seed", "1", "-f", "json"))
    smaa = doc["acceptability"]
    assert doc["seed"] == 1 and smaa["runs"] == 1000 and smaa["seed"] == 1
    assert smaa["nodes"] == ["management", "connectivity", "support", "explainability"]
    for row in smaa["probabilities"]:
        assert sum(row) == pytest.approx(1)
    assert smaa["first"] == [row[0] for row in smaa["probabilities"]]
    assert doc == json.loads(ok("stability", "--acceptability", "1000", "--seed", "1", "-f", "json"))
    markdown = ok("stability", "--acceptability", "200", "--seed", "1", "-f", "markdown")
    assert "| Japan" in markdown and "\x1b" not in markdown


def test_stability_acceptability_prints_the_seed_it_chose():
    result = run("stability", "--acceptability", "100", "--weight", "support")
    assert result.exit_code == 0 and SEED_LINE.match(result.stderr)


def test_stability_errors():
    assert "no entity 'japn'" in fails("stability", "--entity", "japn")
    assert "did you mean 'japan'?" in fails("stability", "--entity", "japn")
    assert "no weight 'suport'" in fails("stability", "--weight", "suport")
    assert "floor must lie in" in fails("stability", "--floor", "0.3")


# --- bad specifications ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["uncertainty"], ["sensitivity", "--samples", "16"]])
def test_bad_spec_is_a_one_line_error(tmp_path, command):
    path = bad_spec(tmp_path)
    error = fails(*command, "--spec", str(path), "--seed", "1", "-q")
    assert error == f"trustindex: error: {path}:4:1: spread must lie in (0, 1), not 2\n"
    missing = fails(*command, "--spec", str(tmp_path / "nope.toml"), "--seed", "1", "-q")
    assert "nope.toml: file not found" in missing


def test_spec_naming_an_unknown_node_is_a_one_line_error(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text('schema = 1\n[leave_out]\nnodes = ["suport"]\n', encoding="utf-8")
    assert "cannot leave out 'suport'" in fails("uncertainty", "--spec", str(path), "--seed", "1", "-q")


# --- help ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["uncertainty", "sensitivity", "stability"])
def test_help_has_examples(command):
    out = ok(command, "--help")
    assert "Examples:" in out
    examples = out.split("Examples:", 1)[1]
    assert f"trustindex {command}" in examples
    for option in ("--data", "--weights", "--format", "--output"):
        assert option in out
    if command != "stability":
        assert "--spec" in out and "--seed" in out and "--quiet" in out
