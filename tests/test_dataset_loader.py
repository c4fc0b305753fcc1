"""The dataset loader's error paths, on a small panel dataset written here and broken one way per test.

Each error must be one line naming the file, line and (where there is one) column, with exit 3 for bad data
and 2 for a bad --year. Expected lines and columns are worked out from the text the test wrote.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.errors import ConfigError, DataError
from trustindex.io.dataset import load_dataset

USAGE, DATA = 2, 3
PREFIX = "trustindex: error: "

SHARE = "100 * sum(a, b) / total"
GROWTH = "100 * (total - lag(total)) / lag(total)"

DATASET_TOML = f"""\
schema = 1
name = "mini-panel"
title = "A small panel"
framework = "mini"
years = [2019, 2020, 2021]

[entity]
id_column = "code"
name_column = "name"
year_column = "year"
id_kind = "jis-prefecture"

[index]
id = "idx"
label = "Index"

[pillars.p]
label = "Pillar"

[indicators.share]
label = "Share of a and b"
parent = "p"
direction = "higher"
formula = "{SHARE}"

[indicators.growth]
label = "Growth of total"
parent = "p"
direction = "higher"
formula = "{GROWTH}"

[indicators.direct]
label = "Direct"
parent = "p"
direction = "higher"

[columns.total]
label = "Total"

[columns.a]
label = "A"

[columns.b]
label = "B"
years = [2020, 2021]
absent = 0
absent_note = "b was created in 2020: nobody could be counted in it before."

[columns.direct_se]
label = "Standard error of direct"
standard_error_of = "direct"
"""

VALUES_CSV = """\
code,name,year,total,a,b,direct,direct_se
01,北海道,2019,100,10,,5,0.5
13,東京都,2019,200,30,,7,0.25
01,北海道,2020,110,10,1,6,0.5
13,東京都,2020,180,30,6,8,0.25
01,北海道,2021,121,11,11,9,0.5
13,東京都,2021,198,33,33,1,0.25
"""

WEIGHTS_TOML = """\
schema = 1
name = "mini"
framework = "mini"
"""


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "dataset.toml").write_text(DATASET_TOML, encoding="utf-8")
    (folder / "values.csv").write_text(VALUES_CSV, encoding="utf-8")
    (tmp_path / "mini.toml").write_text(WEIGHTS_TOML, encoding="utf-8")
    return folder


def edit(path: Path, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``; return the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of ``text`` that starts with ``start``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def csv_column(line: str, index: int) -> int:
    """1-based character column where field ``index`` of an unquoted CSV line starts."""
    return len(",".join(line.split(",")[:index])) + (1 if index else 0) + 1


def score(data: Path, *extra: str):
    weights = data.parent / "mini.toml"
    return CliRunner().invoke(cli, ["score", "--data", str(data), "--weights", str(weights), *extra])


def error(result, code: int, path: Path, line: int | None, column: int | None = None) -> str:
    """Assert a one-line failure with exit ``code`` at ``path:line:column`` (exactly); return the message."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    where = str(path)
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    assert lines[0].startswith(f"{PREFIX}{where}: "), (lines[0], where)
    return lines[0][len(PREFIX) + len(where) + 2 :]


# --- the dataset as written loads --------------------------------------------------------------


def test_the_mini_panel_loads(data):
    """Values by hand: share = 100 (a + b) / total with b = 0 before 2020; growth against the year before."""
    expected = {
        2019: [[10.0, math.nan, 5.0], [15.0, math.nan, 7.0]],
        2020: [[10.0, 10.0, 6.0], [20.0, -10.0, 8.0]],
        2021: [[2200 / 121, 10.0, 9.0], [6600 / 198, 10.0, 1.0]],
    }
    for year, rows in expected.items():
        dataset = load_dataset(data, year)
        assert dataset.year == year and dataset.years == (2019, 2020, 2021)
        assert dataset.entities == ("01", "13") and dataset.names == ("北海道", "東京都")
        assert dataset.framework.indicator_ids == ("share", "growth", "direct")
        for got, want in zip(dataset.values.tolist(), rows, strict=True):
            assert got == pytest.approx(want, rel=1e-12, nan_ok=True)
    assert load_dataset(data).year == 2021
    assert load_dataset(data, 2020).inputs["direct_se"].tolist() == [0.5, 0.25]


