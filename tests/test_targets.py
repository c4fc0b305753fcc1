"""``what_it_takes``: every answer re-scored or recomputed here, independently of the search that found it.

* A reachable single-indicator answer: the dataset is rebuilt with that one value changed and scored by the
  ordinary pipeline; it must reach the target, and a change 0.1 % smaller must not.
* An unreachable one: even the cap (goalpost, else best observed value, worked out here) does not reach it.
* A pillar answer: the index is recomputed by hand (plain Python) from the pillar scores, that pillar replaced.
* The combined change: closed-form minimum-norm points (Lagrange multipliers, by hand) and a brute-force search.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_dataset, make_framework, make_weights

from trustindex.errors import ConfigError
from trustindex.io.dataset import load_dataset
from trustindex.io.registry import resolve_dataset, resolve_weights
from trustindex.io.weights import load_weights
from trustindex.model import Aggregation, Imputation, Treatment
from trustindex.pipeline import score
from trustindex.targets import what_it_takes

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATASET = Path(__file__).resolve().parents[1] / "datasets" / "coexistence-regimes"
EPS = 1e-9
SMALLER = 0.999  # "a change 0.1 % smaller"

PILLARS = {"p": ["a", "b"], "q": ["c", "d", "e"]}
FRAMEWORK = make_framework({"p": None, "q": None}, {"a": "p", "b": "p", "c": "q", "d": "q", "e": "q"},
                           direction={"e": -1}, goalposts=(0, 100))  # fmt: skip
VALUES = np.array(
    [
        [80, 70, 60, 50, 20],
        [60, 90, 40, 70, 30],
        [50, 40, 90, 60, 10],
        [30, 60, 50, 40, 60],
        [70, 30, 30, 80, 50],
        [40, 50, 70, 30, 40],
        [55, 65, 45, 55, math.nan],  # e6 is missing e (lower is better)
    ]
)
# Copeland's answers sit at ties of pillar scores: with integer data two pillars can tie exactly, and then any
# positive change wins (the minimum is not attained, so "0.1 % smaller" would still reach). Distinct offsets avoid it.
GENERIC = VALUES + 0.01 * np.arange(VALUES.size).reshape(VALUES.shape) ** 1.5
WEIGHTS = {"p": 2.0, "q": 1.0, "a": 1.0, "b": 1.0, "c": 1.0, "d": 2.0, "e": 1.0}
SCENARIOS = {
    "arithmetic, min–max": make_weights(WEIGHTS),
    "arithmetic, goalposts": make_weights(WEIGHTS, method="goalposts"),
    "arithmetic, z-scores": make_weights(WEIGHTS, method="zscore"),
    "geometric index, min–max [1, 100]": make_weights(
        WEIGHTS, range=(1, 100), levels={"index": Aggregation("geometric")}
    ),
    "geometric everywhere, goalposts [1, 100]": make_weights(
        WEIGHTS, method="goalposts", range=(1, 100), aggregation="geometric"
    ),  # fmt: skip
    "copeland index": make_weights(WEIGHTS, method="goalposts", levels={"index": Aggregation("copeland")}),
}


# --- a plain-Python index from pillar scores, and the target test ---------------------------------


def index_from_pillars(rows: list[dict], method: str, w: dict[str, float]) -> list[float]:
    """Index of every entity from its pillar scores (dicts pillar -> score), pillar weights ``w``: weighted means
    or Copeland."""
    out = []
    for i, row in enumerate(rows):
        if method == "arithmetic":
            out.append(sum(w[p] * row[p] for p in w) / sum(w.values()))
        elif method == "geometric":
            out.append(math.exp(sum(w[p] * math.log(row[p]) for p in w) / sum(w.values())))
        else:  # copeland: the share of the other entities beaten on the weighted pillar majority, a draw half
            wins = 0.0
            for j, other in enumerate(rows):
                if j != i:
                    margin = sum(w[p] * ((row[p] > other[p]) - (row[p] < other[p])) for p in w)
                    wins += 1.0 if margin > EPS else 0.5 if abs(margin) <= EPS else 0.0
            out.append(100.0 * wins / (len(rows) - 1))
    return out


def reaches(index, i: int, rank: int | None, target_score: float) -> bool:
    """Rank: fewer than ``rank`` other entities score strictly higher. Score: at least the target."""
    mine = index[i]
    if rank is not None:
        above = sum(1 for j, s in enumerate(index) if j != i and not math.isnan(s) and s > mine + EPS * max(1, abs(s)))
        return above + 1 <= rank
    return mine >= target_score - EPS * max(1, abs(target_score))


def rescored(result, i: int, changes: dict[int, float]) -> np.ndarray:
    values = np.array(result.dataset.values)
    for k, value in changes.items():
        values[i, k] = value
    return score(dataclasses.replace(result.dataset, values=values), result.weights).scores[:, 0]


def cap(result, k: int) -> float:
    """The best value indicator ``k`` may take: its goalpost under goalposts normalisation, else the best observed."""
    indicator = result.framework.indicators[k]
    if result.weights.normalisation.method == "goalposts":
        return indicator.goalposts[1] if indicator.direction > 0 else indicator.goalposts[0]
    column = [x for x in result.dataset.values[:, k] if not math.isnan(x)]
    return max(column) if indicator.direction > 0 else min(column)


def check(result, entity: str, rank: int | None = None, score_: float | None = None):
    """Verify every answer of ``what_it_takes`` independently; return it with counts of what was checked."""
    i = result.entities.index(entity)
    target = what_it_takes(result, entity, rank=rank, score_=score_)
    index = list(result.scores[:, 0])
    if rank is not None:  # the target score is the rank-th best score among the others
        assert target.target_score == sorted((s for j, s in enumerate(index) if j != i), reverse=True)[rank - 1]
    else:
        assert target.target_score == score_
    assert target.reached == reaches(index, i, rank, target.target_score)
    counts = {"reachable": 0, "unreachable": 0, "pillar reachable": 0, "pillar unreachable": 0}
    if target.reached:
        assert target.indicators == target.pillars == target.combined == ()
        return target, counts
    assert [m.node for m in target.indicators] == list(result.framework.indicator_ids)
    for k, move in enumerate(target.indicators):
        raw = result.dataset.values[i, k]
        direction = result.framework.indicators[k].direction
        start = raw if not math.isnan(raw) else (np.nanmin if direction > 0 else np.nanmax)(result.dataset.values[:, k])
        if move.reachable:
            counts["reachable"] += 1
            assert move.verified, move
            assert (move.raw_needed - start) * direction > 0  # an improvement
            assert (cap(result, k) - move.raw_needed) * direction >= -EPS  # within the cap
            assert reaches(rescored(result, i, {k: move.raw_needed}), i, rank, target.target_score), move
            smaller = start + SMALLER * (move.raw_needed - start)
            assert not reaches(rescored(result, i, {k: smaller}), i, rank, target.target_score), move
        else:
            counts["unreachable"] += 1
            assert move.needed is None and move.raw_needed is None
            best = cap(result, k)
            if (best - start) * direction > 0:
                assert move.reason.startswith("not reachable even at its"), move
                assert not reaches(rescored(result, i, {k: best}), i, rank, target.target_score), move
            else:
                assert move.reason.startswith("already at its"), move
    method = result.weights.aggregation_for("index").method
    w = {p: result.weights.weight(p) for p in PILLARS}
    pillars = [{p: float(result.scores[j, result.column(p)]) for p in PILLARS} for j in range(len(index))]
    bounded = result.weights.normalisation.method in ("minmax", "goalposts")
    assert [m.node for m in target.pillars] == list(PILLARS)
    for move in target.pillars:
        top = result.weights.normalisation.range[1] if bounded else max(r[move.node] for r in pillars)
        changed = [dict(r) for r in pillars]
        if move.reachable:
            counts["pillar reachable"] += 1
            assert move.current < move.needed <= top + EPS
            changed[i][move.node] = move.needed
            assert reaches(index_from_pillars(changed, method, w), i, rank, target.target_score), move
            changed[i][move.node] = move.current + SMALLER * (move.needed - move.current)
            assert not reaches(index_from_pillars(changed, method, w), i, rank, target.target_score), move
        else:
            counts["pillar unreachable"] += 1
            changed[i][move.node] = top
            assert not reaches(index_from_pillars(changed, method, w), i, rank, target.target_score), move
    return target, counts


# --- 4. every answer on every entity and target ---------------------------------------------------


@pytest.mark.parametrize("profile", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_answer_reaches_the_target_and_a_smaller_one_does_not(profile):
    copeland = profile.aggregation_for("index").method == "copeland"
    result = score(make_dataset(FRAMEWORK, GENERIC if copeland else VALUES), profile)
    ranks = result.rank("index")
    cases = [(entity, rank) for i, entity in enumerate(result.entities) for rank in {1, int(ranks[i]) - 1} - {0}]
    if profile.aggregation_for("index").method != "arithmetic":  # the combined change is a slow optimisation here
        cases = [("e0", 1), ("e4", 1), ("e4", 3), ("e3", 5)]
    totals: dict[str, int] = {}
    for entity, rank in cases:
        _, counts = check(result, entity, rank=rank)
        for key, count in counts.items():
            totals[key] = totals.get(key, 0) + count
    # the scenario exercises both outcomes, for indicators and for pillars
    assert all(totals[key] > 0 for key in ("reachable", "unreachable", "pillar reachable", "pillar unreachable"))


@pytest.mark.parametrize("profile", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_score_targets(profile):
    copeland = profile.aggregation_for("index").method == "copeland"
    result = score(make_dataset(FRAMEWORK, GENERIC if copeland else VALUES), profile)
    index = result.scores[:, 0]
    lowest = int(np.argmin(index))
    for fraction in (0.3,) if copeland else (0.3, 0.9):  # a score between the lowest entity's and the best
        goal = float(index[lowest] + fraction * (np.max(index) - index[lowest]))
        target, _ = check(result, result.entities[lowest], score_=goal)
        assert not target.reached


def test_missing_value_starts_from_the_worst_observed():
    """e6 has no value for e (lower is better; goalposts [0, 100], so normalised = 100 − raw).

    e6 scores p = (55 + 65)/2 = 60 (weight 2 of 3) and q = (45 + 2·55)/3 over c, d, d. A score of 60 needs
    q = 60, so with e present (45 + 2·55 + x)/4 = 60 → x = 85 normalised → raw 15; the search starts from the
    worst observed value, 60.
    """
    result = score(make_dataset(FRAMEWORK, VALUES), SCENARIOS["arithmetic, goalposts"])
    assert result.scores[6, 0] == pytest.approx((2 * 60 + 155 / 3) / 3, abs=1e-12)
    target, counts = check(result, "e6", score_=60.0)
    move = target.indicators[4]
    assert move.raw_current is None and math.isnan(move.current)
    assert move.reachable and move.raw_needed == pytest.approx(15, abs=1e-4) and move.raw_needed <= 15
    assert move.needed == pytest.approx(85, abs=1e-4)


def test_imputation_and_outlier_treatment_are_part_of_the_search():
    """Mean imputation and winsorising: a's lone outlier (100 against 1…14) is winsorised to 14, and e3's b and e8's c
    are imputed. A candidate value must go through both, as in the pipeline, or the re-scoring disagrees."""
    framework = make_framework({"p": None, "q": None}, {"a": "p", "b": "p", "c": "q", "d": "q"})
    k = np.arange(15)
    values = np.column_stack(
        [
            np.r_[np.arange(1, 15), 100.0],
            50 + 30 * np.sin(1.3 * k),
            50 + 30 * np.cos(0.7 * k + 1),
            50 + 30 * np.sin(2.1 * k + 2),
        ]
    )
    values[3, 1] = values[8, 2] = math.nan
    profile = dataclasses.replace(make_weights(), imputation=Imputation("mean"), treatment=Treatment("winsorise"))
    result = score(make_dataset(framework, values), profile)
    assert [(t.entity, t.indicator, t.treated) for t in result.treated] == [("e14", "a", 14.0)]
    totals = {"reachable": 0, "unreachable": 0}
    for entity in ("e3", "e0"):  # ranks 10 and 5: one place up
        target, counts = check(result, entity, rank=int(result.rank("index")[result.entities.index(entity)]) - 1)
        totals["reachable"] += counts["reachable"]
        totals["unreachable"] += counts["unreachable"]
    assert totals["reachable"] > 0 and totals["unreachable"] > 0


# --- goalposts by hand ----------------------------------------------------------------------------


def test_single_indicator_answer_by_hand():
    """Goalposts [0, 100] (normalised = raw), arithmetic, one pillar of a and b with weights 1 and 3.

    Scores: e0 = (60 + 3·20)/4 = 30, e1 = (40 + 3·40)/4 = 40, e2 = (10 + 3·10)/4 = 10.
    e0 to rank 1 (score 40) alone: a → 60 + 4·10 = 100 (exactly the goalpost) or b → 20 + 40/3 = 33.33…
    """
    framework = make_framework({"p": None}, {"a": "p", "b": "p"}, goalposts=(0, 100))
    result = score(make_dataset(framework, [[60, 20], [40, 40], [10, 10]]), make_weights({"b": 3}, method="goalposts"))
    target = what_it_takes(result, "e0", rank=1)
    assert (target.rank, target.target_score, target.reached) == (2, 40.0, False)
    a, b = target.indicators
    assert a.reachable and a.raw_needed == pytest.approx(100, abs=1e-4)
    assert b.reachable and b.raw_needed == pytest.approx(20 + 40 / 3, abs=1e-4)
    assert b.raw_needed >= 20 + 40 / 3 - 1e-9  # the search returns a value that reaches, never one just short
    assert b.needed == pytest.approx(b.raw_needed, abs=1e-12) and b.raw_current == 20 and b.current == 20
    (pillar,) = target.pillars
    assert pillar.reachable and pillar.needed == pytest.approx(40, abs=1e-4)


# --- the combined minimum-norm change ---------------------------------------------------------------


def two_indicators(values):
    framework = make_framework({"p": None}, {"a": "p", "b": "p"}, goalposts=(0, 100))
    return score(make_dataset(framework, values), make_weights({"a": 1, "b": 3}, method="goalposts"))


def test_combined_minimum_norm_closed_form():
    """min Δa² + Δb² subject to e·Δ = needed, e = (1/4, 3/4): Lagrange gives Δ = λe with λ = needed/|e|².

    e0 = (20 + 3·30)/4 = 27.5; target 40 → needed 12.5, |e|² = 1/16 + 9/16 = 5/8, λ = 20, Δ = (5, 15),
    norm = √250. Neither cap binds (rooms 80 and 70).
    """
    result = two_indicators([[20, 30], [50, 50], [90, 10]])
    target = what_it_takes(result, "e0", score_=40)
    assert target.score == 27.5 and not target.reached
    changes = {c.node: c for c in target.combined}
    assert changes["a"].needed == pytest.approx(25, abs=1e-6) and changes["b"].needed == pytest.approx(45, abs=1e-6)
    assert changes["a"].raw_needed == pytest.approx(25, abs=1e-6) and changes["b"].raw_current == 30
    assert target.combined_norm == pytest.approx(math.sqrt(250), abs=1e-6)
    assert target.combined_verified and target.combined_note == ""
    index = rescored(result, 0, {0: changes["a"].raw_needed, 1: changes["b"].raw_needed})
    assert index[0] >= 40 - 1e-9


def test_combined_minimum_norm_with_a_binding_cap():
    """e0 = (20 + 3·95)/4 = 76.25, target 85: needed 8.75. Unconstrained λ = 8.75/(5/8) = 14 gives Δb = 10.5 > room 5,
    so Δb = 5 and 0.25·Δa = 8.75 − 3.75 → Δa = 20; norm √425. On the constraint line Δa = 35 − 3Δb, the norm²
    (35 − 3Δb)² + Δb² falls until Δb = 10.5, so within the cap Δb = 5 is the minimum.
    """
    result = two_indicators([[20, 95], [50, 50], [90, 10]])
    target = what_it_takes(result, "e0", score_=85)
    changes = {c.node: c for c in target.combined}
    assert changes["a"].needed == pytest.approx(40, abs=1e-6) and changes["b"].needed == pytest.approx(100, abs=1e-9)
    assert target.combined_norm == pytest.approx(math.sqrt(425), abs=1e-6)
    assert target.combined_verified


def test_combined_is_no_larger_than_any_feasible_change_found_by_brute_force():
    """Three pillars, arithmetic, goalposts: sample changes in the box, scale each onto the constraint, keep the
    feasible ones; none has a smaller norm than the combined answer (which must itself reach the target)."""
    framework = make_framework(
        {"p": None, "q": None, "r": None}, {"a": "p", "b": "p", "c": "q", "d": "r", "e": "r"}, goalposts=(0, 100)
    )
    values = [[30, 80, 20, 50, 95], [70, 60, 65, 55, 60], [50, 50, 50, 50, 50]]
    result = score(make_dataset(framework, values), make_weights({"p": 2, "c": 1, "e": 3}, method="goalposts"))
    target = what_it_takes(result, "e0", rank=1)
    assert not target.reached and target.combined_verified
    delta = {c.node: c.needed - c.current for c in target.combined}
    # effective weights by hand: p = 2/4 split 1:1, q = 1/4, r = 1/4 split 1:3
    e = {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.0625, "e": 0.1875}
    room = {k: 100 - v for k, v in zip("abcde", values[0], strict=True)}
    needed = target.target_score - target.score
    assert sum(e[k] * delta.get(k, 0.0) for k in e) == pytest.approx(needed, abs=1e-6)
    assert all(-1e-9 <= delta.get(k, 0.0) <= room[k] + 1e-9 for k in e)
    rng = random.Random(7)
    best = math.inf
    for _ in range(20000):
        d = {k: rng.random() * room[k] for k in e}
        t = needed / sum(e[k] * d[k] for k in e)
        if all(t * d[k] <= room[k] for k in e):
            best = min(best, math.sqrt(sum((t * d[k]) ** 2 for k in e)))
    assert target.combined_norm <= best + 1e-9
    assert best < target.combined_norm * 1.2  # the search got close: the comparison is not vacuous


def test_combined_non_arithmetic_reaches_and_beats_every_single_move():
    """Geometric with goalposts: any reachable single-indicator move is a feasible combined change, so the
    minimum-norm change (normalised points) is no larger; and re-scored, it reaches the target."""
    result = score(make_dataset(FRAMEWORK, VALUES), SCENARIOS["geometric everywhere, goalposts [1, 100]"])
    target = what_it_takes(result, "e2", rank=1)
    singles = [abs(m.needed - m.current) for m in target.indicators if m.reachable]
    assert singles and target.combined_norm <= min(singles) + 1e-6
    changes = {result.framework.indicator_ids.index(c.node): c.raw_needed for c in target.combined}
    assert reaches(rescored(result, 2, changes), 2, 1, target.target_score)
    assert target.combined_verified


# --- already there, and errors ----------------------------------------------------------------------


def test_a_target_already_reached_says_so():
    result = score(make_dataset(FRAMEWORK, VALUES), SCENARIOS["arithmetic, goalposts"])
    ranks = result.rank("index")
    third = result.entities[int(np.flatnonzero(ranks == 3)[0])]
    for target in (
        what_it_takes(result, third, rank=3),
        what_it_takes(result, third, rank=5),
        what_it_takes(result, third, score_=float(result.scores[result.entities.index(third), 0]) - 1),
    ):
        assert target.reached and target.indicators == () and target.pillars == () and target.combined == ()
    assert what_it_takes(result, third, rank=len(result.entities)).target_score == -math.inf


def test_errors():
    dataset = make_dataset(FRAMEWORK, np.vstack([VALUES, [[math.nan] * 5]]))
    result = score(dataset, SCENARIOS["arithmetic, goalposts"])
    with pytest.raises(ConfigError, match="give a target rank or a target score"):
        what_it_takes(result, "e0")
    with pytest.raises(ConfigError, match="give a target rank or a target score"):
        what_it_takes(result, "e0", rank=1, score_=50.0)
    # eight entities, one without a score: seven ranked, so an entity can aim at ranks 1..7
    with pytest.raises(ConfigError, match="target rank 8 is not between 1 and 7"):
        what_it_takes(result, "e0", rank=8)
    with pytest.raises(ConfigError, match="target rank 0 is not between 1 and 7"):
        what_it_takes(result, "e0", rank=0)
    with pytest.raises(ConfigError, match="'e7' has no index score"):
        what_it_takes(result, "e7", rank=1)
    with pytest.raises(ConfigError) as info:
        what_it_takes(result, "e77", rank=1)
    assert "no entity 'e77'" in str(info.value) and "did you mean 'e7'?" in str(info.value)


# --- 5. the shipped default dataset, by hand ----------------------------------------------------------


def test_japan_to_rank_two_by_hand():
    """Pillar means from values.csv: Japan 84, 27.5, 28.33…, 48.75; Continental Europe 62, 55.83…, 64.16…, 58.75
    → 60.1875 (rank 2). Connectivity alone: (84 + c + 28.333… + 48.75)/4 = 60.1875 → c = 79.666…; support alone
    80.5; management would need 136.17 and explainability 100.92, above the scale's 100."""
    meta = tomllib.loads((DATASET / "dataset.toml").read_text(encoding="utf-8"))
    parent = {iid: ind["parent"] for iid, ind in meta["indicators"].items()}
    with open(DATASET / "values.csv", encoding="utf-8", newline="") as stream:
        rows = {row["id"]: row for row in csv.DictReader(stream)}

    def pillar_means(entity):
        groups = {}
        for iid, p in parent.items():
            groups.setdefault(p, []).append(float(rows[entity][iid]))
        return {p: sum(v) / len(v) for p, v in groups.items()}

    japan, europe = pillar_means("japan"), pillar_means("continental-europe")
    goal = sum(europe.values()) / 4
    assert goal == pytest.approx(60.1875, abs=1e-12)
    result = score(load_dataset(resolve_dataset("coexistence-regimes")), load_weights(resolve_weights("balanced")))
    target = what_it_takes(result, "japan", rank=2)
    assert target.target_score == pytest.approx(goal, abs=1e-12) and target.rank == 3
    moves = {m.node: m for m in target.pillars}
    for pillar in ("connectivity", "support"):
        alone = 4 * goal - sum(v for p, v in japan.items() if p != pillar)
        assert moves[pillar].reachable
        # the search returns the first grid value that reaches: within (100 − current)/64⁴ above the exact answer
        assert alone - 1e-9 <= moves[pillar].needed <= alone + 1e-5
    assert 4 * goal - sum(v for p, v in japan.items() if p != "connectivity") == pytest.approx(79.6666667, abs=1e-6)
    for pillar in ("management", "explainability"):
        assert 4 * goal - sum(v for p, v in japan.items() if p != pillar) > 100
        assert not moves[pillar].reachable and moves[pillar].reason == "not reachable even at 100"
    # no indicator alone: the largest single gain is reasons and redress 35 → 100 at weight 1/16, 4.06 < 13.04
    assert not any(m.reachable for m in target.indicators)
    # combined, by hand: Δ_j = min(λ e_j, room_j) with e = 1/20 (management), 1/24, 1/16 (explainability); the two
    # management values at 90 cap at 10, then Σ e Δ = λ (3/400 + 12/576 + 4/256) + 2·10/20 = 13.0416…
    needed = goal - target.score
    lam = (needed - 1.0) / (3 / 400 + 12 / 576 + 4 / 256)
    assert 10 <= lam / 20 <= 15  # the assumed caps bind, and only those
    norm = math.sqrt(3 * (lam / 20) ** 2 + 2 * 10**2 + 12 * (lam / 24) ** 2 + 4 * (lam / 16) ** 2)
    assert target.combined_norm == pytest.approx(norm, abs=1e-6)
    assert target.combined_verified


