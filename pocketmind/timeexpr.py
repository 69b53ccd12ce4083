"""Time expressions in English and Chinese, resolved to concrete dates.

Two directions:

* **Index time** -- :func:`resolve_mentions` finds expressions such as "yesterday",
  "last Saturday", "two weeks ago", "May 7, 2023", 昨天, 上周六, 2023年5月 in a message
  and resolves them against the message's own timestamp. :func:`annotate` appends the
  resolved dates in brackets so that embeddings and full-text search see absolute dates.
* **Query time** -- :func:`parse_query_time` turns the time phrase of a question into a
  half-open ``[since, until)`` datetime window plus the question without that phrase.
  :func:`is_temporal_question` tells whether the question asks for a date.

Conventions (documented once, used everywhere):

* Weeks are ISO weeks: Monday..Sunday. "last week" / 上周 is the previous ISO week.
* Seasons are northern-hemisphere meteorological seasons: spring Mar-May, summer Jun-Aug,
  fall/autumn Sep-Nov, winter Dec-Feb. "winter 2022" / 2022年冬天 is the winter that
  starts in December 2022. "last summer" is the most recent summer that has fully ended
  before the reference day; "this summer" is the summer of the reference year ("this
  winter" is the winter in progress, else the one starting in December of that year);
  "next summer" is the first one starting after the reference day.
* Weekdays: a bare weekday ("on Saturday", 周六) and "last Saturday" mean the most recent
  past occurrence, 1..7 days before the reference day. "this Saturday" / "this coming
  Saturday" mean the next occurrence, 0..6 days ahead. "next Saturday" / 下周六 mean the
  Saturday of the next ISO week; 上周六 the Saturday of the previous ISO week.
* A month or day without a year ("May 7", "in March", 10月, 5月7日) takes the reference
  year; "last March"/"next March" pick the nearest past/future March.
  In questions the same holds (10月 = October of the current year), except that "since
  March" asked in February means last year's March.
* "on the 5th" / 5号 is that day of the reference month; "Friday 16" is the nearest month's
  16th that falls on a Friday. A weekday written next to a full date belongs to it.
* "the week before" with no anchor = last week; "the week before last" = two weeks ago;
  "in the past two weeks" / "the last 3 days" = a rolling range ending on the reference day.
* Weekdays in holiday names or rules ("Good Friday", "Sunday in May", "Monday after
  Easter") are ignored; so are "May"/"March" used as verbs (ambiguous month words need a
  capital letter and a day, a year or a preposition).
* Fuzzy amounts: "a few"/"several"/几 = 2..5 units, "a couple (of)" = 2..3 units; they
  resolve to a range ("a few days ago" = ref-5d .. ref-2d).
* "recently", numeric dates like 5/7/2023 (US vs EU order) and holidays are not handled.

Only ``re``, ``datetime`` and ``dateutil.relativedelta``: no clock reads except in the
thin ``*_now`` wrappers, every regex compiled once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, NamedTuple

from dateutil.relativedelta import relativedelta

__all__ = [
    "TimeMention",
    "QueryTime",
    "resolve_mentions",
    "annotate",
    "parse_query_time",
    "parse_query_time_now",
    "apply_relation",
    "is_temporal_question",
]

# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class TimeMention:
    """A time expression found in a text, resolved to an inclusive date range.

    ``granularity`` is one of "day", "week", "month", "year", "season"; fuzzy ranges such
    as "a few days ago" get the next coarser granularity ("week").
    """

    span: tuple[int, int]
    phrase: str
    start: date
    end: date
    granularity: str
    label: str

    @property
    def annotation(self) -> str:
        """Text put in brackets by :func:`annotate` (see its docstring for the format)."""
        if self.granularity == "day" and self.start == self.end:
            d = self.start
            return f"{_WEEKDAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month]} {d.year}, {d.isoformat()}"
        if self.granularity in ("month", "year"):
            return self.label
        if self.granularity == "season":
            return f"{self.label}, {_range_text(self.start, self.end, months_only=True)}"
        prefix = "weekend " if self.label.startswith("weekend") else ""
        return prefix + _range_text(self.start, self.end)


@dataclass(frozen=True)
class QueryTime:
    """The time restriction of a question.

    ``since``/``until`` form a half-open window ``[since, until)``; either may be None for an
    open end ("since March", "before 2020"). They are midnight datetimes carrying ``now``'s
    tzinfo (naive when ``now`` is naive).

    Event-anchored phrases ("the week after the conference") cannot be resolved here:
    ``since``/``until`` are None, ``anchor_text`` holds the event phrase as written and
    ``relation`` says how the window derives from the event's dates. The engine looks the
    event up and calls :func:`apply_relation` with its start/end dates. Relations:
    ``{day,week,month,year}_{after,before,of}`` and ``after``, ``before``, ``since``,
    ``until``. For date-resolved phrases ``relation`` is set too when one applied.
    """

    since: datetime | None
    until: datetime | None
    phrase: str
    span: tuple[int, int]
    remaining_text: str
    label: str | None = None
    granularity: str | None = None
    anchor_text: str | None = None
    relation: str | None = None


# --------------------------------------------------------------------------- vocabulary

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("", "January", "February", "March", "April", "May", "June", "July",
                "August", "September", "October", "November", "December")
_MONTH_BY_WORD = {name.lower(): i for i, name in enumerate(_MONTH_NAMES) if name}
_MONTH_BY_WORD.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                       "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
# Month words that are also common English words: need capitalisation and context.
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan", "dec", "oct", "aug", "sep", "sept", "jun",
                     "jul", "apr", "feb", "nov"}
_WEEKDAY_BY_WORD = {name.lower(): i for i, name in enumerate(_WEEKDAY_NAMES)}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1}
_SEASON_START_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_CN_SEASON = {"春": "spring", "夏": "summer", "秋": "fall", "冬": "winter"}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CN_OFFSET = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_CN_YEAR_OFFSET = {"大前年": -3, "前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2, "大后年": 3}
_CN_DAY_OFFSET = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0,
                  "今日": 0, "今晚": 0, "今早": 0, "明天": 1, "明日": 1, "明晚": 1, "明早": 1,
                  "后天": 2, "大后天": 3}
_FUZZY = {"few": (2, 5), "several": (2, 5), "couple": (2, 3), "几": (2, 5)}


def _cn_number(text: str) -> int | None:
    """Arabic digits or simple Chinese numerals up to 99 (十五, 二十三, 两)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(text) > 3 or "十" in ones:
            return None
        tens_value = _CN_DIGITS.get(tens, None) if tens else 1
        ones_value = _CN_DIGITS.get(ones, None) if ones else 0
        if tens_value is None or ones_value is None:
            return None
        return tens_value * 10 + ones_value
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


