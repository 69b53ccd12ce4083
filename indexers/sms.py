"""Android "SMS Backup & Restore" XML (``<smses>`` with ``<sms>`` and ``<mms>``).

Read with ``iterparse`` so multi-gigabyte backups stream. SMS has no id, so the
native id hashes address + date + type + body. ``<sms type>``: 1 received,
2 sent (3-6 drafts/outbox/failed/queued also count as the owner's). MMS
``msg_box`` uses the same numbers; its text is the ``text/plain`` parts and
media parts become attachments (the base64 is only validated, never written);
an image part also yields a ``photo`` document linked by ``message_id``.

Call logs (``<calls>``, Super Backup ``<alllogs>``) are not messages: this
indexer does not accept them (``accepts`` is False), so they are not indexed.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from dateutil import parser as dateutil_parser

from pocketmind.indexers.chat_common import (
    attachment_placeholder,
    from_unix_millis,
    in_wall_clock_offset,
    message_title,
    message_uri,
    read_head,
    stable_id,
    unique,
)
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError

from pocketmind.indexers import safe_xml as ET

FORMAT = "sms-backup-restore"
OWNER = "me"
_RECEIVED = "1"
_MMS_FROM = "137"  # PduHeaders.FROM in <addr type>
_UNKNOWN_CONTACT = "(Unknown)"
_SKIPPED_PART_TYPES = ("application/smil",)


class SmsIndexer:
    source_kind = "messages"
    name = "sms"
    streams_input = True  # iterparse: a multi-gigabyte backup streams

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".xml" and "<smses" in read_head(path)

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        try:
            for _event, element in ET.iterparse(path, events=("end",)):
                if element.tag == "sms":
                    yield _sms_document(path, element.attrib)
                    element.clear()
                elif element.tag == "mms":
                    yield from _mms_documents(path, element)
                    element.clear()
        except ET.DefusedXmlException as error:
            raise ET.refused(path, error) from None
        except ET.ParseError as error:
            line, column = error.position
            raise ParseError(path, f"broken XML at line {line} column {column}: {error}") from error
        except LookupError as error:  # the XML declaration names an encoding Python does not know
            raise ParseError(path, f"broken XML: {error}") from error
        except OSError as error:
            raise ParseError(path, f"cannot read file: {error}") from error


def _contact(attrib: dict[str, str]) -> str:
    name = attrib.get("contact_name") or ""
    if name and name != _UNKNOWN_CONTACT and name != "null":
        return name
    return attrib.get("address") or "unknown number"


def _base_metadata(attrib: dict[str, str], conversation: str) -> dict[str, Any]:
    return {"format": FORMAT, "chat": conversation, "address": attrib.get("address")}


def _sms_document(path: Path, attrib: dict[str, str]) -> Document:
    conversation = _contact(attrib)
    from_me = attrib.get("type") != _RECEIVED
    author = OWNER if from_me else conversation
    body = attrib.get("body") or ""
    native_id = stable_id(attrib.get("address"), attrib.get("date"), attrib.get("type"), body)
    metadata = _base_metadata(attrib, conversation)
    metadata["type"] = attrib.get("type")
    if from_me:
        metadata["from_me"] = True
    subject = attrib.get("subject")
    if subject and subject != "null":
        metadata["subject"] = subject
    return Document(
        native_id=native_id, kind="message", text=body, title=message_title(author, conversation),
        uri=message_uri(path, native_id), occurred_at=_date(path, attrib),
        author=author, conversation=conversation, people=unique([author, conversation]),
        metadata=metadata,
    )


def _date(path: Path, attrib: dict[str, str]):
    try:
        instant = from_unix_millis(attrib["date"])
    except (KeyError, ValueError) as error:
        raise ParseError(path, f"message without a valid date: {attrib.get('date')!r}") from error
    return in_wall_clock_offset(instant, _readable_date(attrib.get("readable_date")))


def _readable_date(text: str | None) -> datetime | None:
    """The phone's own "Jul 16, 2024 13:29:24" (its locale's form): the time the person saw."""
    if not text:
        return None
    try:
        return dateutil_parser.parse(text)
    except (ValueError, OverflowError):
        return None


def _mms_documents(path: Path, element: ET.Element) -> Iterator[Document]:
    attrib = element.attrib
    conversation = _contact(attrib)
    from_me = attrib.get("msg_box") != _RECEIVED
    author = OWNER if from_me else _mms_sender(element, conversation)
    texts, attachments, warnings = _mms_parts(element)
    text = "\n".join(texts)
    native_id = stable_id(attrib.get("address"), attrib.get("date"), attrib.get("msg_box"), text)
    metadata = _base_metadata(attrib, conversation)
    metadata["type"] = attrib.get("msg_box")
    metadata["mms"] = True
    if from_me:
        metadata["from_me"] = True
    if warnings:
        metadata["warnings"] = warnings
    for attachment in attachments:
        attachment.caption = text or None
    # Group MMS: the contact name is a list, so the numbers name the members.
    is_group = "," in (attrib.get("contact_name") or "")
    addresses = [addr.get("address") for addr in element.iter("addr")] if is_group else []
    people = unique([author, conversation, *addresses])
    occurred_at = _date(path, attrib)
    title = message_title(author, conversation)
    uri = message_uri(path, native_id)
    yield Document(
        native_id=native_id, kind="message", text=text or attachment_placeholder(attachments),
        title=title, uri=uri, occurred_at=occurred_at, author=author,
        conversation=conversation, people=people, metadata=metadata, attachments=attachments,
    )
    for index, image in enumerate(a for a in attachments if (a.mime or "").startswith("image/")):
        yield Document(
            native_id=f"{native_id}:photo:{index}", kind="photo", text=text,
            title=f"Photo from {author} in {conversation}", uri=uri, occurred_at=occurred_at,
            author=author, conversation=conversation, people=people, attachments=[image],
            metadata={"format": FORMAT, "chat": conversation, "message_id": native_id},
        )


def _mms_sender(element: ET.Element, fallback: str) -> str:
    """The FROM address of a received group MMS; the contact name for one-to-one."""
    senders = [a.get("address") for a in element.iter("addr") if a.get("type") == _MMS_FROM]
    single_contact = "," not in (element.get("contact_name") or "")
    if single_contact or not senders or not senders[0]:
        return fallback
    return senders[0]


def _mms_parts(element: ET.Element) -> tuple[list[str], list[Attachment], list[str]]:
    texts: list[str] = []
    attachments: list[Attachment] = []
    warnings: list[str] = []
    for part in element.iter("part"):
        mime = part.get("ct") or "application/octet-stream"
        if mime in _SKIPPED_PART_TYPES:
            continue
        if mime == "text/plain" and not part.get("data"):
            if part.get("text") and part.get("text") != "null":
                texts.append(part.get("text", ""))
            continue
        name = _part_name(part)
        problem = _base64_problem(part.get("data"))
        if problem:
            warnings.append(f"attachment {name!r} ({mime}): {problem}")
        attachments.append(Attachment(name=name, mime=mime))
    return texts, attachments, warnings


def _part_name(part: ET.Element) -> str:
    for key in ("name", "cl", "fn"):
        value = part.get(key)
        if value and value != "null":
            return value
    return f"part-{part.get('seq', '0')}"


def _base64_problem(data: str | None) -> str | None:
    """Why an MMS part's base64 payload is unusable, or None when it decodes."""
    if data is None:
        return "no data in the backup"
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as error:
        return f"corrupt base64 data ({error})"
    return None
