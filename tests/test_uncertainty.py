"""trustindex.uncertainty: determinism, rank statistics against naive recomputations, the design of runs against
the ordinary pipeline, progress and cancellation, and the specifications that vary nothing.

Runs are recomputed independently of the summary: the same uniforms (same seed, same sampler) decoded by the
Design and scored by the engine, then ranked and summarised here by plain Python loops; correlations come from
scipy.stats. The discrete choices of a run are checked against ``trustindex.pipeline.score``.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

import trustindex.uncertainty as uncertainty_module
from trustindex.batches import Cancelled
from trustindex.engine import Engine
from trustindex.errors import ConfigError
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation, Imputation, Normalisation, Spec, Treatment, WeightSpec
from trustindex.pipeline import score
from trustindex.uncertainty import LATTICE, Design, uncertainty

ROOT = Path(__file__).resolve().parents[1]
NAN = float("nan")


def shipped(name: str) -> tuple:
    dataset = load_dataset(ROOT / "datasets" / name)
    return dataset, load_weights(ROOT / "weights" / f"{dataset.default_weights or 'balanced'}.toml")


@pytest.fixture(scope="module")
def default():
    dataset, profile = shipped("coexistence-regimes")
    return dataset, profile, Engine(dataset, profile)


@pytest.fixture(scope="module")
def asem():
    dataset, profile = shipped("asem")
    return dataset, profile, Engine(dataset, profile)


def naive_ranks(scores) -> list[float]:
    """Competition ranks of one run by a plain loop: 1 + how many score higher (NaN unranked)."""
    out = []
    for s in scores:
        if math.isnan(s):
            out.append(NAN)
        else:
            out.append(1.0 + sum(1 for t in scores if not math.isnan(t) and t > s + 1e-9 * max(1.0, abs(s))))
    return out


def recompute(engine: Engine, spec: Spec, seed: int) -> np.ndarray:
    """The scores of every run of ``uncertainty(engine, spec, seed)``, from the same uniforms."""
    design = Design(engine, spec)
    u = design.sampler(np.random.default_rng(seed), spec.runs).draw(spec.runs)
    return design.evaluate(*design.decode(u))[0]


def per_batch(monkeypatch, engine: Engine, spec: Spec, runs: int) -> None:
    """Make every batch of an analysis of ``spec`` on ``engine`` hold ``runs`` runs."""
    monkeypatch.setattr(uncertainty_module, "ELEMENTS_PER_BATCH", runs * Design(engine, spec).cost())


def inverted_cdf(values: list[float], q: float) -> float:
    """The smallest value whose share of values at or below it reaches q."""
    values = sorted(values)
    for v in values:
        if sum(1 for w in values if w <= v) / len(values) >= q - 1e-12:
            return v
    raise AssertionError


def linear_percentile(values: list[float], q: float) -> float:
    """numpy's default percentile: linear interpolation between order statistics at q·(N − 1)."""
    values = sorted(values)
    h = q * (len(values) - 1)
    low = math.floor(h)
    high = min(low + 1, len(values) - 1)
    return values[low] + (h - low) * (values[high] - values[low])


# --- determinism ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["sobol", "random"])
def test_same_seed_same_result_other_seed_other_result(default, sampler):
    engine = default[2]
    spec = Spec(runs=200, sampler=sampler)
    first, again, other = uncertainty(engine, spec, 1), uncertainty(engine, spec, 1), uncertainty(engine, spec, 2)
    assert np.array_equal(first.counts, again.counts)
    assert first.entities == again.entities
    assert (first.mean_shift, first.spearman, first.kendall) == (again.mean_shift, again.spearman, again.kendall)
    assert first.seed == 1 and other.seed == 2
    assert not np.array_equal(first.counts, other.counts) or first.entities != other.entities


@pytest.mark.parametrize("sampler", ["sobol", "random"])
def test_chunks_merge_exactly(default, monkeypatch, sampler):
    # rule 3: partial results merge exactly, so the batch size changes nothing but the order of float sums
    engine = default[2]
    spec = Spec(runs=300, sampler=sampler)
    whole = uncertainty(engine, spec, 5)
    per_batch(monkeypatch, engine, spec, 7)
    chunked = uncertainty(engine, spec, 5)
    assert np.array_equal(whole.counts, chunked.counts)
    assert [(e.entity, e.median_rank, e.low_rank, e.high_rank, e.top_k) for e in whole.entities] == [
        (e.entity, e.median_rank, e.low_rank, e.high_rank, e.top_k) for e in chunked.entities
    ]
    for a, b in zip(whole.scales, chunked.scales, strict=True):
        np.testing.assert_allclose(a.mean, b.mean, rtol=1e-12)
        np.testing.assert_array_equal(a.low, b.low)  # histograms: counts, exact
        np.testing.assert_array_equal(a.high, b.high)
    assert whole.mean_shift == pytest.approx(chunked.mean_shift, rel=1e-12)
    assert whole.spearman == pytest.approx(chunked.spearman, abs=1e-12)
    assert whole.kendall == pytest.approx(chunked.kendall, abs=1e-12)


