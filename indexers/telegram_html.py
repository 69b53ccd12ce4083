"""Telegram Desktop HTML export (``messages.html``), read with the stdlib parser.

The markup is regular: each message is ``<div class="message default" id="messageN">``
holding ``from_name``, a ``date details`` div whose ``title`` has the full
timestamp with its UTC offset, and a ``text`` div. "joined" messages omit the
sender (same as the previous one); ``service`` messages (date separators,
joins) are skipped. Forwarded-message headers are not taken as the sender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

from pocketmind.indexers.base import relative_id
from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    fix_mojibake,
    local_attachment,
    message_title,
    message_uri,
    unique,
)
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError

_DATE_TITLE = re.compile(
    r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):(\d{2}))?"
)
_REPLY_HREF = re.compile(r"go_to_message(\d+)")


@dataclass
class _HtmlMessage:
    html_id: str
    author: str | None = None
    date_title: str | None = None
    text: str = ""
    reply_to: str | None = None
    media: list[str] = field(default_factory=list)


class _TelegramHtmlParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chat_name = ""
        self.messages: list[_HtmlMessage] = []
        self._divs: list[str] = []  # classes of the open divs
        self._current: _HtmlMessage | None = None
        self._capture: str | None = None  # which field the text goes to
        self._capture_depth = 0
        self._buffer: list[str] = []
        self._forwarded_depth: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        classes = values.get("class", "").split()
        if tag == "br" and self._capture:
            self._buffer.append("\n")
        if tag == "a" and self._current is not None:
            self._on_link(values.get("href", ""), classes)
        if tag != "div":
            return
        self._divs.append(" ".join(classes))
        depth = len(self._divs)
        if "message" in classes and "default" in classes:
            self._current = _HtmlMessage(html_id=values.get("id", ""))
            self.messages.append(self._current)
        elif "message" in classes:
            self._current = None  # service message
        elif "forwarded" in classes and self._current is not None:
            self._forwarded_depth = depth
        elif "date" in classes and "details" in classes and self._current is not None:
            self._current.date_title = values.get("title")
        elif self._capture is None and self._wants(classes):
            self._capture, self._capture_depth, self._buffer = self._wants(classes), depth, []

    def _wants(self, classes: list[str]) -> str | None:
        inside_forward = self._forwarded_depth is not None
        if self._current is None:
            header = any("page_header" in c for c in self._divs)
            return "chat" if header and classes == ["text", "bold"] and not self.chat_name else None
        if classes == ["from_name"] and not inside_forward:
            return "author"
        if classes == ["text"]:
            return "text"
        return None

    def _on_link(self, href: str, classes: list[str]) -> None:
        assert self._current is not None
        reply = _REPLY_HREF.search(href)
        if reply and any("reply_to" in c for c in self._divs):
            self._current.reply_to = reply.group(1)
        elif any(c in ("photo_wrap", "media_file", "video_file_wrap", "media") for c in classes):
            if href and not href.startswith(("#", "http")):
                self._current.media.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag != "div" or not self._divs:
            return
        depth = len(self._divs)
        if self._capture and depth == self._capture_depth:
            self._finish_capture()
        if self._forwarded_depth == depth:
            self._forwarded_depth = None
        self._divs.pop()

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)

    def _finish_capture(self) -> None:
        text = "\n".join(line.strip() for line in "".join(self._buffer).strip().splitlines())
        if self._capture == "chat":
            self.chat_name = fix_mojibake(text)  # names re-saved through a Latin-1 tool, as in the JSON export
        elif self._current is not None and self._capture == "author":
            self._current.author = fix_mojibake(text)
        elif self._current is not None and self._capture == "text":
            self._current.text = text
        self._capture = None


def parse_date_title(title: str | None) -> datetime | None:
    """``"23.08.2023 13:11:23 UTC-08:00"`` -> aware datetime (naive without offset)."""
    match = _DATE_TITLE.fullmatch((title or "").strip())
    if not match:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
        if sign is None:
            return moment
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
        return moment.replace(tzinfo=timezone(offset))
    except ValueError:  # "31.02.2023 25:61:00": shaped like a date, but none; the message stays undated
        return None


def parse_telegram_html(path: Path, root: Path) -> Iterator[Document]:
    parser = _TelegramHtmlParser()
    try:
        parser.feed(path.read_text(encoding="utf-8-sig"))
        parser.close()
    except (OSError, UnicodeDecodeError) as error:
        raise ParseError(path, f"cannot read Telegram HTML export: {error}") from error
    if not parser.messages:
        raise ParseError(path, "no Telegram messages found in the HTML")
    chat_name = parser.chat_name or path.stem
    chat_key = f"{relative_id(path, root)}:{chat_name}"
    _fill_joined_senders(parser.messages)
    people = unique(m.author for m in parser.messages)
    for message in parser.messages:
        yield _to_document(path, chat_key, chat_name, people, message)


def _fill_joined_senders(messages: list[_HtmlMessage]) -> None:
    """"joined" messages continue the previous sender's run."""
    previous: str | None = None
    for message in messages:
        message.author = message.author or previous
        previous = message.author


def _to_document(
    path: Path, chat_key: str, chat_name: str, people: list[str], message: _HtmlMessage
) -> Document:
    number = message.html_id.removeprefix("message")
    native_id = f"{chat_key}:{number}"
    attachments: list[Attachment] = [
        local_attachment(Path(href).name, href, [path.parent], caption=message.text or None)
        for href in message.media
    ]
    metadata = {"format": "telegram", "chat": chat_name, "export": "html"}
    if message.reply_to:
        metadata["reply_to"] = f"{chat_key}:{message.reply_to}"
    return Document(
        native_id=native_id, kind="message",
        text=message.text or attachment_placeholder(attachments),
        title=message_title(message.author, chat_name), uri=message_uri(path, message.html_id),
        occurred_at=parse_date_title(message.date_title), author=message.author,
        conversation=chat_name, people=people, metadata=metadata, attachments=attachments,
    )
