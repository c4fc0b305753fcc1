"""The shipped datasets: their values against the publishers' files, derived indicators, scoring, outputs.

Golden numbers are computed here, independently of trustindex: the published files in ../shared/data are read
with the csv module and the arithmetic is done in plain Python with fractions. trustindex is only ever the thing
under test, never the source of an expectation. Tests that need ../shared/data skip when it is absent (CI has it
beside the clone).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import sys
import unicodedata
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import only_notices

from trustindex.cli import cli
from trustindex.io.dataset import load_dataset
from trustindex.io.registry import resolve_dataset

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
WEIGHTS = ROOT / "weights"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
JP = DATASETS / "jp-prefectures"
OECD = DATASETS / "oecd-governance"
JP_YEARS = tuple(range(2012, 2022))
FORMATS = ("table", "csv", "json", "markdown")
USAGE = 2
PREFIX = "trustindex: error: "


# --- reading files without trustindex ----------------------------------------------------------


@cache
def read_table(path: Path) -> tuple[tuple[str, ...], tuple[dict[str, str], ...]]:
    """Header and rows of a UTF-8 CSV file, every cell the text as written."""
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream, strict=True)
        rows = tuple(reader)
        return tuple(reader.fieldnames or ()), rows


@cache
def read_toml(path: Path) -> dict:
    with open(path, "rb") as stream:
        return tomllib.load(stream)


def by(rows, key: str) -> dict[str, dict[str, str]]:
    out = {}
    for row in rows:
        assert row[key] not in out, f"{key} {row[key]!r} twice"
        out[row[key]] = row
    return out


@pytest.fixture(scope="module")
def shared() -> Path:
    """../shared/data beside the repository, or a clean skip."""
    if not (SHARED / "jp_prefectures").is_dir():
        pytest.skip(f"the published source files are not at {SHARED}")
    return SHARED


def isa(year: int) -> dict[str, dict[str, str]]:
    """ISA foreign residents by status on 31 December ``year``, by prefecture code."""
    return by(read_table(SHARED / "jp_prefectures" / f"foreign_residents_by_status_{year}.csv")[1], "pref_code")


def isa_header(year: int) -> tuple[str, ...]:
    return read_table(SHARED / "jp_prefectures" / f"foreign_residents_by_status_{year}.csv")[0]


def mic(year: int) -> dict[str, dict[str, str]]:
    """MIC resident-register population of the file named ``year``, by prefecture code."""
    return by(read_table(SHARED / "jp_prefectures" / f"population_by_prefecture_{year}.csv")[1], "pref_code")


def shipped(name: str):
    return read_table(DATASETS / name / "values.csv")


def meta(name: str) -> dict:
    return read_toml(DATASETS / name / "dataset.toml")


# --- the CLI -----------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ok(result) -> str:
    """Assert a clean success and return stdout."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert only_notices(result.stderr), result.stderr
    return result.stdout


