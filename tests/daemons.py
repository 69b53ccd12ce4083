"""Real daemons for tests: one serving an engine from a thread, and what waits for them.

Shared by the socket's tests and the TUI's (a daemon in a thread shares the warm models of the test process).
"""

from __future__ import annotations

import contextlib
import threading
import time

from pocketmind.daemon import Daemon
from pocketmind.engine import Engine
from pocketmind.hookspecs import hookimpl
from pocketmind.protocol import socket_path
from pocketmind.results import Answer

MODEL_QUESTION = "What did I buy for Mum at Fushimi Inari?"  # answered by the model, not from the data



def wait_for(condition, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class WaitingAnswerer:
    """Stands in for a slow model: answers only once cancelled (or after 30 s)."""

    name = "waits"

    def __init__(self):
        self.started = threading.Event()
        self.cancelled = threading.Event()

    def answer(self, question, contexts, on_token=None, cancel=None):
        self.started.set()
        if cancel is not None and cancel.wait(30):
            self.cancelled.set()
        return Answer(question, "", list(contexts), False, source="model")


class WaitingPlugin:
    def __init__(self):
        self.answerer = WaitingAnswerer()

    @hookimpl
    def register_answerers(self, register):
        register("waits", lambda settings, paths: self.answerer)


@contextlib.contextmanager
def daemon_thread(engine: Engine, idle_unload_seconds: float = 0):
    stop = threading.Event()
    daemon = Daemon(engine, quiet_seconds=0.3, rescan_seconds=3600, idle_unload_seconds=idle_unload_seconds, stop_event=stop)
    thread = threading.Thread(target=daemon.run, name="daemon")
    thread.start()
    try:
        wait_for(lambda: daemon.activity == "watching", 120, "the initial scan")
        yield daemon
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert not socket_path(engine.paths).exists()  # removed on the way out
