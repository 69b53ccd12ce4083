"""WhatsApp chats: "Export chat" .txt and .zip files, and the old Android msgstore.db.

Every message becomes a ``message`` document; images shipped inside an export
zip also become ``photo`` documents. A notice that names who did something
("Alice created group "X"", "Loris added Emily") is a ``message`` of that person
marked ``metadata["notice"]``; other system lines (encryption notices,
security-code changes, "You were added") are left out. Message ids are built from the chat,
the time, the sender and an ordinal, never from the file name or line number,
so a longer re-export of the same chat gives the old messages the same ids.
The line grammar and locale tables live in :mod:`indexers.whatsapp_formats`.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import re
import sqlite3
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Callable, Iterator

from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.indexers.chat_common import cell_text
from pocketmind.indexers.shared_location import shared_location
from pocketmind.inputs import decode_utf8, notice, read_member

from . import whatsapp_formats as fmt

_SNIFF_BYTES = 4096
_SNIFF_LINES = 8
_CHAT_FILE_NAME = re.compile(
    r"^(?:WhatsApp[- ]Chat(?: with| mit| -| –| con| avec| com)?|Chat de WhatsApp con|Conversa do WhatsApp com)"
    r"\s+(?P<chat>.+)$",
    re.IGNORECASE,
)
_EXTRA_MIME = {".opus": "audio/opus", ".webp": "image/webp", ".heic": "image/heic", ".vcf": "text/vcard"}
OWNER = "me"  # "You created group ...": the phone's owner, named as the SMS and iMessage indexers name them


@dataclass
class _Export:
    """The chat text of an export and where its media files can be found."""

    chat: str
    text: str
    uri: str
    media_path: Callable[[str], str | None]
    zip_member: Callable[[str], str | None]
    open_media: Callable[[str], IO[bytes] | None]  # a shared file's bytes, when the export has it


@dataclass
class _Message:
    raw: fmt.RawMessage
    sender: str
    text: str
    attachments: list[Attachment]
    document: Document | None = None
    notice: bool = False  # "Alice added Bob": what someone did, not what they wrote


class WhatsAppIndexer:
    source_kind = "messages"
    name = "whatsapp"

    def accepts(self, path: Path) -> bool:
        suffix = path.suffix.lower()
        try:
            if suffix == ".txt":
                with path.open("rb") as handle:
                    return _looks_like_chat(handle.read(_SNIFF_BYTES))
            if suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    return _chat_member(archive) is not None
            if suffix == ".db" and "msgstore" in path.name.lower():
                with path.open("rb") as handle:
                    return handle.read(16) == b"SQLite format 3\x00"
        except (OSError, zipfile.BadZipFile):
            return False
        return False

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        if path.suffix.lower() == ".db":
            yield from _parse_msgstore(path)
            return
        export = _read_zip(path) if path.suffix.lower() == ".zip" else _read_txt(path)
        try:
            messages, order, guessed = _messages(export)
        except fmt.FormatProblem as problem:
            raise ParseError(path, str(problem)) from None
        yield from _documents(export, messages, order, guessed)


# ---- reading the export ------------------------------------------------------


# Signal's plain-text export ("[2019-12-24, 12:23] Jane: hi") belongs to the
# signal indexer; WhatsApp never writes ISO dates with a comma and no seconds.
_SIGNAL_LINE = re.compile(r"^\[\d{4}-\d{2}-\d{2}, \d{2}:\d{2}\] ")


def _looks_like_chat(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore")
    lines = [line for line in fmt.split_lines(text) if line.strip()][:_SNIFF_LINES]
    if lines and _SIGNAL_LINE.match(lines[0]):
        return False
    return any(fmt.match_header(line) for line in lines)


def _decode(path: Path | str, data: bytes) -> str:
    """The chat's text; invalid UTF-8 is replaced (and reported) so the valid lines are kept."""
    if not data.strip():
        raise ParseError(path, "empty file: no WhatsApp messages")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")  # a broken pair of bytes must not lose the chat
    text, replaced = decode_utf8(data.removeprefix(b"\xef\xbb\xbf"))
    if replaced:
        notice(path, f"{replaced} invalid UTF-8 byte{'s' if replaced > 1 else ''} replaced")
    return text


