"""The jp-prefectures update from 2020 to 2021 as ``trustindex check`` reports it.

The baseline is a file: the shipped panel without its 2021 rows, as the release before the update held
it (2012-2020), given with ``--base-file``. ``check`` reads it with the current dataset.toml whose years
it sets to the years the file has, so the report shows the update itself: one year of 47 rows added, no
revision of 2012-2020, and every prefecture's score and rank in 2021 against 2020. The expected ranks and
scores are worked out here from the published counts with the formulas written out by hand, min-max
normalisation and plain means (the jp-settlement profile), not by trustindex.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from test_check_support import check, check_json, findings, line_of

DATASET = Path(__file__).resolve().parents[1] / "datasets" / "jp-prefectures"

STABLE = ["n_permanent_resident", "n_special_permanent_resident", "n_spouse_or_child_of_japanese_national",
          "n_spouse_or_child_of_permanent_resident", "n_long_term_resident"]  # fmt: skip
TEMPORARY = ["n_technical_intern_training_1a", "n_technical_intern_training_1b", "n_technical_intern_training_2a",
             "n_technical_intern_training_2b", "n_technical_intern_training_3a", "n_technical_intern_training_3b",
             "n_specified_skilled_worker_i"]  # fmt: skip
PROFESSIONAL = ["n_engineer_specialist_humanities_intl_services", "n_engineer", "n_specialist_humanities_intl_services",
                "n_highly_skilled_professional_1a", "n_highly_skilled_professional_1b",
                "n_highly_skilled_professional_1c", "n_highly_skilled_professional_2", "n_professor", "n_researcher",
                "n_instructor", "n_business_manager", "n_investor_business_manager", "n_legal_accounting_services",
                "n_medical_services", "n_intra_company_transferee", "n_nursing_care"]  # fmt: skip


def _rows() -> list[dict]:
    with open(DATASET / "values.csv", encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _n(row: dict, name: str) -> float:
    return float(row[name]) if row[name].strip() else 0.0  # a status that did not exist that year counts as 0


def naive_index(year: int) -> dict[str, tuple[int, float]]:
    """Rank and index score of every prefecture in ``year``, by hand."""
    by_year = {}
    for row in _rows():
        by_year.setdefault(int(row["year"]), {})[row["pref_code"]] = row
    now, before = by_year[year], by_year[year - 1]
    raw = {}
    for code, r in now.items():
        total = _n(r, "n_total")
        raw[code] = {
            "stable": 100 * sum(_n(r, c) for c in STABLE) / total,
            "family": 100 * _n(r, "n_dependent") / total,
            "temporary": 100 * sum(_n(r, c) for c in TEMPORARY) / total,
            "professional": 100 * sum(_n(r, c) for c in PROFESSIONAL) / total,
            "per_1000": 1000 * total / (_n(r, "pop_japanese") + _n(r, "pop_foreign")),
            "student": 100 * _n(r, "n_student") / total,
            "growth": 100 * (total - _n(before[code], "n_total")) / _n(before[code], "n_total"),
        }
    scores = {}
    for name in raw[next(iter(raw))]:
        low, high = min(v[name] for v in raw.values()), max(v[name] for v in raw.values())
        for code, v in raw.items():
            scaled = 100 * (v[name] - low) / (high - low)
            scores.setdefault(code, {})[name] = 100 - scaled if name == "temporary" else scaled
    index = {}
    for code, s in scores.items():
        stability = (s["stable"] + s["family"]) / 2
        labour = (s["temporary"] + s["professional"]) / 2
        presence = (s["per_1000"] + s["student"] + s["growth"]) / 3
        index[code] = (stability + labour + presence) / 3
    return {c: (1 + sum(round(t, 9) > round(v, 9) for t in index.values()), v) for c, v in index.items()}


@pytest.fixture(scope="module")
def base_file(tmp_path_factory) -> Path:
    """The shipped panel without 2021: the release before the update."""
    path = tmp_path_factory.mktemp("jp") / "values-2012-2020.csv"
    lines = (DATASET / "values.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    year = lines[0].split(",").index("year")
    path.write_text("".join(lines[:1] + [s for s in lines[1:] if s.split(",")[year] != "2021"]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(base_file):
    doc, result = check_json(str(DATASET), "--base-file", str(base_file))
    assert result.exit_code == 0, result.stdout
    return doc


def test_the_update_adds_one_year_and_revises_nothing(report):
    [dataset] = report["datasets"]
    changes = dataset["changes"]
    assert changes["years_added"] == [2021] and changes["rows_added"] == 47
    assert changes["cells_changed"] == 0 and changes["entities_added"] == changes["entities_removed"] == []
    [added] = findings(report, "year-added")
    text = (DATASET / "values.csv").read_text(encoding="utf-8")
    assert added["line"] == line_of(text, "01,北海道,Hokkaido,2021")
    assert not findings(report, severity="error")


def test_scores_and_ranks_2020_against_2021(report):
    [scores] = report["datasets"][0]["scores"]
    assert (scores["profile"], scores["base_year"], scores["year"]) == ("jp-settlement", 2020, 2021)
    before, after = naive_index(2020), naive_index(2021)
    assert len(scores["moves"]) == 47
    for move in scores["moves"]:
        code = move["entity"]
        assert (move["base_rank"], move["rank"]) == (before[code][0], after[code][0])
        assert move["base_score"] == pytest.approx(before[code][1], abs=1e-9)
        assert move["score"] == pytest.approx(after[code][1], abs=1e-9)
    expected = {c for c in before if abs(before[c][0] - after[c][0]) > 3}
    assert {f["entity"] for f in findings(report, "rank-shift")} == expected
    assert {f["entity"] for f in findings(report, "score-change")} == {
        c for c in before if abs(after[c][1] - before[c][1]) > 10
    }


def test_the_text_report_reads_as_a_change_report(base_file):
    result = check(str(DATASET), "--base-file", str(base_file))
    assert result.exit_code == 0
    text = result.stdout
    before, after = naive_index(2020), naive_index(2021)
    code = max(before, key=lambda c: (abs(before[c][0] - after[c][0]), abs(after[c][1] - before[c][1])))
    shift = before[code][0] - after[code][0]
    assert "year 2021 of 2012-2021" in text and "(year 2020)" in text
    assert "years: +2021" in text and "rows: 47 added, 0 removed" in text and "cells changed: 0" in text
    summary = next(line for line in text.splitlines() if line.startswith("Scores under jp-settlement (2020 → 2021)"))
    assert f"largest rank shift {code} " in summary and f"({shift:+d})" in summary
    table = text[text.index(summary) :].splitlines()
    assert table[1].split() == ["ID", "Entity", "Base", "rank", "Rank", "Shift", "Base", "score", "Score", "Change"]
    first = table[3].split()
    assert first[0] == code and (int(first[2]), int(first[3])) == (before[code][0], after[code][0])
    assert float(first[6]) == pytest.approx(after[code][1], abs=0.05)
    assert not math.isnan(float(first[5]))