def _amount(word: str) -> tuple[int, int] | None:
    """(low, high) for an English amount: "3" -> (3, 3), "a few" -> (2, 5)."""
    word = " ".join(word.lower().split())
    if word.isdigit():
        return int(word), int(word)
    for key, value in _FUZZY.items():
        if key in word:
            return value
    n = _NUMBER_WORDS.get(word)
    return (n, n) if n else None


# --------------------------------------------------------------------------- date helpers


class _Range(NamedTuple):
    start: date
    end: date
    granularity: str
    label: str


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _day(d: date) -> _Range:
    return _Range(d, d, "day", d.isoformat())


def _week(d: date) -> _Range:
    monday = _monday(d)
    return _Range(monday, monday + timedelta(days=6), "week", f"week of {monday.isoformat()}")


def _weekend(d: date) -> _Range:
    saturday = _monday(d) + timedelta(days=5)
    return _Range(saturday, saturday + timedelta(days=1), "week", f"weekend of {saturday.isoformat()}")


def _month(year: int, month: int) -> _Range:
    first = date(year, month, 1)
    last = first + relativedelta(months=1) - timedelta(days=1)
    return _Range(first, last, "month", f"{_MONTH_NAMES[month]} {year}")


def _year(year: int) -> _Range:
    return _Range(date(year, 1, 1), date(year, 12, 31), "year", str(year))


