"""What indexers produce: documents, their sections and attachments.

Indexers are pure: they read files and yield :class:`Document` objects. The
engine prefixes ``native_id`` with the source name to form the stable id
``<source>:<native id>``, hashes the content, chunks it and stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Document kinds the engine knows how to chunk and show; plugins may add more.
KINDS = ("note", "message", "photo", "event", "contact", "task", "journal")


@dataclass
class Section:
    """A structural part of a document (a heading and what follows it).

    ``heading`` is the path of headings leading to it ("Trip > Day 2"); chunking
    keeps sections whole where they fit and never merges across documents.
    """

    heading: str
    text: str


@dataclass
class Attachment:
    """A file attached to a message, note or event (often a photo)."""

    name: str
    mime: str | None = None
    path: str | None = None  # absolute path on disk when the file is present
    caption: str | None = None


@dataclass
class Document:
    """One thing a person can be answered with and cited: a message, a note...

    ``occurred_at`` must be timezone-aware when the source records an offset
    (the original offset is kept, not converted to UTC); a naive datetime means
    "local time, offset unknown" and is treated as UTC for ordering.
    """

    native_id: str
    kind: str
    text: str
    title: str = ""
    uri: str | None = None
    occurred_at: datetime | None = None
    ended_at: datetime | None = None
    author: str | None = None  # the sender of a message, the creator of a note
    conversation: str | None = None  # chat/thread/calendar the document belongs to
    people: list[str] = field(default_factory=list)  # everyone involved, author included
    place: str | None = None
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)  # optional structure for chunking
    attachments: list[Attachment] = field(default_factory=list)
    # One occurrence of a repeating thing (a weekly event): the text every occurrence of
    # the series shares, without this one's date. It is embedded instead of ``text``, so
    # the series costs one vector; ``text`` (with the date) is still shown and searched.
    series_text: str | None = None

    def __post_init__(self) -> None:
        if not self.native_id:
            raise ValueError("a document needs a native_id")
