"""The TUI's pure state: transitions, locks, and live scores equal to the pipeline's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trustindex.pipeline import score
from trustindex.tui.state import Scorer, Session, StateError, WeightState


def test_profile_weights_include_the_dataset_specific_ones():
    s = Session.load("coexistence-regimes", "integration-first")
    state = WeightState.from_profile(s.dataset, s.profile)
    assert state.weight("support") == 2.5
    assert state.weight("language_education") == 1.5  # from [datasets.coexistence-regimes.weights]
    assert state.weight("admission_control") == 1.0  # unlisted
    assert not state.dirty


def test_set_changes_one_weight(session):
    state = WeightState.from_profile(session.dataset, session.profile)
    new = state.set("support", 2)
    assert new.weight("support") == 2
    assert all(new.weight(n) == state.weight(n) for n in state.nodes if n != "support")
    assert new.dirty and new.changed() == ("support",)
    assert new.share("support") == pytest.approx(2 / 5)
    assert state.weight("support") == 1  # the old state is untouched


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "2"])
def test_invalid_values_are_refused(session, value):
    state = WeightState.from_profile(session.dataset, session.profile)
    with pytest.raises(StateError):
        state.set("support", value)


def test_a_group_keeps_a_positive_weight(session):
    state = WeightState.from_profile(session.dataset, session.profile)
    for pillar in ("management", "connectivity", "support"):
        state = state.set(pillar, 0)
    with pytest.raises(StateError, match="above 0"):
        state.set("explainability", 0)


def test_steps_land_on_round_numbers(session):
    state = WeightState.from_profile(session.dataset, session.profile)
    for _ in range(3):
        state = state.step("support", 1, 0.1)
    assert state.weight("support") == 1.3
    assert state.step("support", -100, 0.1).weight("support") == 0


def test_a_locked_weight_keeps_its_share(session):
    state = WeightState.from_profile(session.dataset, session.profile).toggle_lock("management")
    before = state.share("management")
    new = state.set("support", 3)
    assert new.share("management") == pytest.approx(before, rel=1e-5)  # the rescaled weight to six digits
    assert new.weight("management") == 1.66667  # 1/4 of 1 + 1 + 3 + w: w = 5/3, as a person writes it
    assert new.weight("connectivity") == 1 and new.weight("support") == 3  # unlocked ones keep their weights
    with pytest.raises(StateError, match="locked"):
        new.set("management", 2)
    assert new.toggle_lock("management").set("management", 2).weight("management") == 2


def test_when_every_sibling_is_locked_the_share_cannot_move(session):
    state = WeightState.from_profile(session.dataset, session.profile)
    for pillar in ("management", "connectivity", "explainability"):
        state = state.toggle_lock(pillar)
    for value in (0, 4):
        with pytest.raises(StateError, match="cannot change"):
            state.set("support", value)
    freed = state.toggle_lock("explainability").set("support", 3)  # half the group is locked at 25 % + 25 %
    assert freed.share("support") == pytest.approx(0.5 * 3 / 4)
    assert freed.share("management") == pytest.approx(0.25)


def test_normalise_changes_no_share_and_no_score(session):
    state = WeightState.from_profile(session.dataset, session.profile).set("support", 3).toggle_lock("management")
    normalised = state.normalise()
    for parent in set(state.parents):
        assert sum(normalised.weight(n) for n in state.children(parent)) == pytest.approx(1)
    for node in state.nodes:
        assert normalised.share(node) == pytest.approx(state.share(node))
    scorer = Scorer(session.dataset, session.profile)
    np.testing.assert_allclose(scorer.rank(normalised).scores, scorer.rank(state).scores, rtol=1e-12, equal_nan=True)


def test_reset(session):
    state = WeightState.from_profile(session.dataset, session.profile)
    edited = state.set("support", 3).set("management", 2).toggle_lock("connectivity")
    assert edited.reset("support").weight("support") == 1
    assert edited.reset("support").weight("management") == 2
    assert edited.reset() == state
    assert edited.committed().dirty is False


def test_states_compare_without_arrays(session):
    a = WeightState.from_profile(session.dataset, session.profile)
    b = WeightState.from_profile(session.dataset, session.profile)
    assert a == b and (a != b) is False and hash(a) == hash(b)
    assert a.set("support", 2) != b
    scorer = Scorer(session.dataset, session.profile)
    assert scorer.rank(a) == scorer.rank(b)  # rankings compare by scorer and state, never by arrays
    assert scorer.rank(a) != scorer.rank(a.set("support", 2))


def _random_states(state: WeightState, rng: np.random.Generator, count: int):
    for _ in range(count):
        values = {n: float(rng.choice([0.0, rng.uniform(0.1, 5)], p=[0.15, 0.85])) for n in state.nodes}
        for parent in set(state.parents):  # keep a positive weight in every group
            group = state.children(parent)
            if not any(values[n] > 0 for n in group):
                values[group[0]] = 1.0
        yield state.apply(values)


@pytest.mark.parametrize(
    "data, weights",
    [
        ("coexistence-regimes", "balanced"),
        ("coexistence-regimes", "market-first"),
        ("asem", "asem"),  # missing values, sub-pillars, min_coverage 0
        ("oecd-governance", None),
        ("jp-prefectures", None),
    ],
)
def test_live_scores_equal_the_pipeline(data, weights):
    """The engine path the TUI re-scores with gives exactly what `trustindex score` computes."""
    session = Session.load(data, weights)
    scorer = Scorer(session.dataset, session.profile)
    start = WeightState.from_profile(session.dataset, session.profile)
    rng = np.random.default_rng(7)
    for state in [start, *_random_states(start, rng, 6)]:
        live = scorer.rank(state)
        result = score(session.dataset, state.profile(session.profile, session.dataset))
        assert result.entities == live.entities
        assert result.nodes == scorer.nodes
        np.testing.assert_allclose(live.scores, result.scores, rtol=1e-9, atol=1e-9, equal_nan=True)
        np.testing.assert_array_equal(live.rank, result.rank(result.nodes[0]))


def test_rank_change_counts_places_gained(session):
    scorer = Scorer(session.dataset, session.profile)
    state = WeightState.from_profile(session.dataset, session.profile).set("management", 5)
    ranking = scorer.rank(state)
    japan = session.dataset.entities.index("japan")
    assert ranking.rank[japan] == 1
    assert ranking.change()[japan] == scorer.baseline.rank[japan] - 1 > 0
    assert not any(math.isnan(c) for c in ranking.change())
