"""Helpers of the Pilot tests: wait for the app's jobs, wait for a condition, leave the app by keys."""

from __future__ import annotations

import asyncio
import contextlib


async def settle(pilot, seconds: float = 0.0, timeout: float = 30.0) -> None:
    """Wait until every job has finished and its outcome is on screen (then ``seconds`` more, if given)."""
    import time

    if seconds:
        await pilot.pause(seconds)
    start = time.monotonic()
    await pilot.pause()
    while not pilot.app.jobs.idle() or any(w.is_running for w in pilot.app.workers):
        if time.monotonic() - start > timeout:
            raise AssertionError(f"jobs still running after {timeout} s")
        await pilot.pause(0.02)
    await pilot.pause()
    await pilot.pause()


async def wait_until(pilot, condition, timeout: float = 30.0) -> None:
    import time

    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError("timed out")
        await pilot.pause(0.02)


async def leave(pilot, *keys: str, timeout: float = 30.0) -> None:
    """Press ``keys``, the last of which ends the app, and return once it has ended.

    Textual's pilot waits after every key for the animator to complete. An animation started while the app
    shuts down (a focus scroll as widgets go, say) never completes once the animator has stopped, and that
    wait has no end (Textual 8.2): so the press is abandoned as soon as the app has stopped running."""
    import time

    press = asyncio.ensure_future(pilot.press(*keys))
    start = time.monotonic()
    while not press.done() and pilot.app.is_running:
        if time.monotonic() - start > timeout:
            press.cancel()
            raise AssertionError(f"the app still runs {timeout} s after {keys[-1]!r}")
        await asyncio.sleep(0.02)
    if press.done():
        press.result()
    else:
        press.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await press