def one_line_error(result, code: int) -> str:
    """Assert a clean failure: exit ``code``, nothing on stdout, one error line on stderr; return the message."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(PREFIX), lines[0]
    return lines[0][len(PREFIX) :]


def score_json(*args: str) -> dict:
    return json.loads(ok(run("score", *args, "-f", "json")))


# === 1. shipped values are the published text ===================================================

OECD_SOURCES = ("wgi_2024update_2023.csv", "oecd_ireg_2021.csv", "oecd_dgi_2023.csv")


def test_oecd_values_are_the_published_cells(shared):
    header, rows = shipped("oecd-governance")
    sources = {name: read_table(shared / name) for name in OECD_SOURCES}
    owner = {}
    for name, (columns, _) in sources.items():
        for column in columns:
            if column not in ("iso3", "country", "year"):
                assert column not in owner, f"{column} is in two source files"
                owner[column] = name
    countries = by(sources["wgi_2024update_2023.csv"][1], "iso3")
    assert len(rows) == 38 and len({r["iso3"] for r in rows}) == 38
    equal = empty = 0
    for row in rows:
        assert row["country"] == countries[row["iso3"]]["country"]
        for column in header[2:]:
            assert column in owner, f"values.csv column {column!r} comes from no source file"
            source = by(sources[owner[column]][1], "iso3").get(row["iso3"])
            if row[column] == "":
                assert source is None or source[column] == "", (row["iso3"], column, source[column])
                empty += 1
            else:
                assert source is not None, (row["iso3"], column, "the country is not in", owner[column])
                assert row[column] == source[column], (row["iso3"], column)
                equal += 1
    assert equal + empty == 38 * (len(header) - 2)
    assert equal > 0.9 * (equal + empty)


def test_oecd_every_source_cell_of_a_member_is_shipped(shared):
    """No published value of a shipped column is left out (an empty cell is empty in the source too)."""
    header, rows = shipped("oecd-governance")
    shipped_rows = by(rows, "iso3")
    for name in OECD_SOURCES:
        columns, source_rows = read_table(shared / name)
        for source in source_rows:
            if source["iso3"] in shipped_rows:
                for column in set(columns) & set(header[2:]):
                    assert shipped_rows[source["iso3"]][column] == source[column], (name, source["iso3"], column)


def test_jp_values_are_the_published_cells(shared):
    header, rows = shipped("jp-prefectures")
    statuses = {c for c in header if c.startswith("n_")}
    seen = set()
    for row in rows:
        year, code = int(row["year"]), row["pref_code"]
        status, population = isa(year)[code], mic(year + 1)[code]
        seen.add((code, year))
        for column in header:
            cell = row[column]
            if column == "year":
                assert cell == str(year)
            elif column == "isa_reference_date":
                assert cell == status["reference_date"] == f"{year}-12-31"
            elif column == "mic_reference_date":
                assert cell == population["reference_date"]
            elif column in ("pref_code", "pref_name_ja", "pref_name_en"):
                assert cell == status[column] == population[column], (year, code, column)
            elif column in status:
                assert cell == status[column], (year, code, column)
            elif column in ("pop_japanese", "pop_foreign"):
                assert cell == population[column], (year, code, column)
            else:
                assert column in statuses, f"values.csv column {column!r} comes from no source file"
                assert cell == "", f"{column} did not exist in {year} but has {cell!r} for {code}"
    assert seen == {(f"{i:02d}", y) for i in range(1, 48) for y in JP_YEARS}
    for year in JP_YEARS:  # nothing published was dropped
        assert {c for c in isa_header(year) if c.startswith("n_")} <= statuses


def test_jp_population_dates(shared):
    """ISA 31 December Y is paired with MIC 1 January Y+1, except 2012: MIC's first register, 31 March 2013."""
    _, rows = shipped("jp-prefectures")
    for row in rows:
        year = int(row["year"])
        assert row["mic_reference_date"] == ("2013-03-31" if year == 2012 else f"{year + 1}-01-01")


def test_jp_absent_statuses_are_declared_with_their_years(shared):
    """A status column is empty exactly in the years outside its declared [first, last]."""
    header, rows = shipped("jp-prefectures")
    columns = meta("jp-prefectures")["columns"]
    for name in (c for c in header if c.startswith("n_")):
        present = [y for y in JP_YEARS if name in isa_header(y)]
        assert present == list(range(present[0], present[-1] + 1)), name
        declared = columns[name].get("years", [JP_YEARS[0], JP_YEARS[-1]])
        assert declared == [present[0], present[-1]], name
        if present != list(JP_YEARS):
            assert columns[name]["absent"] == 0 and columns[name]["absent_note"], name


def test_the_default_dataset_loads_and_says_it_is_illustrative():
    dataset = load_dataset(resolve_dataset(None))
    assert dataset.name == "coexistence-regimes"
    assert dataset.illustrative is True
    assert "illustrative" in dataset.notice.lower()
    assert len(dataset.entities) == len(shipped("coexistence-regimes")[1])


def test_the_measured_datasets_are_not_marked_illustrative():
    for name in ("jp-prefectures", "oecd-governance"):
        dataset = load_dataset(DATASETS / name)
        assert dataset.illustrative is False
        assert dataset.licence and dataset.attribution


