"""Answers taken from metadata instead of generated.

A small model misreads dates and invents them. When a question asks *when*
something happened and the best passage is dated, the date comes from the
data: a time phrase in the passage resolved against its own timestamp
("yesterday" in a message sent on 8 May 2023 -> 7 May 2023), else the
event's start, else the message's date.
"""

from __future__ import annotations

from datetime import date, datetime

from .results import Result
from .timeexpr import is_temporal_question, resolve_mentions

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def spoken_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def date_answer(question: str, best: Result, own_text: str) -> str | None:
    """A date answer from ``best`` (the top passage) if the question wants a date."""
    if not is_temporal_question(question) or not best.time:
        return None
    moment = datetime.fromisoformat(best.time)
    mentions = resolve_mentions(own_text, moment) if best.kind in ("message", "note") else []
    if mentions:
        m = mentions[0]
        if m.granularity == "day" and m.start == m.end:
            return spoken_date(m.start)
        if m.granularity == "week":
            return f"the week of {spoken_date(m.start)}"
        return m.label
    return spoken_date(moment.date())
