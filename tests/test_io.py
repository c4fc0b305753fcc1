"""trustindex.io: CSV columns for error messages, atomic output, and how names resolve to shipped files."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustindex.errors import ConfigError, DataError
from trustindex.io import output as output_module
from trustindex.io.output import write_output
from trustindex.io.registry import (
    DEFAULT_DATASET,
    DEFAULT_WEIGHTS,
    dataset_names,
    resolve_dataset,
    resolve_weights,
    shipped_root,
    weights_names,
)
from trustindex.io.table import field_column, read_csv

ROOT = Path(__file__).resolve().parents[1]


# --- field_column ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "index", "column"),
    [
        ("a,b,c", 0, 1),
        ("a,b,c", 1, 3),
        ("a,b,c", 2, 5),
        ("abc,de,f", 2, 8),
        (",,x", 2, 3),
        ("a,b,", 2, 5),  # an empty last field starts just past the line
        ('"a,b",c', 1, 7),
        ('x,"a,b",c', 2, 9),
        ('x,"say ""hi"", twice",c', 2, len('x,"say ""hi"", twice",') + 1),
        ('x,"""",c', 2, 8),  # a field holding one quote
        ('x,"",c', 2, 6),  # an empty quoted field
        ('x,"a\nb",c', 2, 9),
        ('x,O"Brien,c', 2, len('x,O"Brien,') + 1),  # a quote inside an unquoted field is literal
        ('x,a"b"c,d', 2, len('x,a"b"c,') + 1),
        ("Tōkyō,東京都,1", 2, 11),  # columns count characters, not bytes
    ],
)
def test_field_column(raw, index, column):
    assert field_column(raw, index) == column


def test_field_column_agrees_with_the_csv_module_on_literal_quotes():
    raw = 'x,O"Brien,"a,""b""",7'
    fields = next(csv.reader([raw], strict=True))
    assert fields == ["x", 'O"Brien', 'a,"b"', "7"]
    assert raw[field_column(raw, 3) - 1 :] == "7"


