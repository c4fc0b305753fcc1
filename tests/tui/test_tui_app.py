"""The app through Pilot: keys and clicks in, widget state and the core's own numbers out."""

from __future__ import annotations

import asyncio
import csv
import io
import math
import time
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from pilot_helpers import leave, settle, wait_until
from textual.command import CommandList
from textual.widgets import DataTable, Input, OptionList, Static

from trustindex.cli import cli
from trustindex.engine import Engine
from trustindex.io.registry import resolve_weights
from trustindex.io.weights import load_weights
from trustindex.model import frozen_map
from trustindex.pipeline import score
from trustindex.stability import weight_stability
from trustindex.tui.app import TrustIndexApp
from trustindex.tui.commands import TrustIndexCommands
from trustindex.tui.screens import Confirm, HelpScreen, OpenDialog, PresetDialog, SaveDialog
from trustindex.tui.widgets import RankTable, WeightBar


def assert_table_is(app: TrustIndexApp, result) -> None:
    """The ranking table shows ``result`` (a pipeline Result): order, ranks, index and pillar scores."""
    table = app.query_one(RankTable)
    assert table.sort_key == "rank"
    expected = [result.entities[i] for i in result.order()]
    assert table.row_entities() == expected
    index = result.nodes[0]
    pillars = result.framework.children(index)
    for i, entity in enumerate(result.entities):
        rank = result.rank(index)[i]
        assert table.cell(entity, "rank") == ("–" if math.isnan(rank) else f"{rank:.0f}")
        for node in (index, *pillars):
            value = result.scores[i, result.column(node)]
            assert table.cell(entity, node) == ("–" if math.isnan(value) else f"{value:.1f}")
    np.testing.assert_allclose(app.ranking.scores, result.scores, rtol=1e-9, atol=1e-9, equal_nan=True)


def weights_as(app: TrustIndexApp, **weights: float):
    """The loaded profile with exactly these weights (others as loaded): written out, not taken from the state."""
    profile = app.session.profile.for_dataset(app.session.dataset.name)
    return replace(profile, weights=frozen_map({**profile.weights, **weights}))


def text_of(static: Static) -> str:
    return str(static.content)


async def test_the_table_starts_as_the_pipeline_ranks(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)):
        assert_table_is(app, score(app.session.dataset, app.session.profile))
        assert [bar.node for bar in app.query(WeightBar)] == list(app.framework.children("coexistence"))
        assert isinstance(app.focused, WeightBar) and app.focused.node == "management"


async def test_keys_change_a_weight_and_the_ranking_is_the_cores(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "right", "right")  # management 1 → 1.3 (step 0.1)
        await pilot.press("shift+right")  # ten steps: 2.3
        assert app.state.weight("management") == 2.3
        await pilot.press("down", "down")  # support
        await pilot.press("equals_sign", "0", "full_stop", "5", "enter")  # type an exact value
        assert app.state.weight("support") == 0.5
        expected = score(app.session.dataset, weights_as(app, management=2.3, support=0.5))
        assert_table_is(app, expected)
        assert str(app.query_one("#weights-status", Static).content).startswith("unsaved: 2 changed")
        await pilot.press("end")  # support at full scale: 2
        assert_table_is(app, score(app.session.dataset, weights_as(app, management=2.3, support=2)))
        await pilot.press("home")
        assert app.state.weight("support") == 0
        assert_table_is(app, score(app.session.dataset, weights_as(app, management=2.3, support=0)))


