"""Messages between the panes, the app and the thread workers.

Workers post :class:`JobProgress` and :class:`JobEnded` from their threads (``post_message`` is thread-safe);
panes post the others to ask the app for something that crosses panes (show an entity, open a weight).
"""

from __future__ import annotations

from textual.message import Message
from textual.worker import Worker


class JobProgress(Message):
    """A worker's share of its work done (0–1)."""

    def __init__(self, worker: Worker, fraction: float) -> None:
        super().__init__()
        self.worker, self.fraction = worker, fraction


class JobEnded(Message):
    """A worker's thread has returned (a cancelled worker's thread ends after its state says CANCELLED)."""

    def __init__(self, group: str) -> None:
        super().__init__()
        self.group = group


class ShowEntity(Message):
    """Highlight ``entity``; with ``detail``, open its Entity tab."""

    def __init__(self, entity: str, detail: bool = True) -> None:
        super().__init__()
        self.entity, self.detail = entity, detail


class ShowWeight(Message):
    """Open the Explore tab on ``node``'s weight bar."""

    def __init__(self, node: str) -> None:
        super().__init__()
        self.node = node
