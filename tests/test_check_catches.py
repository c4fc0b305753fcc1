"""What ``check`` catches without a base (issue 12): a value far from its history or far above its column, a
copied row, a deleted cell of a panel, a changed entity id; the thresholds that tune them; and rules files that
name what does not exist. Datasets are variants of ``demo`` (test_check_support.py); lines and columns are
worked out from the text each test wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_check_support import (
    PROFILES,
    VALUES,
    check,
    check_json,
    column_of,
    copy_values,
    csv_text,
    dataset_toml,
    findings,
    line_of,
    rows,
)

YEARS = [2020, 2021, 2022]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root(tmp_path, monkeypatch):
    (tmp_path / "weights").mkdir()
    for name, text in PROFILES.items():
        (tmp_path / "weights" / f"{name}.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def demo(root: Path, table=None, toml: str | None = None) -> str:
    folder = root / "datasets" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    text = csv_text(table if table is not None else rows(VALUES, YEARS))
    wide = dataset_toml(YEARS).replace("goalposts = [0, 100]", "goalposts = [0, 100000]")  # no value is beyond them
    (folder / "dataset.toml").write_text(toml or wide, encoding="utf-8")
    (folder / "values.csv").write_text(text, encoding="utf-8")
    (folder / "SOURCES.md").write_text("# Demo\n", encoding="utf-8")
    return text


def rules(root: Path, text: str) -> str:
    path = root / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def where(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_the_demo_with_wide_goalposts_is_clean(root):
    demo(root)
    doc, result = check_json("--fail-on", "warning")
    assert result.exit_code == 0, findings(doc)


def test_a_value_a_thousand_times_its_history(root):
    values = copy_values()
    values[2021][2][0] = 33_000  # DEU a1: 33 in 2020 and 2022
    text = demo(root, table=rows(values, YEARS))
    doc, _ = check_json()
    [far] = findings(doc, "far-from-history")
    line = line_of(text, "DEU,Germany,2021")
    column = column_of(text.splitlines()[line - 1], 3)
    assert (far["line"], far["column"], far["entity"], far["severity"]) == (line, column, "DEU", "warning")
    tolerant = rules(root, "[thresholds]\nmax_history_jump = 2000\n")
    doc, _ = check_json("--rules", tolerant)
    assert not findings(doc, "far-from-history")


def test_a_copied_row_and_a_deleted_cell_of_a_panel(root):
    table = rows(VALUES, YEARS)
    fra_2021, fra_2022 = (
        next(i for i, r in enumerate(table) if r[:3] == ["FRA", "France", str(y)]) for y in (2021, 2022)
    )
    table[fra_2022] = table[fra_2022][:3] + table[fra_2021][3:]  # last year's numbers again
    jpn = next(i for i, r in enumerate(table) if r[:3] == ["JPN", "Japan", "2021"])
    table[jpn][4] = ""  # a2 deleted between 2020 and 2022
    text = demo(root, table=table)
    doc, _ = check_json()
    [copied] = findings(doc, "duplicate-row")
    assert (copied["line"], copied["entity"]) == (line_of(text, "FRA,France,2022"), "FRA")
    assert "line " + str(line_of(text, "FRA,France,2021")) in copied["message"]
    [hole] = findings(doc, "panel-hole")
    line = line_of(text, "JPN,Japan,2021")
    assert (hole["line"], hole["column"], hole["node"]) == (line, column_of(text.splitlines()[line - 1], 4), "a2")


def test_a_changed_id_without_a_base_and_with_one(root):
    table = rows(VALUES, YEARS)
    row = next(i for i, r in enumerate(table) if r[:3] == ["DNK", "Denmark", "2022"])
    table[row][0] = "FIN"  # Denmark's 2022 row under another country's code
    text = demo(root, table=table)
    doc, _ = check_json()
    [changed] = findings(doc, "entity-changed")
    assert (changed["line"], changed["entity"]) == (line_of(text, "FIN,Denmark,2022"), "FIN")
    base = root / "base.csv"
    base.write_text(csv_text(rows(VALUES, YEARS)), encoding="utf-8")
    doc, _ = check_json("--base-file", str(base))
    assert any(f["line"] == line_of(text, "FIN,Denmark,2022") for f in findings(doc, "entity-changed"))


def test_a_value_far_above_its_column_in_a_cross_section(root, tmp_path):
    folder = root / "datasets" / "asem"
    shutil.copytree(ROOT / "datasets" / "asem", folder, ignore=shutil.ignore_patterns("build.py"))
    values = folder / "values.csv"
    lines = values.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    j = header.index("Renew")
    fields = lines[5].split(",")
    fields[j] = str(float(fields[j]) * 1000)
    lines[5] = ",".join(fields)
    values.write_text("\n".join(lines), encoding="utf-8")
    doc, _ = check_json(str(folder))
    [far] = findings(doc, "far-from-others")
    assert (far["line"], far["column"], far["node"]) == (6, column_of(lines[5], j), "Renew")


@pytest.mark.parametrize(
    "text, needle, message",
    [
        ("[datasets.demmo]\nthresholds = { top = 2 }\n", "[datasets.demmo]", "rules for dataset 'demmo'"),
        ("[bounds]\na11 = [0, 10]\n", "a11", "bounds for 'a11'"),
        ("[datasets.demo.bounds]\nb7 = [0, 10]\n", "b7", "bounds for 'b7', which is no column of dataset 'demo'"),
        ('[audit]\nprofile = "demoo"\n', "profile", "the rules audit under profile 'demoo'"),
        ('[compare]\nprofiles = ["demo", "dmeo"]\n', '"dmeo"', "the rules compare profile 'dmeo'"),
        ("[audit]\nmin_alpha = 5\n", "min_alpha", "min_alpha must lie in [0, 1]"),
        ("[audit]\nsignificance = 0\n", "significance", "significance must lie in"),
        ("[thresholds]\nmax_value_ratio = 0.5\n", "max_value_ratio", "must be 1 or more"),
        ("[uncertainty]\nenabled = true\nruns = " + "1" + "0" * 309 + "\n", "runs", "runs: 1.000e+309 is too large"),
    ],
)
def test_a_rules_file_naming_what_does_not_exist_or_an_impossible_threshold(root, text, needle, message):
    demo(root)
    path = rules(root, text)
    result = check("--rules", path, "-q")
    line, column = where(text, needle)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"trustindex: error: {path}:{line}:{column}: "), result.stderr
    assert message in result.stderr


def test_runs_beyond_what_an_analysis_may_take_are_refused_at_their_line(root):
    demo(root)
    text = "[uncertainty]\nenabled = true\nruns = 1000000000000\n"
    path = rules(root, text)
    result = check("--rules", path, "-q")
    line, column = where(text, "runs")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trustindex: error: {path}:{line}:{column}: [uncertainty] runs: ")
    assert "runs are more than the 1,073,741,824 an analysis may take" in result.stderr
