"""The Textual app: the weight state, the tabs, saving, opening and quitting.

Each tab is a pane with its own widgets, jobs and rendering — :mod:`.explore` (weights, ranking, rank bands,
stability intervals), :mod:`.entity` (explanation, what it would take), :mod:`.robustness` (uncertainty,
Sobol'), :mod:`.audit` (findings). The app holds what they share: the session, the frozen
:class:`~trustindex.tui.state.WeightState` and the highlighted entity, the uncertainty spec and seed, and
the one worker mechanism (:class:`~trustindex.tui.jobs.Jobs`, settled by the one ``Worker.StateChanged``
handler below). Every number on screen is computed by the core.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import replace
from functools import partial
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import var
from textual.screen import ModalScreen
from textual.widgets import Header, TabbedContent, TabPane, Tabs
from textual.worker import Worker

from ..errors import TrustIndexError
from .audit import AuditPane
from .commands import TrustIndexCommands
from .entity import EntityPane
from .explore import ExplorePane
from .help import GENERAL_HELP
from .jobs import Jobs
from .messages import JobEnded, JobProgress, ShowEntity, ShowWeight
from .robustness import RobustnessPane
from .screens import Confirm, HelpScreen, OpenDialog, PresetDialog, SaveDialog
from .state import Scorer, Session, StateError, WeightState
from .widgets import KeysFooter, RankTable, WeightBar, focus_now

TABS = (("explore", "Explore"), ("entity", "Entity"), ("robustness", "Robustness"), ("audit", "Audit"))
APP_ACTIONS = {"show_tab", "save", "open", "presets", "reset_all", "normalise_all", "escape"}
"""The app's own actions: not available while a dialog is open (Textual's own, such as focus_next, are)."""


NORMALISE_DIGITS = (3, 4, 5, 6)
"""Significant digits tried, fewest first, when normalising (see :meth:`TrustIndexApp.normalised`)."""
NORMALISE_TOLERANCE = 5e-3
"""The largest change of any score that rounding a normalised weight may cause: a twentieth of the one decimal
scores are shown with."""


class PaneTabs(TabbedContent):
    """Textual's tabs, which show the pane of a widget focused in it, unless the focus has moved on since: that
    message comes late, and a tab key typed meanwhile would be undone."""

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.app.focused
        if focused is not None and event.tab_pane not in focused.ancestors:
            event.prevent_default()  # Textual's handler (the base class's, called after this one) would show it
            event.stop()


class TrustIndexApp(App[None]):
    """``trustindex tui``: weights, ranking, entity detail, robustness and audit of one dataset."""

    TITLE = "trustindex"
    COMMANDS = App.COMMANDS | {TrustIndexCommands}
    CSS = "TabPane { padding: 0; }"
    BINDINGS = [
        Binding("e", "show_tab('explore')", "Explore", show=False, id="app.explore"),
        Binding("d", "show_tab('entity')", "Detail", id="app.entity"),
        Binding("r", "show_tab('robustness')", "Robustness", show=False, id="app.robustness"),
        Binding("a", "show_tab('audit')", "Audit", show=False, id="app.audit"),
        Binding("ctrl+s", "save", "Save", id="app.save"),
        Binding("ctrl+o", "open", "Open", show=False, id="app.open"),
        Binding("p", "presets", "Presets", id="app.presets"),
        Binding("u", "run('uncertainty')", "Uncertainty", show=False, id="app.uncertainty"),
        Binding("o", "run('sensitivity')", "Sobol'", show=False, id="app.sobol"),
        Binding("w", "report", "Report", show=False, id="app.report"),
        Binding("escape", "escape", "Cancel", show=False, id="app.cancel"),
        Binding("R", "reset_all", "Reset all", show=False, id="app.reset"),
        Binding("N", "normalise_all", "Normalise all", show=False, id="app.normalise"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    state: var[WeightState | None] = var(None, init=False)
    selected: var[str | None] = var(None, init=False)

    def __init__(self, session: Session, seed: int | None = None, live: bool = True) -> None:
        """``live``: compute the rank bands and stability intervals in the background as the weights change
        (tests of other things turn it off: Textual's test pilot waits for the process to go idle after each
        key, and these jobs keep it busy)."""
        from ..io.spec import DEFAULT

        super().__init__()
        self.live = live
        self.seed = secrets.randbits(32) if seed is None else seed
        self.spec = DEFAULT
        """What the robustness views treat as uncertain (the Robustness tab's spec, with its runs)."""
        self.jobs = Jobs(self)
        self._load(session)

    # --- the panes (cached: a DOM query walks every tab, milliseconds on each key) -------------------

    def _one(self, kind):
        cache = self.__dict__.setdefault("_panes", {})
        if kind not in cache:
            cache[kind] = self.query_one(kind)
        return cache[kind]

    @property
    def explore(self) -> ExplorePane:
        return self._one(ExplorePane)

    @property
    def entity(self) -> EntityPane:
        return self._one(EntityPane)

    @property
    def robustness(self) -> RobustnessPane:
        return self._one(RobustnessPane)

    @property
    def audit(self) -> AuditPane:
        return self._one(AuditPane)

    @property
    def tabs(self) -> TabbedContent:
        return self._one(TabbedContent)

    @property
    def table(self) -> RankTable:
        return self.explore.table

    @property
    def bars(self) -> list[WeightBar]:
        return self.explore.bars

    # --- loading ------------------------------------------------------------------------------------

    def _load(self, session: Session) -> None:
        """Take ``session`` (no widget is touched: this runs before and after mounting)."""
        self.session = session
        self.scorer = Scorer(session.dataset, session.profile)
        framework = session.dataset.framework
        self.framework = framework
        self.labels = {n: framework.label(n) for n in framework.node_ids}
        self._names = dict(zip(self.scorer.dataset.entities, self.scorer.dataset.names, strict=True))
        state = WeightState.from_profile(session.dataset, session.profile)
        self.aggregates = set(state.parents)
        self._presets = None
        self.ranking = self.scorer.rank(state)
        order = self.ranking.rank
        first = min(range(len(order)), key=lambda i: (math.isnan(order[i]), order[i])) if len(order) else None
        self.set_reactive(TrustIndexApp.state, state)
        self.set_reactive(TrustIndexApp.selected, None if first is None else self.scorer.entities[first])

    def entity_name(self, entity: str) -> str:
        return self._names.get(entity, entity)

    def compose(self) -> ComposeResult:
        yield Header()
        with PaneTabs(initial="explore"):
            with TabPane("Explore", id="explore"):
                yield ExplorePane()
            with TabPane("Entity", id="entity"):
                yield EntityPane()
            with TabPane("Robustness", id="robustness"):
                yield RobustnessPane()
            with TabPane("Audit", id="audit"):
                yield AuditPane()
        yield KeysFooter()

    async def on_mount(self) -> None:
        for tabs in self.query(Tabs):  # e/d/r/a and the mouse switch tabs; Tab never lands on the strip
            tabs.can_focus = False
        await self._show_session()
        self._freeze_heap()
        self.call_after_refresh(self._ready_now)

    ready = False
    """True once the first screen is painted and the first focus settled (tests wait for it before pressing
    keys: focusing a widget of a tab shows that tab, so a key switching tabs before then could be undone)."""

    def _ready_now(self) -> None:
        self.ready = True

    @staticmethod
    def _freeze_heap() -> None:
        """Move everything built so far (widgets, dataset, engine) out of the collector's reach: a full
        collection then walks only what each key creates, so no key waits 100 ms for the collector."""
        import gc

        gc.collect()
        gc.freeze()

    async def _show_session(self) -> None:
        self.robustness.reset()
        self.audit.reset()
        self.entity._shown = None
        self.entity.scroll_home(animate=False)  # another dataset's page starts at its top
        await self.explore.show_session()
        self._title()

    def _title(self) -> None:
        dataset, profile = self.session.dataset, self.session.profile
        year = f" {dataset.year}" if dataset.year else ""
        self.sub_title = f"{dataset.name}{year} · {profile.name}"  # the unsaved mark is in the weights' status line:
        # a header change lays the whole screen out again (~90 ms), too slow for every key

    # --- the weight state ---------------------------------------------------------------------------

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
        """Re-score and re-rank at once (one batched engine call); the slower views follow in the background."""
        self.ranking = self.scorer.rank(new)
        if not self.is_mounted:
            return
        self.explore.show_state(self.ranking)
        self._view_stale()

    def watch_selected(self) -> None:
        if not self.is_mounted:
            return
        self.explore.show_selected()
        self.robustness.selected_changed()
        self._view_stale()

    def _view_stale(self) -> None:
        """Bring the visible slow view up to date (the hidden ones catch up when they are shown)."""
        tab = self.tabs.active
        if tab == "entity":
            self.entity.refresh_view()
        elif tab == "audit":
            self.audit.refresh_view()
        elif tab == "robustness":
            self.robustness.activated()

    def bar_request(self, message) -> None:
        """A weight bar's request, handled at once (a message bubbling up the DOM costs most of a frame)."""
        if isinstance(message, WeightBar.Stepped):
            self.apply(WeightState.step, message.node, message.steps, message.size)
        elif isinstance(message, WeightBar.Changed):
            self.apply(WeightState.set, message.node, message.value)
        elif isinstance(message, WeightBar.Invalid):
            self.bell()
            self.notify(message.text, severity="warning", timeout=3)
        elif message.command == "drill":
            self.explore.drill_into(message.node)
        elif message.command == "lock":
            self.apply(WeightState.toggle_lock, message.node)
        elif message.command == "reset":
            self.apply(WeightState.reset, message.node)
        elif message.command == "normalise":
            parent = self.framework.parent(message.node)
            if self.apply(lambda _: self.normalised(parent)):
                self.explore.rescale(parent)

    def normalised(self, parent: str | None = None) -> WeightState:
        """The state with ``parent``'s group (every group when None) rescaled to sum to 1, each weight to the
        fewest significant digits (3 to 6) that keep every rank and keep every score within 0.005 of the exact
        rescaling (which changes no score). What is on screen is then exactly what a save writes."""
        import numpy as np

        exact = self.state.normalise(parent)
        reference = self.scorer.rank(exact)
        for digits in NORMALISE_DIGITS:
            candidate = self.state.normalise(parent, digits=digits)
            ranked = self.scorer.rank(candidate)
            same = np.array_equal(ranked.rank, reference.rank, equal_nan=True)
            if same and np.allclose(ranked.scores, reference.scores, rtol=0, atol=NORMALISE_TOLERANCE, equal_nan=True):
                return candidate
        return exact

    def action_reset_all(self) -> None:
        if self.apply(WeightState.reset):
            self.explore.rescale()
        self.notify("Every weight reset to the loaded profile.", timeout=2)

    def action_normalise_all(self) -> None:
        if self.apply(lambda _: self.normalised()):
            self.explore.rescale()
        self.notify("Every group rescaled to sum to 1 (ranks kept, no score moved by more than 0.005).", timeout=3)

    def action_focus_ranking(self) -> None:
        self.explore.focus_ranking()

    def action_focus_weights(self) -> None:
        self.explore.focus_weights()

    def focus_weight(self, node: str) -> None:
        """Show the Explore tab with ``node``'s group and focus its bar."""
        self.explore.focus_weight(node)
        self.action_show_tab("explore")

    # --- the highlighted entity ---------------------------------------------------------------------

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
        order = self.table.row_entities()
        if self.selected in order:
            self.selected = order[(order.index(self.selected) + step) % len(order)]

    @on(ShowEntity)
    def _show_entity(self, message: ShowEntity) -> None:
        self.select_entity(message.entity, message.detail)

    @on(ShowWeight)
    def _show_weight(self, message: ShowWeight) -> None:
        self.focus_weight(message.node)

    # --- tabs ---------------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.tabs.active = tab
        self._activate(tab)  # at once, not when the tab's message comes: a key typed next lands in the tab

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab chosen by the mouse (idempotent after action_show_tab). The message of a switch by key comes
        later: when another key has switched again meanwhile, it is stale, and focusing its tab's widgets would
        switch back to that tab."""
        if event.pane.id == self.tabs.active:
            self._activate(event.pane.id)

    def _activate(self, tab: str) -> None:
        if tab == "explore":
            self.explore.activated()
        elif tab == "entity":
            focus_now(self.entity)
            self.entity.refresh_view()
        elif tab == "robustness":
            self.robustness.activated()
        elif tab == "audit":
            self.audit.activated()

    # --- robustness ---------------------------------------------------------------------------------

    def set_spec(self, spec) -> None:
        """Use ``spec`` (with its number of runs) for the robustness views: the Explore bands follow it."""
        if spec == self.spec:
            return
        self.spec = spec
        self.explore.spec_changed()

    def action_run(self, kind: str) -> None:
        self.robustness.action_run(kind)

    def action_report(self) -> None:
        self.robustness.action_report()

    def action_escape(self) -> None:
        """Cancel what runs on the tab shown; else, on Explore, go back up."""
        tab = self.tabs.active
        if tab == "robustness" or self.jobs.busy("analysis") or self.jobs.busy("report"):
            self.robustness.action_cancel()
        elif tab == "entity":
            self.entity.cancel_target()
        elif tab == "explore":
            self.explore.drill_up()

    # --- the one worker mechanism -------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.jobs.settle(event.worker, event.state)

    def on_job_progress(self, message: JobProgress) -> None:
        self.jobs.progress(message.worker, message.fraction)

    def on_job_ended(self, message: JobEnded) -> None:
        self.jobs.ended(message.group)

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
            self.explore.rescale()
            same = (preset.normalisation == self.session.profile.normalisation
                    and dict(preset.aggregation) == dict(self.session.profile.aggregation))  # fmt: skip
            note = "" if same else f" (methods kept from {self.session.profile.name})"
            self.notify(f"Weights of {name} applied{note}.", timeout=3)

    def action_save(self, then=None) -> None:
        session = self.session
        note = "This is a shipped profile: saving writes a new file." if session.shipped else ""

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
        from .profile import describe_edit, save

        session, state = self.session, self.state
        source = session.profile.path
        copy = source is None or not path.exists() or Path(path).resolve() != Path(source).resolve()
        changes = [(n, state.loaded_weight(n), state.weight(n)) for n in state.changed()]
        annotate = partial(describe_edit, origin=session.profile.name, changes=changes, copy=copy)
        try:
            saved = save(path, source, session.dataset, state.mapping(), protect=session.dataset.files,
                         annotate=annotate)  # fmt: skip
        except TrustIndexError as exc:
            self.notify(f"Not saved: {exc}", severity="error", timeout=8)
            return False
        self.session = replace(session, profile=saved, weights_ref=str(path))
        committed = state.committed()
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
            from ..io.registry import dataset_names, local_dataset_names, local_weights_names, weights_names

            s = self.session
            data = s.data_ref or s.dataset.name

            def load(ref, weights, year):  # the indicator table given with --meta goes with its values file
                return Session.load(ref, weights, year, s.meta_ref if ref == data else None)

            datasets = [f"{n} (here)" for n in local_dataset_names()] + dataset_names()  # ./datasets comes first
            profiles = [f"{n} (here)" for n in local_weights_names()] + weights_names()
            dialog = OpenDialog(data, s.weights_ref or "", s.year, datasets, profiles, load)
            self.push_screen(dialog, self._open_chosen)

        self._unless_dirty("Open another dataset or profile?", ask)

    def _open_chosen(self, session: Session | None) -> None:
        if session is not None:
            self.run_worker(self.open_session(session), exclusive=True, group="open")

    async def open_session(self, session: Session) -> None:
        self.jobs.cancel_all()
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

    def _leave(self) -> None:
        self.jobs.close()  # every thread stops at its next check, none starts: quitting takes a moment at most
        self.exit()

    def on_unmount(self) -> None:
        self.jobs.close()  # however the app ends

    async def action_quit(self) -> None:
        self._unless_dirty("Quit with unsaved changes?", self._leave)

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
        if isinstance(self.screen, ModalScreen):
            return action not in APP_ACTIONS and action != "run"
        return True

    def palette(self) -> list[tuple[str, str, object]]:
        """(name, help, callback) of every action, entity and weight (see :mod:`.commands`)."""
        from .commands import palette

        return palette(self)
