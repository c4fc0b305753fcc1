"""trustindex.rankstats: the accumulating summaries against scipy, numpy and hand-worked counts.

* Kendall tau-b (exact by bit sets up to 2048 ranked entities, one or several 64-bit words; sampled pairs above)
  against ``scipy.stats.kendalltau`` run by run, on the entities ranked in both rankings;
* Spearman against ``scipy.stats.spearmanr`` on the same entities;
* Histogram means against ``numpy.mean`` and quantiles against ``numpy.percentile`` (linear), whatever the
  split of the runs into batches;
* RankCounts quantiles by hand;
* ``uncertainty`` independent of its batch size for both samplers, and its memory independent of the runs.
"""

from __future__ import annotations

import dataclasses
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights
from scipy import stats

from trustindex import uncertainty as uncertainty_module
from trustindex.engine import Engine
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Normalisation, Spec
from trustindex.ranking import TIES, order_rows
from trustindex.rankstats import EXACT_KENDALL, KENDALL_PAIRS, Histogram, Kendall, RankCounts, Spearman
from trustindex.uncertainty import uncertainty

ROOT = Path(__file__).resolve().parents[1]
NAN = float("nan")


def ranking_problem(m: int, runs: int, seed: int, levels: int | None, missing: float):
    """Nominal scores and run scores (runs × m) that follow them loosely; ``levels`` rounds them onto that many
    values (ties), ``missing`` is the share of NaN."""
    rng = np.random.default_rng(seed)
    nominal = rng.normal(size=m)
    scores = nominal[None, :] + rng.normal(scale=rng.uniform(0.1, 2.0, (runs, 1)), size=(runs, m))
    if levels:
        nominal = np.round(nominal * levels / 4)
        scores = np.round(scores * levels / 4)
    nominal = np.where(rng.random(m) < missing, np.nan, nominal)
    scores = np.where(rng.random((runs, m)) < missing, np.nan, scores)
    return nominal, scores


def scipy_mean_tau(nominal_ranks: np.ndarray, run_ranks: np.ndarray) -> float:
    taus = []
    for row in run_ranks:
        both = ~np.isnan(row) & ~np.isnan(nominal_ranks)
        if both.sum() < 2:
            continue
        tau = stats.kendalltau(row[both], nominal_ranks[both]).statistic  # tau-b
        if np.isfinite(tau):
            taus.append(tau)
    return float(np.mean(taus)) if taus else NAN


def feed_kendall(nominal_ranks, scores, ties, splits, seed=0):
    kendall = Kendall(nominal_ranks, np.random.default_rng(seed))
    for part in np.array_split(np.arange(len(scores)), splits):
        if len(part):
            order = order_rows(scores[part])
            kendall.add(order, order.ranks(ties))
    return kendall


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("m", [2, 7, 40, 64, 65, 130, 300])
@pytest.mark.parametrize("levels, missing", [(None, 0.0), (6, 0.0), (None, 0.15), (4, 0.2), (40, 0.05)])
def test_kendall_tau_b_equals_scipy(m, ties, levels, missing):
    nominal, scores = ranking_problem(m, 24, seed=m * 7 + (levels or 0), levels=levels, missing=missing)
    scores[0] = nominal  # a run equal to the nominal ranking: tau 1 (where ranked)
    if m > 3:
        scores[1] = -nominal  # and its reverse: tau -1
    nominal_ranks = order_rows(nominal[None, :]).ranks(ties)[0]
    run_ranks = order_rows(scores).ranks(ties)
    kendall = feed_kendall(nominal_ranks, scores, ties, splits=1)
    assert kendall.exact
    expected = scipy_mean_tau(nominal_ranks, run_ranks)
    if np.isnan(expected):
        assert np.isnan(kendall.mean) or kendall.runs == 0
    else:
        assert kendall.mean == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # batching does not move it
    assert feed_kendall(nominal_ranks, scores, ties, splits=5).mean == pytest.approx(kendall.mean, rel=1e-12,
                                                                                     abs=1e-12)  # fmt: skip


