"""Helpers every chat-export indexer needs: ids, times, mime types, text repair.

Chat exports (Telegram, SMS, iMessage, Messenger, Discord, Slack...) differ in
shape but share chores: stable ids for formats without ids, epoch conversion,
``file://`` URIs with a fragment per message, attachments that may or may not
sit next to the export, and cheap sniffing of a file's first bytes.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote

from pocketmind.documents import Attachment
from pocketmind.errors import ParseError

# mimetypes misses a few types common in phone exports.
_EXTRA_MIME = {
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".webp": "image/webp",
    ".opus": "audio/opus",
    ".oga": "audio/ogg",
    ".ogg": "audio/ogg",
    ".m4a": "audio/mp4",
    ".amr": "audio/amr",
    ".3gp": "video/3gpp",
    ".tgs": "application/x-tgsticker",
    ".vcf": "text/vcard",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def stable_id(*parts: object) -> str:
    """A short hex digest of ``parts``: the same inputs always give the same id."""
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:20]


def mime_from_name(name: str | None) -> str | None:
    """Guess a mime type from a file name's extension (None when unknown)."""
    if not name:
        return None
    suffix = Path(name).suffix.lower()
    if suffix in _EXTRA_MIME:
        return _EXTRA_MIME[suffix]
    return mimetypes.guess_type(name, strict=False)[0]


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Latin-1 (Facebook/Instagram exports).

    Meta writes UTF-8 bytes as ``\\u00c3\\u00a9``-style escapes; re-encoding as
    Latin-1 and decoding as UTF-8 restores the text. Text that is not mojibake
    fails one of the two steps and is returned unchanged.
    """
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def fix_mojibake_deep(value: Any) -> Any:
    """:func:`fix_mojibake` applied to every string inside dicts and lists."""
    if isinstance(value, str):
        return fix_mojibake(value)
    if isinstance(value, list):
        return [fix_mojibake_deep(item) for item in value]
    if isinstance(value, dict):
        return {key: fix_mojibake_deep(item) for key, item in value.items()}
    return value


def from_unix_seconds(seconds: float | int | str) -> datetime:
    """Seconds since 1970 as an aware UTC datetime; ValueError when it is no time."""
    try:
        return datetime.fromtimestamp(float(seconds), tz=timezone.utc)
    except (OverflowError, OSError):
        raise ValueError(f"{seconds!r} seconds since 1970 is out of range") from None


def from_unix_millis(millis: float | int | str) -> datetime:
    """Milliseconds since 1970 as an aware UTC datetime (exact, no float drift); ValueError when it is no time."""
    whole_seconds, rest_ms = divmod(int(millis), 1000)
    try:
        moment = datetime.fromtimestamp(whole_seconds, tz=timezone.utc)
    except (OverflowError, OSError):
        raise ValueError(f"{millis!r} milliseconds since 1970 is out of range") from None
    return moment.replace(microsecond=rest_ms * 1000)


def in_wall_clock_offset(instant: datetime, wall_clock: datetime | None) -> datetime:
    """``instant`` (aware) shown in the offset the export's own wall-clock time implies.

    Exports often give both an exact instant (Unix time) and the time the phone or app
    showed (Telegram's ``date``, SMS Backup's ``readable_date``). Their difference is the
    UTC offset the person lived in, so a message reads 13:11 as they saw it, in every export
    of the same chat. Without a plausible wall-clock time (a whole-quarter-hour offset
    within +-14 h), the machine's zone is used."""
    if wall_clock is not None:
        gap = (wall_clock.replace(tzinfo=None) - instant.astimezone(timezone.utc).replace(tzinfo=None)).total_seconds()
        quarters = round(gap / 900)
        if abs(gap - quarters * 900) < 1 and abs(quarters) <= 56:
            return instant.astimezone(timezone(timedelta(minutes=15 * quarters)))
    return instant.astimezone()


def cell_text(value: object) -> str:
    """A SQLite cell as text ('' for NULL): SQLite lets any column hold bytes or numbers."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def message_uri(path: Path, fragment: str) -> str:
    """``file://`` URI of the export with a fragment naming one message."""
    return f"{path.resolve().as_uri()}#{quote(fragment, safe='')}"


def message_title(author: str | None, conversation: str | None) -> str:
    """The short title chat documents share: "Sender in Chat"."""
    who = author or "Someone"
    return f"{who} in {conversation}" if conversation else who


def unique(items: Iterable[str | None]) -> list[str]:
    """Distinct non-empty strings in first-seen order."""
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)


def local_attachment(
    name: str, relative: str | None, search_dirs: Iterable[Path], caption: str | None = None,
    mime: str | None = None,
) -> Attachment:
    """An attachment whose ``path`` is set only when the file exists on disk.

    Exports store media paths relative to the export folder (or one of its
    parents, for Facebook), so each of ``search_dirs`` is tried in turn. The
    path is kept as named, links unresolved (``..`` folded away), so the engine
    can tell a path climbing out of the source or a link leading out of it.
    """
    found: str | None = None
    if relative:
        for folder in search_dirs:
            candidate = folder / relative
            try:
                exists = candidate.is_file()
            except OSError:  # a name longer than the file system allows, a loop of links: not there
                exists = False
            if exists:
                found = os.path.abspath(candidate)
                break
    return Attachment(name=name, mime=mime or mime_from_name(name), path=found, caption=caption)


def attachment_placeholder(attachments: list[Attachment]) -> str:
    """Text for a message that is only attachments, so it can still be found."""
    return " ".join(f"[{item.name}]" for item in attachments)


def read_head(path: Path, size: int = 4096) -> str:
    """The first ``size`` bytes of a file as text (BOM dropped), '' if unreadable."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(size)
    except OSError:
        return ""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte order mark (some XML exports)
        return raw.decode("utf-16", errors="replace").lstrip()
    return raw.decode("utf-8-sig", errors="replace").lstrip()


def load_json(path: Path) -> Any:
    """Parse a JSON file (UTF-8, BOM tolerated) or raise a precise ParseError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ParseError(path, f"cannot read file: {error.strerror or error}") from error
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ParseError(path, f"not UTF-8 text (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise ParseError(
            path, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    except RecursionError:
        raise ParseError(path, "not readable JSON: nested too deeply") from None


def json_object(path: Path, value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object, else a ParseError saying what it is instead."""
    if not isinstance(value, dict):
        raise ParseError(path, f"{what}: expected an object, got {json_type(value)}")
    return value


def json_type(value: Any) -> str:
    """How JSON would call ``value``'s type, with its article: "a list", "a number"..."""
    if value is None:
        return "null"
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    return names.get(type(value), "a number")


def text_field(item: dict[str, Any], key: str) -> str:
    """``item[key]`` as text: '' when absent or null, the digits of a number; TypeError for anything else."""
    value = item.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{key!r} is {json_type(value)}, not text")


@contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """Turn a wrong shape met while reading ``what`` ("message 12") into a ParseError naming it.

    Exports are read with ``item["date"]``-style access where the format promises a
    field; a file that breaks the promise gets one clear error instead of a KeyError.
    """
    try:
        yield
    except KeyError as error:
        raise ParseError(path, f"{what}: no {error.args[0]!r}") from None
    except (TypeError, AttributeError) as error:
        raise ParseError(path, f"{what}: a field has the wrong type ({error})") from None
    except (ValueError, OverflowError) as error:
        raise ParseError(path, f"{what}: a field has a bad value ({error})") from None