_COPY_SUFFIX = re.compile(r"\s*(?:\(\d+\)|-\s*copy|copy)$", re.IGNORECASE)


def chat_name_from_file(stem: str) -> str:
    """"WhatsApp Chat with Anna" -> "Anna"; any other name is used as it is.

    A copy suffix that browsers and file managers add to a second download
    ("... (2)", "... copy") is dropped, so a later export of the same chat
    keeps the chat's name and its messages keep their ids.
    """
    stem = _COPY_SUFFIX.sub("", stem.strip())
    found = _CHAT_FILE_NAME.match(stem)
    return found["chat"].strip() if found else stem


def _read_txt(path: Path) -> _Export:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParseError(path, f"cannot read: {error.strerror}") from None

    def beside(name: str) -> str | None:
        candidate = path.parent / name
        return os.path.abspath(candidate) if candidate.is_file() else None

    def open_beside(name: str) -> IO[bytes] | None:
        # Media sits beside the chat: a name that climbs out ("../../x.jpg") or a link leading
        # elsewhere is never read (the engine drops such a path from the attachment, with a note).
        candidate = path.parent / name
        folder = os.path.realpath(path.parent)
        if not candidate.is_file() or os.path.dirname(os.path.realpath(candidate)) != folder:
            return None
        return io.BytesIO(candidate.read_bytes())

    return _Export(
        chat=chat_name_from_file(path.stem),
        text=_decode(path, data),
        uri=path.resolve().as_uri(),
        media_path=beside,
        zip_member=lambda name: None,
        open_media=open_beside,
    )


def _chat_member(archive: zipfile.ZipFile) -> str | None:
    texts = [
        name
        for name in archive.namelist()
        if name.lower().endswith(".txt") and not name.startswith("__MACOSX/") and not Path(name).name.startswith("._")
    ]
    for name in texts:
        base = Path(name).name
        if base == "_chat.txt" or _CHAT_FILE_NAME.match(Path(base).stem):
            return name
    return None


def _read_zip(path: Path) -> _Export:
    try:
        with zipfile.ZipFile(path) as archive:
            member = _chat_member(archive)
            if member is None:
                raise ParseError(path, "no WhatsApp chat text (_chat.txt or 'WhatsApp Chat with ….txt') in the zip")
            data = read_member(path, archive, member)
            media = {
                Path(name).name: name
                for name in archive.namelist()
                if name != member and not name.startswith("__MACOSX/") and not name.endswith("/")
            }
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise ParseError(path, f"not a readable zip archive ({error})") from None
    zip_chat = chat_name_from_file(path.stem)
    chat = zip_chat if zip_chat != path.stem else chat_name_from_file(Path(member).stem)
    if chat == "_chat":
        chat = path.stem
    return _Export(
        chat=chat,
        text=_decode(f"{path}!/{member}", data),
        uri=path.resolve().as_uri(),
        media_path=lambda name: f"{path.resolve()}!/{media[name]}" if name in media else None,
        zip_member=media.get,
        open_media=lambda name: _zip_bytes(path, media[name]) if name in media else None,
    )


def _zip_bytes(path: Path, member: str) -> IO[bytes] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            return io.BytesIO(read_member(path, archive, member))
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    except ParseError as refused:  # an oversized or bomb-like image: the chat is still indexed
        notice(refused.path, refused.problem)
        return None


# ---- messages ----------------------------------------------------------------