def test_kendall_by_hand():
    # nominal 1 2 3 4; run 1 3 2 4: one discordant pair of six, no ties: (5 - 1)/6 = 2/3.
    # run with a tie 1 2 2 4 (competition): pairs 6, tied in the run 1; tau-b = (5 - 0)/sqrt(5 * 6) = 0.9129
    nominal = np.array([1.0, 2.0, 3.0, 4.0])
    kendall = Kendall(nominal, np.random.default_rng(0))
    scores = np.array([[4.0, 2.0, 3.0, 1.0]])  # ranks 1 3 2 4
    order = order_rows(scores)
    kendall.add(order, order.ranks("competition"))
    assert kendall.mean == pytest.approx(2 / 3)
    kendall = Kendall(nominal, np.random.default_rng(0))
    scores = np.array([[4.0, 3.0, 3.0, 1.0]])
    order = order_rows(scores)
    kendall.add(order, order.ranks("competition"))
    assert kendall.mean == pytest.approx(5 / np.sqrt(30))


def test_kendall_is_exact_up_to_the_limit():
    # EXACT_KENDALL ranked entities (ties, some unranked in the runs): still exact, and equal to scipy
    nominal, scores = ranking_problem(EXACT_KENDALL, 3, seed=4, levels=30, missing=0.0)
    scores[np.random.default_rng(5).random(scores.shape) < 0.05] = np.nan
    nominal_ranks = order_rows(nominal[None, :]).ranks("dense")[0]
    kendall = feed_kendall(nominal_ranks, scores, "dense", splits=1)
    assert kendall.exact
    assert kendall.mean == pytest.approx(scipy_mean_tau(nominal_ranks, order_rows(scores).ranks("dense")), rel=1e-12)


@pytest.mark.parametrize("m", [EXACT_KENDALL + 1, 3000])
def test_kendall_sampled_beyond_the_exact_limit_is_within_its_error(m):
    # Continuous scores (no ties): each sampled pair's concordance is ±1 and the pairs of a batch are drawn
    # independently and uniformly (given the data), so one batch's estimate of a run's tau is a mean of
    # P = KENDALL_PAIRS iid ±1, standard error sqrt((1 - tau²)/P) <= 1/64 = 0.0156 for P = 4096. Runs of one batch
    # share their pairs (their errors may be fully correlated), batches draw afresh (independent errors):
    #   40 runs in one batch: error <= 5 SE = 0.078;  40 runs in 40 batches: <= 5 SE / sqrt(40) = 0.0124.
    assert m > EXACT_KENDALL
    nominal, scores = ranking_problem(m, 40, seed=m, levels=None, missing=0.0)
    nominal_ranks = order_rows(nominal[None, :]).ranks("competition")[0]
    exact = scipy_mean_tau(nominal_ranks, order_rows(scores).ranks("competition"))
    se = 1 / np.sqrt(KENDALL_PAIRS)
    one = feed_kendall(nominal_ranks, scores, "competition", splits=1)
    assert not one.exact and one.runs == 40
    assert abs(one.mean - exact) <= 5 * se
    many = feed_kendall(nominal_ranks, scores, "competition", splits=40)
    assert abs(many.mean - exact) <= 5 * se / np.sqrt(40)
    # and the same seed gives the same estimate
    assert feed_kendall(nominal_ranks, scores, "competition", splits=40).mean == many.mean


def feed_spearman(nominal_scores, scores, splits=1):
    spearman = Spearman(order_rows(nominal_scores[None, :]).ranks("fractional")[0])
    for part in np.array_split(np.arange(len(scores)), splits):
        if len(part):
            spearman.add(order_rows(scores[part]).ranks("fractional"))
    return spearman