# === 2. derived jp-prefectures indicators, recomputed from the raw counts =========================

STABLE = (
    "n_permanent_resident",
    "n_special_permanent_resident",
    "n_spouse_or_child_of_japanese_national",
    "n_spouse_or_child_of_permanent_resident",
    "n_long_term_resident",
)
TEMPORARY_LABOUR = (
    "n_technical_intern_training_1a",
    "n_technical_intern_training_1b",
    "n_technical_intern_training_2a",
    "n_technical_intern_training_2b",
    "n_technical_intern_training_3a",  # from 2017
    "n_technical_intern_training_3b",  # from 2017
    "n_specified_skilled_worker_i",  # from 2019
)
PROFESSIONAL = (
    "n_engineer",  # until 2014
    "n_specialist_humanities_intl_services",  # until 2014
    "n_engineer_specialist_humanities_intl_services",  # from 2015: the two above merged
    "n_highly_skilled_professional_1a",  # from 2015
    "n_highly_skilled_professional_1b",
    "n_highly_skilled_professional_1c",
    "n_highly_skilled_professional_2",
    "n_professor",
    "n_researcher",
    "n_instructor",
    "n_investor_business_manager",  # until 2014
    "n_business_manager",  # from 2015
    "n_legal_accounting_services",
    "n_medical_services",
    "n_intra_company_transferee",
    "n_nursing_care",  # from 2017
)


def count(row: dict[str, str], names) -> int:
    """Persons on the statuses ``names``; a status absent from that year's table could not be held: 0."""
    return sum(int(row[name]) for name in names if name in row)


def expected_jp(year: int) -> dict[str, dict[str, Fraction | None]]:
    """Every derived indicator of every prefecture in ``year``, exactly, from the published counts."""
    out = {}
    before = isa(year - 1) if year - 1 in JP_YEARS else None  # 2011 counts registered foreigners: not used
    for code, status in isa(year).items():
        population = mic(year + 1)[code]
        inhabitants = int(population["pop_japanese"]) + int(population["pop_foreign"])
        total = int(status["n_total"])
        previous = None if before is None else int(before[code]["n_total"])
        out[code] = {
            "stable_share": Fraction(100 * count(status, STABLE), total),
            "family_share": Fraction(100 * int(status["n_dependent"]), total),
            "temporary_labour_share": Fraction(100 * count(status, TEMPORARY_LABOUR), total),
            "professional_share": Fraction(100 * count(status, PROFESSIONAL), total),
            "foreign_per_1000": Fraction(1000 * total, inhabitants),
            "student_share": Fraction(100 * int(status["n_student"]), total),
            "foreign_growth": None if previous is None else Fraction(100 * (total - previous), previous),
        }
    return out


@cache
def loaded(year: int):
    return load_dataset(JP, year)


@pytest.mark.parametrize("year", JP_YEARS)
def test_jp_every_derived_indicator_equals_its_formula(shared, year):
    dataset = loaded(year)
    expected = expected_jp(year)
    assert dataset.year == year and dataset.years == JP_YEARS
    assert dataset.entities == tuple(sorted(expected))
    assert dataset.names == tuple(isa(year)[code]["pref_name_ja"] for code in dataset.entities)
    assert set(dataset.framework.indicator_ids) == set(next(iter(expected.values())))
    for i, code in enumerate(dataset.entities):
        for j, indicator in enumerate(dataset.framework.indicator_ids):
            value, want = dataset.values[i, j], expected[code][indicator]
            if want is None:
                assert math.isnan(value), (year, code, indicator, value)
            else:
                assert value == pytest.approx(float(want), rel=1e-12, abs=0), (year, code, indicator)


