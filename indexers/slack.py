"""Slack workspace export ZIP: ``channels.json``, ``users.json`` and one folder
per conversation holding one JSON list of messages per day.

User ids are resolved through ``users.json`` (falling back to a message's own
``user_profile``); ``<@U123>`` mentions and ``<url|label>`` links become plain
text. Joins, leaves, topic changes and other notices are skipped; bot posts
(e.g. GitHub commit notices) are kept with ``metadata["bot"]``. Unzipped
exports are not handled (their per-day files carry no channel context).
"""

from __future__ import annotations

import html
import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any, Iterator

from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    from_unix_seconds,
    message_title,
    message_uri,
    mime_from_name,
    reading,
    text_field,
    unique,
)
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.inputs import read_member

_CONVERSATION_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
_NOTICE_SUBTYPES = {
    "channel_join", "channel_leave", "group_join", "group_leave", "channel_topic",
    "channel_purpose", "channel_name", "channel_archive", "channel_unarchive",
    "group_topic", "group_purpose", "group_name", "pinned_item", "unpinned_item",
    "bot_add", "bot_remove", "tombstone", "reminder_add",
}
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_LINK = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


class SlackIndexer:
    source_kind = "messages"
    name = "slack"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (OSError, zipfile.BadZipFile):
            return False
        return "users.json" in names and any(n in names for n in _CONVERSATION_LISTS)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            with zipfile.ZipFile(path) as archive:
                yield from _parse_archive(path, archive)
        except (OSError, zipfile.BadZipFile) as error:
            raise ParseError(path, f"not a readable ZIP archive: {error}") from error


def _read_member(path: Path, archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return json.loads(read_member(path, archive, name).decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        raise ParseError(path, f"{name}: not valid JSON: {error.msg} at line {error.lineno}") from error
    except (UnicodeDecodeError, zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, OSError) as error:
        raise ParseError(path, f"{name}: cannot be read: {error}") from error
    except RecursionError:
        raise ParseError(path, f"{name}: not readable JSON: nested too deeply") from None


def _parse_archive(path: Path, archive: zipfile.ZipFile) -> Iterator[Document]:
    names = archive.namelist()
    with reading(path, "users.json"):
        users = _user_names(_read_member(path, archive, "users.json"))
    conversations: dict[str, dict[str, Any]] = {}
    for listing in _CONVERSATION_LISTS:
        if listing in names:
            with reading(path, listing):
                for item in _read_member(path, archive, listing):
                    conversations[text_field(item, "name") or text_field(item, "id")] = item
    day_files = sorted(n for n in names if n.count("/") == 1 and n.endswith(".json"))
    for name in day_files:
        folder = name.split("/")[0]
        info = conversations.get(folder, {})
        with reading(path, f"the members of {folder}"):
            members = unique(users.get(str(m)) for m in info.get("members", []))  # unknown ids dropped
        messages = _read_member(path, archive, name)
        if not isinstance(messages, list):
            raise ParseError(path, f"{name}: expected a list of messages")
        for number, message in enumerate(messages, 1):
            with reading(path, f"{name}, message {number}"):
                if message.get("type") == "message" and message.get("subtype") not in _NOTICE_SUBTYPES:
                    yield _to_document(path, folder, text_field(info, "id") or None, members, users, message)


def _user_names(users: list[dict[str, Any]]) -> dict[str, str]:
    names = {}
    for user in users:
        profile = user.get("profile") or {}
        user_id = text_field(user, "id")
        names[user_id] = (
            text_field(user, "real_name") or text_field(profile, "real_name") or text_field(profile, "display_name")
            or text_field(user, "name") or user_id
        )
    return names


def _author(message: dict[str, Any], users: dict[str, str]) -> str:
    user = text_field(message, "user")
    if user in users:
        return users[user]
    profile = message.get("user_profile") or {}
    bot = message.get("bot_profile") or {}
    return (text_field(profile, "real_name") or text_field(profile, "display_name") or text_field(message, "username")
            or text_field(bot, "name") or user or f"bot {message.get('bot_id', '?')}")


def plain_text(text: str, users: dict[str, str]) -> str:
    """Slack mrkdwn escapes to readable text: mentions, channel links, links."""
    text = _MENTION.sub(lambda m: "@" + users.get(m.group(1), m.group(1)), text)
    text = _CHANNEL_LINK.sub(lambda m: "#" + m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return html.unescape(text)


def _text(message: dict[str, Any], users: dict[str, str]) -> str:
    text = text_field(message, "text")
    if not text:  # bot posts put their words in attachments
        parts = [p for a in message.get("attachments") or [] for p in (text_field(a, "pretext"), text_field(a, "text"))]
        text = "\n".join(p for p in parts if p)
    return plain_text(text, users).strip()


def ts_time(ts: str):
    """Slack ``ts`` ("1681413317.397479") as an exact aware UTC datetime."""
    seconds, _, fraction = ts.partition(".")
    return from_unix_seconds(int(seconds)).replace(microsecond=int((fraction + "000000")[:6]))


def _to_document(
    path: Path, folder: str, channel_id: str | None, members: list[str],
    users: dict[str, str], message: dict[str, Any],
) -> Document:
    native_id = f"{channel_id or folder}:{message['ts']}"
    author = _author(message, users)
    files = [message["file"]] if message.get("file") else message.get("files") or []
    attachments = [
        Attachment(name=text_field(f, "name") or text_field(f, "title") or "file",
                   mime=text_field(f, "mimetype") or mime_from_name(text_field(f, "name")))
        for f in files
    ]
    metadata: dict[str, Any] = {"format": "slack", "chat": folder, "ts": message["ts"]}
    if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
        metadata["thread_ts"] = message["thread_ts"]
        metadata["reply_to"] = f"{channel_id or folder}:{message['thread_ts']}"
    if message.get("subtype"):
        metadata["subtype"] = message["subtype"]
    if message.get("subtype") == "bot_message" or message.get("bot_id"):
        metadata["bot"] = True
    if message.get("reactions"):
        metadata["reactions"] = [
            {"emoji": r.get("name"), "users": [users.get(u, u) for u in r.get("users", [])]}
            for r in message["reactions"]
        ]
    text = _text(message, users)
    return Document(
        native_id=native_id, kind="message", text=text or attachment_placeholder(attachments),
        title=message_title(author, folder), uri=message_uri(path, f"{folder}/{message['ts']}"),
        occurred_at=ts_time(message["ts"]), author=author, conversation=folder,
        people=unique([*members, author]), metadata=metadata, attachments=attachments,
    )
