"""``trustindex audit`` through the CLI: exit codes, stdout and stderr, every format, the threshold options.

The outlier flags expected for the ASEM data are recomputed here from the shipped values.csv with the Excel
SKEW and KURT formulas written out, never taken from trustindex.
"""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import only_notices

from trustindex.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "datasets" / "asem"
USAGE, DATA = 2, 3


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert only_notices(result.stderr), result.stderr
    return result.stdout


def skew_kurt(xs):
    n = len(xs)
    m, s = statistics.fmean(xs), statistics.stdev(xs)
    skew = n / ((n - 1) * (n - 2)) * math.fsum(((x - m) / s) ** 3 for x in xs)
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * math.fsum(((x - m) / s) ** 4 for x in xs)
    return skew, kurt - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


def asem_moments() -> dict[str, tuple[float, float]]:
    """(skewness, kurtosis) of each ASEM indicator, from the shipped values.csv."""
    with open(ASEM / "values.csv", encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
        header = reader.fieldnames
    indicators = header[2 : header.index("Area")]
    return {c: skew_kurt([float(r[c]) for r in rows if r[c] != ""]) for c in indicators}


def outliers(max_skew=2.0, max_kurtosis=3.5) -> set[str]:
    return {c for c, (s, k) in asem_moments().items() if abs(s) > max_skew and k > max_kurtosis}


def audit_json(*args: str) -> dict:
    return json.loads(ok(run("audit", "--data", "asem", "-f", "json", *args)))


# --- formats -----------------------------------------------------------------------------------


def test_table_puts_findings_first_then_indicators_pillars_and_flagged_correlations():
    out = ok(run("audit", "--data", "asem"))
    positions = [out.index(h) for h in ("Findings (", "Indicators (raw", "Pillars (", "Flagged correlations")]
    assert positions == sorted(positions)
    assert "\x1b[" not in out
    assert "Rules: outliers when |skewness| > 2 and kurtosis > 3.5" in out
    findings = out[positions[0] : positions[1]]
    severities = [line.split()[0] for line in findings.splitlines()[4:] if line.strip()]
    order = ["error", "warning", "notice"]
    assert severities and [order.index(s) for s in severities] == sorted(order.index(s) for s in severities)


def test_table_marks_exactly_the_outlying_indicators():
    out = ok(run("audit", "--data", "asem", "--only", "indicators"))
    lines = [line for line in out.splitlines() if line and line.split()[0] in asem_moments()]
    assert len(lines) == 49
    assert {line.split()[0] for line in lines if line.rstrip().endswith("yes")} == outliers()


def test_json_carries_provenance_thresholds_and_every_section():
    doc = audit_json()
    assert doc["command"] == "audit" and doc["dataset"]["name"] == "asem" and doc["weights"]["name"] == "asem"
    assert doc["thresholds"]["max_skew"] == 2 and doc["thresholds"]["max_kurtosis"] == 3.5
    assert {"findings", "indicators", "pillars", "correlations", "entities"} <= set(doc)
    assert len(doc["indicators"]) == 49 and len(doc["entities"]) == 51
    assert doc["summary"] == {
        s: sum(f["severity"] == s for f in doc["findings"]) for s in ("error", "warning", "notice")
    }
    assert {i["indicator"] for i in doc["indicators"] if i["outlier"]} == outliers()
    for indicator in doc["indicators"]:
        skew, kurt = asem_moments()[indicator["indicator"]]
        assert indicator["skewness"] == pytest.approx(skew, rel=1e-9)
        assert indicator["kurtosis"] == pytest.approx(kurt, rel=1e-9)
    finding = doc["findings"][0]
    assert set(finding) == {"severity", "rule", "message", "nodes", "entities", "values"}


def test_csv_default_is_the_findings_and_only_picks_a_table():
    findings = list(csv.DictReader(io.StringIO(ok(run("audit", "--data", "asem", "-f", "csv")))))
    assert findings and list(findings[0]) == ["severity", "rule", "nodes", "entities", "message"]
    assert {r["nodes"] for r in findings if r["rule"] == "outlier"} == outliers()
    indicators = list(csv.DictReader(io.StringIO(ok(run("audit", "--data", "asem", "-f", "csv", "--only",
                                                         "indicators")))))  # fmt: skip
    assert len(indicators) == 49
    assert {r["indicator"] for r in indicators if r["outlier"] == "true"} == outliers()
    for row in indicators:  # full precision in CSV
        assert float(row["skewness"]) == pytest.approx(asem_moments()[row["indicator"]][0], rel=1e-12)
    correlations = list(csv.DictReader(io.StringIO(ok(run("audit", "--data", "asem", "-f", "csv", "--only",
                                                           "correlations")))))  # fmt: skip
    assert len(correlations) == len(audit_json()["correlations"])
    entities = list(csv.DictReader(io.StringIO(ok(run("audit", "--data", "asem", "-f", "csv", "--only",
                                                       "entities")))))  # fmt: skip
    assert len(entities) == 51


def test_markdown_has_headings_and_tables():
    out = ok(run("audit", "--data", "asem", "-f", "markdown"))
    assert out.startswith("# Audit of ")
    for heading in ("## Findings", "## Indicators", "## Pillars", "## Flagged correlations"):
        assert heading in out
    assert "| Severity | Rule | Finding |" in out


@pytest.mark.parametrize("only", ["findings", "indicators", "pillars", "correlations", "entities"])
def test_only_shows_one_section(only):
    doc = json.loads(ok(run("audit", "--data", "asem", "-f", "json", "--only", only)))
    sections = {"findings", "indicators", "pillars", "correlations", "entities"}
    assert sections & set(doc) == {only}
    assert ok(run("audit", "--data", "asem", "--only", only)).strip()


def test_the_default_dataset_audits_too():
    out = ok(run("audit"))
    assert "Findings (" in out


def test_output_file(tmp_path):
    target = tmp_path / "audit.json"
    assert ok(run("audit", "--data", "asem", "-f", "json", "-o", str(target))) == ""
    assert json.loads(target.read_text(encoding="utf-8"))["command"] == "audit"


# --- threshold options -------------------------------------------------------------------------


def test_max_skew_and_max_kurtosis_override_the_profile():
    moments = asem_moments()
    default = {i["indicator"] for i in audit_json()["indicators"] if i["outlier"]}
    assert default == outliers()
    cut = sorted(abs(s) for c, (s, _) in moments.items() if c in default)[len(default) // 2]
    doc = audit_json("--max-skew", str(cut))
    assert doc["thresholds"]["max_skew"] == cut and doc["thresholds"]["max_kurtosis"] == 3.5
    assert {i["indicator"] for i in doc["indicators"] if i["outlier"]} == outliers(max_skew=cut)
    assert {f["nodes"][0] for f in doc["findings"] if f["rule"] == "outlier"} == outliers(max_skew=cut)
    doc = audit_json("--max-kurtosis", "8")
    assert {i["indicator"] for i in doc["indicators"] if i["outlier"]} == outliers(max_kurtosis=8)
    doc = audit_json("--max-skew", "100", "--max-kurtosis", "100")
    assert not any(i["outlier"] for i in doc["indicators"])
    assert "|skewness| > 100" in ok(run("audit", "--data", "asem", "--max-skew", "100"))


# --- exit codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--max-skew", "-1"],
        ["--max-skew", "abc"],
        ["--only", "everything"],
        ["-f", "xml"],
    ],
)
def test_bad_options_are_usage_errors(args):
    result = run("audit", "--data", "asem", *args)
    assert result.exit_code == USAGE
    assert result.stdout == ""


