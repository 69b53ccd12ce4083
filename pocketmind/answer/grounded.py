"""Answers taken from metadata instead of generated.

A small model misreads dates and invents them. When a question asks *when*
something happened and the best passage is dated, the date comes from the
data: a time phrase in the passage resolved against its own timestamp
("yesterday" in a message sent on 8 May 2023 -> 7 May 2023), else the
event's start, else the message's date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from pocketmind.results import Result
from pocketmind.text import writes_han_dates
from pocketmind.timeexpr import resolve_mentions

from .said_when import said_when
from .words import content_words, words_of

# "What year did John start surfing?" is answered "2018", not "five years before 16 July 2023":
# the year is the question's unit (LoCoMo's gold answers, and how a person would say it).
_ASKS_YEAR_OR_MONTH = re.compile(r"\b(?:what|which)\s+(?:(?P<year>year)|(?P<month>month))\b|(?P<zy>哪一?年)|(?P<zm>哪个月|几月(?!几))", re.I)
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
    if best.kind == "note":
        own_text = _note_line_asked(question, own_text)
    mentions = resolve_mentions(own_text, moment) if best.kind in ("message", "note") else []
    if (asked := _ASKS_YEAR_OR_MONTH.search(question)) and (mentions or best.kind == "message"):
        month = bool(asked.group("month") or asked.group("zm"))
        spans = [(m.start, m.end) for m in mentions] or [(moment.date(), moment.date())]
        # The first time said that lies in one month (one year): "in the last month" spans two,
        # "last week" of the same message does not.
        fitting = [(start, end) for start, end in spans if start.year == end.year and (not month or start.month == end.month)]
        if fitting:
            start = fitting[0][0]
            if month:
                return f"{start.year}年{start.month}月" if cjk else f"{_MONTHS[start.month - 1]} {start.year}"
            return f"{start.year}年" if cjk else str(start.year)
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


# The lines an indexer writes at the top of a note about the file itself: when it was written is
# the note's own date (its fallback), never a time the note talks about.
_FILE_LINE = re.compile(r"^(?:created|updated|modified|author|source|tags):", re.I)


def _note_line_asked(question: str, text: str) -> str:
    """The note's own words, its line saying most of the question's words first ("[ ] Task
    with due date (due 28 May 2022)" for "when is the task with due date due?")."""
    lines = [line for line in text.splitlines() if line.strip() and not _FILE_LINE.match(line)]
    asked = content_words(question)
    said = [len(asked & words_of([line])) for line in lines]
    best = max(range(len(lines)), key=lambda i: (said[i], -i), default=None)
    if best is None:
        return ""
    return "\n".join([lines[best]] + lines[:best] + lines[best + 1:])


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


def event_listing(results: list[Result], since: datetime | None, until: datetime | None,
                  question: str = "") -> tuple[str, list[Result]] | None:
    """For "what's on my calendar / which days is the holiday ... <time window>": the events, dated,
    and the results renumbered so that the lines cite [1], [2]... in date order.

    Only when the best results are events. Days of one event that follow each
    other (a holiday stored day by day) become one run; a run that touches the
    window is listed whole: "the Dragon Boat Festival holiday" names the
    festival's day (31 May 2025), its days off run to 2 June. Each line cites
    its run's first day; the results not listed follow the listed ones.
    """
    if since is None and until is None:
        return None
    if not results or results[0].kind != "event":
        return None
    runs: list[dict] = []
    for r in sorted((r for r in results if r.kind == "event" and r.time), key=lambda r: r.time):
        start = datetime.fromisoformat(r.time)
        last = start.date()
        if r.ended_at is not None:
            # all-day ends are exclusive: an event ending at midnight ended the day before
            last = max(last, datetime.fromtimestamp(r.ended_at - 1, timezone.utc).date())
        clock = start if not r.metadata.get("all_day") and (start.hour or start.minute) else None
        run = next((x for x in runs if x["title"] == r.title and clock is None and x["clock"] is None
                    and x["first"] <= start.date() <= x["last"] + timedelta(days=1)), None)
        if run is not None:
            run["last"] = max(run["last"], last)
            run["events"].append(r)
        else:
            runs.append({"title": r.title, "first": start.date(), "last": last, "clock": clock, "events": [r]})
    listed = [run for run in runs if (_inside(run["events"][0].time, since, until) if run["clock"]
                                      else _overlaps(run["first"], run["last"], since, until))]
    if not listed:
        return None
    cjk = writes_han_dates(question)
    cited: list[Result] = []
    lines = []
    for run in sorted(listed, key=lambda x: x["events"][0].time):
        when = spoken_range(run["first"], run["last"], cjk) + (f", {run['clock']:%H:%M}" if run["clock"] else "")
        lines.append(f"{run['title']}: {when} [{len(cited) + 1}]")
        cited += run["events"]
    listed_ids = {r.id for r in cited}
    return "\n".join(lines), cited + [r for r in results if r.id not in listed_ids]


def _overlaps(first: date, last: date, since: datetime | None, until: datetime | None) -> bool:
    """Whether the (all-day) days ``first``..``last`` meet the window [since, until)."""
    starts, ends = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    return (until is None or starts < until.replace(tzinfo=None)) and (since is None or ends > since.replace(tzinfo=None))