# --- rank statistics against naive recomputation -------------------------------------------------------------


@pytest.mark.parametrize("name, runs", [("coexistence-regimes", 256), ("asem", 128)])
def test_rank_statistics_against_naive_recomputation(name, runs):
    dataset, profile = shipped(name)
    engine = Engine(dataset, profile)
    spec = Spec(runs=runs, top_k=3)
    result = uncertainty(engine, spec, 11)
    scores = recompute(engine, spec, 11)
    ranks = np.array([naive_ranks(list(row)) for row in scores])
    nominal = naive_ranks(list(score(dataset, profile).index_scores()))
    n = len(dataset.entities)
    assert result.runs == runs and result.counts.shape == (n, n)
    shifts = []
    for i, e in enumerate(result.entities):
        column = [r for r in ranks[:, i] if not math.isnan(r)]
        # counts: a histogram of the recomputed ranks; with the unranked runs they add up to the runs
        histogram = [sum(1 for r in column if r == k + 1) for k in range(n)]
        assert result.counts[i].tolist() == histogram
        assert result.counts[i].sum() + round(e.unranked * runs) == runs
        assert e.nominal_rank == nominal[i]
        assert e.median_rank == inverted_cdf(column, 0.5)
        assert e.low_rank == inverted_cdf(column, 0.05)
        assert e.high_rank == inverted_cdf(column, 0.95)
        assert e.top_k == pytest.approx(sum(1 for r in column if r <= 3) / runs)
        values = [float(v) for v in scores[:, i]]
        assert e.mean_score == pytest.approx(sum(values) / len(values), rel=1e-12)
        # score percentiles come from a histogram on a lattice of LATTICE × the score scale: within one cell
        cell = LATTICE * Design(engine, spec).span() + 1e-12
        assert abs(e.low_score - linear_percentile(values, 0.05)) <= cell
        assert abs(e.high_score - linear_percentile(values, 0.95)) <= cell
        shifts += [abs(r - nominal[i]) for r in column]
    assert result.mean_shift == pytest.approx(sum(shifts) / len(shifts))


def test_correlations_against_scipy(asem):
    from scipy.stats import kendalltau, spearmanr

    dataset, profile, engine = asem
    spec = Spec(runs=48)
    result = uncertainty(engine, spec, 3)
    scores = recompute(engine, spec, 3)
    nominal = score(dataset, profile).index_scores()
    rho, tau = [], []
    for row in scores:
        ranks = naive_ranks(list(row))
        assert len(set(ranks)) == len(ranks)  # no ties here: Spearman on competition ranks is Spearman's rho
        rho.append(spearmanr(ranks, naive_ranks(list(nominal))).statistic)
        tau.append(kendalltau(row, nominal).statistic)  # tau-b of the scores is tau-b of their ranks
    assert result.spearman == pytest.approx(np.mean(rho), abs=1e-12)
    assert result.kendall == pytest.approx(np.mean(tau), abs=1e-12)


def test_dominant_entities_hold_their_ranks():
    # "top" beats everyone on every indicator and "bottom" loses everywhere: no weight and no mean moves them
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"}, goalposts=(0, 100))
    values = [[95, 90, 99, 92], [50, 40, 60, 45], [42, 55, 48, 52], [5, 8, 3, 10]]
    dataset = make_dataset(framework, values, ["top", "m1", "m2", "bottom"])
    engine = Engine(dataset, make_weights(method="goalposts"))
    result = uncertainty(engine, Spec(runs=256), 4)
    by = {e.entity: e for e in result.entities}
    assert (by["top"].low_rank, by["top"].median_rank, by["top"].high_rank) == (1, 1, 1)
    assert (by["bottom"].low_rank, by["bottom"].median_rank, by["bottom"].high_rank) == (4, 4, 4)
    assert result.counts[0].tolist() == [256, 0, 0, 0] and result.counts[3].tolist() == [0, 0, 0, 256]
    assert by["top"].top_k == 1.0 and by["bottom"].top_k == 0.0