def test_jp_2012_has_no_growth_and_2013_grows_from_2012(shared):
    growth = loaded(2012).framework.indicator_ids.index("foreign_growth")
    assert all(math.isnan(v) for v in loaded(2012).values[:, growth])
    later = loaded(2013).values[:, growth]
    assert not any(math.isnan(v) for v in later)
    for i, code in enumerate(loaded(2013).entities):
        now, before = int(isa(2013)[code]["n_total"]), int(isa(2012)[code]["n_total"])
        assert later[i] == pytest.approx(100 * (now - before) / before, rel=1e-12)


# Computed by hand by a colleague from the published counts (and recomputed in the test below).
SPOT = [
    (2021, "13", "foreign_per_1000", 38.5018905130),
    (2021, "13", "stable_share", 48.4765528655),
    (2021, "13", "temporary_labour_share", 2.3176956344),
    (2021, "13", "family_share", 10.3095093301),
    (2021, "13", "professional_share", 20.5598995351),
    (2021, "13", "student_share", 12.0224577364),
    (2021, "13", "foreign_growth", -5.1856546110),
    (2021, "10", "foreign_per_1000", 31.8701711764),
    (2021, "10", "stable_share", 59.2073613690),
    (2014, "13", "professional_share", 15.0105187875),
    (2012, "13", "foreign_per_1000", 29.9471795621),
    (2013, "10", "foreign_growth", 2.4040212719),
]


@pytest.mark.parametrize(("year", "code", "indicator", "value"), SPOT)
def test_jp_spot_values(year, code, indicator, value):
    dataset = loaded(year)
    got = dataset.values[dataset.entities.index(code), dataset.framework.indicator_ids.index(indicator)]
    assert got == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize(("year", "code", "indicator", "value"), SPOT)
def test_jp_spot_values_agree_with_the_recomputation(shared, year, code, indicator, value):
    assert float(expected_jp(year)[code][indicator]) == pytest.approx(value, rel=1e-9)


# === 3. every dataset under every profile of its framework, through the CLI =====================


def framework_of(path: Path) -> str:
    return read_toml(path)["framework"]


DATASET_NAMES = sorted(p.name for p in DATASETS.iterdir() if (p / "dataset.toml").is_file())
PROFILE_NAMES = sorted(p.stem for p in WEIGHTS.glob("*.toml"))
FITTING = [
    (d, w)
    for d in DATASET_NAMES
    for w in PROFILE_NAMES
    if framework_of(DATASETS / d / "dataset.toml") == framework_of(WEIGHTS / f"{w}.toml")
]
MISFITTING = [
    (d, w)
    for d in DATASET_NAMES
    for w in PROFILE_NAMES
    if framework_of(DATASETS / d / "dataset.toml") != framework_of(WEIGHTS / f"{w}.toml")
]


def entity_count(name: str) -> int:
    header, rows = shipped(name)
    entity = meta(name)["entity"]
    return len({row[entity["id_column"]] for row in rows})


def test_every_dataset_has_a_profile_and_every_profile_a_dataset():
    assert DATASET_NAMES == ["asem", "coexistence-regimes", "jp-prefectures", "oecd-governance"]
    assert {d for d, _ in FITTING} == set(DATASET_NAMES)
    assert {w for _, w in FITTING} == set(PROFILE_NAMES)


@pytest.mark.parametrize(("dataset", "profile"), FITTING)
def test_every_dataset_scores_under_every_profile_of_its_framework(dataset, profile):
    document = score_json("--data", dataset, "--weights", profile)
    assert document["dataset"]["name"] == dataset
    assert document["weights"]["name"] == profile
    assert document["weights"]["digest"] == hashlib.sha256((WEIGHTS / f"{profile}.toml").read_bytes()).hexdigest()
    assert len(document["entities"]) == entity_count(dataset)
    ranked = [e for e in document["entities"] if e["rank"] is not None]
    assert ranked and [e["rank"] for e in ranked] == sorted(e["rank"] for e in ranked)


@pytest.mark.parametrize(("dataset", "profile"), MISFITTING)
def test_a_profile_of_another_framework_is_refused(dataset, profile):
    message = one_line_error(run("score", "--data", dataset, "--weights", profile), USAGE)
    assert framework_of(WEIGHTS / f"{profile}.toml") in message
    assert framework_of(DATASETS / dataset / "dataset.toml") in message


