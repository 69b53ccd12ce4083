"""Small helpers shared by the notes indexers (file URIs, mtimes, tag lists)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Iterable

SOURCE_KIND = "notes"
NOTE_KIND = "note"


def file_uri(path: Path) -> str:
    """The ``file://`` URI of a file, absolute so it can be opened later."""
    return path.resolve().as_uri()


def modified_at(path: Path) -> datetime:
    """The file's mtime as an aware datetime in the machine's local zone.

    Used when a note records no date of its own: the file system knows the
    offset, so the result is aware (unlike a bare date written in a note).
    """
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


def is_hidden(path: Path) -> bool:
    """True for hidden files and files under a hidden folder (``.obsidian/``, ``.trash/``).

    accepts() only sees the path, not the source root, so any hidden ancestor
    counts: a source placed inside a hidden folder is not supported.
    """
    return any(part.startswith(".") and part not in (".", "..") for part in path.parts)


def as_datetime(value: date | datetime) -> datetime:
    """A bare date means "that day, local time": midnight, naive."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def unique(items: Iterable[str]) -> list[str]:
    """Drop empties and duplicates, keep first-seen order."""
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def read_text(path: Path) -> str:
    """Read a text note; UTF-8 with a BOM tolerated, undecodable bytes replaced.

    A stray byte should not cost the user the whole note.
    """
    return path.read_bytes().decode("utf-8-sig", errors="replace")
