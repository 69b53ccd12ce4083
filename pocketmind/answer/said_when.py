"""A relative time phrase told the way it was said, anchored to the day it was said.

"I gave a talk last week", sent on 9 June 2023, answers "when did she give
the talk?" with "the week before 9 June 2023": exactly what the message
says, no more. Resolving it to a calendar week ("the week of 29 May 2023")
claims a precision the message does not have (people say "last week" of the
week before last too) and reads worse. Phrases that name one day
("yesterday", "today", "two days ago") keep their date; months, years and seasons keep their
label ("June 2023", "2022"), and so do a definite number of them ago ("3 years ago" said in
January 2022 is 2019; "a few years ago" stays as said).

The message that says when is not always the best match: "The support group
has made me feel accepted" outranks "I went to a support group yesterday"
for "when did she go to the support group?". When the best hit says no time,
the first of the next few hits that says the question's subject and a time
is the one to date from; else a line of the best hit's conversation window
that says them ("I ran a charity race last Saturday" just before "The event
was really thought-provoking").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Sequence

from pocketmind.results import Result
from pocketmind.timeexpr import TimeMention, resolve_mentions
from pocketmind.timeexpr.english import WEEKDAY_SHORT

from .words import words_of

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# "two weeks ago", "a few days ago" -> "two weeks before <day>"
_AGO = re.compile(r"^(?P<amount>.+?)\s+(?P<unit>days?|weeks?|weekends?|months?|years?)\s+ago$", re.I)
# "last week", "this past weekend", "the week before" -> "the week before <day>"; "next week" -> "the week after <day>"
_NEIGHBOUR = re.compile(r"^(?:(?P<mod>last|this\s+past|the\s+previous|next|the\s+following|the\s+coming)\s+(?P<unit>week|weekend)"
                        r"|the\s+(?P<unit2>week)\s+before)$", re.I)
# "in the last month", "over the past year" -> "the month before <day>"
_WITHIN = re.compile(r"^(?:in|over|during|within)\s+the\s+(?:last|past)\s+(?P<unit>week|month|year)$", re.I)
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "last Saturday", "on Saturday", "Saturday", "this past Saturday" -> "the Saturday before <day>"
_PAST_WEEKDAY = re.compile(r"^(?:(?:last|this\s+past|past|on)\s+)?(?P<weekday>" + "|".join([*_WEEKDAYS, *WEEKDAY_SHORT])
                           + r")\.?$", re.I)
# "I just teamed up with...", "we recently got...": done about the day it is said
_JUST_DONE = re.compile(r"\b(?:just|recently)\s+(?:\w+ed|got|went|made|had|saw|did|began|bought|took|came|found|won|gave|"
                        r"wrote|ran|met|left|became|sold|built|read|threw|held|put|set)\b", re.I)
WHEN_DEPTH = 3  # how many of the best hits may say when, before the best hit's own date is taken
# A window line without a time of its own: "  Caroline: I went to a support group yesterday".
_SAME_DAY_LINE = re.compile(r"^[» ] (?!\d{4}-\d{2}-\d{2} )[^:]{1,60}: (?P<text>.*)$")


def spoken_day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def said_when(mention: TimeMention, said_on: date) -> str:
    """``mention`` (found in a text written on ``said_on``) as an answer to "when"."""
    phrase = " ".join(mention.phrase.split())
    anchor = spoken_day(said_on)
    if found := _AGO.match(phrase):
        if found["unit"].lower().startswith("day") and mention.granularity == "day" and mention.start == mention.end:
            return spoken_day(mention.start)  # "two days ago" names one day, as "yesterday" does
        one_year = mention.start == date(mention.start.year, 1, 1) and mention.end == date(mention.start.year, 12, 31)
        one_month = (mention.start.year, mention.start.month) == (mention.end.year, mention.end.month)
        if found["unit"].lower().startswith(("year", "month")) and (one_year or one_month):
            return mention.label  # "3 years ago" said in January 2022 is 2019; "5 months ago", August 2021
        return f"{found['amount'].lower()} {found['unit'].lower()} before {anchor}"
    if found := _NEIGHBOUR.match(phrase):
        unit = (found["unit"] or found["unit2"]).lower()
        after = (found["mod"] or "").lower() in ("next", "the following", "the coming")
        return f"the {unit} {'after' if after else 'before'} {anchor}"
    if (found := _PAST_WEEKDAY.match(phrase)) and mention.start < said_on:
        weekday = found["weekday"].lower()
        weekday = _WEEKDAYS[WEEKDAY_SHORT[weekday]] if weekday in WEEKDAY_SHORT else weekday  # "Tues" -> Tuesday
        return f"the {weekday.capitalize()} before {anchor}"
    if mention.granularity == "day" and mention.start == mention.end:
        return spoken_day(mention.start)
    if found := _WITHIN.match(phrase):
        return f"the {found['unit'].lower()} before {anchor}"
    if mention.granularity == "week":  # "this weekend" is a weekend, not its week
        return f"the {'weekend' if 'weekend' in phrase.lower() else 'week'} of {spoken_day(mention.start)}"
    # A range's label is written for machines ("2023-06-16 to 2023-07-16"): its days are spoken
    return _ISO_DAY.sub(lambda m: spoken_day(date(int(m[1]), int(m[2]), int(m[3]))), mention.label)


def message_saying_when(results: Sequence[Result], subject: set[str], depth: int = WHEN_DEPTH) -> tuple[Result, str] | None:
    """For "when did she go to the support group?" when the best hit says no time: of the
    best few message hits' own lines and the best hit's window lines (a hit folded into
    it) that say a subject word and a time ("I went to a support group yesterday"), the
    one saying most of the subject; on a tie the best-ranked hit, then the window line
    closest to the best hit. Returns the hit and that line's text. ``results``: hits given
    their conversation window (own line marked "»")."""
    best = results[0] if results else None
    # A message saying when must say as much of the subject as the best hit does: "When did he
    # tell me 'we meet again'?" is the message saying it, not a poll "When can we meet? Thursday 15".
    enough = len(subject & words_of([own_line(best)])) if best is not None else 0
    if best is not None and best.kind == "photo":
        # A photo's words are a description of the image ("a man with purple hair"), not what was
        # said: the message sharing it ("Dyed my hair last week") need not repeat them all.
        enough = min(enough, 1)
    if best is not None and best.kind == "message" and _JUST_DONE.search(own_line(best)):
        return None  # "I just teamed up with a local artist": the best hit's own day says when
    found: list[tuple[Result, str]] = [(result, own_line(result)) for result in results[:depth]
                                       if result.kind == "message" and result.time
                                       and _says_when(own_line(result), subject, result, enough)]
    if best is not None and best.kind == "message" and best.time:
        lines = (best.text or "").splitlines()
        hit = next((i for i, line in enumerate(lines) if line.startswith("»")), 0)
        for i in sorted(range(len(lines)), key=lambda i: abs(i - hit)):
            same_day = _SAME_DAY_LINE.match(lines[i])
            if i != hit and same_day and _says_when(same_day["text"], subject, best, enough):
                found.append((best, same_day["text"]))
    if not found:
        return None
    # The line saying most of the subject, the best-ranked first on a tie: "I just signed up for a
    # pottery class yesterday" in the best hit's window, not "I made it in pottery class yesterday".
    return max(found, key=lambda pair: len(subject & words_of([pair[1]])))


def _says_when(text: str, subject: set[str], result: Result, enough: int = 1) -> bool:
    said = len(subject & words_of([text]))
    return said >= max(enough, 1) and bool(resolve_mentions(text, datetime.fromisoformat(result.time)))


def own_line(result: Result) -> str:
    """A message hit's own text, out of its conversation window."""
    text = result.text or result.snippet
    marked = next((line for line in text.splitlines() if line.startswith("»")), None)
    if marked is None:
        return text
    found = _SAME_DAY_LINE.match(marked)  # the hit's own line never carries a time: the excerpt's header does
    return found["text"] if found else marked[2:]
