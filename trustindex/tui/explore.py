"""The Explore tab: weight bars, the live ranking, and the robustness that moves with the weights.

The app owns the weight state and re-scores it on every key (one batched engine call); this pane shows
the result at once and starts two background jobs for the weights now on screen:

- the **rank band**: every entity's 5–95 % rank interval under the uncertainty specification of the
  Robustness tab (its runs and seed), drawn beside the rank — for the highlighted entity, or every row
  after ``b``. While it is recomputed the previous band stays, dimmed;
- the **stability intervals**: for each weight on screen, the range of its share over which the
  highlighted entity keeps its rank (:func:`trustindex.stability.weight_stability`), focused weight first.

Both go through :class:`~trustindex.tui.jobs.Jobs`: one thread per kind, the newest request wins.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import replace

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from ..errors import TrustIndexError
from .jobs import Job
from .state import Ranking, WeightState
from .widgets import Bands, RankTable, WeightBar, WeightView, focus_now, step_for

BAND_RUNS = 1000
"""Runs of a rank band at most (the spec's own number when it asks for fewer): fresh within a fraction of a second."""
BAND_QUICK = 0.15
"""Seconds: a band computed faster than this starts at once after a key ..."""
BAND_WAIT = 0.3
"""... a slower one (a thousand entities, say) starts once the keys have paused this long, so that holding a
key down does not keep a core busy with bands nobody sees."""
STABILITY_MEMORY = 2**29
"""Bytes one stability job may need (512 MiB). ``weight_stability`` scores one run per swap at once, and an
n-entity ranking can hold n(n − 1)/2 swaps, so the intervals are left out above this estimate."""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ᵏ at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= value - 1e-12:
            return factor * power
    return 10 * power


def group_scale(weights: list[float]) -> float:
    """The full scale of a group's bars: the round number at or above twice its largest weight."""
    return nice_ceiling(2 * max([*weights, 0.0]) or 1.0)


class WeightsPanel(Vertical):
    """The weight bars of one group: the pillars, or the components of the pillar drilled into."""

    BINDINGS = [
        Binding("escape", "up", "Back up", id="weights.up"),
        Binding("backspace", "up", "Back up", show=False),
    ]

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "up":
            return self.pane.drill is not None
        return True

    @property
    def pane(self) -> ExplorePane:
        return self.parent

    def action_up(self) -> None:
        self.pane.drill_up()

    def compose(self) -> ComposeResult:
        yield Static("", id="crumb")
        yield VerticalScroll(id="weight-rows", can_focus=False)
        yield Static("", id="weights-status")


class ExplorePane(Horizontal):
    """Weights on the left, the ranking with its rank bands on the right."""

    BINDINGS = [Binding("b", "every_band", "Bands", id="explore.bands")]
    DEFAULT_CSS = """
    ExplorePane { height: 1fr; }
    WeightsPanel {
        width: 38%;
        min-width: 34;
        max-width: 52;
        border-right: vkey $foreground 15%;
    }
    #crumb { height: 1; padding: 0 1; color: $text-accent; text-style: bold; }
    #weight-rows { height: 1fr; scrollbar-size-vertical: 1; }
    #weights-status { height: 2; padding: 0 1; color: $text-muted; }
    #ranking-side { width: 1fr; }
    RankTable { width: 1fr; height: 1fr; }
    #band-caption { height: 2; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.drill: str | None = None
        self.bars: list[WeightBar] = []
        """The weight bars on screen, in order."""
        self.scales: dict[str, float] = {}
        self.bands: Bands | None = None
        self.band_error = ""
        self._stability: dict = {}
        self._want: str | None = None
        """A weight to focus once its group is on screen (a finding or the palette asked for it)."""
        self._last_bar: str | None = None
        self._rebuilding = asyncio.Lock()
        self._bands_key = None
        self._band_failed_for = None
        self._band_seconds = 0.0
        """How long the last band took to compute."""

    def compose(self) -> ComposeResult:
        yield WeightsPanel()
        with Vertical(id="ranking-side"):
            yield RankTable(id="ranking")
            yield Static("", id="band-caption")

    # --- widgets on the hot path (a DOM query walks every tab: milliseconds on each key) -------------

    @property
    def table(self) -> RankTable:
        if getattr(self, "_table", None) is None:
            self._table = self.query_one(RankTable)
        return self._table

    def _static(self, ident: str) -> Static:
        cache = self.__dict__.setdefault("_statics", {})
        if ident not in cache:
            cache[ident] = self.query_one(f"#{ident}", Static)
        return cache[ident]

    # --- a new dataset or profile -------------------------------------------------------------------

    async def show_session(self) -> None:
        """Lay out the table and the bars for the app's session (after loading or opening)."""
        app = self.app
        framework = app.framework
        table = self.table
        index = framework.index.id
        nodes = ((index, app.labels[index], 0),
                 *((n, app.labels[n], app.scorer.column[n]) for n in framework.children(index)))  # fmt: skip
        table.set_layout(app.scorer.dataset.names, nodes)
        table.band_enabled = app.live
        table.selected = app.selected
        table.cursor = 0
        table.update(app.ranking)
        self.bands, self.band_error, self._stability = None, "", {}
        self._bands_key = self._band_failed_for = None
        self.drill, self.bars, self.scales = None, [], {}
        self.rescale()
        await self._rebuild_bars()
        self._caption()
        self.start_jobs()
        if self.bars and self._shown():
            self.bars[0].focus()

    def _shown(self) -> bool:
        """This tab is the one shown (focusing a widget of a hidden tab would switch to it)."""
        return self.app.tabs.active == "explore"

    def rescale(self, parent: str | None = None) -> None:
        """Fit the bars' full scale (and so the ←/→ step) to the weights now: after loading, normalising,
        resetting or a preset. A group's scale does not follow single steps, or the bar would jump."""
        state = self.app.state
        for p in set(state.parents) if parent is None else {parent}:
            group = state.children(p)
            scale = group_scale([state.weight(n) for n in group])
            self.scales.update({n: scale for n in group})
        if self.bars:
            self.refresh_bars()

    # --- weights ------------------------------------------------------------------------------------

    def view(self, node: str) -> WeightView:
        app = self.app
        s = app.state
        scale = self.scales[node]
        return WeightView(
            node=node,
            label=app.labels[node],
            value=s.weight(node),
            share=s.share(node),
            scale=scale,
            step=step_for(scale),
            locked=node in s.locked,
            changed=s.weight(node) != s.loaded_weight(node),
            drill=node in app.aggregates,
            stability=self._stability_text(node),
        )

    def _stability_text(self, node: str) -> str:
        app = self.app
        if not app.live or app.selected is None or not self._stability_possible():
            return ""
        return self._stability.get((app.state, app.selected, node), "…")

    def _group_parent(self) -> str:
        return self.drill or self.app.framework.index.id

    async def _rebuild_bars(self) -> None:
        """Show the bars of the group drilled into. The bars on screen are reused (given the new nodes),
        so the focus never leaves them while the group changes: a key typed meanwhile lands on a bar,
        not on the ranking, and only the surplus is removed or the missing mounted."""
        async with self._rebuilding:  # two quick drills must not interleave their removals and mounts
            rows = self.query_one("#weight-rows", VerticalScroll)
            nodes = self.app.state.children(self._group_parent())
            existing = [w for w in rows.children if isinstance(w, WeightBar)]
            bars: list[WeightBar] = []
            for i, node in enumerate(nodes):
                if i < len(existing):
                    existing[i].editing = None
                    existing[i].view = self.view(node)
                    bars.append(existing[i])
                else:
                    bars.append(WeightBar(self.view(node), self.app.bar_request, id=f"w-{i}"))
            self.bars = bars
            surplus = existing[len(nodes) :]
            focused = self.app.focused
            if focused in surplus and bars:
                bars[0].focus(scroll_visible=False)
            if surplus:
                await rows.remove_children(surplus)
            if len(bars) > len(existing):
                await rows.mount_all(bars[len(existing) :])
            path = self.app.framework.path(self._group_parent())[1:]
            crumb = " ▸ ".join(["Weights", *(self.app.labels[n] for n in path)])
            self._static("crumb").update(Text(crumb, no_wrap=True, overflow="ellipsis"))
            self._weights_status()
            self.app.refresh_bindings()  # "esc Back up" comes and goes with the drill, the focus may not move
            wanted = [b for b in bars if b.node == self._want]
            if not self._shown():
                pass  # activated() focuses the bar asked for when the tab is shown
            elif wanted:
                self._want = None
                wanted[0].focus()
                wanted[0].scroll_visible(animate=False)
            elif bars and (focused is None or isinstance(focused, WeightBar)):
                bars[0].focus()
                bars[0].scroll_visible(animate=False)

    def refresh_bars(self) -> None:
        for bar in self.bars:
            bar.view = self.view(bar.node)

    def _weights_status(self) -> None:
        app = self.app
        s = app.state
        changed = len(s.changed())
        parts = [f"unsaved: {changed} changed" if changed else f"as in {app.session.profile.name}"]
        if s.locked:
            parts.append(f"{len(s.locked)} locked")
        if app.selected is not None:
            name = app.entity_name(app.selected)
            parts.append(f"stability for {name}" if self._stability_possible()
                         else "no stability intervals at this size")  # fmt: skip
        text = " · ".join(parts)
        status = self._static("weights-status")
        if str(status.content) != text:
            status.update(text, layout=False)  # fixed height: no layout pass on every key

    async def set_drill(self, node: str | None) -> None:
        self.drill = node
        await self._rebuild_bars()
        self.start_stability()

    def drill_up(self) -> None:
        if self.drill is None:
            return
        self._want = self.drill
        parent = self.app.framework.parent(self.drill)
        self.run_worker(self.set_drill(None if parent == self.app.framework.index.id else parent), group="drill")

    def drill_into(self, node: str) -> None:
        self._want = None
        self.run_worker(self.set_drill(node), group="drill")

    def focus_weight(self, node: str) -> None:
        """Show ``node``'s group and focus its bar (the app has switched to this tab)."""
        parent = self.app.framework.parent(node)
        target = None if parent == self.app.framework.index.id else parent
        self._want = node
        if target == self.drill and not self._rebuilding.locked():
            self.activated()
        else:
            self.run_worker(self.set_drill(target), group="drill")

    def activated(self) -> None:
        """The tab is shown: focus the weight asked for, else keep the focus on a bar or the ranking."""
        wanted = [b for b in self.bars if b.node == self._want]
        if wanted:
            self._want = None
            focus_now(wanted[0])
            wanted[0].scroll_visible(animate=False)
        elif self._want is None and not isinstance(self.app.focused, (WeightBar, RankTable)) and self.bars:
            focus_now(self.bars[0])
        self.table.refresh()

    def focus_ranking(self) -> None:
        if isinstance(self.app.focused, WeightBar):
            self._last_bar = self.app.focused.node
            focus_now(self.table)
        else:
            self.app.screen.focus_next()

    def focus_weights(self) -> None:
        if isinstance(self.app.focused, RankTable):
            bars = [b for b in self.bars if b.node == self._last_bar] or list(self.bars)
            if bars:
                focus_now(bars[0])
                return
        self.app.screen.focus_previous()

    # --- the state changed (the hot path) -----------------------------------------------------------

    def show_state(self, ranking: Ranking) -> None:
        self.table.update(ranking)
        self.refresh_bars()
        self._weights_status()
        self._caption()
        self.start_jobs()

    def show_selected(self) -> None:
        self.table.select(self.app.selected)
        self.refresh_bars()
        self._weights_status()
        self._caption()
        self.start_stability()

    def start_jobs(self) -> None:
        self.start_band()
        self.start_stability()

    # --- the rank band ------------------------------------------------------------------------------

    def start_band(self) -> None:
        app = self.app
        if not app.live:
            return
        state = app.state
        spec = replace(app.spec, runs=min(app.spec.runs, BAND_RUNS))
        key = (state, spec, app.seed)
        if key in (self._bands_key, self._band_failed_for):
            return
        dataset, profile = app.session.dataset, state.profile(app.session.profile, app.session.dataset)
        seed = app.seed
        entities = app.scorer.entities
        count = int(np.sum(~np.isnan(app.ranking.rank)))
        wait = BAND_WAIT if self._band_seconds > BAND_QUICK else 0.0

        def work(progress, cancelled):
            from ..batches import Cancelled
            from ..engine import Engine
            from ..uncertainty import uncertainty

            until = time.monotonic() + wait  # a slow band waits for a burst of keys to end (a newer key cancels it)
            while time.monotonic() < until:
                if cancelled():
                    raise Cancelled("the weights changed")
                time.sleep(0.01)
            began = time.perf_counter()
            result = uncertainty(Engine(dataset, profile), spec, seed, cancelled=cancelled)
            found = {e.entity: e for e in result.entities}
            nan = float("nan")

            def column(attribute: str) -> np.ndarray:
                return np.array([getattr(found[e], attribute) if e in found else nan for e in entities])

            bands = Bands(state, column("low_rank"), column("high_rank"), column("median_rank"), count, spec.runs)
            return bands, time.perf_counter() - began

        app.jobs.start(Job("band", key, work, self, label="rank band"))

    def spec_changed(self) -> None:
        """The Robustness tab loaded another specification or number of runs: the bands on screen are stale."""
        self._band_failed_for, self.band_error = None, ""
        self.table.bands_fresh = False
        self.table.refresh()
        self._caption()
        self.start_band()

    def action_every_band(self) -> None:
        table = self.table
        table.show_every_band(not table.every_band)
        self.app.notify("Rank intervals on every row." if table.every_band else "Rank interval of the highlighted "
                        "entity only.", timeout=2)  # fmt: skip
        self._caption()

    def _caption(self) -> None:
        app = self.app
        table = self.table
        entity = app.selected
        if self.band_error and (self.bands is None or self.bands.state != app.state):
            text = f"No rank intervals: {self.band_error}"
        elif entity is None:
            text = ""
        else:
            from ..reports.robustness import rank_interval

            name = app.entity_name(entity)
            found = table.band_of(entity) if self.bands is not None else None
            runs = f"{min(app.spec.runs, BAND_RUNS):,} runs"
            if found is None:
                text = f"{name}: computing its 5–95 % rank interval ({runs})…"
            else:
                low, median, high = found
                if math.isnan(low):
                    text = f"{name}: no rank in these runs"
                else:
                    when = "" if table.bands_fresh else ", updating…"
                    text = (f"{name}: 5–95 % rank {rank_interval(low, high)} over {runs} (median {median:g}{when})"
                            f" · b {'one row' if table.every_band else 'every row'}")  # fmt: skip
        caption = self._static("band-caption")
        if str(caption.content) != text:
            caption.update(Text(text, overflow="ellipsis"), layout=False)  # two lines, as the weights' status

    # --- stability intervals ------------------------------------------------------------------------

    def _stability_possible(self) -> bool:
        app = self.app
        n, nodes = len(app.scorer.entities), len(app.scorer.nodes)
        return n * (n - 1) / 2 * n * nodes * 8 * 3 <= STABILITY_MEMORY

    def start_stability(self) -> None:
        app = self.app
        if not app.live or app.selected is None or not self._stability_possible() or not self.bars:
            return
        state, entity = app.state, app.selected
        nodes = [bar.node for bar in self.bars]
        focused = app.focused.node if isinstance(app.focused, WeightBar) else None
        nodes.sort(key=lambda n: n != focused)
        todo = [n for n in nodes if (state, entity, n) not in self._stability]
        if not todo:
            return
        dataset, profile = app.session.dataset, state.profile(app.session.profile, app.session.dataset)

        def work(progress, cancelled):
            from ..engine import Engine
            from ..reports.robustness import share_interval
            from ..stability import weight_stability

            engine = Engine(dataset, profile)
            out = {}
            for node in todo:
                try:
                    found = weight_stability(engine, node, entity, cancelled=cancelled)
                    out[node] = share_interval(*found.entity, percent=True)
                except TrustIndexError:
                    out[node] = "—"
            return out

        app.jobs.start(Job("stability", (state, entity), work, self, label="stability intervals"))

    # --- job outcomes -------------------------------------------------------------------------------

    def job_done(self, job: Job, result) -> None:
        app = self.app
        if job.group == "band":
            result, self._band_seconds = result
            self.bands, self.band_error, self._bands_key = result, "", job.key
            self.table.set_bands(result)
            self._caption()
            self.band_painted = result.state
        elif job.group == "stability":
            state, entity = job.key
            self._stability.update({(state, entity, node): text for node, text in result.items()})
            if state == app.state and entity == app.selected:
                self.refresh_bars()
            elif state == app.state or entity == app.selected:
                self.start_stability()

    def job_stopped(self, job: Job, why: str) -> None:
        pass  # a newer request replaced it (or the app is closing)

    def job_failed(self, job: Job, message: str) -> None:
        if job.group == "band":
            self._band_failed_for = job.key
            self.band_error = message
            self.bands = None
            self.table.set_bands(None)
            self._caption()

    def job_progress(self, job: Job, fraction: float) -> None:
        pass

    band_painted: WeightState | None = None
    """The weight state of the band last put on screen (for the benchmark's freshness clock)."""
