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
    """A round step for a bar whose full scale is ``scale``: 0.1 up to 10, 0.01 below 1, 1 from 100."""
    return 10.0 ** (math.floor(math.log10(max(scale, 1e-9))) - 1) if scale >= 1 else 0.01


def hbar(fraction: float, width: int) -> str:
    """A left-aligned bar of ``width`` cells filled to ``fraction`` (eighth-cell resolution)."""
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part and full < width else "")
    return text.ljust(width)


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
    align: str = "right"


class RankTable(ScrollView, can_focus=True):
    """The ranking: only the visible rows are drawn, so re-ranking 1,000 entities costs one sort.

    ↑/↓, page up/down, home/end move the cursor; enter opens the entity; s sorts by the next column,
    S reverses; ←/→ scroll the score columns; a click on a header sorts by it.
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
- **←/→** scroll the pillar columns; click a header to sort by it
- **Δ** is the change of rank against the loaded profile: ▲ up, ▼ down
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
    """
    COMPONENT_CLASSES = {
        "rank-table--header", "rank-table--cursor", "rank-table--cursor-blurred", "rank-table--up",
        "rank-table--down", "rank-table--muted",
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
        self.node_columns: dict[str, int] = {}
        self.sort_key = "rank"
        self.descending = False
        self.order = np.zeros(0, dtype=int)
        self.cursor = 0
        self.selected: str | None = None
        self.first_scrolled = 0
        self.fixed = 3

    # --- data ---------------------------------------------------------------------------------------

    def set_layout(self, names: tuple[str, ...], nodes: tuple[tuple[str, str, int], ...]) -> None:
        """Entity names, and the score columns: (node id, label, column in the ranking's scores)."""
        self.names = names
        width = min(24, max([8, *(cell_len(n) for n in names)]))
        columns = [Column("rank", "Rank", 5), Column("change", "Δ", 4), Column("name", "Entity", width, "left")]
        for node, label, _ in nodes:
            columns.append(Column(node, label, min(14, max(6, cell_len(label)))))
        self.columns = tuple(columns)
        self.node_columns = {node: j for node, _, j in nodes}
        self.first_scrolled = 0

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
        self.virtual_size = Size(self.scrollable_content_region.width, n + 1)
        self._keep_visible()
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
        ascending = self.sort_key == "rank"
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

    # --- rendering ----------------------------------------------------------------------------------

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
        return fmt(r.scores[i, self.node_columns[key]])

    def _visible_columns(self, width: int) -> list[Column]:
        key = (width, self.first_scrolled, self.columns)
        if getattr(self, "_columns_cache", (None,))[0] == key:
            return self._columns_cache[1]
        shown = list(self.columns[: self.fixed])
        # The name gives way (down to 10 cells) so that the index and one pillar always show.
        scores = self.columns[self.fixed : self.fixed + 2]
        room = width - sum(c.width + 1 for c in shown[:-1]) - sum(c.width + 1 for c in scores)
        name = shown[-1]
        if name.width > room:
            shown[-1] = Column(name.key, name.label, max(10, room), name.align)
        used = sum(c.width + 1 for c in shown)
        for column in self.columns[self.fixed + self.first_scrolled :]:
            if used + column.width > width:
                break
            shown.append(column)
            used += column.width + 1
        self._columns_cache = (key, shown)
        return shown

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
                    up = (self.sort_key in ("rank", "name")) != self.descending
                    label = label[: column.width - 1] + ("▲" if up else "▼")
                cells.append((label, column, header))
            more = len(self.columns) > len(columns) + self.first_scrolled
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
        cells = []
        for column in columns:
            text = self._cell(i, column.key)
            style = None
            if column.key == "change":
                style = (self._style("rank-table--up") if text.startswith("▲")
                         else self._style("rank-table--down") if text.startswith("▼") else muted)  # fmt: skip
            elif column.key == "rank":
                style = muted
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
        keys = [c.key for c in self.columns]
        self.sort_by(keys[(keys.index(self.sort_key) + 1) % len(keys)], descending=False)

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
