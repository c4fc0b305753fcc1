"""Ranking with explicit tie rules: competition, dense, fractional; NaN; float noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights
from hypothesis import given, settings
from hypothesis import strategies as st

from trustindex.ranking import TIES, rank_scores

pytestmark = pytest.mark.filterwarnings("error")

NAN = float("nan")
# 90 is best; the two 80s tie; 70 is last
SCORES = [90.0, 80.0, 80.0, 70.0]


def same(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        assert (math.isnan(a) and math.isnan(e)) or a == e, (list(actual), expected)


def test_competition_1224():
    same(rank_scores(np.array(SCORES), "competition"), [1, 2, 2, 4])


def test_dense_1223():
    same(rank_scores(np.array(SCORES), "dense"), [1, 2, 2, 3])


def test_fractional_1_25_25_4():
    # the tied pair shares positions 2 and 3: (2 + 3) / 2 = 2.5
    same(rank_scores(np.array(SCORES), "fractional"), [1, 2.5, 2.5, 4])


def test_competition_is_default():
    same(rank_scores(np.array(SCORES)), [1, 2, 2, 4])


def test_order_of_input_does_not_matter():
    # the same scores shuffled: each keeps its rank
    same(rank_scores(np.array([70.0, 80.0, 90.0, 80.0]), "competition"), [4, 2, 1, 2])
    same(rank_scores(np.array([70.0, 80.0, 90.0, 80.0]), "dense"), [3, 2, 1, 2])
    same(rank_scores(np.array([70.0, 80.0, 90.0, 80.0]), "fractional"), [4, 2.5, 1, 2.5])


@pytest.mark.parametrize("ties", TIES)
def test_nan_gets_nan_and_is_not_counted(ties):
    # NaN scores are unranked and do not push anyone down
    out = rank_scores(np.array([NAN, 90.0, 80.0, NAN, 80.0, 70.0]), ties)
    expected = {"competition": [1, 2, 2, 4], "dense": [1, 2, 2, 3], "fractional": [1, 2.5, 2.5, 4]}[ties]
    same(out, [NAN, expected[0], expected[1], NAN, expected[2], expected[3]])


@pytest.mark.parametrize("ties", TIES)
def test_all_nan(ties):
    same(rank_scores(np.array([NAN, NAN]), ties), [NAN, NAN])


def test_three_way_tie_and_all_tied():
    # 5, 5, 5, 1: competition 1 1 1 4; dense 1 1 1 2; fractional (1+2+3)/3 = 2 for the tied three
    x = np.array([5.0, 5.0, 5.0, 1.0])
    same(rank_scores(x, "competition"), [1, 1, 1, 4])
    same(rank_scores(x, "dense"), [1, 1, 1, 2])
    same(rank_scores(x, "fractional"), [2, 2, 2, 4])
    # everyone tied: fractional (1+2+3)/3 = 2
    same(rank_scores(np.array([3.0, 3.0, 3.0]), "fractional"), [2, 2, 2])


def test_columns_are_ranked_separately():
    x = np.array([[1.0, 30.0], [2.0, 10.0], [3.0, 20.0]])
    out = rank_scores(x, "competition")
    assert out.shape == (3, 2)
    assert out[:, 0].tolist() == [3, 2, 1]
    assert out[:, 1].tolist() == [1, 3, 2]


def test_float_noise_ties():
    # 0.1 + 0.2 = 0.30000000000000004 and 0.3 are the same score
    same(rank_scores(np.array([0.1 + 0.2, 0.3, 0.2]), "competition"), [1, 1, 3])
    # scores differing by 1e-13 are tied
    same(rank_scores(np.array([70.0, 70.0 + 1e-13, 69.0, 70.0 - 1e-13]), "competition"), [1, 1, 4, 1])
    same(rank_scores(np.array([70.0, 70.0 + 1e-13, 69.0]), "dense"), [1, 1, 2])
    # ... but a real difference of 1e-6 is not
    same(rank_scores(np.array([70.0, 70.0 + 1e-6]), "competition"), [2, 1])


def test_float_noise_tie_at_a_rounding_boundary():
    # 50 + 1/1024 = 50.0009765625 has a 5 in its tenth decimal: rounding to 9 decimals puts it
    # exactly half-way, so it and its neighbour one ulp above fall on different sides.
    # They are the same score up to float noise and must be tied.
    s = 50 + 1 / 1024
    same(rank_scores(np.array([s, np.nextafter(s, 100.0), 40.0]), "competition"), [1, 1, 3])


# --- naive references -----------------------------------------------------------------------------


def naive_ranks(scores, ties):
    out = []
    observed = [s for s in scores if not math.isnan(s)]
    for s in scores:
        if math.isnan(s):
            out.append(NAN)
            continue
        better = sum(1 for o in observed if o > s)
        equal = sum(1 for o in observed if o == s)
        if ties == "competition":
            out.append(1 + better)
        elif ties == "dense":
            out.append(1 + len({o for o in observed if o > s}))
        else:  # average of positions better+1 .. better+equal
            out.append(better + (equal + 1) / 2)
    return out


# distinct scores on a grid of 1/8: far apart compared with float noise, and many exact ties
score_lists = st.lists(
    st.one_of(st.just(NAN), st.integers(0, 6).map(float), st.integers(-800, 800).map(lambda k: k / 8)),
    min_size=0,
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(score_lists, st.sampled_from(TIES))
def test_ranks_match_naive(scores, ties):
    same(list(rank_scores(np.array(scores, dtype=float), ties)), naive_ranks(scores, ties))


@settings(max_examples=100, deadline=None)
@given(score_lists, st.sampled_from(TIES))
def test_ranks_consistent_with_scores(scores, ties):
    ranks = rank_scores(np.array(scores, dtype=float), ties)
    for i, si in enumerate(scores):
        for j, sj in enumerate(scores):
            if math.isnan(si) or math.isnan(sj):
                continue
            if si > sj:
                assert ranks[i] < ranks[j]
            elif si == sj:
                assert ranks[i] == ranks[j]


@settings(max_examples=100, deadline=None)
@given(st.floats(-1e6, 1e6), st.floats(-1e-13, 1e-13), st.sampled_from(TIES))
def test_noise_never_breaks_a_tie(s, noise, ties):
    # the same score computed two ways (s and s + noise) is tied, wherever s falls
    ranks = rank_scores(np.array([s, s + noise * max(1.0, abs(s)), s - 1.0]), ties)
    assert ranks[0] == ranks[1]
    assert ranks[2] > ranks[0]


# --- the tolerance rule against a naive oracle ------------------------------------------------------------------
#
# The rule (trustindex.ranking): sort the scored values; two neighbours in sorted order are tied when
# high - low <= 1e-9 * max(1, min(|low|, |high|)); ties chain through neighbours. Then, best first:
# competition = 1 + entities in better groups, dense = 1 + better groups, fractional = the mean of the
# positions the group occupies. NaN is unranked and counts for nobody.


def tolerant_ranks(scores, ties):
    """Naive: loops over a sorted list of (value, index) pairs, groups built by walking neighbours."""
    scored = sorted((s, i) for i, s in enumerate(scores) if not math.isnan(s))
    groups = []  # ascending
    for s, i in scored:
        if groups:
            low = groups[-1][-1][0]
            if s - low <= 1e-9 * max(1.0, min(abs(low), abs(s))):
                groups[-1].append((s, i))
                continue
        groups.append([(s, i)])
    out = [NAN] * len(scores)
    better = 0
    for g, group in enumerate(reversed(groups)):  # best group first
        for _, i in group:
            if ties == "competition":
                out[i] = 1 + better
            elif ties == "dense":
                out[i] = 1 + g
            else:
                out[i] = better + (len(group) + 1) / 2
        better += len(group)
    return out


# clusters of near-ties: steps of 4e-10 and 7e-10 relative chain (1 and 1 + 1.4e-9 are tied through 1 + 7e-10),
# 1e6 + k * 6e-4 are within 1e-9 relative, 2e-9 apart is not a tie; exact duplicates; negatives; NaN
NEAR = st.sampled_from(
    [0.0, 1e-10, -1e-10, 1.0, 1.0 + 4e-10, 1.0 + 7e-10, 1.0 + 1.4e-9, 1.0 + 2.1e-9, 1.0 + 5e-9, 2.0,
     -1.0, -1.0 - 7e-10, 1e6, 1e6 + 6e-4, 1e6 + 1.2e-3, 1e6 + 5e-3, -1e6, 0.1 + 0.2, 0.3, 50.0]
)  # fmt: skip
TOLERANT = st.one_of(NEAR, NEAR, st.just(NAN), st.floats(-1e6, 1e6), st.integers(-3, 3).map(float))


@settings(max_examples=150, deadline=None)
@given(st.lists(TOLERANT, max_size=14), st.sampled_from(TIES))
def test_ranks_match_the_naive_tolerance_oracle(scores, ties):
    same(list(rank_scores(np.array(scores, dtype=float), ties)), tolerant_ranks(scores, ties))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 8).flatmap(lambda n: st.lists(st.lists(TOLERANT, min_size=n, max_size=n), min_size=1,
                                                    max_size=6)), st.sampled_from(TIES))  # fmt: skip
def test_rank_rows_equals_the_oracle_row_by_row(rows, ties):
    from trustindex.ranking import rank_rows

    got = rank_rows(np.array(rows, dtype=float).reshape(len(rows), -1), ties)
    assert got.shape == (len(rows), len(rows[0]))
    for r, row in enumerate(rows):
        same(list(got[r]), tolerant_ranks(row, ties))


def test_ties_chain_through_neighbours_by_hand():
    # 1, 1 + 7e-10, 1 + 1.4e-9: each neighbour within 1e-9, the ends 1.4e-9 apart: one group.
    # 1 + 5e-9 is 3.6e-9 above the group: a group of its own and the best.
    x = np.array([1.0, 1.0 + 7e-10, 1.0 + 1.4e-9, 1.0 + 5e-9, NAN, 0.5])
    same(rank_scores(x, "competition"), [2, 2, 2, 1, NAN, 5])
    same(rank_scores(x, "dense"), [2, 2, 2, 1, NAN, 3])
    same(rank_scores(x, "fractional"), [3, 3, 3, 1, NAN, 5])  # positions 2, 3, 4 -> 3
    # the tolerance is relative above magnitude 1: 1e6 and 1e6 + 6e-4 tie (6e-10 relative), 1e6 + 5e-3 does not
    same(rank_scores(np.array([1e6, 1e6 + 6e-4, 1e6 + 5e-3]), "dense"), [2, 2, 1])
    # ... and absolute below it: 1e-10 and 0 tie, 1e-8 and 0 do not
    same(rank_scores(np.array([1e-10, 0.0, 1e-8]), "competition"), [2, 2, 1])


def test_the_oracle_is_not_the_code():
    # a strict oracle (no tolerance) disagrees on a near-tie, and the tolerant one agrees
    x = [1.0, 1.0 + 7e-10]
    assert naive_ranks(x, "dense") != list(rank_scores(np.array(x), "dense"))
    same(list(rank_scores(np.array(x), "dense")), tolerant_ranks(x, "dense"))


# --- the regression: a duplicated entity gets one rank everywhere -------------------------------------
#
#   index ── P ── a, b, c      A: P (90+80+70)/3 = 80,      Q (95+90)/2 = 92.5  -> 86.25
#         └─ Q ── d, e         B: P (60+75+80)/3 = 71.67,   Q (62+60)/2 = 61    -> 66.33
#                              C: P (63.7+27+4.1)/3 = 31.6, Q (40+50)/2 = 45    -> 38.3
#                              D: P 20, Q 12.5                                   -> 16.25
# C2 is C again, either exactly or with P's values rotated (27, 4.1, 63.7): the same score mathematically, but
# summed in another order it comes out 7e-15 away. Dense ranks: 1, 2, 3, 3, 4 — whatever the command.
TWIN = {
    "exact": [63.7, 27.0, 4.1, 40.0, 50.0],
    "rotated": [27.0, 4.1, 63.7, 40.0, 50.0],
}
EXPECTED_TWIN = {"dense": [1, 2, 3, 3, 4], "competition": [1, 2, 3, 3, 5], "fractional": [1, 2, 3.5, 3.5, 5]}


def twin_problem(kind: str, ties: str):
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "P", "d": "Q", "e": "Q"},
                               goalposts=(0, 100))  # fmt: skip
    rows = [[90, 80, 70, 95, 90], [60, 75, 80, 62, 60], [63.7, 27.0, 4.1, 40, 50], TWIN[kind], [20, 10, 30, 15, 10]]
    dataset = make_dataset(framework, rows, ["A", "B", "C", "C2", "D"])
    return dataset, make_weights(method="goalposts", ties=ties)


@pytest.mark.filterwarnings("default")
@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("kind", sorted(TWIN))
def test_a_duplicated_entity_has_one_nominal_rank_in_every_command(kind, ties, monkeypatch):
    import trustindex.sensitivity as sensitivity_module
    from trustindex.engine import Engine
    from trustindex.model import Spec
    from trustindex.pipeline import score
    from trustindex.stability import rank_bounds
    from trustindex.tui.state import Scorer
    from trustindex.uncertainty import uncertainty

    dataset, profile = twin_problem(kind, ties)
    expected = EXPECTED_TWIN[ties]
    same(list(score(dataset, profile).rank("index")), expected)
    engine = Engine(dataset, profile)
    for sampler in ("sobol", "random"):
        result = uncertainty(engine, Spec(runs=64, sampler=sampler), seed=3)
        same([e.nominal_rank for e in result.entities], expected)
        # C and C2 are the same entity in every run: the same rank counts and score summaries
        assert np.array_equal(result.counts[2], result.counts[3])
        assert result.entities[2].median_rank == result.entities[3].median_rank
    seen = {}
    real = sensitivity_module.sobol

    def spy(*args, **kwargs):
        seen["reference"] = kwargs["reference"]
        return real(*args, **kwargs)

    monkeypatch.setattr(sensitivity_module, "sobol", spy)
    found = sensitivity_module.sensitivity(engine, Spec(), samples=8, seed=2)
    same(list(seen["reference"][:5]), expected)  # the reference every rank's changes are counted from
    by_label = {o.output: o for o in found.outputs}
    assert by_label["rank: C"].changes == by_label["rank: C2"].changes
    assert by_label["rank: C"].status == by_label["rank: C2"].status
    same([b.nominal for b in rank_bounds(engine)], expected)
    same(list(Scorer(dataset, profile).baseline.rank), expected)


@pytest.mark.filterwarnings("default")
@pytest.mark.parametrize("ties", TIES)
def test_rank_bounds_contain_the_nominal_rank_under_every_tie_rule(ties):
    # The nominal weights are among the weight vectors rank_bounds ranges over (floor 0), so
    # best <= nominal <= worst, with best and worst counted under the profile's own tie rule.
    # By hand (dense): D can never pass anyone (its pillars are the lowest of all), so best = worst = 4 = nominal;
    # C and C2 can never pass B nor fall below D: dense 3; fractional 3.5 for both.
    from trustindex.engine import Engine
    from trustindex.stability import rank_bounds

    dataset, profile = twin_problem("exact", ties)
    bounds = rank_bounds(Engine(dataset, profile))
    expected = EXPECTED_TWIN[ties]
    for b, rank in zip(bounds, expected, strict=True):
        assert b.nominal == rank
        assert b.best <= b.nominal <= b.worst, (ties, b)
