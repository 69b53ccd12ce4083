"""Answers taken from metadata instead of generated.

A small model misreads dates and invents them. When a question asks *when*
something happened and the best passage is dated, the date comes from the
data: a time phrase in the passage resolved against its own timestamp
("yesterday" in a message sent on 8 May 2023 -> 7 May 2023), else the
event's start, else the message's date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from pocketmind.results import Result
from pocketmind.text import writes_han_dates
from pocketmind.timeexpr import resolve_mentions

from .said_when import said_when

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
    if best.kind == "note" and best.ended_at is not None:  # a note dated by its properties or name: its range
        return _note_range(moment, best.ended_at, cjk)
    mentions = resolve_mentions(own_text, moment) if best.kind in ("message", "note") else []
    if mentions and not cjk:
        return said_when(mentions[0], moment.date())
    if mentions:
        m = mentions[0]
        if m.granularity == "day" and m.start == m.end:
            return spoken_date(m.start, cjk)
        if m.granularity == "week":
            return f"{spoken_date(m.start, cjk)}那一周" if cjk else f"the week of {spoken_date(m.start)}"
        return m.label
    return spoken_date(moment.date(), cjk)


def undated_note_answer(question: str, best: Result, own_text: str) -> str:
    """"When" about a note whose only time is its file's mtime: a date its text states
    outright ("on 4 May 2024"), else that the note has no date. The mtime says when the
    file was last saved (or copied), not when anything in it happened."""
    cjk = writes_han_dates(question)
    saved = datetime.fromisoformat(best.time) if best.time else datetime.now()
    # Written dates resolve the same against any anchor; "yesterday" would follow the mtime.
    elsewhere = {(m.span, m.start, m.end) for m in resolve_mentions(own_text, saved - timedelta(days=7 * 365))}
    stated = [m for m in resolve_mentions(own_text, saved) if (m.span, m.start, m.end) in elsewhere]
    if stated:
        m = stated[0]
        return spoken_date(m.start, cjk) if m.granularity == "day" and m.start == m.end else m.label
    if year := _YEAR_PROPERTY.search(own_text):  # "year: 2020" in the note's properties
        return f"{year.group(1)}年" if cjk else year.group(1)
    if cjk:
        return "你的数据里没有：这条笔记没有日期（只有文件的修改时间）。"
    return "Not in your data: that note has no date (only its file's modification time)."


# A note's "year" property, as the notes indexer writes its front-matter ("year: 2020").
_YEAR_PROPERTY = re.compile(r"^year:\s*((?:1[89]|20)\d{2})\s*$", re.M)


def _note_range(moment: datetime, ended_at: int, cjk: bool) -> str:
    """A trip note's start..end ("12 September 2023 to 30 September 2023"), or a year ("2023")."""
    last = datetime.fromtimestamp(ended_at - 1, timezone.utc).date()  # ends are exclusive
    start = moment.date()
    if (start.month, start.day, last.month, last.day) == (1, 1, 12, 31) and start.year == last.year:
        return f"{start.year}年" if cjk else str(start.year)
    return spoken_range(start, last, cjk)


def spoken_range(start: date, last: date, cjk: bool = False) -> str:
    """"1 October 2025 to 8 October 2025", or "2025年10月1日至10月8日"."""
    if last <= start:
        return spoken_date(start, cjk)
    if cjk:
        tail = f"{last.month}月{last.day}日" if last.year == start.year else spoken_date(last, True)
        return f"{spoken_date(start, True)}至{tail}"
    return f"{spoken_date(start)} to {spoken_date(last)}"


def event_listing(results: list[Result], since: datetime | None, until: datetime | None, question: str = "") -> str | None:
    """For "what's on my calendar / which days is the holiday ... <time window>": the events, dated.

    Only when the best results are events inside the window. Days of one event
    that follow each other (a holiday stored day by day) become one range; each
    line cites its first result by number, in date order.
    """
    if since is None and until is None:
        return None
    events = [(n, r) for n, r in enumerate(results, 1) if r.kind == "event" and r.time and _inside(r.time, since, until)]
    if not events or results[0].kind != "event":
        return None
    cjk = writes_han_dates(question)
    runs: list[list] = []  # [title, first day, last day, citation, start time or None]
    for n, r in sorted(events, key=lambda item: item[1].time):
        start = datetime.fromisoformat(r.time)
        last = start.date()
        if r.ended_at is not None:
            # all-day ends are exclusive: an event ending at midnight ended the day before
            last = max(last, datetime.fromtimestamp(r.ended_at - 1, timezone.utc).date())
        clock = start if not r.metadata.get("all_day") and (start.hour or start.minute) else None
        run = next((x for x in runs if x[0] == r.title and clock is None and x[4] is None
                    and x[1] <= start.date() <= x[2] + timedelta(days=1)), None)
        if run is not None:
            run[2] = max(run[2], last)
        else:
            runs.append([r.title, start.date(), last, n, clock])
    lines = []
    for title, first, last, n, clock in sorted(runs, key=lambda x: (x[1], x[3])):
        when = spoken_range(first, last, cjk) + (f", {clock:%H:%M}" if clock else "")
        lines.append(f"{title}: {when} [{n}]")
    return "\n".join(lines)


def _inside(iso: str, since: datetime | None, until: datetime | None) -> bool:
    moment = datetime.fromisoformat(iso).replace(tzinfo=None)
    return (since is None or moment >= since.replace(tzinfo=None)) and (until is None or moment < until.replace(tzinfo=None))
