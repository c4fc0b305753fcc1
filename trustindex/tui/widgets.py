"""Widgets of the TUI: the float :class:`WeightBar` and the live :class:`RankTable`.

Both render from frozen values they are given (:class:`WeightView`, :class:`~trustindex.tui.state.Ranking`)
and post messages for what the user asks; the app applies the change to the state and hands back
new values. Neither computes a score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer

from .state import Ranking

EIGHTHS = " ▏▎▍▌▋▊▉█"


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def fmt_weight(value: float) -> str:
    """A weight with as many decimals as it needs, up to four: 1, 1.5, 0.25, 0.3333."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def pct(share: float) -> str:
    return f"{share * 100:.0f}%" if share * 100 >= 9.95 or share == 0 else f"{share * 100:.1f}%"


def step_for(scale: float) -> float:
    """A round step for a bar whose full scale is ``scale``: the largest 1, 2 or 5 × 10ᵏ at most a twentieth of
    it (0.1 for a scale of 2, 0.02 for 0.5, 0.5 for 10), so twenty steps cross the bar."""
    target = max(scale, 1e-9) / 20
    power = 10.0 ** math.floor(math.log10(target))
    return next(f * power for f in (5, 2, 1) if f * power <= target * (1 + 1e-9))


def focus_now(widget: Widget) -> None:
    """Focus ``widget`` at once: ``widget.focus()`` waits a turn, so a key typed right after the one that
    moved the focus (tab, a tab's letter) went to the widget focused before."""
    widget.screen.set_focus(widget)


def hbar(fraction: float, width: int) -> str:
    """A left-aligned bar of ``width`` cells filled to ``fraction`` (eighth-cell resolution)."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part and full < width else "")
    return text.ljust(width)


class KeysFooter(Footer):
    """Textual's footer, rebuilt once a refresh and only when the keys it shows change. Textual's own removes
    and mounts all its keys each time the bindings may have changed (several times as the app starts, and on
    every focus change), at several milliseconds a key each time, though the keys shown are mostly the same."""

    _composed: tuple | None = None
    _queued = False

    def _keys(self, screen) -> tuple:
        """What :meth:`compose` would show: every shown binding (enabled or not, its tooltip) and the palette's."""
        return tuple((b.key, b.action, b.description, enabled, tooltip)
                     for key, (_, b, enabled, tooltip) in screen.active_bindings.items()
                     if b.show or key == self.app.COMMAND_PALETTE_BINDING)  # fmt: skip

    def compose(self):
        if self._bindings_ready:
            self._composed = self._keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen and not self._queued:
            self._queued = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._queued = False
        if self.is_attached and self._composed != self._keys(self.screen):
            await self.recompose()


@dataclass(frozen=True)
class WeightView:
    """What one weight bar shows."""

    node: str
    label: str
    value: float
    share: float
    scale: float
    """The value at the bar's right end."""
    step: float
    locked: bool = False
    changed: bool = False
    drill: bool = False
    """The node has components to drill into (Enter)."""
    stability: str = ""
    """The share interval over which the selected entity's rank holds (``18–31%``), ``…`` while computed."""