def _season(name: str, year: int) -> _Range:
    """The season starting in ``year`` (winter 2022 = Dec 2022 .. Feb 2023)."""
    name = "fall" if name == "autumn" else name
    first = date(year, _SEASON_START_MONTH[name], 1)
    last = first + relativedelta(months=3) - timedelta(days=1)
    label = f"winter {year}-{year + 1}" if name == "winter" else f"{name} {year}"
    return _Range(first, last, "season", label)


def _span_range(start: date, end: date, granularity: str) -> _Range:
    return _Range(start, end, granularity, f"{start.isoformat()} to {end.isoformat()}")


def _range_text(start: date, end: date, months_only: bool = False) -> str:
    """Compact human text for a range: "1-7 May 2023", "27 April - 3 May 2026"."""
    if months_only:
        first, last = _MONTH_NAMES[start.month], _MONTH_NAMES[end.month]
        if start.year == end.year:
            return f"{first} to {last} {start.year}"
        return f"{first} {start.year} to {last} {end.year}"
    if start.year != end.year:
        return f"{start.day} {_MONTH_NAMES[start.month]} {start.year} - {end.day} {_MONTH_NAMES[end.month]} {end.year}"
    if start.month != end.month:
        return f"{start.day} {_MONTH_NAMES[start.month]} - {end.day} {_MONTH_NAMES[end.month]} {end.year}"
    return f"{start.day}-{end.day} {_MONTH_NAMES[start.month]} {start.year}"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _season_relative(name: str, ref: date, mod: str) -> _Range:
    """last/this/next season relative to ``ref`` (see module docstring)."""
    if mod == "last":
        year = ref.year
        while _season(name, year).end >= ref:
            year -= 1
        return _season(name, year)
    if mod == "next":
        year = ref.year - 1
        while _season(name, year).start <= ref:
            year += 1
        return _season(name, year)
    previous = _season(name, ref.year - 1)  # a winter that started last December
    if previous.start <= ref <= previous.end:
        return previous
    return _season(name, ref.year)


def _shift(ref: date, unit: str, amount: int) -> date:
    if unit == "day":
        return ref + timedelta(days=amount)
    if unit == "week":
        return ref + timedelta(weeks=amount)
    if unit == "month":
        return ref + relativedelta(months=amount)
    return ref + relativedelta(years=amount)


def _unit_range(d: date, unit: str) -> _Range:
    if unit == "day":
        return _day(d)
    if unit == "week":
        return _week(d)
    if unit == "month":
        return _month(d.year, d.month)
    return _year(d.year)


_COARSER = {"day": "week", "week": "month", "month": "year", "year": "year"}


def _offset_range(ref: date, unit: str, low: int, high: int) -> _Range:
    """The unit ``low``..``high`` units away (negative = past); a range when fuzzy."""
    if low == high:
        return _unit_range(_shift(ref, unit, low), unit)
    first = _unit_range(_shift(ref, unit, min(low, high)), unit)
    last = _unit_range(_shift(ref, unit, max(low, high)), unit)
    return _span_range(first.start, last.end, _COARSER[unit])


# --------------------------------------------------------------------------- patterns

_MONTH_ALT = ("january|february|march|april|may|june|july|august|september|october|november|"
              "december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec")
# Only abbreviations ("Sept.", "Dec.") may carry a dot; "in June." must not swallow the full stop.
_MON = rf"(?P<mon>{_MONTH_ALT})\b(?:(?<=\b(?!may)[A-Za-z]{{3}})\.|(?<=\bsept)\.)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_DAYNUM = r"(?P<day>[12]\d|3[01]|0?[1-9])(?P<suf>st|nd|rd|th)?"
# "Sunday, 17 December 2023": the weekday belongs to the date, not a separate mention.
_WD_PREFIX = (r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|"
              r"fri|sat|sun)\.?,?\s+)?")
_WEEKDAY_ALT = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_NUM = (r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|an?|"
        r"(?:a\s+)?couple(?:\s+of)?|(?:a\s+)?few|several")
_UNIT = r"(?P<unit>day|week|month|year)s?"
_CN_NUM = r"[零〇一二两三四五六七八九十]{1,3}|\d{1,2}"
_CN_NUM_CHARS = "零〇一二两三四五六七八九十"
_RELATIONAL_PREPS = {"since", "until", "till", "by", "from", "before", "after", "of", "and",
                     "between", "to", "through", "in", "during", "on", "around", "for", "early",
                     "late", "mid", "last", "this", "next"}
