"""Command-palette entries (ctrl+p) for every action of the app, every entity and every weight."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

DISCOVERABLE = 18
"""The actions listed before anything is typed (entities and weights appear when searched for)."""


class TrustIndexCommands(Provider):
    """Searches the app's :meth:`~trustindex.tui.app.TrustIndexApp.palette`."""

    def _entries(self):
        palette = getattr(self.app, "palette", None)
        return palette() if palette is not None else []

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries()[:DISCOVERABLE]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
