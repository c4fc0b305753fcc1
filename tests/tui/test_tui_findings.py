"""Issue 15's findings, each tried as a new user would, at 120 × 40 and at 80 × 24.

Every check compares what the screen shows with what the core computes, or with the terminal's own
measure of a line (cells, not characters).
"""

from __future__ import annotations

import datetime
import importlib
import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from pilot_helpers import settle, wait_until
from rich.cells import cell_len
from textual.widgets import DataTable, Input, ProgressBar, Static, Tabs

from trustindex.engine import Engine
from trustindex.explain import explain
from trustindex.io.spec import DEFAULT, load_spec
from trustindex.io.weights import load_weights
from trustindex.pipeline import score
from trustindex.tui.chart import RankChart
from trustindex.tui.entity import EntityPane
from trustindex.tui.screens import OpenDialog, SaveDialog
from trustindex.tui.state import WeightState
from trustindex.tui.widgets import RankTable, WeightBar
from trustindex.uncertainty import uncertainty

SIZES = [(120, 40), (80, 24)]
SPEC = Path(__file__).resolve().parents[2] / "benchmarks" / "asem-spec.toml"


def painted(widget) -> list[str]:
    """The lines of ``widget`` as the compositor paints them (its visible region)."""
    return [strip.text for strip in widget.render_lines(widget.region.reset_offset)]


def on_screen(app, widget) -> bool:
    """The widget's whole region lies inside the terminal."""
    region, size = widget.region, app.screen.size
    return region.height > 0 and region.y >= 0 and region.bottom <= size.height and region.right <= size.width


# --- the Open dialog ----------------------------------------------------------------------------------


async def test_the_open_dialog_is_reached_by_tab_and_fits(make_app):
    app = make_app()
    async with app.run_test(size=SIZES[0]) as pilot:
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.press("ctrl+o")
            dialog = app.screen
            assert isinstance(dialog, OpenDialog)
            seen = [app.focused.id]
            for _ in range(4):
                await pilot.press("tab")
                seen.append(app.focused.id)
            assert seen == ["data", "weights", "year", "open", "cancel"]
            await pilot.press("shift+tab", "shift+tab", "shift+tab")
            assert app.focused.id == "weights"
            await pilot.press(*"welfare")  # typed into Weights, not Dataset
            assert dialog.query_one("#weights", Input).value == "welfare"
            dialog.query_one("#data", Input).value = "nowhere"
            await pilot.press("enter")
            error = dialog.query_one("#error")
            await wait_until(pilot, lambda error=error: error.region.height > 0, timeout=3)
            assert "no dataset named 'nowhere'" in str(error.content)
            for ident in ("#error", "#open", "#cancel", "#year"):  # nothing below the fold
                assert on_screen(app, dialog.query_one(ident)), (size, ident)
            box = dialog.query_one(".dialog").region
            assert abs((box.x + box.right) / 2 - size[0] / 2) <= 1  # centred
            await pilot.resize_terminal(100, 30)

            def centred(dialog=dialog) -> bool:
                box = dialog.query_one(".dialog").region
                return abs((box.x + box.right) / 2 - 50) <= 1 and abs((box.y + box.bottom) / 2 - 15) <= 1

            await wait_until(pilot, centred, timeout=3)  # and again after the terminal is resized
            await pilot.press("escape")
            assert not isinstance(app.screen, OpenDialog)


# --- the rank-interval chart --------------------------------------------------------------------------


async def test_the_rank_chart_measures_japanese_labels_in_cells_and_scrolls(make_app):
    app = make_app("jp-prefectures")
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("r", "u")
        await settle(pilot)
        _, result = app.robustness.results.uncertainty
        rows = sorted(result.entities, key=lambda e: e.nominal_rank)
        chart = app.query_one(RankChart)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            width = chart.scrollable_content_region.width
            lines = chart.lines()
            assert len(lines) == 2 + len(result.entities) == 49  # every prefecture, not the first 15
            assert all(cell_len(line) == width for line in lines)
            starts = {cell_len(line[: line.index(" │ ")]) for line in lines[2:]}
            assert len(starts) == 1  # every track starts in the same terminal column
            for line, e in zip(lines[2:], rows, strict=True):
                assert line.startswith(e.name)  # whole names: 鹿児島県 is 8 cells
                track = line[line.index(" │ ") + 3 :]
                assert any(c in "━●│" for c in track), e.name
            chart.focus()
            await pilot.press("end")
            shown = painted(chart)
            assert shown[-1].startswith(rows[-1].name)  # scrolled to the last prefecture
            assert shown[0].startswith("Ranks in")  # the title and the axis stay
            await pilot.press("home")
            assert painted(chart)[2].startswith(rows[0].name)


