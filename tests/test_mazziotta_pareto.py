"""The Mazziotta–Pareto index (MPI) and its adjusted form (AMPI), from their published definitions.

Mazziotta & Pareto (2016, Social Indicators Research 127) define, for unit i and m indicators:
MPI: z_ij = 100 ± 10 (x_ij − M_j) / S_j with the indicator's mean and population sd (sign: polarity);
AMPI: r_ij = (x_ij − Inf_j) / (Sup_j − Inf_j) · 60 + 70 against goalposts (reversed for negative polarity).
Both: M_i and S_i the mean and (population) sd of the unit's normalised values, cv_i = S_i / M_i, and the
index of a positive phenomenon M_i − S_i · cv_i. The weighted form (Mazziotta & Pareto 2022, RIEDS) takes the
weighted mean and weighted sd. Every expected value here is computed from those formulas in plain Python
(``statistics``) or by hand; none is read from trustindex.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import make_dataset, make_framework, make_weights

from trustindex.cli import cli
from trustindex.engine import Engine
from trustindex.explain import contributions
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation, Spec
from trustindex.pipeline import score
from trustindex.uncertainty import Design

ROOT = Path(__file__).resolve().parents[1]

# five units, three indicators (the third lower-is-better), goalposts for the AMPI
RAW = [
    [12.0, 0.40, 30.0],
    [18.0, 0.55, 22.0],
    [9.0, 0.35, 41.0],
    [15.0, 0.70, 25.0],
    [20.0, 0.50, 35.0],
]
POLARITY = [1, 1, -1]
GOALPOSTS = [(5.0, 25.0), (0.2, 0.8), (15.0, 45.0)]


def naive_penalised(values: list[float], weights: list[float] | None = None) -> float:
    """M − S·cv of one unit's normalised values (S the population sd, both weighted when weights are given)."""
    weights = weights or [1.0] * len(values)
    total = sum(weights)
    mean = sum(w * v for w, v in zip(weights, values, strict=True)) / total
    sd = math.sqrt(sum(w * (v - mean) ** 2 for w, v in zip(weights, values, strict=True)) / total)
    return mean - sd * (sd / mean)


def naive_mpi() -> list[float]:
    columns = list(zip(*RAW, strict=True))
    z = [[100 + 10 * s * (x - statistics.mean(c)) / statistics.pstdev(c) for x, c, s in zip(row, columns, POLARITY,
                                                                                          strict=True)]
         for row in RAW]  # fmt: skip
    return [naive_penalised(row) for row in z]


def naive_ampi() -> list[float]:
    out = []
    for row in RAW:
        r = [((x - lo) if s > 0 else (hi - x)) / (hi - lo) * 60 + 70 for x, s, (lo, hi) in zip(row, POLARITY, GOALPOSTS,
                                                                                           strict=True)]  # fmt: skip
        out.append(naive_penalised(r))
    return out


def flat(sd_basis="sample", **kwargs):
    """The three indicators in one pillar, penalised there; the index is that one pillar."""
    framework = make_framework({"p": None}, {"a": "p", "b": "p", "c": "p"}, direction={"c": -1},
                               goalposts=dict(zip("abc", GOALPOSTS, strict=True)))  # fmt: skip
    levels = {"pillar": Aggregation("mazziotta-pareto", min_coverage=0.0)}
    profile = make_weights(levels=levels, min_coverage=0.0, **kwargs)
    return make_dataset(framework, RAW), replace(profile, normalisation=replace(profile.normalisation,
                                                                                 sd_basis=sd_basis))  # fmt: skip


def test_hand_example():
    # components 110, 90, 100: M = 100, S² = (100 + 100 + 0)/3 = 200/3, so M − S²/M = 100 − 2/3
    framework = make_framework({"p": None}, {"a": "p", "b": "p", "c": "p"}, goalposts=(0.0, 1000.0))
    dataset = make_dataset(framework, [[110.0, 90.0, 100.0], [100.0, 100.0, 100.0]])
    levels = {"pillar": Aggregation("mazziotta-pareto", min_coverage=0.0)}
    profile = make_weights(method="goalposts", range=(0.0, 1000.0), min_coverage=0.0, levels=levels)
    assert score(dataset, profile).index_scores() == pytest.approx([100 - 2 / 3, 100.0], rel=1e-12)
    # weighted 2, 1, 1: M = 410/4 = 102.5, S² = (2·7.5² + 12.5² + 2.5²)/4 = 68.75, score 102.5 − 68.75/102.5
    weighted = score(dataset, make_weights({"a": 2.0}, method="goalposts", range=(0.0, 1000.0), min_coverage=0.0,
                                           levels=levels))  # fmt: skip
    assert weighted.index_scores()[0] == pytest.approx(102.5 - 68.75 / 102.5, rel=1e-12)


def test_mpi_from_the_published_definition():
    dataset, profile = flat(method="zscore", mean=100.0, sd=10.0, sd_basis="population")
    result = score(dataset, profile)
    np.testing.assert_allclose(result.index_scores(), naive_mpi(), rtol=1e-12)
    # the penalty only lowers: below the arithmetic mean of the same z-scores, by S²/M
    assert np.all(result.index_scores() < result.scores[:, result.column("p")] + 1e-9)


def test_ampi_from_the_published_definition():
    dataset, profile = flat(method="goalposts", range=(70.0, 130.0))
    np.testing.assert_allclose(score(dataset, profile).index_scores(), naive_ampi(), rtol=1e-12)
    scaled = flat(method="scaled", range=(70.0, 130.0))  # the unclipped rescaling: the same inside the goalposts
    np.testing.assert_allclose(score(*scaled).index_scores(), naive_ampi(), rtol=1e-12)


