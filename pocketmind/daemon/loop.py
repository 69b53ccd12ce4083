"""The background daemon: scan every source once, then keep the index current.

One loop thread does all the indexing and all the timing (clients asking
questions on the socket are served by their own threads, :mod:`.server`): it sleeps on an event
until a watched path's quiet period ends, an index request arrives, a poll or
a rescan is due, or models should be released; so it costs nothing while
nothing changes. watchdog's observer threads only record changed paths.

- Changed paths are indexed only once stable (:mod:`.watch`).
- A rename re-indexes the new path first and forgets the old one after, so
  unchanged chunks reuse their vectors (nothing is re-embedded).
- A full rescan every ``rescan_seconds`` catches what the watcher missed;
  database sources (iMessage ``chat.db``) are polled by mtime instead.
- A failing file is logged with its path and recorded (``status`` shows it);
  an unexpected error in one batch is logged and the daemon goes on.
- SIGTERM/SIGINT or ``stop_event``: the current batch is finished and
  committed, observers stop, the pid file is removed.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from watchdog.observers import Observer

from pocketmind.errors import PocketmindError
from pocketmind.indexing import IndexSummary, Stopped
from pocketmind.permissions import make_private_dir

from pocketmind import protocol

from .server import SocketServer
from .service import DaemonLock, take_requests, write_state
from .watch import CallbackHandler, SourceEventHandler, StabilityTracker, signature

log = logging.getLogger(__name__)

MAX_ERRORS = 20
STATE_MIN_INTERVAL = 0.5  # seconds between state-file writes while busy


def is_polled(source: dict[str, Any]) -> bool:
    """Database sources change inside one file (and its WAL): poll their mtime, don't watch."""
    return Path(source["path"]).suffix.lower() == ".db"


