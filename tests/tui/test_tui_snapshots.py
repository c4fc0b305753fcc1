"""SVG snapshots of the key screens (pytest-textual-snapshot). Update them with ``pytest --snapshot-update``
after looking at the report's images; the cursor blink is frozen and every worker awaited first."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from trustindex.tui.app import TrustIndexApp
from trustindex.tui.state import Session


def app(data: str | None = None, weights: str | None = None) -> TrustIndexApp:
    return TrustIndexApp(Session.load(data, weights), seed=1)


async def settle(pilot) -> None:
    """Wait for every job and the messages they post, then freeze what moves (cursor blink, toasts)."""
    for _ in range(1500):
        await pilot.pause(0.02)
        if pilot.app.jobs.idle() and not any(w.is_running for w in pilot.app.workers):
            break
    await pilot.pause()
    for screen in pilot.app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


async def ready(pilot) -> None:
    """Wait until the app has laid out its first screen (a key pressed before that can be lost)."""
    for _ in range(200):
        if pilot.app.ready and pilot.app.jobs.idle():
            break
        await pilot.pause(0.02)


@pytest.fixture(autouse=True)
def _fixed_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the save dialog proposes a file here; its text is replaced below


def test_explore(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_explore_reranked_at_80x24(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("equals_sign", "5", "enter")  # management 5: Japan rises to first (▲2)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_indicators_with_a_lock(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("down", "down", "enter")  # support's indicators
        await pilot.press("l", "down", "shift+right", "shift+right")  # lock one, raise the next
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_entity_detail(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("tab", "down", "down", "enter")  # Japan
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 50), run_before=run_before)


def test_robustness(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("r", "u")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_audit(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_help(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(100, 40), run_before=run_before)


def test_save_dialog(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("right", "ctrl+s")
        pilot.app.screen.query_one("#path", Input).value = "my-weights.toml"
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(100, 30), run_before=run_before)


def test_quit_guard(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("right", "q")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_asem_with_sub_pillars(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("enter")  # Conn: its sub-pillars
        await settle(pilot)

    assert snap_compare(app("asem"), terminal_size=(120, 40), run_before=run_before)


# --- issue 15: the same screens at 80 × 24, and the new ones ----------------------------------------


def test_entity_detail_at_80x24(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("tab", "down", "down", "enter")  # Japan
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_robustness_at_80x24(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("r", "u")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_audit_at_80x24(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "down")  # the highlighted finding, in full below the table
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_japanese_rank_chart(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("r", "u")
        await settle(pilot)

    assert snap_compare(app("jp-prefectures"), terminal_size=(120, 40), run_before=run_before)


def test_japanese_rank_chart_scrolled_at_80x24(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("r", "u")
        await settle(pilot)
        pilot.app.query_one("#rank-chart").focus()
        await pilot.press("end")
        await settle(pilot)

    assert snap_compare(app("jp-prefectures"), terminal_size=(80, 24), run_before=run_before)


def test_every_rank_band_on_asem(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("b", "shift+right")  # every row's band; Conn 1 → 2
        await settle(pilot)

    assert snap_compare(app("asem"), terminal_size=(120, 40), run_before=run_before)


def test_open_dialog_with_an_error_at_80x24(snap_compare):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("ctrl+o")
        pilot.app.screen.query_one("#data", Input).value = "nowhere"
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)
