"""How clients talk to the daemon: newline-delimited JSON over a Unix-domain socket.

Protocol version 1. Every message is one UTF-8 JSON object on one line. The
socket is a file in the user's runtime folder (see :func:`socket_path`), mode
0600 in a 0700 folder; the daemon never listens on TCP. The client speaks first::

    -> {"op": "hello", "version": 1}
    <- {"event": "result", "value": {"version": 1, "pid": 4242, "warnings": []}}

A hello of another version is answered with ``{"event": "error", "type":
"ProtocolMismatch", "version": <the daemon's>, ...}`` and the connection closes.
Then requests, one at a time; each gets zero or more ``token`` events and
then exactly one ``result`` or ``error``::

    -> {"op": "search", "args": {"query": "trip to Kyoto", "k": 5, "kinds": ["note"],
                                 "since": "2024-01-01T00:00:00", "person": "Anna"}}
    <- {"event": "result", "value": [<Result>, ...]}
    -> {"op": "ask", "args": {"question": "When is Anna moving?", <the same filters>, "passages": true}}
    <- {"event": "passages", "quotes": [<Quote>, ...], "passages": [<Result>, ...]}
    <- {"event": "token", "text": "Anna moves on 1 March [1]"}
    <- {"event": "result", "value": <Answer>}
    -> {"op": "status"}  |  {"op": "sources"}  |  {"op": "source_overlaps"}
    -> {"op": "document", "args": {"ref": "<document id or uri>"}}
    <- {"event": "error", "type": "SourceError", "error": "one line for the user"}

Results and answers travel as ``Result.to_json(full=True)`` / ``Answer.to_json(full=True)``
and are rebuilt with ``from_json``. Tokens are the answer text as the answer
pipeline hands it over: only once verified, never before. An ``ask`` with
``"passages": true`` first gets, before a model starts reading them, the passages
and the line of each closest to the question (none when the data answers
alone); a client that does not ask for them never sees the event. While an ``ask``
runs the client may send ``{"op": "cancel"}``; closing the connection cancels
it too. Times (``since``, ``until``) are ISO 8601 strings.

This module and :mod:`pocketmind.client` stay light: a CLI call through the
daemon imports neither the engine nor numpy, SQLite or a model library.
"""

from __future__ import annotations

import json
import os
import select
import socket
import sys
import zlib
from pathlib import Path
from typing import Any

from .errors import PocketmindError
from .paths import APP, Paths

PROTOCOL_VERSION = 1
# sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included.
MAX_SOCKET_PATH = 100
MAX_REQUEST_BYTES = 1 << 20  # a question or a filter is small; a runaway client is cut off


class ProtocolError(Exception):
    """The other side sent something that is not this protocol (or went away mid-line)."""


def socket_path(paths: Paths) -> Path:
    """Where the daemon of the home ``paths`` listens: the runtime folder when the OS has one,
    else the state folder, else a private folder in the temp dir, whichever gives a path short
    enough for ``sun_path``. Named after the database, so two homes never share a socket."""
    database = os.fsencode(paths.database)
    # Two 32-bit checksums tell homes apart as well as a digest would, without loading OpenSSL (hashlib).
    name = f"daemon-{zlib.crc32(database):08x}{zlib.adler32(database):08x}.sock"
    for folder in _socket_folders(paths):
        path = folder / name
        if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
            return path
    raise PocketmindError(f"no folder gives a socket path under {MAX_SOCKET_PATH} bytes for {paths.state_dir}")


def _socket_folders(paths: Paths) -> list[Path]:
    folders = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        folders.append(Path(runtime) / APP)
    elif sys.platform == "darwin":
        import platformdirs

        folders.append(Path(platformdirs.user_runtime_dir(APP)))
    folders.append(paths.state_dir)
    import tempfile  # only for a home so deep that its state folder cannot hold the socket

    folders.append(Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}")
    return folders


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, ensure_ascii=False, default=str) + "\n").encode("utf-8")


class LineReader:
    """Reads one JSON message per line from a socket, with an optional timeout per message."""

    def __init__(self, sock: socket.socket, limit: int | None = None):
        self.sock = sock
        self.limit = limit
        self._buffer = b""

    def read(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next message; None when the other side closed the connection.
        Raises TimeoutError when ``timeout`` passes without a whole line."""
        while b"\n" not in self._buffer:
            if self.limit is not None and len(self._buffer) > self.limit:
                raise ProtocolError(f"a message longer than {self.limit} bytes")
            if timeout is not None and not select.select([self.sock], [], [], timeout)[0]:
                raise TimeoutError
            chunk = self.sock.recv(65536)
            if not chunk:
                if self._buffer:
                    raise ProtocolError("the connection closed in the middle of a message")
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            raise ProtocolError("a message that is not JSON") from None
        if not isinstance(message, dict):
            raise ProtocolError("a message that is not a JSON object")
        return message