# "on the 5th" is a date only when followed by the end, punctuation or a function word
# ("the 7th source", "the 5th floor" are not).
_AFTER_ORDINAL_DAY = (r"(?:at|and|or|to|in|for|from|until|till|then|when|is|was|we|i|you|he|she|they|it|"
                      r"morning|afternoon|evening|night|of\s+(?:this|next|last|the)\s+month)\b")

_Handler = Callable[[re.Match, str, date], "_Range | None"]
_PATTERNS: list[tuple[re.Pattern, _Handler, tuple[str, ...]]] = []
_DIGITS = tuple("0123456789")
_UNIT_WORDS = ("day", "week", "month", "year")
_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _pattern(regex: str, needs: tuple[str, ...], flags: int = re.IGNORECASE) -> Callable[[_Handler], _Handler]:
    """Register a handler for a precompiled regex. The regex only runs when the lowered
    text contains one of ``needs`` (plain substring tests are far cheaper than a scan)."""
    compiled = re.compile(regex, flags)

    def register(handler: _Handler) -> _Handler:
        _PATTERNS.append((compiled, handler, needs))
        return handler

    return register


def _previous_word(text: str, pos: int) -> str:
    match = _PREV_WORD.search(text, 0, pos)
    return match.group(1).lower() if match else ""


_PREV_WORD = re.compile(r"([A-Za-z]+)[\s,-]*$")


def _month_ok(match: re.Match, text: str, strong: bool) -> bool:
    """Guard against "may"/"march" used as verbs: ambiguous month words need a
    capital letter plus a day/year or a preposition before them, unless ``strong``."""
    word = match.group("mon")
    if word.lower() not in _AMBIGUOUS_MONTHS:
        return True
    if strong:
        return True
    return word[0].isupper() and _previous_word(text, match.start("mon")) in _RELATIONAL_PREPS


# --- English: day words


@_pattern(r"\bthe\s+day\s+(?P<dir>before\s+yesterday|after\s+tomorrow)\b", ("yesterday", "tomorrow"))
def _day_before_after(m: re.Match, text: str, ref: date) -> _Range:
    return _day(ref + timedelta(days=-2 if m.group("dir").lower().startswith("before") else 2))


@_pattern(r"\b(?P<w>yesterday|today|tonight|tomorrow|tmrw|last\s+night|"
          r"this\s+(?:morning|afternoon|evening))\b", ("yesterday", "today", "tonight", "tomorrow", "tmrw", "night", "morning", "afternoon", "evening"))
def _day_word(m: re.Match, text: str, ref: date) -> _Range:
    word = m.group("w").lower()
    if word in ("yesterday",) or word.startswith("last"):
        return _day(ref - timedelta(days=1))
    if word in ("tomorrow", "tmrw"):
        return _day(ref + timedelta(days=1))
    return _day(ref)


# --- English: weekdays


_NOT_A_DATE_BEFORE_WEEKDAY = {
    "easter", "good", "whit", "pentecost", "palm", "ash", "black", "cyber", "super", "holy", "maundy",
    "shrove", "trinity", "giving", "the", "every", "each", "first", "second", "third", "fourth", "fifth",
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "nth"}
_WEEKDAY_RULE_AFTER = re.compile(
    rf"\s+(?:(?:in|of)\s+(?:(?:{_MONTH_ALT})\b|the\s+month|each|every)|(?:after|before)\s+(?-i:[A-Z]))",
    re.IGNORECASE)