def test_without_the_search_alone_pillars_and_combined_are_the_full_answers():
    """``alone=False`` (the HTML report's profiles) skips only the per-indicator search: the pillar moves and the
    combined change are those of the full search, and the combined change still reaches the target by hand."""
    result = two_indicators([[20, 30], [50, 50], [90, 10]])
    full = what_it_takes(result, "e0", score_=40)
    quick = what_it_takes(result, "e0", score_=40, alone=False)
    assert quick.indicators == () and len(full.indicators) == 2
    assert quick.pillars == full.pillars and quick.combined == full.combined
    changes = {c.node: c.raw_needed for c in quick.combined}
    assert rescored(result, 0, {0: changes["a"], 1: changes["b"]})[0] >= 40 - 1e-9


def test_a_target_reached_only_at_every_cap_is_found_not_searched_forever():
    # e0 tops every indicator at the goalpost 100: e1 ties it (rank 1) only with all three at 100. The three
    # weights of 1/3 sum the capped change to 100 within rounding, below the 100 needed: the water-filling
    # search used to double its step forever.
    framework = make_framework({"P": None}, {"a": "P", "b": "P", "c": "P"}, goalposts=(0, 100))
    values = [[100, 100, 100], [0, 0, 0], [10, 10, 10]]
    result = score(make_dataset(framework, values), make_weights(method="goalposts"))
    target = what_it_takes(result, "e1", rank=1)
    assert [c.needed for c in target.combined] == pytest.approx([100, 100, 100])
    assert target.combined_norm == pytest.approx(100 * 3**0.5) and target.combined_verified