async def test_the_rank_chart_draws_the_cores_intervals(make_app):
    app = make_app("asem")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r", "u")
        await settle(pilot)
        chart = app.query_one(RankChart)
        again = uncertainty(Engine(app.session.dataset, app.session.profile), DEFAULT, app.seed)
        lines = chart.lines()
        width = chart.scrollable_content_region.width
        label = chart.label_width(width)
        track = width - label - 3
        n = sum(not math.isnan(e.nominal_rank) for e in again.entities)
        for line, e in zip(lines[2:], sorted(again.entities, key=lambda e: e.nominal_rank), strict=True):
            assert line.startswith(e.name) and "…" not in line[:label]  # "Russian Federation", uncut
            cells = line[label + 3 :]
            band = [i for i, c in enumerate(cells) if c in "━●│"]
            # the band spans the cells of ranks low…high (a naive mapping of ranks to cells)
            assert band[0] == math.floor((e.low_rank - 1) / n * track)
            assert band[-1] == math.ceil(e.high_rank / n * track) - 1


# --- the saved profile ----------------------------------------------------------------------------------


async def test_a_saved_copy_says_what_changed_from_which_profile(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "down", "down", "equals_sign", "2", "enter")  # management 1.1, support 2
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SaveDialog)
        await pilot.press("enter")
        await pilot.pause()
    text = (tmp_path / "balanced-custom.toml").read_text()
    today = datetime.date.today().isoformat()
    head = text.splitlines()[:4]
    assert head[0] == f"# balanced-custom: edited from balanced in trustindex tui on {today}."
    assert head[1] == "# Changed from balanced: management 1 → 1.1, support 1 → 2."
    assert "describe its weights, not these" in head[2]
    saved = load_weights(tmp_path / "balanced-custom.toml")
    assert saved.description == f"Edited from balanced on {today}: management 1 → 1.1, support 1 → 2."
    assert "Equal weight" not in saved.description
    assert saved.weight("management") == 1.1 and saved.weight("support") == 2