def scipy_mean_rho(nominal_scores, scores):
    rhos = []
    for row in scores:
        both = ~np.isnan(row) & ~np.isnan(nominal_scores)
        if both.sum() < 2:
            continue
        rho = stats.spearmanr(row[both], nominal_scores[both]).statistic
        if np.isfinite(rho):
            rhos.append(rho)
    return float(np.mean(rhos)) if rhos else NAN


@pytest.mark.parametrize("m", [3, 20, 150])
@pytest.mark.parametrize("levels", [None, 5])
def test_spearman_equals_scipy_without_gaps(m, levels):
    nominal, scores = ranking_problem(m, 20, seed=m + 1, levels=levels, missing=0.0)
    spearman = feed_spearman(nominal, scores)
    assert spearman.mean == pytest.approx(scipy_mean_rho(nominal, scores), rel=1e-12, abs=1e-12)
    assert feed_spearman(nominal, scores, splits=3).mean == pytest.approx(spearman.mean, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("m", [4, 20, 150])
def test_spearman_equals_scipy_with_unranked_entities(m):
    # Spearman's rho of a run with the nominal ranking, over the entities ranked in both. By hand (m = 4 case
    # below): nominal 1 2 3 4, the run keeps the order but has no score for the second entity: rho = 1.
    nominal, scores = ranking_problem(m, 20, seed=m + 2, levels=None, missing=0.15)
    if m == 4:
        nominal, scores = np.array([4.0, 3.0, 2.0, 1.0]), np.array([[4.0, NAN, 2.0, 1.0]])
        assert scipy_mean_rho(nominal, scores) == pytest.approx(1.0)
    assert feed_spearman(nominal, scores).mean == pytest.approx(scipy_mean_rho(nominal, scores), rel=1e-12)


# --- Histogram ----------------------------------------------------------------------------------------------


def feed_histogram(scores, width, splits):
    h = Histogram(scores.shape[1], width, len(scores))
    for part in np.array_split(np.arange(len(scores)), splits):
        if len(part):
            h.add(scores[part])
    return h


def percentiles(scores, qs):
    out = []
    for column in scores.T:
        seen = column[~np.isnan(column)]
        out.append([np.percentile(seen, 100 * q) if len(seen) else NAN for q in qs])
    return np.array(out).T


QS = (0.0, 0.05, 0.25, 0.5, 0.95, 1.0)


def histogram_data(seed, runs=300, n=6):
    rng = np.random.default_rng(seed)
    scores = rng.normal(50, 15, (runs, n)) + np.linspace(0, 300, runs)[:, None] * (seed % 2)  # drifting: windows grow
    scores[rng.random((runs, n)) < 0.1] = np.nan
    scores[:, 0] = np.nan  # an entity never scored
    return scores


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("width", [0.01, 0.37, 5.0])
def test_histogram_means_are_exact_and_quantiles_within_one_width(seed, width):
    scores = histogram_data(seed)
    h = feed_histogram(scores, width, splits=1)
    with np.errstate(invalid="ignore"):
        expected_mean = np.array([np.mean(c[~np.isnan(c)]) if (~np.isnan(c)).any() else NAN for c in scores.T])
    np.testing.assert_allclose(h.mean(), expected_mean, rtol=1e-12)
    got = np.array(h.quantiles(*QS))
    expected = percentiles(scores, QS)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(expected)
    # every order statistic is placed inside its own lattice cell: off by less than one width
    assert np.all(np.abs(got[ok] - expected[ok]) < width)


def test_histogram_quantiles_stay_inside_the_cell_when_it_holds_close_values():
    # Two scores in one cell [0, 1) of width 1, both near its top: 0.99 and 0.995 (numpy: minimum 0.99, maximum
    # 0.995). The histogram knows only the cell, so its estimates lie in [0, 1): within one width, not half a
    # width (0.25 and 0.75 here, 0.74 off), which is why the lattice is one cell per reported precision.
    h = Histogram(1, 1.0, 2)
    h.add(np.array([[0.99], [0.995]]))
    low, high = h.quantiles(0.0, 1.0)
    assert 0.0 <= low[0] < 1.0 and 0.0 <= high[0] < 1.0


@pytest.mark.parametrize("sampler", ["random", "sobol"])
def test_uncertainty_score_and_rank_summaries_against_numpy_on_the_same_runs(sampler, monkeypatch):
    # End to end: the run scores the engine produced (recorded as they pass), summarised by numpy, against the
    # uncertainty result: mean exact, 5th and 95th percentiles within one lattice cell = LATTICE × the scale
    # (at most 0.005 on 0–100, as the README says); rank quantiles exactly.
    from trustindex.ranking import rank_rows

    engine = _engine("oecd-governance", "balanced")
    seen = []
    real = uncertainty_module.Design.evaluate

    def spy(self, weights, picks):
        scores, keys = real(self, weights, picks)
        seen.append(np.array(scores))
        return scores, keys

    monkeypatch.setattr(uncertainty_module.Design, "evaluate", spy)
    result = uncertainty(engine, Spec(runs=200, sampler=sampler), seed=4)
    runs = np.concatenate(seen)
    assert runs.shape == (200, len(engine.entities))
    [scale] = result.scales
    cell = uncertainty_module.LATTICE * 100.0  # goalposts onto 0–100: the scale is 100 wide
    assert cell <= 0.005
    expected = percentiles(runs, (0.05, 0.95))  # per entity over the runs that scored it; NaN for none
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isnan(runs).all(axis=0), 0.0, runs), axis=0)
    mean[np.isnan(runs).all(axis=0)] = np.nan
    assert np.array_equal(np.isnan(scale.mean), np.isnan(mean))
    np.testing.assert_allclose(scale.mean, mean, rtol=1e-12)
    for got, want in zip((scale.low, scale.high), expected, strict=True):
        assert np.array_equal(np.isnan(got), np.isnan(want))
        ok = ~np.isnan(want)
        assert np.all(np.abs(got[ok] - want[ok]) <= cell)
    # ranks: the smallest rank whose share of the runs reaches q (the empirical quantile), by sorting
    ranks = rank_rows(runs, engine.weights.ties)
    for i, e in enumerate(result.entities):
        ordered = np.sort(ranks[~np.isnan(ranks[:, i]), i])  # over the runs that ranked it
        for q, got in ((0.5, e.median_rank), (0.05, e.low_rank), (0.95, e.high_rank)):
            if not len(ordered):
                assert np.isnan(got)
            else:
                assert got == ordered[int(np.ceil(q * len(ordered) - 1e-9)) - 1], (e.entity, q)
        assert e.unranked == np.mean(np.isnan(ranks[:, i]))
        assert e.top_k == np.mean(ranks[:, i] <= result.top_k)