def test_the_mini_panel_notices(data):
    kinds = {(n.kind, n.node) for n in load_dataset(data, 2019).notices}
    assert kinds == {("absent", "share"), ("derived", "growth")}
    assert load_dataset(data, 2020).notices == ()
    assert ok(score(data, "--year", "2019"))


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result.stdout


# --- formulas ----------------------------------------------------------------------------------


def test_formula_syntax_error_points_into_the_formula(data):
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', 'formula = "100 * sum(a, b) / / total"')
    line = line_of(text, 'formula = "100 * sum(a, b) / /')
    column = text.splitlines()[line - 1].index("/ / total") + 3  # the second '/', 1-based
    message = error(score(data), DATA, data / "dataset.toml", line, column)
    assert message.startswith("formula of 'share': missing operand between '/' and '/'"), message


def test_formula_syntax_error_in_a_literal_string(data):
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', "formula='100 * sum(a b) / total'")
    line = line_of(text, "formula='100")
    column = text.splitlines()[line - 1].index(" b)") + 2  # the 'b' after the missing comma
    message = error(score(data), DATA, data / "dataset.toml", line, column)
    assert "formula of 'share'" in message and "'b'" in message


def test_formula_syntax_error_in_a_multiline_string(data):
    """A long formula split over lines: the error is on the line and column where the problem is."""
    new = 'formula = """\n100 * sum(a,\n          b)\n  / / total"""'
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', new)
    line = line_of(text, "  / / total")
    message = error(score(data), DATA, data / "dataset.toml", line, 5)
    assert message.startswith("formula of 'share': missing operand"), message


def test_formula_syntax_error_on_one_line_in_triple_quotes(data):
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', 'formula = """100 * sum(a, b) / / total"""')
    line = line_of(text, 'formula = """')
    column = text.splitlines()[line - 1].index("/ / total") + 3
    error(score(data), DATA, data / "dataset.toml", line, column)


def test_formula_with_an_escape_gets_its_line_only(data):
    """With an escape sequence the file does not hold the formula verbatim: no column is better than a wrong one."""
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', r'formula = "100 * sum(a, b) \u002F / total"')
    error(score(data), DATA, data / "dataset.toml", line_of(text, 'formula = "100 * sum(a, b) \\u'), None)


def test_formula_unknown_function(data):
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', 'formula = "100 * summ(a, b) / total"')
    line = line_of(text, 'formula = "100 * summ')
    column = text.splitlines()[line - 1].index("summ") + 1
    message = error(score(data), DATA, data / "dataset.toml", line, column)
    assert "unknown function 'summ'" in message and "did you mean 'sum'?" in message


def test_formula_unknown_column_with_a_hint(data):
    text = edit(data / "dataset.toml", f'formula = "{SHARE}"', 'formula = "100 * sum(a, b) / totl"')
    line = line_of(text, 'formula = "100 * sum(a, b) / totl')
    column = text.splitlines()[line - 1].index("totl") + 1
    message = error(score(data), DATA, data / "dataset.toml", line, column)
    assert message == "formula of 'share': unknown column 'totl' (did you mean 'total'?)"


def test_formula_may_not_use_a_text_column(data):
    edit(data / "dataset.toml", '[columns.a]\nlabel = "A"', '[columns.a]\nlabel = "A"\nkind = "text"')
    line = line_of(DATASET_TOML, f'formula = "{SHARE}"')
    column = DATASET_TOML.splitlines()[line - 1].index("a, b") + 1
    message = error(score(data), DATA, data / "dataset.toml", line, column)
    assert message.startswith("formula of 'share': column 'a' holds text, not numbers"), message


