"""The Audit tab: the JRC statistical audit's findings for the weights on screen, each readable in full.

The audit runs off the UI thread when the tab is shown (and again when the weights changed). The table
holds severity, rule, the finding and what it concerns (the same rows as ``trustindex audit``'s findings,
:func:`trustindex.reports.audit.findings_view`); the highlighted finding is shown in full beneath it,
wrapped. Enter opens the weight of the indicator or pillar it concerns, or the entity.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from .jobs import Job
from .messages import ShowEntity, ShowWeight
from .widgets import focus_now

SEVERITY = {"error": "✖ error", "warning": "▲ warning", "notice": "· notice"}


class FindingsTable(DataTable):
    """The findings: home and end go to the first and the last one (a DataTable's scroll sideways)."""

    BINDINGS = [
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


class AuditPane(Vertical):
    HELP = """\
### Audit
- **↑/↓**, **page up/down**, **home/end** move through the findings; the highlighted one is shown in full
  below the table
- **enter** opens the weight of the indicator or pillar it concerns (or the entity)
"""
    DEFAULT_CSS = """
    #audit-summary { height: auto; padding: 0 1; }
    #findings { height: 1fr; }
    #finding-detail {
        height: auto;
        max-height: 9;
        padding: 0 1;
        border-top: hkey $foreground 15%;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.audit = None
        self.view = None
        self._shown = None
        """The weight state of the audit on screen."""

    def compose(self) -> ComposeResult:
        yield Static("The audit runs when this tab is shown.", id="audit-summary")
        yield FindingsTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield Static("", id="finding-detail")

    def reset(self) -> None:
        self.audit = self.view = self._shown = None
        self.query_one("#findings", DataTable).clear(columns=True)
        self.query_one("#finding-detail", Static).update("")
        self.query_one("#audit-summary", Static).update("The audit runs when this tab is shown.")

    def activated(self) -> None:
        focus_now(self.query_one("#findings", DataTable))
        self.refresh_view()

    def refresh_view(self) -> None:
        app = self.app
        state = app.state
        if state == self._shown or app.jobs.working_on("audit", state):
            return
        self.query_one("#audit-summary", Static).update("Running the audit…")
        dataset, profile = app.session.dataset, state.profile(app.session.profile, app.session.dataset)

        def work(progress, cancelled):
            from ..audit import audit
            from ..pipeline import score
            from ..reports.audit import audit_summary, findings_view

            result = score(dataset, profile)
            report = audit(result)
            return report, findings_view(result, report), audit_summary(report)

        app.jobs.start(Job("audit", state, work, self, label="audit"))

    # --- job outcomes -------------------------------------------------------------------------------

    def job_done(self, job: Job, result) -> None:
        if job.key != self.app.state:
            if self.app.tabs.active == "audit":
                self.refresh_view()
            return
        self._shown = job.key
        self.audit, self.view, summary = result
        count = len(self.audit.findings)
        self.query_one("#audit-summary", Static).update(
            f"{count} finding{'' if count == 1 else 's'} ({summary}) · the highlighted one in full below · "
            "enter opens what it concerns"
        )
        table = self.query_one("#findings", DataTable)
        table.clear(columns=True)
        for key, label in (("severity", "Severity"), ("rule", "Rule"), ("message", "Finding"),
                           ("concerns", "Concerns")):  # fmt: skip
            table.add_column(label, key=key)
        for i, row in enumerate(self.view.rows):
            table.add_row(SEVERITY.get(row["severity"], row["severity"]), row["rule"], row["message"],
                          row["concerns"], key=str(i))  # fmt: skip
        self._detail(0 if self.view.rows else None)

    def job_stopped(self, job: Job, why: str) -> None:
        pass

    def job_failed(self, job: Job, message: str) -> None:
        if job.key == self.app.state:
            self._shown = job.key
            self.query_one("#audit-summary", Static).update(f"The audit failed: {message}")

    def job_progress(self, job: Job, fraction: float) -> None:
        pass

    # --- reading and following a finding ------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#findings")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int | None) -> None:
        detail = self.query_one("#finding-detail", Static)
        if row is None or self.view is None or not 0 <= row < len(self.view.rows):
            detail.update("No findings." if self.view is not None else "")
            return
        found = self.view.rows[row]
        text = Text()
        text.append(f"{found['severity'].capitalize()} · {found['rule']}: ", style="bold")
        text.append(found["message"])
        if found["concerns"]:
            text.append(f"\nConcerns: {found['concerns']}", style="dim")
        target = self._target(row)
        if target is not None:
            kind, what = target
            text.append(f"\nenter: open the {'weight of' if kind == 'weight' else 'entity'} "
                        f"{self.app.labels.get(what) or self.app.entity_name(what)}", style="dim")  # fmt: skip
        detail.update(text)

    def _target(self, row: int) -> tuple[str, str] | None:
        """What enter opens for finding ``row``: ("weight", node) or ("entity", entity)."""
        app = self.app
        found = self.view.rows[row]
        index = app.framework.index.id
        indicators = set(app.framework.indicator_ids)
        nodes = [n for n in found["nodes"] if n in app.labels and n != index]
        nodes.sort(key=lambda n: n not in indicators)  # an indicator before the pillar it is compared with
        if nodes:
            return "weight", nodes[0]
        entities = [e for e in found["entity_ids"] if e in app.scorer.entities]
        if entities:
            return "entity", entities[0]
        return None

    def action_open(self) -> None:
        table = self.query_one("#findings", DataTable)
        if self.view is None or not self.view.rows:
            return
        target = self._target(table.cursor_row)
        if target is None:
            self.app.notify("This finding concerns the whole index.", timeout=3)
        elif target[0] == "weight":
            self.post_message(ShowWeight(target[1]))
        else:
            self.post_message(ShowEntity(target[1]))

    @on(DataTable.RowSelected, "#findings")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
