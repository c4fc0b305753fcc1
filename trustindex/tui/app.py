"""The Textual app: explore weights live, explain an entity, stress-test the ranking, read the audit, save.

Everything the screens show is computed by the core (:mod:`trustindex.engine` for live re-scoring,
:mod:`~trustindex.pipeline`, :mod:`~trustindex.explain`, :mod:`~trustindex.targets`,
:mod:`~trustindex.stability`, :mod:`~trustindex.uncertainty`, :mod:`~trustindex.sensitivity`,
:mod:`~trustindex.audit`); the app holds frozen state (:mod:`trustindex.tui.state`) and renders it.
Slow work runs in thread workers that never touch a widget: they post messages.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import Worker, WorkerState, get_current_worker
from textual_plotext import PlotextPlot

from ..errors import TrustIndexError
from .commands import TrustIndexCommands
from .screens import Confirm, HelpScreen, OpenDialog, PresetDialog, SaveDialog
from .state import Scorer, Session, StateError, WeightState
from .widgets import RankTable, WeightBar, WeightView, fmt, hbar, step_for

STABILITY_AUTO = 60
"""Up to this many entities the stability intervals are computed automatically (the core's
``weight_stability`` examines every pair of entities: seconds per weight at 50 entities)."""
STABILITY_LIMIT = 200
"""Above this many entities not even on request (``i``): a minute or more per weight, and it cannot be stopped."""

TABS = (("explore", "Explore"), ("entity", "Entity"), ("robustness", "Robustness"), ("audit", "Audit"))

GENERAL_HELP = """\
## trustindex tui

Explore a composite index live: change a weight and the ranking is re-scored at once.

### Everywhere
- **e** Explore (weights and ranking) · **d** entity detail · **r** robustness · **a** audit
- **ctrl+s** save the weights as TOML (comments kept; asks before replacing a file)
- **ctrl+o** open another dataset, profile or year · **p** presets (the shipped profiles)
- **R** reset every weight · **N** normalise every group to sum to 1
- **ctrl+p** command palette (every action, every entity, every weight) · **?** this help · **q** quit
- **tab** / **shift+tab** move between the weights and the ranking; the mouse works too

### Weights
Weights are relative within their group. The bar's number is the weight, the percentage its share of the
group. A **locked** weight keeps its share when a sibling changes (its number is rescaled).
The interval (e.g. 18–31%) beside each share is the range of this weight's share over which the
highlighted entity keeps its rank (the other weights of the group keeping their proportions).

### Entity
Contributions of every pillar and indicator to the index score (exact: they sum to the score with
arithmetic aggregation), its strengths and weaknesses, what it would take to gain a place, and the
source and year of every value. **[** / **]** previous / next entity.

### Robustness
**u** uncertainty analysis (weights ±25 %, arithmetic vs geometric index), **o** Sobol' sensitivity,
**escape** cancels. The runs use the weights on screen and the seed shown (repeat them with
`trustindex uncertainty --seed N` on a saved profile).

