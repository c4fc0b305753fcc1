"""The Entity tab: why the highlighted entity scores what it scores, and what it would take to gain a place.

Both are computed off the UI thread when the tab is shown (and again when the weights or the entity change
while it is shown): the scoring and explanation in one job, what it would take in another, with a progress
bar (it re-scores thousands of candidate values). The words and the table come from the same views as
``trustindex explain`` (:mod:`trustindex.reports.explain`); the contribution bars, on one scale for the
whole tree, are this pane's own.
"""

from __future__ import annotations

import math

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, ProgressBar, Static

from .jobs import Job
from .widgets import hbar

BAR = 12
"""Cells of a contribution bar."""
BESIDE_NODE = 44
"""Cells the score, rank, contribution and bar columns take beside the node column (gaps included): the node
column gives way to them on a narrow terminal, so the contributions are on screen without scrolling."""
DISPLAY = ("label", "score", "rank", "contribution", "bar", "effective", "weight", "raw", "unit", "source")
"""The order of the contributions table's columns on screen (the CLI's columns, with the bar)."""


def bar_scale(rows) -> float:
    """One scale for every contribution bar: the largest contribution below the index (the index's own is
    the score itself, the sum of the others)."""
    return max([abs(r["contribution"]) for r in rows[1:] if not math.isnan(r["contribution"])] + [0.0]) or 1.0


def contribution_bar(value: float, scale: float, width: int = BAR) -> str:
    if math.isnan(value):
        return " " * (width + 1)
    return ("−" if value < 0 else " ") + hbar(abs(value) / scale, width)


