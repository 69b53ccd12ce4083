"""A citation's original in context: a message inside its conversation, a note at its section, an event, a photo."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from pocketmind.errors import PocketmindError
from pocketmind.results import Result
from pocketmind.text import one_line, printable

from .messages import DetailLoaded
from .widgets import EngineScreen, file_path_of, result_meta, short_time


def open_with_default_app(path: Path) -> None:
    """Hand a local file to the system's default application; raises PocketmindError when that fails."""
    if not path.exists():
        raise PocketmindError(f"{path}: the original file no longer exists")
    if sys.platform == "win32":
        try:
            os.startfile(str(path))  # type: ignore[attr-defined]
        except OSError as exc:
            raise PocketmindError(f"cannot open {path}: {exc}") from None
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        done = subprocess.run([opener, str(path)], capture_output=True, text=True, timeout=20)
    except FileNotFoundError:
        raise PocketmindError(f"cannot open {path}: {opener} is not installed") from None
    except subprocess.TimeoutExpired:
        return  # the opener is still busy launching: that is not a failure
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise PocketmindError(f"{opener} could not open {path}" + (f": {reason[-1]}" if reason else ""))


def _local_time(doc: dict[str, Any]) -> str:
    return short_time(doc.get("occurred_local"))


def _end_time(doc: dict[str, Any]) -> str:
    ended = doc.get("ended_at")
    if ended is None:
        return ""
    offset = doc.get("occurred_offset") or 0
    moment = datetime.fromtimestamp(ended, timezone.utc).astimezone(timezone(timedelta(minutes=offset)))
    return moment.strftime("%Y-%m-%d %H:%M")


class DetailScreen(EngineScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "open_original", "Open original"),
    ]

    def __init__(self, result: Result) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        yield Header()
        title = Text.assemble((one_line(r.title or r.id), "bold"), "  ")
        title.append_text(result_meta(r))
        title.append(f"\n{one_line(r.uri or r.id)}", style="dim")
        yield Static(title, id="detail-title")
        yield VerticalScroll(Static("loading…"), id="detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.load_original()

    @work(thread=True, exit_on_error=False)
    def load_original(self) -> None:
        r, store = self.result, self.app.engine.store
        if r.kind == "message" and r.conversation and r.occurred_at is not None:
            documents = store.conversation_messages(r.conversation, r.source, r.occurred_at, before=15, after=15)
        else:
            documents = list(store.documents([r.id]).values())
        self.post_message(DetailLoaded(documents))

    async def on_detail_loaded(self, message: DetailLoaded) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        await body.remove_children()
        r = self.result
        if not message.documents:
            await body.mount(Static(Text(printable(r.text or r.snippet))))
            return
        if r.kind == "message":
            widgets = self._conversation(message.documents)
        elif r.kind == "note":
            widgets = self._note(message.documents[0])
        else:
            widgets = self._fields(message.documents[0])
        await body.mount_all(widgets)
        match = next((w for w in widgets if w.has_class("-match")), None)
        if match is not None:
            self.call_after_refresh(body.scroll_to_widget, match, animate=False, center=True)

    def _conversation(self, documents: list[dict[str, Any]]) -> list[Widget]:
        widgets: list[Widget] = []
        for doc in documents:
            line = Text.assemble((_local_time(doc) + "  ", "dim"), (one_line(doc.get("author") or "?"), "bold"), "\n",
                                 printable(doc.get("text") or ""))
            for attachment in doc.get("attachments") or []:
                what = attachment.get("caption") or attachment.get("path") or attachment.get("name") or "attachment"
                line.append(f"\n(attached: {one_line(what)})", style="italic")
            is_match = doc["id"] == self.result.id
            widgets.append(Static(line, classes="message -match" if is_match else "message"))
        return widgets

    def _note(self, doc: dict[str, Any]) -> list[Widget]:
        """The whole note, with the cited section marked so the view can scroll to it."""
        full, passage = doc.get("text") or "", self.result.text
        start = full.find(passage) if passage else -1
        if start < 0:
            heading = Text(one_line(self.result.heading or ""), style="bold")
            return [Static(heading), Static(Text(printable(full or passage)), classes="passage -match")]
        before, after = full[:start].rstrip("\n"), full[start + len(passage):].lstrip("\n")
        widgets: list[Widget] = [Static(Text(printable(before)), classes="passage")] if before.strip() else []
        widgets.append(Static(Text(printable(passage)), classes="passage -match"))
        if after.strip():
            widgets.append(Static(Text(printable(after)), classes="passage"))
        return widgets

    def _fields(self, doc: dict[str, Any]) -> list[Widget]:
        """An event, photo, contact ...: its details as labelled lines, then its text."""
        path = file_path_of(doc.get("uri"))
        rows = [("When", _local_time(doc) + (f" – {_end_time(doc)}" if _end_time(doc) else "")),
                ("Place", doc.get("place") or ""),
                ("People", ", ".join(doc.get("people") or [])),
                ("Calendar" if doc.get("kind") == "event" else "Conversation", doc.get("conversation") or ""),
                ("File", str(path) if path else "")]
        table = Text()
        for label, value in rows:
            if value:
                table.append(f"{label:<13}", style="bold").append(f"{one_line(value)}\n")
        caption = "Caption" if doc.get("kind") == "photo" else "Text"
        text = Text(f"{caption}\n", style="bold").append(printable(doc.get("text") or ""), style="")
        return [Static(table, classes="fields"), Static(text, classes="passage -match")]

    def action_open_original(self) -> None:
        path = file_path_of(self.result.uri)
        if path is None:
            self.notify("This citation has no local file to open.", severity="warning")
            return
        self.open_file(path)

    @work(thread=True, exit_on_error=False)
    def open_file(self, path: Path) -> None:
        open_with_default_app(path)
        self.app.call_from_thread(self.notify, one_line(f"Opened {path}"), markup=False)
