"""Values and indicator tables in ``.xlsx`` workbooks: the same dataset as its CSV form, errors at their cell
(``values.xlsx: Sheet1!C5``), formulas by their saved values, sheets chosen by name."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.errors import DataError, Sheet, cell_name, column_letters, located
from trustindex.io.dataset import load_dataset
from trustindex.io.xlsx import cell_text, choose_sheet, split_sheet

openpyxl = pytest.importorskip("openpyxl")

VALUES = [["id", "name", "a", "b"], ["X", "Ex", 1, 0.1], ["Y", "Why", 3, 1234.5678], ["Z", "Zed", 2, None]]
TABLE = [["id", "parent", "type", "direction"], ["idx", "", "aggregate", ""], ["a", "idx", "indicator", "higher"],
         ["b", "idx", "indicator", -1]]  # fmt: skip


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def csv_text(rows) -> str:
    return "\n".join(",".join("" if v is None else repr(v) if isinstance(v, float) else str(v) for v in r)
                     for r in rows) + "\n"  # fmt: skip


def test_a_workbook_dataset_loads_as_its_csv_form(tmp_path):
    (tmp_path / "book").mkdir()
    workbook(tmp_path / "book" / "values.xlsx", {"Sheet1": VALUES})
    workbook(tmp_path / "book" / "indicators.xlsx", {"Sheet1": TABLE})
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "values.csv").write_text(csv_text(VALUES))
    (tmp_path / "text" / "indicators.csv").write_text(csv_text(TABLE))
    book, text = load_dataset(tmp_path / "book"), load_dataset(tmp_path / "text")
    assert book.framework == text.framework and book.entities == text.entities
    assert (book.values[:2] == text.values[:2]).all() and book.values[1, 1] == 1234.5678
    assert book.values[2, 1] != book.values[2, 1]  # the empty cell is missing


def test_one_workbook_with_both_sheets(tmp_path):
    book = workbook(tmp_path / "book.xlsx", {"Data": VALUES, "Meta": TABLE})
    dataset = load_dataset(f"{book}#Data", meta=f"{book}#Meta")
    assert dataset.entities == ("X", "Y", "Z")
    result = CliRunner().invoke(cli, ["score", "--data", f"{book}#Data", "--meta", f"{book}#Meta", "-w",
                                      str(equal(tmp_path)), "-f", "csv", "--level", "index"])  # fmt: skip
    assert result.exit_code == 0, result.output
    # min-max: a → X 0, Y 100, Z 50; b (lower is better) → X 100, Y 0; the index over what is present
    rows = dict(line.split(",")[1:4:2] for line in result.stdout.splitlines()[1:])
    assert {k: float(v) for k, v in rows.items()} == {"X": 50.0, "Y": 50.0, "Z": 50.0}


def equal(tmp_path: Path) -> Path:
    path = tmp_path / "equal.toml"
    path.write_text('schema = 1\nname = "equal"\n[aggregation]\nmin_coverage = 0\n')
    return path


def test_a_bad_cell_names_the_workbook_sheet_and_cell(tmp_path):
    rows = [list(r) for r in VALUES]
    rows[3][2] = "two"
    (tmp_path / "d").mkdir()
    workbook(tmp_path / "d" / "values.xlsx", {"My data": rows})
    (tmp_path / "d" / "indicators.csv").write_text(csv_text(TABLE))
    with pytest.raises(DataError) as caught:
        load_dataset(tmp_path / "d")
    assert str(caught.value).startswith(f"{tmp_path / 'd' / 'values.xlsx'}: 'My data'!C4: column 'a': 'two' is not")
    result = CliRunner().invoke(cli, ["score", "--data", str(tmp_path / "d")])
    assert result.exit_code == 3 and result.stderr.count("\n") == 1
    assert ": 'My data'!C4: column 'a'" in result.stderr


def test_an_indicator_table_sheet_error_is_at_its_cell(tmp_path):
    rows = [list(r) for r in TABLE]
    rows[2][3] = "up"
    book = workbook(tmp_path / "meta.xlsx", {"iMeta": rows, "Other": [["x"]]})
    (tmp_path / "values.csv").write_text(csv_text(VALUES))
    with pytest.raises(DataError) as caught:
        load_dataset(tmp_path / "values.csv", meta=book)  # the sheet named iMeta is the indicator table
    assert str(caught.value).startswith(f"{book}: iMeta!D3: direction must be 'higher' or 'lower', not 'up'")


def test_a_formula_is_read_by_its_saved_value_and_refused_without_one(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in VALUES:
        sheet.append(row)
    sheet["C2"] = "=1+1"  # openpyxl saves no value for it, as a program that does not calculate
    (tmp_path / "d").mkdir()
    book.save(tmp_path / "d" / "values.xlsx")
    (tmp_path / "d" / "indicators.csv").write_text(csv_text(TABLE))
    with pytest.raises(DataError, match="a formula saved without its value") as caught:
        load_dataset(tmp_path / "d")
    assert (caught.value.sheet, caught.value.line, caught.value.column) == ("Sheet", 2, 3)
    # a workbook whose formula has its saved value: put one into the sheet's XML, as a spreadsheet would
    path = tmp_path / "d" / "values.xlsx"
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[name] = (
        parts[name]
        .replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
        .replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    )
    assert b"<v>2</v>" in parts[name]
    with zipfile.ZipFile(path, "w") as target:
        for n, data in parts.items():
            target.writestr(n, data)
    assert load_dataset(tmp_path / "d").values[0, 0] == 2.0


def test_a_value_beyond_the_header_is_an_error_at_its_cell(tmp_path):
    rows = [list(r) for r in VALUES]
    rows[2] = [*rows[2], None, "stray"]
    (tmp_path / "d").mkdir()
    workbook(tmp_path / "d" / "values.xlsx", {"Sheet1": rows})
    (tmp_path / "d" / "indicators.csv").write_text(csv_text(TABLE))
    with pytest.raises(DataError, match="a value beyond the header's last column") as caught:
        load_dataset(tmp_path / "d")
    assert (caught.value.sheet, caught.value.line, caught.value.column) == ("Sheet1", 3, 6)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("values.xlsx", b"id,name\nX,Ex\n", "not a readable .xlsx workbook"),
    ("values.xls", b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook is not read"),
    ("values.ods", b"PK", "an OpenDocument spreadsheet is not read"),
])  # fmt: skip
def test_files_that_are_not_xlsx_workbooks(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "indicators.csv").write_text(csv_text(TABLE))
    with pytest.raises(DataError, match=message):
        load_dataset(tmp_path / name, meta=tmp_path / "indicators.csv")


def test_sheets_are_chosen_by_name_then_by_role_then_alone(tmp_path):
    path = tmp_path / "b.xlsx"
    assert choose_sheet(path, ["A", "B"], "B", "values") == "B"
    assert choose_sheet(path, ["Notes", "iData"], None, "values") == "iData"
    assert choose_sheet(path, ["Notes", " Indicators "], None, "indicators") == " Indicators "
    assert choose_sheet(path, ["Only"], None, "indicators") == "Only"
    with pytest.raises(DataError, match=r"the workbook has 2 sheets and none is named 'values' \(name the sheet"):
        choose_sheet(path, ["A", "B"], None, "values")
    with pytest.raises(DataError, match=r"no sheet named 'b' \(expected one of: A, B\)"):
        choose_sheet(path, ["A", "B"], "b", "values")
    assert split_sheet("dir/book.xlsx#Sheet 1") == ("dir/book.xlsx", "Sheet 1")
    assert split_sheet("dir/a#b.csv") == ("dir/a#b.csv", None)


def test_cells_read_as_a_csv_holds_them():
    import datetime

    assert [cell_text(v) for v in (None, True, 3, 0.1, 1e-5, 2.5e20)] == ["", "TRUE", "3", "0.1", "1e-05", "2.5e+20"]
    assert cell_text(datetime.date(2020, 1, 2)) == "2020-01-02"


def test_cell_names_as_spreadsheets_write_them():
    assert [column_letters(n) for n in (1, 26, 27, 52, 53, 702, 703)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
    assert cell_name("Sheet1", 5, 3) == "Sheet1!C5"
    assert cell_name("My data", 5, 3) == "'My data'!C5"
    assert cell_name("it's", 5, None) == "'it''s' row 5"
    assert located(Sheet(Path("v.xlsx"), "S"), 2, 1) == "v.xlsx: S!A2"
    assert located(Path("v.csv"), 2, 1) == "v.csv:2:1" and located(None) == ""
