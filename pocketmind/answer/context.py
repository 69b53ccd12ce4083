"""Choosing what the model reads: relevance cut-off and a token budget."""

from __future__ import annotations

import re
from typing import Callable, Sequence

from pocketmind.results import Result

# Below this cosine similarity a passage is noise for all-MiniLM-L6-v2 unless
# full-text search also found it; measured on the bundled sample notes.
MIN_SIMILARITY = 0.25
ATTACHMENT = "(attachment)"  # a window's line for a message with no text
# A window's line as :func:`with_conversation_context` writes it: mark, (its own time), who: text
WINDOW_LINE = re.compile(r"^[»\s]\s(?:(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) )?([^:]{1,60}): (.*)$")


def relevant(results: Sequence[Result], min_similarity: float = MIN_SIMILARITY) -> list[Result]:
    """Keep results that are close to the question.

    A result counts as relevant when its vector similarity is high enough, or
    when both searches found it (full text and vectors agree, as happens for
    Chinese text an English embedder reads poorly).
    """
    return [r for r in results if r.similarity >= min_similarity or (r.lexical and r.similarity > 0)]


def estimate_tokens(text: str) -> int:
    """An upper-bound-ish guess for answerers without a tokenizer: ~4 characters a token
    for Latin script; a CJK character (3 UTF-8 bytes) is about a token."""
    return len(text.encode("utf-8")) // 3 + 1


def pack_context(results: Sequence[Result], count_tokens: Callable[[str], int], budget: int) -> list[Result]:
    """The best results, in rank order, whose text fits in ``budget`` tokens.

    The first result is always kept (clipped to the budget) so a long note
    cannot leave the model with nothing.
    """
    count = count_tokens
    packed: list[Result] = []
    used = 0
    for result in results:
        text = result.text or result.snippet
        cost = count(text) + 24  # header line and quoting
        if used + cost > budget:
            if not packed:
                keep_chars = max(200, int(len(text) * budget / max(cost, 1)))
                result.text = text[:keep_chars]
                packed.append(result)
            continue
        packed.append(result)
        used += cost
    return packed


# Two messages before a hit (the question it answers and what led to it) and the reply after.
# Three before and two after filled the prompt budget with two or three hits. LoCoMo dev, all 999
# questions, evidence in the model's context / F1 cats 1-4 / false abstention / cat-5 abstention:
# 3 and 2 46.6% / 28.1 / 10.5% / 50.2%; 2 and 1 49.4% / 29.0 / 9.1% / 50.2%. One either side
# lifted F1 to 29.5 but personal QA fell from 85.6% to 83.5% right (the model lost the order of
# an offer and its counter-offer); 1 and 0: F1 27.8 (the reply matters more than more hits).
WINDOW_BEFORE = 2
WINDOW_AFTER = 1
WINDOW_GAP_SECONDS = 2 * 3600  # messages further apart belong to another conversation


def conversation_window(store, result: Result) -> list[dict]:
    """The messages around a message hit, in order, cut at long silences (``store``:
    anything with the store's ``conversation_messages`` read method)."""
    if result.kind != "message" or not result.conversation or result.occurred_at is None:
        return []
    rows = store.conversation_messages(result.conversation, result.source, result.occurred_at,
                                              before=WINDOW_BEFORE, after=WINDOW_AFTER + 1)
    index = next((i for i, r in enumerate(rows) if r["id"] == result.id), None)
    if index is None:
        return []
    start = index
    while start > 0 and rows[start]["occurred_at"] - rows[start - 1]["occurred_at"] <= WINDOW_GAP_SECONDS:
        start -= 1
    end = index
    while end + 1 < len(rows) and rows[end + 1]["occurred_at"] - rows[end]["occurred_at"] <= WINDOW_GAP_SECONDS:
        end += 1
    return rows[start : end + 1]


def with_conversation_context(results: Sequence[Result], store, display_name: Callable[[str | None], str | None]) -> list[Result]:
    """Give each message hit the window of conversation around it as its text.

    The citation still points at the one message; a hit already shown inside
    an earlier hit's window is folded into it (no text spent twice).
    """
    shown: dict[str, Result] = {}
    out: list[Result] = []
    for result in results:
        if result.id in shown:
            continue
        window = conversation_window(store, result)
        if len(window) > 1:
            lines = []
            hit_day = next((row["occurred_local"] or "")[:10] for row in window if row["id"] == result.id)
            for row in window:
                mark = "»" if row["id"] == result.id else " "
                who = display_name(row["author"]) or "someone"
                text = " ".join((row["text"] or "").split()) or ATTACHMENT
                # The excerpt's header carries the hit's date and time; a line says its own
                # only if it was written on another day. Per-line timestamps cost a fifth of
                # the budget and the small model copied them into answers. No resolved-date
                # annotations either: date questions are answered from the data instead.
                local = row["occurred_local"] or ""
                when = "" if local[:10] == hit_day else local[:16].replace("T", " ") + " "
                lines.append(f"{mark} {when}{who}: {text}")
                shown[row["id"]] = result
            result.text = "\n".join(lines)
            result.metadata = {**result.metadata, "window": [row["id"] for row in window]}
            # A venue or pin shared next to the hit: "which place did Dmitry share?" may match his 😊.
            if shared := [[row["place"], line[2:].lstrip()] for row, line in zip(window, lines) if row["place"] and row["id"] != result.id]:
                result.metadata["shared_places"] = shared
        out.append(result)
    return out
