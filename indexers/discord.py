"""DiscordChatExporter JSON (one channel per file: ``guild``, ``channel``, ``messages``).

``Default`` and ``Reply`` messages are someone's words. System messages that
say who did something (a call, a rename, a pin, a join...) are indexed too, as
notices (``metadata["notice"]``) worded as Discord shows them ("Started a call
that lasted 113 minutes."), so "how long was the call?" finds them; system
types with no wording are skipped. The author is the nickname
when present, else the account name. Timestamps keep their offset. Attachment
paths point at local files when the export downloaded media, else at URLs.
A message id listed twice (exports resumed mid-way) is indexed once.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    json_object,
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

_PERSON_TYPES = {"Default", "Reply"}
# What Discord shows for a system message whose export carries no "content"
# (older DiscordChatExporter versions); a call's wording is built from its times.
_NOTICE_WORDING = {
    "Call": "Started a call.",
    "ChannelNameChange": "Changed the channel name.",
    "ChannelIconChange": "Changed the channel icon.",
    "ChannelPinnedMessage": "Pinned a message.",
    "GuildMemberJoin": "Joined the server.",
    "ThreadCreated": "Started a thread.",
    "RecipientAdd": "Added a recipient.",
    "RecipientRemove": "Removed a recipient.",
}


class DiscordIndexer:
    source_kind = "messages"
    name = "discord"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".json":
            return False
        head = read_head(path)
        return head.startswith("{") and '"guild"' in head and '"channel"' in head

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        data = load_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise ParseError(path, 'not a DiscordChatExporter file: no "messages" list')
        with reading(path, '"channel" and "guild"'):
            channel = json_object(path, data.get("channel") or {}, '"channel"')
            guild = text_field(json_object(path, data.get("guild") or {}, '"guild"'), "name") or None
            channel_id = str(channel.get("id", path.stem))
            conversation = text_field(channel, "name") or path.stem
        messages = _unique_messages(data["messages"])
        with reading(path, "a message's author"):
            people = unique(_author_name(m) for m in messages)
        for message in messages:
            with reading(path, f"message {message.get('id')}"):
                yield _to_document(path, channel_id, conversation, guild, channel, people, message)


def _unique_messages(messages: list[Any]) -> list[dict[str, Any]]:
    """Someone's messages and worded notices, each id once."""
    kept: dict[str, dict[str, Any]] = {}
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            continue
        if message["type"] in _PERSON_TYPES or message["type"] in _NOTICE_WORDING:
            kept.setdefault(str(message.get("id")), message)
    return list(kept.values())


def _notice_text(message: dict[str, Any]) -> str:
    written = text_field(message, "content")
    if written:
        return written
    ended = message.get("callEndedTimestamp")
    if message["type"] == "Call" and isinstance(ended, str):
        lasted = datetime.fromisoformat(ended) - datetime.fromisoformat(message["timestamp"])
        # whole minutes, as the exporter writes them (17:03:14 -> 21:14:52 is "251 minutes")
        return f"Started a call that lasted {int(lasted.total_seconds() // 60)} minutes."
    return _NOTICE_WORDING[message["type"]]


def _author_name(message: dict[str, Any]) -> str:
    author = message.get("author") or {}
    return text_field(author, "nickname") or text_field(author, "name") or "Unknown"


def _to_document(
    path: Path, channel_id: str, conversation: str, guild: str | None,
    channel: dict[str, Any], people: list[str], message: dict[str, Any],
) -> Document:
    native_id = f"{channel_id}:{message['id']}"
    author = _author_name(message)
    attachments = _attachments(path, message)
    metadata: dict[str, Any] = {
        "format": "discord", "chat": conversation, "guild": guild,
        "channel_type": channel.get("type"), "author_id": (message.get("author") or {}).get("id"),
    }
    if channel.get("category"):
        metadata["category"] = channel["category"]
    reference = message.get("reference") or {}
    if reference.get("messageId"):
        metadata["reply_to"] = f"{reference.get('channelId') or channel_id}:{reference['messageId']}"
    if (message.get("author") or {}).get("isBot"):
        metadata["is_bot"] = True
    if message.get("timestampEdited"):
        metadata["edited_at"] = message["timestampEdited"]
    if message.get("reactions"):
        metadata["reactions"] = [
            {"emoji": r.get("emoji", {}).get("name"), "count": r.get("count")}
            for r in message["reactions"]
        ]
    if message.get("stickers"):
        metadata["stickers"] = [s.get("name") for s in message["stickers"]]
    if message["type"] in _PERSON_TYPES:
        text = text_field(message, "content") or attachment_placeholder(attachments)
    else:
        text = _notice_text(message)
        metadata.update(notice=True, system_type=message["type"])
        if message.get("callEndedTimestamp"):
            metadata["call_ended_at"] = message["callEndedTimestamp"]
    return Document(
        native_id=native_id, kind="message", text=text,
        title=message_title(author, conversation), uri=message_uri(path, native_id),
        occurred_at=datetime.fromisoformat(message["timestamp"]), author=author,
        conversation=conversation, people=people, metadata=metadata, attachments=attachments,
    )


def _attachments(path: Path, message: dict[str, Any]) -> list[Attachment]:
    found = []
    for item in message.get("attachments") or []:
        url = text_field(item, "url")
        name = text_field(item, "fileName") or Path(url).name or "attachment"
        local = None if url.startswith(("http://", "https://")) else url
        found.append(local_attachment(name, local, [path.parent]))
    return found