class Daemon:
    def __init__(self, engine, *, quiet_seconds: float = 2.0, rescan_seconds: float = 3600.0, poll_seconds: float = 60.0,
                 idle_unload_seconds: float | None = None, stop_event: threading.Event | None = None, handle_signals: bool = False,
                 serve: bool = True):
        self.engine = engine
        self.serve = serve  # answer clients on the socket (pocketmind.protocol) while indexing
        self.server: SocketServer | None = None
        self.state_dir = Path(engine.paths.state_dir)
        self.tracker = StabilityTracker(quiet_seconds)
        self.rescan_seconds = rescan_seconds
        self.poll_seconds = poll_seconds
        idle = engine.settings.models.idle_unload_seconds if idle_unload_seconds is None else idle_unload_seconds
        self.idle_unload_seconds = float(idle)
        self.external_stop = stop_event is not None
        self.stop_event = stop_event or threading.Event()
        self.handle_signals = handle_signals
        self._wake = threading.Event()
        self._observer = None
        self._watches: dict[str, Any] = {}  # source name -> watchdog watch
        self._polled: dict[str, tuple] = {}  # source name -> last seen signatures
        self._requests_waiting = True  # look once at start for requests left from before
        self._models_loaded = False
        self._last_work = time.monotonic()
        self._next_rescan = 0.0
        self._next_poll = 0.0
        self._state_dirty = True
        self._last_state_write = 0.0
        self.activity = "starting"
        self.started_at = time.time()
        self.last_runs: dict[str, dict[str, Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.batches = 0

    # -- control ----------------------------------------------------------------

    def wake(self) -> None:
        self._state_dirty = True
        self._wake.set()

    def stop(self) -> None:
        self.stop_event.set()
        self._wake.set()

    def _on_client_request(self) -> None:
        """A client was answered (from a server thread): the models it loaded or used stay for
        another idle period, and are released after it like the indexer's."""
        self._last_work = time.monotonic()
        if not self._models_loaded and self.engine.models_loaded:
            self._models_loaded = True
            self.wake()  # the loop's wait must now include the release deadline

    def _on_signal(self, signum, frame) -> None:
        log.info("received %s: finishing the current batch", signal.Signals(signum).name)
        self.stop()

    # -- main loop ----------------------------------------------------------------

    def run(self) -> None:
        lock = DaemonLock(self.state_dir)
        lock.acquire()  # raises DaemonRunning when another daemon has it
        if self.handle_signals:
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        log.info("daemon started (pid %d), home %s", os.getpid(), self.engine.paths.data_dir.parent)
        try:
            if self.serve:
                self.server = SocketServer(self.engine, protocol.socket_path(self.engine.paths), on_request=self._on_client_request)
                self.server.start()
            self._start_observer()
            self._sync_watches()  # watch first, then scan: nothing written during the scan is missed
            self._write_state()
            self._full_scan("initial scan")
            while not self.stop_event.is_set():
                self._wait()
                if self.stop_event.is_set():
                    break
                self._step()
        finally:
            self.activity = "stopping"
            if self.server is not None:
                self.server.close()
            if self._observer is not None:
                self._observer.stop()
                self._observer.join(timeout=10)
            self._write_state(running=False)
            lock.release()
            log.info("daemon stopped")

    def _step(self) -> None:
        """One round of whatever is due; each part survives the failure of another."""
        for part in (self._process_ready, self._process_requests, self._maybe_rescan, self._maybe_poll, self._maybe_release_models):
            if self.stop_event.is_set():
                return
            try:
                part()
            except Stopped:
                return
            except Exception as exc:  # never die: log, remember, go on
                self._error("", f"{part.__name__}: {_described(exc, part.__name__)}")
        if self._state_dirty:
            self._write_state()

    def _wait(self) -> None:
        """Sleep until the next thing is due or something wakes us; never spin."""
        now = time.monotonic()
        deadlines = [self._next_rescan]
        due = self.tracker.next_due()
        if due is not None:
            deadlines.append(due)
        if any(is_polled(s) for s in self._sources()):
            deadlines.append(self._next_poll)
        if self._models_loaded and self.idle_unload_seconds > 0:
            deadlines.append(self._last_work + self.idle_unload_seconds)
        if self._state_dirty:
            deadlines.append(self._last_state_write + STATE_MIN_INTERVAL)
        timeout = max(0.0, min(deadlines) - now)
        if self.external_stop:
            timeout = min(timeout, 0.5)  # a caller's plain Event cannot wake us: look at it twice a second
        if timeout > 0:
            self._wake.wait(timeout)
        self._wake.clear()

    # -- work -------------------------------------------------------------------

    def _sources(self) -> list[dict[str, Any]]:
        return self.engine.sources()

    def _process_ready(self) -> None:
        ready = self.tracker.pop_ready()
        if not ready:
            return
        self._state_dirty = True
        known = {s["name"]: s for s in self._sources()}
        for name, paths in ready.items():
            if name not in known:
                continue  # the source was forgotten meanwhile
            self.activity = f"indexing {name}"
            try:
                summary = self.engine.apply_changes(name, paths, should_stop=self.stop_event.is_set)
            except Stopped:
                raise
            except Exception as exc:
                problem = _described(exc, f"indexing changes in {name}")
                for path in paths:
                    self._error(name, f"{path}: {problem}")
                continue
            self._record(summary, f"{len(paths)} changed path(s)")

    def _process_requests(self) -> None:
        if not self._requests_waiting:
            return
        self._requests_waiting = False
        requests = take_requests(self.state_dir)
        if not requests:
            return
        self._sync_watches()  # `pocketmind add` may have added a source before asking
        wanted = {r.get("source") for r in requests}
        targets = None if None in wanted else sorted(wanted)
        log.info("index request from the CLI: %s", "all sources" if targets is None else ", ".join(targets))
        self._full_scan("requested scan", targets)

    def _maybe_rescan(self) -> None:
        if time.monotonic() >= self._next_rescan:
            self._sync_watches()
            self._full_scan("periodic rescan")

    def _maybe_poll(self) -> None:
        if time.monotonic() < self._next_poll:
            return
        self._next_poll = time.monotonic() + self.poll_seconds
        for source in self._sources():
            if not is_polled(source):
                continue
            path = Path(source["path"])
            seen = (signature(path), signature(path.with_name(path.name + "-wal")))
            if self._polled.get(source["name"]) != seen:
                self._polled[source["name"]] = seen
                self._full_scan(f"{source['name']} changed", [source["name"]])

    def _maybe_release_models(self) -> None:
        if self._models_loaded and self.idle_unload_seconds > 0 and time.monotonic() - self._last_work >= self.idle_unload_seconds:
            self.engine.release_models()
            self._models_loaded = False
            self._state_dirty = True  # daemon.json must stop saying the models are loaded
            log.info("models released after %.0f idle seconds", self.idle_unload_seconds)

    def _full_scan(self, why: str, names: list[str] | None = None) -> None:
        """engine.index(), source by source, stoppable between batches."""
        self._next_rescan = time.monotonic() + self.rescan_seconds
        sources = [s for s in self._sources() if names is None or s["name"] in names]
        for source in sources:
            self.activity = f"{why}: {source['name']}"
            self._write_state()
            try:
                summary = self.engine.index(source["name"], should_stop=self.stop_event.is_set, keep_models=True)[0]
            except Stopped:
                raise
            except Exception as exc:
                name = source["name"]
                self._error(name, f"{why}: {_described(exc, f'{why} of {name}')}")
                continue
            if is_polled(source):
                path = Path(source["path"])
                self._polled[source["name"]] = (signature(path), signature(path.with_name(path.name + "-wal")))
            self._record(summary, why)
        self.activity = "watching"

    def _record(self, summary: IndexSummary, why: str) -> None:
        self.batches += 1
        self._last_work = time.monotonic()
        self._models_loaded = self._models_loaded or summary.embedded > 0 or self.engine.models_loaded
        self._state_dirty = True
        self.last_runs[summary.source] = {"at": time.time(), "why": why, **summary.to_json()}
        for problem in summary.errors:
            self._error(summary.source, problem)
        if summary.added or summary.updated or summary.deleted or summary.failed:
            log.info("%s (%s): %d added, %d updated, %d deleted, %d failed, %d chunks embedded",
                     summary.source, why, summary.added, summary.updated, summary.deleted, summary.failed, summary.embedded)
        self.activity = "watching"

    def _error(self, source: str, problem: str) -> None:
        log.warning("%s: %s", source or "daemon", problem)
        self.errors.insert(0, {"source": source, "error": problem, "at": time.time()})
        del self.errors[MAX_ERRORS:]
        self._state_dirty = True

    # -- watching -----------------------------------------------------------------

    def _start_observer(self) -> None:
        self._observer = Observer()
        requests = self.state_dir / "requests"
        make_private_dir(requests)
        self._observer.schedule(CallbackHandler(self._on_request), str(requests), recursive=False)
        self._observer.start()

    def _on_request(self) -> None:
        self._requests_waiting = True
        self.wake()

    def _sync_watches(self) -> None:
        """Watch every registered (non-database) source; drop watches of forgotten ones."""
        current = {s["name"]: s for s in self._sources() if not is_polled(s)}
        for name in list(self._watches):
            if name not in current:
                self._observer.unschedule(self._watches.pop(name))
        for name, source in current.items():
            if name in self._watches:
                continue
            root = Path(source["path"])
            folder = root if root.is_dir() else root.parent
            if not folder.is_dir():
                self._error(name, f"{root}: source path does not exist; not watched")
                continue
            handler = SourceEventHandler(name, root, self.tracker, self.wake)
            self._watches[name] = self._observer.schedule(handler, str(folder), recursive=root.is_dir())
            log.info("watching %s (%s)", root, name)

    # -- state file -------------------------------------------------------------------

    def state(self, running: bool = True) -> dict[str, Any]:
        return {
            "running": running,
            "pid": os.getpid(),
            "started_at": self.started_at,
            "updated_at": time.time(),
            "activity": self.activity if running else "stopped",
            "queue": len(self.tracker),
            "batches": self.batches,
            "models_loaded": self._models_loaded,
            "last_runs": self.last_runs,
            "errors": self.errors,
        }

    def _write_state(self, running: bool = True) -> None:
        try:
            write_state(self.state_dir, self.state(running))
        except OSError:
            log.warning("cannot write the daemon state file", exc_info=True)
        self._last_state_write = time.monotonic()
        self._state_dirty = False


def _described(exc: Exception, what: str) -> str:
    """The error as the daemon records it. A PocketmindError (a damaged database
    among them) is already a sentence for the user: one log line, no traceback;
    anything else is unexpected and logged with its traceback."""
    if isinstance(exc, PocketmindError):
        log.error("daemon: %s failed: %s", what, exc)
        return str(exc)
    log.exception("daemon: %s failed", what)
    return f"{type(exc).__name__}: {exc}"
