"""What is stored and embedded for a document: its row, its chunks' full-text
body and embedding inputs, and the vectors of short replies mixed with their context."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pocketmind.documents import Document
from pocketmind.results import offset_minutes, wall_seconds
from pocketmind.search.fulltext import index_form
from pocketmind.timeexpr import annotation_text, resolve_mentions

from .chunking import chunk_document, embedding_text, message_context


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in metadata")


# Built once: json.dumps with options makes a new encoder per call, which was a
# visible share of re-hashing a re-exported 20k-message chat. Same output.
_JSON = json.JSONEncoder(ensure_ascii=False).encode
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_JSON_METADATA = json.JSONEncoder(ensure_ascii=False, default=_jsonable, sort_keys=True).encode


def document_row(source: str, origin: str, doc: Document) -> dict[str, Any]:
    """The stored form of a document, with a content hash over everything in it."""
    people = list(dict.fromkeys(p for p in ([doc.author] if doc.author else []) + doc.people if p))
    row = {
        "id": f"{source}:{doc.native_id}",
        "source": source,
        "origin": origin,
        "kind": doc.kind,
        "title": doc.title or "",
        "text": doc.text,
        "uri": doc.uri,
        "occurred_at": wall_seconds(doc.occurred_at) if doc.occurred_at else None,
        "occurred_offset": offset_minutes(doc.occurred_at) if doc.occurred_at else None,
        "occurred_local": doc.occurred_at.isoformat() if doc.occurred_at else None,
        "ended_at": wall_seconds(doc.ended_at) if doc.ended_at else None,
        "author": doc.author,
        "conversation": doc.conversation,
        "people": _JSON(people),
        "place": doc.place,
        "tags": _JSON(doc.tags) if doc.tags else "[]",
        "metadata": _JSON_METADATA(doc.metadata) if doc.metadata else "{}",
        "attachments": _JSON([dataclasses.asdict(a) for a in doc.attachments]) if doc.attachments else "[]",
    }
    if doc.series_text:  # only when set: the content hash of every other document stays as it was
        row["series_text"] = doc.series_text
    sections = [[s.heading, s.text] for s in doc.sections]
    digest = hashlib.sha256(_JSON_SORTED([row, sections]).encode()).hexdigest()
    row["content_hash"] = digest
    row["updated_at"] = time.time()
    return row


OWN_WEIGHT = 0.6  # how much a short message's own words count against the message before it


def embed_with_context(embedder, items: list[tuple[str, str | None]]) -> np.ndarray:
    """Vectors for (text with context, own text or None) pairs, in one model call.

    A short reply is embedded twice, with the message before it and alone,
    and the two vectors are mixed: the context makes "For running!" findable
    by "what are the shoes for?", while its own words keep the reply from
    outranking the message it answers.

    Identical items are embedded once (after an embedder switch, the occurrences of a
    repeating event all rebuild their series' text).
    """
    unique = list(dict.fromkeys(items))
    if len(unique) < len(items):
        vectors = dict(zip(unique, embed_with_context(embedder, unique)))
        return np.stack([vectors[item] for item in items])
    own_index = {i: text for i, (_, text) in enumerate(items) if text}
    vectors = embedder.encode([text for text, _ in items] + list(own_index.values()))
    out = np.asarray(vectors[: len(items)], dtype=np.float32).copy()
    for extra, i in enumerate(own_index):
        mixed = OWN_WEIGHT * vectors[len(items) + extra] + (1 - OWN_WEIGHT) * out[i]
        out[i] = mixed / max(float(np.linalg.norm(mixed)), 1e-12)
    return out


def previous_messages(docs: list[Document]) -> dict[str, str]:
    """For each message, the message before it in the same conversation (see
    :func:`.chunking.message_context`)."""
    by_conversation: dict[str, list[tuple[int, Document]]] = {}
    for index, doc in enumerate(docs):
        if doc.kind == "message" and doc.conversation:
            by_conversation.setdefault(doc.conversation, []).append((index, doc))
    out: dict[str, str] = {}
    for messages in by_conversation.values():
        messages.sort(key=lambda item: (_sort_time(item[1].occurred_at), item[0]))
        for (_, before), (_, doc) in zip(messages, messages[1:]):
            out[doc.native_id] = message_context(before.author, before.text, doc.text)
    return out


def _sort_time(moment: datetime | None) -> float:
    return wall_seconds(moment) if moment else float("-inf")


def day_seconds(day: date) -> int:
    return wall_seconds(datetime(day.year, day.month, day.day))


def fulltext_body(doc: Document, heading: str, text: str, extra: str) -> str:
    """What full-text search indexes for a chunk: the passage plus who, where and what.

    A message keeps only its sender: every message of a chat names the same
    participants and chat, which would make those names match everything.
    """
    if doc.kind == "message":
        fields = [doc.author or "", text, extra]
    else:
        fields = [doc.title, heading, doc.author or "", " ".join(doc.people), doc.conversation or "", doc.place or "", " ".join(doc.tags), text, extra]
    return index_form("\n".join(f for f in fields if f))


def time_mentions(text: str, moment: datetime | None) -> list:
    """Time expressions in ``text`` resolved against the document's own time."""
    if moment is None or not text:
        return []
    return resolve_mentions(text, moment)


def series_embedding_texts(kind: str, title: str, author: str | None, series_text: str | None, pieces: int) -> list[str] | None:
    """What each of an occurrence's ``pieces`` chunks embeds: the matching piece of the
    series' shared text (no date, no time annotations, so every occurrence embeds the same
    and the series costs one vector each piece). None when the document is not part of a
    series, or its series text cuts into a different number of pieces (it embeds its own)."""
    if not series_text:
        return None
    shared = chunk_document(Document(native_id="series", kind=kind, text=series_text, title=title))
    if len(shared) != pieces:
        return None
    return [embedding_text(kind, title, author, piece.heading, piece.text) for piece in shared]


def stored_embedding_inputs(store) -> list[tuple[int, str, str, int | None, str, str | None]]:
    """(chunk id, kind, source, time, text to embed, own text of a short reply or None)
    for every stored chunk, rebuilt from stored fields exactly as indexing builds them
    (after an embedder switch nothing is re-parsed)."""
    out = []
    series_cache: dict[tuple, list[str] | None] = {}  # the occurrences of a series share their texts
    for (cid, kind, src, when, local, title, author, heading, text, prev_author, prev_text,
         series_text, seq, pieces) in store.embedding_rows():
        if series_text:
            key = (kind, title, author, series_text, pieces)
            if key not in series_cache:
                series_cache[key] = series_embedding_texts(*key)
            if series_cache[key] is not None:
                out.append((cid, kind, src, when, series_cache[key][seq], None))
                continue
        moment = datetime.fromisoformat(local) if local else None
        context = message_context(prev_author, prev_text, text) if kind == "message" else ""
        extra = annotation_text(time_mentions(text, moment))
        own = embedding_text(kind, title, author, heading, text, extra) if context else None
        out.append((cid, kind, src, when, embedding_text(kind, title, author, heading, text, extra, context), own))
    return out