def test_unranked_entities_are_counted_apart():
    # "gap" has only indicator a; leaving a out leaves it without a score in those runs
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q", "c": "Q"}, goalposts=(0, 100))
    dataset = make_dataset(framework, [[90, 95, 20], [50, 40, 60], [45, 50, 55], [10, NAN, NAN]])
    engine = Engine(dataset, make_weights(method="goalposts", min_coverage=0))
    spec = Spec(runs=200, sampler="random", weights=None, aggregation=(), leave_out=("a",))
    result = uncertainty(engine, spec, 8)
    scores = recompute(engine, spec, 8)
    gap = result.entities[3]
    assert gap.unranked == pytest.approx(np.isnan(scores[:, 3]).mean())
    assert 0 < gap.unranked < 1
    assert result.counts.sum(axis=1).tolist() == [200 - round(e.unranked * 200) for e in result.entities]


# --- what a run is -------------------------------------------------------------------------------------------


def test_discrete_choices_are_the_pipeline_with_those_choices(asem):
    dataset, profile, engine = asem
    normalisations = (Normalisation("minmax", (1.0, 100.0)), Normalisation("zscore", mean=10.0, sd=2.0))
    aggregations = (Aggregation("arithmetic"), Aggregation("geometric"))
    treatments = (("none", 5), ("winsorise", 2))
    imputations = ("none", "mean")
    spec = Spec(runs=40, sampler="random", weights=None, normalisation=normalisations, aggregation=aggregations,
                treatment=treatments, imputation=imputations)  # fmt: skip
    design = Design(engine, spec)
    u = np.random.default_rng(9).random((spec.runs, design.dimensions))
    weights, picks = design.decode(u)
    scores, _ = design.evaluate(weights, picks)
    assert set(picks) == {"normalisation", "aggregation", "treatment", "imputation"}
    index = profile.aggregation_for("index")
    seen = set()
    for r in range(spec.runs):
        n, a, t, i = (int(picks[k][r]) for k in ("normalisation", "aggregation", "treatment", "imputation"))
        seen.add((n, a, t, i))
        at_index = dataclasses.replace(aggregations[a], min_coverage=index.min_coverage)
        choice = dataclasses.replace(
            profile,
            normalisation=normalisations[n],
            aggregation={**profile.aggregation, "index": at_index},
            treatment=Treatment(*treatments[t]),
            imputation=Imputation(imputations[i]),
        )
        np.testing.assert_allclose(scores[r], score(dataset, choice).index_scores(), rtol=1e-9, atol=1e-9)
    assert len(seen) > 8  # the mixed-radix decoding reaches most of the 16 combinations


def test_leave_one_out_runs(default):
    dataset, profile, engine = default
    spec = Spec(runs=64, sampler="random", weights=None, aggregation=(), leave_out=("support", "tax_link"))
    scores = recompute(engine, spec, 2)
    nominal = score(dataset, profile).index_scores()
    without = {
        node: score(dataset, dataclasses.replace(profile, weights={**profile.weights, node: 0.0})).index_scores()
        for node in ("support", "tax_link")
    }
    kinds = []
    for row in scores:
        matches = [k for k, v in (("none", nominal), *without.items()) if np.allclose(row, v, rtol=1e-12)]
        assert len(matches) == 1
        kinds.append(matches[0])
    assert set(kinds) == {"none", "support", "tax_link"}  # each run leaves out none or one of them


def test_weight_distributions(default):
    engine = default[2]
    pillars = [engine.nodes.index(p) for p in ("management", "connectivity", "support", "explainability")]
    rng = np.random.default_rng(0)
    uniform = Design(engine, Spec(weights=WeightSpec("uniform", 0.25, levels=("pillar",)), aggregation=()))
    w = uniform.weights(rng.random((2000, uniform.dimensions)))
    assert ((w[:, pillars] >= 0.75) & (w[:, pillars] <= 1.25)).all()  # nominal 1 each, ±25 %
    assert w[:, pillars].min() < 0.76 and w[:, pillars].max() > 1.24
    untouched = [c for c in range(1, len(engine.nodes)) if c not in pillars]
    assert (w[:, untouched] == engine.nominal[untouched]).all()
    for distribution in ("simplex", "dirichlet"):
        design = Design(engine, Spec(weights=WeightSpec(distribution, levels=("pillar",)), aggregation=()))
        w = design.weights(rng.random((4000, design.dimensions)))[:, pillars]
        np.testing.assert_allclose(w.sum(axis=1), 4.0)  # shares of the nominal total
        assert (w > 0).all()
        # equal nominal weights: each share averages 1/4 (Dirichlet(1,1,1,1) or Dirichlet(25,25,25,25))
        np.testing.assert_allclose(w.mean(axis=0) / 4, 0.25, atol=0.01)


# --- progress and cancellation -------------------------------------------------------------------------------


def test_progress_fractions_end_at_one(default, monkeypatch):
    per_batch(monkeypatch, default[2], Spec(runs=450), 100)
    seen = []
    uncertainty(default[2], Spec(runs=450), 1, progress=seen.append)
    assert seen == pytest.approx([100 / 450, 200 / 450, 300 / 450, 400 / 450, 1.0])
    assert seen[-1] == 1.0