def _encode(field: str) -> str:
    """Quote a CSV field the way csv.writer's QUOTE_MINIMAL does."""
    if any(c in field for c in ',"\r\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


@given(st.lists(st.text(alphabet=st.characters(exclude_characters="\r\n\x00"), max_size=8), min_size=2, max_size=8))
def test_field_column_finds_every_field_start(fields):
    encoded = [_encode(f) for f in fields]
    raw = ",".join(encoded)
    assert next(csv.reader([raw], strict=True)) == fields
    for j in range(len(fields)):
        start = len(",".join(encoded[:j]) + ("," if j else ""))
        assert field_column(raw, j) == start + 1
        assert raw[start:].startswith(encoded[j])


def test_read_csv_reports_line_numbers_and_raw_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,name\n\na,"A, Inc."\nb,B\n', encoding="utf-8")
    rows = read_csv(path)
    assert [(r.line, r.fields) for r in rows] == [(1, ["id", "name"]), (3, ["a", "A, Inc."]), (4, ["b", "B"])]
    assert rows[1].raw == 'a,"A, Inc."\n'


def test_read_csv_malformed_quoting(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,name\na,"A" Inc\n', encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_csv(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 2


# --- write_output ------------------------------------------------------------------------------


def test_write_output_to_stdout(capsys, tmp_path):
    write_output("a,b\n", "-")
    write_output("c\n", None)
    assert capsys.readouterr().out == "a,b\nc\n"
    assert list(tmp_path.iterdir()) == []


def test_write_output_creates_the_file(tmp_path):
    target = tmp_path / "out.csv"
    write_output("x,y\n1,2\n", str(target))
    assert target.read_bytes() == b"x,y\n1,2\n"
    assert list(tmp_path.iterdir()) == [target]


def test_write_output_replaces_the_whole_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("a much longer old content\n" * 1000, encoding="utf-8")
    write_output("short\n", str(target))
    assert target.read_text(encoding="utf-8") == "short\n"
    assert list(tmp_path.iterdir()) == [target]


def test_write_output_keeps_unicode_and_newlines(tmp_path):
    target = tmp_path / "out.md"
    write_output("東京都 · Ōsaka\r\nline\n", str(target))
    assert target.read_bytes() == "東京都 · Ōsaka\r\nline\n".encode()


def test_write_output_is_atomic_when_the_rename_fails(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("previous\n", encoding="utf-8")

    def refuse(source, destination):
        # At the moment of the rename the new text sits complete in a temporary file beside the target.
        assert Path(source).parent == tmp_path
        assert Path(source).read_text(encoding="utf-8") == "new\n"
        assert target.read_text(encoding="utf-8") == "previous\n"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output_module.os, "replace", refuse)
    with pytest.raises(ConfigError) as caught:
        write_output("new\n", str(target))
    assert caught.value.path == str(target)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert list(tmp_path.iterdir()) == [target]


def test_write_output_leaves_nothing_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"

    def interrupt(source, destination):
        raise KeyboardInterrupt

    monkeypatch.setattr(output_module.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_output("new\n", str(target))
    assert list(tmp_path.iterdir()) == []


def test_write_output_never_overwrites_an_input(tmp_path):
    source = tmp_path / "weights.toml"
    source.write_text("schema = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        write_output("oops\n", str(source), protect=(tmp_path / "other.csv", None, source))
    assert caught.value.path == str(source)
    assert source.read_text(encoding="utf-8") == "schema = 1\n"
    assert list(tmp_path.iterdir()) == [source]


def test_write_output_never_overwrites_an_input_through_a_link(tmp_path):
    source = tmp_path / "values.csv"
    source.write_text("id\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    with pytest.raises(ConfigError):
        write_output("oops\n", str(link), protect=(source,))
    assert source.read_text(encoding="utf-8") == "id\n"


def test_write_output_into_a_missing_folder(tmp_path):
    with pytest.raises(ConfigError, match="folder"):
        write_output("x\n", str(tmp_path / "missing" / "out.csv"))


def test_write_output_onto_a_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError, match="folder"):
        write_output("x\n", str(tmp_path / "sub"))
    assert list((tmp_path / "sub").iterdir()) == []


def test_write_output_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_output("x\n", "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "x\n"
    assert list(tmp_path.iterdir()) == [tmp_path / "out.csv"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_write_output_file_mode_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_output("x\n", str(tmp_path / "out.csv"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o644


# --- registry ----------------------------------------------------------------------------------


def test_shipped_root_holds_datasets_and_weights():
    root = shipped_root()
    assert (root / "datasets").is_dir() and (root / "weights").is_dir()


def test_shipped_names():
    assert DEFAULT_DATASET in dataset_names()
    assert dataset_names() == sorted(p.parent.name for p in (ROOT / "datasets").glob("*/dataset.toml"))
    assert weights_names() == sorted(p.stem for p in (ROOT / "weights").glob("*.toml"))
    assert {"balanced", "management-first", "integration-first", "market-first", "welfare-first"} <= set(
        weights_names()
    )


def test_defaults_resolve_to_the_shipped_files():
    assert resolve_dataset(None).resolve() == (ROOT / "datasets" / DEFAULT_DATASET).resolve()
    assert resolve_weights(None).resolve() == (ROOT / "weights" / f"{DEFAULT_WEIGHTS}.toml").resolve()
    with pytest.raises(ConfigError, match="empty"):
        resolve_weights("")  # an empty name is a mistake, not the default


@pytest.mark.parametrize("name", ["balanced", "management-first", "welfare-first"])
def test_weights_by_name(name):
    assert resolve_weights(name).resolve() == (ROOT / "weights" / f"{name}.toml").resolve()


def test_dataset_by_name():
    assert resolve_dataset("coexistence-regimes").resolve() == (ROOT / "datasets" / "coexistence-regimes").resolve()


def test_paths_pass_through_even_when_missing(tmp_path):
    # A path is returned as given: reading it later reports the missing file with its name.
    assert resolve_dataset(str(tmp_path / "nope")) == tmp_path / "nope"
    assert resolve_weights(str(tmp_path / "nope.toml")) == tmp_path / "nope.toml"
    assert resolve_weights("mine.toml") == Path("mine.toml")
    assert resolve_dataset("./mine") == Path("mine")


def test_a_local_path_is_used_as_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text("schema = 1\n", encoding="utf-8")
    assert resolve_weights("mine.toml") == Path("mine.toml")


def test_unknown_weights_name_suggests_the_closest():
    with pytest.raises(ConfigError) as caught:
        resolve_weights("managment-first")
    assert caught.value.exit_code == 2
    assert caught.value.hint == "did you mean 'management-first'?"


def test_unknown_weights_name_lists_the_shipped_ones():
    with pytest.raises(ConfigError) as caught:
        resolve_weights("zzz")
    assert "balanced" in caught.value.hint and "welfare-first" in caught.value.hint


def test_unknown_dataset_name_suggests_the_closest():
    with pytest.raises(ConfigError) as caught:
        resolve_dataset("coexistence")
    assert caught.value.exit_code == 2  # a name is usage, as the README's table says
    assert caught.value.hint == "did you mean 'coexistence-regimes'?"