@pytest.mark.parametrize("year", JP_YEARS)
def test_jp_scores_in_every_panel_year(year):
    document = score_json("--data", "jp-prefectures", "--year", str(year))
    assert document["dataset"]["year"] == year
    assert document["weights"]["name"] == "jp-settlement"
    assert len(document["entities"]) == 47
    assert all(e["rank"] is not None for e in document["entities"])


def test_jp_uses_its_default_profile_and_the_latest_year():
    assert meta("jp-prefectures")["default_weights"] == "jp-settlement"
    document = score_json("--data", "jp-prefectures")
    assert document["weights"]["name"] == "jp-settlement"
    digest = hashlib.sha256((WEIGHTS / "jp-settlement.toml").read_bytes()).hexdigest()
    assert document["weights"]["digest"] == digest
    assert document["dataset"]["year"] == max(JP_YEARS)
    assert document == score_json("--data", "jp-prefectures", "--weights", "jp-settlement", "--year", "2021")


@pytest.mark.parametrize("dataset", ["coexistence-regimes", "oecd-governance"])
def test_year_on_a_cross_section_is_a_usage_error(dataset):
    message = one_line_error(run("score", "--data", dataset, "--year", "2023"), USAGE)
    assert dataset in message and "no years" in message


@pytest.mark.parametrize("year", ["2011", "2022", "1999"])
def test_year_outside_the_panel_is_a_usage_error(year):
    message = one_line_error(run("score", "--data", "jp-prefectures", "--year", year), USAGE)
    assert f"no year {year}" in message and "2012-2021" in message and "jp-prefectures" in message


# === 4. Japanese names in every output format ===================================================

JP_NAMES = ("東京都", "北海道", "大阪府", "京都府", "沖縄県", "神奈川県", "鹿児島県")