@_pattern(r"\b(?:(?P<mod>last|this\s+coming|this\s+past|this|next|coming|past|on)\s+)?"
          r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", ("day",))
def _weekday(m: re.Match, text: str, ref: date) -> _Range | None:
    target = _WEEKDAY_BY_WORD[m.group("wd").lower()]
    mod = " ".join((m.group("mod") or "").lower().split())
    if _WEEKDAY_RULE_AFTER.match(text, m.end()):
        return None  # "Sunday in May", "Monday after Easter": a rule, not a date
    if not mod and _previous_word(text, m.start()) in _NOT_A_DATE_BEFORE_WEEKDAY:
        return None  # "Good Friday", "the second Sunday"
    if mod in ("this", "this coming", "coming"):
        return _day(ref + timedelta(days=(target - ref.weekday()) % 7))
    if mod == "next":
        return _day(_monday(ref) + timedelta(days=7 + target))
    back = (ref.weekday() - target) % 7 or 7
    return _day(ref - timedelta(days=back))


@_pattern(rf"\b(?:on\s+)?(?P<wd>{_WEEKDAY_ALT}),?\s+(?:the\s+)?{_DAYNUM}\b"
          rf"(?!\s*(?:[:.]\d|am\b|pm\b|%|,?\s*(?:of\s+)?(?:{_MONTH_ALT})\b|,?\s*\d)"
          r"|\s+(?:people|persons|times|minutes|hours|days|weeks|of)\b)", ("day",))
def _weekday_day_number(m: re.Match, text: str, ref: date) -> _Range | None:
    """"Friday 16": the nearest month (this, next, previous, ...) whose 16th is a Friday."""
    target, day = _WEEKDAY_BY_WORD[m.group("wd").lower()], int(m.group("day"))
    for offset in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6):
        month_start = date(ref.year, ref.month, 1) + relativedelta(months=offset)
        found = _safe_date(month_start.year, month_start.month, day)
        if found and found.weekday() == target:
            return _day(found)
    return None


# --- English: relative weeks/months/years


@_pattern(r"\b(?P<mod>last|this\s+past|this|next|the\s+following|the\s+previous|the\s+coming)\s+"
          r"(?P<unit>week|weekend|month|year)\b(?!\s+of\b)", _UNIT_WORDS)
def _relative_unit(m: re.Match, text: str, ref: date) -> _Range:
    mod = " ".join(m.group("mod").lower().split())
    offset = {"last": -1, "this past": -1, "the previous": -1, "this": 0}.get(mod, 1)
    unit = m.group("unit").lower()
    if unit == "weekend":
        return _weekend(ref + timedelta(weeks=offset))
    return _unit_range(_shift(ref, unit, offset), unit)


@_pattern(r"\bthe\s+(?P<unit>week|weekend|month|year)\s+(?P<rel>before\s+last|after\s+next)\b", _UNIT_WORDS)
def _two_units_away(m: re.Match, text: str, ref: date) -> _Range:
    offset = -2 if m.group("rel").lower().startswith("before") else 2
    unit = m.group("unit").lower()
    if unit == "weekend":
        return _weekend(ref + timedelta(weeks=offset))
    return _unit_range(_shift(ref, unit, offset), unit)


# "the week before" alone = last week; "the week before the wedding" is event-anchored.
@_pattern(r"\bthe\s+(?P<unit>week|month|year)\s+before\b"
          r"(?!\s+(?:(?:last|next|the|my|our|your|his|her|their|a|an|this|that|i|we|you|he|she|they)\b"
          r"|\d|(?-i:[A-Z])|[\u4e00-\u9fff]))", _UNIT_WORDS)
def _unit_before(m: re.Match, text: str, ref: date) -> _Range:
    unit = m.group("unit").lower()
    return _unit_range(_shift(ref, unit, -1), unit)


@_pattern(rf"\b(?P<n>{_NUM})\s+{_UNIT}\s+ago\b", ("ago",))
def _ago(m: re.Match, text: str, ref: date) -> _Range | None:
    amount = _amount(m.group("n"))
    if amount is None:
        return None
    return _offset_range(ref, m.group("unit").lower(), -amount[0], -amount[1])


@_pattern(rf"\b(?:in\s+(?P<n>{_NUM})\s+{_UNIT}(?:\s+time)?|(?P<n2>{_NUM})\s+(?P<unit2>day|week|month|year)s?\s+from\s+now)\b", _UNIT_WORDS)
def _in_future(m: re.Match, text: str, ref: date) -> _Range | None:
    amount = _amount(m.group("n") or m.group("n2"))
    if amount is None:
        return None
    return _offset_range(ref, (m.group("unit") or m.group("unit2")).lower(), amount[0], amount[1])