async def test_saving_in_place_adds_a_dated_line_and_normalised_weights_are_short(
    make_app, profile_copy, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    source = profile_copy("integration-first")
    before = load_weights(source)
    app = make_app(weights=str(source))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")  # normalise the pillars: 1.5, 1, 2.5, 1 → shares of 6
        shown = app.ranking
        await pilot.press("ctrl+s", "enter", "y")
        await pilot.pause()
    text = source.read_text()
    today = datetime.date.today().isoformat()
    assert text.startswith(f"# {today}: weights edited in trustindex tui: management 1.5 → 0.25, connectivity 1 →")
    weights = dict(re.findall(r"^(management|connectivity|support|explainability) = ([0-9.]+)", text, flags=re.M))
    assert weights["management"] == "0.25"
    assert all(len(v.replace("0.", "", 1).lstrip("0")) <= 4 for v in weights.values()), weights  # not 12 digits
    assert sum(float(v) for v in weights.values()) == pytest.approx(1, abs=1e-3)
    saved = load_weights(source)
    edit = f" Weights edited in trustindex tui on {today}: management 1.5 → 0.25, connectivity 1 →"
    assert saved.description.startswith(before.description + edit)  # the user's words, then what changed
    again = score(app.session.dataset, saved)  # the file scores what the screen showed
    np.testing.assert_array_equal(again.rank(again.nodes[0]), shown.rank)
    np.testing.assert_allclose(again.scores, shown.scores, rtol=1e-12, equal_nan=True)


# --- the audit ------------------------------------------------------------------------------------------


async def test_every_finding_can_be_read_in_full(make_app):
    app = make_app("asem")
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("a")
        await settle(pilot)
        findings = app.audit.audit.findings
        table = app.query_one("#findings", DataTable)
        detail = app.query_one("#finding-detail", Static)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            for row in sorted(range(len(findings)), key=lambda i: -len(findings[i].message))[:3]:
                table.move_cursor(row=row)
                await pilot.pause()
                assert on_screen(app, detail)
                text = " ".join(" ".join(painted(detail)).split())
                assert " ".join(findings[row].message.split()) in text
        await pilot.press("end")  # the keys of a list: the last finding, then the first, shown in full
        assert table.cursor_row == len(findings) - 1 and table.scroll_x == 0
        assert " ".join(findings[-1].message.split()) in " ".join(" ".join(painted(detail)).split())
        await pilot.press("home")
        assert table.cursor_row == 0


# --- the entity detail ----------------------------------------------------------------------------------


async def test_contribution_bars_share_one_scale(make_app):
    app = make_app("asem")
    async with app.run_test(size=SIZES[1]) as pilot:
        await pilot.press("d")
        await settle(pilot)
        parts = app.query_one("#parts", DataTable)
        explanation = explain(score(app.session.dataset, app.session.profile), app.selected)
        eighths = {}
        for part in explanation.parts[1:]:
            bar = str(parts.get_cell(part.node, "bar")).strip(" −")
            eighths[part.node] = 8 * bar.count("█") + sum(" ▏▎▍▌▋▊▉".index(c) for c in bar if c in "▏▎▍▌▋▊▉")
        largest = max(abs(p.contribution) for p in explanation.parts[1:])
        for part in explanation.parts[1:]:
            assert eighths[part.node] == round(abs(part.contribution) / largest * 12 * 8), part.node
        for part in explanation.parts[1:]:  # so a parent's bar is never shorter than a child's
            if part.parent != explanation.parts[0].node and part.contribution >= 0:
                assert eighths[part.parent] >= eighths[part.node]


async def test_entity_detail_scrolls_by_keyboard_and_tab_never_reaches_the_tab_strip(make_app):
    app = make_app("asem")
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("d")
        await settle(pilot)
        page = app.query_one(EntityPane)
        assert app.focused is page

        async def press(key: str) -> None:
            await pilot.press(key)
            await pilot.wait_for_scheduled_animations()  # the page scrolls smoothly

        parts = app.query_one("#parts", DataTable)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            # every row of the table on the page (the table never scrolls on its own: it cannot take the
            # focus), and the contributions and their bars beside the names, inside the terminal
            assert parts.size.height == parts.row_count + 1 == len(app.entity.explained[1].parts) + 1
            assert parts.max_scroll_y == 0
            keys = [key.value for key in parts.columns]
            right = sum(c.get_render_width(parts) for c in list(parts.columns.values())[: keys.index("bar") + 1])
            assert parts.region.x + right <= page.scrollable_content_region.right
            await press("pagedown")
            assert page.scroll_y > 0
            await press("end")
            assert page.scroll_y == page.max_scroll_y > 0
            await press("up")
            assert page.scroll_y == page.max_scroll_y - 1
            await press("home")
            assert page.scroll_y == 0
        await press("shift+right")  # a page sideways (not a cell), to the values, units and sources
        assert page.scroll_x >= min(40, page.max_scroll_x) > 0
        await press("shift+left")
        assert page.scroll_x == 0
        assert not any(tabs.can_focus for tabs in app.query(Tabs))  # the strip is for the mouse and e/d/r/a
        for _ in range(3):  # the focus ring of this tab holds the page alone, never the tab strip
            await pilot.press("tab")
            assert app.focused is page
        await pilot.press("tab", "tab", "right")
        assert app.query_one("TabbedContent").active == "entity"
        await pilot.press("e", "tab", "tab", "tab", "right")  # on Explore: bars and ranking only
        assert app.query_one("TabbedContent").active == "explore"
        assert isinstance(app.focused, (WeightBar, RankTable))


# --- the ranking ----------------------------------------------------------------------------------------


async def test_the_ranking_shows_every_pillar_it_has_room_for(make_app):
    app = make_app(live=True)
    async with app.run_test(size=(120, 40)):
        table = app.query_one(RankTable)
        keys = [c.key for c in table._visible_columns(table.scrollable_content_region.width)]
        for pillar in app.framework.children("coexistence"):
            assert pillar in keys
        assert "track" in keys
        header = painted(table)[0]
        assert "›" not in header  # nothing hidden to the right
        names = {c.key: c.width for c in table._visible_columns(table.scrollable_content_region.width)}
        assert names["name"] >= cell_len("Continental Europe")


async def test_scrolling_the_ranking_keeps_rank_entity_and_index(make_app):
    app = make_app("asem", live=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")
        table = app.query_one(RankTable)
        width = table.scrollable_content_region.width
        index = app.framework.index.id
        pillars = app.framework.children(index)
        first = [c.key for c in table._visible_columns(width)]
        assert first[:3] == ["rank", "change", "band"] and "name" in first and index in first
        assert [k for k in first if k in pillars] == [pillars[0]]
        await pilot.press("right")
        after = [c.key for c in table._visible_columns(width)]
        assert index in after and "name" in after and "rank" in after
        assert [k for k in after if k in pillars] == [pillars[1]]
        header = painted(table)[0]
        assert "Index" in header and header.rstrip().endswith(("›", "‹", "‹›", "‹ "))


# --- steps after normalising ----------------------------------------------------------------------------


async def test_a_step_after_normalising_is_a_small_step(make_app):
    app = make_app()
    async with app.run_test(size=SIZES[0]) as pilot:
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.press("n")
            before = app.state.weight("management")
            assert before == 0.25
            await pilot.press("right")
            after = app.state.weight("management")
            assert 0 < (after - before) / before <= 0.1  # was 0.25 → 0.35, a 40 % step
            bar = app.query(WeightBar).first()
            assert bar.view.scale == 0.5 and bar.view.step == 0.02
            await pilot.press("R")  # back to the profile: its own scale and step again
            assert app.query(WeightBar).first().view.step == 0.1


# --- progress bars --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, field, value", [("uncertainty", "#runs", "400000"),
                                                ("sensitivity", "#samples", "65536")])  # fmt: skip
