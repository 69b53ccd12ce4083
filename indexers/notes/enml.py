"""ENML (Evernote's XHTML note body) to readable plain text.

Uses the stdlib HTML parser rather than XML: real ENML carries HTML entities
(``&nbsp;``) that strict XML rejects. Checklists become ``[x] item`` /
``[ ] item``, tables ``a | b``, attachments ``[file name]`` and encrypted
blocks a short notice instead of their ciphertext.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCK_TAGS = {
    "div", "p", "li", "tr", "table", "ul", "ol", "en-note", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dl", "dt", "dd", "section", "article",
}
SKIPPED_TAGS = {"style", "script", "head", "title", "colgroup"}
WHITESPACE = re.compile(r"\s+")
BLANK_RUN = re.compile(r"\n{3,}")
# Placeholder for <en-media>, replaced once the note's resources are known.
MEDIA_MARK = "\x00media:{}\x00"
MEDIA_MARK_PATTERN = re.compile(r"\x00media:([^\x00]*)\x00")
# A line holding only a list marker: <li><div>x</div></li> must stay one line.
ONLY_MARKER = re.compile(r"\s*(-|\d+\.|\[[x ]\])?\s*")


@dataclass
class ListState:
    ordered: bool
    checklist: bool  # Evernote 10 checklists: <ul style="--en-todo:true;">
    count: int = 0


@dataclass
class EnmlText:
    text: str
    encrypted: bool = False
    encryption_hints: list[str] = field(default_factory=list)


def style_flag(attrs: dict[str, str | None], flag: str) -> bool:
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return f"{flag}:true" in style


class EnmlToText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current = ""
        self.lists: list[ListState] = []
        self.row_cells = 0
        self.in_cell = False
        self.skip_depth = 0
        self.in_crypt = False
        self.encrypted = False
        self.hints: list[str] = []

    # -- line handling -------------------------------------------------------
    def write(self, text: str) -> None:
        if ONLY_MARKER.fullmatch(self.current):
            text = text.lstrip()
        self.current += text

    def end_block(self) -> None:
        # blocks inside a table cell (<td><div>x</div></td>) keep the row on one line
        if not self.in_cell and not ONLY_MARKER.fullmatch(self.current):
            self.end_line()

    def end_line(self, keep_empty: bool = False) -> None:
        line = self.current.rstrip()
        if line or keep_empty:
            self.lines.append(line)
        self.current = ""

    # -- parser callbacks ----------------------------------------------------
    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attr_list)
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag == "en-crypt":
            self.in_crypt = True
            self.encrypted = True
            hint = (attrs.get("hint") or "").strip()
            if hint:
                self.hints.append(hint)
            self.write(f" [encrypted content{f' (hint: {hint})' if hint else ''}] ")
        elif tag in ("ul", "ol"):
            self.end_line()
            self.lists.append(ListState(ordered=tag == "ol", checklist=style_flag(attrs, "--en-todo")))
        elif tag == "li":
            self.start_item(attrs)
        elif tag == "en-todo":
            self.write("[x] " if (attrs.get("checked") or "").lower() == "true" else "[ ] ")
        elif tag == "en-media":
            self.write(MEDIA_MARK.format(attrs.get("hash") or attrs.get("type") or ""))
        elif tag == "br":
            self.end_line(keep_empty=True)
        elif tag in ("td", "th"):
            if self.row_cells:
                self.write(" | ")
            self.row_cells += 1
            self.in_cell = True
        elif tag in BLOCK_TAGS:
            if tag in ("tr", "table"):
                self.in_cell = False
                self.row_cells = 0
            self.end_block()

    def start_item(self, attrs: dict[str, str | None]) -> None:
        self.end_line()
        state = self.lists[-1] if self.lists else ListState(ordered=False, checklist=False)
        state.count += 1
        indent = "  " * max(len(self.lists) - 1, 0)
        if state.checklist:
            marker = "[x] " if style_flag(attrs, "--en-checked") else "[ ] "
        else:
            marker = f"{state.count}. " if state.ordered else "- "
        self.current = indent + marker

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(self.skip_depth - 1, 0)
        elif tag == "en-crypt":
            self.in_crypt = False
        elif tag in ("td", "th"):
            self.in_cell = False
        elif tag in ("ul", "ol"):
            self.end_line()
            if self.lists:
                self.lists.pop()
        elif tag in BLOCK_TAGS:
            self.end_block()

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.in_crypt:
            return
        self.write(WHITESPACE.sub(" ", data))

    def result(self) -> EnmlText:
        self.close()
        self.end_line()
        text = BLANK_RUN.sub("\n\n", "\n".join(self.lines)).strip()
        return EnmlText(text=text, encrypted=self.encrypted, encryption_hints=self.hints)


def enml_to_text(enml: str) -> EnmlText:
    converter = EnmlToText()
    converter.feed(enml)
    return converter.result()


def name_media(text: str, names: dict[str, str]) -> str:
    """Replace <en-media> placeholders by ``[file name]`` (or the hash's mime)."""
    return MEDIA_MARK_PATTERN.sub(lambda match: f"[{names.get(match.group(1), 'attachment')}]", text)
