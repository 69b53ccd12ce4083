"""Markdown notes and Obsidian vaults: frontmatter, #tags, [[wikilinks]], headings.

One file is one note. YAML frontmatter gives title/tags/aliases/dates and the
other properties; headings (found with markdown-it, so ``#`` in code and
``---`` rules don't fool us) give the sections used for chunking.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

import yaml
from markdown_it import MarkdownIt

from pocketmind.documents import Attachment, Document, Section
from pocketmind.indexers.base import relative_id
from pocketmind.indexers.notes.common import (
    NOTE_KIND,
    SOURCE_KIND,
    file_uri,
    is_hidden,
    modified_at,
    read_text,
    unique,
)
from pocketmind.indexers.notes.properties import inline_fields, name_time, property_lines, property_time

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}

# [[target]], [[target|alias]], [[target#heading]], ![[embed]]
WIKILINK = re.compile(r"(!?)\[\[([^\[\]|]+?)(?:\|([^\[\]]*))?\]\]")
# Obsidian tags: '#' at the start or after whitespace; letters, digits, _ - /
INLINE_TAG = re.compile(r"(?<!\S)#([\w/-]+)")
# Bear's multi-word form: "#two words#"
CLOSED_TAG = re.compile(r"(?<!\S)#([^#\n]*[^\s#])#(?![\w#])")
INLINE_CODE = re.compile(r"`[^`\n]*`")
# Template placeholders like {{date}} are invalid YAML when unquoted.
PLACEHOLDER = re.compile(r"(?<!['\"])(\{\{[^{}\n]*\}\})(?!['\"])")
# Removing embeds can leave runs of empty lines behind.
BLANK_RUN = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")

PLACE_KEYS = ("place", "location", "loc")
RESERVED_KEYS = {"title", "tags", "tag", "aliases", "alias"}
# Embeds of these kinds are files shown inside the note: real attachments.
ATTACHMENT_MIME_PREFIXES = ("image/", "audio/", "video/", "application/pdf")


@dataclass
class NoteOrigin:
    """Where a Markdown text came from: a file, or a bundle inside an archive."""

    native_id: str
    uri: str
    fallback_title: str
    fallback_time: datetime
    folder: Path | None = None  # where embedded files are looked up, if on disk


@dataclass
class Frontmatter:
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter YAML, body); the YAML is '' when the note has none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return "", text
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    return "", text  # an opening rule without a closing one is just a rule


class _FrontmatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date that is no date ("last: 2023-00-14") stays text:
    PyYAML raises ValueError for it, which cost the whole note."""


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontmatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def load_frontmatter(source: str) -> Frontmatter:
    """Parse YAML frontmatter; a broken block costs the metadata, not the note."""
    if not source.strip():
        return Frontmatter()
    for candidate in (source, PLACEHOLDER.sub(r"'\1'", source)):
        try:
            data = yaml.load(candidate, Loader=_FrontmatterLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as error:
            problem = str(error).splitlines()[0]
            continue
        if data is None:  # only comments or blank lines
            return Frontmatter()
        if isinstance(data, dict):
            return Frontmatter({str(key): value for key, value in data.items()})
        problem = "frontmatter is not a mapping"
    return Frontmatter(error=problem)


def render_link(target: str, alias: str | None) -> str:
    """What a reader sees for [[page#heading|alias]]."""
    if alias and alias.strip():
        return alias.strip()
    page, _, heading = (part.strip() for part in target.partition("#"))
    if heading.startswith("^"):
        heading = ""  # block ids (#^abc123) mean nothing to a reader
    return f"{page} > {heading}" if page and heading else page or heading


def link_page(target: str) -> str:
    return target.partition("#")[0].strip()


def is_note_target(page: str) -> bool:
    """Whether an embed shows another note (readable) rather than a file or view."""
    suffix = Path(page).suffix.lower()
    if suffix in ("", ".md"):
        return True
    # "Vol. 2" has a suffix too; only known file types and Obsidian views are files
    return mimetypes.guess_type(page)[0] is None and suffix not in (".base", ".canvas")


def render_wikilinks(text: str) -> str:
    """Replace wikilinks by readable text; embedded files (images, views) vanish."""

    def replace(match: re.Match[str]) -> str:
        is_embed, target, alias = match.group(1), match.group(2), match.group(3)
        if is_embed and not is_note_target(link_page(target)):
            return ""
        return render_link(target, alias)

    return BLANK_RUN.sub("\n\n", WIKILINK.sub(replace, text))


def collect_links(text: str) -> tuple[list[str], list[str]]:
    """(link targets, embed targets) in order of appearance."""
    links: list[str] = []
    embeds: list[str] = []
    for match in WIKILINK.finditer(text):
        page = link_page(match.group(2))
        if page:
            (embeds if match.group(1) else links).append(page)
    return unique(links), unique(embeds)


def embed_attachments(embeds: list[str], folder: Path | None) -> list[Attachment]:
    attachments = []
    for name in embeds:
        mime = mimetypes.guess_type(name)[0]
        if mime and mime.startswith(ATTACHMENT_MIME_PREFIXES):
            beside = folder / name if folder else None
            on_disk = str(beside) if beside and beside.is_file() else None
            attachments.append(Attachment(name=name, mime=mime, path=on_disk))
    return attachments


def inline_tags(lines: list[str], closed_tags: bool = False) -> list[str]:
    found = []
    for line in lines:
        line = INLINE_CODE.sub("", line)
        if closed_tags:
            found.extend(CLOSED_TAG.findall(line))
            line = CLOSED_TAG.sub(" ", line)
        for tag in INLINE_TAG.findall(line):
            tag = tag.rstrip("/")
            if tag and not tag.replace("/", "").isdigit():  # '#12345' is not a tag
                found.append(tag)
    return found


def frontmatter_tags(value: Any) -> list[str]:
    """tags: [a, b] / tags: "a, b" / tags: a b  ->  [a, b] without '#'."""
    if isinstance(value, str):
        items = re.split(r"[,\s]+", value)
    elif isinstance(value, list):
        items = [str(item) for item in value if item is not None]
    else:
        return []
    tags = [item.strip().lstrip("#") for item in items]
    return [tag for tag in tags if tag and "{{" not in tag]  # skip template placeholders


def plain_value(value: Any) -> Any:
    """A frontmatter value as JSON-friendly metadata, or None to leave it out."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return render_wikilinks(value).strip()
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list):
        items = [plain_value(item) for item in value if not isinstance(item, (list, dict))]
        items = [item for item in items if item not in (None, "")]
        return items or None
    return None  # nested mappings are application data, not note content


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(plain_value(item)) for item in values if plain_value(item) not in (None, "")]


def code_lines(tokens: list[Any]) -> set[int]:
    """Line numbers inside fenced/indented code, where '#' is not a tag."""
    lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return lines


def headings(tokens: list[Any]) -> list[tuple[int, int, int, str]]:
    """(first line, end line, level, inline text) of each heading."""
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            text = tokens[index + 1].content if index + 1 < len(tokens) else ""
            found.append((token.map[0], token.map[1], int(token.tag[1:]), text))
    return found


def build_sections(lines: list[str], found: list[tuple[int, int, int, str]], properties: str = "") -> list[Section]:
    """One section per heading; its heading is the path "Trip > Day 2".

    ``properties`` (the note's property lines) lead the first, untitled section.
    """
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    preamble_end = found[0][0] if found else len(lines)
    preamble = "\n\n".join(part for part in (properties, render_wikilinks("\n".join(lines[:preamble_end])).strip()) if part)
    if preamble:
        sections.append(Section(heading="", text=preamble))
    for position, (start, end, level, raw_heading) in enumerate(found):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, render_wikilinks(raw_heading).strip()))
        next_start = found[position + 1][0] if position + 1 < len(found) else len(lines)
        body = render_wikilinks("\n".join(lines[end:next_start])).strip()
        if body:
            sections.append(Section(heading=" > ".join(text for _, text in stack if text), text=body))
    return sections


class MarkdownNoteIndexer:
    """Markdown files and Obsidian vault notes (``.obsidian/`` and other dot-folders skipped)."""

    source_kind = SOURCE_KIND
    name = "markdown"

    def __init__(self) -> None:
        self._markdown = MarkdownIt("commonmark")

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in MARKDOWN_SUFFIXES and not is_hidden(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        origin = NoteOrigin(
            native_id=relative_id(path, root),
            uri=file_uri(path),
            fallback_title=path.stem,
            fallback_time=modified_at(path),
            folder=path.parent,
        )
        yield self.parse_text(read_text(path), origin)

    def parse_text(self, source: str, origin: NoteOrigin, closed_tags: bool = False) -> Document:
        """One note from Markdown text; ``closed_tags`` also reads Bear's ``#two words#``."""
        yaml_source, body = split_frontmatter(source.replace("\r\n", "\n"))
        front = load_frontmatter(yaml_source)
        data = front.data
        lines = body.split("\n")
        tokens = self._markdown.parse(body)
        found = headings(tokens)
        in_code = code_lines(tokens)

        links, embeds = collect_links(body)
        front_links, _ = collect_links(yaml_source)
        tags = unique(
            frontmatter_tags(data.get("tags", data.get("tag")))
            + inline_tags([line for number, line in enumerate(lines) if number not in in_code], closed_tags)
        )
        metadata: dict[str, Any] = {
            key: plain_value(value)
            for key, value in data.items()
            if key.lower() not in RESERVED_KEYS and plain_value(value) is not None
        }
        metadata["links"] = unique(links + front_links)
        if embeds:
            metadata["embeds"] = embeds
        aliases = as_list(data.get("aliases", data.get("alias")))
        if aliases:
            metadata["aliases"] = aliases
        if front.error:
            metadata["frontmatter_error"] = front.error
        fields = inline_fields("\n".join(line for number, line in enumerate(lines) if number not in in_code))
        for key, value in fields:
            metadata.setdefault(key, plain_value(value))

        first_h1 = next((render_wikilinks(text).strip() for _, _, level, text in found if level == 1), "")
        title = data.get("title") if isinstance(data.get("title"), str) else None
        title = (title or "").strip() or first_h1 or origin.fallback_title
        when = (property_time(data) or property_time(dict(fields))
                or name_time((origin.fallback_title, "file name"), (title, "title")))
        # The file's mtime is a last resort, never offered as the answer to "when".
        metadata["time_source"] = when.source if when else "file modified"
        properties = property_lines(((key, value) for key, value in data.items() if key.lower() != "title"),
                                    render_wikilinks)
        body_text = render_wikilinks(body).strip()
        authors = as_list(data.get("author") or data.get("authors"))
        places = next((as_list(data[key]) for key in PLACE_KEYS if data.get(key)), [])
        return Document(
            native_id=origin.native_id,
            kind=NOTE_KIND,
            text="\n\n".join(part for part in (properties, body_text) if part),
            title=title,
            uri=origin.uri,
            occurred_at=when.start if when else origin.fallback_time,
            ended_at=when.end if when else None,
            author=authors[0] if authors else None,
            people=unique(authors + as_list(data.get("people"))),
            place=", ".join(places) or None,
            tags=tags,
            metadata=metadata,
            sections=build_sections(lines, found, properties),
            attachments=embed_attachments(embeds, origin.folder),
        )
