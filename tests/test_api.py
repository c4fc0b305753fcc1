"""The Python API (issue 14): its public surface, DataFrames in and out, every analysis with the CLI's names and
defaults, errors naming parameters, the docstrings' and the README's examples run, a cheap import."""

from __future__ import annotations

import csv
import doctest
import importlib
import inspect
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import trustindex as ti
from trustindex.cli import cli

ROOT = Path(__file__).resolve().parent.parent

PUBLIC = [
    "Aggregation", "Audit", "Cancelled", "Comparison", "ConfigError", "DataError", "Dataset", "Engine", "Explanation",
    "Framework", "Importance", "Indicator", "Node", "Normalisation", "Notice", "Result", "Sensitivity", "Spec",
    "Stability", "Target", "Trends", "TrustIndexError", "Uncertainty", "WeightSpec", "Weights", "__version__",
    "acceptability", "audit", "compare", "explain", "importance", "load_dataset", "load_spec", "load_weights",
    "rank_bounds", "resolve_dataset", "resolve_weights", "score", "sensitivity", "stability", "trends", "uncertainty",
    "weight_stability", "what_it_takes",
]  # fmt: skip
ANALYSES = ["score", "explain", "what_it_takes", "compare", "importance", "audit", "uncertainty", "sensitivity",
            "stability"]  # fmt: skip

# --- the public surface ----------------------------------------------------------------------------------------


def test_the_public_surface_is_pinned():
    assert sorted(ti.__all__) == sorted(PUBLIC)
    assert set(PUBLIC) <= set(dir(ti))
    for name in PUBLIC:
        assert getattr(ti, name) is not None, name


def test_the_analyses_keep_their_names_when_their_modules_load():
    importlib.import_module("trustindex.audit")
    importlib.import_module("trustindex.uncertainty")
    assert inspect.isfunction(ti.audit) and ti.audit.__module__ == "trustindex.api"
    assert inspect.isfunction(ti.uncertainty) and ti.uncertainty.__module__ == "trustindex.api"


def test_help_lists_every_public_name():
    text = ti.__doc__
    for name in PUBLIC:
        if name != "__version__":
            assert re.search(rf"\b{name}\b", text), name


@pytest.mark.parametrize("name", [n for n in PUBLIC if n != "__version__"])
def test_every_public_name_has_a_docstring_with_an_example(name):
    value = getattr(ti, name)
    doc = inspect.getdoc(value) or ""
    assert ">>>" in doc, f"{name} has no example"
    if inspect.isfunction(value):
        assert "Parameters" in doc and "Returns" in doc, name


def _doctests(obj, name):
    finder = doctest.DocTestFinder(recurse=False)
    return [t for t in finder.find(obj, name) if t.examples]


def _public_doctests():
    tests = _doctests(ti, "trustindex")
    for name in PUBLIC:
        value = getattr(ti, name)
        if name == "__version__":
            continue
        tests += _doctests(value, f"trustindex.{name}")
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                member = getattr(member, "__func__", member)
                if not attr.startswith("_") and callable(member):
                    tests += _doctests(member, f"trustindex.{name}.{attr}")
    return tests


