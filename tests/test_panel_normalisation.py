"""``[normalisation] over = "panel"``: bounds and moments from every year, so scores compare across years.

A small panel written here; the expected scores are worked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.engine import Engine
from trustindex.errors import ConfigError
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Normalisation, Spec
from trustindex.pipeline import score
from trustindex.uncertainty import Design

DATASET = """\
schema = 1
name = "towns"
years = [2020, 2021]

[entity]
year_column = "year"

[index]
id = "idx"

[pillars.p]
label = "Pillar"

[indicators.a]
parent = "p"
direction = "higher"

[indicators.b]
parent = "p"
direction = "lower"
"""
VALUES = "id,name,year,a,b\nX,X,2020,0,10\nY,Y,2020,5,20\nZ,Z,2020,10,30\nX,X,2021,4,10\nY,Y,2021,6,15\nZ,Z,2021,8,40\n"
PANEL = 'schema = 1\n[aggregation]\nmin_coverage = 0\n[normalisation]\nmethod = "minmax"\nover = "panel"\n'


def folder(tmp_path: Path) -> Path:
    (tmp_path / "dataset.toml").write_text(DATASET, encoding="utf-8")
    (tmp_path / "values.csv").write_text(VALUES, encoding="utf-8")
    return tmp_path


def profile(tmp_path: Path, text: str = PANEL) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scores_of_two_years_share_one_scale(tmp_path):
    folder(tmp_path)
    weights = load_weights(profile(tmp_path))
    later = score(load_dataset(tmp_path, 2021), weights)
    earlier = score(load_dataset(tmp_path, 2020), weights)
    # a over 0..10 in both years; b (lower is better) over 10..40: (40 − b) / 30
    a = {"X": (0, 4), "Y": (5, 6), "Z": (10, 8)}
    b = {"X": (10, 10), "Y": (20, 15), "Z": (30, 40)}
    for entity in "XYZ":
        for result, year in ((earlier, 0), (later, 1)):
            i = result.entities.index(entity)
            expected = (10 * a[entity][year] + 100 * (40 - b[entity][year]) / 30) / 2
            assert result.index_scores()[i] == pytest.approx(expected, rel=1e-12)
    # X's b is 10 in both years: the same normalised score, whatever the other entities did
    assert earlier.scores[0, earlier.column("b")] == later.scores[0, later.column("b")] == 100


def test_within_the_year_by_default(tmp_path):
    folder(tmp_path)
    result = score(load_dataset(tmp_path, 2021), load_weights(profile(tmp_path, PANEL.replace('over = "panel"\n', ""))))
    np.testing.assert_allclose(result.scores[:, result.column("a")], [0, 50, 100])


def test_errors_name_the_line(tmp_path):
    single = tmp_path / "single"
    single.mkdir()
    (single / "dataset.toml").write_text(DATASET.replace('years = [2020, 2021]\n\n[entity]\nyear_column = "year"\n',
                                                         ""), encoding="utf-8")  # fmt: skip
    (single / "values.csv").write_text("id,name,a,b\nX,X,0,10\nY,Y,5,20\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["score", "--data", str(single), "--weights", str(profile(tmp_path))])
    assert done.exit_code == 2 and f"{tmp_path / 'p.toml'}:6:1: over = 'panel' needs a panel dataset" in done.stderr
    with pytest.raises(ConfigError, match="over = 'panel' has no effect with method 'goalposts'") as caught:
        load_weights(profile(tmp_path, 'schema = 1\n[normalisation]\nmethod = "goalposts"\nover = "panel"\n'))
    assert caught.value.line == 4
    with pytest.raises(ConfigError, match=r"unknown over 'panle' \(did you mean 'panel'"):
        load_weights(profile(tmp_path, 'schema = 1\n[normalisation]\nover = "panle"\n'))


def test_an_uncertainty_alternative_is_the_pipeline_with_it(tmp_path):
    folder(tmp_path)
    dataset = load_dataset(tmp_path, 2021)
    weights = load_weights(profile(tmp_path, PANEL.replace('over = "panel"\n', "")))
    alternatives = (Normalisation("minmax"), Normalisation("minmax", over="panel"))
    design = Design(Engine(dataset, weights), Spec(runs=8, sampler="random", weights=None, aggregation=(),
                                                   normalisation=alternatives))  # fmt: skip
    chosen, picks = design.decode(np.random.default_rng(2).random((8, design.dimensions)))
    scores, _ = design.evaluate(chosen, picks)
    for r in range(8):
        nominal = alternatives[picks["normalisation"][r]]
        expected = score(dataset, load_weights(profile(tmp_path, PANEL if nominal.over == "panel" else
                                                       PANEL.replace('over = "panel"\n', ""))))  # fmt: skip
        np.testing.assert_allclose(scores[r], expected.index_scores(), rtol=1e-12)
    assert set(picks["normalisation"]) == {0, 1}
