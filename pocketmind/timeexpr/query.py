"""Query time: the time restriction of a question as a half-open ``[since, until)``
window (``parse_query_time``), honouring relation words around the date phrase
("since March", "between X and Y", "the week after May 7", 2020年以来), event-anchored
phrases left for the engine (``apply_relation``), and ``is_temporal_question`` for
questions that ask for a date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from .mentions import _find
from .ranges import QueryTime, TimeMention, _monday

_PREFIX_RELATION = re.compile(
    r"(?:\b(?P<rel>since|after|before|until|till|through|between|from)|(?P<cn>从|自))\s*$", re.IGNORECASE)
_UNIT_RELATION = re.compile(r"\bthe\s+(?P<unit>day|week|month|year)\s+(?P<rel>after|before|of)\s+$", re.IGNORECASE)
_RANGE_JOIN = re.compile(r"^\s*(?:and|to|until|till|through|-|–|到|至)\s*$", re.IGNORECASE)
_BARE_RANGE_JOIN = re.compile(r"^\s*(?:-|–|到|至)\s*$")
_CN_SUFFIX_RELATION = re.compile(r"(?P<rel>以来|之后|以后|之前|以前)")
_CN_SUFFIX_MAP = {"以来": "since", "之后": "after", "以后": "after", "之前": "before", "以前": "before"}
_ANCHORED = re.compile(
    r"\b(?:the\s+(?P<unit>day|week|month|year)\s+(?P<rel>after|before|of)"
    r"|(?P<rel2>since|after|before|until)(?=\s+(?:the|my|our|your|his|her|their)\b))\s+"
    r"(?P<anchor>[^\s?!.,;:]+(?:\s+(?!(?:and|or|but|with|when|where|what|who|did|do|does|was|were|is|are|"
    r"to|for|in|on|at|about|from|during|that|which|so|then)\b)[^\s?!.,;:]+){0,7})",
    re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?!.,;:，。？！、])")
_WHITESPACE = re.compile(r"\s+")


def apply_relation(relation: str | None, start: date, end: date,
                   now: datetime) -> tuple[datetime | None, datetime | None]:
    """The ``[since, until)`` window for ``relation`` applied to an inclusive date range
    (a resolved date phrase or an event found by the engine). ``now`` only supplies tzinfo.
    ``week_after`` = the 7 days after ``end``; ``week_before`` = the 7 days before ``start``;
    ``week_of`` = the ISO week containing ``start``; ``day_*``, ``month_*``, ``year_*``
    likewise; ``after``/``before``/``since``/``until`` are open-ended."""
    after = end + timedelta(days=1)
    windows: dict[str, tuple[date | None, date | None]] = {
        "after": (after, None), "before": (None, start), "since": (start, None), "until": (None, after),
        "day_after": (after, after + timedelta(days=1)), "day_before": (start - timedelta(days=1), start),
        "day_of": (start, after),
        "week_after": (after, after + timedelta(days=7)), "week_before": (start - timedelta(days=7), start),
        "week_of": (_monday(start), _monday(start) + timedelta(days=7)),
        "month_after": (after, after + relativedelta(months=1)),
        "month_before": (start - relativedelta(months=1), start),
        "month_of": (start.replace(day=1), start.replace(day=1) + relativedelta(months=1)),
        "year_after": (after, after + relativedelta(years=1)),
        "year_before": (start - relativedelta(years=1), start),
        "year_of": (date(start.year, 1, 1), date(start.year + 1, 1, 1)),
    }
    low, high = windows.get(relation or "", (start, after))
    return _midnight(low, now), _midnight(high, now)


def _midnight(day: date | None, now: datetime) -> datetime | None:
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=now.tzinfo)


def _remaining(question: str, span: tuple[int, int]) -> str:
    text = f"{question[:span[0]]} {question[span[1]:]}"
    return _SPACE_BEFORE_PUNCT.sub(r"\1", _WHITESPACE.sub(" ", text)).strip()


def _query_from_mention(question: str, mentions: list[TimeMention], index: int,
                        now: datetime) -> QueryTime:
    """Wrap mention ``index`` with the relation words around it, if any."""
    mention = mentions[index]
    following = mentions[index + 1] if index + 1 < len(mentions) else None
    start, end = mention.span
    low, high, granularity, relation = mention.start, mention.end, mention.granularity, None
    unit_rel = _UNIT_RELATION.search(question, 0, start)
    prefix = _PREFIX_RELATION.search(question, 0, start)
    word = (prefix.group("rel") or "from").lower() if prefix else ""
    gap = question[end:following.span[0]] if following else ""
    if unit_rel:  # "the week of/after/before <date>"
        relation = f"{unit_rel.group('unit').lower()}_{unit_rel.group('rel').lower()}"
        start, granularity = unit_rel.start(), unit_rel.group("unit").lower()
    elif word in ("between", "from"):  # "between X and Y", "from X to Y", 从X到Y
        start = prefix.start()
        if following and _RANGE_JOIN.match(gap):
            high, end, granularity = following.end, following.span[1], None
    elif prefix:  # "since X", "before X", "until X" ...
        relation = "until" if word in ("till", "through") else word
        start, granularity = prefix.start(), None
    elif following and _BARE_RANGE_JOIN.match(gap):  # "May 1 - May 10", 5月1日到5月10日
        high, end, granularity = following.end, following.span[1], None
    elif suffix := _CN_SUFFIX_RELATION.match(question, end):  # 2020年以来, 去年以前
        relation, end, granularity = _CN_SUFFIX_MAP[suffix.group("rel")], suffix.end(), None
    if relation == "since" and low > now.date() and mention.granularity == "month":
        low, high = low - relativedelta(years=1), high - relativedelta(years=1)  # "since March" said in Feb
    since, until = apply_relation(relation, low, high, now)
    label = mention.label if granularity == mention.granularity else None
    return QueryTime(since, until, question[start:end], (start, end), _remaining(question, (start, end)),
                     label, granularity, None, relation)


def parse_query_time(question: str, now: datetime) -> QueryTime | None:
    """The first time restriction in ``question`` relative to ``now``, or None.

    Date phrases become a window (see :class:`QueryTime`); relation words around them are
    honoured: "between May 1 and May 10", "from X to Y", "since March", "before 2020",
    "after June 2021", "the week of May 1", "the week after May 7, 2023", 2020年以来.
    "the week after the conference" yields ``anchor_text``/``relation`` with no window.
    """
    mentions = _find(question, now.date())
    dated = _query_from_mention(question, mentions, 0, now) if mentions else None
    anchored = _ANCHORED.search(question)
    while anchored and any(m.span[0] == anchored.start("anchor") for m in mentions):
        anchored = _ANCHORED.search(question, anchored.end("anchor"))
    if anchored and (dated is None or anchored.start() < dated.span[0]):
        unit = anchored.group("unit")
        relation = f"{unit.lower()}_{anchored.group('rel').lower()}" if unit else anchored.group("rel2").lower()
        span = (anchored.start(), anchored.end())
        return QueryTime(None, None, anchored.group(0), span, _remaining(question, span),
                         anchor_text=anchored.group("anchor"), relation=relation)
    return dated


def parse_query_time_now(question: str) -> QueryTime | None:
    """:func:`parse_query_time` against the local wall clock (thin convenience wrapper)."""
    return parse_query_time(question, datetime.now().astimezone())


_TEMPORAL_QUESTION = re.compile(
    r"\bwhen\b|\bwhat\s+(?:date|day|time|year|month|week)\b|\bwhich\s+(?:date|day|year|month|week)\b|"
    r"\bhow\s+long\s+ago\b|\bhow\s+long\s+since\b|\bwhat\s+(?:was|is)\s+the\s+date\b|\bsince\s+when\b|"
    r"什么时候|啥时候|何时|哪天|哪一天|几号|哪年|哪一年|几月|哪个月|几点|星期几|周几|礼拜几|多久以前|多久前|多长时间以前|什么日子",
    re.IGNORECASE)


# "What does Nate want to do when he visits?", "How did she feel when she read it?": a "when"
# after another question word opens a clause; the question asks for what that word asks.
_ASKED_BEFORE = re.compile(r"\b(?:what|how|who|whom|whose|where|which|why)\b", re.IGNORECASE)


def is_temporal_question(question: str) -> bool:
    """True when the question asks for a date or time ("when", "what date", 什么时候, 几号...)."""
    for found in _TEMPORAL_QUESTION.finditer(question):
        if found.group().casefold() != "when" or not _ASKED_BEFORE.search(question[: found.start()]):
            return True
    return False
