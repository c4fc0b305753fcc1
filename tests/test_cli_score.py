"""``trustindex score`` through the CLI: the ranking, every format, every option, every shipped profile.

The expected numbers come from a deliberately naive re-implementation below (plain Python over
values.csv and the TOML files), never from trustindex's own output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import only_notices

import trustindex
from trustindex.cli import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "coexistence-regimes"
WEIGHTS = ROOT / "weights"
PROFILES = sorted(
    p.stem for p in WEIGHTS.glob("*.toml") if 'framework = "balanced-coexistence"' in p.read_text(encoding="utf-8")
)  # the profiles written for the default dataset's framework
PILLARS = ("management", "connectivity", "support", "explainability")
EXPECTED_ORDER = ["nordic", "continental-europe", "japan", "united-states"]


# --- a naive scorer, independent of trustindex -------------------------------------------------


def naive_scores(profile: str = "balanced") -> dict[str, dict[str, float]]:
    """Weighted means by hand: each pillar over its indicators, the index over the pillars.

    Every shipped profile normalises with goalposts to a range [lo, hi] on indicators whose goalposts are
    [0, 100], so a normalised value is lo + (hi − lo) · raw / 100; the test checks that assumption first. The
    index is the weighted arithmetic mean, or the Mazziotta–Pareto index M − S²/M (S² the weighted variance).
    """
    meta = tomllib.loads((DATASET / "dataset.toml").read_text(encoding="utf-8"))
    spec = tomllib.loads((WEIGHTS / f"{profile}.toml").read_text(encoding="utf-8"))
    assert spec["normalisation"]["method"] == "goalposts" and set(spec["normalisation"]) == {"method", "range"}
    lo, hi = spec["normalisation"]["range"]
    assert spec["aggregation"]["method"] == "arithmetic"
    index = spec["aggregation"].get("index", {}).get("method", "arithmetic")
    assert index in ("arithmetic", "mazziotta-pareto")
    assert all(ind["goalposts"] == [0, 100] and ind["direction"] == "higher" for ind in meta["indicators"].values())
    # pillar weights, plus the indicator weights written for this dataset
    weight = {**spec.get("weights", {}), **spec.get("datasets", {}).get("coexistence-regimes", {}).get("weights", {})}
    parent = {iid: ind["parent"] for iid, ind in meta["indicators"].items()}
    out = {}
    with open(DATASET / "values.csv", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            scores = {iid: lo + (hi - lo) * float(row[iid]) / 100 for iid in parent}
            for pillar in PILLARS:
                members = [i for i in parent if parent[i] == pillar]
                total = sum(weight.get(i, 1) for i in members)
                scores[pillar] = sum(weight.get(i, 1) * scores[i] for i in members) / total
            total = sum(weight.get(p, 1) for p in PILLARS)
            mean = sum(weight.get(p, 1) * scores[p] for p in PILLARS) / total
            variance = sum(weight.get(p, 1) * (scores[p] - mean) ** 2 for p in PILLARS) / total
            scores["coexistence"] = mean - variance / mean if index == "mazziotta-pareto" else mean
            out[row["id"]] = scores
    return out


def naive_order(scores: dict[str, dict[str, float]]) -> list[str]:
    return sorted(scores, key=lambda e: -scores[e]["coexistence"])


def indicator_ids() -> list[str]:
    meta = tomllib.loads((DATASET / "dataset.toml").read_text(encoding="utf-8"))
    return list(meta["indicators"])


def approx(value: float):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


# --- helpers -----------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ok(result) -> str:
    """Assert a clean success and return stdout."""
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert only_notices(result.stderr), result.stderr
    return result.stdout


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def table_ids(text: str) -> list[str]:
    """The ID column of a text table: the rows between the dashed rule and the first blank line."""
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if set(line) <= {"-", " "} and "-" in line)
    body = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        body.append(line.split()[1])
    return body


@pytest.fixture
def notice() -> str:
    """The illustrative-coding notice the dataset declares for itself."""
    meta = tomllib.loads((DATASET / "dataset.toml").read_text(encoding="utf-8"))
    assert meta["illustrative"] is True
    return meta["notice"]


# --- the naive oracle itself -------------------------------------------------------------------


def test_naive_oracle_gives_the_expected_order():
    assert naive_order(naive_scores()) == EXPECTED_ORDER


# --- bare `trustindex score` -------------------------------------------------------------------


def test_bare_score_prints_the_ranking(notice):
    out = ok(run("score"))
    assert table_ids(out) == EXPECTED_ORDER
    expected = naive_scores()
    lines = {line.split()[1]: line for line in out.splitlines() if line.split()[1:2] and line.split()[1] in expected}
    for entity, scores in expected.items():
        cells = lines[entity].split()
        shown = [float(c) for c in cells[-5:]]
        wanted = [round(scores[n], 1) for n in ("coexistence", *PILLARS)]
        assert shown == pytest.approx(wanted, abs=0.051)
    assert "Balanced Coexistence Index" in out.splitlines()[0]
    assert notice in out
    assert "\x1b" not in out


def test_table_ranks_are_one_to_four():
    out = ok(run("score"))
    lines = out.splitlines()
    ranks = [line.split()[0] for line in lines[2:6]]
    assert ranks == ["1", "2", "3", "4"]


# --- formats -----------------------------------------------------------------------------------


def test_csv_has_full_precision():
    rows = parse_csv(ok(run("score", "-f", "csv")))
    expected = naive_scores()
    assert [r["id"] for r in rows] == EXPECTED_ORDER
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4]
    assert list(rows[0]) == ["rank", "id", "name", "coexistence", *PILLARS]
    for row in rows:
        for node in ("coexistence", *PILLARS):
            assert float(row[node]) == approx(expected[row["id"]][node])
    # Full precision, not one decimal: Nordic's index is 64.08333...
    nordic = next(r for r in rows if r["id"] == "nordic")
    assert len(nordic["coexistence"].split(".")[1]) > 6


def test_csv_is_data_only(notice):
    result = run("score", "-f", "csv")
    out = ok(result)
    assert notice not in out and f"trustindex: note: {notice}" in result.stderr  # never lost: on stderr
    assert "\x1b" not in out
    assert all(len(r) == 8 for r in csv.reader(io.StringIO(out)))


def test_json_document(notice):
    document = json.loads(ok(run("score", "-f", "json")))
    assert document["tool"] == "trustindex"
    assert document["version"] == trustindex.__version__
    assert "seed" in document
    digest = document["dataset"]["digest"]
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert document["weights"]["digest"] == hashlib.sha256((WEIGHTS / "balanced.toml").read_bytes()).hexdigest()
    assert document["dataset"]["illustrative"] is True
    expected = naive_scores()
    entities = document["entities"]
    assert [e["id"] for e in entities] == EXPECTED_ORDER
    for rank, entity in enumerate(entities, start=1):
        assert entity["rank"] == rank
        assert entity["score"] == approx(expected[entity["id"]]["coexistence"])
        for node in ("coexistence", *PILLARS):
            assert entity["scores"][node] == approx(expected[entity["id"]][node])
            assert entity["coverage"][node] == 1
        assert set(entity["ranks"]) == {"coexistence", *PILLARS}
    management = sorted(entities, key=lambda e: -expected[e["id"]]["management"])
    assert [e["ranks"]["management"] for e in management] == [1, 2, 3, 4]
    assert any(n["message"] == notice for n in document["notices"])


def test_json_digests_follow_the_inputs(tmp_path):
    data = tmp_path / "ds"
    shutil.copytree(DATASET, data)
    first = json.loads(ok(run("score", "-d", str(data), "-f", "json")))
    values = data / "values.csv"
    values.write_text(values.read_text(encoding="utf-8").replace("japan,Japan,85", "japan,Japan,84"), encoding="utf-8")
    second = json.loads(ok(run("score", "-d", str(data), "-f", "json")))
    assert first["dataset"]["digest"] != second["dataset"]["digest"]
    assert first["weights"]["digest"] == second["weights"]["digest"]


def test_markdown_is_a_pipe_table(notice):
    out = ok(run("score", "-f", "markdown"))
    lines = out.splitlines()
    assert lines[0].startswith("| ") and lines[0].endswith(" |")
    assert set(lines[1]) <= set("|-: ")
    assert lines[1].count("|") == lines[0].count("|")
    rows = lines[2:6]
    assert all(r.startswith("| ") and r.endswith(" |") and r.count("|") == lines[0].count("|") for r in rows)
    assert [r.split("|")[2].strip() for r in rows] == EXPECTED_ORDER
    assert lines[6] == ""
    assert notice in out
    assert "\x1b" not in out


# --- options -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_top_two(fmt):
    out = ok(run("score", "--top", "2", "-f", fmt))
    if fmt == "csv":
        ids = [r["id"] for r in parse_csv(out)]
    elif fmt == "json":
        ids = [e["id"] for e in json.loads(out)["entities"]]
    elif fmt == "table":
        ids = table_ids(out)
    else:
        ids = [r.split("|")[2].strip() for r in out.splitlines()[2:] if r.startswith("|")]
    assert ids == EXPECTED_ORDER[:2]


@pytest.mark.parametrize(
    ("level", "columns"),
    [
        ("index", ["coexistence"]),
        ("pillar", ["coexistence", *PILLARS]),
        ("indicator", ["coexistence", *PILLARS, *indicator_ids()]),
    ],
)
def test_level(level, columns):
    rows = parse_csv(ok(run("score", "--level", level, "-f", "csv")))
    assert list(rows[0]) == ["rank", "id", "name", *columns]
    expected = naive_scores()
    for row in rows:
        for node in columns:
            assert float(row[node]) == approx(expected[row["id"]][node])


def test_level_indicator_has_21_indicators():
    assert len(indicator_ids()) == 21
    document = json.loads(ok(run("score", "--level", "indicator", "-f", "json")))
    assert len(document["entities"][0]["scores"]) == 1 + 4 + 21
    out = ok(run("score", "--level", "indicator"))
    assert "Admission control" in out.splitlines()[0]


def test_default_level_is_pillar():
    assert ok(run("score", "-f", "csv")) == ok(run("score", "--level", "pillar", "-f", "csv"))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_shipped_profile_scores(profile):
    assert "balanced" in PROFILES and len(PROFILES) >= 5
    rows = parse_csv(ok(run("score", "--weights", profile, "-f", "csv")))
    expected = naive_scores(profile)
    assert [r["id"] for r in rows] == naive_order(expected)
    for row in rows:
        for node in ("coexistence", *PILLARS):
            assert float(row[node]) == approx(expected[row["id"]][node])


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_by_path_equals_profile_by_name(profile):
    by_name = ok(run("score", "-w", profile, "-f", "csv"))
    assert ok(run("score", "-w", str(WEIGHTS / f"{profile}.toml"), "-f", "csv")) == by_name


def test_data_by_path_equals_default():
    assert ok(run("score", "-d", str(DATASET), "-f", "csv")) == ok(run("score", "-f", "csv"))


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_output_file(tmp_path, fmt):
    target = tmp_path / f"result.{fmt}"
    result = run("score", "-f", fmt, "-o", str(target))
    assert ok(result) == ""
    assert target.read_text(encoding="utf-8") == ok(run("score", "-f", fmt))
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_output_replaces_an_existing_file(tmp_path):
    target = tmp_path / "result.csv"
    target.write_text("old content that is longer than nothing\n" * 100, encoding="utf-8")
    ok(run("score", "-f", "csv", "-o", str(target)))
    assert [r["id"] for r in parse_csv(target.read_text(encoding="utf-8"))] == EXPECTED_ORDER


def test_output_dash_is_stdout():
    assert ok(run("score", "-o", "-", "-f", "csv")) == ok(run("score", "-f", "csv"))


def test_output_onto_the_weights_file_is_refused(tmp_path):
    weights = tmp_path / "w.toml"
    shutil.copy(WEIGHTS / "balanced.toml", weights)
    before = weights.read_bytes()
    result = run("score", "-w", str(weights), "-o", str(weights))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"trustindex: error: {weights}: ")
    assert "input" in result.stderr
    assert weights.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.toml"]


@pytest.mark.parametrize("name", ["values.csv", "dataset.toml", "notes.csv"])
def test_output_onto_a_dataset_file_is_refused(tmp_path, name):
    data = tmp_path / "ds"
    shutil.copytree(DATASET, data)
    before = (data / name).read_bytes()
    result = run("score", "-d", str(data), "-f", "csv", "-o", str(data / name))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"trustindex: error: {data / name}: ")
    assert (data / name).read_bytes() == before


def test_output_onto_an_input_through_another_path_is_refused(tmp_path, monkeypatch):
    weights = tmp_path / "w.toml"
    shutil.copy(WEIGHTS / "balanced.toml", weights)
    before = weights.read_bytes()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    result = run("score", "-w", "../w.toml", "-o", str(weights))
    assert result.exit_code == 2
    assert weights.read_bytes() == before


def test_output_into_a_missing_folder(tmp_path):
    result = run("score", "-o", str(tmp_path / "nope" / "out.csv"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"trustindex: error: {tmp_path / 'nope' / 'out.csv'}: ")
    assert len(result.stderr.splitlines()) == 1


def test_output_onto_a_folder(tmp_path):
    result = run("score", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"trustindex: error: {tmp_path}: ")
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_version():
    out = ok(run("--version"))
    assert "trustindex" in out and trustindex.__version__ in out
    assert ok(run("-V")) == out


def test_python_dash_m_help():
    done = subprocess.run(
        [sys.executable, "-m", "trustindex", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "score" in done.stdout
    assert done.stderr == ""


def test_python_dash_m_score_exit_code(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "trustindex", "score", "-d", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("trustindex: error: ")


@pytest.mark.parametrize(
    "args",
    [["score", "--top", "0"], ["score", "-f", "xml"], ["score", "--level", "pillars"], ["nonsense"]],
)
def test_bad_options_are_usage_errors(args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("trustindex: error: ") and result.stderr.count("\n") == 1


# --- help --------------------------------------------------------------------------------------


def test_group_help_has_examples():
    out = ok(run("--help"))
    assert "Examples:" in out
    assert ok(run("-h")) == out
    for name in cli.commands:
        assert name in out


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_examples(name):
    command = cli.commands[name]
    assert command.help and command.help.strip(), f"{name} has no help text"
    out = ok(run(name, "--help"))
    assert "Usage:" in out
    assert "Examples:" in out
    examples = out.split("Examples:", 1)[1].strip().splitlines()
    assert examples and examples[0].strip().startswith(f"trustindex {name}")
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts} has no help"