@pytest.mark.parametrize("splits", [2, 7, 300])
def test_histogram_does_not_depend_on_the_batches(splits):
    scores = histogram_data(1)
    whole, parts = feed_histogram(scores, 0.37, 1), feed_histogram(scores, 0.37, splits)
    for a, b in zip(whole.quantiles(*QS), parts.quantiles(*QS), strict=True):
        assert np.array_equal(a, b, equal_nan=True)
    np.testing.assert_allclose(parts.mean(), whole.mean(), rtol=1e-12)
    assert np.array_equal(whole.seen, parts.seen)


def test_histogram_by_hand():
    # width 10: scores 3, 14, 15, 27 of one entity. Mean 59/4 = 14.75. Cells 0, 1, 1, 2; the two in cell 1 are
    # placed at 10 + 10 * 0.25 = 12.5 and 10 + 10 * 0.75 = 17.5, the others at their cell centres 5 and 25.
    # Median (numpy: (14 + 15)/2 = 14.5) from the placed statistics: (12.5 + 17.5)/2 = 15.
    h = Histogram(1, 10.0, 4)
    h.add(np.array([[3.0], [14.0]]))
    h.add(np.array([[15.0], [27.0]]))
    assert h.mean()[0] == 14.75
    (median,) = h.quantiles(0.5)
    assert median[0] == pytest.approx(15.0)
    assert abs(median[0] - 14.5) <= 5.0


