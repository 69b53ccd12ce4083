"""org-mode notes, parsed with orgparse: #+TITLE, headings, tags, timestamps.

One file is one note; each heading becomes a section whose heading is the
path of its ancestors ("Projects > Garden"). File keywords (#+DATE,
#+AUTHOR, ...) and property drawers are content: they are indexed as
"key: value" lines. #+DATE (or a file-level date property) dates the note,
else the earliest planning entry (SCHEDULED/DEADLINE/CLOSED) or active
timestamp, else a date-valued property, else a date in the file name; the
mtime is the last resort, marked as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import orgparse
from orgparse.date import OrgDate
from orgparse.node import OrgBaseNode, OrgNode

from pocketmind.documents import Document, Section
from pocketmind.errors import ParseError
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import (
    NOTE_KIND,
    SOURCE_KIND,
    as_datetime,
    file_uri,
    is_hidden,
    modified_at,
    read_text,
    unique,
)
from pocketmind.indexers.notes.properties import name_time, property_lines, property_time

ORG_SUFFIXES = {".org", ".org_archive"}
FILE_KEYWORD = re.compile(r"^\s*#\+\w+:.*$", re.MULTILINE)
# Timestamps quoted in blocks or fixed-width lines are examples, not dates.
BLOCK = re.compile(r"^\s*#\+begin_(\w+).*?^\s*#\+end_\1\s*$", re.MULTILINE | re.DOTALL | re.IGNORECASE)
FIXED_WIDTH = re.compile(r"^\s*:( .*)?$", re.MULTILINE)
PLANNING_LINE = re.compile(r"^\s*(SCHEDULED|DEADLINE|CLOSED):")
KEYWORD_LINE = re.compile(r"^\s*#\+(\w+):[ \t]*(.*?)\s*$", re.MULTILINE)
ORG_TIMESTAMP = re.compile(r"^[<\[](\d{4}-\d\d-\d\d)(?: [^\d\]>]+)?(?: (\d\d?:\d\d))?[^\]>]*[\]>]$")
# Keywords and properties that configure org itself (export, babel, ids) rather than say something.
TECHNICAL = re.compile(r"^(title|filetags|startup|options|setupfile|include|property|call|name|results|seq_todo|"
                       r"todo|typ_todo|tags|link|macro|bind|export_.*|latex.*|html.*|odt.*|beamer.*|attr_.*|"
                       r"header.*|begin.*|end.*|id|custom_id|visibility|style|ordered|nobloking|noblocking|"
                       r"cookie_data|logging|archive.*|last_repeat|attach_dir.*|dir|unnumbered|toc|.*-args\+?)$",
                       re.IGNORECASE)


@dataclass
class OrgTimestamp:
    heading: str
    kind: str  # scheduled, deadline, closed or active
    at: datetime

    def as_metadata(self) -> dict[str, str]:
        return {"heading": self.heading, "kind": self.kind, "at": self.at.isoformat()}


def heading_path(node: OrgNode) -> str:
    names = []
    current: OrgBaseNode | None = node
    while isinstance(current, OrgNode):
        names.append(current.heading)
        current = current.parent
    return " > ".join(reversed(names))


def has_real_planning(node: OrgNode, file_lines: list[str]) -> bool:
    """orgparse also takes ': SCHEDULED: <...>' (fixed-width text) as planning."""
    index = node.linenumber  # the line after the heading (linenumber is 1-based)
    return index < len(file_lines) and bool(PLANNING_LINE.match(file_lines[index]))


def node_timestamps(node: OrgNode, file_lines: list[str]) -> list[OrgTimestamp]:
    path = heading_path(node)
    found = []
    if has_real_planning(node, file_lines):
        for kind, date in (("scheduled", node.scheduled), ("deadline", node.deadline), ("closed", node.closed)):
            if date and date.start:
                found.append(OrgTimestamp(path, kind, as_datetime(date.start)))
    prose = FIXED_WIDTH.sub("", BLOCK.sub("", node.get_body(format="raw")))
    for date in OrgDate.list_from_str(prose):
        if date.is_active() and date.start:
            found.append(OrgTimestamp(path, "active", as_datetime(date.start)))
    return found


def file_tags(root: OrgBaseNode) -> list[str]:
    tags = []
    for value in root.get_file_property_list("FILETAGS"):
        tags.extend(re.split(r"[:\s]+", value))
    return tags


def org_value(value: str) -> Any:
    """A property value; an org timestamp ("<2022-03-22 Tue 10:00>") as a datetime."""
    match = ORG_TIMESTAMP.match(str(value).strip())
    if match:
        try:
            return datetime.fromisoformat(f"{match.group(1)}T{match.group(2) or '00:00'}".replace("T0:", "T00:"))
        except ValueError:
            pass
    return str(value).strip()


def keywords(body: str) -> list[tuple[str, Any]]:
    """The file's #+KEY: value lines that say something (#+DATE, #+AUTHOR, #+LOCATION...)."""
    return [(key.lower(), org_value(value)) for key, value in KEYWORD_LINE.findall(body)
            if value and not TECHNICAL.match(key)]


