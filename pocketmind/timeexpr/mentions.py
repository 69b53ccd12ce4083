"""Index time: find every time expression in a message, resolve it against the
message's own timestamp (``resolve_mentions``) and write the resolutions into the text
(``annotate``, ``annotation_text``) so embeddings and full-text search see absolute
dates. Candidates from all rules compete: longest wins, then earliest, then the rule
registered first; chosen mentions never overlap."""

from __future__ import annotations

from datetime import date, datetime

from . import chinese, english, festivals  # noqa: F401  (festivals import chinese, chinese english: registry order)
from .ranges import TimeMention
from .rules import _PATTERNS, _may_contain_time


def _find(text: str, ref: date) -> list[TimeMention]:
    if not _may_contain_time(text):
        return []
    lowered = text.lower()
    candidates: list[TimeMention] = []
    for regex, handler, needs in _PATTERNS:
        if not any(word in lowered for word in needs):
            continue
        for match in regex.finditer(text):
            resolved = handler(match, text, ref)
            if resolved is not None:
                start, end = match.span()
                candidates.append(TimeMention((start, end), text[start:end], *resolved))
    # Longest wins ("in May 2023" over "in May"), then earliest; no overlaps.
    candidates.sort(key=lambda c: (c.span[0] - c.span[1], c.span[0]))
    chosen: list[TimeMention] = []
    for candidate in candidates:
        if all(candidate.span[1] <= c.span[0] or candidate.span[0] >= c.span[1] for c in chosen):
            chosen.append(candidate)
    chosen.sort(key=lambda c: c.span[0])
    return chosen


def _as_date(ref: datetime | date) -> date:
    return ref.date() if isinstance(ref, datetime) else ref


def resolve_mentions(text: str, ref: datetime) -> list[TimeMention]:
    """All time expressions in ``text``, resolved against ``ref`` (the message's own
    timestamp; its local date is used), sorted by position and non-overlapping."""
    return _find(text, _as_date(ref))


def annotate(text: str, ref: datetime) -> str:
    """``text`` with each resolved mention followed by `` [<resolution>]``.

    Formats: day -> ``[Sunday 7 May 2023, 2023-05-07]``; week/range ->
    ``[1-7 May 2023]`` (``[weekend 6-7 May 2023]``); month -> ``[May 2023]``;
    year -> ``[2023]``; season -> ``[summer 2022, June to August 2022]``; a day with a clock
    time -> ``[Thursday 4 April 2024, 2024-04-04 20:30]``; a festival leads with its English
    name -> ``[Mid-Autumn Festival, Tuesday 17 September 2024, 2024-09-17]``. Weekday and month
    words plus the ISO date let "May 7", "7 May 2023" and "2023-05-07" queries all match.
    Text without mentions is returned unchanged.
    """
    mentions = resolve_mentions(text, ref)
    if not mentions:
        return text
    parts: list[str] = []
    cursor = 0
    for mention in mentions:
        parts.append(text[cursor:mention.span[1]])
        parts.append(f" [{mention.annotation}]")
        cursor = mention.span[1]
    parts.append(text[cursor:])
    return "".join(parts)


def annotation_text(mentions: list[TimeMention]) -> str:
    """The mentions as one bracketed string, ``[<phrase>: <annotation>]`` each, space
    separated (empty for no mentions): what the indexer stores next to a message."""
    return " ".join(f"[{m.phrase}: {m.annotation}]" for m in mentions)
