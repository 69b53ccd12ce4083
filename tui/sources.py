"""Sources: every source with its counts and errors; add, remove, re-index with progress."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from pocketmind.daemon.service import hand_off_index, running_daemon_pid
from pocketmind.text import one_line
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Label, ProgressBar
from textual.worker import Worker, WorkerState

from .widgets import EngineScreen
from .messages import IndexFinished, IndexProgressed, SourcesLoaded
from .modals import AddSourceModal, ConfirmModal


def _when(unix: float | None) -> str:
    return datetime.fromtimestamp(unix).strftime("%Y-%m-%d %H:%M") if unix else "never"


class SourcesScreen(EngineScreen):
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("d,delete", "remove", "Remove"),
        Binding("i", "reindex", "Index all"),
        Binding("s", "reindex_selected", "Index selected"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kinds: list[str] = []
        self.indexing = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="index-bar"):
            yield Label("", id="index-status")
            yield ProgressBar(id="index-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#sources-table", DataTable)
        table.add_columns("name", "kind", "path", "documents", "errors", "last indexed")
        self.query_one("#index-progress", ProgressBar).display = False
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.load_sources()

    @work(thread=True, exit_on_error=False, exclusive=True, group="sources")
    def load_sources(self) -> None:
        engine = self.app.engine
        self.post_message(SourcesLoaded(engine.sources(), engine.plugins.source_kinds()))

    def on_sources_loaded(self, message: SourcesLoaded) -> None:
        self.kinds = message.kinds
        table = self.query_one("#sources-table", DataTable)
        table.clear()
        for s in message.sources:
            errors = Text(str(s["errors"]), style="bold red" if s["errors"] else "")
            name, path = Text(one_line(s["name"])), Text(one_line(s["path"]))  # a str cell would be read as markup
            table.add_row(name, s["kind"], path, str(s["documents"]), errors, _when(s["last_indexed_at"]), key=s["name"])
        if not message.sources:
            self.query_one("#index-status", Label).update("No sources yet: press a to add a folder.")

    def _selected(self) -> str | None:
        table = self.query_one("#sources-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- add and remove -----------------------------------------------------------

    def action_add(self) -> None:
        self.app.push_screen(AddSourceModal(self.kinds or ["notes", "messages", "photos", "calendar", "contacts"]), self._added)

    def _added(self, choice: tuple[str, str, str | None] | None) -> None:
        if choice:
            self.add_source(*choice)

    @work(thread=True, exit_on_error=False, group="sources-edit")
    def add_source(self, kind: str, path: str, name: str | None) -> None:
        source = self.app.engine.add_source(kind, path, name=name)
        self.app.call_from_thread(self.notify, one_line(f"Added {source['name']} ({kind}); press i to index it."), markup=False)
        self.app.call_from_thread(self.load_sources)

    def action_remove(self) -> None:
        name = self._selected()
        if name is None:
            return
        question = f"Remove the source {name!r} and everything indexed from it? (the files stay)"
        self.app.push_screen(ConfirmModal(question), lambda yes: self.forget(name) if yes else None)

    @work(thread=True, exit_on_error=False, group="sources-edit")
    def forget(self, name: str) -> None:
        removed = self.app.engine.forget(name)
        self.app.call_from_thread(self.notify, one_line(f"Removed {name}: {removed} documents"), markup=False)
        self.app.call_from_thread(self.load_sources)

    # -- indexing -------------------------------------------------------------------

    def action_reindex(self) -> None:
        self._start_index(None)

    def action_reindex_selected(self) -> None:
        if (name := self._selected()) is not None:
            self._start_index(name)

    def _start_index(self, source: str | None) -> None:
        if self.indexing:
            self.notify("Indexing is already running.", severity="warning")
            return
        state_dir = self.app.engine.paths.state_dir
        daemon_pid = running_daemon_pid(state_dir)
        if daemon_pid is not None:  # one writer at a time: the daemon indexes, as for `pocketmind index`
            hand_off_index(state_dir, source)
            self.query_one("#index-status", Label).update(f"indexing handed to the daemon (pid {daemon_pid}); r refreshes the counts")
            return
        self.indexing = True
        bar = self.query_one("#index-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#index-status", Label).update(Text(f"indexing {source or 'all sources'}…"))
        self.run_index(source)

    @work(thread=True, exit_on_error=False, group="index")
    def run_index(self, source: str | None) -> None:
        try:
            summaries = self.app.engine.index(source, progress=lambda d, t, p: self.post_message(IndexProgressed(d, t, p)))
        finally:
            self.indexing = False
        self.post_message(IndexFinished(summaries))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows the error; here the progress bar only goes away.
        if event.worker.group == "index" and event.state == WorkerState.ERROR:
            self.query_one("#index-progress", ProgressBar).display = False
            self.query_one("#index-status", Label).update("indexing failed")

    def on_index_progressed(self, message: IndexProgressed) -> None:
        self.query_one("#index-progress", ProgressBar).update(total=max(message.total, 1), progress=message.done)
        self.query_one("#index-status", Label).update(Text(f"{message.done}/{message.total}  {message.path[-50:]}"))

    def on_index_finished(self, message: IndexFinished) -> None:
        self.query_one("#index-progress", ProgressBar).display = False
        parts = [f"{s.source}: +{s.added} ~{s.updated} -{s.deleted}, {s.failed} failed" for s in message.summaries]
        self.query_one("#index-status", Label).update(Text("indexed · " + "; ".join(parts)))
        self.notify("Indexing finished", title="pocketmind")
        self.load_sources()
