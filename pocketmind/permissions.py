"""A private store: pocketmind's folders are 0700 and its files 0600, and it says so when they are looser.

Two layers keep other local users out:

- Explicit modes. Every folder pocketmind makes is created 0700 and every
  file it writes itself is created 0600 (a file it rewrites is tightened too),
  whatever the umask. The database is created empty and 0600 before SQLite
  opens it, because SQLite gives its -wal and -shm files the database's mode.
- A 0o077 umask, for files that other code creates for us at any time
  (SQLite, torch's ONNX export, log handlers, plugins). The CLI sets it for
  its whole run (so do the daemon and the TUI, which run inside it): a
  command owns its process, so nothing else is affected. The library API only
  sets it around its own writes (:func:`private_umask`), because the umask
  belongs to the whole process and a program that embeds an Engine must keep
  its own for its own files; there the explicit modes are the guarantee.
"""

from __future__ import annotations

import os
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600

_umask_lock = threading.Lock()
_umask_users = 0
_umask_before = 0


@contextmanager
def private_umask() -> Iterator[None]:
    """The 0o077 umask while inside. Re-entrant and shared by threads: the first in sets it and
    the last out restores it, so overlapping uses never restore each other's value."""
    global _umask_users, _umask_before
    with _umask_lock:
        if _umask_users == 0:
            _umask_before = os.umask(PRIVATE_UMASK)
        _umask_users += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_users -= 1
            if _umask_users == 0:
                os.umask(_umask_before)


def make_private_dir(path: Path) -> None:
    """Create the folder ``path`` 0700. Its missing parents get the usual mode (like ``mkdir -p``):
    ``~/.local/share`` is not pocketmind's. An existing folder is left as it is (see :func:`loose_permissions`)."""
    path = Path(path)
    if path.is_dir():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir(mode=DIR_MODE, exist_ok=True)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 unless it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def write_private(path: Path, data: str | bytes) -> None:
    """Write ``path`` (a str as UTF-8) readable and writable by its owner only."""
    with _open_private(path, os.O_TRUNC) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def open_private_append(path: Path) -> BinaryIO:
    """Open ``path`` for appending (a log), created 0600."""
    return _open_private(path, os.O_APPEND)


def _open_private(path: Path, flag: int) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flag, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # it may have existed, written by an older version
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "ab" if flag == os.O_APPEND else "wb")


def loose_permissions(paths: Iterable[Path]) -> list[str]:
    """One line per existing path that other users may read or enter, with the chmod that fixes it."""
    if os.name != "posix":
        return []  # Windows keeps a user's profile private through ACLs, not modes
    lines = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            fix = "700" if stat.S_ISDIR(info.st_mode) else "600"
            lines.append(f"{path} is open to other users (mode {mode:04o}); fix: chmod {fix} {path}")
    return lines