def test_cancelled_raises(default, monkeypatch):
    per_batch(monkeypatch, default[2], Spec(runs=450), 100)
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 2

    with pytest.raises(Cancelled, match="after 200 of 450"):
        uncertainty(default[2], Spec(runs=450), 1, cancelled=cancelled)
    with pytest.raises(Cancelled):
        uncertainty(default[2], Spec(runs=10), 1, cancelled=lambda: True)


# --- specifications that vary nothing ------------------------------------------------------------------------

ONE_INDICATOR_PILLARS = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q"}, goalposts=(0, 100))


@pytest.mark.parametrize(
    "spec, message",
    [
        (Spec(normalisation=(Normalisation(),)), "normalisation has a single alternative"),
        (Spec(aggregation=(Aggregation("geometric"),)), "aggregation has a single alternative"),
        (Spec(weights=None, aggregation=(), treatment=(("winsorise", 5),)), "treatment has a single alternative"),
        (Spec(weights=None, aggregation=(), imputation=("mean",)), "imputation has a single alternative"),
        (Spec(weights=WeightSpec(spread=0.0)), "spread of 0 varies nothing"),
        (Spec(aggregation_levels=("sub-pillar",)), "combines two components at no level of"),
        (Spec(leave_out=("suport",)), "cannot leave out 'suport'"),
        (Spec(weights=None, aggregation=()), "nothing is uncertain"),
        (Spec(weights=WeightSpec(levels=("sub-pillar",))), "no group of two weighted components at the level"),
        (Spec(sampler="halton"), "unknown sampler"),
    ],
)
def test_specifications_without_effect_are_errors(default, spec, message):
    with pytest.raises(ConfigError, match=message):
        uncertainty(default[2], spec, 1)


def test_aggregation_alternatives_where_nothing_combines_two():
    # each pillar has one indicator: pillar-level aggregation alternatives cannot change anything
    engine = Engine(make_dataset(ONE_INDICATOR_PILLARS, [[1, 2], [3, 4], [5, 1]]), make_weights(method="goalposts"))
    with pytest.raises(ConfigError, match="combines two components at no level of"):
        Design(engine, Spec(aggregation_levels=("pillar",)))
    with pytest.raises(ConfigError, match="no group of two weighted components at the level"):
        Design(engine, Spec(weights=WeightSpec(levels=("indicator",)), aggregation=()))
    Design(engine, Spec(aggregation_levels=("index",)))  # the index does combine two


# --- zeros under a geometric alternative, and weights of a tree without pillars --------------------------


def _worst_on_a_pillar():
    """e2 is the worst on P's only indicator (min–max 0 there); Q's two indicators run against each other, so
    every entity has 50 on Q: only e2's geometric index is forced to 0."""
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q", "c": "Q"})
    return Engine(make_dataset(framework, [[10, 1, 3], [20, 2, 2], [5, 3, 1]]), make_weights())


def test_a_zero_forced_by_the_geometric_alternative_is_said_once_with_the_entity():
    result = uncertainty(_worst_on_a_pillar(), Spec(runs=8), seed=1)
    [notice] = result.notices
    assert notice.entities == ("e2",) and "geometric mean of 'index' is 0 because 'P' scores 0" in notice.message


def test_zeros_of_two_components_of_one_mean_are_one_notice_naming_both():
    # e0 is the worst on P's only indicator, e1 on Q's: each has one pillar at 0, so both geometric means are 0
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "Q"})
    engine = Engine(make_dataset(framework, [[1, 5], [5, 1], [3, 3]]), make_weights())
    [notice] = uncertainty(engine, Spec(runs=8), seed=1).notices
    assert "is 0 because 'P' or 'Q' scores 0" in notice.message and notice.entities == ("e0", "e1")


def test_no_notice_when_every_alternative_is_arithmetic():
    spec = Spec(runs=8, aggregation=())
    assert uncertainty(_worst_on_a_pillar(), spec, seed=1).notices == ()


def test_a_tree_without_pillars_varies_its_indicator_weights_by_default():
    framework = make_framework({}, {"a": "index", "b": "index", "c": "index"})
    engine = Engine(make_dataset(framework, [[1, 2, 3], [3, 1, 2], [2, 3, 1]]), make_weights())
    design = Design(engine, Spec(runs=8))
    assert [sorted(engine.nodes[c] for c in group) for group in design.varying] == [["a", "b", "c"]]
    with pytest.raises(ConfigError, match="no weights vary"):
        Design(engine, Spec(runs=8, weights=WeightSpec(levels=("pillar",))))