def _messages(export: _Export) -> tuple[list[_Message], str, bool]:
    style, raws, _preamble = fmt.read_messages(fmt.split_lines(export.text))
    order, guessed = fmt.resolve_dates(raws)
    messages = []
    for raw in raws:
        parts = fmt.split_sender(raw.rest)
        if parts is None:
            actor = fmt.notice_actor(raw.rest)
            if actor is not None:
                text = "\n".join([fmt.strip_marks(raw.rest).strip(), *raw.continuation]).strip()
                messages.append(_Message(raw, OWNER if actor == "You" else actor, text, [], notice=True))
            continue  # encryption notices, "You were added"...: nobody's doing
        if fmt.is_system_text(parts[1]):
            continue
        sender, first_line = parts
        text, attachments = _body(style, raw, first_line, export)
        messages.append(_Message(raw, sender, text, attachments))
    return messages, order, guessed


def _body(style: str, raw: fmt.RawMessage, first_line: str, export: _Export) -> tuple[str, list[Attachment]]:
    """The message text and its attachments; placeholders never stay in the text."""
    rest = [line.rstrip() for line in raw.continuation]
    placeholder = _placeholder(style, raw, first_line.rstrip())
    if placeholder is None:
        lines = [fmt.strip_marks(first_line).rstrip(), *rest]
        return "\n".join(lines).strip("\n"), []
    name, known_file, label = placeholder
    # iOS writes a shared document's name and page count before the placeholder
    # ("Resume.pdf • 2 pages"): they are what the message says.
    caption = "\n".join([label, *rest] if label else rest).strip("\n")
    attachment = Attachment(
        name=name,
        mime=_mime(name) if known_file else None,
        path=export.media_path(name) if known_file else None,
        caption=caption or None,
    )
    return caption, [attachment]


def _placeholder(style: str, raw: fmt.RawMessage, line: str) -> tuple[str, bool, str] | None:
    """(attachment name, whether it is a real file name, the text written before the placeholder)
    when ``line`` stands for media."""
    attached = fmt.IOS_ATTACHED.search(line)
    if attached:
        return attached["name"], True, _label(line[: attached.start()])
    plain = fmt.strip_marks(line).strip()
    if style == "ios" and raw.leading_mark:
        # iOS marks media lines: "‎[...] Ann: Report.pdf • ‎2 pages ‎document omitted".
        segments = re.split(f"[{fmt.DIRECTION_MARKS}]", line)
        wording = segments[-1].strip()
        if wording and len(wording) <= 60 and "://" not in wording:
            kind = fmt.PLACEHOLDER_KIND.get(wording.lower(), "media")
            label = _label("".join(segments[:-1]))
            title = label.split("•")[0].strip()
            return (title, True, label) if title else (kind, False, label)
        return None
    if style == "android":
        attached_file = fmt.ANDROID_FILE_ATTACHED.match(plain)
        if attached_file:
            return attached_file["name"], True, ""
        if fmt.ANDROID_MEDIA_OMITTED.match(plain) and " " in plain:
            return "media", False, ""
    return None


def _label(text: str) -> str:
    return " ".join(fmt.strip_marks(text).split())


