"""Help: every key binding of every screen, in one table."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from .widgets import EngineScreen
from .ask import AskScreen
from .detail import DetailScreen
from .search import SearchScreen
from .settings_screen import SettingsScreen
from .sources import SourcesScreen

EXTRA = [
    ("Everywhere", "ctrl+p", "command palette: every action by name"),
    ("Everywhere", "tab / shift+tab", "move between fields"),
    ("Ask, Search", "enter", "ask / search; on a citation or result: open it"),
    ("Ask", "enter on history", "show that question and answer again"),
]


def _key_label(keys: str) -> str:
    return " / ".join(k.strip() for k in keys.split(","))


def bindings_table(app_bindings: list) -> Table:
    table = Table("screen", "key", "action", expand=True, box=None, header_style="bold", padding=(0, 2, 0, 0))
    groups = [("Everywhere", app_bindings), ("Ask", AskScreen.BINDINGS), ("Search", SearchScreen.BINDINGS),
              ("Sources", SourcesScreen.BINDINGS), ("Citation detail", DetailScreen.BINDINGS),
              ("Settings", SettingsScreen.BINDINGS)]
    for screen, bindings in groups:
        for binding in bindings:
            b = binding if isinstance(binding, Binding) else Binding(*binding)
            table.add_row(Text(screen, style="cyan"), Text(_key_label(b.key), style="bold"), b.description)
    for screen, key, what in EXTRA:
        table.add_row(Text(screen, style="cyan"), Text(key, style="bold"), what)
    return table


class HelpScreen(EngineScreen):
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close help")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help-body"):
            yield Static("[b]pocketmind[/b] — keyboard first. Every action is also in the command palette (ctrl+p).", id="help-intro")
            yield Static(bindings_table(self.app.BINDINGS), id="help-table")
        yield Footer()
