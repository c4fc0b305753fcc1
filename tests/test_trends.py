"""``trustindex trends``: scores and ranks per year, and each change split exactly into its causes.

The small panel of test_panel_normalisation; the linear split is worked by hand (an arithmetic index moves by
each indicator's weight times its move), and every split is checked to sum to the change."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_panel_normalisation import DATASET, PANEL, VALUES, folder, profile

from trustindex.cli import cli
from trustindex.errors import ConfigError
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.pipeline import score
from trustindex.trends import trends

GEOMETRIC = PANEL + '[aggregation.index]\nmethod = "geometric"\n'
TWO_PILLARS = DATASET.replace(
    '[indicators.b]\nparent = "p"', '[pillars.q]\nlabel = "Q"\n\n[indicators.b]\nparent = "q"'
)


def results(tmp_path: Path, text: str = PANEL, toml: str = DATASET):
    (tmp_path / "dataset.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "values.csv").write_text(VALUES, encoding="utf-8")
    weights = load_weights(profile(tmp_path, text))
    return [score(load_dataset(tmp_path, y), weights) for y in (2020, 2021)]


def test_a_linear_index_moves_by_each_weight_times_each_move(tmp_path):
    trend = trends(results(tmp_path))
    # panel min-max: a over 0..10 (×10), b over 10..40 reversed; X: a 0 → 4 (+40), b 10 → 10 (0); Y: a 50 → 60,
    # b (40 − 20)/30 → (40 − 15)/30, i.e. +50/3; Z: a 100 → 80 (−20), b 1/3 → 0 (−100/3); each weighs 1/2
    expected = {"X": (20.0, 0.0), "Y": (5.0, 25 / 3), "Z": (-10.0, -50 / 3)}
    for e, entity in enumerate(trend.entities):
        a, b = (trend.contributions[e, trend.nodes.index(n)] for n in ("a", "b"))
        assert (a, b) == pytest.approx(expected[entity], abs=1e-12)
        assert trend.change[e] == pytest.approx(sum(expected[entity]), abs=1e-12)
    assert trend.years == (2020, 2021) and not [n for n in trend.notices if "within each year" in n.message]


def test_every_split_sums_to_the_change_under_a_nonlinear_index(tmp_path):
    trend = trends(results(tmp_path, GEOMETRIC, TWO_PILLARS))
    for e in range(len(trend.entities)):
        pillars = [trend.contributions[e, trend.nodes.index(n)] for n in ("p", "q")]
        assert sum(pillars) == pytest.approx(trend.change[e], abs=1e-9)
        assert trend.contributions[e, 0] == pytest.approx(trend.change[e], abs=1e-9)
    np.testing.assert_allclose(trend.scores[1] - trend.scores[0], trend.change)


def test_a_within_year_normalisation_is_flagged_and_copeland_refused(tmp_path):
    within = trends(results(tmp_path, PANEL.replace('over = "panel"\n', "")))
    assert any("within each year" in n.message for n in within.notices)
    with pytest.raises(ConfigError, match="Copeland"):
        trends(results(tmp_path, PANEL + '[aggregation.index]\nmethod = "copeland"\n', TWO_PILLARS))


def test_the_command(tmp_path):
    folder(tmp_path)
    path = profile(tmp_path)
    done = CliRunner().invoke(cli, ["trends", "--data", str(tmp_path), "--weights", str(path), "-f", "json"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert doc["years"] == [2020, 2021] and doc["command"] == "trends"
    x = next(e for e in doc["entities"] if e["id"] == "X")
    assert x["change"] == pytest.approx(20.0) and x["contributions"]["a"] == pytest.approx(20.0)
    table = CliRunner().invoke(cli, ["trends", "--data", str(tmp_path), "--weights", str(path)])
    assert table.exit_code == 0 and "Δ Pillar" in table.stdout and "Rank 2020→2021" in table.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "2020"], "use --from and --to, not --year"),
        (["--from", "2019"], "--from 2019: dataset 'towns' has no such year"),
        (["--from", "2021", "--to", "2021"], "spans fewer than two years"),
    ],
)
def test_bad_ranges_are_one_line_errors(tmp_path, args, message):
    folder(tmp_path)
    done = CliRunner().invoke(cli, ["trends", "--data", str(tmp_path), "--weights", str(profile(tmp_path)), *args])
    assert done.exit_code == 2 and message in done.stderr and done.stderr.count("\n") == 1


def test_a_cross_section_is_refused():
    done = CliRunner().invoke(cli, ["trends"])
    assert done.exit_code == 2 and "has no years" in done.stderr