def test_lag_needs_a_panel(data):
    toml = data / "dataset.toml"
    edit(toml, 'year_column = "year"\n', "")
    edit(toml, "years = [2020, 2021]\n", "")
    text = edit(toml, "years = [2019, 2020, 2021]\n", "")
    rows = [line.split(",") for line in VALUES_CSV.splitlines()]
    keep = [rows[0]] + [r for r in rows[1:] if r[2] == "2021"]
    (data / "values.csv").write_text("\n".join(",".join(r[:2] + r[3:]) for r in keep) + "\n", encoding="utf-8")
    line = line_of(text, f'formula = "{GROWTH}"')
    column = text.splitlines()[line - 1].index("lag(total)") + 1  # the first lag(, not the plain use of total
    message = error(score(data), DATA, toml, line, column)
    assert message == "formula of 'growth': lag() needs a panel dataset (set [entity] year_column)"


# --- values.csv --------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [None, "2019", "2020", "2021"])
def test_a_value_in_a_year_its_column_did_not_exist(data, year):
    """Found whichever year is scored: a file is valid or not, not valid for some years."""
    text = edit(data / "values.csv", "13,東京都,2019,200,30,,7,0.25", "13,東京都,2019,200,30,4,7,0.25")
    line = line_of(text, "13,東京都,2019")
    extra = () if year is None else ("--year", year)
    message = error(score(data, *extra), DATA, data / "values.csv", line, csv_column(text.splitlines()[line - 1], 5))
    assert (
        message == "column 'b' exists only in 2020-2021 but has a value in 2019 (fix the value or the column's years)"
    )
    with pytest.raises(DataError):
        load_dataset(data, None if year is None else int(year))


def test_a_zero_in_a_year_its_column_did_not_exist_is_still_a_value(data):
    """Absent means empty: a 0 written there would pass off a count nobody published."""
    text = edit(data / "values.csv", "01,北海道,2019,100,10,,5,0.5", "01,北海道,2019,100,10,0,5,0.5")
    line = line_of(text, "01,北海道,2019")
    error(score(data), DATA, data / "values.csv", line, csv_column(text.splitlines()[line - 1], 5))


@pytest.mark.parametrize("year", [None, "2019"])
def test_a_malformed_number_in_any_year(data, year):
    text = edit(data / "values.csv", "01,北海道,2020,110,", "01,北海道,2020,11O,")
    line = line_of(text, "01,北海道,2020")
    extra = () if year is None else ("--year", year)
    message = error(score(data, *extra), DATA, data / "values.csv", line, csv_column(text.splitlines()[line - 1], 3))
    assert message.startswith("column 'total': '11O' is not a number")


def test_a_duplicate_entity_and_year(data):
    text = edit(data / "values.csv", "13,東京都,2020,180,", "01,北海道,2020,180,")
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("01,北海道,2020")]
    message = error(score(data), DATA, data / "values.csv", second, 1)
    assert message == f"duplicate entity id '01' in 2020 (first on line {first})"


def test_the_same_entity_in_two_years_is_not_a_duplicate(data):
    assert len(load_dataset(data, 2020).entities) == 2


@pytest.mark.parametrize("bad", ["20x0", "2020.0", "", "20", "'2020"])
def test_a_malformed_year_cell(data, bad):
    text = edit(data / "values.csv", "13,東京都,2020,", f"13,東京都,{bad},")
    line = line_of(text, f"13,東京都,{bad},")
    message = error(score(data), DATA, data / "values.csv", line, csv_column(text.splitlines()[line - 1], 2))
    assert message == f"year {bad!r} is not a four-digit year"


@pytest.mark.parametrize("bad", ["1", "48", "00", "1a", "13x", "０１"])
def test_an_id_that_is_not_a_jis_prefecture_code(data, bad):
    text = edit(data / "values.csv", "13,東京都,2021,", f"{bad},東京都,2021,")
    line = line_of(text, f"{bad},東京都,2021,")
    message = error(score(data), DATA, data / "values.csv", line, 1)
    assert message == f"entity id {bad!r} is not a two-digit JIS X 0401 prefecture code, 01-47"


