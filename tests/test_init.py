"""``trustindex init``: a dataset folder from a values file that scores at once, written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex import methods
from trustindex.cli import cli
from trustindex.io.dataset import load_dataset
from trustindex.io.output import write_folder
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation, Imputation, Normalisation, Thresholds, Treatment

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "asem"

CITIES = """code;city;region;year;gdp_pc;unemployment_rate;green_space
A1;Alpha;north;2022;31000,5;5,2;12,1
B2;Beta;south;2022;28000;7,9;8,4
C3;Gamma;north;2022;35000;4,1;15
A1;Alpha;north;2023;31500;5;12,3
B2;Beta;south;2023;28100;7,5;
C3;Gamma;north;2023;35500;4;15,2
"""
SUMMARY = """\
trustindex init: wrote cities/ from cities.csv (delimiter ';', decimal ',', detected)
  entities    3, id column 'code', name column 'city'; a panel, 2 years, 2022-2023 (column year)
  indicators  3: gdp_pc, unemployment_rate, green_space
  text        region (e.g. 'north'): not indicators
  files       values.csv, indicators.csv, dataset.toml, weights.toml (equal weights, every method
              written out), SOURCES.md

Check before you trust a score:
  1. directions: every indicator is taken as higher-is-better; set direction = lower in
     indicators.csv where lower is better (by their names, perhaps: unemployment_rate)
  2. units, sources and years: indicators.csv leaves them empty (its review column lists what to
     check)
  3. the tree: every indicator sits directly under the index; to form pillars, add aggregate rows
     and set each indicator's parent
  4. the licence (dataset.toml) and SOURCES.md

