"""The Robustness tab: uncertainty and Sobol' sensitivity of the weights on screen, in the background.

The specification of what is uncertain is the default (weights ±25 %, arithmetic against geometric
index) or a spec file loaded here (:func:`trustindex.io.spec.load_spec`); it is also what the Explore
tab's rank bands use. Runs go through :class:`~trustindex.tui.jobs.Jobs` with a progress bar; Escape
cancels. The sentences under the charts are the CLI report's own
(:func:`~trustindex.reports.robustness.uncertainty_view`, :func:`~trustindex.reports.robustness.sensitivity_view`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, ProgressBar, Static

from ..errors import TrustIndexError
from .chart import ChartRow, RankChart
from .jobs import Job
from .widgets import focus_now, hbar


def _free_name(path: Path) -> Path:
    """``path``, else ``stem-2.suffix``, ``stem-3.suffix``, ...: the first that names no file (nothing is replaced)."""
    candidate, number = path, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


KINDS = {"uncertainty": "uncertainty", "sensitivity": "Sobol' sensitivity"}


@dataclass(frozen=True)
class Results:
    """The latest robustness results and the weight state they were run on."""

    state: object = None
    uncertainty: object | None = None
    """(engine, Uncertainty)."""
    sensitivity: object | None = None
    """(engine, Sensitivity)."""


class SobolBars(Widget):
    """Each input's Sobol' indices for the mean rank shift, as bars measured in cells (hidden until a run)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.result = None

    def show(self, result) -> None:
        self.result = result
        self.set_class(result is not None, "shown")
        self.refresh()

    def render(self) -> Text:
        """Each input's first-order (S1) and total (ST) index for the mean rank shift, as bars on 0–1."""
        result, width = self.result, self.content_size.width
        out = Text()
        if result is None:
            return out
        out.append("Sobol' · mean rank shift\n", style="bold")
        chosen = next((o for o in result.outputs if o.output == "mean rank shift"), None)
        if chosen is None or chosen.status != "varies":
            out.append("The mean rank shift does not vary: nothing to apportion.")
            return out
        label = max(len(name) for name in result.inputs) + 1
        bar = max(4, width - label - 8)
        accent = self.app.current_theme.accent or "cyan"
        for j, name in enumerate(result.inputs):
            for k, (what, value) in enumerate((("S1", chosen.first[j]), ("ST", chosen.total[j]))):
                clipped = min(max(float(value), 0.0), 1.0)
                out.append(f"{name if k == 0 else '':<{label}}{what} ")
                out.append(hbar(clipped, bar), style=accent if what == "ST" else "")
                out.append(f" {value:.2f}\n")
        out.append("S1 first-order, ST total effect, 0–1", style="dim")
        return out