async def test_progress_bars_move(make_app, kind, field, value):
    app = make_app("asem")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        app.query_one(field, Input).value = value
        app.robustness.action_run(kind)  # as the key would (the pilot waits for the process to go idle)
        bar = app.query_one("#progress", ProgressBar)
        seen = set()
        deadline = 30
        import time

        start = time.monotonic()
        while len(seen) < 4 and time.monotonic() - start < deadline:
            if 0 < bar.progress < 1:
                seen.add(round(bar.progress, 3))
            await pilot.pause(0.05)
        app.robustness.action_cancel()
        assert len(seen) >= 4, seen  # it moves, not 0 % for seconds then 100 %


# --- robustness that moves with the weights -------------------------------------------------------------


def core_band(app, spec=DEFAULT):
    profile = app.state.profile(app.session.profile, app.session.dataset)
    found = uncertainty(Engine(app.session.dataset, profile), replace(spec, runs=min(spec.runs, 1000)), app.seed)
    return {e.entity: e for e in found.entities}


async def test_the_highlighted_entity_shows_its_rank_band_and_it_follows_the_weights(make_app):
    app = make_app("asem", live=True)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        table = app.query_one(RankTable)
        entity = app.selected
        others = [e for e in app.scorer.entities if e != entity]

        def shown(e, band):
            low, high = band.low_rank, band.high_rank
            return table.cell(e, "band") == (f"{low:.0f}–{high:.0f}" if low != high else f"{low:.0f}")

        band = core_band(app)[entity]
        assert table.band_of(entity) == (band.low_rank, band.median_rank, band.high_rank) and shown(entity, band)
        assert all(table.cell(e, "band") == "" for e in others)  # the highlighted entity only
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            caption = painted(app.query_one("#band-caption", Static))[0]
            assert caption.strip().startswith(app.entity_name(entity) + ": 5–95 % rank")
            header = painted(table)[0]
            assert "5–95%" in header
        app.apply(WeightState.step, "Conn", 30, 0.1)  # Conn 1 → 4, as three shift+→ would
        assert not table.bands_fresh and table.band_of(entity) is not None  # the old band stays, dimmed
        await settle(pilot)
        assert table.bands_fresh and table.bands.state == app.state
        moved = core_band(app)
        assert table.band_of(entity) == (moved[entity].low_rank, moved[entity].median_rank, moved[entity].high_rank)
        await pilot.press("b")  # every row
        assert all(shown(e, moved[e]) for e in others)


