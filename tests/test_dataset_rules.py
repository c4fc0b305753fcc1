"""The rules of a dataset's values that are new with issue 12: ASCII numbers and years, magnitudes, bounds,
required values, goalposts as notices, one note per cell, formula problems named, positions of errors.

Each test copies the default dataset, breaks one thing, and works out the expected line and column from the
text it wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.errors import ConfigError, DataError
from trustindex.io.dataset import load_dataset
from trustindex.io.numbers import NotANumber, parse_number

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "datasets" / "coexistence-regimes"
PANEL = ROOT / "datasets" / "jp-prefectures"


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(DATASET, folder)
    return folder


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def where(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("text", ["85", "+85", "-0.5", ".5", "85.", "1e3", "8.5E-1", "085"])
def test_ascii_numbers(text):
    assert parse_number(text) == float(text)


@pytest.mark.parametrize("text", ["8_5", "８５", "٨٥", "१२", "85%", "0x55", "nan", "inf", "Infinity", "1e", "--1",
                                  "8 5", "½", "⁸⁵", "1,5", "", "1e51", "-1e308", "1e999"])  # fmt: skip
def test_not_numbers(text):
    with pytest.raises(NotANumber):
        parse_number(text)


@pytest.mark.parametrize("cell", ["8_5", "８５", "٨٥", "1e308", "85\u00a0"])
def test_a_cell_that_python_would_read_is_an_error_at_its_place(data, cell):
    text = edit(data / "values.csv", "japan,Japan,85,", f"japan,Japan,{cell},")
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    assert (caught.value.line, caught.value.column) == where(text, cell)


def test_a_year_in_other_digits_is_an_error(tmp_path):
    folder = tmp_path / "jp"
    shutil.copytree(PANEL, folder)
    text = edit(folder / "values.csv", "13,東京都,Tokyo,2021,", "13,東京都,Tokyo,２０２１,")
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    assert (caught.value.line, caught.value.column) == where(text, "２０２１")
    assert "ASCII" in caught.value.hint


def _bounded(data: Path, extra: str) -> str:
    toml = data / "dataset.toml"
    text = toml.read_text(encoding="utf-8")
    at = text.index("goalposts = [0, 100]", text.index("[indicators.labour_link]"))
    text = text[:at] + extra + text[at:]
    toml.write_text(text, encoding="utf-8")
    return text


def test_a_value_beyond_the_goalposts_is_a_notice_at_its_cell(data):
    text = edit(data / "values.csv", "japan,Japan,85,90,85,70,90,40,", "japan,Japan,85,90,85,70,90,140,")
    dataset = load_dataset(data)
    [notice] = [n for n in dataset.notices if n.kind == "goalposts"]
    assert (notice.node, notice.entities) == ("labour_link", ("japan",))
    assert notice.location[1:] == where(text, "140")
    result = CliRunner().invoke(cli, ["score", "--data", str(data)])
    assert result.exit_code == 0
    line, column = where(text, "140")
    assert f"trustindex: notice: {data / 'values.csv'}:{line}:{column}: labour_link" in result.stderr
    assert "outside the goalposts [0, 100]" in result.stdout  # and in the report's notices


def test_a_value_beyond_bounds_the_dataset_declares_is_an_error(data):
    _bounded(data, "bounds = [0, 100]\n")
    text = edit(data / "values.csv", "japan,Japan,85,90,85,70,90,40,", "japan,Japan,85,90,85,70,90,140,")
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    assert (caught.value.line, caught.value.column) == where(text, "140") and "bounds" in caught.value.message


def test_a_target_beyond_the_goalposts_is_a_notice_and_beyond_bounds_an_error(data):
    text = _bounded(data, "target = 150\n")
    [notice] = [n for n in load_dataset(data).notices if n.kind == "goalposts"]
    assert notice.node == "labour_link" and notice.location[1:] == where(text, "target = 150")
    shutil.copy(DATASET / "dataset.toml", data / "dataset.toml")
    text = _bounded(data, "target = 150\nbounds = [0, 100]\n")
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    assert (caught.value.line, caught.value.column) == where(text, "target = 150")


def test_a_missing_value_where_the_dataset_requires_one(data):
    _bounded(data, "required = true\n")
    text = edit(data / "values.csv", "japan,Japan,85,90,85,70,90,40,", "japan,Japan,85,90,85,70,90,,")
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    line, comma = where(text, ",,30,")
    assert (caught.value.line, caught.value.column) == (line, comma + 1) and "requires" in caught.value.message


@pytest.mark.parametrize(
    "old, new",
    [
        ("goalposts = [0, 100]", "goalposts = [0, 1e51]"),
        ("goalposts = [0, 100]", "goalposts = [0, " + "1" + "0" * 309 + "]"),
        ("year = 2026", "year = 20260"),
        ("year = 2026", "year = " + "9" * 400),
    ],
)
def test_numbers_of_the_metadata_are_range_checked(data, old, new):
    text = edit(data / "dataset.toml", old, new)
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    key = new.split(" =")[0]
    assert (caught.value.line, caught.value.column) == where(text, f"{key} = {new.split('= ')[1][:3]}")


def test_a_second_note_for_a_cell_is_an_error_at_its_line(data):
    notes = data / "notes.csv"
    lines = notes.read_text(encoding="utf-8").splitlines()
    notes.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    assert caught.value.line == len(lines) + 1 and "line 2" in caught.value.message


def test_a_formula_that_divides_by_zero_says_where_and_for_whom(tmp_path):
    folder = tmp_path / "jp"
    shutil.copytree(PANEL, folder)
    values = folder / "values.csv"
    header = values.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    lines = values.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("13,東京都,Tokyo,2021,"))
    fields = lines[at].split(",")
    fields[header.index("n_total")] = "0"
    lines[at] = ",".join(fields)
    values.write_text("\n".join(lines), encoding="utf-8")
    dataset = load_dataset(folder)
    shares = {n.node: n for n in dataset.notices if n.kind == "derived" and "division by zero" in n.message}
    assert shares["family_share"].entities == ("13",)
    assert "'100 * n_dependent / n_total'" in shares["family_share"].message
    assert "n_total" in shares["family_share"].message


def test_a_formula_reading_another_derived_indicator(tmp_path):
    folder = tmp_path / "jp"
    shutil.copytree(PANEL, folder)
    text = edit(folder / "dataset.toml", 'formula = "100 * n_dependent / n_total"',
                'formula = "100 * stable_share / n_total"')  # fmt: skip
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    assert (caught.value.line, caught.value.column) == where(text, "stable_share /")
    assert "derived by its own formula" in caught.value.message


def test_a_default_profile_that_does_not_exist_is_an_error_at_its_key(data):
    text = edit(data / "dataset.toml", 'values = "values.csv"', 'values = "values.csv"\ndefault_weights = "balancd"')
    result = CliRunner().invoke(cli, ["score", "--data", str(data)])
    line, column = where(text, "default_weights")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trustindex: error: {data / 'dataset.toml'}:{line}:{column}: default_weights:")
    assert "did you mean 'balanced'?" in result.stderr


def test_an_unknown_dataset_name_is_a_usage_error():
    result = CliRunner().invoke(cli, ["datasets", "show", "asme"])
    assert result.exit_code == 2 and "did you mean 'asem'?" in result.stderr


def test_a_profile_naming_a_dataset_that_does_not_exist(tmp_path):
    profile = tmp_path / "w.toml"
    text = (ROOT / "weights" / "balanced.toml").read_text(encoding="utf-8")
    text += "\n[datasets.coexistence-regime.weights]\nlabour_link = 2\n"
    profile.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--weights", str(profile)])
    line, column = where(text, "[datasets.coexistence-regime.weights]")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trustindex: error: {profile}:{line}:{column}: weights for dataset")
    assert "did you mean 'coexistence-regimes'?" in result.stderr


def test_zero_weights_of_a_whole_group_in_a_dataset_table_are_refused_everywhere(tmp_path):
    profile = tmp_path / "w.toml"
    text = (ROOT / "weights" / "balanced.toml").read_text(encoding="utf-8") + (
        "\n[datasets.coexistence-regimes.weights]\ncriteria_transparency = 0\npredictability = 0\n"
        "procedural_legitimacy = 0\nreasons_and_redress = 0\n"
    )
    profile.write_text(text, encoding="utf-8")
    line, column = where(text, "[datasets.coexistence-regimes.weights]")
    for command in (["score"], ["uncertainty", "--seed", "1", "-q"], ["stability"], ["explain", "japan"]):
        result = CliRunner().invoke(cli, [*command, "--weights", str(profile)])
        assert result.exit_code == 2, command
        assert result.stderr.startswith(f"trustindex: error: {profile}:{line}:{column}: every weight under")


def test_zscore_into_a_geometric_mean_is_an_error_at_the_aggregation(tmp_path):
    profile = tmp_path / "w.toml"
    text = (ROOT / "weights" / "balanced.toml").read_text(encoding="utf-8")
    text = text.replace('method = "goalposts"', 'method = "zscore"').replace("range = [0, 100]\n", "")
    text = text.replace('method = "arithmetic"', 'method = "geometric"')
    profile.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--weights", str(profile)])
    line, column = where(text, 'method = "geometric"')
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trustindex: error: {profile}:{line}:{column}: geometric aggregation")


def test_loading_does_not_read_a_file_twice_for_positions(data, monkeypatch):
    """Positions are recorded while the text is at hand: an error found after loading needs no second read."""
    import trustindex.io.files as files

    reads = []
    original = files.read_bytes
    monkeypatch.setattr(files, "read_bytes", lambda path, error: reads.append(Path(path).name) or original(path, error))
    import trustindex.io.toml as toml

    monkeypatch.setattr(toml, "read_bytes", files.read_bytes)
    text = edit(data / "dataset.toml", 'values = "values.csv"', 'values = "values.csv"\ndefault_weights = "x"')
    from trustindex.cli.options import load

    with pytest.raises(ConfigError) as caught:
        load(str(data), None)
    assert (caught.value.line, caught.value.column) == where(text, "default_weights")
    assert reads.count("dataset.toml") == 1


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        ("management = 1", "management = 1\ncoexistence = 3", "coexistence = 3", "weight for the index"),
        ('method = "goalposts"', 'method = "target"', 'method = "target"', "normalisation 'target' needs a target"),
    ],
)
def test_settings_of_a_profile_that_would_change_nothing_or_cannot_apply(tmp_path, old, new, needle, message):
    profile = tmp_path / "w.toml"
    text = (ROOT / "weights" / "balanced.toml").read_text(encoding="utf-8").replace(old, new, 1)
    profile.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["score", "--weights", str(profile)])
    line, column = where(text, needle)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trustindex: error: {profile}:{line}:{column}: {message}")
