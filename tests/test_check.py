"""``trustindex check`` on a sequence of commits in a temporary git repository.

Each scenario is a branch from the 2022 update of the ``demo`` dataset (see test_check_support.py) and is
checked against ``main``, as a pull request would be. Lines, columns, ranks and scores are worked out here
from the text the test wrote and by the hand scorer ``naive_ranks``, never read back from the tool.
"""

from __future__ import annotations

import json
import re

import pytest
from test_check_support import (
    ENTITIES,
    INDICATORS,
    VALUES,
    WEIGHTS,
    check,
    check_json,
    column_of,
    copy_values,
    csv_text,
    dataset_toml,
    findings,
    has_git,
    line_of,
    make_repo,
    naive_ranks,
    rows,
)

pytestmark = pytest.mark.skipif(not has_git(), reason="git is not installed")
YEARS = [2020, 2021, 2022]
CLOSING = re.compile(r"^(\d+) passed, (\d+) failed \(", re.M)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo, base, update = make_repo(tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    repo.base, repo.update = base, update
    return repo


def branch_with(repo, name: str, values: dict | None = None, table: list | None = None, toml: str | None = None,
                text: str | None = None) -> None:  # fmt: skip
    """A branch from the 2022 update with new values (or a table, or raw CSV text) and dataset.toml."""
    repo.branch(name, repo.update)
    if text is None:
        text = csv_text(table if table is not None else rows(values or VALUES, YEARS))
    repo.write(toml, text)
    repo.commit(name)


def rules_of(doc, severity=None) -> set[str]:
    return {f["rule"] for f in findings(doc, severity=severity)}


# --- a valid yearly update --------------------------------------------------------------------------


def test_a_valid_yearly_update_passes_with_a_change_report(repo):
    repo.git("checkout", "-q", "main")
    doc, result = check_json("--base", repo.base, "--fail-on", "warning")
    assert result.exit_code == 0, result.stdout
    assert not findings(doc, severity="error") and not findings(doc, severity="warning")
    [added] = findings(doc, "year-added")
    text = repo.values
    first = line_of(text, "AUT,Austria,2022")
    year_column = len("AUT,Austria,") + 1
    assert (added["file"], added["line"], added["column"]) == ("datasets/demo/values.csv", first, year_column)
    assert added["values"] == {"year": 2022, "rows": len(ENTITIES)}
    [dataset] = doc["datasets"]
    assert dataset["changes"]["rows_added"] == len(ENTITIES) and dataset["changes"]["cells_changed"] == 0
    assert dataset["changes"]["years_added"] == [2022]
    assert (dataset["year"], dataset["base"]["year"]) == (2022, 2021)
    # Every profile of the framework is compared ("other" is of another framework); ranks as worked out by hand.
    assert [s["profile"] for s in dataset["scores"]] == ["demo", "demo-a"]
    for scores in dataset["scores"]:
        before = naive_ranks(VALUES[2021], WEIGHTS[scores["profile"]])
        after = naive_ranks(VALUES[2022], WEIGHTS[scores["profile"]])
        for move in scores["moves"]:
            assert (move["base_rank"], move["rank"]) == (before[move["entity"]][0], after[move["entity"]][0])
            assert move["score"] == pytest.approx(after[move["entity"]][1], abs=1e-9)
            assert move["base_score"] == pytest.approx(before[move["entity"]][1], abs=1e-9)
    failed = dataset["checks"]["failed"]
    assert failed == [] and doc["summary"]["failed"] == 0 and doc["exit_code"] == 0


def test_text_report_ends_with_passed_and_failed(repo):
    result = check("--base", repo.base)
    assert result.exit_code == 0
    last = result.stdout.strip().splitlines()[-1]
    match = CLOSING.match(last)
    assert match and int(match.group(2)) == 0
    assert "Changes against" in result.stdout and "years: +2022" in result.stdout
    assert "Scores under demo (2021 → 2022)" in result.stdout


def test_data_names_a_dataset_as_the_argument_does(repo):
    named, argument = check_json("--data", "demo"), check_json("demo")
    assert named[1].exit_code == argument[1].exit_code == 0
    assert [d["path"] for d in named[0]["datasets"]] == [d["path"] for d in argument[0]["datasets"]] != []


# --- an out-of-range value ---------------------------------------------------------------------------


def test_an_out_of_range_value_is_an_error_at_its_cell(repo):
    values = copy_values()
    deu = [e for e, _ in ENTITIES].index("DEU")
    values[2022][deu][1] = 120  # a2, goalposts [0, 100]
    branch_with(repo, "out-of-range", values)
    doc, result = check_json("--base", "main")
    assert result.exit_code == 1
    [error] = findings(doc, severity="error")
    line = line_of(repo.values, "DEU,Germany,2022")
    column = column_of(repo.values.splitlines()[line - 1], 4)  # iso3, country, year, a1, a2
    assert (error["rule"], error["line"], error["column"]) == ("beyond-goalposts", line, column)
    assert error["values"] == {"value": 120, "low": 0, "high": 100, "year": 2022}
    # The base has 2022 too: the cell is a revision of a published value, old → new.
    [revision] = findings(doc, "revision")
    assert (revision["line"], revision["column"], revision["values"]["old"], revision["values"]["new"]) == (
        line, column, "55", "120")  # fmt: skip
    assert doc["datasets"][0]["checks"]["failed"] == ["beyond-goalposts"]


def test_github_annotations_point_at_the_cell(repo):
    values = copy_values()
    values[2022][0][0] = -5  # AUT a1
    branch_with(repo, "negative", values)
    result = check("--base", "main", "-f", "github")
    assert result.exit_code == 1
    line = line_of(repo.values, "AUT,Austria,2022")
    column = column_of(repo.values.splitlines()[line - 1], 3)
    expected = (f"::error file=datasets/demo/values.csv,line={line},col={column},title=trustindex check%3A "
                f"beyond-goalposts (demo)::a1 of AUT in 2022 is -5%2C outside its goalposts [0%2C 100]")  # fmt: skip
    # In a message only %, CR and LF are escaped: the comma stays.
    expected = expected.replace("-5%2C outside its goalposts [0%2C 100]", "-5, outside its goalposts [0, 100]")
    assert expected in result.stdout.splitlines()
    assert CLOSING.match(result.stdout.strip().splitlines()[-1])


# --- a duplicate entity ------------------------------------------------------------------------------


def test_a_duplicate_entity_is_an_error_on_its_second_line(repo):
    table = rows(VALUES, YEARS)
    first = next(i for i, r in enumerate(table) if r[0] == "DEU" and r[2] == "2022")
    table.append(list(table[first]))
    branch_with(repo, "duplicate", table=table)
    doc, result = check_json("--base", "main")
    assert result.exit_code == 1
    [error] = findings(doc, severity="error")
    assert (error["rule"], error["line"], error["column"]) == ("duplicate-entity", len(table), 1)
    assert f"first on line {first + 1}" in error["message"]
    assert any("not scored" in note for note in doc["datasets"][0]["notes"])


def test_an_entity_code_that_is_not_iso3_is_an_error(repo):
    table = rows(VALUES, YEARS)
    table[-1][0] = "Swe"
    branch_with(repo, "bad-code", table=table)
    doc, result = check_json()
    assert result.exit_code == 1
    [error] = findings(doc, "entity-id")
    assert (error["line"], error["column"]) == (len(table), 1)
    # SWE still has rows for 2020 and 2021: in 2022 it would vanish, but its row is only malformed.
    assert not findings(doc, "vanished-entity")


# --- a dropped indicator -----------------------------------------------------------------------------


def test_an_indicator_dropped_from_the_values_is_a_missing_column(repo):
    kept = [i for i in ["a1", "a2", "a3", "b1", "b2", "b3"] if i != "b3"]
    branch_with(repo, "drop-column", table=rows(VALUES, YEARS, kept))
    doc, result = check_json("--base", "main")
    assert result.exit_code == 1
    [error] = findings(doc, severity="error")
    assert (error["rule"], error["line"], error["node"]) == ("missing-column", 1, "b3")


def test_an_indicator_dropped_from_data_and_metadata_is_reported_as_removed(repo):
    kept = ["a1", "a2", "a3", "b1", "b2"]
    branch_with(repo, "drop-indicator", table=rows(VALUES, YEARS, kept), toml=dataset_toml(YEARS, kept))
    doc, result = check_json("--base", "main")
    assert result.exit_code == 0  # a warning: fails only with --fail-on warning
    [removed] = findings(doc, "indicator-removed")
    assert removed["severity"] == "warning" and removed["node"] == "b3"
    assert doc["datasets"][0]["changes"]["indicators_removed"] == ["b3"]
    assert check("--base", "main", "--fail-on", "warning").exit_code == 1


# --- a change that reshuffles the top ranks -----------------------------------------------------------


def test_a_reshuffle_of_the_top_is_flagged_with_rank_shifts(repo):
    values = copy_values()
    swe = [e for e, _ in ENTITIES].index("SWE")
    values[2022][swe] = [25, 25, 25, 25, 75, 25]  # the leader falls to the bottom
    branch_with(repo, "reshuffle", values)
    doc, result = check_json("--base", "main")
    assert result.exit_code == 0
    assert check("--base", "main", "--fail-on", "warning").exit_code == 1
    for profile, weights in WEIGHTS.items():
        before, after = naive_ranks(VALUES[2022], weights), naive_ranks(values[2022], weights)
        expected = {e for e in before if abs(before[e][0] - after[e][0]) > 3}
        flagged = {f["entity"] for f in findings(doc, "rank-shift") if f["values"]["profile"] == profile}
        assert flagged == expected and "SWE" in expected
        top_before = sorted((r, e) for e, (r, _) in before.items() if r <= 3)
        top_after = sorted((r, e) for e, (r, _) in after.items() if r <= 3)
        [top] = [f for f in findings(doc, "top-change") if f["values"]["profile"] == profile]
        assert (top["values"]["base"], top["values"]["now"]) == ([e for _, e in top_before], [e for _, e in top_after])
        changed = {e for e in before if abs(after[e][1] - before[e][1]) > 10}
        assert {f["entity"] for f in findings(doc, "score-change") if f["values"]["profile"] == profile} == changed
    line = line_of(repo.values, "SWE,Sweden,2022")
    assert {(f["line"], f["node"]) for f in findings(doc, "revision")} == {(line, i) for i in INDICATORS}
    shift = next(f for f in findings(doc, "rank-shift") if f["entity"] == "SWE")
    assert (shift["line"], shift["column"]) == (line, 1)


# --- a malformed CSV ---------------------------------------------------------------------------------


def test_a_malformed_csv_is_unreadable_with_its_line(repo):
    text = rows(VALUES, YEARS)
    raw = csv_text(text).replace("FRA,France,2022", 'FRA,"France"x,2022')
    branch_with(repo, "malformed", text=raw)
    result = check("--base", "main", "-f", "github")
    assert result.exit_code == 3
    line = line_of(raw, 'FRA,"France"x')
    [annotation] = [s for s in result.stdout.splitlines() if s.startswith("::")]
    column = len('FRA,"France"') + 1  # the text after the closing quote
    head = f"::error file=datasets/demo/values.csv,line={line},col={column},title=trustindex check%3A readable"
    assert annotation.startswith(head)
    assert "malformed CSV" in annotation


def test_a_row_with_an_extra_field_is_unreadable(repo):
    table = rows(VALUES, YEARS)
    table[5].append("7")
    branch_with(repo, "extra-field", table=table)
    doc, result = check_json("--base", "main")
    assert result.exit_code == 3
    [error] = findings(doc, severity="error")
    assert (error["rule"], error["line"]) == ("readable", 6)
    assert doc["datasets"][0]["unreadable"] is True


# --- weights, bases and usage ------------------------------------------------------------------------


def test_a_weights_change_moves_scores_against_the_base_profile(repo):
    repo.branch("weights", repo.update)
    (repo.root / "weights" / "demo.toml").write_text(
        (repo.root / "weights" / "demo.toml").read_text().replace("\na = 1\n", "\na = 9\n"), encoding="utf-8"
    )
    repo.commit("weights: pillar a counts 9 times")
    doc, result = check_json("--base", "main")
    [scores] = [s for s in doc["datasets"][0]["scores"] if s["profile"] == "demo"]
    before, after = naive_ranks(VALUES[2022], {"a": 1, "b": 1}), naive_ranks(VALUES[2022], {"a": 9, "b": 1})
    for move in scores["moves"]:
        assert (move["base_rank"], move["rank"]) == (before[move["entity"]][0], after[move["entity"]][0])
    assert doc["datasets"][0]["changes"]["cells_changed"] == 0


def copy_dataset(repo, name: str):
    other = repo.root / "datasets" / name
    other.mkdir()
    for item in ("dataset.toml", "values.csv", "SOURCES.md"):
        (other / item).write_bytes((repo.folder / item).read_bytes())
    return other


def test_a_broken_weights_profile_fails_once(repo):
    copy_dataset(repo, "copy")
    (repo.root / "weights" / "demo-a.toml").write_text('schema = 1\nname = "demo-a"\nframewrk = "demo"\n')
    doc, result = check_json()  # both datasets under ./datasets
    assert result.exit_code == 1 and len(doc["datasets"]) == 2
    [error] = findings(doc, "profile")
    assert error["file"] == "weights/demo-a.toml" and error["line"] == 3 and "framewrk" in error["message"]


def test_a_new_dataset_has_no_base_and_says_so(repo):
    copy_dataset(repo, "copy")
    doc, result = check_json("datasets/copy", "--base", "main")
    assert result.exit_code == 0
    assert any("new dataset" in note for note in doc["datasets"][0]["notes"])
    assert doc["datasets"][0]["changes"] is None


def test_an_unknown_revision_is_a_usage_error(repo):
    result = check("--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-branch'" in result.stderr and result.stdout == ""


def test_base_and_base_file_together_are_a_usage_error(repo, tmp_path):
    result = check("--base", "main", "--base-file", str(tmp_path))
    assert result.exit_code == 2


def test_a_missing_base_file_is_unreadable_input(repo, tmp_path):
    result = check("--base-file", str(tmp_path / "nope.csv"))
    assert result.exit_code == 3 and "no such file" in result.stderr


def test_a_values_file_as_base(repo, tmp_path):
    old = tmp_path / "old.csv"
    old.write_text(csv_text(rows(VALUES, [2020, 2021])), encoding="utf-8")
    doc, result = check_json("datasets/demo/values.csv", "--base-file", str(old))
    assert result.exit_code == 0
    [dataset] = doc["datasets"]
    assert dataset["changes"]["years_added"] == [2022] and dataset["base"]["year"] == 2021


def test_the_step_summary_is_appended(repo, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("before\n", encoding="utf-8")
    result = check("--base", "main", "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("before\n# trustindex check")
    assert CLOSING.search(text.replace("**", ""))


def test_json_carries_provenance(repo):
    doc, _ = check_json("--base", "main")
    import trustindex

    assert doc["tool"] == "trustindex" and doc["version"] == trustindex.__version__ and doc["command"] == "check"
    assert re.fullmatch(r"[0-9a-f]{64}", doc["datasets"][0]["digest"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", s["digest"]) for s in doc["datasets"][0]["scores"])
    assert doc["base"] == {"label": "main", "kind": "git"}
    json.dumps(doc)  # plain JSON throughout


# --- small n, named profiles, no profile ------------------------------------------------------------


def test_eight_entities_lead_with_the_small_n_note_and_gate_only_with_notices(repo):
    doc, result = check_json()
    [dataset] = doc["datasets"]
    assert dataset["notes"][0].startswith(f"Only {len(ENTITIES)} entities: correlations, Cronbach's alpha and PCA")
    gated = [f for f in dataset["findings"] if f["rule"] in ("alpha", "correlation", "new-correlation")]
    assert all(f["severity"] == "notice" for f in gated)


def test_weights_names_the_profiles_checked(repo):
    doc, result = check_json("--weights", "demo-a")
    assert result.exit_code == 0, result.output
    assert doc["datasets"][0]["profiles"] == ["demo-a"]
    doc, _ = check_json("--weights", "demo-a", "-w", str(repo.root / "weights" / "demo.toml"))
    assert doc["datasets"][0]["profiles"] == ["demo", "demo-a"]
    result = check("--weights", "nonesuch")
    assert result.exit_code == 2 and "no weights profile named 'nonesuch'" in result.stderr


def test_a_dataset_no_profile_fits_is_checked_under_equal_weights(repo):
    for path in (repo.root / "weights").glob("*.toml"):
        path.unlink()
    toml = repo.folder / "dataset.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('default_weights = "demo"\n', ""), encoding="utf-8")
    doc, result = check_json()
    [dataset] = doc["datasets"]
    assert dataset["profiles"] == ["equal"]
    assert any("scored with equal weights and the defaults" in note for note in dataset["notes"])