@pytest.mark.parametrize("good", ["09", "10", "39", "47"])
def test_jis_prefecture_codes_are_accepted(data, good):
    text = VALUES_CSV.replace("13,東京都,", f"{good},東京都,")
    (data / "values.csv").write_text(text, encoding="utf-8")
    assert load_dataset(data, 2021).entities == ("01", good)


def test_an_id_that_is_not_iso3(data):
    edit(data / "dataset.toml", 'id_kind = "jis-prefecture"', 'id_kind = "iso3"')
    message = error(score(data), DATA, data / "values.csv", 2, 1)
    assert message == "entity id '01' is not three capital letters (ISO 3166-1 alpha-3)"


@pytest.mark.parametrize("bad", ["jpn", "JP", "JPNX", "J1N"])
def test_iso3_ids(data, bad):
    edit(data / "dataset.toml", 'id_kind = "jis-prefecture"', 'id_kind = "iso3"')
    text = VALUES_CSV.replace("01,", "JPN,").replace("13,", "KOR,")
    (data / "values.csv").write_text(text, encoding="utf-8")
    assert load_dataset(data).entities == ("JPN", "KOR")
    text = text.replace("KOR,東京都,2021", f"{bad},東京都,2021")
    (data / "values.csv").write_text(text, encoding="utf-8")
    message = error(score(data), DATA, data / "values.csv", line_of(text, f"{bad},"), 1)
    assert "is not three capital letters" in message


def test_an_unknown_id_kind(data):
    text = edit(data / "dataset.toml", 'id_kind = "jis-prefecture"', 'id_kind = "jis"')
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "id_kind"), 1)
    assert message.startswith("unknown id_kind 'jis'") and "jis-prefecture" in message


def test_a_csv_column_for_an_indicator_with_a_formula(data):
    lines = VALUES_CSV.splitlines()
    text = "\n".join([lines[0] + ",share"] + [line + ",12" for line in lines[1:]]) + "\n"
    (data / "values.csv").write_text(text, encoding="utf-8")
    message = error(score(data), DATA, data / "values.csv", 1, csv_column(lines[0] + ",share", 8))
    assert message == "column 'share' is an indicator derived by its formula (remove the column, or the formula)"


# --- dataset.toml: columns and years -----------------------------------------------------------


def test_standard_error_of_a_misspelt_indicator(data):
    text = edit(data / "dataset.toml", 'standard_error_of = "direct"', 'standard_error_of = "drect"')
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "standard_error_of"), 1)
    assert message == "standard_error_of names 'drect', which is not an indicator (did you mean 'direct'?)"


def test_standard_error_of_a_column(data):
    text = edit(data / "dataset.toml", 'standard_error_of = "direct"', 'standard_error_of = "total"')
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "standard_error_of"), 1)
    assert message.startswith("standard_error_of names 'total', which is not an indicator")


def test_standard_error_of_a_pillar(data):
    text = edit(data / "dataset.toml", 'standard_error_of = "direct"', 'standard_error_of = "p"')
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "standard_error_of"), 1)
    assert message.startswith("standard_error_of names 'p', which is not an indicator")


@pytest.mark.parametrize(("node", "level"), [("p", "pillar"), ("idx", "index"), ("direct", "indicator")])
def test_a_column_with_the_id_of_a_node(data, node, level):
    name = "a" if node != "direct" else "direct_se"
    text = edit(data / "dataset.toml", f"[columns.{name}]", f"[columns.{node}]")
    if node == "direct":
        text = edit(data / "dataset.toml", 'standard_error_of = "direct"\n', "")
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, f"[columns.{node}]"), 1)
    assert message.startswith(f"column {node!r} has the id of {level} {node!r}"), message


def test_rows_for_a_year_that_is_not_declared(data):
    edit(data / "dataset.toml", "years = [2019, 2020, 2021]", "years = [2020, 2021]")
    message = error(score(data), DATA, data / "values.csv", 2, csv_column(VALUES_CSV.splitlines()[1], 2))
    assert (
        message == "year 2019 is not among the years declared in dataset.toml (add 2019 to years, or remove its rows)"
    )


