"""Plain-text notes (.txt): the first short line is the title, paragraphs are sections."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from pocketmind.documents import Document, Section
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import (
    NOTE_KIND,
    SOURCE_KIND,
    file_uri,
    is_hidden,
    modified_at,
    read_text,
)

TITLE_MAX_CHARS = 80
# Paragraphs are grouped up to about this size so sections stay meaningful.
SECTION_TARGET_CHARS = 1200
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def paragraph_sections(text: str, heading: str) -> list[Section]:
    sections: list[Section] = []
    current: list[str] = []
    for paragraph in (part.strip() for part in PARAGRAPH_BREAK.split(text)):
        if not paragraph:
            continue
        if current and sum(len(part) for part in current) + len(paragraph) > SECTION_TARGET_CHARS:
            sections.append(Section(heading=heading, text="\n\n".join(current)))
            current = []
        current.append(paragraph)
    if current:
        sections.append(Section(heading=heading, text="\n\n".join(current)))
    return sections


class TextNoteIndexer:
    """Plain ``.txt`` notes."""

    source_kind = SOURCE_KIND
    name = "text"

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".txt" and not is_hidden(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        text = read_text(path).replace("\r\n", "\n").strip()
        first_line = text.split("\n", 1)[0].strip()
        title = first_line if first_line and len(first_line) <= TITLE_MAX_CHARS else path.stem
        yield Document(
            native_id=relative_id(path, root),
            kind=NOTE_KIND,
            text=text,
            title=title,
            uri=file_uri(path),
            occurred_at=modified_at(path),
            sections=paragraph_sections(text, title),
        )
