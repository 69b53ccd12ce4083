"""Ask the running daemon: the Engine's read methods over its socket (see :mod:`pocketmind.protocol`).

    import pocketmind

    with pocketmind.connect() as pm:           # DaemonNotRunning when no daemon serves this home
        for result in pm.search("trip to Kyoto", k=3):
            print(result.title, result.uri)
        answer = pm.ask("When is Anna moving to Berlin?", on_token=print)

The daemon holds the models warm, so a call costs milliseconds instead of a
model load. A client makes one request at a time (threads sharing one client
take turns); open one client per thread to run requests side by side.
Importing this module loads neither the engine nor numpy, SQLite or a model.
"""

from __future__ import annotations

import socket
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from . import errors
from .errors import DaemonError, DaemonGone, DaemonNotRunning, DaemonVersionMismatch, PocketmindError
from .paths import Paths, resolve_paths
from .protocol import PROTOCOL_VERSION, LineReader, ProtocolError, encode, socket_path
from .results import Answer, Quote, Result

CANCEL_POLL = 0.1  # seconds between looks at the caller's cancel event while an answer is being made


def connect(home: str | Path | None = None, *, timeout: float = 5.0) -> "Client":
    """A client of the daemon serving ``home`` (default: ``POCKETMIND_HOME`` or the usual folders).

    Raises :class:`DaemonNotRunning` when none runs, :class:`DaemonError` when it speaks
    another protocol version. ``pocketmind.connect(fallback=True)`` opens the engine
    in-process instead of raising."""
    return connect_to(resolve_paths(home), timeout=timeout)


def connect_to(paths: Paths, *, timeout: float = 5.0) -> "Client":
    """:func:`connect` for a home's :class:`~pocketmind.paths.Paths`."""
    path = socket_path(paths)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except (FileNotFoundError, ConnectionRefusedError):
        sock.close()
        raise DaemonNotRunning(f"no pocketmind daemon is running for this home ({path} does not answer); "
                               "start one with `pocketmind daemon start`") from None
    except OSError as exc:
        sock.close()
        raise DaemonError(f"cannot reach the pocketmind daemon at {path}: {exc.strerror or exc}") from None
    try:
        return Client(sock, timeout)
    except (TimeoutError, OSError) as exc:
        sock.close()
        if isinstance(exc, TimeoutError):  # every worker busy with a long answer, or the daemon is stuck
            raise DaemonError(f"the pocketmind daemon did not answer within {timeout:.0f} s; try again, "
                              "or see `pocketmind daemon status`") from None
        raise DaemonError(f"lost the connection to the pocketmind daemon: {exc.strerror or exc}") from None
    except BaseException:
        sock.close()
        raise


