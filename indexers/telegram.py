"""Telegram exports: Telegram Desktop JSON/HTML and channel message dumps.

Handled shapes:

* Telegram Desktop single-chat ``result.json`` (``{"name", "id", "messages": [...]}``)
* Telegram Desktop full-account ``result.json`` (``{"chats": {"list": [...]}}``);
  its ``personal_information`` tells which messages are the owner's.
* Telegram Desktop HTML export (``messages.html``), read with ``html.parser``.
* Channel dumps: a JSON list of ``{"message.id", "sender_id", "text", "date"}``.

Service messages (joins, pins, calls...) are not anyone's words and are skipped.
A photo yields the message plus a ``photo`` document linked by ``message_id``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from pocketmind.indexers.base import relative_id
from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    fix_mojibake,
    from_unix_seconds,
    in_wall_clock_offset,
    json_object,
    json_type,
    load_json,
    local_attachment,
    message_title,
    message_uri,
    read_head,
    reading,
    stable_id,
    text_field,
    unique,
)
from pocketmind.indexers.telegram_html import parse_telegram_html
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError

FORMAT = "telegram"
# Telegram writes this instead of a path when media was not exported.
_NOT_EXPORTED = "(File not included"


def flatten_text(text: Any) -> str:
    """Telegram text is a string or a list of strings and entity dicts."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict) else ""
                       for part in text)
    return ""


class TelegramIndexer:
    source_kind = "messages"
    name = "telegram"

    def accepts(self, path: Path) -> bool:
        suffix = path.suffix.lower()
        head = read_head(path)
        if suffix in (".html", ".htm"):
            return "page_body chat_page" in read_head(path, 16384) or (
                'class="message default' in read_head(path, 16384)
            )
        if suffix != ".json":
            return False
        if head.startswith("["):
            # A channel dump, or chat messages cut out of their export: taken, so the latter gets its error.
            return '"message.id"' in head or '"type": "message"' in head
        if not head.startswith("{"):
            return False
        if '"sender_name"' in head or '"guild"' in head:
            return False  # Messenger/Instagram and Discord also have "messages"
        if '"chats"' in head or '"personal_information"' in head:
            return True
        return '"messages"' in head and ('"date_unixtime"' in head or '"from"' in head
                                          or '"type": "personal_chat"' in head)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        if path.suffix.lower() in (".html", ".htm"):
            yield from parse_telegram_html(path, root)
            return
        data = load_json(path)
        if isinstance(data, list):
            yield from _parse_channel_dump(path, root, data)
        elif isinstance(data, dict) and isinstance(data.get("chats"), dict):
            owner_id = _owner_id(data)
            chats = data["chats"].get("list")
            if not isinstance(chats, list):
                raise ParseError(path, '"chats" has no "list" of chats')
            for number, chat in enumerate(chats, 1):
                yield from _parse_chat(path, root, json_object(path, chat, f"chat {number}"), owner_id)
        elif isinstance(data, dict) and isinstance(data.get("messages"), list):
            yield from _parse_chat(path, root, data, None)
        else:
            got = "" if isinstance(data, dict) else f", got {json_type(data)}"
            raise ParseError(path, f'not a Telegram export: no "messages" or "chats" list{got}')


def _owner_id(data: dict[str, Any]) -> str | None:
    """The account owner's ``from_id`` ("user123") in a full-account export."""
    info = data.get("personal_information")
    user_id = info.get("user_id") if isinstance(info, dict) else None
    return f"user{user_id}" if user_id is not None else None


def _parse_chat(
    path: Path, root: Path, chat: dict[str, Any], owner_id: str | None
) -> Iterator[Document]:
    with reading(path, "chat"):
        # Names re-saved through a Latin-1 tool arrive as "Ã\x89milie": repaired as Messenger's are.
        chat_name = fix_mojibake(text_field(chat, "name")) or path.stem
        chat_type = text_field(chat, "type") or None
    chat_key = str(chat["id"]) if chat.get("id") is not None else f"{relative_id(path, root)}:{chat_name}"
    listed = chat.get("messages", [])
    if not isinstance(listed, list):
        raise ParseError(path, f'chat {chat_name!r}: "messages" is {json_type(listed)}, not a list')
    for number, message in enumerate(listed, 1):
        json_object(path, message, f"chat {chat_name!r}, message {number}")
    messages = [m for m in listed if m.get("type", "message") == "message"]
    with reading(path, f"chat {chat_name!r}, a message's sender"):
        people = unique(_sender(m) for m in messages)
    seen: dict[tuple[Any, ...], int] = {}
    for number, message in enumerate(messages, 1):
        with reading(path, f"chat {chat_name!r}, message {message.get('id', number)}"):
            native_id = _message_id(chat_key, message, seen)
            yield from _message_documents(path, chat_key, chat_name, chat_type, message,
                                          native_id, people, owner_id)


def _sender(message: dict[str, Any]) -> str:
    name = text_field(message, "from") or text_field(message, "actor")
    return fix_mojibake(name) if name else text_field(message, "from_id") or "Deleted Account"


