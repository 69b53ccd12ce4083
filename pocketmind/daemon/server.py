"""The daemon serves its engine on a Unix-domain socket (protocol: :mod:`pocketmind.protocol`).

- The socket is created 0600 in a 0700 folder owned by the user; it is never TCP.
- A pool of worker threads serves the connections, one each, so several
  clients are answered at once. A worker keeps its SQLite connection between
  clients (the store opens one per thread), so a call does not pay for opening it.
- Reads use their own connection in WAL mode and never take the engine's
  write lock: a search is answered while the loop thread commits a batch.
- An ``ask`` whose client sends ``cancel`` or goes away is cancelled: the
  engine's ``cancel`` event stops the model between tokens.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from pocketmind.errors import PocketmindError
from pocketmind.permissions import make_private_dir
from pocketmind.protocol import MAX_REQUEST_BYTES, PROTOCOL_VERSION, LineReader, ProtocolError, encode

log = logging.getLogger(__name__)

WORKERS = 16  # clients served at once; more wait in line for a worker
ACCEPT_POLL = 0.5  # seconds between looks at the stop flag while no client connects


class SocketServer:
    def __init__(self, engine, path: Path, *, workers: int = WORKERS, on_request: Callable[[], None] = lambda: None):
        self.engine = engine
        self.on_request = on_request  # called after each answered request (the daemon's idle clock)
        self.path = Path(path)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pocketmind-client")
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self.cancelled = 0  # answers cancelled because their client asked or went away

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        folder = self.path.parent
        make_private_dir(folder)
        _check_private_folder(folder)
        # Only this daemon holds the daemon lock, so a socket file left here is a dead daemon's.
        self.path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        before = os.umask(0o177)  # the socket is born 0600: no moment where others could connect
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(before)
        os.chmod(self.path, 0o600)
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, name="pocketmind-socket", daemon=True)
        self._thread.start()
        log.info("serving on %s", self.path)

    def close(self) -> None:
        """Stop accepting, hang up on every client (their answers are cancelled), remove the socket."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        with self._open_lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._pool.shutdown(wait=True, cancel_futures=True)
        try:
            if self._listener is not None and stat.S_ISSOCK(os.lstat(self.path).st_mode):
                self.path.unlink()
        except FileNotFoundError:
            pass

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopping.is_set():
                    return
                log.warning("the socket stopped accepting", exc_info=True)
                time.sleep(ACCEPT_POLL)
                continue
            conn.settimeout(None)
            with self._open_lock:
                self._open.add(conn)
            self._pool.submit(self._serve, conn)

    # -- one client -------------------------------------------------------------------

    def _serve(self, conn: socket.socket) -> None:
        reader = LineReader(conn, limit=MAX_REQUEST_BYTES)
        try:
            if not self._hello(conn, reader):
                return
            while not self._stopping.is_set():
                request = reader.read()
                if request is None:
                    return
                self._answer(conn, reader, request)
        except (OSError, ProtocolError) as exc:
            log.debug("client connection ended: %s", exc)
        finally:
            with self._open_lock:
                self._open.discard(conn)
            conn.close()

    def _hello(self, conn: socket.socket, reader: LineReader) -> bool:
        hello = reader.read()
        if hello is None:
            return False
        if hello.get("op") != "hello" or hello.get("version") != PROTOCOL_VERSION:
            conn.sendall(encode({"event": "error", "type": "ProtocolMismatch", "version": PROTOCOL_VERSION,
                                 "error": f"this daemon speaks protocol version {PROTOCOL_VERSION}, "
                                          f"the client sent {hello.get('op')} version {hello.get('version')}"}))
            return False
        conn.sendall(encode({"event": "result", "value": {"version": PROTOCOL_VERSION, "pid": os.getpid(),
                                                         "warnings": list(self.engine.warnings)}}))
        return True

    def _answer(self, conn: socket.socket, reader: LineReader, request: dict[str, Any]) -> None:
        op, args = request.get("op"), request.get("args") or {}
        try:
            if op == "ask":
                value = self._ask(conn, reader, args)
            elif op in READS:
                value = READS[op](self.engine, args)
            elif op == "cancel":
                return  # the answer it meant to cancel had already been sent
            else:
                raise PocketmindError(f"unknown request {op!r}")
        except PocketmindError as exc:
            conn.sendall(encode({"event": "error", "type": type(exc).__name__, "error": str(exc)}))
            return
        except (OSError, ProtocolError):
            raise
        except Exception as exc:  # the daemon goes on; the client gets one line, the log the traceback
            log.exception("request %s failed", op)
            conn.sendall(encode({"event": "error", "type": "DaemonError",
                                 "error": f"the daemon failed: {type(exc).__name__}: {exc} (see its log)"}))
            return
        finally:
            self.on_request()
        conn.sendall(encode({"event": "result", "value": value}))

    def _ask(self, conn: socket.socket, reader: LineReader, args: dict[str, Any]) -> dict[str, Any] | None:
        cancel = threading.Event()
        wake_r, wake_w = os.pipe()
        watcher = threading.Thread(target=self._watch_for_cancel, args=(conn, reader, cancel, wake_r), daemon=True)
        watcher.start()

        def send_token(text: str) -> None:
            if cancel.is_set():
                return
            try:
                conn.sendall(encode({"event": "token", "text": text}))
            except OSError:
                cancel.set()

        def send_passages(quotes, passages) -> None:
            if cancel.is_set():
                return
            try:
                conn.sendall(encode({"event": "passages", "quotes": [q.to_json() for q in quotes],
                                     "passages": [r.to_json(full=True) for r in passages]}))
            except OSError:
                cancel.set()

        started = time.monotonic()
        try:
            answer = self.engine.ask(args["question"], on_token=send_token, cancel=cancel,
                                     on_passages=send_passages if args.get("passages") else None, **_filters(args))
        finally:
            os.write(wake_w, b"x")
            watcher.join()
            os.close(wake_r)
            os.close(wake_w)
        if cancel.is_set():  # a client still there gets what was made; a gone one, nothing
            self.cancelled += 1
            log.info("answer cancelled after %.1f s: the client cancelled or went away", time.monotonic() - started)
        return answer.to_json(full=True)

    def _watch_for_cancel(self, conn: socket.socket, reader: LineReader, cancel: threading.Event, wake: int) -> None:
        """While an answer is made: a ``cancel`` request or a closed connection sets ``cancel``."""
        while True:
            ready = select.select([conn, wake], [], [])[0]
            if wake in ready:
                return
            try:
                request = reader.read()
            except (OSError, ProtocolError):
                request = None
            if request is None or request.get("op") == "cancel":
                cancel.set()
                return


def _check_private_folder(folder: Path) -> None:
    """The socket's folder must be ours and closed to others (a shared temp dir could hold someone else's)."""
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PocketmindError(f"{folder} is not a folder of this user; the daemon will not put its socket there")
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    return {"kinds": args.get("kinds") or (), "sources": args.get("sources") or (), "since": _time(args.get("since")),
            "until": _time(args.get("until")), "person": args.get("person"), "chat_with": args.get("chat_with")}


def _search(engine, args: dict[str, Any]) -> list[dict[str, Any]]:
    return [r.to_json(full=True) for r in engine.search(args["query"], k=args.get("k"), **_filters(args))]


# The engine's read methods a client may call (ask is streamed, above).
READS = {
    "search": _search,
    "status": lambda engine, args: engine.status(),
    "sources": lambda engine, args: engine.sources(),
    "source_overlaps": lambda engine, args: engine.source_overlaps(),
    "document": lambda engine, args: engine.document(str(args["ref"])),
}
