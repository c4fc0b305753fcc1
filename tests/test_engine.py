"""trustindex.engine: batch scoring against the ordinary pipeline, run by run, and batch ranks against rank_scores.

The oracle is ``trustindex.pipeline.score``, run once per row of weights with the row written into the profile
(``dataclasses.replace(weights, weights=dict(zip(nodes, row)), datasets={})``): the engine must give the same
scores for every shipped dataset, every aggregation method, random data with gaps and coverage cuts, and every
treatment and imputation it can vary.
"""

from __future__ import annotations

import dataclasses
import zlib
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights
from hypothesis import given, settings
from hypothesis import strategies as st

from trustindex.engine import Engine, Variant, rank_rows
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation, Imputation, Normalisation, Treatment, readonly
from trustindex.pipeline import score
from trustindex.ranking import rank_scores

ROOT = Path(__file__).resolve().parents[1]
DATASETS = sorted(p.name for p in (ROOT / "datasets").iterdir() if (p / "dataset.toml").is_file())
NAN = float("nan")
METHODS = [
    ("arithmetic", None),
    ("geometric", None),
    ("harmonic", None),
    ("power", 0.5),
    ("power", -1.0),
    ("copeland", None),
]
# harmonic and p < 0 power means of a zero are exactly 0 in the pipeline and ~1e-300 in the engine (which stands
# 1e300 in for 1/0): equal to well within any ranking tolerance
TOLERANCE = {"rtol": 1e-9, "atol": 1e-9}


def shipped(name: str):
    dataset = load_dataset(ROOT / "datasets" / name)
    return dataset, load_weights(ROOT / "weights" / f"{dataset.default_weights or 'balanced'}.toml")


def random_rows(engine: Engine, runs: int, rng: np.random.Generator, zeros: float = 0.25) -> np.ndarray:
    """Random node weights, about a quarter of them zero, with a weighted path from the index to an indicator."""
    rows = rng.uniform(0.05, 3.0, (runs, len(engine.nodes))) * (rng.random((runs, len(engine.nodes))) >= zeros)
    return keep_a_path(engine, rows)


def keep_a_path(engine: Engine, rows: np.ndarray) -> np.ndarray:
    """``rows`` with, in each, the first weighted child of every aggregate on one path down made positive, so
    that the index always has something to aggregate (else every score is missing and the profile an error)."""
    children = {step.column: list(step.children) for step in engine.steps}
    for row in rows:
        node = 0
        while node in children:
            kids = children[node]
            if not (row[kids] > 0).any():
                row[kids[0]] = 1.0
            node = next(c for c in kids if row[c] > 0)
    return rows


def pipeline_weights(engine: Engine, row) -> dict[str, float]:
    """The row as a profile's weights. A group whose weights are all zero leaves its parent out (the engine's
    meaning of a zero); the profile format says that with a zero on the parent (an all-zero group is an error)."""
    framework = engine.framework
    weights = dict(zip(engine.nodes, (float(v) for v in row), strict=True))
    for node in framework.aggregates_bottom_up():
        live = [c for c in framework.children(node) if framework.indicators_under(c)]
        if live and not any(weights[c] > 0 for c in live):
            weights[node] = 0.0
            weights.update(dict.fromkeys(live, 1.0))
    return weights


def oracle(dataset, profile, engine: Engine, rows: np.ndarray, **changes) -> np.ndarray:
    """Index scores (runs × entities) from the ordinary pipeline, one run at a time."""
    out = []
    for row in rows:
        weights = dataclasses.replace(profile, weights=pipeline_weights(engine, row), datasets={}, **changes)
        out.append(score(dataset, weights).index_scores())
    return np.array(out)


def variant_for(engine: Engine, normalisation: Normalisation, per_level: dict[str, Aggregation], **kw) -> Variant:
    """A variant with one aggregation per level, as the profile ``aggregation = per_level`` would have."""
    levels = [engine.framework.level(step.node) for step in engine.steps]
    return Variant(normalisation, tuple(per_level.get(level, per_level["default"]) for level in levels), **kw)


# --- every shipped dataset, every method ------------------------------------------------------------------------


@pytest.mark.parametrize("method, p", METHODS)
@pytest.mark.parametrize("name", DATASETS)
def test_engine_equals_pipeline_on_shipped_datasets(name, method, p):
    dataset, profile = shipped(name)
    engine = Engine(dataset, profile)
    rng = np.random.default_rng(zlib.crc32(f"{name} {method} {p}".encode()))
    rows = random_rows(engine, 6, rng)
    for normalisation in (Normalisation("minmax", (0.0, 100.0)), Normalisation("minmax", (1.0, 100.0))):
        aggregation = Aggregation(method, p, profile.aggregation_for("index").min_coverage)
        variant = variant_for(engine, normalisation, {"default": aggregation})
        got = engine.scores(rows, variant)
        expected = oracle(
            dataset, profile, engine, rows, normalisation=normalisation, aggregation={"default": aggregation}
        )
        np.testing.assert_allclose(got, expected, **TOLERANCE)
        assert np.array_equal(rank_rows(got), rank_rows(expected), equal_nan=True)


