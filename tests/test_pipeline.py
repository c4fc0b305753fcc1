"""trustindex.pipeline.score: hand-worked trees, coverage, empty pillars, shares, fit checks, the default.

Golden numbers are worked by hand in the comments, or recomputed naively from the raw files.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.errors import ConfigError
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation
from trustindex.pipeline import nominal_shares, score

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.filterwarnings("error")

ROOT = Path(__file__).resolve().parents[1]
NAN = float("nan")


def column(result, node):
    return result.scores[:, result.column(node)]


def notices(result, kind):
    return [n for n in result.notices if n.kind == kind]


# --- a small two-pillar tree with a sub-pillar ---------------------------------------------------------
#
#   index ── P ── a, b (b lower is better, weight 3)
#         └─ Q ── c
#              └─ Q1 ── d, e          goalposts [0, 10] for every indicator
#
TREE = make_framework(
    {"P": None, "Q": None, "Q1": "Q"},
    {"a": "P", "b": "P", "c": "Q", "d": "Q1", "e": "Q1"},
    direction={"b": -1},
    goalposts=(0, 10),
)
#            a  b   c  d   e
RAW = [
    [2, 4, 5, 10, 0],  # x
    [8, 1, 0, 6, 4],  # y
    [5, 5, 10, 3, 3],  # z
]
# normalised (goalposts [0, 10] -> value*10; b reversed -> (10 - b)*10):
#   x: a 20, b 60, c 50, d 100, e 0
#   y: a 80, b 90, c 0,  d 60,  e 40
#   z: a 50, b 50, c 100, d 30, e 30


def tree_result(**kwargs):
    return score(make_dataset(TREE, RAW, ["x", "y", "z"]), make_weights({"b": 3}, method="goalposts", **kwargs))


def test_tree_arithmetic_by_hand():
    result = tree_result()
    assert result.nodes == ("index", "P", "Q", "Q1", "a", "b", "c", "d", "e")
    assert TREE.level("Q1") == "sub-pillar"
    np.testing.assert_allclose(result.scores[:, 4:], [[20, 60, 50, 100, 0], [80, 90, 0, 60, 40], [50, 50, 100, 30, 30]])
    # P = (1*a + 3*b) / 4: x (20 + 180)/4 = 50; y (80 + 270)/4 = 87.5; z (50 + 150)/4 = 50
    np.testing.assert_allclose(column(result, "P"), [50, 87.5, 50])
    # Q1 = (d + e)/2: x 50, y 50, z 30
    np.testing.assert_allclose(column(result, "Q1"), [50, 50, 30])
    # Q = (c + Q1)/2: x (50 + 50)/2 = 50; y (0 + 50)/2 = 25; z (100 + 30)/2 = 65
    np.testing.assert_allclose(column(result, "Q"), [50, 25, 65])
    # index = (P + Q)/2: x (50 + 50)/2 = 50; y (87.5 + 25)/2 = 56.25; z (50 + 65)/2 = 57.5
    np.testing.assert_allclose(result.index_scores(), [50, 56.25, 57.5])
    # competition ranks: z 1, y 2, x 3; at P y 1 and a tie x = z = 50 -> 2, 2
    assert result.ranks[:, 0].tolist() == [3, 2, 1]
    assert result.ranks[:, result.column("P")].tolist() == [2, 1, 2]
    assert [result.entities[i] for i in result.order()] == ["z", "y", "x"]
    assert not result.below_coverage.any()
    assert np.all(result.coverage == 1)


def test_tree_aggregation_per_level():
    # sub-pillars geometric, the index harmonic, pillars keep the default (arithmetic)
    result = tree_result(levels={"sub-pillar": Aggregation("geometric"), "index": Aggregation("harmonic")})
    # Q1 = sqrt(d*e): x sqrt(100*0) = 0 (the zero rule); y sqrt(60*40) = sqrt(2400) = 20*sqrt(6); z 30
    np.testing.assert_allclose(column(result, "Q1"), [0, 20 * math.sqrt(6), 30], atol=1e-12)
    # Q = (c + Q1)/2: x 25; y 10*sqrt(6); z 65
    np.testing.assert_allclose(column(result, "Q"), [25, 10 * math.sqrt(6), 65])
    np.testing.assert_allclose(column(result, "P"), [50, 87.5, 50])
    # index = 2 / (1/P + 1/Q): x 2/(1/50 + 1/25) = 100/3; z 2/(1/50 + 1/65) = 6500/115
    y = 2 / (1 / 87.5 + 1 / (10 * math.sqrt(6)))
    np.testing.assert_allclose(result.index_scores(), [100 / 3, y, 6500 / 115])


def test_tree_dense_ties_from_profile():
    # at P, x and z tie at 50 below y: dense ranks 2, 1, 2 -> and index ranks unchanged 3, 2, 1
    result = tree_result(ties="dense")
    assert result.ranks[:, result.column("P")].tolist() == [2, 1, 2]
    assert result.ranks[:, 0].tolist() == [3, 2, 1]
    # at e (0, 40, 30) nobody ties; at d, none; at c (50, 0, 100): 2, 3, 1
    assert result.ranks[:, result.column("c")].tolist() == [2, 3, 1]


def test_nominal_shares_tree():
    result = tree_result()
    # P 1/2, Q 1/2; a 1/2 * 1/4 = 1/8, b 1/2 * 3/4 = 3/8; c 1/2 * 1/2 = 1/4; Q1 1/4; d = e = 1/4 * 1/2 = 1/8
    expected = {
        "index": 1,
        "P": 1 / 2,
        "Q": 1 / 2,
        "Q1": 1 / 4,
        "a": 1 / 8,
        "b": 3 / 8,
        "c": 1 / 4,
        "d": 1 / 8,
        "e": 1 / 8,
    }
    np.testing.assert_allclose(result.shares, [expected[n] for n in result.nodes])


def test_nominal_shares_weighted_pillars_and_zero_weight():
    ds = make_dataset(TREE, RAW)
    w = make_weights({"P": 1, "Q": 3, "b": 3, "e": 0}, method="goalposts")
    live = set(TREE.node_ids)
    shares = dict(zip(TREE.node_ids, nominal_shares(ds, w, TREE.node_ids, live), strict=True))
    # P 1/4, Q 3/4; a 1/4 * 1/4 = 1/16, b 1/4 * 3/4 = 3/16; c = Q1 = 3/4 * 1/2 = 3/8;
    # d = 3/8 * 1/1 (e has weight 0) = 3/8; e = 0
    expected = {"index": 1, "P": 1 / 4, "Q": 3 / 4, "a": 1 / 16, "b": 3 / 16, "c": 3 / 8, "Q1": 3 / 8}
    expected.update(d=3 / 8, e=0)
    for node, share in expected.items():
        assert shares[node] == pytest.approx(share), node
    assert sum(shares[i] for i in TREE.indicator_ids) == pytest.approx(1)


# --- minimum coverage ----------------------------------------------------------------------------------

COVERAGE_TREE = make_framework(
    {"P": None, "Q": None, "R": None}, {"a": "P", "b": "P", "c": "P", "d": "Q", "e": "R"}, goalposts=(0, 100)
)
#                  a    b    c    d    e
COVERAGE_RAW = [
    [60, 30, 90, 40, 80],  # full
    [50, NAN, NAN, 20, 60],  # u: 1 of P's 3 indicators (1/3 < 2/3)
    [10, 70, NAN, 100, 0],  # v: 2 of 3 (2/3: exactly enough)
]


def coverage_result(min_coverage=2 / 3):
    ds = make_dataset(COVERAGE_TREE, COVERAGE_RAW, ["full", "u", "v"])
    return score(ds, make_weights(method="goalposts", min_coverage=min_coverage))


def test_minimum_coverage():
    result = coverage_result()
    P = result.column("P")
    # P: full (60+30+90)/3 = 60; u below 2/3 -> NaN; v (10+70)/2 = 40
    np.testing.assert_array_equal(np.isnan(result.scores[:, P]), [False, True, False])
    np.testing.assert_allclose(result.scores[[0, 2], P], [60, 40])
    np.testing.assert_allclose(result.coverage[:, P], [1, 1 / 3, 2 / 3])
    # only (u, P) is flagged
    flagged = np.zeros(result.scores.shape, dtype=bool)
    flagged[1, P] = True
    np.testing.assert_array_equal(result.below_coverage, flagged)
    # the index goes on without u's P: Q, R = 20, 60 -> (20 + 60)/2 = 40, coverage 2/3
    # full (60 + 40 + 80)/3 = 60; v (40 + 100 + 0)/3 = 140/3
    np.testing.assert_allclose(result.index_scores(), [60, 40, 140 / 3])
    np.testing.assert_allclose(result.coverage[:, 0], [1, 2 / 3, 1])
    assert result.ranks[:, 0].tolist() == [1, 3, 2]
    coverage = notices(result, "coverage")
    assert [(n.node, n.entities) for n in coverage] == [("P", ("u",))]
    missing = {n.node: n.entities for n in notices(result, "missing")}
    assert missing == {"b": ("u",), "c": ("u", "v")}


def test_minimum_coverage_is_configurable():
    # 0.9: v's 2/3 is now too little as well; 0: nothing is cut, u's P = 50 (its one indicator)
    strict = coverage_result(0.9)
    P = strict.column("P")
    np.testing.assert_array_equal(strict.below_coverage[:, P], [False, True, True])
    lenient = coverage_result(0.0)
    np.testing.assert_allclose(lenient.scores[:, lenient.column("P")], [60, 50, 40])
    assert not lenient.below_coverage.any()
    assert notices(lenient, "coverage") == []


def test_entity_without_data_is_unranked():
    ds = make_dataset(COVERAGE_TREE, [*COVERAGE_RAW, [NAN] * 5], ["full", "u", "v", "none"])
    result = score(ds, make_weights(method="goalposts"))
    assert math.isnan(result.index_scores()[3])
    assert math.isnan(result.ranks[3, 0])
    assert result.ranks[:3, 0].tolist() == [1, 3, 2]
    assert [n.entities for n in notices(result, "unranked")] == [("none",)]


# --- a pillar with no indicators -------------------------------------------------------------------------


def test_empty_pillar_is_left_out_and_its_weight_shared():
    fw = make_framework({"P": None, "Q": None, "E": None}, {"a": "P", "b": "Q"}, goalposts=(0, 100))
    ds = make_dataset(fw, [[20, 60], [100, 0]])
    result = score(ds, make_weights({"P": 1, "Q": 3, "E": 2}, method="goalposts"))
    # E is left out; P and Q keep their relative weights 1 : 3 -> (20 + 3*60)/4 = 50; (100 + 0)/4 = 25
    np.testing.assert_allclose(result.index_scores(), [50, 25])
    assert np.isnan(column(result, "E")).all()
    assert [n.node for n in notices(result, "empty")] == ["E"]
    # shares: P 1/4, Q 3/4, E 0
    shares = dict(zip(result.nodes, result.shares, strict=True))
    assert shares == pytest.approx({"index": 1, "P": 0.25, "Q": 0.75, "E": 0, "a": 0.25, "b": 0.75})
    # the index has full coverage: E is not a missing component
    np.testing.assert_allclose(result.coverage[:, 0], [1, 1])


def test_group_left_with_only_zero_weight_children():
    # P = {S (a sub-pillar with no indicators), a (weight 0)}; Q = {b}. check_fit accepts it (S has
    # weight 1), but once S is left out, P has nothing with positive weight. P is left out like an
    # empty pillar -- it must not wipe out every index score (it once did, with a 0/0 warning).
    fw = make_framework({"P": None, "S": "P", "Q": None}, {"a": "P", "b": "Q"}, goalposts=(0, 100))
    ds = make_dataset(fw, [[10, 20], [30, 40]])
    result = score(ds, make_weights({"a": 0}, method="goalposts"))
    # the index is Q alone, which is b alone: 20, 40
    np.testing.assert_allclose(result.index_scores(), [20, 40])
    assert np.isnan(column(result, "P")).all()
    assert sorted(n.node for n in notices(result, "empty")) == ["P", "S"]
    assert notices(result, "unranked") == []
    shares = dict(zip(result.nodes, result.shares, strict=True))
    assert shares == pytest.approx({"index": 1, "P": 0, "S": 0, "Q": 1, "a": 0, "b": 1})


def test_constant_indicator_notice_and_centre():
    fw = make_framework({"P": None}, {"a": "P", "b": "P"})
    result = score(make_dataset(fw, [[1, 7], [3, 7], [5, 7]]), make_weights())
    # minmax: a -> 0, 50, 100; b constant -> 50 for all; P = (0+50)/2, (50+50)/2, (100+50)/2
    np.testing.assert_allclose(column(result, "b"), [50, 50, 50])
    np.testing.assert_allclose(result.index_scores(), [25, 50, 75])
    assert [n.node for n in notices(result, "constant")] == ["b"]


# --- check_fit ---------------------------------------------------------------------------------------------


def test_unknown_node_in_weights():
    with pytest.raises(ConfigError, match="'Pp'") as err:
        score(make_dataset(TREE, RAW), make_weights({"Pp": 2}))
    assert "P" in (err.value.hint or "")


def test_all_zero_group():
    with pytest.raises(ConfigError, match="every weight under 'Q1' is zero"):
        score(make_dataset(TREE, RAW), make_weights({"d": 0, "e": 0}))
    with pytest.raises(ConfigError, match="every weight under 'index' is zero"):
        score(make_dataset(TREE, RAW), make_weights({"P": 0, "Q": 0}))


def test_zero_weight_is_not_an_error():
    # d = 0 alone is fine: Q1 is then e alone: x 0, y 40, z 30
    result = score(make_dataset(TREE, RAW, ["x", "y", "z"]), make_weights({"b": 3, "d": 0}, method="goalposts"))
    np.testing.assert_allclose(column(result, "Q1"), [0, 40, 30])


def test_framework_name_mismatch():
    fw = make_framework({"P": None}, {"a": "P"}, name="alpha")
    ds = make_dataset(fw, [[1], [2]])
    with pytest.raises(ConfigError, match="'beta'.*'alpha'"):
        score(ds, make_weights(framework="beta"))
    # the same name, or a profile that names no framework, fits
    assert score(ds, make_weights(framework="alpha")).index_scores().tolist() == [0, 100]
    assert score(ds, make_weights()).index_scores().tolist() == [0, 100]


# --- immutability ------------------------------------------------------------------------------------------


def test_result_arrays_are_read_only():
    result = tree_result()
    for name in ("scores", "ranks", "coverage", "below_coverage", "shares"):
        array = getattr(result, name)
        assert not array.flags.writeable, name
        with pytest.raises(ValueError):
            array[0] = 0
    assert not result.rank("P").flags.writeable
    assert result.below_coverage.dtype == bool


def test_scoring_does_not_touch_the_dataset():
    ds = make_dataset(TREE, RAW)
    before = ds.values.copy()
    tree_result()
    score(ds, make_weights(method="zscore"))
    np.testing.assert_array_equal(ds.values, before)


# --- the shipped default --------------------------------------------------------------------------------


def test_shipped_default_matches_a_naive_recomputation():
    folder = ROOT / "datasets" / "coexistence-regimes"
    result = score(load_dataset(folder), load_weights(ROOT / "weights" / "balanced.toml"))

    meta = tomllib.loads((folder / "dataset.toml").read_text(encoding="utf-8"))
    parent = {iid: spec["parent"] for iid, spec in meta["indicators"].items()}
    # the naive recomputation below relies on these facts of the file: 0-100 goalposts, higher is better
    assert all(spec["goalposts"] == [0, 100] and spec["direction"] == "higher" for spec in meta["indicators"].values())
    pillars = list(meta["pillars"])
    assert pillars == ["management", "connectivity", "support", "explainability"]

    naive = {}
    with open(folder / "values.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pillar_means = []
            for pillar in pillars:
                values = [float(row[iid]) for iid in parent if parent[iid] == pillar]
                pillar_means.append(sum(values) / len(values))  # goalposts [0, 100]: normalised = raw
            naive[row["id"]] = sum(pillar_means) / len(pillar_means)

    assert set(result.entities) == set(naive)
    for i, entity in enumerate(result.entities):
        assert result.index_scores()[i] == pytest.approx(naive[entity], abs=1e-9), entity

    # ranking order: by naive index score, best first
    expected_order = sorted(naive, key=lambda e: -naive[e])
    assert [result.entities[i] for i in result.order()] == expected_order
    for i, entity in enumerate(result.entities):
        assert result.ranks[i, 0] == 1 + sum(1 for other in naive.values() if other > naive[entity])
