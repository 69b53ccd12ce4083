"""Cutting documents into retrieval units.

Structure first: a note's sections stay whole when they fit, small
neighbouring sections under the same parent are merged, and only an
over-long section is split, at paragraph and then sentence boundaries.
Short documents (a message, a photo, an event) are one chunk.

Each chunk has a display text (quoted to the model, shown as a snippet) and
an embedding text that adds the context a passage lacks on its own: the
title and heading path, who said it and when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pocketmind.documents import Document, Section
from pocketmind.text import CJK_CHAR

# all-MiniLM-L6-v2 reads 256 word pieces; ~180 words stays under that for most text.
MAX_WORDS = 180
MIN_WORDS = 40

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


@dataclass
class Piece:
    heading: str
    text: str


def word_count(text: str) -> int:
    # A CJK character carries about as much as a word.
    return len(text.split()) + len(CJK_CHAR.findall(text))


def chunk_document(doc: Document) -> list[Piece]:
    sections = doc.sections or [Section("", doc.text)]
    pieces: list[Piece] = []
    for section in sections:
        text = section.text.strip()
        if not text and not section.heading:
            continue
        for part in _split(text or section.heading):
            pieces.append(Piece(section.heading, part))
    pieces = _merge_small(pieces)
    if not pieces and doc.attachments:  # a photo or file sent without words
        pieces = [Piece("", "[" + ", ".join(a.name for a in doc.attachments) + "]")]
    return pieces or [Piece("", doc.title or doc.native_id)]


def _split(text: str) -> list[str]:
    if word_count(text) <= MAX_WORDS:
        return [text]
    out: list[str] = []
    current: list[str] = []
    for unit in _units(text):
        if current and word_count("\n".join(current + [unit])) > MAX_WORDS:
            out.append("\n".join(current))
            current = []
        current.append(unit)
    if current:
        out.append("\n".join(current))
    return out


def _units(text: str) -> list[str]:
    """Paragraphs, with any over-long paragraph broken into sentences (or words)."""
    units = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if word_count(para) <= MAX_WORDS:
            units.append(para)
            continue
        for sentence in _SENTENCE_END.split(para):
            if word_count(sentence) <= MAX_WORDS:
                units.append(sentence)
            else:
                words = sentence.split()
                step = MAX_WORDS if len(words) > 1 else 300  # unspaced CJK: cut by characters
                seq = words if len(words) > 1 else list(sentence)
                joiner = " " if len(words) > 1 else ""
                units += [joiner.join(seq[i : i + step]) for i in range(0, len(seq), step)]
    return units


def _merge_small(pieces: list[Piece]) -> list[Piece]:
    """Merge a short piece into the previous one when both fit together."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and (word_count(piece.text) < MIN_WORDS or word_count(merged[-1].text) < MIN_WORDS):
            prev = merged[-1]
            if word_count(prev.text) + word_count(piece.text) <= MAX_WORDS:
                joined_heading = prev.heading if piece.heading in ("", prev.heading) else prev.heading or piece.heading
                body = prev.text + "\n\n" + (f"{piece.heading.split(' > ')[-1]}\n" if piece.heading != prev.heading and piece.heading else "") + piece.text
                merged[-1] = Piece(joined_heading, body)
                continue
        merged.append(piece)
    return merged


CONTEXT_WORDS = 25
SELF_CONTAINED_WORDS = 15  # a message this long says enough on its own


def message_context(previous_author: str | None, previous_text: str | None, text: str = "") -> str:
    """The message before, shortened, for a short reply that is only meaningful
    after it ("For running!" answers "What are the shoes for?")."""
    words = (previous_text or "").split()
    if not words or len(text.split()) >= SELF_CONTAINED_WORDS:
        return ""
    clipped = " ".join(words[:CONTEXT_WORDS]) + (" …" if len(words) > CONTEXT_WORDS else "")
    return f"{previous_author or 'someone'}: {clipped}"


def embedding_text(kind: str, title: str, author: str | None, heading: str, text: str, extra: str = "",
                   context: str = "") -> str:
    """What the embedder sees: the passage plus the context it lacks on its own.

    Built only from stored fields, so switching embedders can re-embed every
    chunk without parsing any source again.
    """
    lines = [context] if context else []
    if kind == "message":
        lines.append(f"{author or 'someone'}: {text}")
    else:
        head = title
        if heading and heading != title:
            head = f"{head} > {heading}" if head else heading
        if head:
            lines.append(head)
        lines.append(text)
    if extra:
        lines.append(extra)
    return "\n".join(lines)