# --- RankCounts ---------------------------------------------------------------------------------------------


def test_rank_counts_quantiles_by_hand():
    # entity 0 held ranks 1, 1, 2, 3 over four runs: cumulative shares 0.5 at 1, 0.75 at 2, 1 at 3.
    #   q = 0.05 -> 1, q = 0.5 -> 1 (0.5 reaches 0.5), q = 0.6 -> 2, q = 0.95 -> 3.
    # entity 1 held 2, 2, 1, 1 -> shares 0.5 at 1, 1 at 2: median 1, 95th 2.
    # entity 2 was never ranked: NaN.
    counts = RankCounts(3, 4, half=False)
    counts.add(np.array([[1, 2, NAN], [1, 2, NAN]]))
    counts.add(np.array([[2, 1, NAN], [3, 1, NAN]]))
    low, median, sixty, high = counts.quantiles(0.05, 0.5, 0.6, 0.95)
    assert low[:2].tolist() == [1, 1] and median[:2].tolist() == [1, 1]
    assert sixty[:2].tolist() == [2, 2] and high[:2].tolist() == [3, 2]
    assert np.isnan(low[2]) and np.isnan(high[2])
    assert counts.at_most(1).tolist() == [2, 2, 0] and counts.at_most(2).tolist() == [3, 4, 0]


def test_rank_counts_with_fractional_ranks_by_hand():
    # ranks 1.5, 1.5, 3 (slots of a half): median 1.5, 95th 3; at_most(1.5) = 2, at_most(1) = 0
    counts = RankCounts(3, 3, half=True)
    counts.add(np.array([[1.5, 1.5, 3], [1.5, 1.5, 3], [3, 1.5, 1.5]]))
    assert counts.values.tolist() == [1, 1.5, 2, 2.5, 3]
    median, high = counts.quantiles(0.5, 0.95)
    assert median.tolist() == [1.5, 1.5, 3] and high.tolist() == [3, 1.5, 3]
    assert counts.at_most(1.5).tolist() == [2, 3, 1] and counts.at_most(1).tolist() == [0, 0, 0]


# --- uncertainty: batch size and memory ---------------------------------------------------------------------


def _engine(name, profile):
    return Engine(load_dataset(ROOT / "datasets" / name), load_weights(ROOT / "weights" / f"{profile}.toml"))


SPECS = {
    "weights and aggregation": ("oecd-governance", "balanced", Spec(runs=64)),
    "two scales, leave one out": ("oecd-governance", "balanced", Spec(
        runs=64, normalisation=(Normalisation("goalposts"), Normalisation("minmax")),
        leave_out=("management", "support"))),
    "imputation and treatment (gaps)": ("asem", "asem", Spec(
        runs=40, imputation=("none", "mean"), treatment=(("none", 5), ("winsorise", 2)))),
}  # fmt: skip


def _fields(result):
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