Score it:  trustindex score --data cities
"""


def run(*argv):
    return CliRunner().invoke(cli, list(argv))


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cities.csv").write_text(CITIES, encoding="utf-8")
    return tmp_path


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_writes_a_folder_that_scores_at_once(here):
    result = run("init", "cities", "--from", "cities.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == SUMMARY and result.stderr == ""
    assert sorted(p.name for p in (here / "cities").iterdir()) == [
        "SOURCES.md", "dataset.toml", "indicators.csv", "values.csv", "weights.toml"]  # fmt: skip
    assert (here / "cities" / "values.csv").read_bytes() == (here / "cities.csv").read_bytes()
    toml = (here / "cities" / "dataset.toml").read_text()
    assert 'delimiter = ";"' in toml and 'decimal = ","' in toml and 'year_column = "year"' in toml
    assert 'id_column = "code"' in toml and 'name_column = "city"' in toml and "years = [2022, 2023]" in toml
    scored = run("score", "--data", "cities", "-f", "csv", "--level", "indicator")
    assert scored.exit_code == 0, scored.output
    assert "4 row(s) of indicators.csv marked for review" not in scored.stderr  # three indicators
    assert "3 row(s) of indicators.csv marked for review" in scored.stderr
    # 2023, by hand: min-max each indicator (higher is better), the index the mean over what is present
    gdp = {"A1": (31500 - 28100) / (35500 - 28100), "B2": 0.0, "C3": 1.0}
    unemployment = {"A1": (5 - 4) / (7.5 - 4), "B2": 1.0, "C3": 0.0}
    green = {"A1": 0.0, "C3": 1.0}
    expected = {e: 100 * (gdp[e] + unemployment[e] + green.get(e, 0)) / (3 if e in green else 2) for e in gdp}
    rows = [line.split(",") for line in scored.stdout.splitlines()]
    column = rows[0].index("index")
    got = {r[1]: float(r[column]) for r in rows[1:]}
    assert got == pytest.approx(expected)


def test_the_profile_is_every_default_written_out_with_its_alternatives(here):
    assert run("init", "cities", "--from", "cities.csv").exit_code == 0
    text = (here / "cities" / "weights.toml").read_text()
    profile = load_weights(here / "cities" / "weights.toml")
    assert profile.normalisation == Normalisation()
    assert profile.aggregation_for("index").method == Aggregation().method
    assert profile.aggregation_for("index").min_coverage == pytest.approx(Aggregation().min_coverage, abs=5e-4)
    assert profile.treatment == Treatment() and profile.imputation == Imputation() and profile.screening is None
    assert profile.ties == "competition"
    for name in ("max_skew", "max_kurtosis", "min_alpha", "redundant", "conflicting", "weak", "significance"):
        assert getattr(profile.audit, name) == getattr(Thresholds(), name)
    assert dict(profile.weights) == {"gdp_pc": 1.0, "unemployment_rate": 1.0, "green_space": 1.0}
    for names in (methods.NORMALISATION, methods.AGGREGATION, methods.TIES, methods.TREATMENT, methods.IMPUTATION):
        assert " | ".join(names) in text
    assert max(len(line) for line in text.splitlines()) <= 120


def test_init_never_overwrites(here):
    (here / "cities").mkdir()
    (here / "cities" / "keep.txt").write_text("mine")
    before = snapshot(here)
    result = run("init", "cities", "--from", "cities.csv")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("trustindex: error: cities: refusing to overwrite: it exists")
    (here / "file").write_text("x")
    assert run("init", "file", "--from", "cities.csv").exit_code == 2
    assert snapshot(here) == {**before, "file": b"x"}


@pytest.mark.parametrize(("content", "message"), [
    ("id,a,a\nX,1,2\n", "cities.csv:1:6: column 'a' appears twice"),
    ("", "cities.csv:1:1: empty file"),
    ("a,b\n1.5,2.5\n1.5,3.5\n", "cities.csv:1:1: no column identifies the entities"),
    ("id,a\nX,1\nY,2,3\n", "cities.csv:3:5: row has 3 fields, the header has 2"),
    ("id,,a\nX,1,2\n", "cities.csv:1:4: column 2 has no name"),
])  # fmt: skip
def test_bad_values_write_nothing(here, content, message):
    (here / "cities.csv").write_text(content)
    before = snapshot(here)
    result = run("init", "cities", "--from", "cities.csv")
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith(f"trustindex: error: {message}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(here) == before and sorted(os.listdir(here)) == ["cities.csv"]


def test_options_override_what_is_detected(here):
    (here / "plain.csv").write_text("key,label,x,y\nk1,One,1,2\nk2,Two,3,4\n")
    result = run("init", "out", "--from", "plain.csv", "--id-column", "label", "--name-column", "key")
    assert result.exit_code == 0, result.output
    toml = (here / "out" / "dataset.toml").read_text()
    assert 'id_column = "label"' in toml and "delimiter" not in toml and "decimal" not in toml
    assert load_dataset(here / "out").entities == ("One", "Two")
    result = run("init", "bad", "--from", "plain.csv", "--id-column", "nope")
    assert result.exit_code == 2 and "--id-column: no column 'nope' in plain.csv" in result.stderr
    assert not (here / "bad").exists()


def test_init_from_a_workbook_sheet(here):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Data")
    for row in (["iso3", "country", "score", "rate"], ["JPN", "Japan", 1, 0.5], ["KOR", "Korea", 3, 0.25]):
        sheet.append(row)
    book.save(here / "book.xlsx")
    result = run("init", "wb", "--from", "book.xlsx#Data")
    assert result.exit_code == 0, result.output
    assert "from book.xlsx (sheet 'Data')" in result.stdout
    toml = (here / "wb" / "dataset.toml").read_text()
    assert 'values = "values.xlsx#Data"' in toml and 'id_kind = "iso3"' in toml
    assert (here / "wb" / "values.xlsx").read_bytes() == (here / "book.xlsx").read_bytes()
    assert run("score", "--data", "wb").exit_code == 0


def test_init_with_coinrs_indicator_table(here):
    if not (SHARED / "asem_idata.csv").is_file():
        pytest.skip(f"COINr's files are not at {SHARED}")
    result = run("init", "asem2", "--from", str(SHARED / "asem_idata.csv"), "--meta", str(SHARED / "asem_imeta.csv"))
    assert result.exit_code == 0, result.output
    assert "indicators  49 from the indicator table given (asem_imeta.csv)" in result.stdout
    toml = (here / "asem2" / "dataset.toml").read_text()
    assert 'id_column = "uCode"' in toml and 'year_column = "Time"' in toml
    assert (here / "asem2" / "indicators.csv").read_bytes() == (SHARED / "asem_imeta.csv").read_bytes()
    mine = run("score", "--data", "asem2", "--weights", "asem", "-f", "csv", "--level", "index")
    shipped = run("score", "--data", "asem", "--weights", "asem", "-f", "csv", "--level", "index")
    assert mine.exit_code == 0 and mine.stdout == shipped.stdout


def test_an_error_in_a_given_table_points_at_the_users_file(here):
    (here / "values.csv").write_text("id,name,a,extra\nX,Ex,1,2\nY,Why,2,3\n")
    (here / "table.csv").write_text("id,parent,direction\nidx,,\na,idx,higher\n")
    result = run("init", "out", "--from", "values.csv", "--meta", "table.csv")
    assert result.exit_code == 3
    assert result.stderr.startswith("trustindex: error: values.csv:1:11: column 'extra' is not declared in table.csv")
    assert not (here / "out").exists() and sorted(os.listdir(here)) == ["cities.csv", "table.csv", "values.csv"]


def test_write_folder_is_whole_or_nothing(tmp_path):
    def refuse(folder: Path) -> None:
        assert (folder / "a.txt").read_text() == "A"
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        write_folder(tmp_path / "new", {"a.txt": "A", "b.txt": b"B"}, refuse)
    assert os.listdir(tmp_path) == []
    stale = tmp_path / ".new.trustindex-999999999-0123abcd.tmp"  # a writer killed on the way
    stale.mkdir()
    (stale / "a.txt").write_text("half")
    write_folder(tmp_path / "new", {"a.txt": "A"})
    assert sorted(os.listdir(tmp_path)) == ["new"] and (tmp_path / "new" / "a.txt").read_text() == "A"


def test_init_has_help_with_examples():
    result = run("init", "--help")
    assert result.exit_code == 0 and "Examples:" in result.stdout and "--from FILE" in result.stdout
