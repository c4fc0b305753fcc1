"""Where errors point: positions recorded when a file is read, lines counted at newlines only (not at U+2028,
U+0085 and the like), unclosed quotes reported where they open. Expected lines and columns are counted here
from the text each test writes."""

from __future__ import annotations

import pytest

from trustindex.errors import ConfigError, DataError
from trustindex.io.table import read_csv
from trustindex.io.toml import Positions, TomlDoc

SEPARATORS = ["\u2028", "\u2029", "\u0085", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e"]


def where(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first ``needle`` in ``text``, counting lines at newlines only."""
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_keys_tables_and_array_elements_have_their_places():
    text = (
        'name = "x"\n\n[weights]\nmanagement = 1\n  "quoted key" = 2\n\n[datasets.demo.weights]\na = 1\n'
        "[aggregation]\nalternatives = [\n  'one',  # a comment\n  { method = \"power\", p = 0.5 },\n]\n"
        "dotted.inner = 3\n[[runs]]\nx = 1\n[[runs]]\nx = 2\n"
    )
    positions = Positions.of(None, text)
    assert positions.at((), "name") == where(text, "name")
    assert positions.at(("weights",)) == where(text, "[weights]")
    assert positions.at(("weights",), "management") == where(text, "management")
    assert positions.at(("weights",), "quoted key") == where(text, '"quoted key"')
    assert positions.at(("datasets", "demo")) == where(text, "[datasets.demo.weights]")  # an implicit table
    assert positions.at(("datasets", "demo", "weights"), "a") == where(text, "a = 1")
    assert positions.value_at(("aggregation", "alternatives", 1)) == where(text, "{ method")
    assert positions.at(("aggregation", "alternatives", 1), "p") == where(text, "p = 0.5")
    assert positions.at(("aggregation", "dotted"), "inner") == where(text, "dotted.inner")
    assert positions.at(("runs", 1), "x") == where(text, "x = 2")
    assert positions.at(("weights",), "absent") == where(text, "[weights]")  # the table, when the key is absent
    assert positions.at(("nowhere",)) == (None, None)


@pytest.mark.parametrize("separator", SEPARATORS[:3])
def test_line_separators_in_strings_and_comments_do_not_shift_lines(tmp_path, separator):
    text = f'# one{separator}comment\nname = "a{separator}b"\n[weights]\nsuport = 1\n'
    path = tmp_path / "w.toml"
    path.write_text(text, encoding="utf-8")
    doc = TomlDoc(path, ConfigError)
    assert doc.where(("weights",), "suport") == (4, 1)


def test_an_unclosed_string_is_reported_where_it_opens(tmp_path):
    for text, needle in (('a = 1\nb = "open\nc = 2\n', '"open'), ("a = 1\nb = '''open\nc = 2\n", "'''open"),
                         ('a = 1\nb = """open\nc = 2\n', '"""open')):  # fmt: skip
        path = tmp_path / "x.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            TomlDoc(path, ConfigError)
        assert (caught.value.line, caught.value.column) == where(text, needle), text
        assert "never closed" in caught.value.message


def test_a_string_in_a_comment_is_not_an_unclosed_string(tmp_path):
    text = "# it's fine\na = @\n"
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        TomlDoc(path, ConfigError)
    assert (caught.value.line, caught.value.column) == where(text, "@")


def test_a_position_inside_a_string_value(tmp_path):
    text = 'a = 1\nformula = """\n  x / y"""\nplain = "p / q"\n'
    positions = Positions.of(None, text)
    assert positions.in_string(("formula",), "  x / y", 4) == where(text, "/ y")
    assert positions.in_string(("plain",), "p / q", 2) == where(text, "/ q")
    assert positions.in_string(("plain",), "not the text", 2) == (4, None)  # escapes: the line only


@pytest.mark.parametrize("separator", SEPARATORS)
def test_csv_records_end_at_newlines_only(tmp_path, separator):
    text = f"id,name,x\na,A{separator}B,1\nb,B,2\n"
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    rows = read_csv(path)
    assert [(r.line, r.fields) for r in rows] == [(1, ["id", "name", "x"]), (2, ["a", f"A{separator}B", "1"]),
                                                  (3, ["b", "B", "2"])]  # fmt: skip


@pytest.mark.parametrize(
    "text, needle, what",
    [
        ('id,name,x\na,"A,1\nb,B,2\n', '"A', "never closed"),
        ('id,name,x\na,A,1\nb,"B,2\n', '"B', "never closed"),
        ('id,name,x\na,"A"x,1\n', "x,1", "after a closing quote"),
    ],
)
def test_csv_quoting_errors_point_where_they_go_wrong(tmp_path, text, needle, what):
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_csv(path)
    assert (caught.value.line, caught.value.column) == where(text, needle)
    assert what in caught.value.message


def test_a_quoted_field_over_two_lines_keeps_the_lines_of_what_follows(tmp_path):
    text = 'id,name,x\na,"two\nlines",1\nb,B,oops\n'
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    rows = read_csv(path)
    assert [r.line for r in rows] == [1, 2, 4]


def test_tables_show_control_characters_of_the_data_escaped():
    from trustindex.render import Column, render_table

    columns = [Column("name", "Name")]
    text = render_table("table", columns, [{"name": "Evil\x1b[2J\x9bname"}], ["Attribution: a\nb\x07"])
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    assert "Evil\\x1b[2J\\x9bname" in text and "Attribution: a\nb\\x07" in text
