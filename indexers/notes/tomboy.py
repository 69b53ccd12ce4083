"""Tomboy / Gnote notes (``.note``): small XML files, one note each.

Read with the stdlib XML parser (no DTD, nothing fetched). List items get a
``- `` marker; ``system:notebook:X`` tags name the notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from dateutil import parser as date_parser

from pocketmind.documents import Document
from pocketmind.errors import ParseError
from pocketmind.indexers import safe_xml as ET
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import NOTE_KIND, SOURCE_KIND, file_uri, is_hidden, modified_at, unique

NAMESPACE = "{http://beatniksoftware.com/tomboy}"
NOTEBOOK_PREFIX = "system:notebook:"
SNIFF_BYTES = 512


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def content_text(element: ET.Element) -> str:
    """Text of <note-content>, with a "- " before each list item."""
    parts = [element.text or ""]
    for child in element:
        if local_name(child.tag) == "list-item":
            parts.append("- ")
        parts.append(content_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class TomboyNoteIndexer:
    """Tomboy and Gnote ``.note`` files."""

    source_kind = SOURCE_KIND
    name = "tomboy"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".note" or is_hidden(path):
            return False
        try:
            with path.open("rb") as stream:
                return b"beatniksoftware.com/tomboy" in stream.read(SNIFF_BYTES)
        except OSError:
            return False

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            note = ET.parse(path).getroot()
        except ET.DefusedXmlException as error:
            raise ET.refused(path, error) from None
        except (ET.ParseError, LookupError) as error:  # LookupError: an encoding Python does not know
            raise ParseError(path, f"not valid Tomboy XML: {error}") from error
        content = note.find(f"{NAMESPACE}text/{NAMESPACE}note-content")
        if content is None:
            raise ParseError(path, "not a Tomboy note: no <note-content>")
        tags = [(tag.text or "").strip() for tag in note.iterfind(f"{NAMESPACE}tags/{NAMESPACE}tag")]
        notebooks = [tag.removeprefix(NOTEBOOK_PREFIX) for tag in tags if tag.startswith(NOTEBOOK_PREFIX)]
        metadata = {}
        for key in ("create-date", "last-change-date"):
            value = note.findtext(f"{NAMESPACE}{key}")
            if value:
                metadata[key] = value.strip()
        created = _date(metadata.get("create-date"))
        try:
            text = content_text(content).strip()
        except RecursionError:
            raise ParseError(path, "not readable: <note-content> is nested too deeply") from None
        yield Document(
            native_id=relative_id(path, root),
            kind=NOTE_KIND,
            text=text,
            title=(note.findtext(f"{NAMESPACE}title") or "").strip() or path.stem,
            uri=file_uri(path),
            # Tomboy writes its own offset (+02:00): kept as written
            occurred_at=created or modified_at(path),
            conversation=notebooks[0] if notebooks else None,
            tags=unique(tag for tag in tags if not tag.startswith("system:")),
            metadata=metadata,
        )


def _date(value: str | None):
    """Tomboy's own timestamp, or None when it is missing or not a date (the file's time is used)."""
    try:
        return date_parser.isoparse(value) if value else None
    except (ValueError, OverflowError):
        return None
