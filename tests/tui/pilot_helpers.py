"""Helpers of the Pilot tests: wait for the app's jobs, wait for a condition."""

from __future__ import annotations


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
