"""Files from other locales: a semicolon (or tab) delimiter and decimal commas, read when dataset.toml says so,
recognised (one line naming the key to set) when it does not; Excel's CSV exports (BOM, CRLF) keep working."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from trustindex.cli import cli
from trustindex.errors import DataError
from trustindex.io.dataset import load_dataset
from trustindex.io.numbers import NotANumber, parse_number
from trustindex.io.table import sniff

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "datasets" / "oecd-governance"


def localised(tmp_path: Path, delimiter: str = ";", decimal: str = ",", keys: str = "", crlf: bool = False,
              bom: bool = False) -> Path:  # fmt: skip
    """The oecd-governance dataset with its values written in another locale (and ``keys`` added)."""
    import csv
    import io

    target = tmp_path / "oecd"
    shutil.copytree(SOURCE, target)
    with open(SOURCE / "values.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    for row in rows:
        writer.writerow([cell.replace(".", decimal) if _number(cell) else cell for cell in row])
    (target / "values.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
    toml = (target / "dataset.toml").read_text(encoding="utf-8")
    (target / "dataset.toml").write_text(toml.replace("schema = 1\n", f"schema = 1\n{keys}", 1), encoding="utf-8")
    return target


def _number(text: str) -> bool:
    try:
        parse_number(text)
    except NotANumber:
        return False
    return True


def test_semicolons_and_decimal_commas_read_when_the_dataset_says_so(tmp_path):
    original = load_dataset(SOURCE)
    data = localised(tmp_path, keys='delimiter = ";"\ndecimal = ","\n')
    dataset = load_dataset(data)
    assert dataset.entities == original.entities
    assert (dataset.values == original.values)[~(original.values != original.values)].all()
    assert ((dataset.values != dataset.values) == (original.values != original.values)).all()


def test_tabs_read_when_the_dataset_says_so(tmp_path):
    data = localised(tmp_path, "\t", ".", keys='delimiter = "\\t"\n')
    assert load_dataset(data).entities == load_dataset(SOURCE).entities


def test_a_semicolon_file_without_the_key_gets_one_line_naming_it(tmp_path):
    data = localised(tmp_path)
    result = CliRunner().invoke(cli, ["score", "--data", str(data)])
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr == (
        f"trustindex: error: {data / 'values.csv'}:1:1: the file looks semicolon-separated with decimal commas, not "
        "comma-separated (its header splits at ';') (set delimiter = ';' and decimal = ',' in dataset.toml; "
        "trustindex init detects them)\n"
    )


def test_a_comma_file_under_a_semicolon_key_is_recognised(tmp_path):
    data = localised(tmp_path, ",", ".", keys='delimiter = ";"\n')
    with pytest.raises(DataError, match=r"looks comma-separated, not ';'-separated .*set delimiter = ','"):
        load_dataset(data)


def test_decimal_commas_without_the_key_name_it_at_the_cell(tmp_path):
    data = localised(tmp_path, keys='delimiter = ";"\n')
    with pytest.raises(DataError, match=r"is not a number \(a decimal comma: set decimal = ',' in dataset.toml") as e:
        load_dataset(data)
    assert e.value.line == 2 and e.value.column is not None


def test_decimal_points_under_a_comma_key_are_refused_at_the_cell(tmp_path):
    data = localised(tmp_path, ";", ".", keys='delimiter = ";"\ndecimal = ","\n')
    with pytest.raises(DataError, match=r"has a point, but the decimal mark is ','") as caught:
        load_dataset(data)
    assert caught.value.line == 2


@pytest.mark.parametrize(("keys", "message"), [
    ('delimiter = ":"\n', "delimiter must be one of ',', ';', '\\\\t', '|', not ':'"),
    ('decimal = "·"\n', "decimal must be '.' or ',', not '·'"),
    ('decimal = ","\n', "a decimal comma needs another delimiter than the comma"),
])  # fmt: skip
def test_bad_locale_keys_are_errors_at_their_line(tmp_path, keys, message):
    data = localised(tmp_path, keys=keys)
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    schema = (data / "dataset.toml").read_text().split("\n").index("schema = 1") + 1
    assert message in caught.value.message and caught.value.path.endswith("dataset.toml")
    assert caught.value.line == schema + 1  # the key's own line


def test_excel_exports_with_a_bom_and_crlf_keep_working(tmp_path):
    data = localised(tmp_path, ",", ".", crlf=True, bom=True)
    assert load_dataset(data).entities == load_dataset(SOURCE).entities
    data = localised(tmp_path / "2", ";", ",", keys='delimiter = ";"\ndecimal = ","\n', crlf=True, bom=True)
    assert load_dataset(data).entities == load_dataset(SOURCE).entities


def test_sniff():
    assert sniff("id,name,a\nX,Ex,1.5\n") == (",", ".")
    assert sniff("id;name;a\nX;Ex;1,5\n") == (";", ",")
    assert sniff("id;name;a\nX;Ex;1.5\n") == (";", ".")
    assert sniff("id\tname\ta\nX\tEx\t2\n") == ("\t", ".")
    assert sniff('id,name,a\nX,"Ex, the first",1\n') == (",", ".")
    assert sniff('id,a\nX,"1,5"\n') == (",", ",")
    assert sniff("single\nX\n") == (",", ".")


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e40, max_value=1e40))
def test_a_decimal_comma_reads_the_number_a_point_does(value):
    text = repr(value)
    assert parse_number(text.replace(".", ","), decimal=",") == parse_number(text) == value


@pytest.mark.parametrize("text", ["1.234,5", "1.5", "1,234,5", "1,5,", ",", "1 5"])
def test_what_a_decimal_comma_does_not_read(text):
    with pytest.raises(NotANumber):
        parse_number(text, decimal=",")


def test_a_table_form_folder_takes_the_keys_from_a_dataset_toml_beside_it(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "values.csv").write_text("id;name;a;b\nX;Ex;1,5;2\nY;Why;2,5;1\n")
    (folder / "indicators.csv").write_text("id;parent;direction\nidx;;\na;idx;higher\nb;idx;lower\n")
    with pytest.raises(DataError, match="looks semicolon-separated"):
        load_dataset(folder)
    (folder / "dataset.toml").write_text('schema = 1\ndelimiter = ";"\ndecimal = ","\n')
    dataset = load_dataset(folder)
    assert dataset.framework.indicator_ids == ("a", "b") and dataset.values[0, 0] == 1.5