def drawer(properties: dict[str, Any]) -> list[tuple[str, Any]]:
    """A property drawer's entries, without org's own bookkeeping (ids, babel header args)."""
    return [(str(key), org_value(value)) for key, value in properties.items()
            if str(value).strip() and not TECHNICAL.match(str(key))]


def heading_line(node: OrgNode) -> str:
    todo = f"{node.todo} " if node.todo else ""
    tags = f"  :{':'.join(sorted(node.shallow_tags))}:" if node.shallow_tags else ""
    return f"{'*' * node.level} {todo}{node.heading}{tags}"


class OrgNoteIndexer:
    """org-mode files (``.org``)."""

    source_kind = SOURCE_KIND
    name = "org"

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in ORG_SUFFIXES and not is_hidden(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        source = read_text(path).replace("\r\n", "\n")
        try:
            tree = orgparse.loads(source, filename=str(path))
        except Exception as error:  # orgparse raises plain ValueError/IndexError on odd input
            raise ParseError(path, f"not readable as org-mode: {error}") from error
        file_lines = source.split("\n")
        nodes = [node for node in tree[1:] if isinstance(node, OrgNode)]

        file_properties = keywords(tree.body) + drawer(tree.properties)
        preamble = "\n\n".join(part for part in (property_lines(file_properties),
                                                   FILE_KEYWORD.sub("", tree.body).strip()) if part)
        parts = [preamble] if preamble else []
        sections = [Section(heading="", text=preamble)] if preamble else []
        timestamps: list[OrgTimestamp] = []
        node_properties: list[tuple[str, Any]] = []
        for node in nodes:
            own = drawer(node.properties)
            node_properties.extend(own)
            body = "\n".join(part for part in (property_lines(own), node.body.strip()) if part)
            parts.append(f"{heading_line(node)}\n{body}".rstrip())
            if body:
                sections.append(Section(heading=heading_path(node), text=body))
            timestamps.extend(node_timestamps(node, file_lines))

        titles = tree.get_file_property_list("TITLE")  # a file may repeat #+TITLE: the first one counts
        title = (titles[0] if titles else "").strip() or path.stem
        metadata: dict[str, Any] = {key: value if isinstance(value, str) else value.isoformat()
                                    for key, value in reversed(file_properties)}
        when = property_time(dict(file_properties))
        if when is None and timestamps:
            when = property_time({"date": timestamps[0].at})
            assert when is not None
            when.source = "timestamp"
        when = when or property_time(dict(node_properties)) or name_time((path.stem, "file name"), (title, "title"))
        metadata["time_source"] = when.source if when else "file modified"
        if timestamps:
            metadata["timestamps"] = [stamp.as_metadata() for stamp in timestamps]
        todos = [heading_path(node) for node in nodes if node.todo]
        if todos:
            metadata["todo"] = todos
        yield Document(
            native_id=relative_id(path, root),
            kind=NOTE_KIND,
            text="\n\n".join(parts),
            title=title,
            uri=file_uri(path),
            occurred_at=when.start if when else modified_at(path),
            ended_at=when.end if when else None,
            tags=unique(file_tags(tree) + [tag for node in nodes for tag in sorted(node.shallow_tags)]),
            metadata=metadata,
            sections=sections,
        )