async def test_a_weight_change_that_reranks_shows_arrows(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("equals_sign", "5", "enter")  # management 5 of 8: Japan rises to first
        table = app.query_one(RankTable)
        assert table.row_entities()[0] == "japan"
        assert table.cell("japan", "change") == "▲2"
        assert table.cell("nordic", "change") == "▼2"
        assert table.cell("continental-europe", "change") == "·"
        assert_table_is(app, score(app.session.dataset, weights_as(app, management=5)))


async def test_refused_edits_are_reported_not_applied(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        before = app.state
        await pilot.press("l", "right")  # locked: refused
        assert app.state == before.toggle_lock("management")
        await pilot.press("equals_sign", "x", "enter")  # not a number: nothing typed but "x" is ignored → ""
        assert app.state.weight("management") == 1
        assert app.query_one(WeightBar).editing is None


async def test_drill_down_lock_and_normalise(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")  # into management
        nodes = [bar.node for bar in app.query(WeightBar)]
        assert nodes == list(app.framework.children("management"))
        assert app.focused.node == nodes[0]
        await pilot.press("l")  # lock admission_control's share (20 %)
        await pilot.press("down", "shift+right", "shift+right")  # activity_affiliation_rules 1 → 3
        assert app.state.share("admission_control") == pytest.approx(0.2)
        assert app.state.weight("activity_affiliation_rules") == 3
        assert_table_is(app, score(app.session.dataset, app.state.profile(app.session.profile, app.session.dataset)))
        before, ranks = app.ranking.scores.copy(), app.ranking.rank.copy()
        await pilot.press("n")  # normalise the group: round numbers, no rank moves, no score by more than 0.005
        group = app.framework.children("management")
        assert sum(app.state.weight(n) for n in group) == pytest.approx(1, abs=5e-3)
        assert all(len(f"{app.state.weight(n):g}".lstrip("0.")) <= 6 for n in group)
        np.testing.assert_allclose(app.ranking.scores, before, rtol=0, atol=5e-3, equal_nan=True)
        np.testing.assert_array_equal(app.ranking.rank, ranks)
        await pilot.press("z")  # reset this weight
        assert app.state.weight("activity_affiliation_rules") == 1
        await pilot.press("escape")  # back to the pillars, management focused
        assert [bar.node for bar in app.query(WeightBar)][0] == "management"
        assert app.focused.node == "management"
        await pilot.press("R")  # reset everything
        assert not app.state.dirty and not app.state.locked


async def test_indicator_weights_on_a_dataset_with_sub_pillars_and_gaps(make_app):
    app = make_app("asem")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")  # into Conn, whose components are sub-pillars
        await pilot.press("enter")  # into the first sub-pillar
        first = app.focused.node
        assert app.framework.level(first) == "indicator"
        await pilot.press("equals_sign", "3", "enter")
        assert_table_is(app, score(app.session.dataset, weights_as(app, **{first: 3})))


async def test_the_ranking_sorts_and_follows_the_cursor(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab")
        table = app.query_one(RankTable)
        assert app.focused is table
        await pilot.press("down", "down")
        assert app.selected == table.row_entities()[2]
        chosen = app.selected
        await pilot.press("s")  # by Δ
        assert table.sort_key == "change"
        for _ in range(3):  # on through the 5–95 % column (when shown) and the names to the index score
            if table.sort_key != "coexistence":
                await pilot.press("s")
        assert table.sort_key == "coexistence"
        best_first = table.row_entities()
        scores = [app.ranking.scores[app.scorer.entities.index(e), 0] for e in best_first]
        assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
        await pilot.press("S")
        assert table.descending
        assert table.row_entities() == best_first[::-1]  # distinct scores: reversing the sort reverses the rows
        worst_first = [app.ranking.scores[app.scorer.entities.index(e), 0] for e in table.row_entities()]
        assert worst_first == sorted(scores)
        assert table.cell(table.row_entities()[0], "coexistence") == f"{min(scores):.1f}"
        assert app.selected == chosen  # the cursor stays on the entity
        await pilot.press("shift+tab")
        assert isinstance(app.focused, WeightBar)


async def test_mouse_sorts_selects_and_sets_weights(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(RankTable)
        await pilot.click(RankTable, offset=(2, 0))  # the Rank header: reverse the rank sort
        assert table.sort_key == "rank" and table.descending
        await pilot.click(RankTable, offset=(10, 1))  # first row: now the last-ranked entity
        assert app.selected == "united-states"
        bar = app.query(WeightBar).first()
        await pilot.click(bar, offset=(1 + bar._bar_width(), 1))  # right end of the track
        assert app.state.weight("management") == pytest.approx(bar.view.scale)


async def test_entity_detail_renders_the_explanation(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab", "down", "down", "enter")  # Japan, third
        assert app.query_one("TabbedContent").active == "entity"
        assert app.selected == "japan"
        await settle(pilot)
        parts = app.query_one("#parts", DataTable)
        dataset = app.session.dataset
        assert parts.row_count == len(app.framework.node_ids)
        for indicator in dataset.framework.indicators:
            year = indicator.year or dataset.year
            expected = ", ".join(str(x) for x in (indicator.source, year) if x)
            assert str(parts.get_cell(indicator.id, "source")).startswith(expected)
        from trustindex.explain import explain

        explanation = explain(score(dataset, app.session.profile), "japan")
        for part in explanation.parts:
            assert str(parts.get_cell(part.node, "contribution")) == f"{part.contribution:.1f}"
            assert str(parts.get_cell(part.node, "effective")) == f"{part.effective_weight:.3f}"
        assert explanation.summary in text_of(app.query_one("#entity-summary", Static))
        target = text_of(app.query_one("#entity-target", Static))
        from trustindex.reports.explain import target_view
        from trustindex.targets import what_it_takes

        expected = target_view(what_it_takes(score(dataset, app.session.profile), "japan", rank=2), app.framework.label)
        assert target.startswith(expected.heading)  # the CLI's words, and no longer "computing…"
        assert "computing" not in target
        assert expected.moves.text("table") in target  # the same table as `trustindex explain japan`
        await pilot.press("right_square_bracket")  # the next entity in the table
        assert app.selected == "united-states"
        await pilot.press("e")
        assert app.query_one(RankTable).selected == "united-states"


async def test_stability_intervals_are_the_cores(make_app):
    app = make_app(live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        engine = Engine(app.session.dataset, app.session.profile)
        for bar in app.query(WeightBar):
            low, high = weight_stability(engine, bar.node, app.selected).entity
            assert bar.view.stability == f"{low * 100:.0f}–{high * 100:.0f}%"
        await pilot.press("equals_sign", "3", "enter")
        await settle(pilot)
        engine = Engine(app.session.dataset, app.state.profile(app.session.profile, app.session.dataset))
        low, high = weight_stability(engine, "support", app.selected).entity
        assert app.query(WeightBar)[2].view.stability == f"{low * 100:.0f}–{high * 100:.0f}%"


async def test_saving_writes_a_profile_that_scores_the_table(make_app, profile_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = profile_copy("integration-first")
    app = make_app(weights=str(source))
    target = tmp_path / "edited.toml"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(
            "equals_sign", "4", "enter", "down", "shift+right"
        )  # management 4, connectivity 3 (steps of 0.2)
        await pilot.press("down", "down", "enter")  # explainability's indicators
        await pilot.press("equals_sign", "0", "enter")  # transparency of criteria: 0
        await pilot.press("ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        assert dialog.query_one("#path", Input).value == str(source)  # a user's file: saved in place by default
        dialog.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert target.exists() and not isinstance(app.screen, SaveDialog)
        assert not app.state.dirty and app.sub_title == "coexistence-regimes · edited"
        table = app.query_one(RankTable)
        shown = [(table.cell(e, "rank"), e, app.ranking.scores[app.scorer.entities.index(e), 0])
                 for e in table.row_entities()]  # fmt: skip
    assert "# relative weights, rescaled within each group" in target.read_text()
    run = CliRunner().invoke(cli, ["score", "--weights", str(target), "-f", "csv"])
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["rank"], r["entity"]) for r in rows] == [(rank, entity) for rank, entity, _ in shown]
    for row, (_, _, value) in zip(rows, shown, strict=True):
        assert float(row["coexistence"]) == pytest.approx(value, rel=1e-12)


async def test_saving_never_replaces_a_file_without_asking(make_app, profile_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = profile_copy("balanced")
    original = source.read_text()
    app = make_app(weights=str(source), live=True)  # with the background jobs that used to race the dialogs
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "ctrl+s", "enter")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert source.read_text() == original and app.state.dirty
        await pilot.press("ctrl+s", "enter", "y")
        await pilot.pause()
        assert load_weights(source).weight("management") == 1.1 and not app.state.dirty


async def test_a_shipped_profile_is_saved_to_a_new_file(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "ctrl+s")
        assert app.screen.query_one("#path", Input).value == str(tmp_path / "balanced-custom.toml")
        await pilot.press("enter")
        await pilot.pause()
    saved = load_weights(tmp_path / "balanced-custom.toml")
    assert saved.name == "balanced-custom" and saved.weight("management") == 1.1
    assert load_weights(resolve_weights("balanced")).weight("management") == 1


async def test_quitting_with_unsaved_changes_asks(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("right", "q")
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")
        assert not isinstance(app.screen, Confirm) and app.is_running
        await leave(pilot, "q", "d")  # discard
        assert not app.is_running


async def test_quitting_unchanged_does_not_ask(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await leave(pilot, "right", "left", "q")  # back to the loaded weight: nothing to save
        assert not app.is_running


async def test_quitting_can_save_first(make_app, profile_copy, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    source = profile_copy("balanced")
    app = make_app(weights=str(source))
    async with app.run_test() as pilot:
        await pilot.press("right", "q", "s")  # save first
        assert isinstance(app.screen, SaveDialog)
        await leave(pilot, "enter", "y")
        assert not app.is_running
    assert load_weights(source).weight("management") == 1.1


async def test_cancel_stops_the_worker(make_app):
    app = make_app("asem")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        app.query_one("#runs", Input).value = "3000000"  # about a minute and a half of work
        await pilot.press("u")
        await wait_until(pilot, lambda: app.query_one("#progress").progress > 0)
        assert app.jobs.threads == 1
        asked = []  # when escape reaches the jobs (the pilot first waits for an idle process to type it)
        cancel = app.jobs.cancel

        def timed_cancel(group):
            asked.append(time.monotonic())
            return cancel(group)

        app.jobs.cancel = timed_cancel
        await pilot.press("escape")
        assert "cancelled" in text_of(app.query_one("#robustness-status", Static))
        await wait_until(pilot, lambda: app.jobs.threads == 0, timeout=2)  # the thread itself stopped
        assert time.monotonic() - asked[0] < 1.5
        assert app.robustness.results.uncertainty is None  # nothing half-done is shown
        assert not app.jobs.errors


async def test_robustness_runs_in_a_worker_and_draws(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r", "u")
        assert app.is_running  # the key returned at once: the work is in a thread
        await settle(pilot)
        _, result = app.robustness.results.uncertainty
        from trustindex.model import Spec
        from trustindex.uncertainty import uncertainty

        again = uncertainty(Engine(app.session.dataset, app.session.profile), Spec(), app.seed)
        assert [e.median_rank for e in result.entities] == [e.median_rank for e in again.entities]
        summary = text_of(app.query_one("#robustness-summary", Static))
        assert f"Mean absolute rank shift {again.mean_shift:.2f}; Spearman {again.spearman:.3f}" in summary
        await pilot.press("o")
        await settle(pilot)
        assert app.robustness.results.sensitivity is not None
        app.theme = "textual-light"  # the charts are redrawn in the new theme's colours
        await pilot.pause()
        await pilot.press("e", "right")  # weights changed: the results are marked stale
        await pilot.press("r")
        assert "earlier weights" in text_of(app.query_one("#robustness-status", Static))


async def test_every_audit_finding_leads_to_what_it_concerns(make_app):
    app = make_app("asem")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        findings = app.query_one("#findings", DataTable)
        report = app.audit.audit
        assert findings.row_count == len(report.findings) > 0
        indicators = set(app.framework.indicator_ids)
        chosen, groups = [], set()
        for row, finding in enumerate(report.findings):
            nodes = [n for n in finding.nodes if n != app.framework.index.id]
            if nodes and (finding.rule, app.framework.parent(nodes[0])) not in groups:
                groups.add((finding.rule, app.framework.parent(nodes[0])))  # each in another group of bars
                chosen.append((row, next((n for n in nodes if n in indicators), nodes[0])))
        assert len(chosen) >= 4
        for k, (row, expected) in enumerate(chosen[:4]):
            await pilot.resize_terminal(*((120, 40) if k % 2 == 0 else (80, 24)))
            await pilot.press("a")
            findings.move_cursor(row=row)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.focused, WeightBar), timeout=5)
            assert app.query_one("TabbedContent").active == "explore"
            assert app.focused.node == expected, report.findings[row].message


async def test_a_finding_is_readable_in_full(make_app):
    app = make_app("asem")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await settle(pilot)
        report = app.audit.audit
        longest = max(range(len(report.findings)), key=lambda i: len(report.findings[i].message))
        app.query_one("#findings", DataTable).move_cursor(row=longest)
        await pilot.pause()
        detail = app.query_one("#finding-detail", Static)
        shown = " ".join(detail.render_lines(detail.region.reset_offset)[k].text.strip()  # what is painted
                         for k in range(detail.region.height))  # fmt: skip
        message = report.findings[longest].message
        assert len(message) > 76  # longer than the screen is wide
        assert " ".join(message.split()) in " ".join(shown.split())


async def test_presets_apply_the_shipped_profiles_weights(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PresetDialog)
        options = dialog.query_one(OptionList)
        names = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "market-first" in names and "jp-settlement" not in names  # only profiles that fit
        options.highlighted = names.index("market-first")
        await pilot.press("enter")
        await pilot.pause()
        market = load_weights(resolve_weights("market-first"))
        assert_table_is(app, score(app.session.dataset, market))  # as `trustindex score --weights market-first`
        assert app.state.dirty


async def test_help_shows_the_focused_widgets_keys(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.text.startswith("### Weight bar")
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        provider = TrustIndexCommands(app.screen)
        names = [name for name, _, _ in app.palette()]
        for action in ("Save weights", "Open dataset or profile", "Presets", "Reset all weights",
                       "Normalise all weights", "Run uncertainty analysis", "Run Sobol' sensitivity",
                       "Cancel analysis", "Help", "Quit", "Show Entity", "Show Audit", "Preset: welfare-first",
                       "Explain Japan", "Weight: Support", "Sort ranking by Entity"):  # fmt: skip
            assert action in names
        hits = [hit async for hit in provider.search("preset welfare")]
        assert hits and hits[0].text == "Preset: welfare-first"
        discovered = [hit async for hit in provider.discover()]
        assert discovered[0].text == "Save weights"
        await pilot.press("ctrl+p")
        await pilot.press(*"Weight: Langu")

        def found() -> bool:  # the palette searches in the background: its best hit is highlighted
            hits = app.screen.query_one(CommandList)
            return hits.highlighted is not None and "Langu" in str(hits.get_option_at_index(hits.highlighted).prompt)

        await wait_until(pilot, found, timeout=5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, WeightBar) and app.focused.node == "language_education"


async def test_open_another_dataset(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "ctrl+o")
        assert isinstance(app.screen, Confirm)  # unsaved changes first
        await pilot.press("d")
        dialog = app.screen
        assert isinstance(dialog, OpenDialog)
        dialog.query_one("#data", Input).value = "nowhere"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # the error is shown in the dialog, nothing changes
        assert "no dataset named 'nowhere'" in text_of(dialog.query_one("#error", Static))
        assert app.session.dataset.name == "coexistence-regimes"
        dialog.query_one("#data", Input).value = "jp-prefectures"
        dialog.query_one("#weights", Input).value = ""
        dialog.query_one("#year", Input).value = "2015"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.dataset.name == "jp-prefectures" and app.session.dataset.year == 2015
        assert_table_is(app, score(app.session.dataset, app.session.profile))
        assert "jp-prefectures 2015" in app.sub_title


async def test_no_color_keeps_every_meaning(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    async with app.run_test() as pilot:
        await pilot.press("equals_sign", "5", "enter")
        assert app.query_one(RankTable).cell("japan", "change") == "▲2"  # arrows, not colour alone
        assert app.query(WeightBar).first().view.changed


async def test_every_tab_at_small_and_large_sizes(make_app):
    app = make_app(live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for size in ((80, 24), (160, 50)):
            await pilot.resize_terminal(*size)
            table = app.query_one(RankTable)
            columns = [c.key for c in table._visible_columns(table.scrollable_content_region.width)]
            assert [c for c in columns if c != "track"][:5] == ["rank", "change", "band", "name", "coexistence"]
            assert all(bar.region.height == 2 for bar in app.query(WeightBar))
            for key in ("d", "r", "a", "e"):
                await pilot.press(key)
                await settle(pilot)
            assert app.query_one("TabbedContent").active == "explore"


async def test_threads_never_touch_widgets(make_app):
    """Every job posts messages; a job that touched a widget from its thread would raise in Textual."""
    app = make_app(live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r", "u")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("a", "d")
        await settle(pilot)
        assert all(w.state.name in ("SUCCESS", "CANCELLED") for w in app.workers)
        await asyncio.sleep(0)


async def test_quick_drills_never_duplicate_bars(make_app):
    app = make_app("asem")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(2):
            await pilot.press("enter", "enter", "escape", "escape", "enter", "escape")
        await wait_until(pilot, lambda: all(w.is_finished for w in app.workers))  # each drill, pending ones too
        await settle(pilot)
        assert app.explore.drill is None
        assert [bar.node for bar in app.query(WeightBar)] == ["Conn", "Sust"] == [bar.node for bar in app.bars]


async def test_quitting_stops_every_thread(make_app):
    """No computation outlives the app: quitting cancels every job and each thread stops within a moment,
    so ``trustindex tui`` returns without killing its own process."""
    app = make_app("asem", live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one("#runs", Input).value = "3000000"
        app.robustness.action_run("uncertainty")
        app.select_neighbour(5)  # what it would take for another entity, too
        app.action_show_tab("entity")
        await wait_until(pilot, lambda: app.query_one("#progress").progress > 0 and app.jobs.busy("target"))
        assert app.jobs.threads >= 2
        closing = []  # when the app asks its jobs to stop: the pilot waits for an idle process before it
        close = app.jobs.close  # types a key, so a clock started before press("q") would time the pilot too

        def timed_close():
            closing.append(time.monotonic())
            close()

        app.jobs.close = timed_close
        await leave(pilot, "q")  # nothing unsaved: no question
    deadline = time.monotonic() + 2
    while app.jobs.threads and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert app.jobs.threads == 0
    assert time.monotonic() - closing[0] < 1.5


async def test_tab_keys_typed_ahead_land_on_the_last_tab(make_app):
    """Keys arriving faster than the tabs' own messages (a terminal delivers keys typed ahead at once): the last
    tab asked for stays shown; the late message of an earlier switch never focuses its tab back into view."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await settle(pilot)
        for key, character in (("e", "e"), ("right", None), ("r", "r")):  # in one go, no wait between them
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert app.state.weight("management") == 1.1  # the step reached the weight bar on Explore
        assert app.tabs.active == "robustness"
        assert app.focused is not None and app.robustness in app.focused.ancestors_with_self
