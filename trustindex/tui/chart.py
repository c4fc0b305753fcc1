"""The rank-interval chart of the Robustness tab: one line per entity, scrolled, measured in terminal cells.

Each line is the entity's name, fitted to a label column measured in cells (so 東京都 takes six, and every
track starts in the same column), and a track of ranks 1…n drawn by
:func:`trustindex.reports.robustness.rank_track`: ━ the 5–95 % interval, ● the median, │ the nominal rank.
All entities are there: ↑/↓, page up/down, home/end and the mouse wheel scroll them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

LABEL = (8, 28)
"""Narrowest and widest label column (cells)."""


@dataclass(frozen=True)
class ChartRow:
    entity: str
    name: str
    nominal: float
    median: float
    low: float
    high: float


class RankChart(ScrollView, can_focus=True):
    """Rank intervals of every entity, in nominal rank order."""

    BINDINGS = [
        Binding("up", "scroll_by(-1)", "Up", show=False),
        Binding("down", "scroll_by(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(1)", "Last", show=False),
    ]
    HELP = """\
### Rank intervals
- One line per entity in nominal rank order: ━ its 5–95 % rank interval over the runs, ● the median rank,
  │ the rank under the weights on screen; **↑/↓**, **page up/down**, **home/end** scroll
"""
    DEFAULT_CSS = """
    RankChart { scrollbar-size-vertical: 1; overflow-x: hidden; }
    RankChart > .rank-chart--title { text-style: bold; color: $text-accent; }
    RankChart > .rank-chart--axis { color: $text-muted; }
    RankChart > .rank-chart--band { color: $accent; }
    RankChart > .rank-chart--selected { background: $block-cursor-blurred-background; text-style: bold; }
    """
    COMPONENT_CLASSES = {"rank-chart--title", "rank-chart--axis", "rank-chart--band", "rank-chart--selected"}
    HEADER = 2
    """Lines above the rows: the title and the axis."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: tuple[ChartRow, ...] = ()
        self.count = 0
        self.title = ""
        self.placeholder = ""
        self.selected: str | None = None

    def show(self, rows: tuple[ChartRow, ...], count: int, title: str) -> None:
        self.rows, self.count, self.title = rows, count, title
        self.virtual_size = Size(self.size.width, len(rows) + self.HEADER)
        self.refresh()

    def clear(self, placeholder: str) -> None:
        self.rows, self.count, self.title, self.placeholder = (), 0, "", placeholder
        self.virtual_size = Size(self.size.width, 1)
        self.scroll_to(y=0, animate=False)
        self.refresh()

    def select(self, entity: str | None) -> None:
        self.selected = entity
        self.refresh()

    # --- layout -------------------------------------------------------------------------------------

    def label_width(self, width: int) -> int:
        longest = max([cell_len(r.name) for r in self.rows] + [LABEL[0]])
        return max(LABEL[0], min(longest, LABEL[1], width // 3))

    def lines(self, width: int | None = None) -> list[str]:
        """Every line of the chart as plain text (for tests): title, axis, then one line per entity."""
        width = width or self.scrollable_content_region.width
        return [self._text(y, width) for y in range(len(self.rows) + self.HEADER)]

    def _text(self, y: int, width: int) -> str:
        """Line ``y`` of the whole chart (not of the screen) as text exactly ``width`` cells wide."""
        from ..reports.robustness import rank_track

        if not self.rows:
            return set_cell_size(self.placeholder if y == 0 else "", width)
        label = self.label_width(width)
        track = max(1, width - label - 3)
        if y == 0:
            return set_cell_size(self.title, width)
        if y == 1:
            ticks = [" "] * track
            for rank in _ticks(self.count, track):
                text = str(rank)
                at = min(track - len(text), int((rank - 0.5) / self.count * track))
                if all(c == " " for c in ticks[max(0, at - 1) : at + len(text) + 1]):
                    ticks[at : at + len(text)] = text
            return set_cell_size(" " * label + " ┤ " + "".join(ticks), width)
        row = self.rows[y - self.HEADER]
        name = row.name if cell_len(row.name) <= label else set_cell_size(row.name, label - 1) + "…"
        line = set_cell_size(name, label) + " │ "
        line += rank_track(row.low, row.high, row.median, row.nominal, self.count, track)
        return set_cell_size(line, width)

    # --- rendering ----------------------------------------------------------------------------------

    def _style(self, name: str | None = None) -> Style:
        return self.rich_style if name is None else self.rich_style + self.get_component_rich_style(name)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < self.HEADER:  # the title and the axis stay while the rows scroll under them
            name = "rank-chart--title" if y == 0 else "rank-chart--axis"
            return Strip([Segment(self._text(y, width), self._style(name))], width)
        line = y + self.scroll_offset.y
        if not self.rows or line >= len(self.rows) + self.HEADER:
            return Strip.blank(width, self._style())
        text = self._text(line, width)
        row = self.rows[line - self.HEADER]
        label = self.label_width(width)
        style = self._style("rank-chart--selected") if row.entity == self.selected else self._style()
        head = set_cell_size(text, label + 3)
        return Strip([Segment(head, style), Segment(text[len(head) :], style + self._style("rank-chart--band"))],
                     width)  # fmt: skip

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, max(1, len(self.rows) + self.HEADER))

    # --- keys ---------------------------------------------------------------------------------------

    def action_scroll_by(self, lines: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + lines, animate=False)

    def action_page(self, direction: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + direction * max(1, self.size.height - 1), animate=False)

    def action_jump(self, end: int) -> None:
        self.scroll_to(y=0 if end == 0 else self.max_scroll_y, animate=False)


def _ticks(count: int, width: int) -> list[int]:
    """Round ranks to label an axis of ``count`` ranks over ``width`` cells: 1, then every 1, 2, 5, 10… ranks."""
    if count <= 0:
        return []
    room = max(1, width // 5)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**9) if count / s <= room)
    return [1, *range(step, count + 1, step)] if step > 1 else list(range(1, count + 1))
