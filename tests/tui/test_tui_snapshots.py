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
    """Wait for the stability timer, every worker and the messages they post, then freeze what moves
    (cursor blink, toasts)."""
    await pilot.pause(0.4)
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if not pilot.app.jobs_running and not any(w.is_running for w in pilot.app.workers):
            break
    await pilot.pause(0.1)
    for screen in pilot.app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.fixture(autouse=True)
def _fixed_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the save dialog proposes a file here; its text is replaced below


def test_explore(snap_compare):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_explore_reranked_at_80x24(snap_compare):
    async def run_before(pilot):
        await pilot.press("equals_sign", "5", "enter")  # management 5: Japan rises to first (▲2)
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_indicators_with_a_lock(snap_compare):
    async def run_before(pilot):
        await pilot.press("down", "down", "enter")  # support's indicators
        await pilot.press("l", "down", "shift+right", "shift+right")  # lock one, raise the next
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_entity_detail(snap_compare):
    async def run_before(pilot):
        await pilot.press("tab", "down", "down", "enter")  # Japan
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 50), run_before=run_before)


def test_robustness(snap_compare):
    async def run_before(pilot):
        await pilot.press("r", "u")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_audit(snap_compare):
    async def run_before(pilot):
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(120, 40), run_before=run_before)


def test_help(snap_compare):
    async def run_before(pilot):
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(100, 40), run_before=run_before)


def test_save_dialog(snap_compare):
    async def run_before(pilot):
        await pilot.press("right", "ctrl+s")
        pilot.app.screen.query_one("#path", Input).value = "my-weights.toml"
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(100, 30), run_before=run_before)


def test_quit_guard(snap_compare):
    async def run_before(pilot):
        await pilot.press("right", "q")
        await settle(pilot)

    assert snap_compare(app(), terminal_size=(80, 24), run_before=run_before)


def test_asem_with_sub_pillars(snap_compare):
    async def run_before(pilot):
        await pilot.press("enter")  # Conn: its sub-pillars
        await settle(pilot)

    assert snap_compare(app("asem"), terminal_size=(120, 40), run_before=run_before)