def _mime(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return _EXTRA_MIME.get(suffix) or mimetypes.guess_type(name, strict=False)[0]


# ---- documents ---------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-") or "chat"


def message_native_id(chat: str, when: datetime, sender: str, ordinal: int | str) -> str:
    sender_hash = hashlib.sha1(sender.encode("utf-8")).hexdigest()[:8]
    return f"whatsapp:{_slug(chat)}:{when.isoformat()}:{sender_hash}:{ordinal}"


def _documents(export: _Export, messages: list[_Message], order: str, guessed: bool) -> Iterator[Document]:
    people = list(dict.fromkeys(message.sender for message in messages if not message.notice))
    seen: dict[tuple[datetime, str, bool], int] = {}
    for message in messages:
        when = message.raw.when
        assert when is not None
        # notices count apart, so indexing them never shifts the ids of messages
        key = (when, message.sender, message.notice)
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        metadata = {"format": "whatsapp", "line": message.raw.line, "chat": export.chat, "date_order": order}
        if guessed:
            metadata["date_order_guessed"] = True
        location = shared_location(message.text)
        if location and location.lat is not None:
            metadata.update(lat=location.lat, lon=location.lon)
        native_id = message_native_id(export.chat, when, message.sender, ordinal)
        if message.notice:
            native_id = message_native_id(export.chat, when, message.sender, f"notice{ordinal}")
            metadata["notice"] = True
            if message.sender == OWNER:
                metadata["from_me"] = True
        message.document = Document(
            native_id=native_id,
            kind="message",
            text=message.text,
            title=f"{message.sender} in {export.chat}",
            uri=f"{export.uri}#L{message.raw.line}",
            occurred_at=when,
            author=message.sender,
            conversation=export.chat,
            people=people if message.sender in people else [*people, message.sender],
            place=location.place if location else None,
            metadata=metadata,
            attachments=message.attachments,
        )
        yield message.document
    yield from _shared_photos(export, messages)


def _shared_photos(export: _Export, messages: list[_Message]) -> Iterator[Document]:
    """A photo document for every image the export has (inside its zip or beside it).

    Its text is the caption the image file carries, the message that shared it
    and the messages around it, so the photo is found by what it shows and by
    what was said about it.
    """
    from pocketmind.indexers.photos import image_caption

    for index, message in enumerate(messages):
        for attachment in message.attachments:
            if not (attachment.mime or "").startswith("image/"):
                continue
            data = export.open_media(attachment.name)
            if data is None:
                continue
            member = export.zip_member(attachment.name)
            caption = image_caption(data)
            if caption:
                attachment.caption = caption
            parent = message.document
            assert parent is not None
            around = [messages[i] for i in (index - 1, index + 1) if 0 <= i < len(messages)]
            context = [f"{m.sender}: {m.text}" for m in around if m.text]
            metadata = {"message_id": parent.native_id, "has_caption": bool(caption)}
            if member:
                metadata["zip_member"] = member
            yield Document(
                native_id=f"{parent.native_id}:{attachment.name}",
                kind="photo",
                text="\n".join(t for t in [caption or "", message.text, *context] if t),
                title=caption.splitlines()[0][:80] if caption else attachment.name,
                uri=parent.uri,
                occurred_at=parent.occurred_at,
                author=message.sender,
                conversation=export.chat,
                people=parent.people,
                metadata=metadata,
                attachments=[attachment],
            )


# ---- Android msgstore.db -------------------------------------------------------

_MSGSTORE_COLUMNS = {"_id", "key_remote_jid", "key_from_me", "key_id", "data", "timestamp"}


def _parse_msgstore(path: Path) -> Iterator[Document]:
    """The legacy msgstore ``messages`` table (key_remote_jid, data, timestamp in ms)."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise ParseError(path, f"cannot open SQLite database ({error})") from None
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(messages)")}
        missing = _MSGSTORE_COLUMNS - columns
        if missing:
            raise ParseError(path, f"unsupported msgstore schema: table 'messages' lacks {', '.join(sorted(missing))}")
        rows = connection.execute(
            "SELECT _id, key_remote_jid, key_from_me, key_id, data, timestamp FROM messages "
            "WHERE data IS NOT NULL AND data != '' ORDER BY timestamp, _id"
        ).fetchall()
    except sqlite3.DatabaseError as error:
        raise ParseError(path, f"not a readable msgstore database ({error})") from None
    finally:
        connection.close()
    for row_id, jid, from_me, key_id, text, millis in rows:
        try:
            occurred_at = datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            raise ParseError(path, f"message _id {row_id}: timestamp {millis!r} is not a time") from None
        jid = cell_text(jid)
        chat = jid.split("@")[0]
        author = "me" if from_me else chat
        yield Document(
            native_id=f"msgstore:{chat}:{cell_text(key_id) or row_id}",
            kind="message",
            text=cell_text(text),
            title=f"{author} in {chat}",
            uri=f"{path.resolve().as_uri()}#_id={row_id}",
            occurred_at=occurred_at,
            author=author,
            conversation=chat,
            people=list(dict.fromkeys([author, chat])),
            metadata={"format": "whatsapp-msgstore", "jid": jid, "from_me": bool(from_me)},
        )