@pytest.mark.parametrize("name", DATASETS)
def test_engine_nominal_variant_equals_profile_score(name):
    # the nominal weights and variant reproduce `trustindex score` itself, at every node
    dataset, profile = shipped(name)
    engine = Engine(dataset, profile)
    result = score(dataset, profile)
    got = engine.scores(engine.nominal[None, :], engine.nominal_variant(), nodes=True)[0]
    live = [0] + [step.column for step in engine.steps] + list(range(engine.first, len(engine.nodes)))
    np.testing.assert_allclose(got[:, live], result.scores[:, live], **TOLERANCE)


@pytest.mark.parametrize("normalisation", [Normalisation("zscore", mean=0.0, sd=1.0), Normalisation("rank")])
@pytest.mark.parametrize("method", ["arithmetic", "copeland"])
def test_engine_equals_pipeline_with_signed_normalisations(normalisation, method):
    # z-scores and ranks can be negative: only the arithmetic mean and Copeland take them
    dataset, profile = shipped("oecd-governance")
    engine = Engine(dataset, profile)
    rows = random_rows(engine, 5, np.random.default_rng(7))
    aggregation = Aggregation(method, None, 0.5)
    got = engine.scores(rows, variant_for(engine, normalisation, {"default": aggregation}))
    expected = oracle(dataset, profile, engine, rows, normalisation=normalisation, aggregation={"default": aggregation})
    np.testing.assert_allclose(got, expected, **TOLERANCE)


def test_engine_mixed_methods_per_level_on_asem():
    # ASEM has pillars under two sub-indices: geometric pillars, harmonic sub-indices, a power-mean index
    dataset, profile = shipped("asem")
    engine = Engine(dataset, profile)
    rows = random_rows(engine, 6, np.random.default_rng(3))
    per_level = {
        "default": Aggregation("arithmetic", None, 0.0),
        "index": Aggregation("power", 0.5, 0.0),
        "pillar": Aggregation("harmonic", None, 0.5),
        "sub-pillar": Aggregation("geometric", None, 0.75),
    }
    normalisation = Normalisation("minmax", (1.0, 100.0))
    got = engine.scores(rows, variant_for(engine, normalisation, per_level))
    expected = oracle(dataset, profile, engine, rows, normalisation=normalisation, aggregation=per_level)
    np.testing.assert_allclose(got, expected, **TOLERANCE)


# --- treatment and imputation variants ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "treatment, points, imputation",
    [
        ("winsorise", 5, "none"),
        ("winsorise", 1, "mean"),
        ("none", 5, "median"),
        ("winsorise", 3, "group-mean"),
        ("none", 5, "group-median"),
    ],
)
def test_engine_treatment_and_imputation_variants_on_asem(treatment, points, imputation):
    dataset, profile = shipped("asem")
    assert np.isnan(dataset.values).any()  # there is something to impute
    profile = dataclasses.replace(profile, imputation=Imputation("none", "EurAsia_group"))
    engine = Engine(dataset, profile)
    rows = random_rows(engine, 4, np.random.default_rng(11))
    aggregation = Aggregation("geometric", None, 0.5)
    normalisation = Normalisation("minmax", (1.0, 100.0))
    variant = variant_for(
        engine, normalisation, {"default": aggregation}, treatment=treatment, max_points=points, imputation=imputation
    )
    got = engine.scores(rows, variant)
    expected = oracle(
        dataset,
        profile,
        engine,
        rows,
        normalisation=normalisation,
        aggregation={"default": aggregation},
        treatment=Treatment(treatment, points),
        imputation=Imputation(imputation, "EurAsia_group"),
    )
    np.testing.assert_allclose(got, expected, **TOLERANCE)