def test_a_declared_year_without_rows(data):
    text = edit(data / "dataset.toml", "years = [2019, 2020, 2021]", "years = [2019, 2020, 2021, 2022]")
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "years ="), 1)
    assert message == "years lists 2022, but values.csv has no rows for it (add its rows, or remove 2022 from years)"


@pytest.mark.parametrize("years", ["[2021, 2019, 2020]", "[2019, 2020, 2020, 2021]"])
def test_declared_years_out_of_order(data, years):
    text = edit(data / "dataset.toml", "years = [2019, 2020, 2021]", f"years = {years}")
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "years ="), 1)
    assert message.startswith("years must be in increasing order, each year once")


def test_years_are_taken_from_the_rows_when_not_declared(data):
    edit(data / "dataset.toml", "years = [2019, 2020, 2021]\n", "")
    dataset = load_dataset(data)
    assert dataset.years == (2019, 2020, 2021) and dataset.year == 2021


# --- --year ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["2018", "2022"])
def test_a_year_outside_the_panel(data, year):
    result = score(data, "--year", year)
    assert result.exit_code == USAGE and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line == f"{PREFIX}dataset 'mini-panel' has no year {year} (its years: 2019-2021)"
    with pytest.raises(ConfigError):
        load_dataset(data, int(year))


def test_a_year_missing_inside_a_panel_lists_the_years(data):
    text = "\n".join(line for line in VALUES_CSV.splitlines() if ",2020," not in line) + "\n"
    (data / "values.csv").write_text(text, encoding="utf-8")
    edit(data / "dataset.toml", "years = [2019, 2020, 2021]", "years = [2019, 2021]")
    (line,) = score(data, "--year", "2020").stderr.splitlines()
    assert line == f"{PREFIX}dataset 'mini-panel' has no year 2020 (its years: 2019, 2021)"
    growth = load_dataset(data, 2021).values[:, 1]  # no 2020: lag() is missing, not taken from 2019
    assert all(math.isnan(v) for v in growth)


def cross_section(data: Path) -> str:
    """Turn the mini panel into a cross-section of 2021 without lag(); return dataset.toml's text."""
    toml = data / "dataset.toml"
    edit(toml, 'year_column = "year"\n', "")
    edit(toml, "years = [2019, 2020, 2021]\n", "")
    edit(toml, "years = [2020, 2021]\n", "")
    text = edit(toml, f'formula = "{GROWTH}"', 'formula = "100 * a / total"')
    rows = [line.split(",") for line in VALUES_CSV.splitlines()]
    keep = [rows[0]] + [r for r in rows[1:] if r[2] == "2021"]
    (data / "values.csv").write_text("\n".join(",".join(r[:2] + r[3:]) for r in keep) + "\n", encoding="utf-8")
    return text


def test_year_on_a_cross_section(data):
    cross_section(data)
    dataset = load_dataset(data)
    assert dataset.year is None and dataset.years == ()
    assert dataset.values[:, 0].tolist() == pytest.approx([2200 / 121, 6600 / 198])
    (line,) = score(data, "--year", "2021").stderr.splitlines()
    assert line == PREFIX + "dataset 'mini-panel' has no years (leave out --year)"


def test_years_on_a_cross_section(data):
    text = cross_section(data)
    text = edit(data / "dataset.toml", 'framework = "mini"\n', 'framework = "mini"\nyears = [2021]\n')
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "years ="), 1)
    assert message == "years is set, but the dataset has no year column (set [entity] year_column, or remove years)"


def test_column_years_on_a_cross_section(data):
    cross_section(data)
    text = edit(data / "dataset.toml", 'label = "B"\n', 'label = "B"\nyears = [2020, 2021]\n')
    message = error(score(data), DATA, data / "dataset.toml", line_of(text, "years = [2020"), 1)
    assert message.startswith("column 'b' has years, but the dataset has no year column")
