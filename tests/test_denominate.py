"""Denomination (COINr's Denominate): the kernel by hand, the dataset and profile keys and their errors, the
ASEM example's denominated values against the source files, explain and uncertainty.

Expected values are worked by hand or computed here from the shared COINr files with the csv module.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_framework
from test_asem_dataset import naive_scores

from trustindex.cli import cli
from trustindex.denominate import denominate
from trustindex.engine import Engine
from trustindex.errors import ConfigError, DataError
from trustindex.explain import explain
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Indicator, Spec
from trustindex.pipeline import score
from trustindex.uncertainty import Design

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "asem"

DATASET = """\
schema = 1
name = "towns"

[index]
id = "idx"

[pillars.p]
label = "Pillar"

[indicators.crimes]
parent = "p"
direction = "lower"
denominator = "people"
per = 1000

[indicators.parks]
parent = "p"
direction = "higher"
denominator = "area"

[indicators.score]
parent = "p"
direction = "higher"

[columns.people]
label = "Population"

[columns.area]
label = "Area"

[columns.region]
kind = "text"
"""
VALUES = (
    "id,name,crimes,parks,score,people,area,region\n"
    "A,Alpha,50,4,7,10000,2,n\nB,Beta,30,9,5,2000,3,s\nC,Gamma,12,2,6,4000,0,n\n"
)
PROFILE = 'schema = 1\nname = "p"\n[aggregation]\nmin_coverage = 0\n[denomination]\nmethod = "divide"\n'


def folder(tmp_path: Path, toml: str = DATASET, values: str = VALUES) -> Path:
    (tmp_path / "dataset.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "values.csv").write_text(values, encoding="utf-8")
    return tmp_path


def profile(tmp_path: Path, text: str = PROFILE) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_kernel_divides_by_the_column_and_scales_by_per():
    indicators = (Indicator("a", "a", "p", denominator="n", per=100.0), Indicator("b", "b", "p"))
    values = np.array([[5.0, 1.0], [3.0, 2.0], [np.nan, 3.0], [4.0, 4.0]])
    out, notices = denominate(values, indicators, {"n": np.array([50.0, 0.0, 10.0, np.nan])}, ("w", "x", "y", "z"))
    # 5/50·100 = 10; a zero and a missing denominator give a missing value; a missing value stays missing
    np.testing.assert_array_equal(out[:, 0], [10.0, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(out[:, 1], values[:, 1])  # b declares no denominator
    assert [(n.node, n.entities) for n in notices] == [("a", ("x", "z"))]
    assert np.isnan(values[2, 0]) and values[0, 0] == 5.0  # the input is not changed


def test_the_dataset_scores_raw_or_denominated(tmp_path):
    dataset = load_dataset(folder(tmp_path))
    assert [(i.denominator, i.per) for i in dataset.framework.indicators] == [("people", 1000.0), ("area", 1.0),
                                                                              (None, 1.0)]  # fmt: skip
    raw = score(dataset, load_weights(profile(tmp_path, "schema = 1\n[aggregation]\nmin_coverage = 0\n")))
    divided = score(dataset, load_weights(profile(tmp_path)))
    # crimes per 1,000 people: 5, 15, 3 (lower is better); parks per area: 2, 3, — (C's area is 0)
    np.testing.assert_allclose(divided.values[:, 0], [5.0, 15.0, 3.0])
    np.testing.assert_allclose(divided.values[:2, 1], [2.0, 3.0])
    assert math.isnan(divided.values[2, 1])
    np.testing.assert_allclose(raw.values, dataset.values)
    # min-max: crimes (15 − x)/12 · 100 = 83.33, 0, 100; parks 0, 100, —; score 100, 0, 50
    k = divided.column("p")
    np.testing.assert_allclose(divided.scores[:, k], [(250 / 3 + 0 + 100) / 3, (0 + 100 + 0) / 3, (100 + 50) / 2])
    assert any(n.kind == "denominated" and n.entities == ("C",) for n in divided.notices)


def test_explain_shows_the_published_value_the_denominator_and_the_ratio(tmp_path):
    dataset = load_dataset(folder(tmp_path))
    result = score(dataset, load_weights(profile(tmp_path)))
    part = {p.node: p for p in explain(result, "B").parts}["crimes"]
    assert (part.raw, part.denominator, part.denominator_value, part.ratio) == (30.0, "people", 2000.0, 15.0)
    assert part.how == "÷ people 2000 × 1000" and part.used == 15.0
    argv = ["explain", "B", "--data", str(tmp_path), "--weights", str(tmp_path / "profile.toml")]
    done = CliRunner().invoke(cli, argv)
    assert done.exit_code == 0, done.output
    assert "30 → 15 (÷ people 2000 × 1000)" in done.stdout


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ('denominator = "people"', 'denominator = "peple"', 13, r"denominator 'peple' of 'crimes' is not a numeric "
         r"column of the dataset \(did you mean 'people'\?\)"),
        ('denominator = "area"', 'denominator = "region"', 19, "denominator 'region' of 'parks' .* holds text"),
        ("per = 1000", "per = 0", 14, "per must be positive, not 0"),
        ('denominator = "area"\n', 'per = 10\n', 19, "per has no effect without a denominator"),
    ],
)  # fmt: skip
def test_dataset_errors_name_the_line(tmp_path, old, new, line, message):
    folder(tmp_path, DATASET.replace(old, new, 1))
    with pytest.raises(DataError, match=message) as caught:
        load_dataset(tmp_path)
    assert caught.value.line == line and caught.value.path.endswith("dataset.toml")


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('schema = 1\n[denomination]\nmethod = "divde"\n', 3, r"unknown denomination 'divde' \(did you mean 'divide'"),
        ('schema = 1\n[denomination]\nmethod = "divide"\nper = 3\n', 4, "unknown key 'per' in \\[denomination\\]"),
        ('schema = 1\n[imputation]\nmethod = "carry-forward"\n[denomination]\nmethod = "divide"\n', 3,
         "imputation 'carry-forward' reads other years' published values"),
    ],
)  # fmt: skip
def test_profile_errors_name_the_line(tmp_path, text, line, message):
    folder(tmp_path)
    with pytest.raises(ConfigError, match=message) as caught:
        score(load_dataset(tmp_path), load_weights(profile(tmp_path, text)))
    assert caught.value.line == line


def test_divide_on_a_dataset_without_denominators_is_refused_at_the_profile(tmp_path):
    done = CliRunner().invoke(cli, ["score", "--weights", str(profile(tmp_path))])
    assert done.exit_code == 2
    assert done.stderr.startswith(f"trustindex: error: {tmp_path / 'profile.toml'}:6:1: no indicator of dataset")


def test_uncertainty_varies_the_step_and_each_run_is_the_pipeline(tmp_path):
    dataset = load_dataset(folder(tmp_path))
    weights = load_weights(profile(tmp_path, "schema = 1\n[aggregation]\nmin_coverage = 0\n"))
    engine = Engine(dataset, weights)
    spec = Spec(runs=8, sampler="random", aggregation=(), denomination=("none", "divide"))
    design = Design(engine, spec)
    chosen, picks = design.decode(np.random.default_rng(5).random((spec.runs, design.dimensions)))
    scores, _ = design.evaluate(chosen, picks)
    for r in range(spec.runs):
        method = ("none", "divide")[picks["denomination"][r]]
        row = dict(zip(engine.nodes, chosen[r], strict=True))
        expected = score(dataset, replace(weights, denomination=method, weights=row)).index_scores()
        np.testing.assert_allclose(scores[r], expected, rtol=1e-12)
    assert set(picks["denomination"]) == {0, 1}


def test_spec_refuses_divide_where_nothing_is_divided(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text('schema = 1\nruns = 16\n[denomination]\nalternatives = ["none", "divide"]\n', encoding="utf-8")
    done = CliRunner().invoke(cli, ["uncertainty", "--spec", str(spec), "--seed", "1", "--quiet"])
    assert done.exit_code == 2
    assert f"{spec}:4:" in done.stderr and "divides nothing" in done.stderr
    spec.write_text('schema = 1\nruns = 16\n[denomination]\nalternatives = ["none", "dvide"]\n', encoding="utf-8")
    done = CliRunner().invoke(cli, ["uncertainty", "--spec", str(spec), "--seed", "1", "--quiet"])
    assert done.exit_code == 2 and "unknown denomination 'dvide'" in done.stderr


# --- COINr's ASEM example ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coinr():
    if not (SHARED / "asem_idata.csv").is_file():
        pytest.skip(f"COINr's files are not at {SHARED}")
    with open(SHARED / "asem_idata.csv", encoding="utf-8", newline="") as stream:
        data = list(csv.DictReader(stream))
    with open(SHARED / "asem_imeta.csv", encoding="utf-8", newline="") as stream:
        meta = [r for r in csv.DictReader(stream) if r["Type"] == "Indicator"]
    return data, meta


def coinr_denominated(data, meta) -> dict[str, list]:
    """Denominate() by hand: each indicator with a Denominator in iMeta divided by that column of iData."""
    out = {}
    for row in meta:
        values = [float(r[row["iCode"]]) if r[row["iCode"]] != "" else None for r in data]
        if row["Denominator"]:
            sizes = [float(r[row["Denominator"]]) if r[row["Denominator"]] != "" else None for r in data]
            values = [None if v is None or s in (None, 0) else v / s for v, s in zip(values, sizes, strict=True)]
        out[row["iCode"]] = values
    return out


def test_the_shipped_asem_declares_coinrs_denominators(coinr):
    _, meta = coinr
    dataset = load_dataset(ROOT / "datasets" / "asem")
    declared = {i.id: i.denominator for i in dataset.framework.indicators}
    assert declared == {r["iCode"]: r["Denominator"] or None for r in meta}
    assert sum(1 for d in declared.values() if d) == 17


def test_coinrs_imeta_table_declares_them_too(coinr):
    dataset = load_dataset(SHARED / "asem_idata.csv", meta=SHARED / "asem_imeta.csv")
    _, meta = coinr
    assert {i.id: i.denominator for i in dataset.framework.indicators} == {r["iCode"]: r["Denominator"] or None
                                                                            for r in meta}  # fmt: skip


def test_asem_denominated_values_and_scores_are_coinrs(coinr):
    data, meta = coinr
    expected = coinr_denominated(data, meta)
    dataset = load_dataset(ROOT / "datasets" / "asem")
    result = score(dataset, load_weights(ROOT / "weights" / "asem-denominated.toml"))
    row = {r["uCode"]: i for i, r in enumerate(data)}
    for k, indicator in enumerate(dataset.framework.indicators):
        for e, entity in enumerate(result.entities):
            want = expected[indicator.id][row[entity]]
            got = result.values[e, k]
            assert (want is None) == math.isnan(got), (indicator.id, entity)
            if want is not None:
                assert got == pytest.approx(want, rel=1e-15), (indicator.id, entity)
    # the scores: min-max and plain means (test_asem_dataset's naive scorer) over the denominated values
    doc = {"indicators": {r["iCode"]: {"parent": r["Parent"], "direction": "higher" if r["Direction"] == "1"
                          else "lower"} for r in meta}, "pillars": {}}  # fmt: skip
    with open(SHARED / "asem_imeta.csv", encoding="utf-8", newline="") as stream:
        for r in csv.DictReader(stream):
            if r["Type"] == "Aggregate" and r["Parent"]:
                doc["pillars"][r["iCode"]] = {"parent": r["Parent"]}
    rows = [{c: "" if expected[c][i] is None else repr(expected[c][i]) for c in expected} for i in range(len(data))]
    naive = naive_scores(doc, rows)
    done = CliRunner().invoke(cli, ["score", "--data", "asem", "--weights", "asem-denominated", "-f", "json",
                                    "--level", "indicator"])  # fmt: skip
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["weights"]["methods"]["denomination"] == {"method": "divide"}
    for entity in document["entities"]:
        for node, value in entity["scores"].items():
            want = naive[node][row[entity["id"]]]
            assert (value is None) == (want is None), (entity["id"], node)
            if want is not None:
                assert value == pytest.approx(want, abs=1e-9), (entity["id"], node)


def test_make_framework_indicators_have_no_denominator():
    assert all(i.denominator is None and i.per == 1.0 for i in make_framework({"p": None}, {"a": "p"}).indicators)


def test_check_reports_a_changed_denominator(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    base.mkdir()
    head.mkdir()
    folder(base)
    folder(head, DATASET.replace("per = 1000", "per = 100000", 1))
    done = CliRunner().invoke(cli, ["check", str(head), "--base-file", str(base), "-f", "json", "--quiet"])
    findings = [f for f in json.loads(done.stdout)["datasets"][0]["findings"] if f["rule"] == "metadata-changed"]
    assert [(f["node"], f["values"]) for f in findings] == [
        ("crimes", {"field": "per", "old": "1000", "new": "100000"})
    ]
    assert findings[0]["line"] == 14