async def test_the_robustness_tab_loads_a_spec_file_and_the_bands_follow(make_app, tmp_path):
    app = make_app("asem", live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        spec_input = app.query_one("#spec", Input)
        spec_input.value = str(tmp_path / "missing.toml")
        spec_input.focus()
        await pilot.press("enter")
        assert app.spec == DEFAULT
        assert "spec not loaded" in str(app.query_one("#robustness-status", Static).content)
        spec_input.value = str(SPEC)
        await pilot.press("enter")
        assert app.spec == load_spec(SPEC)
        await pilot.press("u")
        await settle(pilot)
        _, result = app.robustness.results.uncertainty
        assert result.factors == ("weights", "normalisation", "aggregation")
        expected = uncertainty(Engine(app.session.dataset, app.session.profile), load_spec(SPEC), app.seed)
        assert [e.median_rank for e in result.entities] == [e.median_rank for e in expected.entities]
        await pilot.press("e")
        await settle(pilot)
        band = core_band(app, load_spec(SPEC))[app.selected]
        assert app.query_one(RankTable).band_of(app.selected) == (band.low_rank, band.median_rank, band.high_rank)


async def test_a_burst_of_keys_never_wedges_the_background_jobs(make_app):
    """Keys faster than a worker starts: each new job cancels one whose thread never ran (Textual then never
    reports it again). The newest job must still run, for the stability intervals and for the band."""
    app = make_app("jp-prefectures", live=True)
    async with app.run_test(size=SIZES[1]) as pilot:
        await settle(pilot)
        table = app.query_one(RankTable)
        table.focus()
        for _ in range(3):  # in one go, as a terminal delivers keys typed ahead
            table.action_move(1)
        for _ in range(3):
            app.apply(WeightState.step, "labour", 1, 0.1)
        await settle(pilot)
        assert app.jobs.idle() and app.jobs.threads == 0
        assert all(bar.view.stability not in ("", "…") for bar in app.query(WeightBar))
        assert table.bands_fresh and table.bands.state == app.state and table.cell(app.selected, "band")


# --- nothing slow on the UI thread ---------------------------------------------------------------------


async def test_the_ui_thread_never_runs_a_full_score_or_an_analysis(make_app, monkeypatch):
    """Every tab shown, the entity changed, a weight changed, the analyses run: the core's slow functions are
    called, and never on the thread that paints the screen and reads the keys."""
    import threading

    calls: list[tuple[str, bool]] = []

    def spying(real, name):
        def spy(*args, **kwargs):
            calls.append((name, threading.current_thread() is threading.main_thread()))
            return real(*args, **kwargs)

        return spy

    slow = {"pipeline": "score", "explain": "explain", "audit": "audit", "targets": "what_it_takes",
            "stability": "weight_stability", "uncertainty": "uncertainty"}  # fmt: skip
    for module, name in slow.items():  # the modules, not the API's functions of the same names
        module = importlib.import_module(f"trustindex.{module}")
        monkeypatch.setattr(module, name, spying(getattr(module, name), name))
    app = make_app(live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right", "d")
        await settle(pilot)
        await pilot.press("right_square_bracket")  # the second entity: explained, and what it would take
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("r", "u")
        await settle(pilot)
    called = {name for name, _ in calls}
    assert called == set(slow.values())
    assert not [name for name, on_ui in calls if on_ui]


# --- the HTML report of the weights on screen ------------------------------------------------------------


async def test_w_writes_the_report_of_the_weights_on_screen_to_a_new_file(make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report-coexistence-regimes.html").write_text("mine")  # taken: never replaced
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        app.query_one("#runs", Input).value = "50"
        app.query_one("#samples", Input).value = "16"
        app.state = app.state.set("management", 3.0)  # an edit: no profile file holds these weights
        app.action_report()
        target = tmp_path / "report-coexistence-regimes-2.html"
        await wait_until(pilot, lambda: target.exists(), timeout=60)
    page = target.read_text(encoding="utf-8")
    assert (tmp_path / "report-coexistence-regimes.html").read_text() == "mine"
    assert "--weights FILE" in page and "50 uncertainty runs" in page and "N = 16" in page
