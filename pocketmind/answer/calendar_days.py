"""Questions about calendar days, answered from the events: which days, which
make-up working day, how many days, how long.

"2025年国庆节假期结束后哪天要补班？" asks for a working day of one holiday, not
for every event of the year; "How many days off does the Spring Festival
have?" for the length of its run of days off. So the events are narrowed to
those saying most of the question's subject words (a festival named in
English also matches its Chinese name: holiday calendars of China write only
that), then to working days or days off when the question asks for one of
them, and completed with the other days of the same holiday; the answer is
their dates or their length, dated and cited.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Sequence

from pocketmind.results import Result
from pocketmind.text import writes_han_dates

from .grounded import event_listing, spoken_range
from .words import content_words, words_of

WORKING_DAY = re.compile(r"补班|上班|\bworking days?\b|\bwork ?days?\b|\bmake-?up\b", re.I)
DAY_OFF = re.compile(r"放.{0,3}假|休息|假期|\bdays? off\b", re.I)  # not "holidays": their make-up working days belong to them
BEFORE = re.compile(r"前(?!天|年)|之前|以前|\bbefore\b|\bahead of\b", re.I)
AFTER = re.compile(r"(?<![之以然最])后(?!天|年)|之后|以后|\bafter\b|\bfollowing\b", re.I)
HOW_LONG = re.compile(r"\bhow long\b|\bhow many (?:days|nights|hours|minutes)\b|几天|多少天|多久|多长时间", re.I)
# China's statutory holidays by their English names; its holiday calendars name them in Chinese only.
FESTIVALS = {
    "元旦": ("new year's day", "new year"), "春节": ("spring festival", "chinese new year", "lunar new year"),
    "清明": ("qingming", "tomb-sweeping", "tomb sweeping"), "劳动节": ("labour day", "labor day", "may day"),
    "端午": ("dragon boat",), "中秋": ("mid-autumn", "mid autumn", "moon festival"), "国庆": ("national day",),
}
_DAY = timedelta(days=1)


def festival_words(question: str) -> set[str]:
    """The Chinese names (as subject words) of the festivals a question names in English."""
    folded = question.casefold()
    names = [zh for zh, english in FESTIVALS.items() if any(name in folded for name in english)]
    return content_words(" ".join(names)) if names else set()


def is_working_day(event: Result) -> bool:
    return event.metadata.get("is_off_day") is False or bool(WORKING_DAY.search(event.title))


def calendar_answer(question: str, subject: str, results: Sequence[Result], since: datetime | None,
                    until: datetime | None, listing: bool,
                    titled: Callable[[str], list[Result]] = lambda title: []) -> tuple[str, list[Result]] | None:
    """(answer, its citations) when the best results are events and the question asks
    which days (``listing``: it asks about the calendar, within a time window), which
    working day, or how long; else None. ``subject``: the question without its time words;
    ``titled``: every event with a title (the days of a holiday the search did not rank)."""
    if not results or results[0].kind != "event":
        return None
    events = [r for r in results if r.kind == "event" and r.time]
    topic = content_words(subject) | festival_words(question)
    chosen = _saying_most(topic, events) or events
    wants_work = bool(WORKING_DAY.search(question))
    if wants_work or DAY_OFF.search(question):
        chosen = [r for r in chosen if is_working_day(r) == wants_work] or chosen
        if wants_work:  # the holiday's own days off: the ones its working days are before or after
            days_off = _saying_most(topic, [r for r in events if not is_working_day(r)])
            chosen = _on_the_side_asked(question, chosen, days_off + _adjacent(days_off, titled))
    how_long = bool(HOW_LONG.search(question))
    if not (how_long or listing or wants_work):
        return None
    chosen = chosen + _adjacent(chosen, titled)
    if how_long:
        return _length(question, chosen), chosen
    return event_listing(chosen, since, until, question)


def _on_the_side_asked(question: str, working: list[Result], days_off: list[Result]) -> list[Result]:
    """The working days before the holiday's days off ("春节前哪天要调休上班？") or after
    them ("假期结束后哪天要补班？"), when the question says which; else all of them."""
    before, after = BEFORE.search(question), AFTER.search(question)
    if not days_off or bool(before) == bool(after):
        return working
    spans = [_days(e) for e in days_off]
    first, last = min(a for a, _ in spans), max(b for _, b in spans)
    side = [e for e in working if (_days(e)[1] < first if before else _days(e)[0] > last)]
    return side or working


def _saying_most(topic: set[str], events: list[Result]) -> list[Result]:
    """The events that say the most of the question's subject words (none: [])."""
    said = [len(topic & words_of([e.title, e.text or e.snippet, " ".join(map(str, e.metadata.get("tags", [])))]))
            for e in events]
    most = max(said, default=0)
    return [e for e, n in zip(events, said) if n == most] if most else []


def _days(event: Result) -> tuple[date, date]:
    """First and last day of an event (all-day ends are exclusive)."""
    first = datetime.fromisoformat(event.time).date()
    last = datetime.fromtimestamp(event.ended_at - 1, timezone.utc).date() if event.ended_at else first
    return first, max(first, last)


def _touches(span: tuple[date, date], spans: list[tuple[date, date]]) -> bool:
    return any(span[0] <= last + _DAY and span[1] >= first - _DAY for first, last in spans)


def _adjacent(events: list[Result], titled: Callable[[str], list[Result]]) -> list[Result]:
    """Events titled like the best of ``events`` on the days next to them (a holiday stored
    day by day: its other days), not among them already."""
    have = {e.id for e in events}
    found: list[Result] = []
    for title in dict.fromkeys(e.title for e in events[:3]):
        spans = [_days(e) for e in events if e.title == title]
        others = [e for e in titled(title) if e.id not in have and e.time]
        grown = True
        while grown:
            grown = False
            for other in others:
                if other.id not in have and _touches(_days(other), spans):
                    spans.append(_days(other))
                    found.append(other)
                    have.add(other.id)
                    grown = True
    return found


def _length(question: str, events: list[Result]) -> str:
    """"8 days: 28 January 2025 to 4 February 2025 [1]" (8天：2025年1月28日至2月4日): the run of
    days the best event belongs to; a timed event's hours and minutes."""
    zh = writes_han_dates(question)
    best = events[0]
    if best.ended_at and best.occurred_at is not None and not best.metadata.get("all_day"):
        minutes = round((best.ended_at - best.occurred_at) / 60)  # both in wall-clock seconds
        if minutes % (24 * 60):
            hours, rest = divmod(minutes, 60)
            if zh:
                return (f"{hours}小时" if hours else "") + (f"{rest}分钟" if rest else "") + " [1]"
            parts = [f"{hours} hour{'s' * (hours != 1)}"] * bool(hours) + [f"{rest} minute{'s' * (rest != 1)}"] * bool(rest)
            return " ".join(parts) + " [1]"
    first, last = _days(best)
    spans = [_days(e) for e in events if e.title == best.title]
    grown = True
    while grown:  # the consecutive days around the best event
        grown = False
        for a, b in spans:
            if _touches((a, b), [(first, last)]) and (a < first or b > last):
                first, last, grown = min(first, a), max(last, b), True
    days = (last - first).days + 1
    count = f"{days}天" if zh else f"{days} day{'s' * (days != 1)}"
    return f"{count}{'：' if zh else ': '}{spoken_range(first, last, zh)} [1]"
