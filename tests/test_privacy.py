"""No byte leaves the device: the whole product runs with network access made to fail loudly.

The CLI runs in subprocesses whose interpreter (and every child it starts,
such as the LLM probe) loads a ``sitecustomize`` that makes every internet
socket connection and name lookup raise and leave a mark in a file, so even
an attempt that some library catches and hides fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from helpers import SAMPLES

GUARD = textwrap.dedent(
    """
    import os, socket

    _LOG = os.environ["PM_NETWORK_LOG"]

    def _refuse(what):
        with open(_LOG, "a") as f:
            f.write(what + "\\n")
        raise OSError("network access attempted: " + what)

    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _refuse(f"connect {address!r}")
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _refuse(f"connect_ex {address!r}")
        return _connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.getaddrinfo = lambda *a, **k: _refuse(f"getaddrinfo {a[:2]!r}")
    socket.create_connection = lambda address, *a, **k: _refuse(f"create_connection {address!r}")
    """
)


def test_add_index_search_ask_without_network(tmp_path):
    guard_dir = tmp_path / "guard"
    guard_dir.mkdir()
    (guard_dir / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(PYTHONPATH=str(guard_dir), PM_NETWORK_LOG=str(log), POCKETMIND_HOME=str(tmp_path / "home"))

    def pm(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "pocketmind.cli", *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout

    # The guard really is active in the child processes.
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"], env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "network access attempted" in probe.stderr
    log.unlink()

    pm("add", "notes", str(SAMPLES / "notes"), "--name", "notes")
    pm("add", "messages", str(SAMPLES / "messages"), "--name", "chat")
    summary = json.loads(pm("index", "--json"))
    assert summary["added"] > 10 and summary["failed"] == 0
    results = json.loads(pm("search", "fox charm at Fushimi Inari", "--json"))["results"]
    assert results[0]["id"] == "notes:Kyoto trip.md"
    answer = json.loads(pm("ask", "When is Anna moving to Berlin?", "--json"))
    assert answer["answer"] and answer["citations"]
    assert not log.exists(), f"network attempts: {log.read_text()}"

    # The same through the daemon's socket: the daemon (started from the guarded CLI, so guarded
    # too) serves search and ask, and neither side reaches for the network.
    pm("daemon", "start", "--quiet", "0.3")
    try:
        assert json.loads(pm("search", "fox charm at Fushimi Inari", "--json"))["results"] == results
        assert json.loads(pm("ask", "When is Anna moving to Berlin?", "--json")) == answer
        assert "daemon running" in pm("daemon", "status")
    finally:
        pm("daemon", "stop")
    assert "serving on" in (tmp_path / "home" / "logs" / "daemon.log").read_text()
    assert not log.exists(), f"network attempts: {log.read_text()}"


# The daemon's socket and its clients: Unix-domain sockets only (checked below).
UNIX_SOCKET_MODULES = {"pocketmind/protocol.py", "pocketmind/client.py", "pocketmind/daemon/server.py"}


def test_product_code_imports_no_network_library():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    forbidden = ("import requests", "import httpx", "import urllib.request", "from urllib.request", "import urllib3",
                 "import aiohttp", "import socket", "from socket", "import http.client", "from http.client")
    for folder in ("pocketmind", "indexers", "store", "tui"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.relative_to(root).as_posix() in UNIX_SOCKET_MODULES:
                assert "AF_INET" not in text and "create_connection" not in text and "from socket" not in text, path
                assert all(line.count("socket.socket(") == line.count("socket.socket(socket.AF_UNIX")
                           for line in text.splitlines()), f"{path} opens a socket that is not AF_UNIX"
                continue
            for needle in forbidden:
                assert needle not in text, f"{path} uses {needle}"
