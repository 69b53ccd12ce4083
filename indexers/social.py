"""Facebook Messenger and Instagram JSON exports, and Signal plain-text exports.

Messenger and Instagram share one shape (``participants``, ``messages`` newest
first with ``sender_name``/``timestamp_ms``/``content``) and Meta's mojibake:
UTF-8 bytes written as Latin-1 escapes, repaired here. They are told apart by
the path: a file under a folder mentioning "instagram" is Instagram, any other
is Messenger. Call/subscribe notices are system events and are skipped.

Signal exports are lines ``[YYYY-MM-DD, HH:MM] Name: text``; other lines
continue the previous message. Times carry no offset and stay naive.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from pocketmind.indexers.base import relative_id
from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    fix_mojibake_deep,
    from_unix_millis,
    load_json,
    local_attachment,
    message_title,
    message_uri,
    read_head,
    reading,
    text_field,
    unique,
)
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError

# Meta message types that are notices, not words someone wrote.
_META_SYSTEM_TYPES = {"Call", "Subscribe", "Unsubscribe"}
_META_MEDIA_KEYS = ("photos", "videos", "gifs", "audio_files", "files")


def _is_meta_chat_json(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    head = read_head(path)
    return head.startswith("{") and '"messages"' in head and (
        '"sender_name"' in head or '"participants"' in head
    ) and '"guild"' not in head


def _is_instagram_path(path: Path) -> bool:
    return "instagram" in path.as_posix().lower()


class MessengerIndexer:
    source_kind = "messages"
    name = "messenger"
    format = "messenger"

    def accepts(self, path: Path) -> bool:
        return _is_meta_chat_json(path) and not _is_instagram_path(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        yield from _parse_meta_thread(path, root, self.format)


class InstagramIndexer(MessengerIndexer):
    name = "instagram"
    format = "instagram"

    def accepts(self, path: Path) -> bool:
        return _is_meta_chat_json(path) and _is_instagram_path(path)


def _parse_meta_thread(path: Path, root: Path, format_name: str) -> Iterator[Document]:
    try:
        data = fix_mojibake_deep(load_json(path))
    except RecursionError:
        raise ParseError(path, "not readable JSON: nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ParseError(path, 'not a Messenger/Instagram thread: no "messages" list')
    messages = [m for m in data["messages"] if isinstance(m, dict)]
    if any("timestamp_ms" not in m for m in messages):
        raise ParseError(path, 'a message has no "timestamp_ms"')
    with reading(path, "a message"):
        # Exports list newest first; a stable sort keeps same-millisecond order.
        messages.sort(key=lambda m: int(m["timestamp_ms"]))
    with reading(path, "the participants and senders"):
        listed = [text_field(p, "name") for p in data.get("participants", []) if isinstance(p, dict)]
        people = unique([*listed, *(text_field(m, "sender_name") for m in messages)])
        conversation = text_field(data, "title") or ", ".join(people) or path.stem
        thread = text_field(data, "thread_path") or relative_id(path, root)
    # Media uris are relative to the export root, a few folders above the file.
    search_dirs = [path.parent, *path.parents]
    ordinals: dict[tuple[Any, Any], int] = {}
    for message in messages:
        with reading(path, f"the message of timestamp_ms {message['timestamp_ms']}"):
            if message.get("type") in _META_SYSTEM_TYPES:
                continue
            key = (message["timestamp_ms"], text_field(message, "sender_name") or None)
            ordinal = ordinals.get(key, 0)
            ordinals[key] = ordinal + 1
            native_id = f"{thread}:{key[0]}:{key[1]}:{ordinal}"
            yield _meta_document(path, format_name, native_id, conversation, people, message,
                                 search_dirs)


def _meta_document(
    path: Path, format_name: str, native_id: str, conversation: str, people: list[str],
    message: dict[str, Any], search_dirs: list[Path],
) -> Document:
    author = text_field(message, "sender_name") or "Unknown"
    text = text_field(message, "content")
    attachments = _meta_attachments(message, search_dirs)
    metadata: dict[str, Any] = {"format": format_name, "chat": conversation}
    if message.get("reactions"):
        metadata["reactions"] = message["reactions"]
    if isinstance(message.get("share"), dict) and message["share"].get("link"):
        metadata["link"] = message["share"]["link"]
    if message.get("is_unsent"):
        metadata["unsent"] = True
    return Document(
        native_id=native_id, kind="message", text=text or attachment_placeholder(attachments),
        title=message_title(author, conversation), uri=message_uri(path, native_id),
        occurred_at=from_unix_millis(message["timestamp_ms"]), author=author,
        conversation=conversation, people=people, metadata=metadata, attachments=attachments,
    )


def _meta_attachments(message: dict[str, Any], search_dirs: list[Path]) -> list[Attachment]:
    media = [item for key in _META_MEDIA_KEYS for item in message.get(key) or []]
    if isinstance(message.get("sticker"), dict):
        media.append(message["sticker"])
    found = []
    for item in media:
        uri = text_field(item, "uri") if isinstance(item, dict) else None
        if uri:
            found.append(local_attachment(Path(uri).name, uri, search_dirs))
    return found


# --- Signal -----------------------------------------------------------------

_SIGNAL_LINE = re.compile(r"\[(\d{4}-\d{2}-\d{2}), (\d{2}:\d{2}(?::\d{2})?)\] ([^:]+?): ?(.*)")


class SignalIndexer:
    source_kind = "messages"
    name = "signal"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".txt":
            return False
        first_line = read_head(path, 1024).splitlines()[:1]
        return bool(first_line) and _SIGNAL_LINE.match(first_line[0]) is not None

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise ParseError(path, f"cannot read Signal export as UTF-8 text: {error}") from error
        messages = _signal_messages(path, lines)
        conversation = path.stem
        people = unique(sender for _, sender, _ in messages)
        chat_key = relative_id(path, root)
        ordinals: dict[tuple[datetime, str], int] = {}
        for moment, sender, text in messages:
            ordinal = ordinals.get((moment, sender), 0)
            ordinals[(moment, sender)] = ordinal + 1
            native_id = f"{chat_key}:{moment.isoformat()}:{sender}:{ordinal}"
            yield Document(
                native_id=native_id, kind="message", text=text,
                title=message_title(sender, conversation), uri=message_uri(path, native_id),
                occurred_at=moment, author=sender, conversation=conversation, people=people,
                metadata={"format": "signal", "chat": conversation},
            )


def _signal_messages(path: Path, lines: list[str]) -> list[tuple[datetime, str, str]]:
    """(time, sender, text) per message; unmatched lines continue the last one."""
    messages: list[tuple[datetime, str, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        match = _SIGNAL_LINE.match(line)
        if match:
            day, clock, sender, text = match.groups()
            try:
                moment = datetime.fromisoformat(f"{day}T{clock}")
            except ValueError as error:
                raise ParseError(path, f"line {number}: {day} {clock} is not a date and time ({error})") from None
            messages.append((moment, sender, [text]))
        elif messages:
            messages[-1][2].append(line)
        elif line.strip():
            raise ParseError(path, f"line {number}: expected '[YYYY-MM-DD, HH:MM] Name: text'")
    if not messages:
        raise ParseError(path, "no Signal messages found")
    return [(moment, sender, "\n".join(text).strip()) for moment, sender, text in messages]
