"""Modal screens: help, confirmations, save, open and presets."""

from __future__ import annotations

import re
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..errors import TrustIndexError

DIALOG_CSS = """
SCREEN {
    align: center middle;
    background: $background 60%;
}
.dialog {
    width: 72;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: thick $primary 60%;
    background: $surface;
    padding: 1 2;
}
.dialog .title {
    text-style: bold;
    color: $text-accent;
    margin-bottom: 1;
    width: 100%;
}
.dialog .buttons {
    height: auto;
    margin-top: 1;
    align-horizontal: right;
}
.dialog .buttons Button {
    margin-left: 1;
}
.dialog .error {
    color: $text-error;
    height: auto;
}
.dialog .hint {
    color: $text-muted;
    height: auto;
}
"""


def dialog_css(screen: str, extra: str = "") -> str:
    """The dialogs' shared CSS for one screen class (DEFAULT_CSS is scoped to its class)."""
    return DIALOG_CSS.replace("SCREEN", screen) + extra


class Confirm(ModalScreen[str]):
    """A question with buttons; dismisses with the chosen button's id (``cancel`` on escape)."""

    DEFAULT_CSS = dialog_css("Confirm")
    BINDINGS = [Binding("escape", "dismiss('cancel')", "Cancel")]

    def __init__(self, title: str, text: str, choices: tuple[tuple[str, str, str], ...]) -> None:
        """``choices``: (id, label, key) per button, the first being the default."""
        super().__init__()
        self.title_text, self.text, self.choices = title, text, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="title")
            yield Static(self.text)
            with Horizontal(classes="buttons"):
                for i, (ident, label, key) in enumerate(self.choices):
                    variant = "primary" if i == 0 else "default"
                    yield Button(f"{label} ({key})", id=ident, variant=variant, compact=True)

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_key(self, event) -> None:
        for ident, _, key in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(ident)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)


class SaveDialog(ModalScreen[Path | None]):
    """Where to save the weights; the app asks before replacing a file."""

    DEFAULT_CSS = dialog_css("SaveDialog")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, default: Path, note: str = "") -> None:
        super().__init__()
        self.default, self.note = default, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Save weights", classes="title")
            yield Static("Save the weights as a TOML profile (comments and layout kept). File:")
            yield Input(str(self.default), id="path")
            if self.note:
                yield Static(self.note, classes="hint")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save (enter)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one("#error", Static).update("Give a file name.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            self.query_one("#error", Static).update(f"{path} is a folder: give a file name.")
            return
        if path.suffix != ".toml":
            self.query_one("#error", Static).update("A weights profile is a .toml file.")
            return
        self.dismiss(path)


class OpenDialog(ModalScreen):
    """Open another dataset, profile or year: names (under ./datasets and ./weights, or shipped) or paths.
    Dismisses with what ``load`` returned; a TrustIndexError from ``load`` is shown in the dialog, which stays
    open.

    One line per field, so the whole dialog (its error and buttons included) fits in 80 × 24; Tab and
    shift+Tab move through the fields and the buttons; enter in any field opens.
    """

    DEFAULT_CSS = dialog_css("OpenDialog", """
    OpenDialog .dialog { width: 76; padding: 0 1; }
    OpenDialog .dialog .title { margin-bottom: 0; }
    OpenDialog .field { height: 1; margin-top: 1; }
    OpenDialog .field Label { width: 9; }
    OpenDialog .field Input { width: 1fr; }
    OpenDialog #year { width: 8; }
    OpenDialog .field .hint { width: 1fr; padding-left: 1; }
    OpenDialog #shipped { margin-top: 1; }
    OpenDialog #error { margin-top: 1; display: none; }
    OpenDialog #error.shown { display: block; }
    """)  # fmt: skip
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, data: str, weights: str, year: int | None, datasets: list[str], profiles: list[str],
                 load) -> None:  # fmt: skip
        super().__init__()
        self.data, self.weights, self.year, self.load = data, weights, year, load
        self.datasets, self.profiles = datasets, profiles

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a dataset or weights profile (tab moves, enter opens)", classes="title")
            with Horizontal(classes="field"):
                yield Label("Dataset")
                yield Input(self.data, id="data", compact=True, placeholder="a name or a folder")
            with Horizontal(classes="field"):
                yield Label("Weights")
                yield Input(self.weights, id="weights", compact=True,
                            placeholder="a name or a .toml file; empty: the dataset's default")  # fmt: skip
            with Horizontal(classes="field"):
                yield Label("Year")
                yield Input("" if self.year is None else str(self.year), id="year", type="integer", compact=True)
                yield Static("of a panel dataset; empty: the latest", classes="hint")
            yield Static(
                "Datasets: " + ", ".join(self.datasets) + "\nProfiles: " + ", ".join(self.profiles),
                classes="hint",
                id="shipped",
            )
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Open (enter)", id="open", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#data", Input).focus()

    def show_error(self, text: str) -> None:
        error = self.query_one("#error", Static)
        error.update(text)
        error.add_class("shown")
        error.scroll_visible(animate=False)
        self.app.bell()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        data = self.query_one("#data", Input).value.strip() or None
        weights = self.query_one("#weights", Input).value.strip() or None
        year_text = self.query_one("#year", Input).value.strip()
        try:
            year = int(year_text) if year_text else None
        except ValueError:
            self.show_error(f"not a year: {year_text!r}")
            return
        try:
            loaded = self.load(data, weights, year)
        except TrustIndexError as exc:
            self.show_error(f"Cannot open: {exc}")
            return
        self.dismiss(loaded)


