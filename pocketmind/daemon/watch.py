"""Watching source folders: which paths changed, and when they are safe to index.

A path is handed on only once it has stopped changing: no event for the
quiet period *and* the same size and mtime at the end of it as at the last
look (the approach of paperless-ngx's consumer), so a half-written export or
a photo still being copied is never indexed.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from pocketmind.indexing.files import is_ignored

Signature = tuple[int, int] | None  # (size, mtime_ns), None when the path is gone


def signature(path: Path) -> Signature:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass
class _Pending:
    source: str
    due: float
    seen: Signature


class StabilityTracker:
    """Paths waiting for their quiet period to pass. Thread-safe; never sleeps itself."""

    def __init__(self, quiet_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.quiet = quiet_seconds
        self.clock = clock
        self._pending: dict[Path, _Pending] = {}
        self._lock = threading.Lock()

    def touch(self, path: Path, source: str) -> None:
        """A path changed: (re)start its quiet period."""
        with self._lock:
            self._pending[path] = _Pending(source, self.clock() + self.quiet, signature(path))

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def next_due(self) -> float | None:
        with self._lock:
            return min((p.due for p in self._pending.values()), default=None)

    def pop_ready(self) -> dict[str, list[Path]]:
        """Paths whose quiet period is over and whose size and mtime held still, by source."""
        now = self.clock()
        ready: dict[str, list[Path]] = {}
        with self._lock:
            for path, item in list(self._pending.items()):
                if item.due > now:
                    continue
                current = signature(path)
                if current != item.seen:  # still being written: look again after another quiet period
                    item.seen, item.due = current, now + self.quiet
                    continue
                del self._pending[path]
                ready.setdefault(item.source, []).append(path)
        return ready


class SourceEventHandler(FileSystemEventHandler):
    """Turns watchdog events under one source root into tracker entries."""

    def __init__(self, source: str, root: Path, tracker: StabilityTracker, wake: Callable[[], None]):
        self.source = source
        self.root = root
        self.tracker = tracker
        self.wake = wake
        # a single-file source is watched through its folder: only that file counts
        self.only = root if root.is_file() else None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads are not changes
        if event.is_directory and event.event_type not in ("created", "deleted", "moved"):
            return  # a folder's own mtime changes with each entry; the entries have their own events
        touched = False
        for raw in _event_paths(event):
            path = Path(raw)
            if self.only is not None:
                if path != self.only:
                    continue
            elif is_ignored(path, self.root):
                continue
            self.tracker.touch(path, self.source)
            touched = True
        if touched:
            self.wake()


def _event_paths(event: FileSystemEvent) -> Iterable[str]:
    yield os.fsdecode(event.src_path)
    dest = getattr(event, "dest_path", "")
    if dest:
        yield os.fsdecode(dest)


class CallbackHandler(FileSystemEventHandler):
    """Calls ``callback`` for any change in a folder (the daemon's requests folder)."""

    def __init__(self, callback: Callable[[], None]):
        self.callback = callback

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("opened", "closed_no_write"):
            self.callback()
