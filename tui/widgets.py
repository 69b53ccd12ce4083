"""Small shared widgets: a result list whose rows show kind, source, people, time and a highlighted snippet."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rich.text import Text
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker

from pocketmind.results import Result
from pocketmind.text import one_line, printable

KIND_STYLE = {"message": "green", "note": "cyan", "event": "magenta", "photo": "yellow", "contact": "blue"}


def short_time(iso: str | None) -> str:
    """'2025-01-18T11:42:00+01:00' -> '2025-01-18 11:42' (the original local time)."""
    return iso[:16].replace("T", " ") if iso else ""


def highlighted_snippet(result: Result) -> Text:
    """The snippet with every matched span (Result.highlights) in bold reverse yellow,
    without the control characters a terminal would act on."""
    snippet, text, last = result.snippet.replace("\n", " "), Text(), 0
    for start, end in result.highlights:
        text.append(printable(snippet[last:start]))
        text.append(printable(snippet[start:end]), style="bold black on yellow")
        last = end
    return text.append(printable(snippet[last:]))


def result_meta(result: Result) -> Text:
    parts = [result.source]
    if result.people:
        parts.append(", ".join(result.people[:4]) + ("…" if len(result.people) > 4 else ""))
    elif result.author:
        parts.append(result.author)
    if result.time:
        parts.append(short_time(result.time))
    meta = Text()
    meta.append(f"{result.kind:<7}", style=f"bold {KIND_STYLE.get(result.kind, 'white')}")
    meta.append(" " + one_line(" · ".join(parts)), style="dim")
    return meta


def file_path_of(uri: str | None) -> Path | None:
    """The local path of a file:// uri (fragment dropped); None for anything else, e.g. a network URL."""
    if not uri or not uri.startswith("file://"):
        return None
    path = unquote(urlsplit(uri).path)
    if os.name == "nt" and len(path) > 2 and path[0] == "/" and path[2] == ":":
        path = path[1:]  # /C:/Users/... -> C:/Users/...
    return Path(path)


def place_in_file(result: Result) -> str:
    """Where a result is: its file (with the folder it is in) and the line or heading in it,
    e.g. "notes/Health.md · Health > Dentist"; the uri itself when it is not a local file."""
    path = file_path_of(result.uri)
    if path is None:
        return one_line(result.uri or result.source)
    parts = [f"{path.parent.name}/{path.name}" if path.parent.name else path.name]
    line = (result.metadata or {}).get("line") or _line_fragment(result.uri)
    if line:
        parts.append(f"line {line}")
    elif result.heading and result.heading != result.title:
        parts.append(result.heading)
    return one_line(" · ".join(parts))


def _line_fragment(uri: str | None) -> str | None:
    """The line of a ``...#L12`` uri."""
    match = re.search(r"#L(\d+)$", uri or "")
    return match.group(1) if match else None


def result_prompt(number: int, result: Result) -> Text:
    """Number + kind, source, people, time; the title (when it says more than the kind); the snippet; where it is."""
    line = Text.assemble((f"[{number}] ", "bold cyan"))
    line.append_text(result_meta(result))
    if result.title and result.kind != "message":
        line.append(f"\n    {one_line(result.title)}", style="bold")
    line.append("\n    ")
    line.append_text(highlighted_snippet(result))
    line.append(f"\n    {place_in_file(result)}", style="dim italic")
    return line


class ResultList(OptionList):
    """Results (or citations); Enter on one posts :class:`ResultList.Opened`."""

    class Opened(Message):
        def __init__(self, result_list: "ResultList", result: Result) -> None:
            super().__init__()
            self.result_list = result_list
            self.result = result

        @property
        def control(self) -> "ResultList":
            return self.result_list

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.results: list[Result] = []

    def show(self, results: list[Result]) -> None:
        self.results = list(results)
        self.clear_options()
        self.add_options(Option(result_prompt(n, r), id=f"r{n}") for n, r in enumerate(self.results, 1))
        if self.results:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Opened(self, self.results[event.option_index]))


class EngineScreen(Screen):
    """A screen whose workers call the engine: a failed worker becomes the app's error notification.

    Worker.StateChanged does not bubble, so each screen hands it to the app's one handler.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report = getattr(self.app, "report_worker_state", None)
        if report is not None:
            report(event)
