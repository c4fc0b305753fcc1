"""The Textual TUI (``trustindex tui``): the only package that imports textual.

:mod:`.state` and :mod:`.profile` are pure (frozen state, transitions, TOML writing) and import no
textual; :mod:`.app`, :mod:`.widgets`, :mod:`.screens` and :mod:`.commands` are the interface.
"""

from __future__ import annotations

import asyncio
import os
import sys


def run(data: str | None = None, weights: str | None = None, year: int | None = None, seed: int | None = None,
        meta: str | None = None):  # fmt: skip
    """Load the dataset and profile (errors raise TrustIndexError before the screen changes), then run the app."""
    from .app import TrustIndexApp
    from .state import Session

    session = Session.load(data, weights, year, meta)
    app = TrustIndexApp(session, seed=seed)
    loop = asyncio.new_event_loop()
    app.run(loop=loop)  # our own loop: asyncio.run would wait for every worker thread before returning
    if app.jobs_running:
        # A computation that cannot be interrupted (a batch of uncertainty runs, what it would take, a stability
        # interval) is still running in a thread, and its result is no longer wanted. Nothing is half-written
        # (files are replaced atomically), so leave now rather than hold the shell for up to a minute.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(app.return_code or 0)
    loop.close()
