"""The ``asem`` dataset: its files against the COINr export, its framework against iMeta, and its scores.

Everything expected is read here from ../shared/data/asem with the csv module, or computed in plain Python
(min-max to 0-100 with directions, then arithmetic means over the available components, every weight 1).
Tests that need the shared files skip when they are absent.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT / "datasets" / "asem"
PROFILE = ROOT / "weights" / "asem.toml"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def read(path: Path):
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, strict=True)
        return list(reader.fieldnames), list(reader)


@pytest.fixture(scope="module")
def source():
    if not (SHARED / "asem" / "asem_idata.csv").is_file():
        pytest.skip(f"the source files are not at {SHARED / 'asem'}")
    _, data = read(SHARED / "asem" / "asem_idata.csv")
    _, meta = read(SHARED / "asem" / "asem_imeta.csv")
    return data, meta


@pytest.fixture(scope="module")
def shipped():
    return read(ASEM / "values.csv")


@pytest.fixture(scope="module")
def doc():
    return tomllib.loads((ASEM / "dataset.toml").read_text(encoding="utf-8"))


def test_build_check_passes(source):
    done = subprocess.run(
        [sys.executable, str(ASEM / "build.py"), "--check", "--shared", str(SHARED)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "check: OK" in done.stderr
    assert "51 rows; 2843 non-empty cells equal their source text; 64 empty" in done.stdout


def test_build_check_catches_a_changed_cell(source, tmp_path):
    copy = tmp_path / "asem"
    copy.mkdir()
    for name in ("build.py", "dataset.toml", "values.csv"):
        (copy / name).write_bytes((ASEM / name).read_bytes())
    text = (copy / "values.csv").read_text(encoding="utf-8")
    (copy / "values.csv").write_text(text.replace("AUT,Austria,4.097985,", "AUT,Austria,4.097986,"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(copy / "build.py"), "--check", "--shared", str(SHARED)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "AUT LPI = '4.097986', source has '4.097985'" in done.stderr


def test_values_are_the_source_cells(source, shipped):
    data, meta = source
    header, rows = shipped
    indicators = [m["iCode"] for m in meta if m["Type"] == "Indicator"]
    assert header == ["uCode", "uName", *indicators, "Area", "Energy", "GDP", "Population", "GDP_group",
                      "GDPpc_group", "Pop_group", "EurAsia_group"]  # fmt: skip
    assert "Time" not in header and {r["Time"] for r in data} == {"2018"}
    assert [r["uCode"] for r in rows] == [r["uCode"] for r in data]
    for mine, theirs in zip(rows, data, strict=True):
        for column in header:
            assert mine[column] == theirs[column], (mine["uCode"], column)
    assert sum(r[c] == "" for r in rows for c in indicators) == 63
    assert all(re.fullmatch(r"[A-Z]{3}", r["uCode"]) for r in rows)


def test_framework_is_imeta(source, doc):
    _, meta = source
    assert doc["index"]["id"] == "Index"
    assert doc["framework"] == "asem" and doc["default_weights"] == "asem" and doc["licence"] == "MIT"
    assert doc["entity"] == {"id_column": "uCode", "name_column": "uName", "id_kind": "iso3"}
    aggregates = {m["iCode"]: m for m in meta if m["Type"] == "Aggregate" and m["Level"] != "4"}
    assert {p: n["parent"] for p, n in doc["pillars"].items()} == {c: m["Parent"] for c, m in aggregates.items()}
    assert {p for p, n in doc["pillars"].items() if n["parent"] == "Index"} == {"Conn", "Sust"}
    indicators = [m for m in meta if m["Type"] == "Indicator"]
    assert list(doc["indicators"]) == [m["iCode"] for m in indicators]
    for m in indicators:
        spec = doc["indicators"][m["iCode"]]
        assert spec["label"] == m["iName"] and spec["parent"] == m["Parent"] and spec["unit"] == m["Unit"]
        assert spec["direction"] == {"1": "higher", "-1": "lower"}[m["Direction"]]
        assert spec["target"] == float(m["Target"])
        assert spec["source"] == "ASEM Sustainable Connectivity Portal (JRC), via COINr 1.1.14"
        assert spec["year"] == 2018
    assert sum(s["direction"] == "lower" for s in doc["indicators"].values()) == 14
    for name in ("Area", "Energy", "GDP", "Population"):
        assert doc["columns"][name]["unit"] == next(m["Unit"] for m in meta if m["iCode"] == name)
    for name in ("GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"):
        assert doc["columns"][name]["kind"] == "text"


def test_the_profile_is_coinrs_default_pipeline():
    spec = tomllib.loads(PROFILE.read_text(encoding="utf-8"))
    assert spec["framework"] == "asem"
    assert spec["normalisation"] == {"method": "minmax", "range": [0, 100]}
    assert spec["aggregation"] == {"method": "arithmetic", "min_coverage": 0}
    assert set(spec["weights"].values()) == {1}


def naive_scores(doc, rows):
    """Min-max 0-100 with directions over the observed values, then plain means over what is available."""
    indicators = doc["indicators"]
    values = {c: [float(r[c]) if r[c] != "" else None for r in rows] for c in indicators}
    scores = {}
    for c, spec in indicators.items():
        observed = [v for v in values[c] if v is not None]
        low, high = min(observed), max(observed)
        scores[c] = [
            None if v is None else 100 * ((v - low) if spec["direction"] == "higher" else (high - v)) / (high - low)
            for v in values[c]
        ]
    children = {}
    for c, spec in indicators.items():
        children.setdefault(spec["parent"], []).append(c)
    for p, spec in doc["pillars"].items():
        children.setdefault(spec["parent"], []).append(p)

    def node(n):
        if n in scores:
            return scores[n]
        parts = [node(c) for c in children[n]]
        out = []
        for i in range(len(rows)):
            have = [p[i] for p in parts if p[i] is not None]
            out.append(sum(have) / len(have) if have else None)
        scores[n] = out
        return out

    node("Index")
    return scores


def test_scores_equal_a_naive_computation(doc, shipped):
    _, rows = shipped
    expected = naive_scores(doc, rows)
    result = CliRunner().invoke(cli, ["score", "--data", "asem", "-f", "json", "--level", "indicator"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["weights"]["name"] == "asem"
    position = {r["uCode"]: i for i, r in enumerate(rows)}
    assert len(document["entities"]) == 51 and all(e["rank"] is not None for e in document["entities"])
    for entity in document["entities"]:
        i = position[entity["entity"]]
        for node, value in entity["scores"].items():
            want = expected[node][i]
            assert (value is None) == (want is None), (entity["entity"], node)
            if want is not None:
                assert value == pytest.approx(want, abs=1e-9), (entity["entity"], node)
    best = max(rows, key=lambda r: expected["Index"][position[r["uCode"]]])
    assert document["entities"][0]["entity"] == best["uCode"]
