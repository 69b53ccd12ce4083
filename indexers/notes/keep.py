"""Google Keep notes from a Google Takeout export (one JSON file per note).

accepts() sniffs the start of a ``.json`` file for Keep's own keys
(``isTrashed`` with ``textContent``/``listContent``) so the many other JSON
files a notes folder holds (app settings, Roam or SiYuan exports) are left
alone. Inside a Takeout ``Keep/`` folder every ``.json`` is claimed, so a
damaged note there is reported as a ParseError instead of silently skipped.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import NOTE_KIND, SOURCE_KIND, file_uri, is_hidden, unique
from pocketmind.indexers.notes.properties import property_lines

SNIFF_BYTES = 4096
TITLE_FROM_TEXT_MAX_CHARS = 80
FLAGS = ("isPinned", "isArchived", "color")


def from_usec(value: Any) -> datetime | None:
    """Keep stores times as microseconds since the epoch, in UTC."""
    if isinstance(value, (int, float)) and value > 0:
        try:
            return datetime.fromtimestamp(value / 1_000_000, tz=timezone.utc)
        except (OverflowError, ValueError, OSError):
            return None  # beyond the calendar: the note is kept, undated
    return None


def load_note(path: Path) -> dict[str, Any]:
    try:
        note = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ParseError(path, f"not UTF-8 text: {error}") from error
    except json.JSONDecodeError as error:
        raise ParseError(path, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from error
    except RecursionError:
        raise ParseError(path, "not readable JSON: nested too deeply") from None
    if not isinstance(note, dict):
        raise ParseError(path, f"not a Google Keep note: top level is a {type(note).__name__}, not an object")
    if "textContent" not in note and "listContent" not in note:
        raise ParseError(path, "not a Google Keep note: no textContent/listContent")
    if "userEditedTimestampUsec" not in note:
        raise ParseError(path, "not a Google Keep note: no userEditedTimestampUsec")
    return note


def note_text(note: dict[str, Any]) -> str:
    if isinstance(note.get("listContent"), list):
        lines = []
        for item in note["listContent"]:
            if isinstance(item, dict) and str(item.get("text", "")).strip():
                lines.append(f"{'[x]' if item.get('isChecked') else '[ ]'} {str(item['text']).strip()}")
        return "\n".join(lines)
    return str(note.get("textContent") or "").strip()


def listed(note: dict[str, Any], key: str) -> list[Any]:
    """A list field of the note; anything else (a hand-edited or damaged file) counts as empty."""
    value = note.get(key)
    return value if isinstance(value, list) else []


def _is_file(path: Path) -> bool:
    """A listed attachment beside the note; a name the OS cannot hold (too long, a NUL) is none."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def note_attachments(note: dict[str, Any], folder: Path) -> list[Attachment]:
    attachments = []
    for item in listed(note, "attachments"):
        if isinstance(item, dict) and item.get("filePath"):
            beside = folder / str(item["filePath"])
            attachments.append(
                Attachment(
                    name=str(item["filePath"]),
                    mime=item["mimetype"] if isinstance(item.get("mimetype"), str) else None,
                    path=str(beside) if _is_file(beside) else None,
                )
            )
    return attachments


class KeepNoteIndexer:
    """Google Keep Takeout note JSON files."""

    source_kind = SOURCE_KIND
    name = "keep"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".json" or is_hidden(path):
            return False
        if path.parent.name.lower() == "keep":
            return True
        try:
            with path.open("rb") as stream:
                head = stream.read(SNIFF_BYTES)
        except OSError:
            return False
        return b'"isTrashed"' in head and (b'"textContent"' in head or b'"listContent"' in head)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        note = load_note(path)
        if note.get("isTrashed"):
            return  # deleted by the user in Keep: not theirs to search any more
        text = note_text(note)
        title = " ".join(str(note.get("title") or "").split())
        if not title:
            first_line = text.split("\n", 1)[0].strip()
            title = first_line if len(first_line) <= TITLE_FROM_TEXT_MAX_CHARS else path.stem
        created = from_usec(note.get("createdTimestampUsec"))
        edited = from_usec(note.get("userEditedTimestampUsec"))

        metadata: dict[str, Any] = {flag: note[flag] for flag in FLAGS if isinstance(note.get(flag), (bool, int, float, str))}
        if created:
            metadata["created"] = created.isoformat()
        if edited:
            metadata["edited"] = edited.isoformat()
        links = [item.get("url") for item in listed(note, "annotations") if isinstance(item, dict)]
        if any(links):
            metadata["links"] = unique(str(link) for link in links if link)
        sharees = [item.get("email") for item in listed(note, "sharees") if isinstance(item, dict)]
        labels = unique(str(label.get("name", "")) for label in listed(note, "labels") if isinstance(label, dict))
        properties = property_lines([("created", created), ("edited", edited), ("labels", labels),
                                     ("links", metadata.get("links", []))])
        yield Document(
            native_id=relative_id(path, root),
            kind=NOTE_KIND,
            text="\n\n".join(part for part in (properties, text) if part),
            title=title,
            uri=file_uri(path),
            occurred_at=created or edited,
            people=unique(str(email) for email in sharees if email),
            tags=labels,
            metadata=metadata,
            attachments=note_attachments(note, path.parent),
        )
