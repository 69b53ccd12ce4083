"""Search without the LLM: a query, filters for kind, source, person (who wrote it or appears
in it), conversations with someone, and dates, and the results."""

from __future__ import annotations

from datetime import datetime, time as dtime, timedelta
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Label, Select

from pocketmind.documents import KINDS as DOC_KINDS
from pocketmind.errors import ConfigError
from pocketmind.text import one_line

from .detail import DetailScreen
from .messages import SearchFinished, SourcesLoaded
from .widgets import EngineScreen, ResultList


def parse_day(text: str, *, end: bool = False) -> datetime | None:
    """'' -> None; 'YYYY-MM-DD' (or an ISO time); a bare date as ``end`` means up to the next midnight."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    return moment + timedelta(days=1) if end and len(text) <= 10 and moment.time() == dtime(0) else moment


class SearchScreen(EngineScreen):
    BINDINGS = [
        Binding("ctrl+l", "focus_query", "Query"),
        Binding("ctrl+r", "clear_filters", "Clear filters"),
        Binding("ctrl+o", "focus_results", "Results"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search your data, then Enter", id="query")
        with Horizontal(id="filters"):
            yield Select([(k, k) for k in DOC_KINDS], prompt="any kind", id="kind")
            yield Select([], prompt="any source", id="source")
            yield Input(placeholder="person", id="person", tooltip="what this person wrote, or where they appear")
            yield Input(placeholder="chat with", id="chat-with", tooltip="whole conversations with this person")
            yield Input(placeholder="since YYYY-MM-DD", id="since")
            yield Input(placeholder="until YYYY-MM-DD", id="until")
        yield Label("", id="search-status")
        yield ResultList(id="results")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self.load_sources()

    def on_screen_resume(self) -> None:
        self.load_sources()  # sources may have been added on the Sources screen

    @work(thread=True, exit_on_error=False, exclusive=True, group="search-sources")
    def load_sources(self) -> None:
        engine = self.app.engine
        self.post_message(SourcesLoaded(engine.sources(), engine.plugins.source_kinds()))

    def on_sources_loaded(self, message: SourcesLoaded) -> None:
        select = self.query_one("#source", Select)
        current = select.value
        names = [s["name"] for s in message.sources]
        select.set_options([(n, n) for n in names])
        if current in names:
            select.value = current

    def filters(self) -> dict[str, Any]:
        kind = self.query_one("#kind", Select).value
        source = self.query_one("#source", Select).value
        person = self.query_one("#person", Input).value.strip()
        chat_with = self.query_one("#chat-with", Input).value.strip()
        return {
            "kinds": () if kind is Select.NULL else (str(kind),),
            "sources": () if source is Select.NULL else (str(source),),
            "person": person or None,
            "chat_with": chat_with or None,
            "since": parse_day(self.query_one("#since", Input).value),
            "until": parse_day(self.query_one("#until", Input).value, end=True),
        }

    @on(Input.Submitted)
    @on(Select.Changed)
    def search(self) -> None:
        query = self.query_one("#query", Input).value.strip()
        if not query:
            return
        try:
            filters = self.filters()
        except ConfigError as exc:
            self.notify(one_line(str(exc)), severity="error", markup=False)
            return
        self.query_one("#search-status", Label).update(Text(one_line(f"searching “{query}”…")))
        self.run_search(query, filters)

    @work(thread=True, exit_on_error=False, exclusive=True, group="search")
    def run_search(self, query: str, filters: dict[str, Any]) -> None:
        self.post_message(self.app.read(lambda reader, served_by: SearchFinished(query, reader.search(query, **filters), served_by)))

    def on_search_finished(self, message: SearchFinished) -> None:
        count = len(message.results)
        note = f"{count} result{'s' if count != 1 else ''} for “{message.query}”" if count else f"no results for “{message.query}”"
        note += f" · {message.served_by}"
        self.query_one("#search-status", Label).update(Text(one_line(note) + ("  ·  Enter opens one" if count else "")))
        results = self.query_one("#results", ResultList)
        results.show(message.results)

    @on(ResultList.Opened)
    def open_result(self, event: ResultList.Opened) -> None:
        self.app.push_screen(DetailScreen(event.result))

    def action_focus_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_focus_results(self) -> None:
        self.query_one("#results", ResultList).focus()

    def action_clear_filters(self) -> None:
        for select_id in ("#kind", "#source"):
            self.query_one(select_id, Select).clear()
        for input_id in ("#person", "#chat-with", "#since", "#until"):
            self.query_one(input_id, Input).value = ""
