"""Settings: every field from settings.describe(), editable, validated and saved with engine.save_settings()."""

from __future__ import annotations

import copy

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Static

from pocketmind.settings import as_text

from .widgets import EngineScreen
from .messages import SettingsSaved


def _input_id(dotted: str) -> str:
    return "set-" + dotted.replace(".", "--")


class SettingsScreen(EngineScreen):
    BINDINGS = [Binding("ctrl+s", "save", "Save settings"), Binding("ctrl+r", "revert", "Revert")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="settings-list"):
            yield Static("Edit a value, then ctrl+s to save. Empty models.llm_path means the bundled model.", id="settings-help")
            for dotted, value, doc in self.app.engine.settings.describe():
                with Horizontal(classes="setting"):
                    yield Label(dotted, classes="setting-name")
                    yield Input(as_text(value), id=_input_id(dotted), classes="setting-value")
                yield Static(Text(doc), classes="setting-doc")
        yield Footer()

    def edited(self) -> dict[str, str]:
        """Only the fields whose text differs from the current value."""
        changes = {}
        for dotted, value, _doc in self.app.engine.settings.describe():
            text = self.query_one(f"#{_input_id(dotted)}", Input).value.strip()
            if text != as_text(value):
                changes[dotted] = text
        return changes

    @on(Input.Submitted)
    def action_save(self) -> None:
        changes = self.edited()
        if not changes:
            self.notify("No changes to save.")
            return
        self.save(changes)

    @work(thread=True, exit_on_error=False, exclusive=True, group="settings")
    def save(self, changes: dict[str, str]) -> None:
        """Validate every change on a copy first, so a bad value leaves the settings untouched."""
        engine = self.app.engine
        candidate = copy.deepcopy(engine.settings)
        for dotted, text in changes.items():
            candidate.set(dotted, text)  # ConfigError -> the app's error notification
        candidate.check()
        engine.settings = candidate
        engine.save_settings()
        if any(name.startswith("models.") for name in changes):
            engine.release_models()  # the next search/answer loads the newly configured models
        self.post_message(SettingsSaved(str(engine.paths.config_file)))

    def on_settings_saved(self, message: SettingsSaved) -> None:
        self.action_revert()  # show the values as converted (e.g. "08" -> "8")
        self.notify(f"Saved to {message.path}", title="Settings saved", markup=False)

    def action_revert(self) -> None:
        for dotted, value, _doc in self.app.engine.settings.describe():
            self.query_one(f"#{_input_id(dotted)}", Input).value = as_text(value)