class RobustnessPane(Vertical):
    BINDINGS = [
        Binding("u", "run('uncertainty')", "Uncertainty", id="robustness.uncertainty"),
        Binding("o", "run('sensitivity')", "Sobol'", id="robustness.sobol"),
        Binding("escape", "cancel", "Cancel", id="robustness.cancel"),
    ]
    HELP = """\
### Robustness
- **u** uncertainty analysis, **o** Sobol' sensitivity, **escape** cancels; both use the weights on screen
- **Spec**: a TOML file of what is uncertain (empty: weights ±25 %, arithmetic vs geometric index); enter loads
  it, and the Explore tab's rank bands follow it
"""
    DEFAULT_CSS = """
    #robustness-controls, #robustness-spec { height: 1; }
    #robustness-spec { padding-left: 1; }
    #robustness-controls Button { margin-right: 1; }
    #robustness-controls Label, #robustness-spec Label { color: $text-muted; }
    #robustness-controls Input { width: 9; }
    #spec { width: 1fr; }
    #robustness-progress { height: auto; margin-top: 1; }  /* a long status wraps, never cut */
    #progress { width: auto; margin-right: 2; }
    #robustness-status { width: 1fr; color: $text-muted; }
    #plots { height: 1fr; }
    #rank-chart { width: 3fr; }
    #sobol-plot { width: 2fr; min-width: 24; display: none; padding: 0 1; border-left: vkey $foreground 15%; }
    #sobol-plot.shown { display: block; }
    #summary-box { height: auto; max-height: 8; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.results = Results()
        self.status = ""
        self.spec_path: Path | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="robustness-controls"):
            yield Button("Uncertainty (u)", id="run-uncertainty", compact=True, variant="primary")
            yield Button("Sobol' (o)", id="run-sensitivity", compact=True)
            yield Button("Cancel (esc)", id="cancel-analysis", compact=True, variant="warning", disabled=True)
            yield Label(" runs ")
            yield Input("1000", id="runs", type="integer", compact=True)
            yield Label(" N ")
            yield Input("1024", id="samples", type="integer", compact=True)
        with Horizontal(id="robustness-spec"):
            yield Label("Spec file ")
            hint = "TOML of what is uncertain; enter loads it; empty: the default spec"  # fits at 80 × 24
            yield Input("", id="spec", compact=True, placeholder=hint)
        with Horizontal(id="robustness-progress"):
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
            yield Static("", id="robustness-status")
        with Horizontal(id="plots"):
            yield RankChart(id="rank-chart")
            yield SobolBars(id="sobol-plot")
        with VerticalScroll(id="summary-box"):
            yield Static("", id="robustness-summary")

    # --- a new session ------------------------------------------------------------------------------

    def reset(self) -> None:
        self.app.jobs.cancel("analysis")
        self.results = Results()
        self.query_one(RankChart).clear("u: each entity's median rank and 5–95 % interval over the runs")
        self.query_one(SobolBars).show(None)
        self.query_one("#robustness-summary", Static).update(
            f"Uncertainty (u): {self._spec_words()}; each entity's median rank and 5–95 % interval. "
            "Sobol' (o): which uncertain input drives the ranking."
        )
        self.query_one("#progress", ProgressBar).update(progress=0)
        self._status(f"seed {self.app.seed}")

    def _spec_words(self) -> str:
        if self.spec_path is None:
            return "weights ±25 % and arithmetic vs geometric index (the default spec)"
        return f"the spec in {self.spec_path.name}"

    def activated(self) -> None:
        self._fit_summary()
        if self.results.state is not None and self.results.state != self.app.state:
            self._status(f"these results are for earlier weights: run again (u / o) · seed {self.app.seed}")
        if isinstance(self.app.focused, (Input, Button, RankChart)):
            return
        focus_now(self.query_one("#run-uncertainty", Button))

    def selected_changed(self) -> None:
        self.query_one(RankChart).select(self.app.selected)
        self._summary()

    # --- the spec -----------------------------------------------------------------------------------

    @on(Input.Submitted, "#spec")
    def _spec_submitted(self, event: Input.Submitted) -> None:
        self.load_spec(event.value.strip())

    def load_spec(self, text: str) -> bool:
        """Use the spec file ``text`` (empty: the default) for the analyses and the Explore tab's bands."""
        from ..io.spec import DEFAULT, load_spec

        try:
            spec = DEFAULT if not text else load_spec(Path(text).expanduser())
        except TrustIndexError as exc:
            self._status(f"spec not loaded: {exc}")
            self.app.notify(f"Spec not loaded: {exc}", severity="error", timeout=8)
            return False
        self.spec_path = Path(text).expanduser() if text else None
        self.query_one("#runs", Input).value = str(spec.runs)
        self.app.set_spec(spec)  # the Explore bands follow it (with at most their own number of runs)
        self._status(f"spec: {self._spec_words()} · {spec.runs:,} runs · seed {self.app.seed} · u runs it")
        focus_now(self.query_one("#run-uncertainty", Button))
        return True

    def _read_int(self, ident: str, default: int) -> int:
        try:
            return int(self.query_one(ident, Input).value)
        except (ValueError, TypeError):
            return default

    # --- running ------------------------------------------------------------------------------------

    def action_run(self, kind: str) -> None:
        app = self.app
        runs = self._read_int("#runs", app.spec.runs)
        samples = self._read_int("#samples", 1024)
        if runs < 2:
            app.notify("Runs: give 2 or more.", severity="warning")
            return
        if kind == "sensitivity" and (samples < 2 or samples & (samples - 1)):
            app.notify("N must be a power of 2 (for example 512, 1024, 4096).", severity="warning")
            return
        app.action_show_tab("robustness")
        state, spec, seed = app.state, replace(app.spec, runs=runs), app.seed
        dataset, profile = app.session.dataset, state.profile(app.session.profile, app.session.dataset)

        def work(progress, cancelled):
            from ..engine import Engine
            from ..sensitivity import sensitivity
            from ..uncertainty import uncertainty

            engine = Engine(dataset, profile)
            if kind == "uncertainty":
                return engine, uncertainty(engine, spec, seed, progress=progress, cancelled=cancelled)
            return engine, sensitivity(engine, spec, samples, seed, progress=progress, cancelled=cancelled)

        self.query_one("#progress", ProgressBar).update(progress=0.0)
        what = f"{spec.runs:,} runs" if kind == "uncertainty" else f"N = {samples:,} Sobol' samples"
        self._status(f"{KINDS[kind]}: {what}, seed {seed}… (escape cancels)")
        self.query_one("#cancel-analysis", Button).disabled = False
        app.jobs.start(Job("analysis", (kind, state), work, self, label=KINDS[kind], progress=True))

    def action_report(self) -> None:
        """Write the HTML report of ``trustindex report`` for the weights on screen (this tab's runs and N), to a
        new file in the current folder: ``report-DATASET.html``, numbered when that name is taken."""
        app = self.app
        dataset, loaded = app.session.dataset, app.session.profile
        profile = app.state.profile(loaded, dataset)
        if profile != loaded:  # edited: no file holds these weights, and the page says so
            profile = replace(profile, digest="", path=None)
        target = _free_name(Path(f"report-{dataset.name}.html"))
        spec, samples, seed = replace(app.spec, runs=self._read_int("#runs", app.spec.runs)), self._read_int(
            "#samples", 1024), app.seed  # fmt: skip

        def work(progress, cancelled):
            from ..reports.html import write_report

            write_report(dataset, profile, target, spec, samples, seed, progress=progress, cancelled=cancelled)
            return target

        app.action_show_tab("robustness")
        self.query_one("#progress", ProgressBar).update(progress=0.0)
        self._status(f"report: writing {target} ({spec.runs:,} runs, N = {samples:,}, seed {seed})… (escape cancels)")
        app.jobs.start(Job("report", app.state, work, self, label="report", progress=True))

    def action_cancel(self) -> None:
        if self.app.jobs.cancel("report"):
            self._status("report: cancelled, nothing written")
        if self.app.jobs.cancel("analysis"):
            self.query_one("#progress", ProgressBar).update(progress=0.0)
            self._status("cancelled: nothing half-done is shown")

    @on(Button.Pressed, "#run-uncertainty")
    def _button_uncertainty(self) -> None:
        self.action_run("uncertainty")

    @on(Button.Pressed, "#run-sensitivity")
    def _button_sensitivity(self) -> None:
        self.action_run("sensitivity")

    @on(Button.Pressed, "#cancel-analysis")
    def _button_cancel(self) -> None:
        self.action_cancel()

    # --- job outcomes -------------------------------------------------------------------------------

    def job_progress(self, job: Job, fraction: float) -> None:
        if self.app.jobs.busy(job.group):
            self.query_one("#progress", ProgressBar).update(progress=fraction)

    def job_done(self, job: Job, result) -> None:
        if job.group == "report":
            self.query_one("#progress", ProgressBar).update(progress=1.0)
            stale = "" if job.key == self.app.state else " (for earlier weights)"
            self._status(f"wrote {result}{stale}")
            self.app.notify(f"Wrote {result}{stale}.", timeout=4)
            return
        kind, state = job.key
        self.query_one("#cancel-analysis", Button).disabled = True
        self.query_one("#progress", ProgressBar).update(progress=1.0)
        if self.results.state != state:
            self.results = Results(state=state)
        self.results = replace(self.results, **{kind: result})
        self.status = f"{KINDS[kind]}: done"
        stale = "" if state == self.app.state else " (for earlier weights)"
        self._status(f"{KINDS[kind]}: done{stale} · seed {self.app.seed}")
        self.draw()

    def job_stopped(self, job: Job, why: str) -> None:
        self.status = f"stopped: {why}"
        if not self.app.jobs.busy("analysis"):
            self.query_one("#cancel-analysis", Button).disabled = True
            self._status(f"{job.name}: cancelled ({why})")

    def job_failed(self, job: Job, message: str) -> None:
        self.query_one("#cancel-analysis", Button).disabled = True
        self._status(f"{job.name} failed: {message}")
        self.app.notify(message, severity="error")

    # --- drawing ------------------------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#robustness-status", Static).update(Text(text))

    def draw(self) -> None:
        if self.results.uncertainty is not None:
            _, result = self.results.uncertainty
            rows = tuple(
                ChartRow(e.entity, e.name, e.nominal_rank, e.median_rank, e.low_rank, e.high_rank)
                for e in sorted(result.entities, key=lambda e: (math.isnan(e.nominal_rank), e.nominal_rank, e.entity))
            )
            ranked = sum(1 for e in result.entities if not math.isnan(e.nominal_rank))
            chart = self.query_one(RankChart)
            chart.selected = self.app.selected
            chart.show(rows, ranked, f"Ranks in {result.runs:,} runs: ━ 5–95 %  ● median  │ now")
        if self.results.sensitivity is not None:
            _, result = self.results.sensitivity
            self.query_one(SobolBars).show(result)
        self._summary()

    def _summary(self) -> None:
        from ..reports.robustness import sensitivity_view, uncertainty_view

        lines = []
        entity = self.app.selected
        if self.results.uncertainty is not None:
            _, result = self.results.uncertainty
            view = uncertainty_view(result)
            lines += list(view.footer[:2]) + [line for line in view.footer if line.startswith("Notice:")]
            row = next((r for r in view.rows if r["entity"] == entity), None)
            if row is not None:
                lines.append(view.line(row))
        if self.results.sensitivity is not None:
            _, result = self.results.sensitivity
            view = sensitivity_view(result, more="N")
            name = self.app.entity_name(entity) if entity else None
            row = next((r for r in view.rows if r["output"] == f"rank: {name}"), None)
            shift = next((r for r in view.rows if r["output"] == "mean rank shift"), None)
            for found in (shift, row):
                if found is not None:
                    lines.append(view.line(found, skip=tuple(k for k in found if k.endswith("_ci"))))
        if lines:
            self.query_one("#robustness-summary", Static).update(Text("\n".join(lines)))

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _: self.draw())
        self._fit_summary()

    def on_resize(self) -> None:
        self._fit_summary()

    def _fit_summary(self) -> None:
        """On a short terminal the charts keep most of the height, and the summary scrolls."""
        height = 4 if self.app.size.height < 30 else 8
        box = self.query_one("#summary-box")
        if box.styles.max_height is None or box.styles.max_height.value != height:
            box.styles.max_height = height
