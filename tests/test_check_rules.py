"""The validation rules of ``trustindex check`` one by one, the rules file, and the output formats.

Datasets are variants of ``demo`` (test_check_support.py) written to a temporary folder; no git needed.
Expected lines and columns are worked out from the text each test wrote.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_check_support import (
    ENTITIES,
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

from trustindex.check.rules import RULES, read_rules
from trustindex.errors import ConfigError
from trustindex.reports.check import annotation, escape_data, escape_property

YEARS = [2020, 2021, 2022]


@pytest.fixture
def root(tmp_path, monkeypatch):
    (tmp_path / "weights").mkdir()
    for name, text in PROFILES.items():
        (tmp_path / "weights" / f"{name}.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(root: Path, toml: str, values: str, name: str = "demo", sources: bool = True) -> Path:
    folder = root / "datasets" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.toml").write_text(toml, encoding="utf-8")
    (folder / "values.csv").write_text(values, encoding="utf-8")
    if sources:
        (folder / "SOURCES.md").write_text("# Demo\n", encoding="utf-8")
    return folder


def demo(root: Path, values=VALUES, years=YEARS, toml: str | None = None, table=None) -> str:
    text = csv_text(table if table is not None else rows(values, years))
    write(root, toml or dataset_toml(years), text)
    return text


# --- validation --------------------------------------------------------------------------------------


def test_the_demo_dataset_is_clean(root):
    demo(root)
    doc, result = check_json("--fail-on", "warning")
    assert result.exit_code == 0, findings(doc)
    ran = doc["datasets"][0]["checks"]["passed"]
    assert {"missing-column", "out-of-bounds", "entity-id", "unknown-code", "provenance", "vanished-entity",
            "panel-gap", "coverage", "alpha", "new-outlier"} <= set(ran)  # fmt: skip
    assert doc["summary"]["passed"] == len(ran) and doc["summary"]["failed"] == 0


def test_every_bad_cell_is_reported_not_only_the_first(root):
    table = rows(VALUES, YEARS)
    table[3][4] = "n/a"
    table[9][8] = "1,5"
    text = demo(root, table=table)
    doc, result = check_json()
    assert result.exit_code == 1
    got = sorted((f["line"], f["column"]) for f in findings(doc, "not-a-number"))
    lines = text.splitlines()
    # The second bad cell is quoted by the CSV writer ("1,5"), so count its column on the raw line.
    assert got == [(4, column_of(lines[3], 4)), (10, lines[9].index('"1,5"') + 1)]
    assert any("not scored" in n for n in doc["datasets"][0]["notes"])


def test_undeclared_columns_are_errors_unless_allowed(root, tmp_path):
    table = rows(VALUES, YEARS)
    for i, row in enumerate(table):
        row.append("comment" if i == 0 else "ok")
    demo(root, table=table)
    doc, result = check_json()
    [error] = findings(doc, "undeclared-column")
    assert (result.exit_code, error["line"], error["column"]) == (1, 1, column_of(",".join(table[0]), 9))
    rules = tmp_path / "rules.toml"
    rules.write_text('[columns]\nallow = ["comment"]\n', encoding="utf-8")
    doc, result = check_json("--rules", str(rules))
    assert result.exit_code == 0 and not findings(doc, "undeclared-column")
    assert doc["datasets"][0]["profiles"] == ["demo", "demo-a"]  # scored without the column


def test_iso3_codes_that_are_not_assigned_are_warnings(root):
    table = rows(VALUES, YEARS)
    for row in table[1:]:
        if row[0] == "DNK":
            row[0] = "XKX"
    demo(root, table=table)
    doc, result = check_json()
    assert result.exit_code == 0
    expected = [n for n, row in enumerate(table, start=1) if row[0] == "XKX"]
    assert [f["line"] for f in findings(doc, "unknown-code")] == expected
    assert check("--fail-on", "warning").exit_code == 1


def test_jis_codes_must_match_the_prefecture(root):
    toml = (
        'schema = 1\nname = "pref"\nframework = "demo"\nlicence = "CC0-1.0"\n\n[entity]\nid_column = "code"\n'
        'name_column = "name"\nid_kind = "jis-prefecture"\n\n[index]\nid = "index"\n\n[pillars.a]\n\n'
        '[indicators.a1]\nparent = "a"\ndirection = "higher"\nsource = "Demo"\nyear = 2020\n'
    )
    text = "code,name,a1\n01,北海道,1\n13,大阪府,2\n47,Okinawa,3\n48,Nowhere,4\n"
    write(root, toml, text, "pref")
    doc, result = check_json()
    [mismatch] = findings(doc, "unknown-code")
    assert (mismatch["line"], mismatch["entity"]) == (3, "13") and "東京都" in mismatch["message"]
    [bad] = findings(doc, "entity-id")
    assert (bad["line"], bad["column"], result.exit_code) == (5, 1, 1)


def test_an_entity_vanishing_from_a_panel_is_an_error_unless_allowed(root, tmp_path):
    table = [r for r in rows(VALUES, YEARS) if not (r[0] == "JPN" and r[2] == "2022")]
    text = demo(root, table=table)
    doc, result = check_json()
    [error] = findings(doc, "vanished-entity")
    assert (result.exit_code, error["line"], error["entity"]) == (1, line_of(text, "JPN,Japan,2021"), "JPN")
    rules = tmp_path / "rules.toml"
    rules.write_text('[panel]\nallow_vanished = ["JPN"]\n', encoding="utf-8")
    assert check("--rules", str(rules)).exit_code == 0


def test_a_gap_in_the_years_is_a_warning_and_an_error_where_lag_needs_it(root):
    years = [2020, 2022]
    toml = dataset_toml(years)
    demo(root, years=years, toml=toml)
    doc, result = check_json()
    [gap] = findings(doc, "panel-gap")
    assert (result.exit_code, gap["severity"], gap["line"]) == (0, "warning", line_of(toml, "years ="))
    toml += ('\n[indicators.growth]\nparent = "a"\ndirection = "higher"\nsource = "Demo"\n'
             'formula = "a1 - lag(a1)"\n')  # fmt: skip
    demo(root, years=years, toml=toml)
    doc, result = check_json()
    [lag] = findings(doc, "lag-gap")
    assert (result.exit_code, lag["severity"]) == (1, "error") and "reads 2021" in lag["message"]


def test_a_derived_value_outside_its_goalposts_is_an_error_on_its_row(root):
    toml = dataset_toml(YEARS) + ('\n[indicators.double]\nparent = "b"\ndirection = "higher"\ngoalposts = [0, 100]\n'
                                  'source = "Demo"\nformula = "2 * a1"\n')  # fmt: skip
    text = demo(root, toml=toml)
    doc, result = check_json()
    got = {(f["line"], f["column"], f["node"], f["values"]["value"]) for f in findings(doc, "beyond-goalposts")}
    expected = {(line_of(text, f"{code},{name},{year}"), None, "double", 2 * v[0]) for year in YEARS
                for (code, name), v in zip(ENTITIES, VALUES[year], strict=True) if 2 * v[0] > 100}  # fmt: skip
    assert got == expected and len(expected) == 3 and result.exit_code == 1


def test_missing_provenance_is_an_error_at_the_indicator(root):
    toml = dataset_toml(YEARS).replace('source = "Demo publisher, edition 1"\n', "", 1)
    toml = toml.replace('licence = "CC0-1.0"\n', "")
    demo(root, toml=toml)
    (root / "datasets" / "demo" / "SOURCES.md").unlink()
    doc, result = check_json()
    errors = findings(doc, "provenance")
    assert result.exit_code == 1
    assert {(f["line"], f["node"]) for f in errors} == {(None, None), (line_of(toml, "[indicators.a1]"), "a1")}
    [sources] = findings(doc, "sources-file")
    assert sources["severity"] == "warning"


def test_low_coverage_is_a_warning(root):
    values = copy_values()
    for row in values[2022][:4]:
        row[5] = ""  # b3 missing for half the entities in the latest year
    text = demo(root, values=values)
    doc, result = check_json()
    [indicator] = findings(doc, "coverage")
    assert (result.exit_code, indicator["node"], indicator["line"]) == (0, "b3", 1)
    assert indicator["column"] == column_of(text.splitlines()[0], 8)
    assert indicator["values"]["coverage"] == 0.5


def test_a_year_not_declared_is_an_error_at_its_cell(root):
    table = rows(VALUES, YEARS)
    table[-1][2] = "2023"
    demo(root, table=table)
    doc, result = check_json()
    [error] = [f for f in findings(doc, "year") if f["file"].endswith("values.csv")]
    assert (result.exit_code, error["line"], error["column"]) == (1, len(table), len("SWE,Sweden,") + 1)


def test_an_unreadable_dataset_toml_exits_3_at_its_line(root):
    demo(root, toml=dataset_toml(YEARS).replace('direction = "lower"', 'direction = "down"'))
    doc, result = check_json()
    [error] = findings(doc, "readable")
    assert result.exit_code == 3 and error["file"] == "datasets/demo/dataset.toml"
    assert error["line"] == line_of(dataset_toml(YEARS), 'direction = "lower"')


def test_the_uncertainty_gate_is_deterministic(root, tmp_path):
    demo(root)
    rules = tmp_path / "rules.toml"
    rules.write_text("[uncertainty]\nenabled = true\nruns = 200\nseed = 3\n", encoding="utf-8")
    first, result = check_json("--rules", str(rules))
    second, _ = check_json("--rules", str(rules))
    gate = first["datasets"][0]["uncertainty"]
    assert (gate["runs"], gate["seed"], gate["profile"]) == (200, 3, "demo") and first["seed"] == 3
    assert first["datasets"][0]["findings"] == second["datasets"][0]["findings"]
    assert "uncertain-rank" in first["datasets"][0]["checks"]["passed"] + first["datasets"][0]["checks"]["failed"]


# --- the rules file ----------------------------------------------------------------------------------


def test_a_rules_file_changes_severities_and_thresholds(root, tmp_path):
    values = copy_values()
    for row in values[2022][:4]:
        row[5] = ""
    demo(root, values=values)
    rules = tmp_path / "rules.toml"
    rules.write_text('[severity]\ncoverage = "error"\n', encoding="utf-8")
    assert check("--rules", str(rules)).exit_code == 1
    rules.write_text("[thresholds]\nmin_coverage = 0.5\n", encoding="utf-8")
    doc, result = check_json("--rules", str(rules))
    assert result.exit_code == 0 and not findings(doc, "coverage")
    rules.write_text('[severity]\ncoverage = "off"\n', encoding="utf-8")
    doc, _ = check_json("--rules", str(rules))
    assert "coverage" not in doc["datasets"][0]["checks"]["passed"] and not findings(doc, "coverage")
    rules.write_text('[datasets.demo.severity]\ncoverage = "error"\n', encoding="utf-8")
    assert check("--rules", str(rules)).exit_code == 1
    rules.write_text('fail_on = "warning"\n', encoding="utf-8")
    assert check("--rules", str(rules)).exit_code == 1
    assert check("--rules", str(rules), "--fail-on", "error").exit_code == 0


def test_bounds_from_the_rules(root, tmp_path):
    demo(root)
    rules = tmp_path / "rules.toml"
    rules.write_text("[bounds]\na1 = [0, 50]\nb2 = [-inf, inf]\n", encoding="utf-8")
    doc, result = check_json("--rules", str(rules))
    over = {(f["entity"], f["values"]["value"]) for f in findings(doc, "out-of-bounds")}
    expected = {(code, v[0]) for year in YEARS for (code, _), v in zip(ENTITIES, VALUES[year], strict=True)
                if v[0] > 50}  # fmt: skip
    assert over == expected and result.exit_code == 1


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("[thresholds]\nmax_rank_shfit = 2\n", 2, "did you mean 'max_rank_shift'"),
        ('[severity]\ncoverge = "error"\n', 2, "unknown rule 'coverge'"),
        ('[severity]\ncoverage = "fatal"\n', 2, "severity must be error, warning, notice or off"),
        ('[severity]\nreadable = "warning"\n', 2, "is fixed"),
        ("[thresholds]\nmin_coverage = 1.5\n", 2, "min_coverage must lie in [0, 1]"),
        ('fail_on = "notice"\n', 1, "fail_on must be 'error' or 'warning'"),
        ("[bounds]\nx = [5, 1]\n", 2, "bounds of 'x'"),
    ],
)
def test_rules_file_errors_name_their_line(root, tmp_path, text, line, fragment):
    demo(root)
    rules = tmp_path / "rules.toml"
    rules.write_text(text, encoding="utf-8")
    result = check("--rules", str(rules))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"rules.toml:{line}:" in result.stderr and fragment in result.stderr


def test_every_rule_has_a_default_severity_and_a_description():
    assert all(sev in ("error", "warning", "notice") and text for sev, text in RULES.values())
    defaults = read_rules(None)
    assert dict(defaults.severity) == {k: v[0] for k, v in RULES.items()}
    with pytest.raises(ConfigError):
        read_rules(Path("no-such-rules.toml"))


# --- output ------------------------------------------------------------------------------------------


def test_workflow_command_escaping():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c") == "a:b,c"


def test_an_annotation_escapes_its_properties_and_message(tmp_path, monkeypatch):
    from trustindex.check.findings import Finding

    monkeypatch.chdir(tmp_path)
    finding = Finding("revision", "warning", "x of A: 1 → 2\n50% more", tmp_path / "d,1" / "v:a.csv", 3, 7)
    assert annotation(finding, "d") == (
        "::warning file=d%2C1/v%3Aa.csv,line=3,col=7,title=trustindex check%3A revision (d)::x of A: 1 → 2%0A50%25 more"
    )


def test_markdown_output(root):
    demo(root)
    result = check("-f", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# trustindex check")
    assert re.search(r"^\*\*\d+ passed, 0 failed", result.stdout, re.M)


def test_check_has_help_with_examples():
    result = check("--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout and "--base" in result.stdout


def test_a_dataset_folder_as_base(root, tmp_path):
    demo(root)
    old = write(tmp_path / "old", dataset_toml([2020, 2021]), csv_text(rows(VALUES, [2020, 2021])), "demo")
    values = copy_values()
    values[2021][0][2] = 51  # AUT a3 in 2021: 50 → 51, a revision
    demo(root, values=values)
    doc, result = check_json("demo", "--base-file", str(old))
    assert result.exit_code == 0
    [dataset] = doc["datasets"]
    assert dataset["changes"]["years_added"] == [2022] and dataset["changes"]["revisions"] == 1
    [revision] = findings(doc, "revision")
    assert (revision["entity"], revision["node"], revision["values"]["old"], revision["values"]["new"]) == (
        "AUT", "a3", "50", "51")  # fmt: skip
    assert dataset["base"]["kind"] == "file" and dataset["base"]["year"] == 2021


def test_the_documented_rules_file_reads(tmp_path):
    from trustindex.check import rules as module

    example = module.__doc__.split("every key is optional::\n", 1)[1]
    text = "\n".join(line[4:] for line in example.splitlines())
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = read_rules(path)
    assert (rules.severity["coverage"], rules.min_coverage, rules.max_rank_shift, rules.top) == ("error", 0.667, 3, 3)
    assert rules.bounds["n_total"] == (0.0, float("inf")) and rules.allow_columns == ("comment",)
    assert rules.audit == {"min_alpha": 0.7} and rules.audit_profile == "balanced"
    assert rules.for_dataset("jp-prefectures").max_rank_shift == 5 and rules.for_dataset("asem").max_rank_shift == 3
    assert rules.spec == tmp_path / "spec.toml" and rules.uncertainty is False