class EntityPane(VerticalScroll, can_focus=True):
    """One scrolling page: title, summary, the contributions table, what it would take, notes."""

    BINDINGS = [
        Binding("left_square_bracket", "other(-1)", "Previous", id="entity.previous"),
        Binding("right_square_bracket", "other(1)", "Next", id="entity.next"),
        Binding("shift+left", "page_left", "Page left", show=False),
        Binding("shift+right", "page_right", "Page right", show=False),
    ]
    HELP = """\
### Entity detail
- **↑/↓**, **page up/down**, **home/end** scroll the page; **←/→** sideways, **shift+←/→** a page sideways (to the
  values, units and sources right of the contributions); **[** / **]** the previous / next entity of the ranking
- The bars share one scale: a bar twice as long is a contribution twice as large
"""
    DEFAULT_CSS = """
    EntityPane { padding: 0 1; overflow-x: auto; }
    EntityPane:focus { background-tint: $foreground 3%; }
    #entity-title { text-style: bold; color: $text-accent; width: auto; }
    #entity-summary { margin-bottom: 1; }
    #parts { height: auto; max-height: initial; width: auto; }  /* the page scrolls, not the table */
    #target-progress { height: 1; margin-top: 1; display: none; }
    #target-progress.running { display: block; }
    #entity-target { margin-top: 1; width: auto; }
    #entity-notes { margin-top: 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown = None
        """(state, entity) of the explanation on screen."""
        self._target_for = None
        self.explained = None
        self._drawn = None
        """(node column width, explanation view) of the table on screen."""
        """The (result, explanation) on screen."""
        self.target = None

    def compose(self) -> ComposeResult:
        yield Static("", id="entity-title")
        yield Static("", id="entity-summary")
        table = DataTable(id="parts", cursor_type="none", zebra_stripes=True, show_cursor=False)
        table.can_focus = False  # the page scrolls, not the table
        yield table
        yield ProgressBar(total=1.0, show_eta=False, id="target-progress")
        yield Static("", id="entity-target")
        yield Static("", id="entity-notes")

    def action_other(self, step: int) -> None:
        self.app.select_neighbour(step)

    # --- the state or the entity changed while the tab is shown -------------------------------------

    def refresh_view(self) -> None:
        """Explain the app's entity under its weights, unless that is on screen already."""
        app = self.app
        if app.selected is None:
            return
        key = (app.state, app.selected)
        if key == self._shown or app.jobs.working_on("explain", key):
            return
        self._shown = None
        name = app.entity_name(app.selected)
        self.query_one("#entity-title", Static).update(Text(f"{name}: explaining…"))
        dataset, profile = app.session.dataset, app.state.profile(app.session.profile, app.session.dataset)
        entity = app.selected

        def work(progress, cancelled):
            from ..explain import explain
            from ..pipeline import score
            from ..reports.explain import explanation_view

            result = score(dataset, profile)
            if cancelled():
                from ..batches import Cancelled

                raise Cancelled("the weights changed")
            explanation = explain(result, entity)
            return result, explanation, explanation_view(result, explanation)

        app.jobs.start(Job("explain", key, work, self, label="explanation"))

    def on_resize(self) -> None:
        if self._drawn is not None and self._drawn[0] != self._node_width(self._drawn[1]):
            self._parts(self._drawn[1])

    def _node_width(self, view) -> int:
        longest = max(cell_len(row["label"]) + 2 * row["depth"] for row in view.parts.rows)
        room = self.scrollable_content_region.width or 120
        if not self.show_vertical_scrollbar:  # it comes with the table
            room -= self.styles.scrollbar_size_vertical
        return max(min(longest, room - BESIDE_NODE), 16)

    def _show(self, key, result, explanation, view) -> None:
        self._shown = key
        self.explained = (result, explanation)
        self.query_one("#entity-title", Static).update(Text(view.title))
        summary = [view.summary, view.method, view.strengths, view.weaknesses]
        self.query_one("#entity-summary", Static).update(Text("\n".join(summary)))
        self._parts(view)
        notes = []
        if view.notes:
            notes.append("Where the values come from:")
            notes += [f"  • {note}" for note in view.notes]
        notes += list(view.notices)
        self.query_one("#entity-notes", Static).update(Text("\n".join(notes)))
        self._start_target(key, result, explanation)

    def _parts(self, view) -> None:
        """The contributions table, its node column as wide as the page allows (see BESIDE_NODE)."""
        width = self._node_width(view)
        self._drawn = (width, view)
        table = self.query_one("#parts", DataTable)
        table.clear(columns=True)
        by_key = {c.key: (k, c) for k, c in enumerate(view.parts.columns)}
        for name in DISPLAY:
            if name == "bar":
                table.add_column("", key="bar")
            elif name in by_key:
                column = by_key[name][1]
                header = Text(column.header, justify="left" if column.kind == "text" else "right")
                table.add_column(header, key=name, width=width if name == "label" else None)
        scale = bar_scale(view.parts.rows)
        for row in view.parts.rows:
            texts = view.parts.cells(row)
            cells = []
            for name in DISPLAY:
                if name == "bar":
                    bar = "" if row["depth"] == 0 else contribution_bar(row["contribution"], scale)
                    cells.append(Text(bar, style="bold" if row["level"] != "indicator" else ""))
                    continue
                if name not in by_key:
                    continue
                k, column = by_key[name]
                if name == "label":
                    label = "\u00a0\u00a0" * row["depth"] + texts[k]
                    style = "" if row["level"] == "indicator" else "bold"
                    cells.append(Text(label, style=style, no_wrap=True, overflow="ellipsis"))
                else:
                    cells.append(Text(texts[k], justify="left" if column.kind == "text" else "right"))
            table.add_row(*cells, key=row["node"])

    # --- what it would take -------------------------------------------------------------------------

    def _start_target(self, key, result, explanation) -> None:
        target = self.query_one("#entity-target", Static)
        if math.isnan(explanation.rank):
            target.update("No index score: no rank to gain.")
            return
        if explanation.rank <= 1:
            target.update("Ranks first: there is no place above it to gain.")
            return
        if self._target_for == key and self.target is not None:
            self._show_target(self.target)
            return
        goal = int(explanation.rank) - 1
        target.update(f"What it would take to reach rank {goal}: computing… (escape stops it)")
        bar = self.query_one("#target-progress", ProgressBar)
        bar.update(progress=0)
        bar.add_class("running")
        entity = explanation.entity

        def work(progress, cancelled):
            from ..reports.explain import target_view
            from ..targets import what_it_takes

            found = what_it_takes(result, entity, rank=goal, progress=progress, cancelled=cancelled)
            return found, target_view(found, result.framework.label)

        self.app.jobs.start(Job("target", key, work, self, label="what it would take", progress=True))

    def _show_target(self, view) -> None:
        out = Text()
        out.append(view.heading + "\n", style="bold")
        if view.reached:
            out.append(view.reached + "\n")
        elif view.moves is not None:
            out.append(view.moves.text("table"))
        else:
            out.append(view.none_alone + "\n")
        if view.unreachable:
            out.append("\n" + view.unreachable + "\n")
        if view.combined:
            out.append("\n" + view.combined_head + "\n" + "\n".join(f"  {line}" for line in view.combined) + "\n")
        if view.combined_verdict:
            out.append(("" if view.combined else "\n") + view.combined_verdict + "\n")
        self.query_one("#entity-target", Static).update(out)

    def cancel_target(self) -> bool:
        return self.app.jobs.cancel("target")

    # --- job outcomes -------------------------------------------------------------------------------

    def job_done(self, job: Job, result) -> None:
        current = (self.app.state, self.app.selected)
        if job.group == "explain":
            if job.key == current:
                self._show(job.key, *result)
            elif self.app.tabs.active == "entity":
                self.refresh_view()
        elif job.group == "target":
            self.query_one("#target-progress", ProgressBar).remove_class("running")
            _, view = result
            if job.key == current:
                self._target_for, self.target = job.key, view
                self._show_target(view)

    def job_stopped(self, job: Job, why: str) -> None:
        if job.group == "target" and job.key == (self.app.state, self.app.selected):
            self.query_one("#target-progress", ProgressBar).remove_class("running")
            self.query_one("#entity-target", Static).update(f"What it would take: stopped ({why}).")

    def job_failed(self, job: Job, message: str) -> None:
        if job.key != (self.app.state, self.app.selected):
            return
        if job.group == "explain":
            self._shown = job.key
            self.query_one("#entity-title", Static).update(Text(f"Cannot explain: {message}"))
        else:
            self.query_one("#target-progress", ProgressBar).remove_class("running")
            self.query_one("#entity-target", Static).update(f"What it would take: {message}")

    def job_progress(self, job: Job, fraction: float) -> None:
        if job.group == "target" and job.key == (self.app.state, self.app.selected):
            self.query_one("#target-progress", ProgressBar).update(progress=fraction)
