"""Answers taken from metadata instead of generated.

A small model misreads dates and invents them. When a question asks *when*
something happened and the best passage is dated, the date comes from the
data: a time phrase in the passage resolved against its own timestamp
("yesterday" in a message sent on 8 May 2023 -> 7 May 2023), else the
event's start, else the message's date.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from pocketmind.results import Result
from pocketmind.text import writes_han_dates
from pocketmind.timeexpr import resolve_mentions

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def spoken_date(d: date, cjk: bool = False) -> str:
    """"7 May 2023", or "2023年5月7日" for a question asked in Chinese or Japanese."""
    return f"{d.year}年{d.month}月{d.day}日" if cjk else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def date_answer(question: str, temporal: bool, best: Result, own_text: str) -> str | None:
    """A date answer from the best passage, if the question wants a date (``temporal``,
    read once with the question): a time it states ("yesterday", "last Saturday")
    resolved against its own date, else its own date."""
    if not temporal or not best.time:
        return None
    cjk = writes_han_dates(question)
    moment = datetime.fromisoformat(best.time)
    mentions = resolve_mentions(own_text, moment) if best.kind in ("message", "note") else []
    if mentions:
        m = mentions[0]
        if m.granularity == "day" and m.start == m.end:
            return spoken_date(m.start, cjk)
        if m.granularity == "week":
            return f"{spoken_date(m.start, cjk)}那一周" if cjk else f"the week of {spoken_date(m.start)}"
        return m.label
    return spoken_date(moment.date(), cjk)


def event_listing(results: list[Result], since: datetime | None, until: datetime | None, question: str = "") -> str | None:
    """For "what's on my calendar / which holidays ... <time window>": the events, dated.

    Only when the best results are events inside the window; each line cites
    its result by number, in date order.
    """
    if since is None and until is None:
        return None
    events = [(n, r) for n, r in enumerate(results, 1) if r.kind == "event" and r.time and _inside(r.time, since, until)]
    if not events or results[0].kind != "event":
        return None
    cjk = writes_han_dates(question)
    seen: set[tuple[str, str]] = set()
    lines = []
    for n, r in sorted(events, key=lambda item: item[1].time):
        key = (r.title, r.time[:10])
        if key in seen:
            continue
        seen.add(key)
        start = datetime.fromisoformat(r.time)
        when = spoken_date(start.date(), cjk)
        if r.ended_at is not None:
            # all-day ends are exclusive: an event ending at midnight ended the day before
            last = datetime.fromtimestamp(r.ended_at - 1, timezone.utc).date()
            if last > start.date():
                when = f"{when}至{spoken_date(last, cjk)}" if cjk else f"{when} to {spoken_date(last)}"
        if not r.metadata.get("all_day") and (start.hour or start.minute):
            when += f", {start:%H:%M}"
        lines.append(f"{r.title}: {when} [{n}]")
    return "\n".join(lines)


def _inside(iso: str, since: datetime | None, until: datetime | None) -> bool:
    moment = datetime.fromisoformat(iso).replace(tzinfo=None)
    return (since is None or moment >= since.replace(tzinfo=None)) and (until is None or moment < until.replace(tzinfo=None))
