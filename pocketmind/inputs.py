"""Bounds on what an indexer reads from one file, and what it tells the run about it.

An indexing run sets the limits (from ``index.max_text_mb``) and collects
*notices* around each file it parses: problems an indexer met in a file whose
other content it still indexed ("event 'X' repeats every second; kept the first
1000 occurrences", "3 invalid UTF-8 bytes replaced"). Indexers stay pure: they
call :func:`notice`, :func:`read_member` and :func:`limits` and never see the run or the settings.
"""

from __future__ import annotations

import codecs
import logging
from calendar import monthrange
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator

from .errors import ParseError

log = logging.getLogger(__name__)

MB = 1024 * 1024
# A file's documents are held together while it is indexed: an 8 MB WhatsApp chat
# (95k messages) peaked at 499 MB RSS, a 64 MB one at 5.3 GB (issue 17). 64 MB is
# above real exports (a chat's years fit in a few MB) and inside a laptop's memory.
DEFAULT_MAX_TEXT_MB = 64
# Real text deflates 3-10x; deflate's own ceiling is ~1030x. Members past 100x
# (and past 1 MB, where a ratio says something) are bombs, not exports.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_BYTES = MB
_READ_CHUNK = MB


@dataclass(frozen=True)
class InputLimits:
    text_bytes: int = DEFAULT_MAX_TEXT_MB * MB  # largest text file or archive member read whole
    compression_ratio: int = MAX_COMPRESSION_RATIO
    # Last day (exclusive) repeating calendar events are expanded to; None: the indexer's own
    # default. A run sets it from its clock and ``index.calendar_months_ahead``.
    recurrence_until: date | None = None


_limits: ContextVar[InputLimits] = ContextVar("pocketmind_input_limits", default=InputLimits())
_notices: ContextVar[list[str] | None] = ContextVar("pocketmind_file_notices", default=None)


def limits() -> InputLimits:
    return _limits.get()


@contextmanager
def reading(bounds: InputLimits) -> Iterator[list[str]]:
    """Apply ``bounds`` while one file is parsed; yields the list its notices go to."""
    found: list[str] = []
    limits_token, notices_token = _limits.set(bounds), _notices.set(found)
    try:
        yield found
    finally:
        _notices.reset(notices_token)
        _limits.reset(limits_token)


def notice(path: str | Path, problem: str) -> None:
    """Report something lost or changed in a file that is still indexed."""
    message = f"{path}: {problem}"
    collected = _notices.get()
    if collected is None:
        log.warning("%s", message)  # outside a run (an indexer used on its own)
    else:
        collected.append(message)


def months_later(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Jan + 1 = 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def describe_size(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size / 1024:.0f} kB"


def too_big(size: int, bounds: InputLimits | None = None, what: str = "a text file") -> str | None:
    """Why a text file of ``size`` bytes is not read, or None when it may be."""
    limit = (bounds or limits()).text_bytes
    if size <= limit:
        return None
    return (f"{describe_size(size)} is more than the {describe_size(limit)} {what} may have; "
            "raise index.max_text_mb to index it")


def read_member(archive_path: str | Path, archive: zipfile.ZipFile, name: str) -> bytes:
    """One archive member's bytes, refused (ParseError) when too big or compressed like a bomb.

    The header's sizes are checked before anything is inflated, and the bytes are
    counted while they are read, so a header that lies cannot make it read more.
    """
    info = archive.getinfo(name)
    bounds = limits()
    problem = too_big(info.file_size, bounds, what="an archive member")
    if problem is not None:
        raise ParseError(archive_path, f"{name} inflates to {problem}")
    if info.file_size > RATIO_CHECK_BYTES and info.file_size > info.compress_size * bounds.compression_ratio:
        ratio = info.file_size / max(info.compress_size, 1)
        raise ParseError(archive_path, f"{name} inflates {ratio:,.0f} times ({describe_size(info.compress_size)} "
                                       f"to {describe_size(info.file_size)}): refused as a zip bomb")
    pieces, total = [], 0
    with archive.open(info) as member:
        while piece := member.read(_READ_CHUNK):
            total += len(piece)
            if total > bounds.text_bytes:
                raise ParseError(archive_path, f"{name} inflates to more than {describe_size(bounds.text_bytes)} "
                                               "(more than its header says); refused")
            pieces.append(piece)
    return b"".join(pieces)


def decode_utf8(data: bytes) -> tuple[str, int]:
    """Text with each invalid UTF-8 sequence replaced by U+FFFD, and how many bytes were replaced."""
    replaced = [0]
    token = _replaced_bytes.set(replaced)
    try:
        return data.decode("utf-8", errors=_COUNTING_REPLACE), replaced[0]
    finally:
        _replaced_bytes.reset(token)


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _replaced_bytes.get()[0] += error.end - error.start
    return "\ufffd", error.end


_COUNTING_REPLACE = "pocketmind-count-replace"
_replaced_bytes: ContextVar[list[int]] = ContextVar("pocketmind_replaced_bytes", default=[0])
codecs.register_error(_COUNTING_REPLACE, _count_and_replace)
