"""pocketmind-journal: an example pocketmind plugin.

- A ``journal`` source kind: ``*.journal`` text files where each day starts
  with ``## YYYY-MM-DD`` (optionally `` HH:MM``); one document per day,
  ``@place`` and ``#tags`` picked out of the text.
- A ``caption_photo`` hook: a photo without a caption takes the text of
  ``<photo file name>.caption.txt`` beside it (``IMG_1.jpg.caption.txt``).

Everything is read from local files; a plugin must never use the network.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Iterator

from pocketmind import Document, ParseError, hookimpl

# "## 2024-03-02" or "## 2024-03-02 07:45"; "### ..." is ordinary entry text.
DAY_HEADING = re.compile(r"## (\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}))?")
# "@place" / "#tag" at the start of a word, so "anna@example.com" is no place;
# an underscore stands for a space ("@Lake_District").
PLACE = re.compile(r"(?<!\S)@(\w[\w-]*)")
TAG = re.compile(r"(?<!\S)#(\w[\w-]*)")


class JournalIndexer:
    """``*.journal`` files: one document per day, its native id the date."""

    source_kind = "journal"  # a new kind: `pocketmind add journal PATH`
    name = "journal-days"

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".journal"

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise ParseError(path, f"not UTF-8 text: {exc}") from None
        # Check every line before yielding anything, so a bad file adds nothing.
        days: list[tuple[datetime, list[str]]] = []
        seen: set[str] = set()
        for number, line in enumerate(lines, 1):
            if line.startswith("## "):
                days.append((_day_start(path, number, line, seen), []))
            elif days:
                days[-1][1].append(line)
            elif line.strip():
                raise ParseError(path, f"line {number}: text before the first '## YYYY-MM-DD' day heading")
        for when, body in days:
            text = "\n".join(body).strip()
            if not text:
                continue  # an empty day has nothing to find or cite
            places = [p.replace("_", " ") for p in PLACE.findall(text)]
            yield Document(
                native_id=when.date().isoformat(),  # stored as "<source>:2024-03-02"
                kind="journal",
                title=f"{when:%A} {when.day} {when:%B %Y}",
                text=text,
                uri=path.resolve().as_uri(),
                occurred_at=when,  # naive: local time, offset unknown
                place=places[0] if places else None,
                tags=list(dict.fromkeys(TAG.findall(text))),
            )


def _day_start(path: Path, number: int, line: str, seen: set[str]) -> datetime:
    """The moment a ``## YYYY-MM-DD [HH:MM]`` heading names; ParseError if it is malformed."""
    match = DAY_HEADING.fullmatch(line.rstrip())
    try:
        if match is None:
            raise ValueError
        when = datetime.fromisoformat(f"{match[1]}T{match[2] or '00:00'}")
    except ValueError:
        raise ParseError(path, f"line {number}: {line.strip()!r} is not a day heading '## YYYY-MM-DD [HH:MM]'") from None
    day = when.date().isoformat()
    if day in seen:  # the date is the document id, so a day can appear only once
        raise ParseError(path, f"line {number}: a second heading for {day}")
    seen.add(day)
    return when


@hookimpl
def register_indexers(register):
    register(JournalIndexer())


@hookimpl
def caption_photo(path, metadata):
    """The text of ``<photo>.caption.txt`` beside the photo, or None (other plugins may answer)."""
    sidecar = Path(path).with_name(Path(path).name + ".caption.txt")
    try:
        return sidecar.read_text(encoding="utf-8-sig").strip() or None
    except (OSError, UnicodeError):  # no sidecar, or an unreadable one: no caption
        return None
