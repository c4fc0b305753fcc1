"""One engine: every command reports the same nominal scores and ranks.

For every shipped dataset, every shipped profile that fits it (``check_fit`` raises ConfigError otherwise)
and every tie rule, the nominal index scores and ranks of ``pipeline.score`` are the reference, and these
must equal them exactly (not approximately: one implementation gives bit-identical numbers):

* ``uncertainty``'s nominal rank and score per entity;
* ``sensitivity``'s reference (what every output's changes are counted from), read by wrapping ``sobol``;
* ``rank_bounds``' nominal rank (the MILP itself is stubbed out here for time: its bounds are tested in
  test_stability and test_ranking; the nominal is computed before it runs);
* ``explain``'s rank and score of every entity;
* the TUI's ``Scorer`` (its baseline ranking);
* ``trustindex check``'s scores and ranks (``ProfileScores.moves``), run on copies of the shipped datasets
  with the profiles rewritten to each tie rule.

And the reference itself is checked against an independent recomputation of the ranks (a naive tie oracle) so
that "all equal" cannot mean "all equally wrong" in the ranking step.

Then screening happens after imputation: tiny datasets, by hand.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.engine import Engine
from trustindex.errors import ConfigError
from trustindex.explain import explain
from trustindex.io.dataset import load_dataset
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation, Imputation, Spec
from trustindex.pipeline import score
from trustindex.prepare import check_fit
from trustindex.ranking import TIES
from trustindex.stability import rank_bounds
from trustindex.tui.state import Scorer
from trustindex.uncertainty import uncertainty

ROOT = Path(__file__).resolve().parents[1]
DATASETS = sorted(p.name for p in (ROOT / "datasets").iterdir() if (p / "dataset.toml").is_file())
PROFILES = sorted(p.stem for p in (ROOT / "weights").glob("*.toml"))
NAN = float("nan")

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _fitting() -> list[tuple[str, str]]:
    pairs = []
    for name in DATASETS:
        dataset = load_dataset(ROOT / "datasets" / name)
        for profile in PROFILES:
            try:
                check_fit(dataset, load_weights(ROOT / "weights" / f"{profile}.toml"))
            except ConfigError:
                continue
            pairs.append((name, profile))
    return pairs


PAIRS = _fitting()


def test_every_dataset_has_a_fitting_profile():
    assert {name for name, _ in PAIRS} == set(DATASETS)
    assert len(PAIRS) >= len(DATASETS)


def naive_ranks(scores, ties):
    """Ranks by loops: sorted neighbours within 1e-9 (relative above 1) are tied, ties chain."""
    scored = sorted((s, i) for i, s in enumerate(scores) if not math.isnan(s))
    groups = []
    for s, i in scored:
        if groups and s - groups[-1][-1][0] <= 1e-9 * max(1.0, min(abs(groups[-1][-1][0]), abs(s))):
            groups[-1].append((s, i))
        else:
            groups.append([(s, i)])
    out, better = [NAN] * len(scores), 0
    for g, group in enumerate(reversed(groups)):
        for _, i in group:
            out[i] = {"competition": 1 + better, "dense": 1 + g, "fractional": better + (len(group) + 1) / 2}[ties]
        better += len(group)
    return out


def identical(a, b, what):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, what
    assert np.array_equal(a, b, equal_nan=True), f"{what}\n{a}\n{b}"


def twin_index(name: str) -> int:
    """The entity to duplicate in dataset ``name``: the median-ranked one under its first fitting profile (one
    choice per dataset, whatever the profile, so that ``check`` can score a single copy under every profile)."""
    profile = next(p for d, p in PAIRS if d == name)
    result = score(load_dataset(ROOT / "datasets" / name), load_weights(ROOT / "weights" / f"{profile}.toml"))
    ranks = result.rank(result.nodes[0])
    ranked = np.flatnonzero(~np.isnan(ranks))
    return int(ranked[np.argsort(ranks[ranked], kind="stable")[len(ranked) // 2]])


def twin_id(entity: str) -> str:
    """A new id for the copy: ``ZZZ`` where ids are ISO alpha-3 codes (check validates them), else ``<id>-twin``."""
    return "ZZZ" if len(entity) == 3 and entity.isalpha() and entity.isupper() else f"{entity}-twin"


def with_twin(dataset, i: int):
    """The dataset with a copy of entity ``i`` appended (see :func:`twin_id`): the shipped data have no ties, and a
    duplicated entity is where the tie rules (and the issue) bite."""

    def twice(array, axis=0):
        return np.concatenate([array, np.take(array, [i], axis=axis)], axis=axis)

    return dataclasses.replace(
        dataset,
        entities=(*dataset.entities, twin_id(dataset.entities[i])),
        names=(*dataset.names, f"{dataset.names[i]} (twin)"),
        values=twice(dataset.values),
        inputs={k: twice(v) for k, v in dataset.inputs.items()},
        labels={k: (*v, v[i]) for k, v in dataset.labels.items()},
        history=None if dataset.history is None else twice(dataset.history, axis=1),
    )


@pytest.fixture(scope="module")
def loaded():
    cache = {}

    def get(name, profile, ties, twin=False):
        key = (name, profile, twin)
        if key not in cache:
            dataset = load_dataset(ROOT / "datasets" / name)
            weights = load_weights(ROOT / "weights" / f"{profile}.toml")
            cache[key] = (with_twin(dataset, twin_index(name)) if twin else dataset, weights)
        dataset, weights = cache[key]
        return dataset, dataclasses.replace(weights, ties=ties)

    return get


class _Failed:
    success = False
    fun = NAN


@pytest.mark.parametrize("twin", [False, True], ids=["shipped", "with-a-twin"])
@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("name, profile", PAIRS)
def test_every_command_reports_the_same_nominal_scores_and_ranks(name, profile, ties, twin, loaded, monkeypatch):
    import scipy.optimize

    import trustindex.sensitivity as sensitivity_module

    dataset, weights = loaded(name, profile, ties, twin)
    result = score(dataset, weights)
    scores, ranks = result.index_scores(), result.rank(result.nodes[0])
    assert not np.isnan(scores).all()
    identical(ranks, naive_ranks(scores.tolist(), ties), "score's ranks against the naive oracle")
    if twin:  # the twin and its original share a rank under every rule
        assert ranks[-1] == ranks[twin_index(name)]
    engine = Engine(dataset, weights)
    assert engine.entities == result.entities

    found = uncertainty(engine, Spec(runs=4), seed=1)
    assert tuple(e.entity for e in found.entities) == result.entities
    identical([e.nominal_rank for e in found.entities], ranks, "uncertainty nominal rank")
    identical([e.nominal_score for e in found.entities], scores, "uncertainty nominal score")

    seen = {}
    real = sensitivity_module.sobol

    def spy(*args, **kwargs):
        seen["reference"] = np.array(kwargs["reference"])
        return real(*args, **kwargs)

    monkeypatch.setattr(sensitivity_module, "sobol", spy)
    sensitivity_module.sensitivity(engine, Spec(), samples=2, seed=1)
    n = len(result.entities)
    identical(seen["reference"][:n], ranks, "sensitivity reference ranks")
    identical(seen["reference"][n : 2 * n], scores, "sensitivity reference scores")

    if engine.nominal_variant().aggregation[-1].method == "arithmetic":
        monkeypatch.setattr(scipy.optimize, "milp", lambda *a, **k: _Failed())
        bounds = rank_bounds(engine, engine.framework.level(engine.nodes[engine.steps[-1].children[0]]))
        assert tuple(b.entity for b in bounds) == result.entities
        identical([b.nominal for b in bounds], ranks, "rank_bounds nominal")

    told = [explain(result, e) for e in result.entities]
    identical([x.rank for x in told], ranks, "explain rank")
    identical([x.score for x in told], scores, "explain score")

    scorer = Scorer(dataset, weights)
    assert scorer.entities == result.entities
    identical(scorer.baseline.rank, ranks, "TUI rank")
    identical(scorer.baseline.index_scores(), scores, "TUI score")
    identical(scorer.baseline.scores, result.scores, "TUI node scores")


OTHER_METHODS = {
    "geometric pillars, harmonic index": {"pillar": Aggregation("geometric", None, 0.5),
                                          "index": Aggregation("harmonic", None, 0.5)},
    "copeland index": {"index": Aggregation("copeland", None, 0.5)},
    "power 60 everywhere": {"default": Aggregation("power", 60.0, 0.5)},
}  # fmt: skip


@pytest.mark.parametrize("ties", TIES)
@pytest.mark.parametrize("methods", sorted(OTHER_METHODS))
@pytest.mark.parametrize("name, profile", [("oecd-governance", "balanced"), ("asem", "asem")])
def test_every_command_agrees_under_other_aggregations(name, profile, methods, ties, loaded, monkeypatch):
    import trustindex.sensitivity as sensitivity_module

    dataset, weights = loaded(name, profile, ties)
    weights = dataclasses.replace(weights, normalisation=dataclasses.replace(weights.normalisation, range=(1.0, 100.0)),
                                  aggregation={**weights.aggregation, **OTHER_METHODS[methods]})  # fmt: skip
    result = score(dataset, weights)
    scores, ranks = result.index_scores(), result.rank(result.nodes[0])
    assert np.isfinite(scores).sum() >= 2
    identical(ranks, naive_ranks(scores.tolist(), ties), "score's ranks against the naive oracle")
    engine = Engine(dataset, weights)
    found = uncertainty(engine, Spec(runs=4, aggregation=()), seed=1)
    identical([e.nominal_rank for e in found.entities], ranks, "uncertainty nominal rank")
    identical([e.nominal_score for e in found.entities], scores, "uncertainty nominal score")
    seen = {}
    real = sensitivity_module.sobol

    def spy(*args, **kwargs):
        seen["reference"] = np.array(kwargs["reference"])
        return real(*args, **kwargs)

    monkeypatch.setattr(sensitivity_module, "sobol", spy)
    sensitivity_module.sensitivity(engine, Spec(aggregation=()), samples=2, seed=1)
    n = len(result.entities)
    identical(seen["reference"][:n], ranks, "sensitivity reference ranks")
    # explain's exact Shapley attribution costs about a second per entity on asem under these methods: the
    # worst-ranked entity, under one tie rule (its rank is the result's, for any rule)
    if ties == "competition":
        i = int(np.nanargmax(ranks))
        told = explain(result, result.entities[i])
        assert told.rank == ranks[i] and told.score == scores[i]
    scorer = Scorer(dataset, weights)
    identical(scorer.baseline.rank, ranks, "TUI rank")
    identical(scorer.baseline.scores, result.scores, "TUI node scores")


def test_rank_bounds_nominal_unstubbed_on_the_small_dataset():
    # the real solver on the four regimes (a second per dataset elsewhere): same nominal, nominal inside bounds
    dataset = load_dataset(ROOT / "datasets" / "coexistence-regimes")
    weights = load_weights(ROOT / "weights" / "balanced.toml")
    result = score(dataset, weights)
    bounds = rank_bounds(Engine(dataset, weights))
    identical([b.nominal for b in bounds], result.rank(result.nodes[0]), "rank_bounds nominal")
    assert all(b.best <= b.nominal <= b.worst for b in bounds)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """``check`` on copies of the shipped datasets and of three of them with a twin row, each profile rewritten to
    each tie rule, the base being the dataset itself (so every entity has a Move with its rank and score)."""
    from trustindex.check import check

    out = {}
    for ties in TIES:
        root = tmp_path_factory.mktemp(f"check-{ties}")
        (root / "weights").mkdir()
        for path in (ROOT / "weights").glob("*.toml"):
            text = path.read_text(encoding="utf-8")
            (root / "weights" / path.name).write_text(f'{text}\n[ranking]\nties = "{ties}"\n', encoding="utf-8")
        for name in DATASETS:
            if ties == "competition":  # the shipped data have no ties: one rule is enough (the twins vary it)
                shutil.copytree(ROOT / "datasets" / name, root / "datasets" / name)
            if name in CSV_TWINS:  # and a copy with a twin row (the values row copied verbatim, a new id)
                twin = root / "datasets" / f"{name}-twin"
                shutil.copytree(ROOT / "datasets" / name, twin)
                entity = load_dataset(ROOT / "datasets" / name).entities[twin_index(name)]
                with open(twin / "values.csv", newline="", encoding="utf-8") as f:
                    rows = list(csv.reader(f))
                [row] = [r for r in rows[1:] if r[0] == entity]  # the id is the first column of these tables
                with open(twin / "values.csv", "a", newline="", encoding="utf-8") as f:
                    csv.writer(f).writerow([twin_id(entity), *row[1:]])
        for folder in sorted((root / "datasets").iterdir()):
            report = check([folder], base_file=folder).datasets[0]
            twin = folder.name.endswith("-twin")
            for compared in report.scores:
                out[(folder.name.removesuffix("-twin"), compared.profile, ties, twin)] = compared
    return out


CSV_TWINS = ("asem", "coexistence-regimes", "oecd-governance")  # cross-sections (the panel would need every year)


# the shipped data have no ties, so one tie rule for them; the twins (cross-sections only: the panel would need
# a row in every year) under every rule
CHECK_CASES = [(n, p, "competition", False) for n, p in PAIRS] + [
    (n, p, t, True) for n, p in PAIRS if n in CSV_TWINS for t in TIES
]


@pytest.mark.parametrize("name, profile, ties, twin", CHECK_CASES)
def test_check_reports_the_same_scores_and_ranks(name, profile, ties, twin, loaded, checked):
    dataset, weights = loaded(name, profile, ties, twin)
    result = score(dataset, weights)
    compared = checked[(name, profile, ties, twin)]
    moves = {m.entity: m for m in compared.moves}
    assert set(moves) == set(result.entities)
    ranks, scores = result.rank(result.nodes[0]), result.index_scores()
    identical([moves[e].rank for e in result.entities], ranks, "check rank")
    identical([moves[e].base_rank for e in result.entities], ranks, "check base rank")
    identical([moves[e].score for e in result.entities], scores, "check score")


# --- screening after imputation, by hand -----------------------------------------------------------------------
#
#   index ── P ── a, b      goalposts [0, 100] onto [0, 100]: normalised = raw
#         └─ Q ── c, d
#   e0: 10 20 30 40     P 15,  Q 35   -> 25
#   e1: 50  .  .  .     one raw value of four (coverage 0.25)
#   e2: 30 40 50 60     P 35,  Q 55   -> 45
#   e3: 70 80 10 20     P 75,  Q 15   -> 45  (tied with e2)
# Mean imputation fills e1 with the column means of the observed values: b (20+40+80)/3 = 140/3,
# c (30+50+10)/3 = 30, d (40+60+20)/3 = 40, so e1: P (50 + 140/3)/2 = 145/3, Q 35 -> (145/3 + 35)/2 = 125/3.
# Screening at 0.5: after imputation e1 has 4 of 4 and is kept (competition: e2 1, e3 1, e1 3, e0 4);
# on the raw values (basis "raw") it has 1 of 4 and is screened (e2 1, e3 1, e0 3); without imputation too.

FRAMEWORK = make_framework({"P": None, "Q": None}, {"a": "P", "b": "P", "c": "Q", "d": "Q"}, goalposts=(0, 100))
ROWS = [[10, 20, 30, 40], [50, NAN, NAN, NAN], [30, 40, 50, 60], [70, 80, 10, 20]]


def screened_profile(imputation: str, basis: str, ties: str = "competition"):
    profile = make_weights(method="goalposts", min_coverage=0.0, ties=ties)
    return dataclasses.replace(profile, imputation=Imputation(imputation), screening=0.5, screening_basis=basis)


CASES = {
    ("mean", "imputed"): (("e0", "e1", "e2", "e3"), [25.0, 125 / 3, 45.0, 45.0], [4, 3, 1, 1]),
    ("mean", "raw"): (("e0", "e2", "e3"), [25.0, 45.0, 45.0], [3, 1, 1]),
    ("none", "imputed"): (("e0", "e2", "e3"), [25.0, 45.0, 45.0], [3, 1, 1]),
    ("none", "raw"): (("e0", "e2", "e3"), [25.0, 45.0, 45.0], [3, 1, 1]),
}


@pytest.mark.parametrize("imputation, basis", sorted(CASES))
def test_screening_happens_after_imputation_in_every_command(imputation, basis):
    kept, expected_scores, expected_ranks = CASES[(imputation, basis)]
    dataset = make_dataset(FRAMEWORK, ROWS)
    profile = screened_profile(imputation, basis)
    result = score(dataset, profile)
    assert result.entities == kept
    assert result.screened == tuple(e for e in dataset.entities if e not in kept)
    np.testing.assert_allclose(result.index_scores(), expected_scores, rtol=1e-12)
    identical(result.rank("index"), expected_ranks, "score ranks")
    if "e1" not in kept:
        [notice] = [n for n in result.notices if n.kind == "screened"]
        assert notice.entities == ("e1",)
        if imputation != "none":
            assert ("before imputation" if basis == "raw" else "after imputation") in notice.message
    engine = Engine(dataset, profile)
    assert engine.entities == kept and engine.screened == result.screened
    found = uncertainty(engine, Spec(runs=8), seed=0)
    assert tuple(e.entity for e in found.entities) == kept
    identical([e.nominal_rank for e in found.entities], expected_ranks, "uncertainty")
    scorer = Scorer(dataset, profile)
    assert scorer.entities == kept
    identical(scorer.baseline.rank, expected_ranks, "TUI")
    bounds = rank_bounds(engine)
    identical([b.nominal for b in bounds], expected_ranks, "rank_bounds")
    if "e1" in kept:
        assert explain(result, "e1").rank == 3
    else:
        with pytest.raises(ConfigError, match="e1"):
            explain(result, "e1")


def test_screening_counts_imputed_values_but_not_values_imputation_could_not_fill():
    # group-mean imputation with e1 alone in its group: nothing to fill its gaps from, so they stay missing
    # and e1 is screened even on the imputed basis; e0, e2 and e3 share a group and are complete anyway.
    dataset = dataclasses.replace(make_dataset(FRAMEWORK, ROWS),
                                  labels={"region": ("x", "y", "x", "x")})  # fmt: skip
    profile = dataclasses.replace(screened_profile("none", "imputed"), imputation=Imputation("group-mean", "region"))
    assert score(dataset, profile).screened == ("e1",)
    # with e1 in the x group its gaps are filled from e0, e2, e3 (the same means as above): kept
    dataset = dataclasses.replace(dataset, labels={"region": ("x", "x", "x", "x")})
    result = score(dataset, profile)
    assert result.screened == ()
    np.testing.assert_allclose(result.index_scores()[1], 125 / 3, rtol=1e-12)
