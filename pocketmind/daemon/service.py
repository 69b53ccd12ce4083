"""The daemon's footprint on disk: lock and pid files, state file, requests, service units.

Everything lives in the state directory:

- ``daemon.lock``: held with ``flock`` while a daemon runs. The kernel drops
  it when the process dies, even by SIGKILL, so a stale pid file never
  makes a dead daemon look alive.
- ``daemon.pid``: the running daemon's pid.
- ``daemon.json``: what the daemon is doing (queue, last runs, errors),
  rewritten atomically when it changes; read by ``daemon status``.
- ``requests/``: ``pocketmind index`` drops a JSON file here when a daemon
  runs, instead of writing to the database beside it.
"""

from __future__ import annotations

import fcntl
import json
import os
import plistlib
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Sequence

from pocketmind.errors import DaemonError
from pocketmind.permissions import make_private_dir, open_private_append, write_private
from pocketmind.text import one_line

LOCK_FILE = "daemon.lock"
PID_FILE = "daemon.pid"
STATE_FILE = "daemon.json"
REQUESTS_DIR = "requests"
SYSTEMD_UNIT = "pocketmind.service"
LAUNCHD_LABEL = "dev.pocketmind.daemon"


class DaemonRunning(RuntimeError):
    def __init__(self, pid: int | None):
        super().__init__(f"a pocketmind daemon is already running (pid {pid})")
        self.pid = pid