@_pattern(rf"\b(?:(?:in|over|during|within)\s+)?the\s+(?:past|last)\s+(?:(?P<n>{_NUM})\s+)?{_UNIT}\b(?!\s+of\b)", ("past", "last"))
def _rolling(m: re.Match, text: str, ref: date) -> _Range | None:
    amount = _amount(m.group("n")) if m.group("n") else (1, 1)
    if amount is None:
        return None
    unit = m.group("unit").lower()
    return _span_range(_shift(ref, unit, -amount[1]), ref, "day" if unit == "day" else unit)


# --- English: seasons


@_pattern(r"\b(?:(?P<mod>last|this|next|past)\s+(?P<s1>spring|summer|fall|autumn|winter)\b"
          r"|(?:the\s+)?(?P<s2>spring|summer|fall|autumn|winter)\s+(?:of\s+)?" + _YEAR + ")", ("spring", "summer", "fall", "autumn", "winter"))
def _season_phrase(m: re.Match, text: str, ref: date) -> _Range:
    if m.group("s2"):
        return _season(m.group("s2").lower(), int(m.group("year")))
    mod = m.group("mod").lower()
    return _season_relative(m.group("s1").lower(), ref, "last" if mod == "past" else mod)


# --- English: absolute dates


@_pattern(rf"\b(?:on\s+)?{_WD_PREFIX}{_MON}\s+{_DAYNUM}(?:\s*,\s*|\s+){_YEAR}", _MONTH_WORDS)
def _month_day_year(m: re.Match, text: str, ref: date) -> _Range | None:
    found = _safe_date(int(m.group("year")), _MONTH_BY_WORD[m.group("mon").lower()], int(m.group("day")))
    return _day(found) if found else None


@_pattern(rf"\b(?:on\s+)?{_WD_PREFIX}(?:the\s+)?{_DAYNUM}\s+(?:of\s+)?{_MON},?\s+{_YEAR}", _MONTH_WORDS)
def _day_month_year(m: re.Match, text: str, ref: date) -> _Range | None:
    found = _safe_date(int(m.group("year")), _MONTH_BY_WORD[m.group("mon").lower()], int(m.group("day")))
    return _day(found) if found else None


@_pattern(rf"\b(?:on\s+)?{_WD_PREFIX}{_MON}\s+(?:the\s+)?{_DAYNUM}\b(?!\s*[:.]\d|\s*(?:am|pm|%)|\s+(?:people|times|minutes|hours|of)\b)", _MONTH_WORDS)
def _month_day(m: re.Match, text: str, ref: date) -> _Range | None:
    if not _month_ok(m, text, strong=bool(m.group("suf")) or m.group("mon")[0].isupper()):
        return None
    found = _safe_date(ref.year, _MONTH_BY_WORD[m.group("mon").lower()], int(m.group("day")))
    return _day(found) if found else None


@_pattern(rf"\b(?:on\s+)?{_WD_PREFIX}(?:the\s+)?{_DAYNUM}\s+(?P<of>of\s+)?{_MON}(?!\w)", _MONTH_WORDS)
def _day_month(m: re.Match, text: str, ref: date) -> _Range | None:
    if not _month_ok(m, text, strong=bool(m.group("suf") or m.group("of")) or m.group("mon")[0].isupper()):
        return None
    found = _safe_date(ref.year, _MONTH_BY_WORD[m.group("mon").lower()], int(m.group("day")))
    return _day(found) if found else None


@_pattern(rf"\b(?:(?:in|during)\s+)?(?:(?:early|late|mid)[\s-]+)?{_MON},?\s+(?:of\s+)?{_YEAR}", _MONTH_WORDS)
def _month_year(m: re.Match, text: str, ref: date) -> _Range:
    return _month(int(m.group("year")), _MONTH_BY_WORD[m.group("mon").lower()])


@_pattern(rf"\b(?:(?:in|during)\s+|(?P<mod>last|this|next)\s+)?(?:(?:early|late|mid)[\s-]+)?{_MON}(?!\w)", _MONTH_WORDS)
def _bare_month(m: re.Match, text: str, ref: date) -> _Range | None:
    word = m.group("mon")
    lower = word.lower()
    has_context = m.start("mon") > m.start() or _previous_word(text, m.start()) in _RELATIONAL_PREPS
    if lower in _AMBIGUOUS_MONTHS and not (word[0].isupper() and has_context):
        return None
    month = _MONTH_BY_WORD[lower]
    mod = (m.group("mod") or "").lower()
    year = ref.year
    if mod == "last":
        year = ref.year if month < ref.month else ref.year - 1
    elif mod == "next":
        year = ref.year if month > ref.month else ref.year + 1
    return _month(year, month)