class WeightBar(Widget, can_focus=True):
    """One weight: a label line and a float bar. ←/→ a step, shift+←/→ ten steps, home/end, type a number."""

    BINDINGS = [
        Binding("left", "nudge(-1)", "−step", show=False),
        Binding("right", "nudge(1)", "+step", show=False),
        Binding("shift+left", "nudge(-10)", "−10 steps", show=False),
        Binding("shift+right", "nudge(10)", "+10 steps", show=False),
        Binding("home", "extreme(0)", "Zero", show=False),
        Binding("end", "extreme(1)", "Full scale", show=False),
        Binding("enter", "enter", "Open/edit", id="weight.enter"),
        Binding("tab", "app.focus_ranking", "Ranking", show=False),
        Binding("l", "lock", "Lock", id="weight.lock"),
        Binding("z", "reset", "Reset", show=False, id="weight.reset"),
        Binding("n", "normalise", "Normalise", show=False, id="weight.normalise"),
        Binding("up", "app.focus_previous", "Up", show=False),
        Binding("down", "app.focus_next", "Down", show=False),
    ]
    HELP = """\
### Weight bar
- **←/→** one step, **shift+←/→** ten steps, **home/end** zero and full scale
- **0–9**, **.** or **=** type an exact weight; **enter** to apply, **escape** to cancel
- **enter** on a pillar opens its components; **escape** goes back up
- **l** lock: the weight keeps its share of its group when its siblings change
- **z** reset this weight to the loaded profile; **n** normalise the group to sum to 1
"""

    DEFAULT_CSS = """
    WeightBar {
        height: 2;
        padding: 0 1;
    }
    WeightBar:focus {
        background: $block-cursor-blurred-background;
    }
    WeightBar > .weight-bar--fill { color: $accent; }
    WeightBar > .weight-bar--track { color: $panel-lighten-2; }
    WeightBar > .weight-bar--muted { color: $text-muted; }
    WeightBar > .weight-bar--changed { color: $text-warning; text-style: bold; }
    WeightBar > .weight-bar--locked { color: $text-accent; text-style: bold; }
    WeightBar > .weight-bar--edit { color: $text; background: $boost; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "weight-bar--fill", "weight-bar--track", "weight-bar--muted", "weight-bar--changed", "weight-bar--locked",
        "weight-bar--edit",
    }  # fmt: skip

    view: reactive[WeightView | None] = reactive(None, repaint=False)
    editing: reactive[str | None] = reactive(None)

    class Changed(Message):
        """The user asks for ``node`` at ``value``."""

        def __init__(self, bar: WeightBar, node: str, value: float) -> None:
            super().__init__()
            self.bar, self.node, self.value = bar, node, value

    class Stepped(Message):
        """The user asks to move ``node`` by ``steps`` steps of ``size``."""

        def __init__(self, bar: WeightBar, node: str, steps: int, size: float) -> None:
            super().__init__()
            self.bar, self.node, self.steps, self.size = bar, node, steps, size

    class Command(Message):
        """``lock``, ``reset``, ``normalise`` or ``drill`` on ``node``."""

        def __init__(self, bar: WeightBar, node: str, command: str) -> None:
            super().__init__()
            self.bar, self.node, self.command = bar, node, command

    class Invalid(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, view: WeightView, handler=None, **kwargs) -> None:
        """``handler``, when given, receives the messages at once instead of their bubbling up the DOM (a
        message passes every container's queue on its way: on a busy screen that is most of a frame)."""
        super().__init__(**kwargs)
        self.set_reactive(WeightBar.view, view)
        self.handler = handler

    def _emit(self, message: Message) -> None:
        if self.handler is not None:
            self.handler(message)
        else:
            self.post_message(message)

    @property
    def node(self) -> str:
        return self.view.node

    # --- rendering (the Line API: two strips, no text layout, styles cached) --------------------------

    def _bar_width(self) -> int:
        return max(4, self.content_size.width - 9)

    def notify_style_update(self) -> None:
        self._styles = {}
        super().notify_style_update()

    def _style(self, name: str | None = None) -> Style:
        """The widget's base style, or it plus a component's (cached until the CSS or the focus changes)."""
        cache = self.__dict__.setdefault("_styles", {})
        if name not in cache:
            base = self.rich_style
            cache[name] = base if name is None else base + self.get_component_rich_style(name, partial=True)
        return cache[name]

    def _first_line(self, width: int) -> list[Segment]:
        view = self.view
        base = self._style()
        tail = [Segment(" locked", self._style("weight-bar--locked"))] if view.locked else []
        tail.append(Segment(f" {pct(view.share):>5}", base))
        if width >= 24:
            tail.append(Segment(f" {view.stability:>7}", self._style("weight-bar--muted")))
        room = max(1, width - sum(cell_len(t.text) for t in tail))
        label = view.label + (" ▸" if view.drill else "")
        if cell_len(label) > room:
            label = set_cell_size(label, max(0, room - 1)) + "…"
        style = base + Style(bold=True) if self.has_focus else base
        return [Segment(set_cell_size(label, room), style), *tail]

    def _second_line(self, width: int) -> list[Segment]:
        view = self.view
        muted = self._style("weight-bar--muted")
        if self.editing is not None:
            return [Segment("weight: ", muted), Segment(self.editing + "▏", self._style("weight-bar--edit")),
                    Segment("  enter · esc", muted)]  # fmt: skip
        bar_width = self._bar_width()
        fraction = view.value / view.scale if view.scale > 0 else 0.0
        filled = hbar(fraction, bar_width).rstrip(" ")
        fill = self._style("weight-bar--fill")
        value = f"{fmt_weight(view.value):>7}" + ("*" if view.changed else " ")
        return [
            Segment(filled, fill),
            Segment("░" * (bar_width - len(filled)), self._style("weight-bar--track")),
            Segment("+" if fraction > 1 else " ", fill),
            Segment(value, self._style("weight-bar--changed") if view.changed else self._style()),
        ]

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if y > 1 or self.view is None:
            return Strip.blank(width, self._style())
        segments = self._first_line(width) if y == 0 else self._second_line(width)
        used = sum(cell_len(segment.text) for segment in segments)
        if used < width:
            segments.append(Segment(" " * (width - used), self._style()))
        strip = Strip(segments, max(used, width))
        return strip if used <= width else strip.crop(0, width)

    def render_text(self) -> str:
        """The two lines as plain text (for tests)."""
        width = self.content_size.width
        return "\n".join(self.render_line(y).text for y in (0, 1))[: 2 * width + 1]

    def watch_view(self, old: WeightView | None, new: WeightView | None) -> None:
        if old is not None and new is not None and (old.value, old.scale, old.changed) == (new.value, new.scale,
                                                                                        new.changed):  # fmt: skip
            self.refresh(Region(0, 0, self.content_size.width, 1))  # a sibling moved: only the share line changed
        else:
            self.refresh()

    def watch_editing(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self._styles = {}
        self.refresh()

    def on_blur(self) -> None:
        self._styles = {}
        self.editing = None
        self.refresh()

    # --- keys and mouse -----------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        if self.editing is not None:
            event.stop()
            event.prevent_default()
            if event.key == "escape":
                self.editing = None
            elif event.key == "enter":
                self._commit()
            elif event.key == "backspace":
                self.editing = self.editing[:-1]
            elif (
                event.character and (event.character.isdigit() or event.character in ".eE+-") and len(self.editing) < 24
            ):
                self.editing += event.character
            return
        if event.character and (event.character.isdigit() or event.character in ".="):
            event.stop()
            event.prevent_default()
            self.editing = "" if event.character == "=" else event.character

    def _commit(self) -> None:
        text, self.editing = self.editing, None
        try:
            value = float(text)
        except ValueError:
            self._emit(self.Invalid(f"not a number: {text!r}"))
            return
        self._emit(self.Changed(self, self.node, value))

    def action_nudge(self, steps: int) -> None:
        self._emit(self.Stepped(self, self.node, steps, self.view.step))

    def action_extreme(self, end: int) -> None:
        self._emit(self.Changed(self, self.node, self.view.scale * end))

    def action_enter(self) -> None:
        if self.view.drill:
            self._emit(self.Command(self, self.node, "drill"))
        else:
            self.editing = ""

    def action_lock(self) -> None:
        self._emit(self.Command(self, self.node, "lock"))

    def action_reset(self) -> None:
        self._emit(self.Command(self, self.node, "reset"))

    def action_normalise(self) -> None:
        self._emit(self.Command(self, self.node, "normalise"))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y != 1 or self.editing is not None:
            return
        width = self._bar_width()
        if 0 <= offset.x < width + 1:
            step = self.view.step
            value = min(offset.x + 0.5, width) / width * self.view.scale
            self._emit(self.Changed(self, self.node, round(value / step) * step))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    """The width the column asks for."""
    align: str = "right"
    minimum: int = 0
    """The narrowest it may be drawn (its header then ends in …); 0: its asked width."""


@dataclass(frozen=True, eq=False)
class Bands:
    """5–95 % rank intervals of every entity (aligned with a ranking's entities) under one weight state."""

    state: object
    """The :class:`~trustindex.tui.state.WeightState` they were computed for."""
    low: np.ndarray
    high: np.ndarray
    median: np.ndarray
    count: int
    """Ranks run from 1 to ``count`` (the entities ranked)."""
    runs: int


BAND_TRACK = (8, 16)
"""Narrowest and widest rank track drawn in the ranking (cells)."""
NAME_READABLE = 16
"""Cells the entity column gets before the second pillar column does."""


class RankTable(ScrollView, can_focus=True):
    """The ranking: only the visible rows are drawn, so re-ranking 1,000 entities costs one sort.

    ↑/↓, page up/down, home/end move the cursor; enter opens the entity; s sorts by the next column,
    S reverses; ←/→ scroll the pillar columns (rank, name and index stay); a click on a header sorts by it.
    The 5–95 % column holds the highlighted entity's rank interval (every row's after ``b``), with a track
    of ranks 1…n beside it when there is room.
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(1)", "Last", show=False),
        Binding("left", "shift(-1)", "Scroll left", show=False),
        Binding("right", "shift(1)", "Scroll right", show=False),
        Binding("enter", "choose", "Explain", id="ranking.explain"),
        Binding("shift+tab", "app.focus_weights", "Weights", show=False),
        Binding("s", "sort_next", "Sort", id="ranking.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="ranking.reverse"),
    ]
    HELP = """\
### Ranking
- **↑/↓**, **page up/down**, **home/end** move; the weights show stability for the highlighted entity
- **enter** explains the highlighted entity; **s** sorts by the next column, **S** reverses
- **←/→** scroll the pillar columns (rank, entity and index stay); click a header to sort by it
- **Δ** is the change of rank against the loaded profile: ▲ up, ▼ down
- **5–95 %** is the highlighted entity's rank interval under the uncertainty spec, recomputed as the weights
  change; the track beside it spans ranks 1…n: ━ the interval, ● the median, │ the rank now. **b** shows it
  for every row
"""
    DEFAULT_CSS = """
    RankTable {
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    RankTable > .rank-table--header { text-style: bold; color: $text-accent; }
    RankTable > .rank-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    RankTable > .rank-table--cursor-blurred { background: $block-cursor-blurred-background; }
    RankTable > .rank-table--up { color: $text-success; }
    RankTable > .rank-table--down { color: $text-error; }
    RankTable > .rank-table--muted { color: $text-muted; }
    RankTable > .rank-table--band { color: $text-accent; }
    """
    COMPONENT_CLASSES = {
        "rank-table--header", "rank-table--cursor", "rank-table--cursor-blurred", "rank-table--up",
        "rank-table--down", "rank-table--muted", "rank-table--band",
    }  # fmt: skip

    class Highlighted(Message):
        def __init__(self, table: RankTable, entity: str) -> None:
            super().__init__()
            self.table, self.entity = table, entity

    class Chosen(Message):
        def __init__(self, table: RankTable, entity: str) -> None:
            super().__init__()
            self.table, self.entity = table, entity

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ranking: Ranking | None = None
        self.names: tuple[str, ...] = ()
        self.columns: tuple[Column, ...] = ()
        """Rank, Δ, 5–95 %, entity, index (always shown), then the pillars (scrolled by ←/→)."""
        self.node_columns: dict[str, int] = {}
        self.sort_key = "rank"
        self.descending = False
        self.order = np.zeros(0, dtype=int)
        self.cursor = 0
        self.selected: str | None = None
        self.first_scrolled = 0
        self.fixed = 5
        self.bands: Bands | None = None
        self.bands_fresh = False
        self.every_band = False
        """Show every row's interval, not only the highlighted one's."""
        self.band_enabled = True
        """Keep a column for the intervals (off when no uncertainty analysis can run on this dataset)."""

    # --- data ---------------------------------------------------------------------------------------

    def set_layout(self, names: tuple[str, ...], nodes: tuple[tuple[str, str, int], ...]) -> None:
        """Entity names, and the score columns: (node id, label, column in the ranking's scores); the first
        is the index, which always shows."""
        self.names = names
        longest = max([6, *(cell_len(n) for n in names)])
        digits = len(str(len(names)))
        columns = [Column("rank", "Rank", max(5, digits + 1)), Column("change", "Δ", max(3, digits + 1)),
                   Column("band", "5–95%", max(5, 2 * digits + 1)),
                   Column("name", "Entity", min(24, longest), "left", min(10, longest))]  # fmt: skip
        for k, (node, label, _) in enumerate(nodes):
            label = "Index" if k == 0 else label
            columns.append(Column(node, label, min(14, max(5, cell_len(label))), minimum=5))
        self.columns = tuple(columns)
        self.node_columns = {node: j for node, _, j in nodes}
        self.first_scrolled = 0
        self.bands = None

    def update(self, ranking: Ranking) -> None:
        """Show ``ranking``: re-sort, keep the selected entity under the cursor, redraw the visible rows."""
        self.ranking = ranking
        self._change = ranking.change()
        self.order = self._sorted()
        n = len(self.order)
        if self.selected is not None and self.selected in self._positions():
            self.cursor = int(np.flatnonzero(self.order == self._positions()[self.selected])[0])
        self.cursor = min(max(self.cursor, 0), max(n - 1, 0))
        if n and self.selected is None:
            self.selected = ranking.entities[self.order[self.cursor]]
        self.bands_fresh = self.bands is not None and self.bands.state == ranking.state
        self.virtual_size = Size(self.scrollable_content_region.width, n + 1)
        self._keep_visible()
        self.refresh()

    def set_bands(self, bands: Bands | None) -> None:
        """The rank intervals to show (drawn dim while they are for other weights than the ranking's)."""
        self.bands = bands
        self.bands_fresh = bands is not None and self.ranking is not None and bands.state == self.ranking.state
        self.refresh()

    def show_every_band(self, every: bool) -> None:
        self.every_band = every
        self.refresh()

    def enable_bands(self, enabled: bool) -> None:
        self.band_enabled = enabled
        self.refresh()

    def _positions(self) -> dict[str, int]:
        if getattr(self, "_position_cache", (None, None))[0] is not self.ranking.entities:
            self._position_cache = (self.ranking.entities, {e: i for i, e in enumerate(self.ranking.entities)})
        return self._position_cache[1]

    def _values(self, key: str) -> np.ndarray:
        r = self.ranking
        if key == "rank":
            return r.rank
        if key == "change":
            return r.change()
        if key == "band":
            return self.bands.median if self.bands is not None else np.full(len(r.rank), np.nan)
        return r.scores[:, self.node_columns[key]]

    def _sorted(self) -> np.ndarray:
        r = self.ranking
        rank = np.where(np.isnan(r.rank), np.inf, r.rank)
        if getattr(self, "_ids", (None,))[0] is not r.entities:
            self._ids = (r.entities, np.argsort(np.argsort(np.array(r.entities))))  # each id's alphabetical place
        ids = self._ids[1]
        if self.sort_key == "name":
            primary = np.array([n.casefold() for n in self.names])
            order = np.lexsort((ids, rank, primary))
            return order[::-1] if self.descending else order
        values = self._values(self.sort_key)
        ascending = self.sort_key in ("rank", "band")
        if self.descending:
            ascending = not ascending
        key = np.where(np.isnan(values), np.inf, values if ascending else -values)
        return np.lexsort((ids, rank, key))

    def sort_by(self, key: str, descending: bool | None = None) -> None:
        if descending is None:
            descending = (not self.descending) if key == self.sort_key else False
        self.sort_key, self.descending = key, descending
        if self.ranking is not None:
            self.update(self.ranking)

    def row_entities(self) -> list[str]:
        """Entity ids in display order."""
        return [self.ranking.entities[i] for i in self.order]

    def cell(self, entity: str, key: str) -> str:
        """The text of one cell (for tests and the screen reader of a snapshot)."""
        return self._cell(self._positions()[entity], key)

    def band_of(self, entity: str) -> tuple[float, float, float] | None:
        """(low, median, high) of ``entity``'s interval on screen, None when there is none."""
        if self.bands is None or self.ranking is None:
            return None
        i = self._positions()[entity]
        return float(self.bands.low[i]), float(self.bands.median[i]), float(self.bands.high[i])

    # --- rendering ----------------------------------------------------------------------------------

    def _shows_band(self, i: int) -> bool:
        if self.bands is None:
            return False
        return self.every_band or (self.selected is not None and self._positions().get(self.selected) == i)

    def _cell(self, i: int, key: str) -> str:
        r = self.ranking
        if key == "rank":
            return fmt(r.rank[i], 0)
        if key == "change":
            change = self._change[i]
            if math.isnan(change):
                return ""
            return "·" if change == 0 else (f"▲{change:.0f}" if change > 0 else f"▼{-change:.0f}")
        if key == "name":
            return self.names[i]
        if key == "band":
            if not self._shows_band(i):
                return ""
            from ..reports.robustness import rank_interval

            return rank_interval(float(self.bands.low[i]), float(self.bands.high[i]))
        if key == "track":
            return ""
        return fmt(r.scores[i, self.node_columns[key]])

    def _track(self, i: int, width: int) -> str:
        if not self._shows_band(i):
            return " " * width
        from ..reports.robustness import rank_track

        b = self.bands
        return rank_track(float(b.low[i]), float(b.high[i]), float(b.median[i]), float(self.ranking.rank[i]),
                          b.count, width)  # fmt: skip

    def _visible_columns(self, width: int) -> list[Column]:
        """The columns drawn at ``width`` cells, each at the width it is drawn.

        Room is given in this order: rank, Δ, 5–95 %, entity (at its narrowest) and index; the first
        pillar; the rank track; the entity up to a readable width; the other pillars (at their narrowest:
        headers end in …), from the first scrolled to; then the entity grows to its full name, the track to
        its widest, the headers to theirs (sharing what is left evenly).
        """
        key = (width, self.first_scrolled, self.columns, self.band_enabled)
        if getattr(self, "_columns_cache", (None,))[0] == key:
            return self._columns_cache[1]
        if not self.columns:
            return []

        def narrow(c: Column) -> int:
            return c.minimum or c.width

        fixed = [c for c in self.columns[: self.fixed] if c.key != "band" or self.band_enabled]
        pillars = list(self.columns[self.fixed + self.first_scrolled :])
        used = sum(narrow(c) + 1 for c in fixed)
        widths = {c.key: narrow(c) for c in fixed}
        shown: list[Column] = []
        track = 0
        room = width - used

        def grow(column_key: str, wanted: int) -> None:
            nonlocal room
            extra = max(0, min(room, wanted - widths[column_key]))
            widths[column_key] += extra
            room -= extra

        name = next(c for c in fixed if c.key == "name")
        for k, column in enumerate(pillars):
            if narrow(column) + 1 > room:
                break
            shown.append(column)
            widths[column.key] = narrow(column)
            room -= narrow(column) + 1
            if k == 0:  # after the first pillar: the track, then a readable name
                if self.band_enabled and room >= BAND_TRACK[0] + 1:
                    track = BAND_TRACK[0]
                    room -= track + 1
                grow("name", min(name.width, NAME_READABLE))
        if not shown and self.band_enabled and room >= BAND_TRACK[0] + 1:
            track = BAND_TRACK[0]
            room -= track + 1
        grow("name", name.width)
        if track:
            extra = max(0, min(room, BAND_TRACK[1] - track))
            track += extra
            room -= extra
        growing = [c for c in shown if widths[c.key] < c.width]
        while room > 0 and growing:  # the headers share what is left, a cell at a time each
            for column in list(growing):
                grow(column.key, widths[column.key] + 1)
                if widths[column.key] >= column.width:
                    growing.remove(column)
        out = [Column(c.key, c.label, widths[c.key], c.align) for c in fixed]
        if track:
            out.insert([c.key for c in out].index("name"), Column("track", "", track, "left"))
        out += [Column(c.key, c.label, widths[c.key], c.align) for c in shown]
        self._columns_cache = (key, out, len(pillars) > len(shown))
        return out

    def notify_style_update(self) -> None:
        self._styles = {}
        super().notify_style_update()

    def _style(self, name: str | None = None) -> Style:
        cache = self.__dict__.setdefault("_styles", {})
        if name not in cache:
            cache[name] = self.rich_style if name is None else self.get_component_rich_style(name, partial=True)
        return cache[name]

    def _line(self, cells: list[tuple[str, Column, Style | None]], width: int, base: Style) -> Strip:
        """One line: each cell fitted to its column, runs of cells in the same style joined into one segment."""
        segments: list[Segment] = []
        run: list[str] = []
        current: Style | None = None
        for text, column, style in cells:
            if cell_len(text) > column.width:
                text = set_cell_size(text, column.width - 1) + "…"
            pad = " " * (column.width - cell_len(text))
            text = text + pad if column.align == "left" else pad + text
            if style is not current and run:
                segments.append(Segment("".join(run), base if current is None else base + current))
                run = []
            current = style
            run.append(text + " ")
        used = sum(column.width + 1 for _, column, _ in cells)
        if used < width:
            run.append(" " * (width - used))
        if run:
            segments.append(Segment("".join(run), base if current is None else base + current))
        strip = Strip(segments, max(used, width))  # the length is known: Strip need not measure it
        return strip if used <= width else strip.crop(0, width)

    def render_lines(self, crop):
        self._frame = (self.scrollable_content_region.width, self.scroll_offset.y)  # once per frame, not per line
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        frame = getattr(self, "_frame", None)
        width, top = frame if frame else (self.scrollable_content_region.width, self.scroll_offset.y)
        base = self._style()
        if self.ranking is None:
            return Strip.blank(width, base)
        columns = self._visible_columns(width)
        if y == 0:
            header = self._style("rank-table--header")
            cells = []
            for column in columns:
                label = column.label
                if column.key == self.sort_key:
                    up = (self.sort_key in ("rank", "name", "band")) != self.descending
                    label = label[: column.width - 1] + ("▲" if up else "▼")
                if column.key == "track" and self.ranking is not None:
                    last = str(self.bands.count if self.bands is not None else len(self.order))
                    label = "1" + " " * max(0, column.width - 1 - len(last)) + last
                cells.append((label, column, header))
            more = self._columns_cache[2]
            strip = self._line(cells, width, base)
            if more or self.first_scrolled:
                marker = ("‹" if self.first_scrolled else " ") + ("›" if more else " ")
                strip = Strip.join([strip.crop(0, width - 2), Strip([Segment(marker, base + header)], 2)])
            return strip
        row = top + y - 1
        if row >= len(self.order):
            return Strip.blank(width, base)
        i = int(self.order[row])
        muted = self._style("rank-table--muted")
        line_style = base
        if row == self.cursor:
            line_style = base + self._style("rank-table--cursor" if self.has_focus else "rank-table--cursor-blurred")
        band_style = self._style("rank-table--band") if self.bands_fresh else muted
        cells = []
        for column in columns:
            style = None
            if column.key == "track":
                text = self._track(i, column.width)
                style = band_style
            else:
                text = self._cell(i, column.key)
            if column.key == "change":
                style = (self._style("rank-table--up") if text.startswith("▲")
                         else self._style("rank-table--down") if text.startswith("▼") else muted)  # fmt: skip
            elif column.key == "rank":
                style = muted
            elif column.key == "band":
                style = band_style
            cells.append((text, column, style))
        return self._line(cells, width, line_style)

    def on_resize(self) -> None:
        if self.ranking is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, len(self.order) + 1)

    # --- cursor -------------------------------------------------------------------------------------

    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _keep_visible(self) -> None:
        top = self.scroll_offset.y
        rows = self._visible_rows()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def move_to(self, row: int) -> None:
        if not len(self.order):
            return
        row = min(max(row, 0), len(self.order) - 1)
        changed = row != self.cursor
        self.cursor = row
        self.selected = self.ranking.entities[self.order[row]]
        self._keep_visible()
        self.refresh()
        if changed:
            self.post_message(self.Highlighted(self, self.selected))

    def select(self, entity: str) -> None:
        """Put the cursor on ``entity`` (no message)."""
        if self.ranking is None or entity not in self._positions():
            return
        self.selected = entity
        self.update(self.ranking)

    def action_move(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * self._visible_rows())

    def action_jump(self, end: int) -> None:
        self.move_to(0 if end == 0 else len(self.order) - 1)

    def action_shift(self, delta: int) -> None:
        scrollable = len(self.columns) - self.fixed
        self.first_scrolled = min(max(self.first_scrolled + delta, 0), max(scrollable - 1, 0))
        self.refresh()

    def action_choose(self) -> None:
        if self.selected is not None:
            self.post_message(self.Chosen(self, self.selected))

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.columns if c.key != "band" or self.bands is not None]
        self.sort_by(keys[(keys.index(self.sort_key) + 1) % len(keys)] if self.sort_key in keys else "rank",
                     descending=False)  # fmt: skip

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_key, not self.descending)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.ranking is None:
            return
        if offset.y == 0:
            x = 0
            for column in self._visible_columns(self.scrollable_content_region.width):
                if x <= offset.x < x + column.width + 1:
                    if column.key != "track":
                        self.sort_by(column.key)
                    return
                x += column.width + 1
            return
        row = self.scroll_offset.y + offset.y - 1
        if row < len(self.order):
            self.move_to(row)
            if event.chain >= 2:
                self.action_choose()

    def on_focus(self) -> None:
        self._styles = {}
        self.refresh()

    def on_blur(self) -> None:
        self._styles = {}
        self.refresh()