def jp_names() -> dict[str, str]:
    """Prefecture code → Japanese name, from the shipped values.csv."""
    return {row["pref_code"]: row["pref_name_ja"] for row in shipped("jp-prefectures")[1]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_japanese_names_in_every_format(fmt):
    out = ok(run("score", "--data", "jp-prefectures", "-f", fmt))
    for name in JP_NAMES:
        assert name in out, (fmt, name)


def test_japanese_names_in_csv_match_their_codes():
    rows = list(csv.DictReader(io.StringIO(ok(run("score", "--data", "jp-prefectures", "-f", "csv")))))
    assert {row["id"]: row["name"] for row in rows} == jp_names()


def test_json_writes_real_utf8_not_escapes():
    out = ok(run("score", "--data", "jp-prefectures", "-f", "json"))
    assert not re.search(r"\\u[0-9a-fA-F]{4}", out)
    assert {e["id"]: e["name"] for e in json.loads(out)["entities"]} == jp_names()


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", "csv"), ("json", "json"), ("table", "txt"), ("markdown", "md")])
def test_output_file_is_utf8(tmp_path, fmt, suffix):
    target = tmp_path / f"scores.{suffix}"
    assert ok(run("score", "--data", "jp-prefectures", "-f", fmt, "-o", str(target))) == ""
    data = target.read_bytes()
    text = data.decode("utf-8")  # strict: raises on anything that is not UTF-8
    assert not data.startswith(b"\xef\xbb\xbf")
    for name in JP_NAMES:
        assert name.encode("utf-8") in data and name in text
    if fmt == "csv":
        assert {row["id"]: row["name"] for row in csv.DictReader(io.StringIO(text))} == jp_names()


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: East Asian wide (W) and full-width (F) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def tables(text: str) -> list[tuple[str, str, list[str]]]:
    """(header, rule, data lines) of each text table in ``text``: a rule is a line of dashes and spaces."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if i and line and set(line) <= {"-", " "} and "--" in line:
            body = []
            for data in lines[i + 1 :]:
                if not data.strip():
                    break
                body.append(data)
            found.append((lines[i - 1], line, body))
    return found


def gaps(rule: str) -> list[tuple[int, int]]:
    """Display ranges [start, end) of the blanks between the columns of a rule line."""
    return [m.span() for m in re.finditer(r" +", rule)]


def blank_at(line: str, start: int, end: int) -> bool:
    """Whether the display columns [start, end) of ``line`` hold only spaces (or lie past its end)."""
    position = 0
    for char in line:
        size = display_width(char)
        if position < end and position + size > start and char != " ":
            return False
        position += size
    return True


def assert_aligned(text: str) -> None:
    found = tables(text)
    assert found, text
    for header, rule, body in found:
        assert body, header
        for line in [header, *body]:
            assert display_width(line) <= display_width(rule), line
            for start, end in gaps(rule):
                assert blank_at(line, start, end), (line, start, end)


def test_the_alignment_check_catches_a_table_padded_by_characters():
    """The helper itself: a table padded with str.ljust (one column per character) is misaligned."""
    rows = [("ID", "Entity", "Score"), ("13", "東京都", "81.8"), ("01", "Hokkaido", "50.0")]
    sizes = [max(len(r[j]) for r in rows) for j in range(3)]
    lines = ["  ".join(c.ljust(sizes[j]) for j, c in enumerate(r)) for r in rows]
    lines.insert(1, "  ".join("-" * size for size in sizes))
    assert_aligned("\n".join(lines[:1] + lines[1:2] + [lines[3]]) + "\n")  # ASCII only: aligned
    with pytest.raises(AssertionError):
        assert_aligned("\n".join(lines) + "\n")


@pytest.mark.parametrize("level", ["index", "pillar", "indicator"])
def test_score_table_stays_aligned_with_wide_characters(level):
    out = ok(run("score", "--data", "jp-prefectures", "--level", level))
    assert_aligned(out)
    ((header, rule, body),) = tables(out)
    assert len(body) == 47 and any(name in line for line in body for name in JP_NAMES)
    for line in body:  # the last column is a right-aligned score: every line is as wide as the header
        assert display_width(line) == display_width(header) == display_width(rule), line


@pytest.mark.parametrize("args", [("datasets",), ("datasets", "show", "jp-prefectures")])
def test_other_tables_stay_aligned_with_wide_characters(args):
    out = ok(run(*args))
    assert any(display_width(line) > len(line) for line in out.splitlines())  # there are wide characters
    assert_aligned(out)


# === 5. trustindex datasets [show] =============================================================


def expected_listing() -> dict[str, dict]:
    """Per shipped dataset: entities, indicators and years, counted from its files."""
    out = {}
    for name in DATASET_NAMES:
        spec = meta(name)
        year_column = spec["entity"].get("year_column")
        years = sorted({int(row[year_column]) for row in shipped(name)[1]}) if year_column else []
        out[name] = {"entities": entity_count(name), "indicators": len(spec["indicators"]), "years": years}
    return out


def test_datasets_json_lists_all_three():
    document = json.loads(ok(run("datasets", "-f", "json")))
    listed = {d["name"]: d for d in document["datasets"]}
    assert set(listed) == set(DATASET_NAMES)
    for name, want in expected_listing().items():
        assert listed[name]["entities"] == want["entities"]
        assert listed[name]["indicators"] == want["indicators"]
        assert listed[name]["years"] == want["years"]
        assert listed[name]["licence"] == meta(name)["licence"]
    assert len(listed["jp-prefectures"]["years"]) == 10 and listed["jp-prefectures"]["entities"] == 47


def test_datasets_csv_lists_all_three():
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(ok(run("datasets", "-f", "csv"))))}
    assert set(rows) == set(DATASET_NAMES)
    for name, want in expected_listing().items():
        assert int(rows[name]["entities"]) == want["entities"]
        assert int(rows[name]["indicators"]) == want["indicators"]
        span = f"{want['years'][0]}–{want['years'][-1]}" if want["years"] else ""
        assert rows[name]["years"] == span


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_datasets_table_lists_all_three(fmt):
    out = ok(run("datasets", "-f", fmt))
    for name, want in expected_listing().items():
        (line,) = [line for line in out.splitlines() if re.search(rf"(^|\| ){re.escape(name)}\b", line)]
        cells = [c.strip() for c in (line.strip("|").split("|") if fmt == "markdown" else re.split(r"\s{2,}", line))]
        assert cells[:2] == [name, "shipped"]
        assert cells[2] == str(want["entities"]) and cells[3] == str(want["indicators"])
        if want["years"]:
            assert cells[4] == f"{want['years'][0]}–{want['years'][-1]}"


def indicator_sources(name: str) -> dict[str, str]:
    return {iid: spec["source"] for iid, spec in meta(name)["indicators"].items()}


@pytest.mark.parametrize("name", DATASET_NAMES)
@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_datasets_show_prints_every_indicator_with_its_source(name, fmt):
    out = ok(run("datasets", "show", name, "-f", fmt))
    lines = out.split("\n\n")[0].splitlines()  # the framework table: not the footer, not the columns table
    for iid, source in indicator_sources(name).items():
        (line,) = [line for line in lines if re.search(rf"(\s|\| ){iid}(\s|$| \|)", line)]
        assert source in line, (iid, source)


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_datasets_show_csv(name):
    rows = list(csv.DictReader(io.StringIO(ok(run("datasets", "show", name, "-f", "csv")))))
    indicators = {r["id"]: r for r in rows if r["level"] == "indicator"}
    assert {iid: r["source"] for iid, r in indicators.items()} == indicator_sources(name)
    for iid, spec in meta(name)["indicators"].items():
        assert indicators[iid]["formula"] == spec.get("formula", "")
        assert indicators[iid]["direction"] == spec["direction"]


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_datasets_show_json(name):
    document = json.loads(ok(run("datasets", "show", name, "-f", "json")))
    nodes = {n["id"]: n for n in document["nodes"]}
    spec = meta(name)
    assert {i: n["source"] for i, n in nodes.items() if n["level"] == "indicator"} == indicator_sources(name)
    assert set(nodes) == {spec["index"]["id"], *spec["pillars"], *spec["indicators"]}
    assert document["dataset"]["name"] == name and document["dataset"]["licence"] == spec["licence"]
    assert [c["name"] for c in document["columns"]] == list(spec.get("columns", {}))


def test_datasets_show_marks_pillars_without_indicators():
    rows = list(csv.DictReader(io.StringIO(ok(run("datasets", "show", "oecd-governance", "-f", "csv")))))
    empty = {r["id"] for r in rows if r["source"].startswith("no indicators")}
    assert empty == {"management", "support"}


def test_datasets_show_leaves_the_year_of_a_node_blank():
    """A pillar has no year: the cell is blank, not "n/a" (which reads as missing data)."""
    out = ok(run("datasets", "show", "jp-prefectures"))
    ((header, rule, body), *_) = tables(out)
    assert not any("n/a" in line for line in body)


# === 6. notices ==============================================================================


def notices_of(document: dict, kind: str) -> list[dict]:
    return [n for n in document["notices"] if n["kind"] == kind]


def test_oecd_notices_pillars_without_indicators_and_unranked_countries():
    document = score_json("--data", "oecd-governance")
    assert {n["node"] for n in notices_of(document, "empty")} == {"management", "support"}
    header, rows = shipped("oecd-governance")
    dgi = [c for c in header if c.startswith("dgi_")]
    # the connectivity pillar is all DGI: without it only one of two pillars has a score, below 2/3 coverage
    no_dgi = {row["iso3"] for row in rows if all(row[c] == "" for c in dgi)}
    assert no_dgi == {"DEU", "GRC", "SVK", "CHE", "USA"}
    (unranked,) = notices_of(document, "unranked")
    assert set(unranked["entities"]) == no_dgi
    assert {e["id"] for e in document["entities"] if e["rank"] is None} == no_dgi


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_oecd_notices_in_the_table(fmt):
    out = ok(run("score", "--data", "oecd-governance", "-f", fmt))
    lines = out.splitlines()
    for pillar in ("Management", "Support"):
        assert any(re.search(rf"Notice: {pillar}: no indicators", line) for line in lines), pillar
    (line,) = [line for line in lines if "not ranked" in line]
    names = {row["iso3"]: row["country"] for row in shipped("oecd-governance")[1]}
    for iso3 in ("DEU", "GRC", "SVK", "CHE", "USA"):
        assert names[iso3] in line


def absent_in(year: int) -> set[str]:
    """Status columns whose every cell is empty in ``year``: the statuses that did not exist."""
    header, rows = shipped("jp-prefectures")
    rows = [r for r in rows if r["year"] == str(year)]
    return {c for c in header if c.startswith("n_") and all(r[c] == "" for r in rows)}


@pytest.mark.parametrize("year", [2012, 2013, 2014, 2016, 2018, 2021])
def test_jp_notices_name_the_statuses_that_did_not_exist(year):
    document = score_json("--data", "jp-prefectures", "--year", str(year))
    absent = absent_in(year)
    expected = {
        "temporary_labour_share": set(TEMPORARY_LABOUR) & absent,
        "professional_share": set(PROFESSIONAL) & absent,
    }
    expected = {node: names for node, names in expected.items() if names}
    notices = notices_of(document, "absent")
    assert {n["node"] for n in notices} == set(expected)
    for notice in notices:
        assert set(re.findall(r"\bn_\w+", notice["message"])) == expected[notice["node"]]
        assert str(year) in notice["message"] and "counted as 0" in notice["message"]


def test_jp_2013_notices():
    document = score_json("--data", "jp-prefectures", "--year", "2013")
    absent = {n["node"]: set(re.findall(r"\bn_\w+", n["message"])) for n in notices_of(document, "absent")}
    assert absent["temporary_labour_share"] == {
        "n_technical_intern_training_3a",
        "n_technical_intern_training_3b",
        "n_specified_skilled_worker_i",
    }
    assert absent["professional_share"] == {
        "n_business_manager",
        "n_engineer_specialist_humanities_intl_services",
        "n_highly_skilled_professional_1a",
        "n_highly_skilled_professional_1b",
        "n_highly_skilled_professional_1c",
        "n_highly_skilled_professional_2",
        "n_nursing_care",
    }
    assert notices_of(document, "derived") == []  # growth in 2013 uses 2012
    assert all(e["scores"]["presence"] is not None for e in document["entities"])


def test_jp_2012_says_lag_has_no_previous_year():
    document = score_json("--data", "jp-prefectures", "--year", "2012")
    (derived,) = notices_of(document, "derived")
    assert derived["node"] == "foreign_growth" and "2011" in derived["message"]
    (missing,) = [n for n in notices_of(document, "missing") if n["node"] == "foreign_growth"]
    assert len(missing["entities"]) == 47
    out = ok(run("score", "--data", "jp-prefectures", "--year", "2012"))
    assert any("lag() needs 2011" in line and line.startswith("Notice: ") for line in out.splitlines())


def test_the_source_text_is_cited_by_its_title_never_as_the_seed():
    """The shipped data, profiles and docs name the model's text by its title and sections."""
    files = [*ROOT.glob("datasets/*/*.toml"), *ROOT.glob("datasets/*/*.md"), *ROOT.glob("datasets/*/notes.csv"),
             *ROOT.glob("weights/*.toml"), ROOT / "README.md"]  # fmt: skip
    as_seed = (
        r"\bseed §|\bthe seed('s)? (text|says|describes|gives|does|puts|attributes|reads)|\bthe seed's\b"
        r'|"the seed"'
    )
    cited = [f for f in files if re.search(as_seed, f.read_text(encoding="utf-8"), re.I)]
    assert not cited
    titled = [f for f in files if "Japan's Current Position and Institutional Characteristics" in
              f.read_text(encoding="utf-8").replace("’", "'")]  # fmt: skip
    assert {f.parent.name for f in titled} >= {"coexistence-regimes", "jp-prefectures", "oecd-governance", "weights"}