@_pattern(r"(?<![\d/.-])(?P<year>(?:19|20)\d{2})[-/.](?P<month>1[0-2]|0?[1-9])[-/.](?P<day>[12]\d|3[01]|0?[1-9])(?!\d)", _DIGITS)
def _iso_date(m: re.Match, text: str, ref: date) -> _Range | None:
    found = _safe_date(int(m.group("year")), int(m.group("month")), int(m.group("day")))
    return _day(found) if found else None


@_pattern(r"(?<![\d/.-])(?P<year>(?:19|20)\d{2})-(?P<month>1[0-2]|0[1-9])(?![\d/.-])", _DIGITS)
def _iso_month(m: re.Match, text: str, ref: date) -> _Range:
    return _month(int(m.group("year")), int(m.group("month")))


@_pattern(rf"\b(?:(?P<prep>in|during|around)\s+)?{_YEAR}(?![\d/.:-]|\s*年)", _DIGITS)
def _year_number(m: re.Match, text: str, ref: date) -> _Range | None:
    # A bare number like "2022 photos" is not a year: require a preposition.
    if not m.group("prep") and _previous_word(text, m.start()) not in _RELATIONAL_PREPS:
        return None
    return _year(int(m.group("year")))


@_pattern(rf"\b(?:on\s+)?the\s+{_DAYNUM}\b(?=\s*(?:$|[^\w\s]|{_AFTER_ORDINAL_DAY}))", _DIGITS)
def _day_of_month(m: re.Match, text: str, ref: date) -> _Range | None:
    if not m.group("suf"):
        return None
    if not m.group(0).lower().startswith("on") and _previous_word(text, m.start()) not in _RELATIONAL_PREPS:
        return None
    found = _safe_date(ref.year, ref.month, int(m.group("day")))
    return _day(found) if found else None


# --- Chinese


@_pattern(r"大前天|大后天|(?<![以之然最])前天|(?<![以之然最])后天|昨天|昨日|昨晚|今天|今日|今晚|今早|明天|明日|明晚|明早", ("天", "日", "晚", "早"), 0)
def _cn_day_word(m: re.Match, text: str, ref: date) -> _Range:
    return _day(ref + timedelta(days=_CN_DAY_OFFSET[m.group(0)]))


@_pattern(r"(?<!每)(?P<mod>上上|上|这|本|下下|下)?(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日末]|天(?!气))", ("周", "期", "拜"), 0)
def _cn_weekday(m: re.Match, text: str, ref: date) -> _Range | None:
    mod, wd = m.group("mod"), m.group("wd")
    if mod is None:
        if wd == "末":
            return None  # bare 周末 is as often future as past
        target = _CN_WEEKDAY[wd]
        return _day(ref - timedelta(days=(ref.weekday() - target) % 7 or 7))
    week_monday = _monday(ref) + timedelta(weeks=_CN_OFFSET[mod])
    if wd == "末":
        return _weekend(week_monday)
    return _day(week_monday + timedelta(days=_CN_WEEKDAY[wd]))


@_pattern(r"(?<!每)(?P<mod>上上|上|这|本|下下|下)(?:个)?(?:周|星期|礼拜)(?![一二三四五六日末围]|天(?!气))", ("周", "期", "拜"), 0)
def _cn_week(m: re.Match, text: str, ref: date) -> _Range:
    return _week(ref + timedelta(weeks=_CN_OFFSET[m.group("mod")]))


@_pattern(r"(?P<mod>上上|上|这|本|下下|下)个?月(?!份?\d)", ("月",), 0)
def _cn_month_relative(m: re.Match, text: str, ref: date) -> _Range:
    shifted = ref + relativedelta(months=_CN_OFFSET[m.group("mod")])
    return _month(shifted.year, shifted.month)


