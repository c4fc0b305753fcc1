"""The indicator table: a dataset's tree and indicators as one row per node, COINr's iMeta as it is.

Expected scores are computed here by hand (min-max to 0-100 with directions, weighted arithmetic means), and the
frameworks a table declares are compared with the same dataset written as ``[indicators.*]`` tables of TOML.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from trustindex.cli import cli
from trustindex.errors import DataError
from trustindex.io.dataset import is_dataset_folder, load_dataset, read_metadata
from trustindex.io.weights import load_weights
from trustindex.pipeline import score

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "asem"

VALUES = """id,name,region,a,b,c
X,Ex,north,0,10,5
Y,Why,south,10,0,
Z,Zed,north,5,5,1
"""
HEADER = "id,label,parent,type,direction,weight,unit,source,year,goalposts,target,description,kind"
ROWS = [
    "idx,My index,,aggregate,,,,,,,,,",
    "p1,First,idx,aggregate,,,,,,,,,",
    "p2,Second,idx,aggregate,,,,,,,,,",
    "a,A,p1,indicator,higher,1,%,Pub A,2024,,,,",
    "b,B,p1,indicator,lower,1,%,Pub B,2024,,,,",
    "c,C,p2,indicator,higher,1,count,Pub C,2024,,,,",
    "region,Region,,column,,,,,,,,,text",
]


def make_table(changes: dict | None = None, drop: str | None = None, header: str = HEADER) -> str:
    """The table with cells changed (``{(row id, column): text}``) and a row dropped."""
    names = HEADER.split(",")
    rows = [r.split(",") for r in ROWS if r.split(",")[0] != drop]
    for (node, column), text in (changes or {}).items():
        row = next(r for r in rows if r[0] == node)
        row[names.index(column)] = text
    return "\n".join([header] + [",".join(r) for r in rows]) + "\n"


def cell(table: str, node: str, column: str) -> tuple[int, int]:
    """Line and column of a cell of ``table`` (no quoting in these tables)."""
    lines = table.split("\n")
    line = next(n for n, text in enumerate(lines, start=1) if text.split(",")[0] == node and n > 1)
    k = lines[0].split(",").index(column)
    fields = lines[line - 1].split(",")
    return line, 1 + sum(len(f) + 1 for f in fields[:k])


def folder(tmp_path: Path, values: str = VALUES, table: str | None = None, name: str = "mine") -> Path:
    out = tmp_path / name
    out.mkdir()
    (out / "values.csv").write_text(values, encoding="utf-8")
    (out / "indicators.csv").write_text(table if table is not None else make_table(), encoding="utf-8")
    return out


def equal_weights(tmp_path: Path) -> Path:
    path = tmp_path / "equal.toml"
    path.write_text('schema = 1\nname = "equal"\n[aggregation]\nmin_coverage = 0\n', encoding="utf-8")
    return path


def run(*argv):
    return CliRunner().invoke(cli, list(argv))


# --- a hand-computed golden ------------------------------------------------------------------------------------


def test_a_folder_with_values_and_an_indicator_table_scores_as_computed_by_hand(tmp_path):
    data = folder(tmp_path)
    assert is_dataset_folder(data)
    result = score(load_dataset(data), load_weights(equal_weights(tmp_path)))
    # min-max per indicator, b reversed: a → X 0, Y 100, Z 50; b (lower) → X 0, Y 100, Z 50; c → X 100, Z 0.
    # p1 = mean(a, b); p2 = c (Y missing); idx = mean(p1, p2) over what is present.
    expected = {"X": (0 + 100) / 2, "Y": 100.0, "Z": (50 + 0) / 2}
    got = dict(zip(result.entities, result.index_scores(), strict=True))
    assert got == pytest.approx(expected)
    dataset = result.dataset
    assert dataset.framework.index.label == "My index"
    assert [c.name for c in dataset.columns] == ["region"] and dataset.columns[0].kind == "text"
    assert dataset.framework.indicators[1].direction == -1
    assert dataset.name == "mine"


def test_table_weights_are_the_weights_where_the_profile_gives_none(tmp_path):
    data = folder(tmp_path, table=make_table({("a", "weight"): "3"}))
    dataset = load_dataset(data)
    assert dict(dataset.weights) == {"a": 3.0, "b": 1.0, "c": 1.0}
    result = score(dataset, load_weights(equal_weights(tmp_path)))
    # p1 = (3a + b) / 4: X (0 + 0)/4 = 0; Y (300 + 100)/4 = 100; Z (150 + 50)/4 = 50.
    got = dict(zip(result.entities, result.index_scores(), strict=True))
    assert got == pytest.approx({"X": (0 + 100) / 2, "Y": 100.0, "Z": (50 + 0) / 2})
    p1 = result.scores[:, result.column("p1")]
    assert list(p1) == pytest.approx([0.0, 100.0, 50.0])
    # a profile's own weight wins over the table's: a = 1 again makes p1 the plain mean
    profile = tmp_path / "own.toml"
    profile.write_text('schema = 1\nname = "own"\n[weights]\na = 1\nb = 3\n', encoding="utf-8")
    p1 = score(dataset, load_weights(profile)).scores[:, result.column("p1")]
    assert list(p1) == pytest.approx([(0 + 0) / 4, (100 + 300) / 4, (50 + 150) / 4])


def test_goalposts_as_one_cell_or_as_low_and_high(tmp_path):
    one = make_table({("a", "goalposts"): "0;20"})
    two = make_table({("a", "goalposts"): "0,20"}, header=HEADER.replace("goalposts", "low,high"))
    two = two.replace(",,,,\n", ",,,,,\n").replace(",,,,text\n", ",,,,,text\n")
    first = read_metadata(folder(tmp_path, table=one, name="one")).framework
    second = read_metadata(folder(tmp_path, table=two, name="two")).framework
    assert first.indicators[0].goalposts == (0.0, 20.0) == second.indicators[0].goalposts
    assert first == second


# --- the same dataset as TOML and as a table ---------------------------------------------------------------------


def _toml_form(ids, parents, directions, goalposts) -> str:
    lines = ['schema = 1\nname = "t"\n[index]\nid = "idx"\nlabel = "idx"']
    for pillar in sorted(set(parents)):
        lines.append(f'[pillars.{pillar}]\nlabel = "{pillar}"\nparent = "idx"')
    for iid, parent, direction, posts in zip(ids, parents, directions, goalposts, strict=True):
        lines.append(f'[indicators.{iid}]\nlabel = "{iid}"\nparent = "{parent}"\ndirection = "{direction}"')
        if posts:
            lines.append(f"goalposts = [{posts[0]}, {posts[1]}]")
    return "\n".join(lines) + "\n"


def _table_form(ids, parents, directions, goalposts, coinr: bool) -> str:
    head = "iCode,iName,Parent,Type,Direction,Level" if coinr else "id,label,parent,type,direction,goalposts"
    rows = [head, "idx,idx,,Aggregate,1,3" if coinr else "idx,idx,,aggregate,,"]
    for pillar in sorted(set(parents)):
        rows.append(f"{pillar},{pillar},idx,Aggregate,1,2" if coinr else f"{pillar},{pillar},idx,aggregate,,")
    for iid, parent, direction, posts in zip(ids, parents, directions, goalposts, strict=True):
        if coinr:
            rows.append(f"{iid},{iid},{parent},Indicator,{1 if direction == 'higher' else -1},1")
        else:
            rows.append(f"{iid},{iid},{parent},indicator,{direction},{f'{posts[0]};{posts[1]}' if posts else ''}")
    return "\n".join(rows) + "\n"


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_a_table_declares_the_framework_its_toml_form_does(tmp_path_factory, data):
    n = data.draw(st.integers(1, 6))
    ids = [f"i{k}" for k in range(n)]
    parents = data.draw(st.lists(st.sampled_from(["p", "q", "r"]), min_size=n, max_size=n))
    directions = data.draw(st.lists(st.sampled_from(["higher", "lower"]), min_size=n, max_size=n))
    coinr = data.draw(st.booleans())
    posts = [None] * n if coinr else data.draw(st.lists(st.one_of(st.none(), st.tuples(st.integers(-5, 0),
                                               st.integers(1, 9))), min_size=n, max_size=n))  # fmt: skip
    tmp = tmp_path_factory.mktemp("forms")
    values = "uCode,uName," if coinr else "id,name,"
    values += ",".join(ids) + "\n" + "\n".join(f"E{e},E{e}," + ",".join(str(e + k) for k in range(n))
                                               for e in range(3)) + "\n"  # fmt: skip
    (tmp / "toml").mkdir()
    (tmp / "toml" / "dataset.toml").write_text(
        _toml_form(ids, parents, directions, posts).replace(
            'name = "t"', 'name = "t"\n[entity]\nid_column = "uCode"\nname_column = "uName"' if coinr else 'name = "t"'
        )
    )
    (tmp / "toml" / "values.csv").write_text(values)
    (tmp / "table").mkdir()
    (tmp / "table" / "indicators.csv").write_text(_table_form(ids, parents, directions, posts, coinr))
    (tmp / "table" / "values.csv").write_text(values)
    from_toml, from_table = load_dataset(tmp / "toml"), load_dataset(tmp / "table")
    assert from_table.framework == from_toml.framework
    assert from_table.entities == from_toml.entities
    assert (from_table.values == from_toml.values).all()


def test_dataset_toml_may_name_an_indicator_table(tmp_path):
    data = folder(tmp_path)
    (data / "dataset.toml").write_text('schema = 1\nname = "named"\nindicators = "indicators.csv"\nlicence = "MIT"\n')
    dataset = load_dataset(data)
    assert dataset.name == "named" and dataset.licence == "MIT"
    assert [p.name for p in dataset.files] == ["dataset.toml", "indicators.csv", "values.csv"]
    (data / "dataset.toml").write_text('schema = 1\nindicators = "indicators.csv"\n\n[pillars.extra]\nlabel = "x"\n')
    with pytest.raises(DataError, match=r"\[pillars\] is given, but the tree is the indicator table's") as caught:
        load_dataset(data)
    assert caught.value.path.endswith("dataset.toml") and caught.value.line == 4


def test_is_dataset_folder(tmp_path):
    assert is_dataset_folder(ROOT / "datasets" / "asem")
    assert is_dataset_folder(folder(tmp_path))
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "values.csv").write_text(VALUES)
    assert not is_dataset_folder(tmp_path / "half")
    assert not is_dataset_folder(tmp_path / "nowhere")
    assert not is_dataset_folder(tmp_path / "half" / "values.csv")


# --- errors at their cell ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node", "column", "text", "message"),
    [
        ("a", "direction", "up", "direction must be 'higher' or 'lower', not 'up'"),
        ("a", "direction", "", "indicator 'a' has no direction"),
        ("a", "weight", "-1", "weight of 'a' is negative"),
        ("a", "weight", "1e7", "weight of 'a' is 1e+07, more than 1e+06"),
        ("a", "goalposts", "0-100", "goalposts must be two numbers 'low;high', not '0-100'"),
        ("a", "goalposts", "100;0", "goalposts must be [low, high] with low < high"),
        ("a", "target", "1e999", "target: '1e999' is beyond"),
        ("a", "parent", "p9", "parent 'p9' of 'a' is not a pillar or the index"),
        ("a", "type", "indicatr", "unknown type 'indicatr'"),
        ("a", "year", "20x4", "year must be a four-digit year"),
        ("a", "kind", "text", "kind does not apply to an indicator ('a')"),
        ("p2", "parent", "", "two aggregates without a parent ('idx' on line 2 and 'p2')"),
        ("p1", "direction", "-1", "aggregate 'p1' has a direction '-1'"),
        ("region", "weight", "1", "a column ('region') has no weight"),
    ],
)
def test_a_bad_cell_is_an_error_at_its_line_and_column(tmp_path, node, column, text, message):
    table = make_table({(node, column): text})
    with pytest.raises(DataError) as caught:
        load_dataset(folder(tmp_path, table=table))
    error = caught.value
    assert message in error.message, error
    assert (Path(error.path).name, error.line, error.column) == ("indicators.csv", *cell(table, node, column)), error


def test_an_id_twice_names_its_first_line(tmp_path):
    table = make_table({("b", "id"): "a"})
    with pytest.raises(DataError, match=r"id 'a' is used twice \(first on line 5\)") as caught:
        load_dataset(folder(tmp_path, table=table))
    assert (caught.value.line, caught.value.column) == (6, 1)


def test_unknown_header_suggests_the_known_one(tmp_path):
    data = folder(tmp_path, table=make_table(header=HEADER.replace("direction", "dirction")))
    with pytest.raises(
        DataError, match=r"unknown column 'dirction' in the indicator table \(did you mean 'direction'"
    ) as caught:
        load_dataset(data)
    assert (caught.value.line, caught.value.column) == (1, HEADER.index("direction") + 1)


def test_no_index_row_names_the_missing_parent(tmp_path):
    table = make_table(drop="idx")
    with pytest.raises(DataError, match=r"no row is the index.*add a row for 'idx'"):
        load_dataset(folder(tmp_path, table=table))


def test_a_value_column_the_table_does_not_declare(tmp_path):
    table = make_table(drop="region")
    with pytest.raises(DataError, match=r"column 'region' is not declared in indicators.csv \(give it a row") as caught:
        load_dataset(folder(tmp_path, table=table))
    assert (Path(caught.value.path).name, caught.value.line, caught.value.column) == ("values.csv", 1, 9)


# --- COINr's own files -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coinr():
    if not (SHARED / "asem_idata.csv").is_file():
        pytest.skip(f"COINr's files are not at {SHARED}")
    return SHARED / "asem_idata.csv", SHARED / "asem_imeta.csv"


def _index(argv) -> dict:
    result = run("score", *argv, "--weights", "asem", "-f", "json", "--level", "index")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return {e["id"]: (e["score"], e["rank"]) for e in doc["entities"]}


def test_coinr_files_score_the_index_of_the_shipped_asem(coinr):
    idata, imeta = coinr
    from_coinr = _index(["--data", str(idata), "--meta", str(imeta)])
    shipped = _index(["--data", "asem"])
    assert from_coinr.keys() == shipped.keys() and len(shipped) == 51
    for entity, (value, rank) in shipped.items():
        assert from_coinr[entity][0] == pytest.approx(value, abs=1e-12) and from_coinr[entity][1] == rank


def test_coinr_files_declare_what_coinr_says(coinr):
    idata, imeta = coinr
    dataset = load_dataset(idata, meta=imeta)
    framework = dataset.framework
    assert framework.index.id == "Index" and len(framework.indicators) == 49 and len(framework.pillars) == 10
    kinds = {c.name: c.kind for c in dataset.columns}
    assert kinds == {"GDP_group": "text", "GDPpc_group": "text", "Pop_group": "text", "EurAsia_group": "text",
                     "Area": "number", "Energy": "number", "GDP": "number", "Population": "number"}  # fmt: skip
    assert dataset.year == 2018 and dataset.years == (2018,)  # COINr's Time column
    assert dataset.names[dataset.entities.index("AUT")] == "Austria"
    assert set(dataset.weights.values()) == {1.0} and "Index" not in dataset.weights
    nodes = {i.id: i for i in framework.indicators}
    assert nodes["PubDebt"].direction == -1 and nodes["LPI"].target == 4.11803135 and nodes["LPI"].unit == "Score 1-5"
    assert dataset.name == "asem_idata"


@pytest.mark.parametrize("command", ["score", "explain", "compare", "importance", "audit", "uncertainty",
                                     "sensitivity", "stability", "tui"])  # fmt: skip
def test_every_command_with_data_accepts_meta(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "--meta FILE" in result.stdout


def test_meta_without_data_is_a_usage_error():
    result = run("score", "--meta", "x.csv")
    assert result.exit_code == 2 and "--meta needs --data naming the values file" in result.stderr


def test_values_alone_say_what_is_missing(tmp_path):
    (tmp_path / "values.csv").write_text(VALUES)
    result = run("score", "--data", str(tmp_path / "values.csv"))
    assert result.exit_code == 3
    assert "not a dataset (values need their indicator table: add --meta indicators.csv" in result.stderr


def test_check_reads_a_table_dataset_and_its_review_marks(tmp_path):
    lines = make_table().strip().split("\n")
    lines = [lines[0] + ",review"] + [line + ("," + "direction?" * line.startswith("a,")) for line in lines[1:]]
    data = folder(tmp_path, table="\n".join(lines) + "\n")
    assert load_dataset(data).notices[0].kind == "review"
    result = run("check", str(data), "-f", "json")
    doc = json.loads(result.stdout)
    [review] = [f for f in doc["datasets"][0]["findings"] if f["rule"] == "review"]
    assert review["severity"] == "warning" and review["file"].endswith("indicators.csv") and review["line"] == 5
    assert "1 row(s) of indicators.csv marked for review (a)" in review["message"]
    provenance = [f for f in doc["datasets"][0]["findings"] if f["rule"] == "provenance"]
    assert [f["message"] for f in provenance] == ["the dataset names no licence (add licence = ...)"]
