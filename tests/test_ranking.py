"""Ranking with explicit tie rules: competition, dense, fractional; NaN; float noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
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
