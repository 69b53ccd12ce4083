"""Reading a question before searching: time, people, places and kinds.

- A time phrase ("next week", "in October 2025", 上个月, "the week after the
  conference") becomes a date filter, resolved against the engine's "now";
  an event anchor is looked up among calendar events by full text (a store
  read, not a second search). The phrase is removed from the text that is
  searched.
- A known person's name (a chat sender, a contact, an attendee) becomes a
  boost for documents that involve them.
- A place after "in/near/from/at/around" (or a CJK place name) that the
  offline gazetteer knows becomes a boost for photos and events there.
- Words like "photos" or "calendar" boost the matching kinds.
Boosts, unlike filters, never hide a result: a wrong guess costs little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable

from pocketmind.text import CJK_RANGES, HAN_WORD as _CJK_WORDS
from pocketmind.timeexpr import apply_relation, is_temporal_question, names_a_festival, parse_query_time

from .fulltext import match_expression

_PLACE_CUE = re.compile(r"\b(?:in|near|from|at|around|to|visited|trip to)\s+((?:[A-Z][\w'’.-]+)(?:\s+[A-Z][\w'’.-]+){0,2})")
_KIND_WORDS = {
    "photo": re.compile(r"\b(?:photos?|pictures?|pics?|images?|selfies?)\b|照片|相片|图片", re.I),
    "event": re.compile(r"\b(?:calendar|appointments?|meetings?|events?|schedule|holidays?)\b|日程|日历|节日|假期|放假|休息日|调休|会议|预约", re.I),
    "message": re.compile(r"\b(?:say|said|says|told|tell|text(?:ed)?|messaged?|wrote|chat(?:ted)?)\b|说|聊", re.I),
    "note": re.compile(r"\b(?:notes?|wrote down|journal)\b|笔记", re.I),
}


# Exports name their owner "Me" or "You"; in a question those words are pronouns, not people.
_SELF = {"me", "you", "us", "we", "my", "i", "我", "我们", "你"}


@dataclass
class QueryPlan:
    text: str  # what is searched (time phrase removed when it became a filter)
    since: datetime | None = None
    until: datetime | None = None
    time_phrase: str | None = None
    people: list[str] = field(default_factory=list)
    places: list = field(default_factory=list)  # gazetteer PlaceMatch objects
    kinds: list[str] = field(default_factory=list)  # boosted, not filtered
    temporal: bool = False  # the question asks for a date (read by the answer's date rule)


# A question names its time in a few words. A passage of conversation (a chat app looking up
# memories for its next turn sends the turns so far) mentions dates as context: made into hard
# filters they drop what it is about (MADial-Bench zh R@5 22.5 with them, 51.9 without).
QUESTION_MAX_LINES = 2
QUESTION_MAX_CHARS = 500


# Make-up working days (补班/调休) of a public holiday: asked by the holiday's name, dated outside it.
_MAKE_UP_DAY = re.compile(r"\bmake-?up\b|\bworking\s+days?\b|补班|调休|上班", re.IGNORECASE)
# ...within two weeks of it (2025: 26 January and 8 February around 28 January - 4 February; 2019's
# National Day: 29 September and 12 October around 1-7 October): the year asked stays asked.
MAKE_UP_REACH = timedelta(days=21)


def reads_as_question(text: str) -> bool:
    """Whether ``text`` is a question (or a search), whose time phrase may become a date filter."""
    text = text.strip()
    return text.count("\n") < QUESTION_MAX_LINES and len(text) <= QUESTION_MAX_CHARS


# "<Bart>:", "Anna:", "小美：" at the start of a transcript line; "<EOD>" alone marks its end.
_SPEAKER = re.compile(r'^(?:<[^<>\n]{1,40}>|[^\s:：<>"]{1,20})\s*[:：]\s*')
_MARKER = re.compile(r"^<[^<>\n]{1,40}>$")


def latest_turn(text: str) -> str | None:
    """The last turn of a conversation sent as a query, without its speaker label
    or quotes; None for a question. What the next reply is about is mostly in it."""
    if reads_as_question(text):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _MARKER.match(line.strip())]
    if len(lines) < 2:
        return None
    turn = _SPEAKER.sub("", lines[-1]).strip().strip('"“”「」').strip()
    return turn or None


def plan(question: str, now: datetime, known_people: Iterable[str] = (),
         find_anchor: Callable[[str], tuple[datetime, datetime] | None] | None = None) -> QueryPlan:
    result = QueryPlan(text=question, temporal=is_temporal_question(question))
    when = parse_query_time(question, now.replace(tzinfo=None))
    if when is not None:
        since, until = when.since, when.until
        if when.anchor_text and find_anchor is not None:
            found = find_anchor(when.anchor_text)
            if found:
                since, until = apply_relation(when.relation, found[0].date(), found[1].date(), now.replace(tzinfo=None))
        festival = names_a_festival(when.phrase)
        if festival and _MAKE_UP_DAY.search(question) and since is not None and until is not None:
            since, until = since - MAKE_UP_REACH, until + MAKE_UP_REACH  # they lie outside the holiday itself
        if since is not None or until is not None:
            result.since, result.until, result.time_phrase = since, until, when.phrase
            # A festival's name is also what the question is about: keep it in the words searched.
            result.text = question if festival else (when.remaining_text or question)
    result.people = people_in(question, known_people)
    result.places = places_in(question)
    result.kinds = [kind for kind, pattern in _KIND_WORDS.items() if pattern.search(question)]
    return result


# A word character that is not CJK: "Loris" is a whole word in "我和Loris的聊天".
_LETTER = f"(?![{CJK_RANGES}])\\w"


def people_in(question: str, known: Iterable[str]) -> list[str]:
    """Known names that appear in the question as whole words (case-insensitive),
    in the order the question names them: the first is usually its subject."""
    lowered = question.casefold()
    found: list[tuple[int, str]] = []
    for name in known:
        key = name.casefold()
        if len(key) < 2 or key not in lowered or key in _SELF:
            continue
        # CJK text has no spaces between words: a CJK name matches as a substring.
        if _CJK_WORDS.search(key):
            found.append((lowered.index(key), name))
        elif match := re.search(rf"(?<!{_LETTER}){re.escape(key)}(?!{_LETTER})", lowered):
            found.append((match.start(), name))
    return [name for _, name in sorted(found, key=lambda pair: pair[0])]


def places_in(question: str) -> list:
    from pocketmind.indexers.gazetteer import lookup, names_in_cjk

    candidates = [m.group(1).rstrip(".'’") for m in _PLACE_CUE.finditer(question)]
    candidates += names_in_cjk(question)
    places = []
    for text in candidates:
        words = text.split()
        # Longest prefix that names a place: "Kyoto Station" -> "Kyoto".
        for n in range(len(words), 0, -1):
            matches = lookup(" ".join(words[:n]))
            if matches:
                places.append(matches[0])
                break
    return places


def calendar_anchor(store, text: str) -> tuple[datetime, datetime] | None:
    """When the calendar event best matching ``text`` ("the conference") starts and
    ends (wall clock), found by full text among events."""
    from pocketmind.store import Filters

    match = match_expression(text)
    hits = store.fulltext(match, 1, Filters(kinds=("event",))) if match else []
    if not hits:
        return None
    hit = store.chunk_hits([hits[0][0]]).get(hits[0][0])
    if not hit or not hit["occurred_local"]:
        return None
    start = datetime.fromisoformat(hit["occurred_local"]).replace(tzinfo=None)
    end = datetime.fromtimestamp(hit["ended_at"], timezone.utc).replace(tzinfo=None) if hit["ended_at"] else start
    return start, end