class Client:
    """The Engine's read methods, answered by the daemon. Close it (or use ``with``) when done."""

    def __init__(self, sock: socket.socket, timeout: float | None = 5.0):
        self._sock = sock
        self._reader = LineReader(sock)
        self._lock = threading.Lock()
        sock.sendall(encode({"op": "hello", "version": PROTOCOL_VERSION}))
        reply = self._next(timeout)
        if reply.get("event") == "error" and reply.get("type") == "ProtocolMismatch":
            raise DaemonVersionMismatch(mismatch_message(PROTOCOL_VERSION, reply.get("version")))
        hello = self._value(reply)
        if hello.get("version") != PROTOCOL_VERSION:
            raise DaemonVersionMismatch(mismatch_message(PROTOCOL_VERSION, hello.get("version")))
        sock.settimeout(None)  # answers may take long; the daemon's end of the socket says when it is gone
        self.pid: int = hello.get("pid", 0)
        self.warnings: list[str] = hello.get("warnings", [])  # what the daemon's engine warned about (loose permissions)

    # -- lifecycle ----------------------------------------------------------------

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the Engine's read methods ------------------------------------------------

    def search(self, query: str, *, k: int | None = None, kinds: Sequence[str] = (), sources: Sequence[str] = (),
               since: datetime | None = None, until: datetime | None = None, person: str | Sequence[str] | None = None,
               chat_with: str | Sequence[str] | None = None) -> list[Result]:
        """Like :meth:`pocketmind.Engine.search` with its filters."""
        args = {"query": query, "k": k, **_filters(kinds, sources, since, until, person, chat_with)}
        return [Result.from_json(r) for r in self._call("search", args)]

    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
            kinds: Sequence[str] = (), sources: Sequence[str] = (), since: datetime | None = None, until: datetime | None = None,
            person: str | Sequence[str] | None = None, chat_with: str | Sequence[str] | None = None,
            on_passages: Callable[[list[Quote], list[Result]], None] | None = None) -> Answer:
        """Like :meth:`pocketmind.Engine.ask`: ``on_token`` gets the answer's text as it comes (once verified),
        ``on_passages`` the passages a model reads before it answers; setting ``cancel`` stops the daemon's work on it."""
        args = {"question": question, **_filters(kinds, sources, since, until, person, chat_with)}
        if on_passages is not None:
            args["passages"] = True
        return Answer.from_json(self._call("ask", args, on_token=on_token, cancel=cancel, on_passages=on_passages))

    def status(self) -> dict[str, Any]:
        return self._call("status")

    def sources(self) -> list[dict[str, Any]]:
        return self._call("sources")

    def source_overlaps(self) -> dict[str, Any]:
        return self._call("source_overlaps")

    def document(self, ref: str) -> dict[str, Any] | None:
        """The whole stored document a result cites, by its id or uri; None if there is none."""
        return self._call("document", {"ref": ref})

    # -- the wire ---------------------------------------------------------------------

    def _call(self, op: str, args: dict[str, Any] | None = None, *, on_token: Callable[[str], None] | None = None,
              cancel: threading.Event | None = None, on_passages: Callable[[list[Quote], list[Result]], None] | None = None) -> Any:
        with self._lock:
            try:
                self._sock.sendall(encode({"op": op, "args": args or {}}))
                while True:
                    reply = self._next_or_cancel(cancel)
                    if reply.get("event") == "token":
                        if on_token is not None:
                            on_token(reply["text"])
                        continue
                    if reply.get("event") == "passages":
                        if on_passages is not None:
                            on_passages([Quote.from_json(q) for q in reply["quotes"]], [Result.from_json(r) for r in reply["passages"]])
                        continue
                    return self._value(reply)
            except OSError as exc:
                raise DaemonGone(f"lost the connection to the pocketmind daemon: {exc.strerror or exc}") from None

    def _next_or_cancel(self, cancel: threading.Event | None) -> dict[str, Any]:
        if cancel is None:
            return self._next()
        sent = False
        while True:
            if cancel.is_set() and not sent:
                self._sock.sendall(encode({"op": "cancel"}))
                sent = True
            try:
                return self._next(CANCEL_POLL)
            except TimeoutError:
                continue

    def _next(self, timeout: float | None = None) -> dict[str, Any]:
        try:
            reply = self._reader.read(timeout)
        except ProtocolError as exc:
            raise DaemonError(f"the pocketmind daemon sent something unreadable: {exc}") from None
        if reply is None:
            raise DaemonGone("the pocketmind daemon closed the connection (stopped? see `pocketmind daemon status`)")
        return reply

    @staticmethod
    def _value(reply: dict[str, Any]) -> Any:
        if reply.get("event") == "result":
            return reply.get("value")
        if reply.get("event") == "error":
            raise _error(reply.get("type", ""), reply.get("error", "the daemon failed"))
        raise DaemonError(f"the pocketmind daemon sent an unexpected {reply.get('event')!r} message")


def mismatch_message(ours: int, theirs: Any) -> str:
    return (f"the running pocketmind daemon speaks protocol version {theirs}, this pocketmind speaks version {ours}: "
            "restart the daemon so both are the same version (`pocketmind daemon stop`, then `pocketmind daemon start`)")


def _filters(kinds, sources, since, until, person, chat_with) -> dict[str, Any]:
    return {"kinds": list(kinds or ()), "sources": list(sources or ()),
            "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
            "person": person if isinstance(person, (str, type(None))) else list(person),
            "chat_with": chat_with if isinstance(chat_with, (str, type(None))) else list(chat_with)}


def _error(kind: str, message: str) -> PocketmindError:
    """The daemon's error as the same PocketmindError subclass (the CLI's exit code depends on it)."""
    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, PocketmindError)):
        cls = DaemonError
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    return error