@_pattern(r"(?<![以之从然最])(?P<y>大前年|大后年|前年|去年|今年|明年|后年)(?:的)?(?:(?P<season>[春夏秋冬])(?:天|季))?", ("年",), 0)
def _cn_year_relative(m: re.Match, text: str, ref: date) -> _Range:
    year = ref.year + _CN_YEAR_OFFSET[m.group("y")]
    if m.group("season"):
        return _season(_CN_SEASON[m.group("season")], year)
    return _year(year)


@_pattern(rf"(?<![\d{_CN_NUM_CHARS}])(?P<n>{_CN_NUM}|几)\s*(?P<unit>个月|个?(?:天|日|周|星期|礼拜|年))(?P<dir>之前|以前|前|之后|以后|后)", ("前", "后"), 0)
def _cn_ago(m: re.Match, text: str, ref: date) -> _Range | None:
    amount = _FUZZY["几"] if m.group("n") == "几" else None
    if amount is None:
        n = _cn_number(m.group("n"))
        if n is None:
            return None
        amount = (n, n)
    unit_word = m.group("unit").lstrip("个")
    unit = {"天": "day", "日": "day", "月": "month", "年": "year"}.get(unit_word, "week")
    sign = -1 if "前" in m.group("dir") else 1
    return _offset_range(ref, unit, sign * amount[0], sign * amount[1])


@_pattern(rf"(?P<year>\d{{4}})年(?:(?P<month>{_CN_NUM})月(?:份)?(?:(?P<day>{_CN_NUM})[日号])?|(?:的)?(?P<season>[春夏秋冬])(?:天|季))?", ("年",), 0)
def _cn_absolute(m: re.Match, text: str, ref: date) -> _Range | None:
    return _cn_date(int(m.group("year")), m, ref)


@_pattern(rf"(?<![\d{_CN_NUM_CHARS}年个])(?P<month>{_CN_NUM})月(?:份)?(?:(?P<day>{_CN_NUM})[日号])?", ("月",), 0)
def _cn_month_day(m: re.Match, text: str, ref: date) -> _Range | None:
    return _cn_date(ref.year, m, ref)


@_pattern(rf"(?<![\d{_CN_NUM_CHARS}月])(?P<day>{_CN_NUM})号(?![线楼房门床位机车码室院人])", ("号",), 0)
def _cn_day_of_month(m: re.Match, text: str, ref: date) -> _Range | None:
    day = _cn_number(m.group("day"))
    found = _safe_date(ref.year, ref.month, day) if day else None
    return _day(found) if found else None


def _cn_date(year: int, m: re.Match, ref: date) -> _Range | None:
    groups = m.groupdict()
    if groups.get("season"):
        return _season(_CN_SEASON[groups["season"]], year)
    if not groups.get("month"):
        return _year(year)
    month = _cn_number(groups["month"])
    if month is None or not 1 <= month <= 12:
        return None
    if not groups.get("day"):
        return _month(year, month)
    day = _cn_number(groups["day"])
    found = _safe_date(year, month, day) if day else None
    return _day(found) if found else None


# Cheap pre-check: every pattern above needs a digit, one of these CJK characters or one
# of these English substrings. A character class plus plain ``in`` tests is ~10x faster
# than one big case-insensitive alternation.
_TRIGGER_CHARS = re.compile(r"[\d天日周月年期拜号晚早]")
_TRIGGER_WORDS = ("day", "week", "month", "year", "night", "tonight", "tomorrow", "tmrw", "morning",
                  "afternoon", "evening", "spring", "summer", "fall", "autumn", "winter", "jan", "feb",
                  "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _may_contain_time(text: str) -> bool:
    if _TRIGGER_CHARS.search(text):
        return True
    lowered = text.lower()
    return any(word in lowered for word in _TRIGGER_WORDS)


# --------------------------------------------------------------------------- index time


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
    year -> ``[2023]``; season -> ``[summer 2022, June to August 2022]``. Weekday and month
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


# --------------------------------------------------------------------------- query time

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


def is_temporal_question(question: str) -> bool:
    """True when the question asks for a date or time ("when", "what date", 什么时候, 几号...)."""
    return _TEMPORAL_QUESTION.search(question) is not None
