"""pocketmind: a private, on-device personal knowledge engine.

    from pocketmind import Engine
    with Engine() as engine:
        engine.add_source("notes", "~/Notes")
        engine.index()
        for result in engine.search("trip to Kyoto"):
            print(result.title, result.uri)

``pocketmind.connect()`` asks the running daemon instead (see :mod:`pocketmind.client`).
Names are imported on first use, so a client of the daemon never loads the engine.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from . import offline  # noqa: F401  (must run before any model library is imported)

__all__ = ["Engine", "connect", "Document", "Section", "Attachment", "Result", "Answer", "hookimpl", "PocketmindError",
           "ParseError"]
__version__ = "0.1.0"

_LAZY = {
    "Engine": ".engine", "Document": ".documents", "Section": ".documents", "Attachment": ".documents",
    "Result": ".results", "Answer": ".results", "hookimpl": ".hookspecs", "PocketmindError": ".errors",
    "ParseError": ".errors",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def connect(home: str | Path | None = None, *, fallback: bool = False):
    """A client of the running daemon (:class:`pocketmind.client.Client`): the Engine's read
    methods (search, ask, status, sources, document) answered by its warm models.

    No daemon: :class:`pocketmind.client.DaemonNotRunning`, or with ``fallback=True`` an
    in-process :class:`Engine` over the same home (loads the models itself; close it when done)."""
    from .client import DaemonNotRunning, connect as connect_daemon

    try:
        return connect_daemon(home)
    except DaemonNotRunning:
        if not fallback:
            raise
    from .engine import Engine

    return Engine(home=home)
