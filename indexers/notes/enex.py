"""Evernote ``.enex`` exports: one document per ``<note>``.

The export is read with the stdlib XML parser, which never fetches the
external DTD; files that declare their own entities are refused outright
(entity expansion is the classic XML bomb). Note bodies are ENML, turned into
text by :mod:`enml`; base64 resources are hashed (to name the inline
``<en-media>``) but not kept.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.indexers import safe_xml as ET
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import NOTE_KIND, SOURCE_KIND, file_uri, is_hidden, unique
from pocketmind.indexers.notes.enml import enml_to_text, name_media
from pocketmind.indexers.notes.properties import property_lines, spoken

# note-attributes copied to metadata under the same (hyphenated) names
ATTRIBUTE_KEYS = (
    "author", "source", "source-url", "source-application", "latitude", "longitude",
    "altitude", "place-name", "content-class", "subject-date", "reminder-time",
    "reminder-done-time", "reminder-order",
)
DATE_ATTRIBUTES = {"subject-date", "reminder-time", "reminder-done-time"}
# Attributes a reader cares about, as "key: value" lines of the note's text (the rest is app bookkeeping).
SHOWN_ATTRIBUTES = ("author", "source-url", "place-name", "subject-date", "reminder-time", "reminder-done-time")
WHITESPACE = re.compile(r"\s+")


def clean(text: str | None) -> str:
    return WHITESPACE.sub(" ", text or "").strip()


def parse_enex_time(value: str) -> datetime | None:
    """Evernote writes 20230511T011217Z (UTC); newer attributes use ISO 8601."""
    value = clean(value)
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def child_text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return clean(found.text) if found is not None else ""


def note_attributes(note: ET.Element) -> dict[str, Any]:
    attributes = note.find("note-attributes")
    if attributes is None:
        return {}
    found: dict[str, Any] = {}
    for key in ATTRIBUTE_KEYS:
        value = child_text(attributes, key)
        if not value:
            continue
        if key in ("latitude", "longitude", "altitude"):
            try:
                found[key] = float(value)
            except ValueError:
                continue
        elif key in DATE_ATTRIBUTES:
            parsed = parse_enex_time(value)
            found[key] = parsed.isoformat() if parsed else value
        else:
            found[key] = value
    for data in attributes.findall("application-data"):
        if data.get("key") and clean(data.text):
            found[f"application-data:{data.get('key')}"] = clean(data.text)
    return found


def resource_attachments(note: ET.Element) -> tuple[list[Attachment], dict[str, str]]:
    """Attachments, and en-media hash -> display name for the inline markers."""
    attachments = []
    names: dict[str, str] = {}
    for index, resource in enumerate(note.findall("resource"), start=1):
        mime = child_text(resource, "mime") or None
        name = child_text(resource, "resource-attributes/file-name") or f"attachment {index}"
        attachments.append(Attachment(name=name, mime=mime))
        data = resource.find("data")
        try:
            digest = hashlib.md5(base64.b64decode(data.text or "")).hexdigest() if data is not None else ""
        except (binascii.Error, ValueError):
            digest = ""
        if digest:
            names[digest] = name
    return attachments, names


def task_lines(note: ET.Element) -> list[str]:
    """Evernote 10 tasks live beside the content, not in it; a due date or reminder is
    what "when is the task due?" asks for."""
    lines = []
    for task in note.findall("task"):
        title = child_text(task, "title")
        if title:
            done = child_text(task, "taskStatus").lower() == "completed"
            due = parse_enex_time(child_text(task, "dueDate"))
            reminder = task.find("reminder")
            remind = parse_enex_time(child_text(reminder, "reminderDate")) if reminder is not None else None
            when = (f" (due {spoken(due.date()) if child_text(task, 'dueDateUIOption') == 'date_only' else spoken(due)})" if due
                    else f" (reminder {spoken(remind)})" if remind else "")
            lines.append(f"{'[x]' if done else '[ ]'} {title}{when}")
    return lines


def stable_key(title: str, created: str) -> str:
    return hashlib.sha1(f"{title}\x00{created}".encode()).hexdigest()[:12]


class EnexNoteIndexer:
    """Evernote ``.enex`` export files (one document per note)."""

    source_kind = SOURCE_KIND
    name = "enex"
    streams_input = True  # iterparse: notes are freed as they are read

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".enex" and not is_hidden(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        base_id = relative_id(path, root)
        seen: dict[str, int] = {}
        try:
            for _event, element in ET.iterparse(path, events=("end",)):
                if element.tag != "note":
                    continue
                document = self.note_document(element, path, base_id, seen)
                element.clear()  # resources are big base64 blobs; free them early
                yield document
        except ET.DefusedXmlException as error:
            raise ET.refused(path, error) from None
        except ET.ParseError as error:
            raise ParseError(path, f"not valid ENEX XML: {error}") from error
        except LookupError as error:  # the XML declaration names an encoding Python does not know
            raise ParseError(path, f"not valid ENEX XML: {error}") from error

    def note_document(self, note: ET.Element, path: Path, base_id: str, seen: dict[str, int]) -> Document:
        title = child_text(note, "title")
        created_raw = child_text(note, "created")
        created = parse_enex_time(created_raw)
        updated = parse_enex_time(child_text(note, "updated"))
        key = stable_key(title, created_raw)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # same title and creation second twice in one export
            key = f"{key}-{seen[key]}"

        content = note.find("content")
        body = enml_to_text(content.text or "" if content is not None else "")
        attachments, media_names = resource_attachments(note)
        tasks = task_lines(note)
        text = name_media(body.text, media_names)
        if tasks:
            text = f"{text}\n\nTasks:\n" + "\n".join(tasks)

        metadata = note_attributes(note)
        tags = unique(clean(tag.text) for tag in note.findall("tag"))
        shown = [("created", created), ("updated", updated), ("tags", tags)]
        shown += [(key, parse_enex_time(metadata[key]) if key in DATE_ATTRIBUTES else metadata[key])
                  for key in SHOWN_ATTRIBUTES if key in metadata]
        properties = property_lines(shown)
        # the day the note is about, when Evernote recorded one, comes before its creation
        subject_date = parse_enex_time(metadata.get("subject-date", ""))
        if updated:
            metadata["updated"] = updated.isoformat()
        if body.encrypted:
            metadata["encrypted"] = True
            if body.encryption_hints:
                metadata["encryption_hints"] = body.encryption_hints
        if tasks:
            metadata["tasks"] = tasks
        author = metadata.get("author")
        return Document(
            native_id=f"{base_id}#{key}",
            kind=NOTE_KIND,
            text="\n\n".join(part for part in (properties, text.strip()) if part),
            title=title or "Untitled",
            uri=file_uri(path),
            occurred_at=subject_date or created or updated,
            author=author,
            people=[author] if author else [],
            place=metadata.get("place-name"),
            tags=tags,
            metadata=metadata,
            attachments=attachments,
        )
