"""TextPack (zipped TextBundle) and Bear 2 backups (``.bear2bk``, a zip of TextBundles).

Each ``*.textbundle/`` folder in the archive holds ``text.md`` (Markdown, read
by the Markdown indexer's parser), ``info.json`` (Bear keeps dates, trash and
archive flags there) and ``assets/``. Trashed Bear notes are skipped;
encrypted ones are kept with a notice, since their text is not readable.
"""

from __future__ import annotations

import json
import mimetypes
import zipfile
import zlib
from datetime import datetime
from pathlib import PurePosixPath, Path
from typing import Any, Iterator

from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.inputs import notice, read_member
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import SOURCE_KIND, file_uri, is_hidden, modified_at
from pocketmind.indexers.notes.markdown import MarkdownNoteIndexer, NoteOrigin

ARCHIVE_SUFFIXES = {".textpack", ".bear2bk"}
TEXT_NAMES = ("text.md", "text.markdown", "text.txt")
BEAR_KEY = "net.shinyfrog.bear"


def bundles(archive: zipfile.ZipFile) -> dict[PurePosixPath, list[str]]:
    """Bundle folder -> the archive member names inside it."""
    found: dict[PurePosixPath, list[str]] = {}
    for name in archive.namelist():
        parts = PurePosixPath(name).parts
        for depth, part in enumerate(parts[:-1]):
            if part.endswith(".textbundle"):
                found.setdefault(PurePosixPath(*parts[: depth + 1]), []).append(name)
                break
    return found


def read_info(archive: zipfile.ZipFile, members: list[str]) -> dict[str, Any]:
    name = next((member for member in members if member.endswith("/info.json")), None)
    if name is None:
        return {}
    try:
        info = json.loads(read_member(archive.filename or "archive", archive, name).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return {}  # the note text is still worth indexing without its metadata
    except ParseError as refused:  # too big or bomb-like: keep the note, say what was left out
        notice(refused.path, refused.problem)
        return {}
    return info if isinstance(info, dict) else {}


def bear_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class TextBundleNoteIndexer:
    """``.textpack`` and Bear ``.bear2bk`` archives of Markdown TextBundles."""

    source_kind = SOURCE_KIND
    name = "textbundle"

    def __init__(self) -> None:
        self._markdown = MarkdownNoteIndexer()

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in ARCHIVE_SUFFIXES and not is_hidden(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise ParseError(path, f"not a readable zip archive: {error}") from error
        with archive:
            for folder, members in sorted(bundles(archive).items()):
                try:
                    document = self.bundle_document(archive, folder, members, path, root)
                except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
                    raise ParseError(path, f"{folder}: cannot be read from the archive: {error}") from error
                if document is not None:
                    yield document

    def bundle_document(
        self, archive: zipfile.ZipFile, folder: PurePosixPath, members: list[str], path: Path, root: Path
    ) -> Document | None:
        bear = read_info(archive, members).get(BEAR_KEY)
        bear = bear if isinstance(bear, dict) else {}
        if bear.get("trashed"):
            return None  # deleted by the user in Bear
        text_name = next((f"{folder}/{name}" for name in TEXT_NAMES if f"{folder}/{name}" in members), None)
        source = read_member(path, archive, text_name).decode("utf-8-sig", errors="replace") if text_name else ""
        bundle_title = folder.name.removesuffix(".textbundle")
        if bear.get("encrypted") and not source.strip():
            source = f"# {bear.get('title') or bundle_title}\n\n[encrypted note: its text is only readable in Bear]"
        origin = NoteOrigin(
            native_id=f"{relative_id(path, root)}#{bundle_title}",
            uri=file_uri(path),
            fallback_title=bundle_title,
            fallback_time=bear_time(bear.get("creationDate")) or modified_at(path),
        )
        document = self._markdown.parse_text(source, origin, closed_tags=True)
        document.attachments += [
            Attachment(name=PurePosixPath(name).name, mime=mimetypes.guess_type(name)[0])
            for name in members
            if f"{folder}/assets/" in name and not name.endswith("/")
        ]
        for key in ("uniqueIdentifier", "modificationDate", "archived", "pinned", "encrypted"):
            if key in bear:
                document.metadata[f"bear_{key}"] = bear[key]
        return document