@pytest.mark.parametrize("test", _public_doctests(), ids=lambda t: t.name)
def test_docstring_examples_run(test, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name the shipped datasets
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    out = io.StringIO()
    runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()


def _readme_api_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Python API")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_readme_python_api_section_runs(tmp_path, monkeypatch):
    section = _readme_api_section()
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks and all(">>>" in b for b in blocks)
    monkeypatch.chdir(tmp_path)  # no file is read or written but the shipped datasets
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(blocks), {}, "README Python API", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    out = io.StringIO()
    runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()
    assert list(tmp_path.iterdir()) == []


def test_import_is_cheap():
    heavy = "('pandas', 'scipy', 'textual', 'rich', 'trustindex.api')"
    code = f"import sys, trustindex as ti; dir(ti); ti.__all__; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_without_pandas_to_frame_says_what_to_install_and_the_rest_works():
    code = """
import sys
sys.modules["pandas"] = None  # as if not installed
import trustindex as ti
result = ti.score({"id": ["a", "b"], "x": [1.0, 2.0]})
assert result.to_dict()["entities"][0]["entity"] == "b"
assert ti.explain(result, "a").to_dict()["explanation"]["entity"] == "a"
try:
    result.to_frame()
except ti.ConfigError as exc:
    print(exc)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'to_frame() needs pandas, which is not installed (pip install "trustindex[pandas]")'


# --- data in ---------------------------------------------------------------------------------------------------

VALUES = pd.DataFrame({"id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "gdp": [10.0, 30.0, 20.0, np.nan],
                       "debt": [1, 4, 2, 3], "trust": [0.5, 0.1, 0.9, 0.4]})  # fmt: skip
# COINr's iMeta: debt is better lower; the economy pillar weighs 2 against society's 1
IMETA = pd.DataFrame({
    "iCode": ["Index", "economy", "society", "gdp", "debt", "trust"],
    "iName": ["Index", "Economy", "Society", "GDP", "Debt", "Trust"],
    "Level": [3, 2, 2, 1, 1, 1],
    "Parent": [None, "Index", "Index", "economy", "economy", "society"],
    "Type": ["Aggregate", "Aggregate", "Aggregate", "Indicator", "Indicator", "Indicator"],
    "Direction": [1, 1, 1, 1, -1, 1],
    "Weight": [1, 2, 1, 1, 1, 1],
})  # fmt: skip


def _minmax(values, lower_better=False):
    present = [v for v in values if not math.isnan(v)]
    low, high = min(present), max(present)
    out = [(v - low) / (high - low) * 100 if not math.isnan(v) else math.nan for v in values]
    return [100 - v if lower_better and not math.isnan(v) else v for v in out]


def test_a_dataframe_with_coinr_imeta_scores_as_computed_by_hand():
    gdp, debt, trust = _minmax([10, 30, 20, math.nan]), _minmax([1, 4, 2, 3], True), _minmax([0.5, 0.1, 0.9, 0.4])
    economy = [(g + d) / 2 for g, d in zip(gdp, debt, strict=True)]  # d: 1 of 2 available, under 2/3: missing
    index = [(2 * e + s) / 3 for e, s in zip(economy, trust, strict=True)]
    dataset = ti.Dataset.from_frame(VALUES, IMETA, name="toy")
    assert dataset.framework.label("economy") == "Economy" and dataset.framework.indicators[1].direction == -1
    result = ti.score(dataset)
    frame = result.to_frame(level="indicator")
    assert frame.columns.tolist() == ["rank", "entity", "name", "Index", "economy", "society", "gdp", "debt", "trust"]
    by = frame.set_index("entity")
    # economy of d: one of its two indicators, below the 2/3 coverage rule: missing, and so its index
    assert math.isnan(by.loc["d", "economy"]) and math.isnan(by.loc["d", "Index"])
    for i, entity in enumerate("abc"):
        assert by.loc[entity, "Index"] == pytest.approx(index[i], abs=1e-9)
        assert by.loc[entity, "economy"] == pytest.approx(economy[i], abs=1e-9)
    naive = [sorted(index[:3], reverse=True).index(v) + 1 for v in index[:3]]  # d unranked; no ties
    assert by.loc[["a", "b", "c"], "rank"].tolist() == naive and by.loc["c", "name"] == "C"


def test_data_from_a_mapping_or_an_array_without_pandas_types():
    mapping = {"id": ["p", "q", "r"], "x": [1, 2, 3], "y": [30.0, 10.0, 20.0]}
    result = ti.score(mapping)
    x, y = _minmax([1, 2, 3]), _minmax([30, 10, 20])
    assert result.index_scores().tolist() == pytest.approx([(a + b) / 2 for a, b in zip(x, y, strict=True)])
    array = ti.score(np.array([[1, 30.0], [2, 10], [3, 20]]))
    assert array.entities == ("0", "1", "2") and array.framework.indicator_ids == ("x1", "x2")
    assert array.index_scores().tolist() == pytest.approx(result.index_scores().tolist())
    named = ti.Dataset.from_frame(np.array([[1.0], [2.0]]), columns=["gdp"])
    assert named.framework.indicator_ids == ("gdp",)


def test_a_panel_frame_scores_its_latest_year_or_the_one_asked_for():
    panel = pd.DataFrame({"id": ["a", "b", "a", "b"], "year": [2020, 2020, 2021, 2021], "x": [1, 2, 3, 1]})
    assert ti.load_dataset(panel).values[:, 0].tolist() == [3, 1]
    assert ti.score(panel, year=2020).index_scores().tolist() == [0, 100]
    with pytest.raises(ti.ConfigError, match=r"has no year 2019 \(its years: 2020-2021\)"):
        ti.score(panel, year=2019)


def test_a_frame_index_gives_the_ids_and_text_columns_are_not_indicators():
    frame = pd.DataFrame({"region": ["n", "s"], "x": [1.0, 2.0]}, index=pd.Index(["jp", "kr"], name="iso"))
    dataset = ti.Dataset.from_frame(frame)
    assert dataset.entities == ("jp", "kr") and dataset.framework.indicator_ids == ("x",)


@pytest.mark.parametrize(
    ("values", "meta", "message"),
    [
        (VALUES.assign(gdp=["10", "x", "20", ""]), IMETA, "values: row 'b', column 'gdp': column 'gdp': 'x' is not"),
        (VALUES.assign(extra=1), IMETA, "values: header, column 'extra': column 'extra' is not declared in meta"),
        (VALUES, IMETA.assign(Direction=[1, 1, 1, 1, "up", 1]), "meta: row 'debt', column 'Direction'"),
        (VALUES.assign(id=["a", "a", "c", "d"]), IMETA, "values: row 'a', column 'id'"),
        ({"id": ["a"], "x": ["text"]}, None, "values has no numeric column to score"),
        ("not a table", None, "no dataset named 'not a table'"),
        (42, None, "values must be a DataFrame, a mapping of columns or a 2-d array, not int"),
    ],
)  # fmt: skip
def test_bad_tables_name_the_parameter_row_and_column(values, meta, message):
    with pytest.raises(ti.TrustIndexError) as caught:
        ti.load_dataset(values, meta=meta) if not isinstance(values, (str, int)) else (
            ti.load_dataset(values) if isinstance(values, str) else ti.Dataset.from_frame(values))  # fmt: skip
    assert message in str(caught.value)
    assert "--" not in str(caught.value)


def test_trends_of_a_panel_frame_by_hand():
    frame = pd.DataFrame({"id": ["a", "b", "c"] * 2, "year": [2020] * 3 + [2021] * 3,
                          "x": [1, 2, 3, 2, 2, 5], "y": [3, 1, 2, 3, 2, 1]})  # fmt: skip
    # min-max 0-100 within each year, equal weights: 2020 a (0+100)/2, b (50+0)/2, c (100+50)/2;
    # 2021 a (0+100)/2, b (0+50)/2, c (100+0)/2 — a and c tie first
    rows = ti.trends(frame).to_frame().set_index("entity")
    assert rows["2020"].to_dict() == {"a": 50.0, "b": 25.0, "c": 75.0}
    assert rows["rank_2021"].to_dict() == {"a": 1.0, "b": 3.0, "c": 1.0}
    assert rows.loc["c", "change"] == -25.0 and rows.loc["c", "pillar"] == -25.0


def test_names_paths_and_objects_are_accepted_everywhere():
    by_name = ti.score("coexistence-regimes", "balanced")
    by_path = ti.score(ROOT / "datasets" / "coexistence-regimes", ROOT / "weights" / "balanced.toml")
    by_object = ti.score(ti.load_dataset("coexistence-regimes"), ti.load_weights("balanced"))
    assert by_name.to_dict() == by_path.to_dict() == by_object.to_dict() == ti.score().to_dict()
    assert by_name.index_scores().tolist() == by_path.index_scores().tolist()
    assert ti.explain(by_name, "japan").to_dict() == ti.explain("coexistence-regimes", "japan").to_dict()


def test_weights_and_spec_built_in_python():
    dataset = ti.load_dataset("coexistence-regimes")
    doubled = ti.Weights.from_dict({"weights": {"support": 2}})
    equal = ti.score(dataset, ti.Weights.equal(dataset))
    heavier = ti.score(dataset, {"weights": {"support": 2}})
    assert heavier == ti.score(dataset, doubled)
    pillars = [heavier.column(p) for p in ("management", "connectivity", "support", "explainability")]
    naive = (heavier.scores[:, pillars] * np.array([1, 1, 2, 1])).sum(axis=1) / 5  # the index: a weighted mean
    assert heavier.scores[:, 0] == pytest.approx(naive)
    assert not np.allclose(heavier.scores[:, 0], equal.scores[:, 0])
    with pytest.raises(ti.ConfigError, match=r"weights: unknown key 'weightz' at the top level \(did you mean"):
        ti.Weights.from_dict({"weightz": {}})
    spec = ti.Spec.from_dict({"runs": 32, "weights": {"spread": 0.1}})
    assert spec == ti.Spec(runs=32, weights=ti.WeightSpec(spread=0.1), aggregation=())


# --- results out -----------------------------------------------------------------------------------------------


def _csv(*argv) -> list[dict]:
    result = CliRunner().invoke(cli, [*argv, "-f", "csv", "-q"] if argv[0] not in ("score", "audit", "trends")
                                else [*argv, "-f", "csv"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _same(frame: pd.DataFrame, rows: list[dict]) -> None:
    assert frame.columns.tolist() == list(rows[0])
    assert len(frame) == len(rows)
    for record, row in zip(frame.to_dict("records"), rows, strict=True):
        for key, text in row.items():
            value = record[key]
            if text == "":
                assert value in (None, "") or (isinstance(value, float) and math.isnan(value)), key
            elif isinstance(value, (bool, np.bool_)):
                assert str(value).lower() == text, key
            elif isinstance(value, (float, int, np.number)):
                assert float(value) == pytest.approx(float(text), rel=1e-12), key
            else:
                assert str(value) == text, key


def test_frames_have_the_columns_and_values_of_the_csv():
    _same(ti.score().to_frame(level="indicator"), _csv("score", "--level", "indicator"))
    _same(ti.score().to_frame(top=2), _csv("score", "--top", "2"))
    _same(ti.uncertainty(runs=64, seed=5).to_frame(), _csv("uncertainty", "--runs", "64", "--seed", "5"))
    _same(ti.sensitivity(samples=32, seed=2).to_frame(), _csv("sensitivity", "--samples", "32", "--seed", "2"))
    for section in ("findings", "indicators", "pillars", "correlations", "entities"):
        _same(ti.audit("asem").to_frame(section), _csv("audit", "--data", "asem", "--only", section))
    panel = ["--data", "jp-prefectures", "--weights", "jp-settlement", "--from", "2019", "--to", "2021"]
    found = ti.trends("jp-prefectures", weights="jp-settlement", start=2019, end=2021, level="indicator")
    _same(found.to_frame(), _csv("trends", *panel, "--level", "indicator"))


def _json(*argv) -> dict:
    result = CliRunner().invoke(cli, [*argv, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_to_dict_is_the_json_of_the_command():
    assert ti.score().to_dict() == _json("score")
    assert ti.explain(None, "japan").to_dict() == _json("explain", "japan")
    assert ti.compare(None, "japan", "nordic").to_dict() == _json("compare", "japan", "nordic")
    assert ti.importance().to_dict() == _json("importance")
    assert ti.audit().to_dict() == _json("audit")
    assert ti.uncertainty(runs=64, seed=3).to_dict() == _json("uncertainty", "--runs", "64", "--seed", "3", "-q")
    assert ti.stability(weight="support").to_dict() == _json("stability", "--weight", "support", "-q")
    assert ti.trends("jp-prefectures", weights="jp-settlement", start=2020).to_dict() == _json(
        "trends", "--data", "jp-prefectures", "--weights", "jp-settlement", "--from", "2020"
    )


def test_one_vocabulary_for_entities_across_json_and_csv():
    assert {"entity", "name"} <= set(_json("score")["entities"][0])
    assert {"entity", "name"} <= set(_json("uncertainty", "--runs", "16", "--seed", "1", "-q")["entities"][0])
    assert _json("explain", "japan")["explanation"]["entity"] == "japan"
    assert list(_csv("score")[0])[:3] == ["rank", "entity", "name"]
    assert list(_csv("uncertainty", "--runs", "16", "--seed", "1")[0])[:3] == ["entity", "name", "nominal_rank"]
    assert list(_csv("audit", "--only", "entities")[0])[:2] == ["entity", "name"]


def test_every_analysis_result_is_a_table_with_a_short_repr():
    result = ti.score()
    found = [
        result, ti.explain(result, "japan"), ti.what_it_takes(result, "japan"), ti.compare(result, "japan", "nordic"),
        ti.importance(result), ti.audit(result), ti.uncertainty(result, runs=32, seed=1),
        ti.sensitivity(result, samples=16, seed=1), ti.stability(result, acceptability=64, seed=1),
        ti.load_dataset(), ti.load_weights(), ti.trends("jp-prefectures", weights="jp-settlement", start=2020),
    ]  # fmt: skip
    for item in found:
        text = repr(item)
        assert "\n" not in text and len(text) <= 400, text
        if hasattr(item, "to_frame"):
            frame = item.to_frame()
            assert isinstance(frame, pd.DataFrame) and len(frame) > 0, text
        if hasattr(item, "_repr_html_"):
            assert "<table>" in item._repr_html_()
    assert len(ti.score("jp-prefectures")._repr_html_()) < 8000  # ten rows of 47


def test_stability_frames():
    found = ti.stability(entity="japan", acceptability=200, seed=4)
    weights = found.to_frame()
    assert weights["node"].tolist() == ["management", "connectivity", "support", "explainability"]
    assert {"entity_low", "entity_high"} <= set(weights.columns)
    probabilities = found.to_frame("acceptability")
    assert probabilities.groupby("entity")["probability"].sum().tolist() == pytest.approx([1.0] * 4)
    assert found.to_frame("bounds").columns.tolist()[:4] == ["entity", "nominal", "best", "worst"]
    with pytest.raises(ti.ConfigError, match="only must be one of weights, bounds, acceptability"):
        found.to_frame("bound")


# --- the analyses: names, defaults, callbacks, errors ----------------------------------------------------------

RENAMED = {"target_rank": "rank", "target_score": "score", "nodes": "weight"}
FRONT_END = {"fmt", "output", "quiet", "plot", "top", "level", "only"}  # presentation: to_frame's, or the CLI's


@pytest.mark.parametrize("name", ANALYSES)
def test_keyword_arguments_are_named_and_default_as_the_cli_options(name):
    command = cli.commands["explain" if name == "what_it_takes" else name]
    signature = inspect.signature(getattr(ti, name)).parameters
    defaults = command.make_context(command.name, [], resilient_parsing=True).params  # as parsed: None, ()
    for param in command.params:
        if param.name in FRONT_END or (name == "what_it_takes" and param.name == "baseline"):
            continue
        api_name = RENAMED.get(param.name, param.name)
        if name == "stability" and param.name == "runs":
            api_name = "acceptability"
        assert api_name in signature, (name, param.name)
        default = signature[api_name].default
        if default is inspect.Parameter.empty:
            # entities are required; data too where they follow it (None: the default dataset)
            assert param.required or param.name == "data" and name in ("explain", "what_it_takes", "compare")
        else:
            assert default == defaults[param.name], (name, param.name)
    if name not in ("score", "compare", "importance", "audit"):
        assert {"progress", "cancelled"} <= set(signature), name


def test_long_analyses_report_progress_and_stop_when_asked():
    seen: list[float] = []
    ti.uncertainty(runs=5000, seed=1, progress=seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 1.0
    for run in (lambda stop: ti.uncertainty(runs=5000, seed=1, cancelled=stop),
                lambda stop: ti.sensitivity(samples=64, seed=1, cancelled=stop),
                lambda stop: ti.stability(cancelled=stop),
                lambda stop: ti.what_it_takes(None, "japan", cancelled=stop)):  # fmt: skip
        with pytest.raises(ti.Cancelled):
            run(lambda: True)
    seen.clear()
    ti.stability(acceptability=500, seed=1, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_what_it_takes_one_place_up_by_default():
    result = ti.score()
    japan = ti.what_it_takes(result, "japan")
    assert japan.target_rank == int(result.rank(result.nodes[0])[result.entities.index("japan")]) - 1
    assert ti.what_it_takes(result, "japan", rank=1).target_rank == 1
    assert ti.explain(result, "japan").target.to_dict() == japan.to_dict()
    assert ti.explain(result, "nordic").target is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ti.what_it_takes(None, "japan", rank=1, score=50), "give rank= or score=, not both"),
        (lambda: ti.explain(None, "japan", rank=0), "rank: 0 is not in [1, "),
        (lambda: ti.score(year=2020), "dataset 'coexistence-regimes' has no years (leave out year=)"),
        (lambda: ti.sensitivity(samples=100), "samples must be a power of 2, not 100"),
        (lambda: ti.stability(floor=1), "floor: 1 is not in [0, 1)"),
        (lambda: ti.uncertainty(runs=1), "runs: 1 is not in [2, "),
        (lambda: ti.uncertainty(sampler="sobel"), "unknown sampler 'sobel' (did you mean 'sobol'?)"),
        (lambda: ti.score(ti.score(), weights="balanced"), "weights cannot change a scored result"),
        (lambda: ti.audit(max_skew=-1), "max_skew: -1 is not in"),
        (lambda: ti.explain(None, "atlantis"), "no entity 'atlantis'"),
        (lambda: ti.score(weights=3), "weights must be a profile's name or file, a Weights or a mapping, not int"),
        (lambda: ti.uncertainty(spec={"runs": 1}), "spec: runs must be 2 or more, not 1"),
        (lambda: ti.trends("jp-prefectures", start=2030), "start 2030: dataset 'jp-prefectures' has no such year"),
        (lambda: ti.trends("jp-prefectures", start=2021), "start 2021 end 2021 spans fewer than two years"),
        (lambda: ti.trends(ti.load_dataset("jp-prefectures")), "not a Dataset of one year"),
    ],
)
def test_errors_name_parameters_not_flags(call, message):
    with pytest.raises(ti.TrustIndexError) as caught:
        call()
    assert message in str(caught.value)
    assert not re.search(r"(?<![\w-])--[a-z]", str(caught.value)), str(caught.value)


# --- the notebook ----------------------------------------------------------------------------------------------


def test_the_notebook_example_runs_with_no_file_on_disk(tmp_path):
    script = ROOT / "examples" / "notebook.py"
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []
    assert "uncertainty: 500 runs" in done.stdout


def test_name_and_year_columns_are_named_as_init_names_them_and_a_year_is_a_number():
    values = {"code": ["a", "b", "a", "b"], "school": ["Ash", "Birch", "Ash", "Birch"],
              "when": [2023, 2023, 2024, 2024], "x": [1.0, 2.0, 4.0, 3.0], "y": [1.0, 2.0, 2.0, 1.0]}  # fmt: skip
    dataset = ti.Dataset.from_frame(values, entity="code", name_column="school", year_column="when")
    assert dataset.names == ("Ash", "Birch") and dataset.framework.indicator_ids == ("x", "y")
    # the latest year by default: in 2024 a is ahead on both (4 > 3, 2 > 1), in 2023 behind on both
    assert ti.score(dataset).to_frame()["entity"].tolist() == ["a", "b"]
    assert ti.score(ti.Dataset.from_frame(values, entity="code", year=2023, year_column="when")).to_frame()[
        "entity"].tolist() == ["b", "a"]  # fmt: skip
    with pytest.raises(ti.ConfigError, match="year_column='when'"):
        ti.Dataset.from_frame(values, entity="code", year="when")
    with pytest.raises(ti.ConfigError, match="name_column: values has no column 'schol'"):
        ti.Dataset.from_frame(values, entity="code", name_column="schol", year_column="when")


def test_uncertainty_of_a_frame_without_metadata_varies_the_level_that_combines():
    # without metadata the indicators sit under one pillar: the index combines one component, so the default
    # aggregation alternatives apply where two or more are combined (the pillar), not an error
    values = {"id": list("abcde"), "x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [5.0, 3.0, 4.0, 1.0, 2.0]}
    result = ti.uncertainty(ti.Dataset.from_frame(values), seed=1, runs=64)
    assert "aggregation" in result.factors