### Audit
The JRC statistical audit's findings. **enter** on a finding opens the weight of the indicator or
pillar it concerns.
"""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ᵏ at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value - 1e-12:
            return factor * power
    return 10 * power


# --- messages from workers ------------------------------------------------------------------------------


class StabilityReady(Message):
    def __init__(self, state: WeightState, entity: str, node: str, text: str) -> None:
        super().__init__()
        self.state, self.entity, self.node, self.text = state, entity, node, text


class AnalysisProgress(Message):
    def __init__(self, worker: Worker, fraction: float) -> None:
        super().__init__()
        self.worker, self.fraction = worker, fraction


class AnalysisDone(Message):
    def __init__(self, worker: Worker, kind: str, result, state: WeightState, error: str = "",
                 stopped: str = "") -> None:  # fmt: skip
        super().__init__()
        self.worker, self.kind, self.result, self.state, self.error, self.stopped = (
            worker, kind, result, state, error, stopped,
        )  # fmt: skip


class TargetReady(Message):
    def __init__(self, key, target, error: str = "") -> None:
        super().__init__()
        self.key, self.target, self.error = key, target, error


class AuditReady(Message):
    def __init__(self, key, audit, error: str = "") -> None:
        super().__init__()
        self.key, self.audit, self.error = key, audit, error


@dataclass(frozen=True)
class Robustness:
    """The latest robustness results and the weights they were run on."""

    state: WeightState | None = None
    uncertainty: object | None = None
    sensitivity: object | None = None
    seed: int = 0


# --- panes ----------------------------------------------------------------------------------------------


class WeightsPanel(Vertical):
    """The weight bars of one group: the pillars, or the components of the pillar drilled into."""

    BINDINGS = [
        Binding("escape", "up", "Back up", id="weights.up"),
        Binding("backspace", "up", "Back up", show=False),
        Binding("i", "stability", "Stability", show=False, id="weights.stability"),
    ]

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "up":
            return self.app.drill is not None
        return True

    def action_up(self) -> None:
        self.app.drill_up()

    def action_stability(self) -> None:
        self.app.compute_stability(force=True)

    def compose(self) -> ComposeResult:
        yield Static("", id="crumb")
        yield VerticalScroll(id="weight-rows", can_focus=False)
        yield Static("", id="weights-status")


class EntityPane(VerticalScroll):
    BINDINGS = [
        Binding("left_square_bracket", "other(-1)", "Previous", id="entity.previous"),
        Binding("right_square_bracket", "other(1)", "Next", id="entity.next"),
    ]

    def action_other(self, step: int) -> None:
        self.app.select_neighbour(step)

    def compose(self) -> ComposeResult:
        yield Static("", id="entity-title")
        yield Static("", id="entity-summary")
        yield DataTable(id="parts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="entity-target")


class RobustnessPane(Vertical):
    BINDINGS = [
        Binding("u", "app.run_uncertainty", "Uncertainty", id="robustness.uncertainty"),
        Binding("o", "app.run_sensitivity", "Sobol'", id="robustness.sobol"),
        Binding("escape", "app.cancel_analysis", "Cancel", id="robustness.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="robustness-controls"):
            yield Button("Uncertainty (u)", id="run-uncertainty", compact=True, variant="primary")
            yield Button("Sobol' (o)", id="run-sensitivity", compact=True)
            yield Button("Cancel (esc)", id="cancel-analysis", compact=True, variant="warning", disabled=True)
            yield Label(" runs ")
            yield Input("1000", id="runs", type="integer", compact=True)
            yield Label(" N ")
            yield Input("1024", id="samples", type="integer", compact=True)
        with Horizontal(id="robustness-progress"):
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
            yield Static("", id="robustness-status")
        with Horizontal(id="plots"):
            yield PlotextPlot(id="rank-plot")
            yield PlotextPlot(id="sobol-plot")
        yield Static("", id="robustness-summary")


class AuditPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="audit-summary")
        yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)


# --- the app --------------------------------------------------------------------------------------------


class TrustIndexApp(App[None]):
    """``trustindex tui``: weights, ranking, entity detail, robustness and audit of one dataset."""

    TITLE = "trustindex"
    COMMANDS = App.COMMANDS | {TrustIndexCommands}
    CSS = """
    #explore-body { height: 1fr; }
    WeightsPanel {
        width: 42%;
        min-width: 36;
        max-width: 56;
        border-right: vkey $foreground 15%;
    }
    #crumb { height: 1; padding: 0 1; color: $text-accent; text-style: bold; }
    #weight-rows { height: 1fr; scrollbar-size-vertical: 1; }
    #weights-status { height: 2; padding: 0 1; color: $text-muted; }
    RankTable { width: 1fr; height: 1fr; }
    EntityPane { padding: 0 1; }
    #entity-title { text-style: bold; color: $text-accent; }
    #entity-summary { margin-bottom: 1; }
    #parts { height: auto; max-height: 100%; }
    #entity-target { margin-top: 1; }
    #robustness-controls { height: 1; }
    #robustness-controls Button { margin-right: 1; }
    #robustness-controls Label { color: $text-muted; }
    #robustness-controls Input { width: 9; }
    #robustness-progress { height: 1; margin-top: 1; }
    #progress { width: auto; margin-right: 2; }
    #robustness-status { width: 1fr; color: $text-muted; }
    #plots { height: 1fr; }
    #robustness-summary { height: auto; max-height: 4; }
    #audit-summary { height: auto; padding: 0 1; }
    #findings { height: 1fr; }
    TabPane { padding: 0; }
    """
    BINDINGS = [
        Binding("e", "show_tab('explore')", "Explore", show=False, id="app.explore"),
        Binding("d", "show_tab('entity')", "Detail", id="app.entity"),
        Binding("r", "show_tab('robustness')", "Robustness", show=False, id="app.robustness"),
        Binding("a", "show_tab('audit')", "Audit", show=False, id="app.audit"),
        Binding("ctrl+s", "save", "Save", id="app.save"),
        Binding("ctrl+o", "open", "Open", show=False, id="app.open"),
        Binding("p", "presets", "Presets", id="app.presets"),
        Binding("u", "run_uncertainty", "Uncertainty", show=False, id="app.uncertainty"),
        Binding("o", "run_sensitivity", "Sobol'", show=False, id="app.sobol"),
        Binding("escape", "escape", "Cancel", show=False, id="app.cancel"),
        Binding("R", "reset_all", "Reset all", show=False, id="app.reset"),
        Binding("N", "normalise_all", "Normalise all", show=False, id="app.normalise"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    state: var[WeightState | None] = var(None, init=False)
    selected: var[str | None] = var(None, init=False)
    drill: var[str | None] = var(None, init=False)

    def __init__(self, session: Session, seed: int | None = None) -> None:
        super().__init__()
        self.seed = secrets.randbits(32) if seed is None else seed
        self.runs = 1000
        self.samples = 1024
        self.analysis: Worker | None = None
        self.analysis_status = ""
        self.robustness = Robustness(seed=self.seed)
        self.bars: list[WeightBar] = []
        """The weight bars on screen, in order."""
        self._jobs = 0
        self._jobs_lock = threading.Lock()
        self._load(session)

    @property
    def jobs_running(self) -> int:
        """Thread jobs still computing (a cancelled one runs on until its next check)."""
        return self._jobs

    @contextmanager
    def _job(self):
        """Count a thread job while it runs (see :func:`trustindex.tui.run`: quitting does not wait for one)."""
        with self._jobs_lock:
            self._jobs += 1
        try:
            yield
        finally:
            with self._jobs_lock:
                self._jobs -= 1

    # --- widgets on the hot path (a DOM query walks every tab: milliseconds on each key) -------------

    @property
    def table(self) -> RankTable:
        if getattr(self, "_table", None) is None:
            self._table = self.query_one(RankTable)
        return self._table

    @property
    def tabs(self) -> TabbedContent:
        if getattr(self, "_tabs", None) is None:
            self._tabs = self.query_one(TabbedContent)
        return self._tabs

    # --- loading ------------------------------------------------------------------------------------

    def _load(self, session: Session) -> None:
        """Take ``session`` (no widget is touched: this runs before and after mounting)."""
        self.session = session
        self.scorer = Scorer(session.dataset, session.profile)
        framework = session.dataset.framework
        self.framework = framework
        self.labels = {n: framework.label(n) for n in framework.node_ids}
        state = WeightState.from_profile(session.dataset, session.profile)
        self.aggregates = {p for p in state.parents}
        self.scales = {}
        for parent in self.aggregates:
            group = state.children(parent)
            scale = nice_ceiling(2 * max([state.loaded_weight(n) for n in group] + [0.5]))
            self.scales.update({n: scale for n in group})
        self._stability: dict = {}
        self._result = None
        self._entity_key = None
        self._target_key = None
        self._target = None
        self._audit_key = None
        self._audit = None
        self._presets = None
        self.robustness = Robustness(seed=self.seed)
        self.ranking = self.scorer.rank(state)
        order = self.ranking.rank
        first = min(range(len(order)), key=lambda i: (math.isnan(order[i]), order[i])) if len(order) else None
        self.set_reactive(TrustIndexApp.state, state)
        self.set_reactive(TrustIndexApp.selected, None if first is None else self.scorer.entities[first])
        self.set_reactive(TrustIndexApp.drill, None)

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="explore"):
            with TabPane("Explore", id="explore"), Horizontal(id="explore-body"):
                yield WeightsPanel()
                yield RankTable(id="ranking")
            with TabPane("Entity", id="entity"):
                yield EntityPane()
            with TabPane("Robustness", id="robustness"):
                yield RobustnessPane()
            with TabPane("Audit", id="audit"):
                yield AuditPane()
        yield Footer()

    async def on_mount(self) -> None:
        await self._show_session()
        self.theme_changed_signal.subscribe(self, lambda _: self._draw_robustness())
        self._freeze_heap()

    @staticmethod
    def _freeze_heap() -> None:
        """Move everything built so far (widgets, dataset, engine) out of the collector's reach: a full
        collection then walks only what each key creates, so no key waits 100 ms for the collector."""
        import gc

        gc.collect()
        gc.freeze()

    async def _show_session(self) -> None:
        table = self.table
        index = self.framework.index.id
        pillars = tuple((n, self.labels[n], self.scorer.column[n]) for n in self.framework.children(index))
        table.set_layout(self.scorer.dataset.names, ((index, "Index", 0), *pillars))
        table.selected = self.selected
        table.cursor = 0
        table.update(self.ranking)
        await self._rebuild_bars()
        self._title()
        self._reset_robustness_view()
        self.query_one("#audit-summary", Static).update("The audit runs when this tab is shown.")
        self.compute_stability()
        bars = self.bars
        if bars:
            bars[0].focus()

    def _title(self) -> None:
        dataset, profile = self.session.dataset, self.session.profile
        year = f" {dataset.year}" if dataset.year else ""
        self.sub_title = f"{dataset.name}{year} · {profile.name}"  # the unsaved mark is in the weights' status line:
        # a header change lays the whole screen out again (~90 ms), too slow for every key

    # --- weights ------------------------------------------------------------------------------------

    def view(self, node: str) -> WeightView:
        s = self.state
        scale = self.scales[node]
        return WeightView(
            node=node,
            label=self.labels[node],
            value=s.weight(node),
            share=s.share(node),
            scale=scale,
            step=step_for(scale),
            locked=node in s.locked,
            changed=s.weight(node) != s.loaded_weight(node),
            drill=node in self.aggregates,
            stability=self._stability_text(node),
        )

    def _stability_text(self, node: str) -> str:
        if self.selected is None:
            return ""
        text = self._stability.get((self.state, self.selected, node))
        if text is not None:
            return text
        return "…" if len(self.scorer.entities) <= STABILITY_AUTO else ""

    def _group_parent(self) -> str:
        return self.drill or self.framework.index.id

    async def _rebuild_bars(self, focus: str | None = None) -> None:
        if getattr(self, "_rebuilding", None) is None:
            self._rebuilding = asyncio.Lock()
        async with self._rebuilding:  # two quick drills must not interleave their removals and mounts
            await self._rebuild_bars_now(focus)

    async def _rebuild_bars_now(self, focus: str | None) -> None:
        rows = self.query_one("#weight-rows", VerticalScroll)
        had_focus = self.focused is None or isinstance(self.focused, WeightBar)
        self.bars = []
        await rows.remove_children()
        nodes = self.state.children(self._group_parent())
        bars = [WeightBar(self.view(n), self._bar_request, id=f"w-{i}") for i, n in enumerate(nodes)]
        await rows.mount_all(bars)
        self.bars = bars
        path = self.framework.path(self._group_parent())[1:]
        crumb = " ▸ ".join(["Weights", *(self.labels[n] for n in path)])
        self.query_one("#crumb", Static).update(Text(crumb, no_wrap=True, overflow="ellipsis"))
        self._weights_status()
        bars = list(self.bars)
        chosen = [b for b in bars if b.node == focus] or bars[:1]
        if chosen and (focus is not None or had_focus):
            chosen[0].focus()
            chosen[0].scroll_visible(animate=False)

    def _refresh_bars(self) -> None:
        for bar in self.bars:
            bar.view = self.view(bar.node)

    def _weights_status(self) -> None:
        s = self.state
        changed = len(s.changed())
        parts = [f"unsaved: {changed} changed" if changed else f"as in {self.session.profile.name}"]
        if s.locked:
            parts.append(f"{len(s.locked)} locked")
        if self.selected is not None:
            name = self.scorer.dataset.names[self.scorer.entities.index(self.selected)]
            parts.append(f"stability for {name}")
            if STABILITY_AUTO < len(self.scorer.entities) <= STABILITY_LIMIT:
                parts.append("i computes it")
            elif len(self.scorer.entities) > STABILITY_LIMIT:
                parts[-1] = "no stability intervals at this size"
        text = " · ".join(parts)
        status = self.query_one("#weights-status", Static)
        if str(status.content) != text:
            status.update(text, layout=False)  # fixed height: no layout pass on every key

    def apply(self, transition, *args) -> bool:
        """Apply a pure state transition; a refused one is shown, not raised."""
        try:
            new = transition(self.state, *args)
        except StateError as exc:
            self.bell()
            self.notify(str(exc), severity="warning", timeout=4)
            return False
        self.state = new
        return True

    def watch_state(self, old: WeightState, new: WeightState) -> None:
        """Re-score and re-rank at once (one batched engine call); slower views are marked stale."""
        self.ranking = self.scorer.rank(new)
        if not self.is_mounted:
            return
        self.table.update(self.ranking)
        self._refresh_bars()
        self._weights_status()
        self._on_view_stale()
        self._schedule_stability()

    def watch_selected(self) -> None:
        if not self.is_mounted:
            return
        self.table.select(self.selected)
        self._refresh_bars()
        self._weights_status()
        self._on_view_stale()
        self._schedule_stability()

    async def watch_drill(self, old: str | None, new: str | None) -> None:
        await self._rebuild_bars(focus=self._drill_focus)
        self._drill_focus = None
        self.compute_stability()

    _drill_focus: str | None = None

    _last_bar: str | None = None

    def action_focus_ranking(self) -> None:
        if isinstance(self.focused, WeightBar):
            self._last_bar = self.focused.node
            self.table.focus()
        else:
            self.screen.focus_next()

    def action_focus_weights(self) -> None:
        if isinstance(self.focused, RankTable):
            bars = [b for b in self.bars if b.node == self._last_bar] or list(self.bars)
            if bars:
                bars[0].focus()
                return
        self.screen.focus_previous()

    def drill_up(self) -> None:
        if self.drill is None:
            return
        self._drill_focus = self.drill
        parent = self.framework.parent(self.drill)
        self.drill = None if parent == self.framework.index.id else parent

    def focus_weight(self, node: str) -> None:
        """Show the Explore tab with ``node``'s group and focus its bar."""
        self.action_show_tab("explore")
        parent = self.framework.parent(node)
        target = None if parent == self.framework.index.id else parent
        if target == self.drill:
            for bar in self.bars:
                if bar.node == node:
                    bar.focus()
                    bar.scroll_visible(animate=False)
            return
        self._drill_focus = node
        self.drill = target

    def _bar_request(self, message) -> None:
        """A weight bar's request, handled at once (see WeightBar.handler)."""
        handlers = {WeightBar.Stepped: self._stepped, WeightBar.Changed: self._changed,
                    WeightBar.Invalid: self._invalid, WeightBar.Command: self._command}  # fmt: skip
        handlers[type(message)](message)

    @on(WeightBar.Stepped)
    def _stepped(self, event: WeightBar.Stepped) -> None:
        self.apply(WeightState.step, event.node, event.steps, event.size)

    @on(WeightBar.Changed)
    def _changed(self, event: WeightBar.Changed) -> None:
        self.apply(WeightState.set, event.node, event.value)

    @on(WeightBar.Invalid)
    def _invalid(self, event: WeightBar.Invalid) -> None:
        self.bell()
        self.notify(event.text, severity="warning", timeout=3)

    @on(WeightBar.Command)
    def _command(self, event: WeightBar.Command) -> None:
        if event.command == "drill":
            self._drill_focus = None
            self.drill = event.node
        elif event.command == "lock":
            self.apply(WeightState.toggle_lock, event.node)
        elif event.command == "reset":
            self.apply(WeightState.reset, event.node)
        elif event.command == "normalise":
            self.apply(WeightState.normalise, self.framework.parent(event.node))

    def action_reset_all(self) -> None:
        self.apply(WeightState.reset)
        self.notify("Every weight reset to the loaded profile.", timeout=2)

    def action_normalise_all(self) -> None:
        self.apply(WeightState.normalise)
        self.notify("Every group rescaled to sum to 1 (no share, no score changed).", timeout=3)

    # --- stability intervals (thread worker) --------------------------------------------------------

    _stability_timer = None

    def _schedule_stability(self) -> None:
        if len(self.scorer.entities) > STABILITY_AUTO:
            return
        if self._stability_timer is not None:
            self._stability_timer.stop()
        self._stability_timer = self.set_timer(0.3, self.compute_stability)

    def compute_stability(self, force: bool = False) -> None:
        """Compute the stability intervals of the weights on screen for the highlighted entity."""
        if self.selected is None or not self.is_mounted:
            return
        if len(self.scorer.entities) > STABILITY_AUTO and not force:
            return
        if len(self.scorer.entities) > STABILITY_LIMIT:
            self.notify(f"Stability intervals are not computed for {len(self.scorer.entities):,} entities: "
                        "weight_stability compares every pair of entities (minutes per weight).",
                        severity="warning", timeout=6)  # fmt: skip
            return
        state, entity = self.state, self.selected
        nodes = [bar.node for bar in self.bars]
        if force and isinstance(self.focused, WeightBar):
            nodes = [self.focused.node]
        focused = self.focused.node if isinstance(self.focused, WeightBar) else None
        nodes.sort(key=lambda n: n != focused)
        todo = [n for n in nodes if (state, entity, n) not in self._stability]
        if not todo:
            return
        if force:
            self._stability.update({(state, entity, n): "…" for n in todo})
            self._refresh_bars()
        dataset, profile = self.session.dataset, state.profile(self.session.profile, self.session.dataset)
        self.run_worker(
            partial(self._stability_job, dataset, profile, state, entity, todo),
            thread=True, group="stability", exclusive=True, exit_on_error=False,
        )  # fmt: skip

    def _stability_job(self, dataset, profile, state, entity, nodes) -> None:
        from ..engine import Engine
        from ..stability import weight_stability

        worker = get_current_worker()
        with self._job():
            engine = Engine(dataset, profile)
            for node in nodes:
                if worker.is_cancelled:
                    return
                try:
                    found = weight_stability(engine, node, entity)
                    low, high = found.entity
                    text = f"{low * 100:.0f}–{high * 100:.0f}%"
                except TrustIndexError:
                    text = "—"
                self.post_message(StabilityReady(state, entity, node, text))

    def on_stability_ready(self, message: StabilityReady) -> None:
        self._stability[(message.state, message.entity, message.node)] = message.text
        if message.state == self.state and message.entity == self.selected:
            for bar in self.bars:
                if bar.node == message.node:
                    bar.view = self.view(bar.node)

    # --- ranking ------------------------------------------------------------------------------------

    @on(RankTable.Highlighted)
    def _highlighted(self, event: RankTable.Highlighted) -> None:
        self.selected = event.entity

    @on(RankTable.Chosen)
    def _chosen(self, event: RankTable.Chosen) -> None:
        self.selected = event.entity
        self.action_show_tab("entity")

    def select_entity(self, entity: str, show: bool = True) -> None:
        self.selected = entity
        if show:
            self.action_show_tab("entity")

    def select_neighbour(self, step: int) -> None:
        table = self.table
        order = table.row_entities()
        if self.selected in order:
            at = (order.index(self.selected) + step) % len(order)
            self.selected = order[at]

    # --- tabs ---------------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.tabs.active = tab

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._on_view_stale()
        tab = event.pane.id
        if tab == "explore":
            table = self.table
            bars = self.bars
            if bars and not isinstance(self.focused, (WeightBar, RankTable)):
                bars[0].focus()
            table.refresh()
        elif tab == "entity":
            self.query_one("#parts", DataTable).focus()
        elif tab == "robustness":
            self.query_one("#run-uncertainty", Button).focus()
        elif tab == "audit":
            self.query_one("#findings", DataTable).focus()

    def _active_tab(self) -> str:
        return self.tabs.active

    def _on_view_stale(self) -> None:
        """Bring the visible slow view up to date with the state (the others wait until they are shown)."""
        if not self.is_mounted:
            return
        tab = self._active_tab()
        if tab == "entity":
            self._show_entity()
        elif tab == "audit":
            self._show_audit()
        elif tab == "robustness":
            self._robustness_staleness()

    def result(self):
        """The pipeline's Result for the weights on screen (cached per state)."""
        from ..pipeline import score

        if self._result is None or self._result[0] != self.state:
            profile = self.state.profile(self.session.profile, self.session.dataset)
            self._result = (self.state, score(self.session.dataset, profile))
        return self._result[1]

    # --- entity detail ------------------------------------------------------------------------------

    def _show_entity(self) -> None:
        from ..explain import explain

        if self.selected is None:
            return
        key = (self.state, self.selected)
        if key == self._entity_key:
            return
        self._entity_key = key
        result = self.result()
        try:
            explanation = explain(result, self.selected)
        except TrustIndexError as exc:
            self.query_one("#entity-title", Static).update(str(exc))
            return
        rank = "unranked" if math.isnan(explanation.rank) else f"rank {explanation.rank:g} of {explanation.ranked}"
        self.query_one("#entity-title", Static).update(
            Text(f"{explanation.name} ({explanation.entity}) · {rank} · index {fmt(explanation.score)}")
        )
        labels = self.labels
        lines = [explanation.summary]
        if explanation.strengths or explanation.weaknesses:
            lines.append(
                "Strengths: "
                + (", ".join(labels[s] for s in explanation.strengths) or "–")
                + " · Weaknesses: "
                + (", ".join(labels[w] for w in explanation.weaknesses) or "–")
            )
        how = ("contributions sum to the index score" if explanation.method == "linear"
               else f"Shapley contributions against the {explanation.baseline} baseline "
                    f"({fmt(explanation.baseline_score)}), summing to score − baseline")  # fmt: skip
        lines.append(f"Method: {how}.")
        for notice in explanation.notices:
            where = f" ({labels.get(notice.node, notice.node)})" if notice.node else ""
            lines.append(f"Note: {notice.message}{where}")
        self.query_one("#entity-summary", Static).update(Text("\n".join(lines)))

        table = self.query_one("#parts", DataTable)
        table.clear(columns=True)
        for key_, label in (("node", "Node"), ("score", "Score"), ("rank", "Rank"), ("bar", "Contribution"),
                            ("contribution", ""), ("weight", "Weight"), ("value", "Value"), ("source", "Source"),
                            ("year", "Year"), ("note", "Note")):  # fmt: skip
            table.add_column(label, key=key_)
        levels: dict[str, float] = {}
        for part in explanation.parts[1:]:
            levels[part.level] = max(levels.get(part.level, 0.0), abs(part.contribution))
        for part in explanation.parts:
            top = levels.get(part.level, 0.0) or abs(part.contribution) or 1.0
            sign = "−" if part.contribution < 0 else " "
            bar = Text(sign + hbar(abs(part.contribution) / top, 10))
            if part.level == "index":
                bar = Text(" " + hbar(1.0, 10))
            value = ""
            if part.level == "indicator":
                value = "missing" if part.missing else f"{part.raw:g} {part.unit}".strip()
            table.add_row(
                Text("\u00a0\u00a0" * part.depth + part.label, style="bold" if part.level != "indicator" else ""),
                fmt(part.score),
                "–" if math.isnan(part.rank) else f"{part.rank:g}",
                bar,
                f"{part.contribution:+.2f}",
                f"{part.effective_weight * 100:.1f}%",
                value,
                part.source,
                "" if part.year is None else str(part.year),
                (part.formula or "") + (" · " if part.formula and part.note else "") + (part.note or ""),
                key=part.node,
            )
        self._start_target(result, explanation)

    def _start_target(self, result, explanation) -> None:
        key = (self.state, self.selected)
        target = self.query_one("#entity-target", Static)
        if math.isnan(explanation.rank):
            target.update("No index score: no rank to gain.")
            return
        if explanation.rank <= 1:
            target.update("Ranks first: there is no place above it to gain.")
            return
        if self._target_key == key and self._target is not None:
            self._render_target(self._target)
            return
        slow = " (a minute or more at this size)" if result.scores.size > 50_000 else ""
        target.update(f"What it would take to reach rank {explanation.rank - 1:g}: computing…{slow}")
        job = partial(self._target_job, key, result, explanation.entity, int(explanation.rank) - 1)
        if self._target_running:  # what_it_takes cannot be stopped: run only the latest request next
            self._target_pending = job
            return
        self._target_running = True
        self.run_worker(job, thread=True, group="target", exit_on_error=False)

    _target_running = False
    _target_pending = None

    def _target_job(self, key, result, entity: str, rank: int) -> None:
        from ..targets import what_it_takes

        with self._job():
            try:
                self.post_message(TargetReady(key, what_it_takes(result, entity, rank=rank)))
            except TrustIndexError as exc:
                self.post_message(TargetReady(key, None, str(exc)))
            except Exception as exc:  # the thread must always report back, or no later request would run
                self.post_message(TargetReady(key, None, f"failed: {exc!r}"))

    def on_target_ready(self, message: TargetReady) -> None:
        self._target_running = False
        if self._target_pending is not None:
            job, self._target_pending = self._target_pending, None
            if job.args[0] == (self.state, self.selected):
                self._target_running = True
                self.run_worker(job, thread=True, group="target", exit_on_error=False)
        if message.key != (self.state, self.selected):
            return
        self._target_key, self._target = message.key, message.target
        if message.target is None:
            self.query_one("#entity-target", Static).update(f"What it would take: {message.error}")
            return
        self._render_target(message.target)

    def _render_target(self, target) -> None:
        labels = self.labels
        out = Text()
        out.append(f"What it would take to reach rank {target.target_rank} (index ≥ {target.target_score:.2f})\n",
                   style="bold")  # fmt: skip
        pillars = sorted((m for m in target.pillars if m.reachable), key=lambda m: m.needed - m.current)
        if pillars:
            out.append("• one pillar alone: ")
            out.append(" · ".join(f"{labels[m.node]} {m.current:.1f} → {m.needed:.1f}" for m in pillars[:4]))
            out.append("\n")
        moves = sorted((m for m in target.indicators if m.reachable), key=lambda m: m.needed - m.current)
        if moves:
            out.append("• one indicator alone (smallest changes first):\n")
            for m in moves[:5]:
                raw = ""
                if m.raw_current is not None and m.raw_needed is not None:
                    raw = f" (value {m.raw_current:g} → {m.raw_needed:.4g} {m.unit})".rstrip()
                    raw = raw if raw.endswith(")") else raw + ")"
                out.append(f"   – {labels[m.node]}: {m.current:.1f} → {m.needed:.1f}{raw}\n")
        elif target.indicators:
            out.append("• no single indicator reaches it on its own\n")
        if target.combined:
            check = "verified by re-scoring" if target.combined_verified else target.combined_note
            out.append(f"• all together, the smallest change ({len(target.combined)} indicators, "
                       f"norm {target.combined_norm:.2f}; {check}):\n")  # fmt: skip
            for c in target.combined[:6]:
                out.append(f"   – {labels[c.node]}: {c.current:.1f} → {c.needed:.1f}\n")
        elif target.combined_note:
            out.append(f"• all together: {target.combined_note}\n")
        self.query_one("#entity-target", Static).update(out)

    # --- audit --------------------------------------------------------------------------------------

    def _show_audit(self) -> None:
        key = self.state
        if key == self._audit_key:
            return
        self._audit_key = key
        self.query_one("#audit-summary", Static).update("Running the audit…")
        self.run_worker(partial(self._audit_job, key, self.result()), thread=True, group="audit", exclusive=True,
                        exit_on_error=False)  # fmt: skip

    def _audit_job(self, key, result) -> None:
        from ..audit import audit

        with self._job():
            try:
                self.post_message(AuditReady(key, audit(result)))
            except TrustIndexError as exc:
                self.post_message(AuditReady(key, None, str(exc)))

    def on_audit_ready(self, message: AuditReady) -> None:
        if message.key != self.state:
            return
        summary = self.query_one("#audit-summary", Static)
        if message.audit is None:
            summary.update(f"The audit failed: {message.error}")
            return
        self._audit = message.audit
        counts = ", ".join(f"{message.audit.count(s)} {s}s" for s in ("error", "warning", "notice"))
        summary.update(f"{len(message.audit.findings)} findings ({counts}) · enter opens the weight concerned")
        table = self.query_one("#findings", DataTable)
        table.clear(columns=True)
        for key_, label in (("severity", "Severity"), ("rule", "Rule"), ("message", "Finding"), ("where", "Concerns")):
            table.add_column(label, key=key_)
        for i, finding in enumerate(message.audit.findings):
            where = ", ".join(finding.nodes[:4]) or ", ".join(finding.entities[:4])
            table.add_row(finding.severity, finding.rule, finding.message, where, key=str(i))

    @on(DataTable.RowSelected, "#findings")
    def _finding_chosen(self, event: DataTable.RowSelected) -> None:
        if self._audit is None:
            return
        finding = self._audit.findings[int(event.row_key.value)]
        nodes = [n for n in finding.nodes if n in self.labels and n != self.framework.index.id]
        if nodes:
            self.focus_weight(nodes[0])
        elif finding.entities and finding.entities[0] in self.scorer.entities:
            self.select_entity(finding.entities[0])
        else:
            self.notify("This finding concerns the whole index.", timeout=3)

    # --- robustness (thread workers) ----------------------------------------------------------------

    def _read_int(self, ident: str, default: int) -> int:
        try:
            return int(self.query_one(ident, Input).value)
        except (ValueError, TypeError):
            return default

    def action_run_uncertainty(self) -> None:
        self.runs = max(2, self._read_int("#runs", self.runs))
        self._run_analysis("uncertainty")

    def action_run_sensitivity(self) -> None:
        samples = self._read_int("#samples", self.samples)
        if samples < 2 or samples & (samples - 1):
            self.notify("N must be a power of 2 (for example 512, 1024, 4096).", severity="warning")
            return
        self.samples = samples
        self._run_analysis("sensitivity")

    def _run_analysis(self, kind: str) -> None:
        from ..uncertainty import Spec

        if self.analysis is not None and self.analysis.state in (WorkerState.PENDING, WorkerState.RUNNING):
            self.notify("An analysis is running: escape cancels it.", severity="warning")
            return
        if self._finishing:
            self.notify("The cancelled analysis is finishing its batch of runs: try again in a moment.",
                        severity="warning")  # fmt: skip
            return
        self.action_show_tab("robustness")
        state = self.state
        spec = replace(Spec(), runs=self.runs)
        dataset, profile = self.session.dataset, state.profile(self.session.profile, self.session.dataset)
        self.query_one("#progress", ProgressBar).update(progress=0.0)
        what = f"{self.runs:,} runs" if kind == "uncertainty" else f"N = {self.samples:,} Sobol' samples"
        self._status(f"{kind}: {what}, seed {self.seed}… (escape cancels)")
        self.analysis = self.run_worker(
            partial(self._analysis_job, kind, dataset, profile, spec, state, self.seed, self.samples),
            thread=True, group="robustness", exclusive=True, exit_on_error=False, name=kind,
        )  # fmt: skip
        self.query_one("#cancel-analysis", Button).disabled = False
        self._threads += 1

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self.analysis and event.state not in (WorkerState.PENDING, WorkerState.RUNNING):
            self.query_one("#cancel-analysis", Button).disabled = True

    def _analysis_job(self, kind, dataset, profile, spec, state, seed, samples) -> None:
        worker = get_current_worker()
        with self._job():
            self._analysis_run(worker, kind, dataset, profile, spec, state, seed, samples)

    def _analysis_run(self, worker, kind, dataset, profile, spec, state, seed, samples) -> None:
        from ..batches import Cancelled
        from ..engine import Engine
        from ..sensitivity import sensitivity
        from ..uncertainty import uncertainty

        def progress(fraction: float) -> None:
            self.post_message(AnalysisProgress(worker, fraction))

        def cancelled() -> bool:
            return worker.is_cancelled

        try:
            engine = Engine(dataset, profile)
            if kind == "uncertainty":
                result = uncertainty(engine, spec, seed, progress=progress, cancelled=cancelled)
            else:
                result = sensitivity(engine, spec, samples, seed, progress=progress, cancelled=cancelled)
        except Cancelled as exc:
            self.post_message(AnalysisDone(worker, kind, None, state, stopped=str(exc)))
            return
        except TrustIndexError as exc:
            self.post_message(AnalysisDone(worker, kind, None, state, error=str(exc)))
            return
        except Exception as exc:  # always report back: the app counts the threads still running
            self.post_message(AnalysisDone(worker, kind, None, state, error=repr(exc)))
            return
        self.post_message(AnalysisDone(worker, kind, (engine, result), state))

    _threads = 0
    """Analysis threads not yet finished (a cancelled one runs on to the end of its batch of runs)."""

    @property
    def _finishing(self) -> bool:
        running = self.analysis is not None and self.analysis.state in (WorkerState.PENDING, WorkerState.RUNNING)
        return self._threads > (1 if running else 0)

    def action_escape(self) -> None:
        """Cancel a running analysis; else, on Explore, go back up (also when a key came mid-rebuild)."""
        if self.analysis is not None and self.analysis.state in (WorkerState.PENDING, WorkerState.RUNNING):
            self.action_cancel_analysis()
        elif self._active_tab() == "explore" and self.drill is not None:
            self.drill_up()

    def action_cancel_analysis(self) -> None:
        if self.analysis is None or self.analysis.state not in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        self.analysis.cancel()
        self.query_one("#progress", ProgressBar).update(progress=0.0)
        self._status(f"{self.analysis.name}: cancelled (stops at the end of the current batch of runs)")

    def on_analysis_progress(self, message: AnalysisProgress) -> None:
        if message.worker is self.analysis and not message.worker.is_cancelled:
            self.query_one("#progress", ProgressBar).update(progress=message.fraction)

    def on_analysis_done(self, message: AnalysisDone) -> None:
        self._threads -= 1
        if message.stopped:
            self.analysis_status = message.stopped
            self._status(f"{message.kind}: cancelled ({message.stopped})")
            return
        if message.worker is not self.analysis or message.worker.is_cancelled:
            return
        if message.error:
            self._status(f"{message.kind} failed: {message.error}")
            self.notify(message.error, severity="error")
            return
        self.query_one("#progress", ProgressBar).update(progress=1.0)
        engine, result = message.result
        if self.robustness.state != message.state:
            self.robustness = Robustness(state=message.state, seed=self.seed)
        if message.kind == "uncertainty":
            self.robustness = replace(self.robustness, uncertainty=(engine, result))
        else:
            self.robustness = replace(self.robustness, sensitivity=(engine, result))
        self._status(f"{message.kind}: done · seed {self.seed}")
        self._draw_robustness()

    def _status(self, text: str) -> None:
        self.query_one("#robustness-status", Static).update(Text(text, no_wrap=True, overflow="ellipsis"))

    def _reset_robustness_view(self) -> None:
        for ident in ("#rank-plot", "#sobol-plot"):
            plot = self.query_one(ident, PlotextPlot)
            plot.plt.clear_figure()
            plot.plt.title("u: rank intervals" if ident == "#rank-plot" else "o: Sobol' indices")
            plot.refresh()
        self.query_one("#robustness-summary", Static).update(
            "Uncertainty (u): weights ±25 % and arithmetic vs geometric index; each entity's median rank and "
            "5–95 % interval. Sobol' (o): which uncertain input drives the ranking."
        )
        self._status(f"seed {self.seed}")

    def _robustness_staleness(self) -> None:
        if self.robustness.state is not None and self.robustness.state != self.state:
            self._status(f"these results are for earlier weights: run again (u / o) · seed {self.seed}")

    def _plot_colours(self) -> tuple[tuple[int, int, int], ...]:
        """The theme's primary, accent and foreground colours, as plotext takes them."""
        from textual.color import Color

        theme = self.current_theme
        return tuple(Color.parse(c or "white").rgb for c in (theme.primary, theme.accent, theme.foreground))

    def _draw_robustness(self) -> None:
        names = dict(zip(self.scorer.dataset.entities, self.scorer.dataset.names, strict=True))
        summary = []
        if self.robustness.uncertainty is not None:
            _, result = self.robustness.uncertainty
            plot = self.query_one("#rank-plot", PlotextPlot)
            plt = plot.plt
            plt.clear_figure()
            rows = sorted((e for e in result.entities if not math.isnan(e.nominal_rank)), key=lambda e: e.nominal_rank)
            room = max(3, (plot.size.height or 12) - 4)
            rows = rows[:room]
            ys = list(range(len(rows), 0, -1))
            line, median, nominal = self._plot_colours()
            for y, e in zip(ys, rows, strict=True):
                if not math.isnan(e.low_rank):
                    plt.plot([e.low_rank - 0.2, e.high_rank + 0.2], [y, y], color=line, marker="━")
            plt.scatter([e.nominal_rank for e in rows], ys, marker="│", color=nominal)
            plt.scatter([e.median_rank for e in rows], ys, marker="●", color=median)
            plt.yticks(ys, [names.get(e.entity, e.entity)[:12] for e in rows])
            last = max([e.high_rank for e in rows if not math.isnan(e.high_rank)] + [len(rows)])
            ticks = list(range(1, int(last) + 1, max(1, int(last) // 8)))
            plt.xticks(ticks, [str(t) for t in ticks])
            plt.xlim(0.5, last + 0.5)
            plt.title(f"rank: ━ 5–95 %  ● median  │ nominal ({result.runs:,} runs)")
            plot.refresh()
            summary.append(
                f"{result.runs:,} runs · mean |rank shift| {result.mean_shift:.2f} · Spearman {result.spearman:.3f}"
                f" · Kendall {result.kendall:.3f}"
            )
            mine = next((e for e in result.entities if e.entity == self.selected), None)
            if mine is not None:
                summary.append(
                    f"{mine.name}: nominal {fmt(mine.nominal_rank, 0)}, median {fmt(mine.median_rank, 0)}, "
                    f"90 % of runs {fmt(mine.low_rank, 0)}–{fmt(mine.high_rank, 0)}, "
                    f"top {result.top_k} in {mine.top_k * 100:.0f} %"
                )
        if self.robustness.sensitivity is not None:
            _, result = self.robustness.sensitivity
            plot = self.query_one("#sobol-plot", PlotextPlot)
            plt = plot.plt
            plt.clear_figure()
            chosen = next((o for o in result.outputs if o.output == "mean rank shift"), None)
            if chosen is not None:
                first, total, _ = self._plot_colours()
                plt.multiple_bar(list(result.inputs), [list(chosen.first), list(chosen.total)],
                                 labels=["first-order", "total"], color=[first, total])  # fmt: skip
                plt.title(f"Sobol' · {chosen.output}"[:40])
                plt.ylim(0, 1)
            plot.refresh()
            line = f"Sobol' (mean rank shift): N = {result.samples:,}, {result.runs:,} runs, seed {result.seed}"
            mine = next((o for o in result.outputs if o.output == f"rank: {names.get(self.selected, '')}"), None)
            if mine is not None and mine.status != "varies":
                moved = "never changes" if mine.status == "constant" else f"changes in {mine.changes} runs only"
                line += f" · rank of {names[self.selected]}: {moved}"
            elif mine is not None:
                line += f" · rank of {names[self.selected]}: " + ", ".join(
                    f"{i} S1 {f:.2f} ST {t:.2f}" for i, f, t in zip(result.inputs, mine.first, mine.total, strict=True)
                )
            summary.append(line)
        self.query_one("#robustness-summary", Static).update(Text("\n".join(summary)))

    @on(Button.Pressed, "#run-uncertainty")
    def _button_uncertainty(self) -> None:
        self.action_run_uncertainty()

    @on(Button.Pressed, "#run-sensitivity")
    def _button_sensitivity(self) -> None:
        self.action_run_sensitivity()

    @on(Button.Pressed, "#cancel-analysis")
    def _button_cancel(self) -> None:
        self.action_cancel_analysis()

    # --- presets, saving, opening, quitting ---------------------------------------------------------

    def presets(self):
        if self._presets is None:
            self._presets = self.session.presets()
        return self._presets

    def action_presets(self) -> None:
        choices = [(p.name, p.description) for p in self.presets()]
        if not choices:
            self.notify("No shipped profile fits this dataset.", severity="warning")
            return
        self.push_screen(PresetDialog(choices), self.apply_preset)

    def apply_preset(self, name: str | None) -> None:
        if name is None:
            return
        preset = next(p for p in self.presets() if p.name == name)
        mapping = WeightState.from_profile(self.session.dataset, preset).mapping()
        if self.apply(WeightState.apply, mapping):
            same = (preset.normalisation == self.session.profile.normalisation
                    and dict(preset.aggregation) == dict(self.session.profile.aggregation))  # fmt: skip
            note = "" if same else f" (methods kept from {self.session.profile.name})"
            self.notify(f"Weights of {name} applied{note}.", timeout=3)

    def action_save(self, then=None) -> None:
        session = self.session
        note = ("This is a shipped profile: saving writes a new file." if session.shipped
                else "")  # fmt: skip

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            if path.exists():
                self.push_screen(
                    Confirm("Replace the file?", f"{path} exists. Replace it with the edited weights?",
                            (("replace", "Replace", "y"), ("cancel", "Cancel", "n"))),
                    lambda answer: self.save_to(path, then) if answer == "replace" else None,
                )  # fmt: skip
            else:
                self.save_to(path, then)

        self.push_screen(SaveDialog(session.save_target(), note), chosen)

    def save_to(self, path: Path, then=None) -> bool:
        """Write the weights to ``path`` (the caller has confirmed replacing it). True when saved."""
        from .profile import save

        session = self.session
        try:
            saved = save(path, session.profile.path, session.dataset, self.state.mapping(),
                         protect=session.dataset.files)  # fmt: skip
        except TrustIndexError as exc:
            self.notify(f"Not saved: {exc}", severity="error", timeout=8)
            return False
        self.session = replace(session, profile=saved, weights_ref=str(path))
        committed = self.state.committed()
        self.scorer.rebase(committed)
        self.state = committed
        self._title()
        self.table.update(self.scorer.rank(committed))
        self.notify(f"Saved to {path}", timeout=4)
        if then is not None:
            then()
        return True

    def action_open(self) -> None:
        def ask() -> None:
            from ..io.registry import dataset_names, weights_names

            s = self.session
            dialog = OpenDialog(s.data_ref or s.dataset.name, s.weights_ref or "", s.year, dataset_names(),
                                weights_names(), Session.load)  # fmt: skip
            self.push_screen(dialog, self._open_chosen)

        self._unless_dirty("Open another dataset or profile?", ask)

    def _open_chosen(self, session: Session | None) -> None:
        if session is not None:
            self.open_session(session)

    @work(exclusive=True, group="open")
    async def open_session(self, session: Session) -> None:
        self.workers.cancel_group(self, "stability")
        self.workers.cancel_group(self, "robustness")
        self._load(session)
        await self._show_session()
        self._freeze_heap()
        self.action_show_tab("explore")
        self.notify(f"Opened {session.dataset.name} with {session.profile.name}.", timeout=3)

    def _unless_dirty(self, question: str, proceed) -> None:
        if not self.state.dirty:
            proceed()
            return
        self.push_screen(
            Confirm(question, f"{self._count_changed()} changed and not saved.",
                    (("save", "Save first", "s"), ("discard", "Discard", "d"), ("cancel", "Cancel", "escape"))),
            lambda answer: self.action_save(then=proceed) if answer == "save"
            else proceed() if answer == "discard" else None,
        )  # fmt: skip

    def _count_changed(self) -> str:
        count = len(self.state.changed())
        return f"{count} weight" + ("s" if count != 1 else "")

    async def action_quit(self) -> None:
        if not self.state.dirty:
            self.exit()
            return
        self._unless_dirty("Quit with unsaved changes?", self.exit)

    def action_help(self) -> None:
        focused = self.focused
        text = GENERAL_HELP
        for node in (focused, *(focused.ancestors if focused else ())):
            extra = getattr(type(node), "HELP", None)
            if extra:
                text = extra + "\n" + text
                break
        self.push_screen(HelpScreen(text))

    def check_action(self, action: str, parameters) -> bool | None:
        return not (isinstance(self.screen, ModalScreen) and action not in ("quit", "help"))

    # --- for the command palette -------------------------------------------------------------------

    def palette(self) -> list[tuple[str, str, object]]:
        """(name, help, callback) of every action, entity and weight."""
        table = self.table
        out = [
            ("Save weights", "Write the weights as TOML (comments kept)", self.action_save),
            ("Open dataset or profile", "Load another dataset, weights profile or year", self.action_open),
            ("Presets", "Choose a shipped weights profile", self.action_presets),
            ("Reset all weights", "Back to the loaded profile", self.action_reset_all),
            ("Normalise all weights", "Every group sums to 1 (no score changes)", self.action_normalise_all),
            ("Run uncertainty analysis", "Monte Carlo over weights and aggregation", self.action_run_uncertainty),
            ("Run Sobol' sensitivity", "Which uncertain input drives the ranking", self.action_run_sensitivity),
            ("Cancel analysis", "Stop the running uncertainty or Sobol' analysis", self.action_cancel_analysis),
            ("Help", "Keys and what the screens show", self.action_help),
            ("Quit", "Leave (asks about unsaved changes)", self.action_quit),
        ]
        for tab, label in TABS:
            out.append((f"Show {label}", f"Switch to the {label} tab", partial(self.action_show_tab, tab)))
        for column in table.columns:
            sort = partial(table.sort_by, column.key)
            out.append((f"Sort ranking by {column.label}", "Sort the ranking table", sort))
        for p in self.presets():
            out.append((f"Preset: {p.name}", p.description, partial(self.apply_preset, p.name)))
        for entity, name in zip(self.scorer.dataset.entities, self.scorer.dataset.names, strict=True):
            out.append((f"Explain {name}", f"Entity detail of {entity}", partial(self.select_entity, entity)))
        for node in self.state.nodes:
            level = self.framework.level(node)
            out.append((f"Weight: {self.labels[node]}", f"{level} {node}", partial(self.focus_weight, node)))
        return out
