"""Saving weights into a profile's TOML: comments and layout kept, atomic, checked, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from trustindex.errors import ConfigError
from trustindex.io.weights import load_weights
from trustindex.pipeline import score
from trustindex.tui.profile import render, save
from trustindex.tui.state import Session, WeightState


def test_unchanged_weights_give_the_file_back_byte_for_byte(profile_copy, session):
    path = profile_copy("welfare-first")
    text = path.read_text()
    state = WeightState.from_profile(session.dataset, load_weights(path))
    assert render(text, session.dataset, state.mapping()) == text


def test_a_changed_pillar_weight_keeps_comments_and_layout(profile_copy, session):
    path = profile_copy("balanced")
    text = path.read_text()
    state = WeightState.from_profile(session.dataset, load_weights(path)).set("support", 2.5)
    out = render(text, session.dataset, state.mapping())
    assert "support = 2.5\n" in out
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert changed == [("support = 1", "support = 2.5")]  # every comment and blank line where it was


def test_indicator_weights_go_where_they_live(profile_copy, session):
    path = profile_copy("integration-first")
    profile = load_weights(path)
    state = WeightState.from_profile(session.dataset, profile)
    state = state.set("language_education", 2).set("enforcement", 0.5)
    out = render(path.read_text(), session.dataset, state.mapping())
    assert "language_education = 2   # integration read as language provision" in out  # its comment kept
    block = out[out.index("[datasets.coexistence-regimes.weights]") :]
    assert "enforcement = 0.5" in block.split("\n[")[0]  # an indicator joins the dataset's own table
    general = out[out.index("[weights]") : out.index("[datasets")]
    assert "enforcement" not in general


def test_an_indicator_table_is_created_when_missing(profile_copy, session):
    path = profile_copy("balanced")
    state = WeightState.from_profile(session.dataset, load_weights(path)).set("enforcement", 0.5)
    out = render(path.read_text(), session.dataset, state.mapping())
    assert "[datasets.coexistence-regimes.weights]\nenforcement = 0.5" in out


def test_save_writes_a_profile_that_scores_the_same(profile_copy, session, tmp_path):
    source = profile_copy("market-first")
    profile = load_weights(source)
    state = WeightState.from_profile(session.dataset, profile)
    state = state.set("support", 1.7).set("labour_link", 0).toggle_lock("management").set("connectivity", 0.3)
    target = tmp_path / "mine.toml"
    saved = save(target, source, session.dataset, state.mapping())
    assert saved.name == "mine"  # saved under a new name: the profile's name follows the file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["market-first.toml", "mine.toml"]  # no temporary left
    expected = score(session.dataset, state.profile(profile, session.dataset))
    again = score(session.dataset, saved)
    np.testing.assert_array_equal(again.scores, expected.scores)
    assert "# relative weights, rescaled within each group" in target.read_text()


def test_save_over_the_source_keeps_its_name(profile_copy, session):
    source = profile_copy("balanced")
    state = WeightState.from_profile(session.dataset, load_weights(source)).set("support", 2)
    saved = save(source, source, session.dataset, state.mapping())
    assert saved.name == "balanced" and saved.weight("support") == 2


def test_save_refuses_dataset_files_and_folders(session, tmp_path, profile_copy):
    source = profile_copy("balanced")
    weights = WeightState.from_profile(session.dataset, load_weights(source)).mapping()
    values = session.dataset.files[0]
    before = values.read_bytes()
    with pytest.raises(ConfigError, match="refusing to overwrite"):
        save(values, source, session.dataset, weights, protect=session.dataset.files)
    assert values.read_bytes() == before
    with pytest.raises(ConfigError, match="folder"):
        save(tmp_path, source, session.dataset, weights)
    with pytest.raises(ConfigError, match="does not exist"):
        save(tmp_path / "nowhere" / "x.toml", source, session.dataset, weights)


def test_a_failed_write_leaves_the_target_alone(session, tmp_path, profile_copy, monkeypatch):
    source = profile_copy("balanced")
    original = source.read_text()
    state = WeightState.from_profile(session.dataset, load_weights(source)).set("support", 2)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("trustindex.io.output.os.replace", broken)  # the one atomic writer
    with pytest.raises(ConfigError, match="No space left"):
        save(source, source, session.dataset, state.mapping())
    assert source.read_text() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["balanced.toml"]


def test_the_session_saves_shipped_profiles_to_a_new_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    session = Session.load()
    assert session.shipped
    assert session.save_target() == tmp_path / "balanced-custom.toml"


def test_a_description_saved_in_place_says_the_last_edit_once():
    import datetime

    from trustindex.tui.profile import describe_edit

    text = 'schema = 1\nname = "mine"\ndescription = "Equal weights."\n\n[weights]\nsupport = 2\n'
    day = datetime.date(2026, 1, 2)
    once = describe_edit(text, "mine", [("support", 1.0, 2.0)], copy=False, today=day)
    twice = describe_edit(once, "mine", [("support", 2.0, 0.5)], copy=False, today=day)
    description = 'description = "Equal weights. Weights edited in trustindex tui on 2026-01-02: support 2 → 0.5."'
    assert description in twice.splitlines()  # the user's words once, then the latest edit only
    assert twice.splitlines()[:2] == ["# 2026-01-02: weights edited in trustindex tui: support 2 → 0.5.",
                                      "# 2026-01-02: weights edited in trustindex tui: support 1 → 2."]  # fmt: skip
    assert describe_edit(text, "mine", [], copy=False, today=day).endswith(text)  # nothing changed: words kept