def test_unknown_dataset_name_is_a_usage_error():
    result = run("audit", "--data", "no-such-dataset")
    assert result.exit_code == USAGE
    assert result.stderr.startswith("trustindex: error: ") and len(result.stderr.strip().splitlines()) == 1


def test_a_profile_of_another_framework_is_a_usage_error():
    result = run("audit", "--data", "asem", "--weights", "balanced")
    assert result.exit_code == USAGE
    assert "asem" in result.stderr and "balanced-coexistence" in result.stderr


def test_year_on_a_cross_section_is_a_usage_error():
    assert run("audit", "--data", "asem", "--year", "2018").exit_code == USAGE


def test_refuses_to_overwrite_an_input(tmp_path):
    result = run("audit", "--data", "asem", "-f", "csv", "-o", str(ASEM / "values.csv"))
    assert result.exit_code == USAGE
    assert "refusing to overwrite an input file" in result.stderr


def test_help_has_examples_and_the_options():
    out = ok(run("audit", "--help"))
    assert "Examples:" in out
    for option in ("--data", "--weights", "--year", "--format", "--output", "--max-skew", "--max-kurtosis", "--only"):
        assert option in out


def test_the_profiles_audit_table_sets_the_rules_and_the_options_override_it(tmp_path):
    profile = tmp_path / "asem-strict.toml"
    text = (ROOT / "weights" / "asem.toml").read_text(encoding="utf-8")
    profile.write_text(text + "\n[audit]\nmax_skew = 100\nmin_alpha = 0.5\n", encoding="utf-8")
    doc = audit_json("--weights", str(profile))
    assert doc["thresholds"]["max_skew"] == 100 and doc["thresholds"]["min_alpha"] == 0.5
    assert not any(i["outlier"] for i in doc["indicators"])
    alphas = {p["node"]: p["alpha"] for p in doc["pillars"]}
    flagged = {f["nodes"][0] for f in doc["findings"] if f["rule"] == "alpha"}
    assert flagged == {node for node, alpha in alphas.items() if alpha is not None and alpha < 0.5}
    doc = audit_json("--weights", str(profile), "--max-skew", "2")
    assert doc["thresholds"]["max_skew"] == 2 and doc["thresholds"]["min_alpha"] == 0.5
    assert {i["indicator"] for i in doc["indicators"] if i["outlier"]} == outliers()
