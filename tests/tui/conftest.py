"""Fixtures of the TUI tests: sessions on the shipped data, editable copies of profiles, the app."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import textual._wait
import textual.constants
from pilot_helpers import wait_until

from trustindex.io.registry import resolve_weights
from trustindex.tui.state import Session

# After every key the pilot waits until the process looks idle, sampling the CPU clock every 20 ms (twice per
# key at least) and calling a sample idle below 1 ms of CPU. Sampling every 2 ms, idle below 0.5 ms (the UI
# thread busy a quarter of the time at most), detects the same idleness sooner after each of this suite's keys.
# Textual reads both values at each call.
textual._wait.SLEEP_GRANULARITY = 0.002
textual._wait.SLEEP_IDLE = 0.0005
# Idle means the UI thread is idle: Textual measures the CPU time of the whole process, so a job computing in a
# worker thread (an analysis, a rank band) made every key wait the full second for an idleness that cannot come
# while it runs. The event loop (keys, messages, painting) runs in this thread alone: its clock says when a key
# has been handled. A test that needs a job's outcome waits for exactly that (settle, wait_until).
textual._wait.process_time = time.thread_time
# No animations (as TEXTUAL_ANIMATIONS=none): after every key the pilot waits for the animator to finish, so each
# tab switch (the underline slides) and each smooth page scroll cost a third of a second or more. Every value
# an animation moves is set at once instead, to where the animation would end. Read by each app as it is built.
textual.constants.TEXTUAL_ANIMATIONS = "none"


@pytest.fixture
def session() -> Session:
    """The embedded default: coexistence-regimes with the balanced profile."""
    return Session.load()


@pytest.fixture
def profile_copy(tmp_path: Path):
    """A function copying a shipped profile into tmp_path (an editable file with its comments)."""

    def copy(name: str = "balanced") -> Path:
        target = tmp_path / f"{name}.toml"
        shutil.copyfile(resolve_weights(name), target)
        return target

    return copy


@pytest.fixture
def make_app():
    """A function building the app on a session (seed fixed, so robustness runs repeat). Its ``run_test``
    returns once the first screen is laid out: a key pressed before that could be lost."""
    from contextlib import asynccontextmanager

    from trustindex.tui.app import TrustIndexApp

    class Ready(TrustIndexApp):
        @asynccontextmanager
        async def run_test(self, *args, **kwargs):
            async with super().run_test(*args, **kwargs) as pilot:
                await wait_until(pilot, lambda: self.ready)
                yield pilot

    def make(data: str | None = None, weights: str | None = None, year: int | None = None, seed: int = 1,
             live: bool = False):  # fmt: skip
        """``live=False`` (unless a test is about them): no rank bands or stability intervals in the background,
        which would make the pilot wait up to a second after every key for the process to go idle."""
        return Ready(Session.load(data, weights, year), seed=seed, live=live)

    return make
