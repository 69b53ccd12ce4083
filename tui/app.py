"""The pocketmind terminal UI: one app, one engine, every engine call in a worker thread."""

from __future__ import annotations

import logging
import sys
import threading
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.worker import Worker, WorkerState

from pocketmind.client import DaemonGone, DaemonNotRunning, DaemonVersionMismatch, connect_to
from pocketmind.daemon.service import running_daemon_pid
from pocketmind.engine import Engine
from pocketmind.errors import PocketmindError
from pocketmind.permissions import make_private_dir, open_private_append
from pocketmind.text import one_line

from .ask import AskScreen
from .help import HelpScreen
from .search import SearchScreen
from .settings_screen import SettingsScreen
from .sources import SourcesScreen

log = logging.getLogger(__name__)

T = TypeVar("T")
IN_PROCESS = "in-process"  # who answered, as the status lines say it (else "by the daemon (pid N)")
DAEMON_STOPPED = ("The pocketmind daemon stopped: answering in-process from now on "
                  "(the first answer loads the models, a few seconds).")


class PocketmindCommands(Provider):
    """The app's actions in the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        assert isinstance(app, PocketmindApp)
        return [
            ("Ask a question", "the Ask screen (F2)", partial(app.action_goto, "ask")),
            ("Search", "search without the LLM, with filters (F3)", partial(app.action_goto, "search")),
            ("Sources", "list, add, remove and re-index sources (F4)", partial(app.action_goto, "sources")),
            ("Settings", "edit and save settings (F5)", partial(app.action_goto, "settings")),
            ("Help", "every key binding (F1)", app.action_help),
            ("Re-index all sources", "bring every source up to date", app.action_reindex),
            ("Add a source", "add a folder or file to index", app.action_add_source),
            ("Save the current answer", "write the Q&A with citations as Markdown", app.action_save_answer),
            ("Quit", "leave pocketmind", app.action_quit),
        ]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class PocketmindApp(App):
    TITLE = "pocketmind"
    SUB_TITLE = "F1 help · F2 ask · F3 search · F4 sources · F5 settings"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {PocketmindCommands}
    MODES = {"ask": AskScreen, "search": SearchScreen, "sources": SourcesScreen, "settings": SettingsScreen}
    DEFAULT_MODE = "ask"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "goto('ask')", "Ask", show=False),
        Binding("f3", "goto('search')", "Search", show=False),
        Binding("f4", "goto('sources')", "Sources", show=False),
        Binding("f5", "goto('settings')", "Settings", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, engine: Engine, *, owns_engine: bool = False) -> None:
        super().__init__()
        self.engine = engine
        self._owns_engine = owns_engine
        self._served_by_daemon = False  # the last read was the daemon's: its absence now is news
        self._mismatch_told = False
        self._served_lock = threading.Lock()  # search and ask workers may read at the same time

    def on_mount(self) -> None:
        for line in self.engine.warnings:  # a store other users can open: say so where the user looks
            self.notify(line, title="not private", severity="warning", timeout=15)

    def action_goto(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_reindex(self) -> None:
        self.action_goto("sources")
        self.call_after_refresh(lambda: self.screen.action_reindex() if isinstance(self.screen, SourcesScreen) else None)

    def action_add_source(self) -> None:
        self.action_goto("sources")
        self.call_after_refresh(lambda: self.screen.action_add() if isinstance(self.screen, SourcesScreen) else None)

    def action_save_answer(self) -> None:
        self.action_goto("ask")
        self.call_after_refresh(lambda: self.screen.action_save() if isinstance(self.screen, AskScreen) else None)

    def report_worker_state(self, event: Worker.StateChanged) -> None:
        """The one place worker errors surface: a notification, never a traceback."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, PocketmindError):
            self.notify(one_line(str(error)), title="pocketmind", severity="error", timeout=8, markup=False)
        else:
            log.error("worker %s failed", event.worker.name, exc_info=error)
            self.notify(one_line(f"{type(error).__name__}: {error} (details in {self.log_file})"), title="unexpected error",
                        severity="error", timeout=8, markup=False)

    def read(self, call: Callable[[Any, str], T]) -> T:
        """``call(reader, served_by)`` on the running daemon (its models are warm), else on this app's engine.

        Called from worker threads. A daemon that stops, even in the middle of an answer, is told once
        and the call runs again in-process; so is a daemon of another protocol version."""
        try:
            client = connect_to(self.engine.paths)
        except (DaemonNotRunning, DaemonGone):
            return self._in_process(call, DAEMON_STOPPED)
        except DaemonVersionMismatch as exc:
            return self._in_process(call, f"{exc}; answering in-process meanwhile", mismatch=True)
        with client:
            with self._served_lock:
                self._served_by_daemon = True
            try:
                return call(client, f"by the daemon (pid {client.pid})")
            except DaemonGone:
                log.info("the daemon went away during a request; answering in-process")
        return self._in_process(call, DAEMON_STOPPED)

    def _in_process(self, call: Callable[[Any, str], T], notice: str, *, mismatch: bool = False) -> T:
        with self._served_lock:  # say it once: when the daemon goes away, or the first time it is of another version
            tell = not self._mismatch_told if mismatch else self._served_by_daemon
            self._served_by_daemon = False
            self._mismatch_told = self._mismatch_told or mismatch
        if tell:
            self.call_from_thread(self.notify, one_line(notice), title="pocketmind daemon", severity="warning",
                                  timeout=10, markup=False)
        return call(self.engine, IN_PROCESS)

    @property
    def log_file(self) -> Path:
        return Path(self.engine.paths.log_dir) / "tui.log"

    def on_unmount(self) -> None:
        if self._owns_engine:
            self.engine.close()


def make_app(engine_or_home: Engine | str | Path | None = None, ask_key: Callable[[], str] | None = None) -> PocketmindApp:
    """The app over an open engine (tests share one), or over a new engine for ``home``
    (``ask_key`` prompts for the key of an encrypted database before the UI starts)."""
    if isinstance(engine_or_home, Engine):
        return PocketmindApp(engine_or_home)
    return PocketmindApp(Engine(home=engine_or_home, ask_key=ask_key), owns_engine=True)


def run_tui(home: str | Path | None = None, ask_key: Callable[[], str] | None = None) -> int:
    app = make_app(home, ask_key)
    with _logging_to(app.log_file):
        _warm_embedder(app.engine)
        app.run()
    return 0


def _warm_embedder(engine: Engine) -> None:
    """Load the embedder before the UI starts: its first load is seconds of GIL-bound Python imports
    that would stall the UI thread even from a worker. Skipped when nothing is indexed yet, or
    when the daemon runs (it answers with its own)."""
    if not engine.store.counts()["chunks"] or running_daemon_pid(engine.paths.state_dir) is not None:
        return
    sys.stderr.write("pocketmind: loading the embedding model…\n")
    sys.stderr.flush()
    try:
        engine.vectors_embedder.encode(["warm up"])
    except PocketmindError as exc:  # the UI still opens; searching will report the problem
        log.error("embedder warm-up failed: %s", exc)


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """Send log records to a file while the TUI owns the terminal (a stderr handler would scribble on the screen)."""
    root = logging.getLogger()
    saved = root.handlers[:]
    make_private_dir(path.parent)
    open_private_append(path).close()  # the handler appends to it, keeping its 0600 mode
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers = [handler]
    try:
        yield
    finally:
        root.handlers = saved
        handler.close()