@pytest.mark.parametrize("ties", ["competition", "fractional"])
@pytest.mark.parametrize("sampler", ["sobol", "random"])
@pytest.mark.parametrize("spec", sorted(SPECS))
def test_uncertainty_does_not_depend_on_the_batch_size(spec, sampler, ties, monkeypatch):
    name, profile, chosen = SPECS[spec]
    engine = _engine(name, profile)
    engine = Engine(engine.source, dataclasses.replace(engine.weights, ties=ties))
    chosen = dataclasses.replace(chosen, sampler=sampler)
    calls = []
    reference = uncertainty(engine, chosen, seed=5, progress=calls.append)
    assert len(calls) == 1  # one batch at the default size
    per_run = uncertainty_module.Design(engine, chosen).cost()
    for runs_per_batch in (1, 7):
        monkeypatch.setattr(uncertainty_module, "ELEMENTS_PER_BATCH", per_run * runs_per_batch)
        calls = []
        batched = uncertainty(engine, chosen, seed=5, progress=calls.append)
        assert len(calls) == -(-chosen.runs // runs_per_batch)
        assert np.array_equal(batched.counts, reference.counts)
        assert np.array_equal(batched.ranks, reference.ranks)
        for a, b in zip(batched.entities, reference.entities, strict=True):
            for field in ("nominal_rank", "median_rank", "low_rank", "high_rank", "top_k", "unranked",
                          "nominal_score", "low_score", "high_score"):  # fmt: skip
                assert getattr(a, field) == getattr(b, field) or (
                    np.isnan(getattr(a, field)) and np.isnan(getattr(b, field))
                ), field
            assert a.mean_score == pytest.approx(b.mean_score, rel=1e-12, nan_ok=True)
        for s, t in zip(batched.scales, reference.scales, strict=True):
            assert s.label == t.label and s.runs == t.runs
            assert np.array_equal(s.low, t.low, equal_nan=True) and np.array_equal(s.high, t.high, equal_nan=True)
            np.testing.assert_allclose(s.mean, t.mean, rtol=1e-12)
        for field in ("mean_shift", "spearman", "kendall"):
            assert getattr(batched, field) == pytest.approx(getattr(reference, field), rel=1e-12), field


def test_uncertainty_summaries_take_the_same_memory_for_16_times_the_runs(monkeypatch):
    # With the batch size fixed, the peak memory of the analysis and the size of its summaries do not grow with the
    # number of runs: 256 and 4,096 runs (the count type may widen from one byte to two).
    engine = _engine("coexistence-regimes", "balanced")
    monkeypatch.setattr(uncertainty_module, "ELEMENTS_PER_BATCH", len(engine.entities) * len(engine.nodes) * 64)
    peaks, shapes = [], []
    for runs in (256, 4096):
        uncertainty(engine, Spec(runs=runs), seed=1)  # warm the caches (normalised matrix, layers)
        tracemalloc.start()
        result = uncertainty(engine, Spec(runs=runs), seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        shapes.append(result.counts.shape)
        assert result.counts.sum() == runs * len(engine.entities) - round(sum(e.unranked for e in result.entities)
                                                                          * runs)  # fmt: skip
    assert shapes[0] == shapes[1]
    assert peaks[1] < 1.5 * peaks[0], peaks


def test_uncertainty_beyond_the_exact_kendall_limit_batches_only_move_kendall(monkeypatch):
    # 600 entities (> EXACT_KENDALL): Kendall's tau is sampled with fresh pairs per batch, so it alone may move
    # with the batch size, within its error (one batch of runs: 5 / sqrt(KENDALL_PAIRS) = 0.078, see above);
    # every count and quantile stays exactly the same.

    rng = np.random.default_rng(0)
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"})
    dataset = make_dataset(framework, rng.normal(size=(600, 4)) + rng.normal(size=(600, 1)))
    engine = Engine(dataset, make_weights())
    spec = Spec(runs=24)
    reference = uncertainty(engine, spec, seed=1)
    monkeypatch.setattr(uncertainty_module, "ELEMENTS_PER_BATCH", uncertainty_module.Design(engine, spec).cost() * 5)
    batched = uncertainty(engine, spec, seed=1)
    assert np.array_equal(batched.counts, reference.counts)
    assert [e.median_rank for e in batched.entities] == [e.median_rank for e in reference.entities]
    assert batched.spearman == pytest.approx(reference.spearman, rel=1e-12)
    assert abs(batched.kendall - reference.kendall) <= 2 * 5 / np.sqrt(KENDALL_PAIRS)
