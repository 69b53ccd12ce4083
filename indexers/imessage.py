"""Apple Messages ``chat.db`` (iMessage/SMS on macOS), read-only with sqlite3.

Opened as ``file:...?mode=ro&immutable=1`` so a live database is never locked
or changed. Text comes from ``message.text``, else from ``attributedBody`` (an
NSAttributedString in Apple's typedstream format, see :func:`decode_attributed_body`).
Tapbacks (reactions) and group events are not messages and are skipped.
Databases lacking ``chat``/``attachment`` tables (trimmed samples, old macOS)
still parse: the query is built from the tables present.
Not handled: ``payload_data``/``message_summary_info`` plists (app payloads,
edit history).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    cell_text,
    message_title,
    message_uri,
    mime_from_name,
    reading,
    unique,
)
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError

FORMAT = "imessage"
OWNER = "me"
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=timezone.utc)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_OBJECT_REPLACEMENT = "\ufffc"  # marks where an attachment sits in the text
_TAPBACK_TYPES = range(2000, 4000)  # associated_message_type of reactions


def decode_attributed_body(blob: bytes | None) -> str | None:
    """The plain text inside an ``attributedBody`` typedstream blob.

    The string follows the ``NSString`` class name: a ``+`` type marker, then a
    length (one byte; 0x81 = 2-byte and 0x82 = 4-byte little-endian length
    follows), then that many UTF-8 bytes. Returns None when the blob does not
    have that shape.
    """
    if not blob:
        return None
    start = blob.find(b"NSString")
    if start < 0:
        return None
    plus = blob.find(b"+", start + len(b"NSString"))
    if plus < 0 or plus + 1 >= len(blob):
        return None
    position = plus + 1
    marker = blob[position]
    if marker == 0x81:
        length, position = int.from_bytes(blob[position + 1 : position + 3], "little"), position + 3
    elif marker == 0x82:
        length, position = int.from_bytes(blob[position + 1 : position + 5], "little"), position + 5
    else:
        length, position = marker, position + 1
    raw = blob[position : position + length]
    if len(raw) != length:
        return None
    return raw.decode("utf-8", errors="replace")


def apple_time(value: int | None) -> datetime | None:
    """Apple epoch (2001-01-01 UTC) seconds, or nanoseconds since High Sierra."""
    if not value:
        return None
    if abs(value) > 10**11:  # nanoseconds: seconds values stay far below this
        return APPLE_EPOCH + timedelta(microseconds=value // 1000)
    return APPLE_EPOCH + timedelta(seconds=value)


class IMessageIndexer:
    source_kind = "messages"
    name = "imessage"

    def accepts(self, path: Path) -> bool:
        if path.suffix.lower() != ".db":
            return False
        try:
            with path.open("rb") as handle:
                if handle.read(16) != _SQLITE_MAGIC:
                    return False
        except OSError:
            return False
        try:
            tables = _tables(_connect(path))
        except sqlite3.Error:
            return False
        return {"message", "handle"} <= tables

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            connection = _connect(path)
            try:
                rows = _message_rows(connection)
                attachments = _attachments_by_message(connection)
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise ParseError(path, f"cannot read Messages database: {error}") from error
        people_by_chat: dict[Any, list[str]] = {}
        for row in rows:
            people_by_chat.setdefault(row["chat_key"], []).append(row["handle"])
        for row in rows:
            with reading(path, f"message ROWID {row['ROWID']}"):
                if _is_event(row):
                    continue
                people = unique([OWNER, *people_by_chat[row["chat_key"]]])
                yield _to_document(path, row, attachments.get(row["ROWID"], []), people)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    connection.row_factory = sqlite3.Row
    return connection


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row[0] for row in rows}


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _message_rows(connection: sqlite3.Connection) -> list[sqlite3.Row]:
    tables = _tables(connection)
    columns = _columns(connection, "message")

    def optional(column: str) -> str:
        return f"m.{column}" if column in columns else f"NULL AS {column}"

    has_join = "chat_message_join" in tables
    has_chat = has_join and "chat" in tables
    chat_name = "COALESCE(NULLIF(c.display_name, ''), c.chat_identifier)" if has_chat else "NULL"
    sql = f"""
        SELECT m.ROWID, m.guid, m.text, m.attributedBody, m.date, m.is_from_me, m.service,
               {optional('associated_message_type')}, {optional('item_type')},
               {optional('thread_originator_guid')}, {optional('cache_has_attachments')},
               h.id AS handle,
               {'cmj.chat_id' if has_join else 'NULL'} AS chat_id,
               {chat_name} AS chat_name
        FROM message m
        LEFT JOIN handle h ON h.ROWID = m.handle_id
        {'LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID' if has_join else ''}
        {'LEFT JOIN chat c ON c.ROWID = cmj.chat_id' if has_chat else ''}
        ORDER BY m.date, m.ROWID
    """
    rows = connection.execute(sql).fetchall()
    return [_with_chat_key(row) for row in rows]


def _with_chat_key(row: sqlite3.Row) -> dict[str, Any]:
    values = dict(row)
    for key in ("guid", "text", "handle", "chat_name", "service", "thread_originator_guid"):
        values[key] = cell_text(values[key]) or None  # any SQLite column may hold bytes or numbers
    # Without a chat table the other party's handle is the best conversation name.
    values["conversation"] = values["chat_name"] or values["handle"] or f"chat {values['chat_id']}"
    values["chat_key"] = values["chat_id"] if values["chat_id"] is not None else values["conversation"]
    return values


def _attachments_by_message(connection: sqlite3.Connection) -> dict[int, list[Attachment]]:
    if not {"attachment", "message_attachment_join"} <= _tables(connection):
        return {}
    found: dict[int, list[Attachment]] = {}
    rows = connection.execute(
        """SELECT j.message_id, a.filename, a.mime_type, a.transfer_name
           FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id"""
    )
    for message_id, filename, mime, transfer_name in rows:
        name = transfer_name or (Path(filename).name if filename else "attachment")
        on_disk = Path(filename).expanduser() if filename else None
        path = str(on_disk) if on_disk and on_disk.is_file() else None
        found.setdefault(message_id, []).append(
            Attachment(name=name, mime=mime or mime_from_name(name), path=path)
        )
    return found


def _is_event(row: dict[str, Any]) -> bool:
    """Tapbacks and group events (renames, joins) are not someone's message."""
    return (row["associated_message_type"] or 0) in _TAPBACK_TYPES or (row["item_type"] or 0) != 0


def message_text(row: dict[str, Any]) -> str:
    """``text`` when set, else the decoded ``attributedBody``, without object marks."""
    text = row["text"] or decode_attributed_body(row["attributedBody"]) or ""
    return text.replace(_OBJECT_REPLACEMENT, "").strip()


def _to_document(
    path: Path, row: dict[str, Any], attachments: list[Attachment], people: list[str]
) -> Document:
    from_me = bool(row["is_from_me"])
    author = OWNER if from_me else (row["handle"] or "unknown")
    conversation = row["conversation"]
    metadata: dict[str, Any] = {"format": FORMAT, "chat": conversation, "service": row["service"]}
    if from_me:
        metadata["from_me"] = True
    # reply_to_guid is just the previous message; inline replies use the thread originator.
    if row["thread_originator_guid"]:
        metadata["reply_to"] = row["thread_originator_guid"]
    text = message_text(row)
    return Document(
        native_id=row["guid"], kind="message", text=text or attachment_placeholder(attachments),
        title=message_title(author, conversation), uri=message_uri(path, row["guid"]),
        occurred_at=apple_time(row["date"]), author=author, conversation=conversation,
        people=people, metadata=metadata, attachments=attachments,
    )