class PresetDialog(ModalScreen[str | None]):
    """Choose a shipped weights profile; its weights replace the current ones (methods stay)."""

    DEFAULT_CSS = dialog_css("PresetDialog", """
    PresetDialog OptionList { height: auto; max-height: 16; }
    """)  # fmt: skip
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, presets: list[tuple[str, str]]) -> None:
        super().__init__()
        self.presets = presets

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Presets: the shipped weights profiles", classes="title")
            yield OptionList(*(Option(f"{name}  [dim]{description}[/]", id=name) for name, description in self.presets))
            yield Static("enter applies the preset's weights (locks are cleared) · esc cancels", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class HelpScreen(ModalScreen[None]):
    """Every key, the focused widget's help first. ``text`` is light markdown: ``##``/``###`` headings,
    ``- `` items and ``**keys**``, rendered as plain styled text (no markdown engine to reflow it)."""

    DEFAULT_CSS = dialog_css("HelpScreen", """
    HelpScreen .dialog { width: 96; height: 90%; }
    HelpScreen VerticalScroll { height: 1fr; }
    """)  # fmt: skip
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss(None)", "Close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("trustindex tui — help (esc closes)", classes="title")
            with VerticalScroll():
                yield Static(help_text(self.text), id="help-text")


def help_text(text: str) -> Text:
    """Light markdown as styled text: headings, bullets, **keys**; a paragraph's lines are joined."""
    blocks: list[tuple[str, str]] = []  # (kind, text)
    for line in text.splitlines():
        if line.startswith("#"):
            blocks.append(("h2" if line.startswith("## ") else "h3", line.lstrip("# ").strip()))
        elif line.startswith("- "):
            blocks.append(("item", line[2:]))
        elif not line.strip():
            blocks.append(("blank", ""))
        elif blocks and blocks[-1][0] in ("para", "item"):
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + " " + line.strip())
        else:
            blocks.append(("para", line.strip()))
    out = Text()
    for kind, body in blocks:
        if kind in ("h2", "h3"):
            out.append(body + "\n", style="bold underline" if kind == "h2" else "bold")
            continue
        if kind == "item":
            out.append("  • ")
        for i, part in enumerate(re.split(r"\*\*(.+?)\*\*", body)):
            out.append(part, style="bold" if i % 2 else "")
        out.append("\n")
    return out