class DaemonLock:
    """The single-writer lock: acquired by the daemon for its whole life."""

    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self._fd: int | None = None

    def acquire(self) -> None:
        make_private_dir(self.state_dir)
        fd = os.open(self.state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DaemonRunning(read_pid(self.state_dir)) from None
        self._fd = fd
        _write_atomic(self.state_dir / PID_FILE, f"{os.getpid()}\n")

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            (self.state_dir / PID_FILE).unlink(missing_ok=True)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def read_pid(state_dir: Path) -> int | None:
    try:
        return int((Path(state_dir) / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def running_daemon_pid(state_dir: Path) -> int | None:
    """The pid of the live daemon holding the lock, or None when none runs."""
    path = Path(state_dir) / LOCK_FILE
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return read_pid(state_dir) or -1  # locked but pid not written yet: it is starting
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


# -- state file -----------------------------------------------------------------


def write_state(state_dir: Path, state: dict[str, Any]) -> None:
    _write_atomic(Path(state_dir) / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1, default=str))


def read_state(state_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((Path(state_dir) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_private(tmp, text)
    tmp.replace(path)


# -- index requests handed over by the CLI -----------------------------------------


def hand_off_index(state_dir: Path, source: str | None) -> Path:
    folder = Path(state_dir) / REQUESTS_DIR
    make_private_dir(folder)
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.json"
    tmp = folder / f".{name}.tmp"  # the daemon ignores dot files, so it never reads half a request
    write_private(tmp, json.dumps({"source": source, "requested_at": time.time(), "pid": os.getpid()}))
    tmp.replace(folder / name)
    return folder / name


def take_requests(state_dir: Path) -> list[dict[str, Any]]:
    """Read and remove every waiting request, oldest first."""
    folder = Path(state_dir) / REQUESTS_DIR
    if not folder.is_dir():
        return []
    requests = []
    for path in sorted(folder.glob("[!.]*.json")):
        try:
            requests.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            requests.append({"source": None})  # unreadable: treat as "index everything"
        path.unlink(missing_ok=True)
    return requests


# -- background process -------------------------------------------------------------


def run_command(home: str | None, extra: Sequence[str] = ()) -> list[str]:
    """The command line that runs the daemon in the foreground."""
    cmd = [sys.executable, "-m", "pocketmind.cli"]
    if home:
        cmd += ["--home", str(Path(home).expanduser().resolve())]
    return cmd + ["daemon", "run", *extra]


def spawn(home: str | None, log_dir: Path, state_dir: Path, extra: Sequence[str] = (), wait_seconds: float = 20.0,
          env: dict[str, str] | None = None) -> int:
    """Start ``daemon run`` detached, output to the log dir; return its pid once it holds the lock.

    ``env`` is added to the daemon's environment (a database key typed at a prompt)."""
    make_private_dir(log_dir)
    log_path = log_dir / "daemon.log"
    with open_private_append(log_path) as log_file:
        proc = subprocess.Popen(run_command(home, extra), stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=str(Path.home()), close_fds=True, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        pid = running_daemon_pid(state_dir)
        if pid == proc.pid:
            return pid
        if proc.poll() is not None:
            said = _last_line(log_path)
            raise DaemonError(f"the daemon exited at once (code {proc.returncode}){': ' + said if said else ''}; see {log_path}")
        time.sleep(0.1)
    raise DaemonError(f"the daemon did not start within {wait_seconds:.0f} s; see {log_path}")


def _last_line(log_path: Path) -> str:
    """What a daemon that stopped at once said last (its error), on one line."""
    try:
        lines = log_path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return one_line(lines[-1]) if lines else ""


def terminate(state_dir: Path, wait_seconds: float = 60.0) -> int | None:
    """SIGTERM the running daemon and wait until it let go of the lock; return its pid."""
    import signal

    pid = running_daemon_pid(state_dir)
    if pid is None or pid < 0:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if running_daemon_pid(state_dir) is None:
            return pid
        time.sleep(0.1)
    raise DaemonError(f"the daemon (pid {pid}) is still finishing its batch after {wait_seconds:.0f} s")


# -- service units -----------------------------------------------------------------


def install_service(home: str | None, extra: Sequence[str] = (), platform: str = sys.platform,
                    target_dir: Path | None = None) -> tuple[Path, str]:
    """Write a systemd user unit (Linux) or a launchd agent (macOS); return (path, enable command)."""
    command = run_command(home, extra)
    if platform == "darwin":
        folder = target_dir or Path.home() / "Library" / "LaunchAgents"
        path = folder / f"{LAUNCHD_LABEL}.plist"
        agent = {
            "Label": LAUNCHD_LABEL,
            "ProgramArguments": command,
            "RunAtLoad": True,
            "KeepAlive": {"SuccessfulExit": False},  # restart after a crash, not after `daemon stop`
            "ProcessType": "Background",
            "LowPriorityIO": True,
            "Nice": 10,
        }
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(plistlib.dumps(agent))
        return path, f"launchctl bootstrap gui/$(id -u) {shlex.quote(str(path))}"
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    folder = target_dir or config_home / "systemd" / "user"
    path = folder / SYSTEMD_UNIT
    unit = "\n".join([
        "[Unit]",
        "Description=pocketmind: keep the personal index up to date",
        "",
        "[Service]",
        "Type=simple",
        f"ExecStart={shlex.join(command)}",
        "Restart=on-failure",
        "RestartSec=10",
        "Nice=10",
        "IOSchedulingClass=idle",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ])
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(unit, encoding="utf-8")
    return path, f"systemctl --user daemon-reload && systemctl --user enable --now {SYSTEMD_UNIT}"


def status_report(engine) -> dict[str, Any]:
    """What `daemon status` shows: the running daemon's state file plus the store's counts."""
    pid = running_daemon_pid(engine.paths.state_dir)
    state = read_state(engine.paths.state_dir) if pid else {}
    overall = engine.status()
    runs = state.get("last_runs", {})
    last_indexed = {
        s["name"]: {"at": s["last_indexed_at"], "documents": s["documents"], "errors": s["errors"], "last_run": runs.get(s["name"])}
        for s in overall["sources"]
    }
    return {
        "running": pid is not None,
        "pid": pid if pid and pid > 0 else None,
        "activity": state.get("activity", "not running" if pid is None else "starting"),
        "queue": state.get("queue", 0),
        "state_updated_at": state.get("updated_at"),
        "last_indexed": last_indexed,
        "documents": overall["documents"],
        "chunks": overall["chunks"],
        "by_kind": overall.get("by_kind", {}),
        "recent_errors": overall["recent_errors"],
        "daemon_errors": state.get("errors", []),
    }
