"""Command-palette entries (ctrl+p) for every action of the app, every entity and every weight."""

from __future__ import annotations

from functools import partial

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


def palette(app) -> list[tuple[str, str, object]]:
    """(name, help, callback) of every action of ``app``, every entity and every weight."""
    from .app import TABS

    table = app.table
    out = [
        ("Save weights", "Write the weights as TOML (comments kept)", app.action_save),
        ("Open dataset or profile", "Load another dataset, weights profile or year", app.action_open),
        ("Presets", "Choose a shipped weights profile", app.action_presets),
        ("Reset all weights", "Back to the loaded profile", app.action_reset_all),
        ("Normalise all weights", "Every group sums to 1 (ranks kept)", app.action_normalise_all),
        ("Run uncertainty analysis", "Monte Carlo over the spec's uncertain inputs",
         partial(app.action_run, "uncertainty")),
        ("Run Sobol' sensitivity", "Which uncertain input drives the ranking",
         partial(app.action_run, "sensitivity")),
        ("Write HTML report", "The page of `trustindex report` for the weights on screen (report-DATASET.html)",
         app.action_report),
        ("Cancel analysis", "Stop the running uncertainty or Sobol' analysis", app.robustness.action_cancel),
        ("Rank bands on every row", "Show (or hide) every entity's 5–95 % rank interval",
         app.explore.action_every_band),
        ("Help", "Keys and what the screens show", app.action_help),
        ("Quit", "Leave (asks about unsaved changes)", app.action_quit),
    ]  # fmt: skip
    for tab, label in TABS:
        out.append((f"Show {label}", f"Switch to the {label} tab", partial(app.action_show_tab, tab)))
    for column in table.columns:
        sort = partial(table.sort_by, column.key)
        out.append((f"Sort ranking by {column.label}", "Sort the ranking table", sort))
    for p in app.presets():
        out.append((f"Preset: {p.name}", p.description, partial(app.apply_preset, p.name)))
    for entity, name in zip(app.scorer.dataset.entities, app.scorer.dataset.names, strict=True):
        out.append((f"Explain {name}", f"Entity detail of {entity}", partial(app.select_entity, entity)))
    for node in app.state.nodes:
        level = app.framework.level(node)
        out.append((f"Weight: {app.labels[node]}", f"{level} {node}", partial(app.focus_weight, node)))
    return out