def _message_id(chat_key: str, message: dict[str, Any], seen: dict[tuple[Any, ...], int]) -> str:
    if message.get("id") is not None:
        return f"{chat_key}:{message['id']}"
    # Minimal exports carry no ids: chat + time + sender + ordinal is stable.
    key = (message.get("date_unixtime") or message.get("date"), _sender(message))
    ordinal = seen.get(key, 0)
    seen[key] = ordinal + 1
    return f"{chat_key}:{stable_id(*key, ordinal)}"


def _occurred_at(message: dict[str, Any]) -> datetime | None:
    if message.get("date_unixtime"):
        wall_clock = None
        if isinstance(message.get("date"), str):
            try:
                wall_clock = datetime.fromisoformat(message["date"])  # the exporter's local time
            except ValueError:
                pass
        return in_wall_clock_offset(from_unix_seconds(message["date_unixtime"]), wall_clock)
    if message.get("date"):
        return datetime.fromisoformat(message["date"])  # local time, no offset: stays naive
    return None


def _message_documents(
    path: Path, chat_key: str, chat_name: str, chat_type: str | None, message: dict[str, Any],
    native_id: str, people: list[str], owner_id: str | None,
) -> Iterator[Document]:
    author = _sender(message)
    text = flatten_text(message.get("text"))
    attachments = _attachments(path, message, text)
    metadata: dict[str, Any] = {"format": FORMAT, "chat": chat_name}
    if chat_type:
        metadata["chat_type"] = chat_type
    if message.get("reply_to_message_id") is not None:
        metadata["reply_to"] = f"{chat_key}:{message['reply_to_message_id']}"
    for key in ("forwarded_from", "edited", "via_bot", "media_type"):
        if message.get(key):
            metadata[key] = message[key]
    if owner_id and message.get("from_id") == owner_id:
        metadata["from_me"] = True
    occurred_at = _occurred_at(message)
    uri = message_uri(path, native_id)
    yield Document(
        native_id=native_id, kind="message", text=text or attachment_placeholder(attachments),
        title=message_title(author, chat_name), uri=uri, occurred_at=occurred_at,
        author=author, conversation=chat_name, people=people, metadata=metadata,
        attachments=attachments,
    )
    if message.get("photo"):
        yield Document(
            native_id=f"{native_id}:photo", kind="photo", text=text,
            title=f"Photo from {author} in {chat_name}", uri=uri, occurred_at=occurred_at,
            author=author, conversation=chat_name, people=people,
            metadata={"format": FORMAT, "chat": chat_name, "message_id": native_id},
            attachments=[attachments[0]],
        )


def _attachments(path: Path, message: dict[str, Any], caption: str) -> list[Attachment]:
    found: list[Attachment] = []
    for key in ("photo", "file"):
        relative = message.get(key)
        if not relative:
            continue
        if not isinstance(relative, str):
            raise TypeError(f'"{key}" is {json_type(relative)}, not a file path')
        exported = not relative.startswith(_NOT_EXPORTED)
        name = text_field(message, "file_name") or (Path(relative).name if exported else key)
        mime = text_field(message, "mime_type") or ("image/jpeg" if key == "photo" else None)
        found.append(local_attachment(name, relative if exported else None, [path.parent],
                                      caption=caption or None, mime=mime))
    return found


def _parse_channel_dump(path: Path, root: Path, data: list[Any]) -> Iterator[Document]:
    """A channel's posts dumped as a list (newest first); the channel is the author."""
    channel = path.stem
    posts = [p for p in data if isinstance(p, dict) and "message.id" in p]
    if data and not posts and all(isinstance(p, dict) and p.get("type") == "message" for p in data):
        raise ParseError(path, 'a list of Telegram messages without their chat: a Telegram export is an object '
                               'with a "messages" list (Export chat history as JSON)')
    if len(posts) != len(data):
        raise ParseError(path, 'not a Telegram channel dump: items without "message.id"')
    dates = []
    for number, post in enumerate(posts):
        with reading(path, f"channel post {post['message.id']}"):
            dates.append((datetime.fromisoformat(post["date"]), number))
    with reading(path, "channel posts"):  # dates with and without an offset do not compare
        dates.sort()
    chat_key = relative_id(path, root)
    for _, number in dates:
        post = posts[number]
        with reading(path, f"channel post {post['message.id']}"):
            yield _channel_post(path, channel, chat_key, post)


def _channel_post(path: Path, channel: str, chat_key: str, post: dict[str, Any]) -> Document:
    native_id = f"{chat_key}:{post['message.id']}"
    metadata: dict[str, Any] = {"format": FORMAT, "chat": channel, "chat_type": "channel",
                                "sender_id": post.get("sender_id")}
    if post.get("reply_to_id") is not None:
        metadata["reply_to"] = f"{chat_key}:{post['reply_to_id']}"
    return Document(
        native_id=native_id, kind="message", text=flatten_text(post.get("text")),
        title=message_title(channel, channel), uri=message_uri(path, native_id),
        occurred_at=datetime.fromisoformat(post["date"]), author=channel,
        conversation=channel, people=[channel], metadata=metadata,
    )
