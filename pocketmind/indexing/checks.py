"""Cheap checks made before and after a parser sees a file: can it be read at
all, does it hold anything, and do the attachment paths it names stay inside
the source.

Sniffers (``accepts``) treat a read error as "not my format", so without these
checks an unreadable or empty export would simply vanish from a run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from pocketmind.documents import Document

from .files import is_inside

BLANK_MAX_BYTES = 4096  # a file holding nothing but whitespace or "{}" is tiny; bigger ones are not read for this
# What an export holds when it holds nothing: no bytes, an empty JSON value, a zip without members.
_EMPTY_VALUES = {b"", b"{}", b"[]", b"null", b'""'}
_EMPTY_ZIP = b"PK\x05\x06"  # a zip's end record with no member before it


def unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read (``"unreadable: Permission denied"``), or None."""
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    return None


def is_blank(path: Path, size: int) -> bool:
    """Whether a file holds nothing to index: no bytes, only whitespace, an empty JSON value or an empty zip."""
    if size == 0:
        return True
    if size > BLANK_MAX_BYTES:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if data.startswith(_EMPTY_ZIP):
        return True
    return b"".join(data.removeprefix(b"\xef\xbb\xbf").split()) in _EMPTY_VALUES


def drop_outside_attachments(docs: Iterable[Document], folder: Path, follow_links: bool) -> list[str]:
    """Clear every attachment path that leads outside ``folder``; return the paths dropped.

    A path is judged by its name first (``photos/../../etc/hostname`` is
    outside), then, unless the source follows links, by where its links lead.
    The attachment itself (name, type, caption) stays with its message.
    """
    real_folder = os.path.realpath(folder)
    dropped: dict[str, None] = {}
    for doc in docs:
        for attachment in doc.attachments:
            if not attachment.path:
                continue
            named = os.path.abspath(os.path.join(folder, attachment.path))
            if is_inside(named, folder) and (follow_links or is_inside(os.path.realpath(named), real_folder)):
                continue
            dropped.setdefault(named)
            attachment.path = None
    return list(dropped)