@pytest.mark.parametrize("imputation", ["carry-forward", "interpolate", "mean"])
def test_engine_panel_imputation(imputation):
    # a three-year panel scored for its middle year: gaps filled from 2018 and 2020
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"}, goalposts=(0, 100))
    history = np.array(
        [
            [[10, 20, 30, 40], [50, 60, 70, 80], [90, 10, 20, 30], [40, 50, 60, 70]],  # 2018
            [[12, NAN, 33, 41], [NAN, 61, 72, NAN], [88, 12, NAN, 35], [41, 52, 63, 74]],  # 2019
            [[14, 26, 36, 42], [54, 62, 74, 84], [86, 14, 28, 40], [42, 54, 66, 78]],  # 2020
        ]
    )
    dataset = dataclasses.replace(
        make_dataset(framework, history[1]), history=readonly(history), years=(2018, 2019, 2020), year=2019
    )
    profile = make_weights(method="goalposts", min_coverage=0.5)
    engine = Engine(dataset, profile)
    rows = random_rows(engine, 4, np.random.default_rng(5), zeros=0.0)
    variant = variant_for(
        engine, profile.normalisation, {"default": Aggregation("arithmetic", None, 0.5)}, imputation=imputation
    )
    got = engine.scores(rows, variant)
    expected = oracle(dataset, profile, engine, rows, imputation=Imputation(imputation))
    np.testing.assert_allclose(got, expected, **TOLERANCE)
    # and by hand for one run, equal weights, interpolation: e0 b = 23, e1 a = 52 and d = 82, e2 c = 24
    if imputation == "interpolate":
        ones = np.ones((1, len(engine.nodes)))
        # e0: P = (12 + 23)/2 = 17.5, Q = (33 + 41)/2 = 37 -> 27.25; e1: P = (52 + 61)/2 = 56.5, Q = (72 + 82)/2 = 77
        # -> 66.75; e2: P = (88 + 12)/2 = 50, Q = (24 + 35)/2 = 29.5 -> 39.75; e3: (46.5 + 68.5)/2 = 57.5
        np.testing.assert_allclose(engine.scores(ones, variant)[0], [27.25, 66.75, 39.75, 57.5])


def test_engine_screening_leaves_the_same_entities_out():
    framework = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"}, goalposts=(0, 100))
    values = [[10, 20, 30, 40], [NAN, NAN, NAN, 80], [90, 10, 20, 30], [40, NAN, 60, 70]]
    dataset = make_dataset(framework, values)
    profile = dataclasses.replace(make_weights(method="goalposts", min_coverage=0.0), screening=0.5)
    engine = Engine(dataset, profile)
    assert engine.entities == ("e0", "e2", "e3")
    rows = random_rows(engine, 5, np.random.default_rng(2))
    np.testing.assert_allclose(
        engine.scores(rows, engine.nominal_variant()), oracle(dataset, profile, engine, rows), **TOLERANCE
    )


# --- random data with gaps and coverage cuts ------------------------------------------------------------------

#   index ── P ── a, b, c
#         ├─ Q ── d
#         │    └─ Q1 ── e, f
#         └─ R ── g, h
TREE = make_framework(
    {"P": None, "Q": None, "Q1": "Q", "R": None},
    {"a": "P", "b": "P", "c": "P", "d": "Q", "e": "Q1", "f": "Q1", "g": "R", "h": "R"},
    direction={"c": -1},
    goalposts=(0, 100),
)
AGGREGATIONS = st.sampled_from(METHODS)
COVERAGE = st.sampled_from([0.0, 0.5, 2 / 3, 0.667, 0.75, 1.0])


@st.composite
def gappy_problems(draw):
    n = draw(st.integers(2, 7))
    cell = st.one_of(
        st.integers(0, 100).map(float), st.floats(0, 100, allow_subnormal=False), st.just(NAN), st.just(NAN)
    )
    values = [[draw(cell) for _ in range(8)] for _ in range(n)]
    runs = draw(st.integers(1, 4))
    weight = st.one_of(st.just(0.0), st.floats(0.01, 5.0))
    rows = [[1.0] + [draw(weight) for _ in range(len(TREE.node_ids) - 1)] for _ in range(runs)]
    per_level = {
        level: Aggregation(*draw(AGGREGATIONS), draw(COVERAGE))
        for level in ("default", "index", "pillar", "sub-pillar")
    }
    bounded = draw(st.booleans())
    normalisation = Normalisation("goalposts", (0.0, 100.0)) if bounded else Normalisation("minmax", (1.0, 100.0))
    return values, np.array(rows), per_level, normalisation


@settings(max_examples=60, deadline=None)
@given(gappy_problems())
def test_engine_equals_pipeline_on_random_data_with_gaps(problem):
    values, rows, per_level, normalisation = problem
    dataset = make_dataset(TREE, values)
    profile = make_weights(method=normalisation.method, range=normalisation.range)
    engine = Engine(dataset, profile)
    rows = keep_a_path(engine, rows)
    got = engine.scores(rows, variant_for(engine, normalisation, per_level))
    expected = oracle(dataset, profile, engine, rows, normalisation=normalisation, aggregation=per_level)
    np.testing.assert_allclose(got, expected, **TOLERANCE)


