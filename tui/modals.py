"""Modal dialogs: add a source, confirm a removal."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select


class AddSourceModal(ModalScreen[tuple[str, str, str | None] | None]):
    """Kind + path + optional name; dismisses with (kind, path, name) or None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, kinds: list[str]) -> None:
        super().__init__()
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog", classes="dialog"):
            yield Label("Add a source", classes="dialog-title")
            yield Select([(k, k) for k in self.kinds], prompt="kind", id="add-kind")
            yield Input(placeholder="path to a folder or file", id="add-path")
            yield Input(placeholder="name (optional; default: the folder name)", id="add-name")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", variant="primary", id="add-ok")
                yield Button("Cancel", id="add-cancel")

    @on(Button.Pressed, "#add-ok")
    @on(Input.Submitted)
    def submit(self) -> None:
        kind = self.query_one("#add-kind", Select).value
        path = self.query_one("#add-path", Input).value.strip()
        if kind is Select.NULL or not path:
            self.notify("Choose a kind and give a path.", severity="warning")
            return
        self.dismiss((str(kind), path, self.query_one("#add-name", Input).value.strip() or None))

    @on(Button.Pressed, "#add-cancel")
    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Label(Text(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", id="no")

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