def test_a_missing_component_is_left_out_with_its_weight():
    dataset, profile = flat(method="goalposts", range=(70.0, 130.0))
    values = np.array(dataset.values)
    values[1, 0] = np.nan
    result = score(make_dataset(dataset.framework, values), profile)
    lo, hi = GOALPOSTS[1]
    r_b = (RAW[1][1] - lo) / (hi - lo) * 60 + 70
    lo, hi = GOALPOSTS[2]
    r_c = (hi - RAW[1][2]) / (hi - lo) * 60 + 70
    assert result.index_scores()[1] == pytest.approx(naive_penalised([r_b, r_c]), rel=1e-12)


def test_batched_runs_equal_one_scoring_each():
    # the engine scores many weight vectors at once; each run equals the pipeline with those weights
    dataset, profile = flat(method="goalposts", range=(70.0, 130.0))
    engine = Engine(dataset, profile)
    runs = np.tile(engine.nominal, (3, 1))
    for r, (wa, wb) in enumerate([(1.0, 1.0), (3.0, 1.0), (0.5, 2.0)]):
        runs[r, engine.nodes.index("a")], runs[r, engine.nodes.index("b")] = wa, wb
    got = engine.scores(runs, engine.nominal_variant())
    for r, (wa, wb) in enumerate([(1.0, 1.0), (3.0, 1.0), (0.5, 2.0)]):
        expected = []
        for row in RAW:
            values = [((x - lo) if s > 0 else (hi - x)) / (hi - lo) * 60 + 70
                      for x, s, (lo, hi) in zip(row, POLARITY, GOALPOSTS, strict=True)]  # fmt: skip
            expected.append(naive_penalised(values, [wa, wb, 1.0]))
        np.testing.assert_allclose(got[r], expected, rtol=1e-12)


def test_contributions_sum_to_the_score_on_the_shipped_profile():
    dataset = load_dataset(ROOT / "datasets" / "coexistence-regimes")
    result = score(dataset, load_weights(ROOT / "weights" / "balance-penalised.toml"))
    for entity in dataset.entities:
        found = contributions(result, entity)
        i = result.entities.index(entity)
        assert found.values[0] == pytest.approx(result.scores[i, 0] - found.baseline_score, abs=1e-9)
        pillars = [result.nodes.index(p) for p in ("management", "connectivity", "support", "explainability")]
        assert sum(found.values[pillars]) == pytest.approx(found.values[0], abs=1e-9)


def test_shipped_profile_penalises_japans_imbalance_by_hand():
    # Japan's four pillars, each the arithmetic mean of its indicators on goalposts [0, 100] → [70, 130]
    dataset = load_dataset(ROOT / "datasets" / "coexistence-regimes")
    result = score(dataset, load_weights(ROOT / "weights" / "balance-penalised.toml"))
    i = dataset.entities.index("japan")
    pillars = []
    for pillar in ("management", "connectivity", "support", "explainability"):
        ks = [k for k, ind in enumerate(dataset.framework.indicators) if ind.parent == pillar]
        pillars.append(statistics.mean(float(dataset.values[i, k]) * 0.6 + 70 for k in ks))
    assert result.scores[i, 0] == pytest.approx(naive_penalised(pillars), rel=1e-12)
    assert result.scores[i, 0] < statistics.mean(pillars) - 1  # Japan's strong management does not buy off the rest


def test_an_uncertainty_alternative_is_the_pipeline_with_it():
    dataset, profile = flat(method="goalposts", range=(70.0, 130.0))
    engine = Engine(dataset, profile)
    spec = Spec(runs=8, sampler="random", weights=None, aggregation=(Aggregation("arithmetic"),
                Aggregation("mazziotta-pareto")), aggregation_levels=("pillar",))  # fmt: skip
    design = Design(engine, spec)
    weights, picks = design.decode(np.random.default_rng(3).random((spec.runs, design.dimensions)))
    scores, _ = design.evaluate(weights, picks)
    for r in range(spec.runs):
        expected = naive_ampi() if picks["aggregation"][r] == 1 else None
        if expected is None:
            expected = [statistics.mean(((x - lo) if s > 0 else (hi - x)) / (hi - lo) * 60 + 70
                                        for x, s, (lo, hi) in zip(row, POLARITY, GOALPOSTS, strict=True))
                        for row in RAW]  # fmt: skip
        np.testing.assert_allclose(scores[r], expected, rtol=1e-12)
    assert set(picks["aggregation"]) == {0, 1}


def test_negative_pillar_scores_are_refused_by_a_penalised_index():
    # z-scores of mean 0 are negative for half the field: the index's M − S²/M is not defined there
    framework = make_framework({"p": None, "q": None}, {"a": "p", "b": "q"})
    dataset = make_dataset(framework, [[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
    profile = make_weights(method="zscore", levels={"index": Aggregation("mazziotta-pareto")})
    with pytest.raises(Exception, match="mazziotta-pareto aggregation of 'index' needs non-negative scores"):
        score(dataset, profile)


@pytest.mark.parametrize("command", [["score"], ["explain", "japan"], ["audit"], ["stability"],
                                     ["uncertainty", "--runs", "64", "--seed", "1", "--quiet"],
                                     ["sensitivity", "--samples", "64", "--seed", "1", "--quiet"]])  # fmt: skip
def test_every_analysis_takes_the_shipped_profile(command):
    done = CliRunner().invoke(cli, [*command, "--weights", "balance-penalised", "-f", "json"])
    assert done.exit_code == 0, done.output
    assert "mazziotta-pareto" in done.stdout