def test_engine_zero_group_leaves_its_parent_out_of_the_coverage():
    # Q's only indicator weighs 0: Q has no score, and like a left-out node it does not count against the index's
    # coverage. Index min_coverage 0.7 with P and R available is 2 of 2, not 2 of 3 (which would cut every score).
    framework = make_framework({"P": None, "Q": None, "R": None}, {"a": "P", "b": "P", "c": "Q", "d": "R"})
    dataset = make_dataset(framework, [[1, 2, 3, 4], [5, NAN, 1, 2], [3, 3, NAN, 1], [2, 8, 4, 9]])
    profile = make_weights(min_coverage=0.7)
    engine = Engine(dataset, profile)
    row = np.ones((1, len(engine.nodes)))
    row[0, engine.nodes.index("c")] = 0.0
    got = engine.scores(row, engine.nominal_variant(), nodes=True)[0]
    assert np.isnan(got[:, engine.nodes.index("Q")]).all()
    expected = score(dataset, dataclasses.replace(profile, weights={"Q": 0.0})).index_scores()
    np.testing.assert_allclose(got[:, 0], expected, **TOLERANCE)
    assert not np.isnan(got[:, 0]).all()


@settings(max_examples=30, deadline=None)
@given(gappy_problems())
def test_engine_every_node_equals_pipeline(problem):
    values, rows, per_level, normalisation = problem
    rows = np.where(rows > 0, rows, 1.0)  # no zeros: every node is scored by both
    dataset = make_dataset(TREE, values)
    profile = make_weights(method=normalisation.method, range=normalisation.range)
    engine = Engine(dataset, profile)
    got = engine.scores(rows, variant_for(engine, normalisation, per_level), nodes=True)
    for r, row in enumerate(rows):
        weights = dataclasses.replace(
            profile,
            weights=dict(zip(engine.nodes, row, strict=True)),
            normalisation=normalisation,
            aggregation=per_level,
        )
        np.testing.assert_allclose(got[r], score(dataset, weights).scores, **TOLERANCE)


def test_engine_copeland_by_hand():
    # one pillar, three indicators, equal weights; Copeland: percentage of contests won (draw = half)
    #   x: 3 1 2   y: 1 3 2   z: 2 2 2   (goalposts [0, 10] keep the order)
    # x vs y: x wins a, y wins b, c tie -> draw; x vs z: a x, b z, c tie -> draw; y vs z: b y, a z -> draw
    framework = make_framework({"P": None}, {"a": "P", "b": "P", "c": "P"}, goalposts=(0, 10))
    dataset = make_dataset(framework, [[3, 1, 2], [1, 3, 2], [2, 2, 2]], ["x", "y", "z"])
    engine = Engine(dataset, make_weights(method="goalposts", aggregation="copeland"))
    rows = np.array([[1, 1, 1, 1, 1], [1, 1, 2, 1, 1]], dtype=float)
    got = engine.scores(rows, engine.nominal_variant())
    np.testing.assert_allclose(got[0], [50, 50, 50])
    # a weighs 2: x beats y (2 vs 1) and z (2 vs 1); z beats y (a 2 vs b 1): x 100, y 0, z 50
    np.testing.assert_allclose(got[1], [100, 0, 50])


# --- rank_rows against rank_scores ----------------------------------------------------------------------------

CLOSE = st.sampled_from([0.0, 1.0, 1.0 + 4e-10, 1.0 + 8e-10, 1.0 + 3e-9, 2.0, 50.0, 1e6, 1e6 + 1e-4, -1.0])
SCORE = st.one_of(CLOSE, st.just(NAN), st.floats(-100, 100), st.integers(0, 3).map(float))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(SCORE, min_size=n, max_size=n), min_size=1, max_size=6)))
def test_rank_rows_equals_rank_scores_row_by_row(rows):
    scores = np.array(rows, dtype=float)
    ranks = rank_rows(scores)
    for row, expected in zip(ranks, scores, strict=True):
        assert np.array_equal(row, rank_scores(expected), equal_nan=True)


def test_rank_rows_by_hand():
    scores = np.array(
        [
            [10.0, 30.0, 30.0, 20.0],  # competition: 4 1 1 3
            [NAN, 5.0, NAN, 5.0],  # 1 1, the missing unranked
            [1.0, 1.0 + 1e-12, 0.5, NAN],  # float noise is a tie
            [NAN, NAN, NAN, NAN],
        ]
    )
    expected = np.array([[4, 1, 1, 3], [NAN, 1, NAN, 1], [1, 1, 3, NAN], [NAN, NAN, NAN, NAN]])
    assert np.array_equal(rank_rows(scores), expected, equal_nan=True)
