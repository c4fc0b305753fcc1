"""The Textual TUI (``trustindex tui``): the only package that imports textual.

:mod:`.state` and :mod:`.profile` are pure (frozen state, transitions, TOML writing) and import no
textual. :mod:`.app` holds the weight state, the tabs, save, open and quit; each tab is a pane module
(:mod:`.explore`, :mod:`.entity`, :mod:`.robustness`, :mod:`.audit`) with its widgets, jobs and rendering;
:mod:`.jobs` is the one worker mechanism, :mod:`.messages` the messages between them; :mod:`.widgets`,
:mod:`.chart`, :mod:`.screens` and :mod:`.commands` are the pieces they share.
"""

from __future__ import annotations


def run(data: str | None = None, weights: str | None = None, year: int | None = None, seed: int | None = None,
        meta: str | None = None):  # fmt: skip
    """Load the dataset and profile (errors raise TrustIndexError before the screen changes), then run the app."""
    from .app import TrustIndexApp
    from .state import Session

    session = Session.load(data, weights, year, meta)
    app = TrustIndexApp(session, seed=seed)
    app.run()  # quitting cancels every job; each thread stops at its next check, so this returns at once
