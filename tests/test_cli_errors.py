"""Every user-fixable error, through the CLI: exit code, one line on stderr with file:line:column, no traceback.

Each test copies the shipped dataset and the balanced profile into ``tmp_path`` and breaks them in
one specific way. Expected lines and columns are worked out here from the text the test wrote.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import only_notices

from trustindex.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "coexistence-regimes"
BALANCED = ROOT / "weights" / "balanced.toml"
USAGE, DATA = 2, 3
PREFIX = "trustindex: error: "


# --- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture
def data(tmp_path) -> Path:
    """A private copy of the shipped dataset folder."""
    folder = tmp_path / "ds"
    shutil.copytree(DATASET, folder)
    return folder


@pytest.fixture
def weights(tmp_path) -> Path:
    """A private copy of weights/balanced.toml."""
    path = tmp_path / "w.toml"
    shutil.copy(BALANCED, path)
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def score(data: Path | None = None, weights: Path | None = None, *extra: str):
    args = ["score"]
    if data is not None:
        args += ["--data", str(data)]
    if weights is not None:
        args += ["--weights", str(weights)]
    return run(*args, *extra)


def edit(path: Path, old: str, new: str, count: int = 1) -> str:
    """Replace ``old`` (which must occur) by ``new`` in the UTF-8 file at ``path``; return the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path}"
    text = text.replace(old, new, count)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of ``text`` that starts with ``start``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def error_line(result, code: int, path: Path | str | None = None, line: int | None = None, column: int | None = None):
    """Assert a clean failure with exit ``code`` and one error line naming ``path:line:column``; return it."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert message.startswith(PREFIX), message
    if path is not None:
        where = re.escape(str(path))
        if line is None:
            where += r"(:\d+(:\d+)?)?"  # a location is welcome but not asserted
        else:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        assert re.match(f"{re.escape(PREFIX)}{where}: ", message), message
    return message[len(PREFIX) :]


# --- missing inputs ----------------------------------------------------------------------------


def test_missing_data_folder(tmp_path):
    missing = tmp_path / "no-such-dataset"
    message = error_line(score(missing), DATA, missing)
    assert "no such" in message


def test_data_folder_without_dataset_toml(tmp_path):
    (tmp_path / "empty").mkdir()
    message = error_line(score(tmp_path / "empty"), DATA, tmp_path / "empty")
    assert "dataset.toml" in message


def test_missing_values_csv(data):
    (data / "values.csv").unlink()
    message = error_line(score(data), DATA, data / "values.csv")
    assert "not found" in message


def test_missing_weights_file(tmp_path):
    missing = tmp_path / "mine.toml"
    message = error_line(score(None, missing), USAGE, missing)
    assert "not found" in message


def test_unknown_dataset_name():
    message = error_line(score("coexistence-regime"), USAGE)
    assert "'coexistence-regime'" in message
    assert "did you mean 'coexistence-regimes'?" in message


def test_unknown_weights_name():
    message = error_line(run("score", "--weights", "welfare-frist"), USAGE)
    assert "'welfare-frist'" in message
    assert "did you mean 'welfare-first'?" in message


def test_unknown_weights_name_without_a_close_match_lists_the_shipped_ones():
    message = error_line(run("score", "--weights", "xyzzy"), USAGE)
    assert "balanced" in message and "management-first" in message


# --- TOML syntax -------------------------------------------------------------------------------


def test_toml_syntax_error_in_weights(weights):
    text = edit(weights, "support = 1\n", "support = @\n")
    line = line_of(text, "support = @")
    message = error_line(score(None, weights), USAGE, weights, line, len("support = ") + 1)
    assert "TOML" in message


def test_toml_syntax_error_in_dataset_toml(data):
    toml = data / "dataset.toml"
    text = edit(toml, "illustrative = true\n", "illustrative = @\n")
    line = line_of(text, "illustrative = @")
    message = error_line(score(data), DATA, toml, line, len("illustrative = ") + 1)
    assert "TOML" in message


def test_non_utf8_weights(weights):
    weights.write_bytes(weights.read_bytes().replace(b"# balanced:", b"# balanc\xe9:"))
    message = error_line(score(None, weights), USAGE, weights, 1, len("# balanc") + 1)
    assert "UTF-8" in message


# --- weights: keys -----------------------------------------------------------------------------


def test_unknown_top_level_key(weights):
    text = edit(weights, "[normalisation]", "[normalization]")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "[normalization]"), 1)
    assert "'normalization'" in message
    assert "did you mean 'normalisation'?" in message


def test_unknown_top_level_key_as_a_plain_key(weights):
    text = edit(weights, 'name = "balanced"', 'name = "balanced"\nnormalization = "minmax"')
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "normalization ="), 1)
    assert "did you mean 'normalisation'?" in message


def test_unknown_key_in_aggregation(weights):
    text = edit(weights, "min_coverage = 0.667", "min_coverag = 0.667")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "min_coverag ="), 1)
    assert "'min_coverag'" in message and "[aggregation]" in message
    assert "did you mean 'min_coverage'?" in message


def test_unknown_level_table_in_aggregation(weights):
    text = weights.read_text(encoding="utf-8") + '\n[aggregation.pillars]\nmethod = "geometric"\n'
    weights.write_text(text, encoding="utf-8")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "[aggregation.pillars]"), 1)
    assert "did you mean 'pillar'?" in message


def test_weight_for_a_pillar_not_in_the_data(weights):
    text = edit(weights, "management = 1", "managment = 1")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "managment ="), 1)
    assert "'managment'" in message
    assert "did you mean 'management'?" in message


def test_weight_for_an_indicator_not_in_the_data(weights):
    text = edit(weights, "explainability = 1\n", "explainability = 1\nlabor_link = 2\n")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "labor_link ="), 1)
    assert "did you mean 'labour_link'?" in message


# --- weights: values ---------------------------------------------------------------------------


def test_negative_weight(weights):
    text = edit(weights, "support = 1", "support = -0.5")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "support ="), 1)
    assert "'support'" in message and "negative" in message


def test_nan_weight(weights):
    text = edit(weights, "support = 1", "support = nan")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "support ="), 1)
    assert "support" in message and "finite" in message


def test_infinite_weight(weights):
    text = edit(weights, "support = 1", "support = inf")
    error_line(score(None, weights), USAGE, weights, line_of(text, "support ="), 1)


def test_string_weight(weights):
    text = edit(weights, "support = 1", 'support = "1"')
    error_line(score(None, weights), USAGE, weights, line_of(text, "support ="), 1)


def test_zero_weights_are_allowed(weights):
    edit(weights, "support = 1", "support = 0")
    result = score(None, weights, "-f", "csv")
    assert result.exit_code == 0, result.stderr


def test_all_zero_pillar_weights(weights):
    for pillar in ("management", "connectivity", "support", "explainability"):
        edit(weights, f"\n{pillar} = 1", f"\n{pillar} = 0")
    message = error_line(score(None, weights), USAGE, weights)
    assert "zero" in message


def test_all_zero_indicator_weights_in_one_pillar(weights):
    zeros = "".join(
        f"{i} = 0\n"
        for i in (
            "criteria_transparency",
            "predictability",
            "procedural_legitimacy",
            "reasons_and_redress",
        )
    )
    edit(weights, "explainability = 1\n", "explainability = 1\n" + zeros)
    message = error_line(score(None, weights), USAGE, weights)
    assert "explainability" in message and "zero" in message


def test_all_zero_pillar_weights_points_at_the_weights_table(weights):
    text = weights.read_text(encoding="utf-8")
    for pillar in ("management", "connectivity", "support", "explainability"):
        text = text.replace(f"\n{pillar} = 1", f"\n{pillar} = 0")
    weights.write_text(text, encoding="utf-8")
    error_line(score(None, weights), USAGE, weights, line_of(text, "[weights]"), 1)


def test_unknown_normalisation_method(weights):
    text = edit(weights, 'method = "goalposts"', 'method = "goalpost"')
    message = error_line(score(None, weights), USAGE, weights, line_of(text, 'method = "goalpost"'), 1)
    assert "'goalpost'" in message and "did you mean 'goalposts'?" in message


def test_unknown_aggregation_method(weights):
    text = edit(weights, 'method = "arithmetic"', 'method = "arithmatic"')
    message = error_line(score(None, weights), USAGE, weights, line_of(text, 'method = "arithmatic"'), 1)
    assert "'arithmatic'" in message and "did you mean 'arithmetic'?" in message


def test_power_mean_without_p(weights):
    text = edit(weights, 'method = "arithmetic"', 'method = "power"')
    message = error_line(score(None, weights), USAGE, weights, line_of(text, 'method = "power"'), 1)
    assert "power" in message and " p" in message


def test_p_without_power_mean(weights):
    text = edit(weights, "min_coverage = 0.667", "min_coverage = 0.667\np = 2")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "p = 2"), 1)
    assert "no effect" in message


def test_power_mean_with_p_is_accepted(weights):
    edit(weights, 'method = "arithmetic"', 'method = "power"\np = 0.5')
    result = score(None, weights, "-f", "csv")
    assert result.exit_code == 0, result.stderr


def test_range_with_zscore(weights):
    text = edit(weights, 'method = "goalposts"', 'method = "zscore"')
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "range ="), 1)
    assert "range" in message and "no effect" in message and "zscore" in message


def test_min_coverage_out_of_range(weights):
    text = edit(weights, "min_coverage = 0.667", "min_coverage = 1.5")
    error_line(score(None, weights), USAGE, weights, line_of(text, "min_coverage ="), 1)


def test_unsupported_schema(weights):
    text = edit(weights, "schema = 1", "schema = 2")
    message = error_line(score(None, weights), USAGE, weights, line_of(text, "schema ="), 1)
    assert "schema" in message


def test_frameworks_do_not_match(weights):
    edit(weights, 'framework = "balanced-coexistence"', 'framework = "other"')
    message = error_line(score(None, weights), USAGE, weights)
    assert "'other'" in message and "'balanced-coexistence'" in message


def test_frameworks_do_not_match_points_at_the_key(weights):
    text = edit(weights, 'framework = "balanced-coexistence"', 'framework = "other"')
    error_line(score(None, weights), USAGE, weights, line_of(text, "framework ="), 1)


# --- values.csv --------------------------------------------------------------------------------


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_non_numeric_cell(data):
    values = data / "values.csv"
    rows = rows_of(values)
    j = rows[0].index("enforcement")
    rows[3][j] = "high"  # line 4
    write_rows(values, rows)
    column = len(",".join(rows[3][:j]) + ",") + 1
    message = error_line(score(data), DATA, values, 4, column)
    assert "'enforcement'" in message and "'high'" in message


def test_non_numeric_cell_after_a_quoted_name(data):
    values = data / "values.csv"
    rows = rows_of(values)
    j = rows[0].index("tax_link")
    fields = rows[1][:]
    fields[1] = 'Japan, "the" state'
    fields[j] = "30%"
    encoded = [f'"{f.replace(chr(34), 2 * chr(34))}"' if ("," in f or '"' in f) else f for f in fields]
    line = ",".join(encoded)
    text = values.read_text(encoding="utf-8").splitlines()
    text[1] = line
    values.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert next(csv.reader([line])) == fields
    column = len(",".join(encoded[:j]) + ",") + 1
    assert line[column - 1 :].startswith("30%,")
    message = error_line(score(data), DATA, values, 2, column)
    assert "'30%'" in message


def test_non_numeric_cell_after_a_literal_quote(data):
    values = data / "values.csv"
    edit(values, "japan,Japan,85,90,", 'japan,Jap"an,85,oops,')
    column = len('japan,Jap"an,85,') + 1
    error_line(score(data), DATA, values, 2, column)


@pytest.mark.parametrize("cell", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_cell(data, cell):
    values = data / "values.csv"
    edit(values, "japan,Japan,85,", f"japan,Japan,{cell},")
    error_line(score(data), DATA, values, 2, len("japan,Japan,") + 1)


def test_duplicate_entity_id(data):
    values = data / "values.csv"
    text = edit(values, "nordic,Nordic countries,", "japan,Nordic countries,")
    line = [n for n, row in enumerate(text.splitlines(), start=1) if row.startswith("japan,")][1]
    message = error_line(score(data), DATA, values, line, 1)
    assert "'japan'" in message and "duplicate" in message


def test_empty_values_csv(data):
    values = data / "values.csv"
    values.write_text("", encoding="utf-8")
    message = error_line(score(data), DATA, values)
    assert "empty" in message


def test_values_csv_with_only_a_header(data):
    values = data / "values.csv"
    values.write_text(values.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    message = error_line(score(data), DATA, values)
    assert "no rows" in message or "no entities" in message


def test_row_with_a_missing_field(data):
    values = data / "values.csv"
    text = edit(values, ",40,50,50\n", ",40,50\n")
    line = line_of(text, "united-states")
    error_line(score(data), DATA, values, line, len(text.splitlines()[line - 1]) + 1)  # where the field is missing


def test_undeclared_extra_column(data):
    values = data / "values.csv"
    rows = rows_of(values)
    header = ",".join(rows[0])
    write_rows(values, [rows[0] + ["trust_in_police"]] + [r + ["50"] for r in rows[1:]])
    message = error_line(score(data), DATA, values, 1, len(header) + 2)
    assert "'trust_in_police'" in message and "not declared" in message


def test_missing_indicator_column(data):
    values = data / "values.csv"
    rows = rows_of(values)
    j = rows[0].index("housing_link")
    write_rows(values, [r[:j] + r[j + 1 :] for r in rows])
    message = error_line(score(data), DATA, values, 1)
    assert "'housing_link'" in message and "missing" in message


def test_misspelt_indicator_column(data):
    values = data / "values.csv"
    text = edit(values, ",housing_link,", ",housing_lnk,")
    column = text.index(",housing_lnk,") + 2
    message = error_line(score(data), DATA, values, 1, column)
    assert "missing column 'housing_link'" in message
    assert "'housing_lnk'" in message and "did you mean" not in message  # the hint must not point the wrong way


def test_latin1_values_csv(data):
    values = data / "values.csv"
    text = edit(values, "nordic,Nordic countries,", "nordic,Nordiska länder,")
    values.write_bytes(text.encode("latin-1"))
    line = line_of(text, "nordic,")
    column = len("nordic,Nordiska l") + 1
    message = error_line(score(data), DATA, values, line, column)
    assert "not UTF-8" in message


def test_utf8_name_is_fine(data):
    edit(data / "values.csv", "nordic,Nordic countries,", "nordic,Nordiska länder,")
    result = score(data, None, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert "Nordiska länder" in result.stdout


# --- BOMs are accepted -------------------------------------------------------------------------


def reference_csv() -> str:
    result = run("score", "-f", "csv")
    assert result.exit_code == 0
    return result.stdout


@pytest.mark.parametrize("name", ["values.csv", "dataset.toml", "notes.csv"])
def test_utf8_bom_is_accepted(data, name):
    path = data / name
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = score(data, None, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert only_notices(result.stderr), result.stderr
    assert result.stdout == reference_csv()


def test_utf8_bom_in_weights_is_accepted(weights):
    weights.write_bytes(b"\xef\xbb\xbf" + weights.read_bytes())
    result = score(None, weights, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == reference_csv()


def test_bom_does_not_shift_error_columns(data):
    values = data / "values.csv"
    edit(values, "japan,Japan,85,", "japan,Japan,x,")
    values.write_bytes(b"\xef\xbb\xbf" + values.read_bytes())
    error_line(score(data), DATA, values, 2, len("japan,Japan,") + 1)


# --- dataset.toml ------------------------------------------------------------------------------


def test_unknown_key_in_dataset_toml(data):
    toml = data / "dataset.toml"
    text = edit(toml, "[indicators.admission_control]\n", "[indicators.admission_control]\ndirecton = 'higher'\n")
    message = error_line(score(data), DATA, toml, line_of(text, "directon ="), 1)
    assert "did you mean 'direction'?" in message


def test_bad_direction_in_dataset_toml(data):
    toml = data / "dataset.toml"
    text = edit(toml, 'direction = "higher"', 'direction = "up"')
    message = error_line(score(data), DATA, toml, line_of(text, 'direction = "up"'), 1)
    assert "'up'" in message


def test_indicator_under_an_unknown_pillar(data):
    toml = data / "dataset.toml"
    text = edit(toml, 'parent = "support"', 'parent = "suport"')
    message = error_line(score(data), DATA, toml, line_of(text, 'parent = "suport"'), 1)
    assert "did you mean 'support'?" in message


# --- --debug -----------------------------------------------------------------------------------


def test_debug_shows_the_traceback(tmp_path):
    result = run("--debug", "score", "--data", str(tmp_path / "nope"))
    assert result.exit_code == DATA
    assert result.stdout == ""
    assert "Traceback (most recent call last)" in result.stderr
    assert "DataError" in result.stderr
    assert str(tmp_path / "nope") in result.stderr


def test_debug_keeps_the_usage_exit_code(weights):
    edit(weights, "support = 1", "support = -1")
    result = run("--debug", "score", "--weights", str(weights))
    assert result.exit_code == USAGE
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr


# --- Ctrl-C ------------------------------------------------------------------------------------


def test_interrupt_exits_130_without_output(monkeypatch):
    import trustindex.pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(trustindex.pipeline, "score", interrupted)
    result = run("score")
    assert result.exit_code == 130
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("trustindex: interrupted")


def test_an_unexpected_failure_is_one_line_and_exit_70(monkeypatch):
    import trustindex.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(trustindex.pipeline, "score", broken)
    result = CliRunner().invoke(cli, ["score"])
    assert result.exit_code == 70
    assert result.stderr.count("\n") == 1 and "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    debug = CliRunner().invoke(cli, ["--debug", "score"])
    assert isinstance(debug.exception, RuntimeError)
