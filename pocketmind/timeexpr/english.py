"""English time expressions: day words ("yesterday", "the day after tomorrow"),
weekdays ("last Saturday", "Friday 16"), relative units ("next week", "two months ago",
"the past 3 days"), seasons and absolute dates ("May 7, 2023", "7th of May", "in March",
2023-05-07, "in 2022", "on the 5th"), with the guards that keep "may"/"march" as verbs,
holiday names and bare numbers from counting as dates. Rules register in file order."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from .ranges import (
    _FUZZY,
    _MONTH_NAMES,
    _WEEKDAY_NAMES,
    _day,
    _month,
    _monday,
    _offset_range,
    _Range,
    _safe_date,
    _season,
    _season_relative,
    _shift,
    _span_range,
    _unit_range,
    _weekend,
    _year,
)
from .rules import _pattern

_MONTH_BY_WORD = {name.lower(): i for i, name in enumerate(_MONTH_NAMES) if name}
_MONTH_BY_WORD.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                       "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
# Month words that are also common English words: need capitalisation and context.
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan", "dec", "oct", "aug", "sep", "sept", "jun",
                     "jul", "apr", "feb", "nov"}
_WEEKDAY_BY_WORD = {name.lower(): i for i, name in enumerate(_WEEKDAY_NAMES)}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1}


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
_RELATIONAL_PREPS = {"since", "until", "till", "by", "from", "before", "after", "of", "and",
                     "between", "to", "through", "in", "during", "on", "around", "for", "early",
                     "late", "mid", "last", "this", "next"}
# "on the 5th" is a date only when followed by the end, punctuation or a function word
# ("the 7th source", "the 5th floor" are not).
_AFTER_ORDINAL_DAY = (r"(?:at|and|or|to|in|for|from|until|till|then|when|is|was|we|i|you|he|she|they|it|"
                      r"morning|afternoon|evening|night|of\s+(?:this|next|last|the)\s+month)\b")

_DIGITS = tuple("0123456789")
_UNIT_WORDS = ("day", "week", "month", "year")
_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


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


# "last Tues", "next Fri": a short weekday only after last/next ("sat", "sun" and "wed" alone are words)
WEEKDAY_SHORT = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}


@_pattern(r"\b(?P<mod>last|this\s+past|next|this\s+coming)\s+(?P<wd>mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b",
          ("last", "next"))
def _weekday_short(m: re.Match, text: str, ref: date) -> _Range:
    target = WEEKDAY_SHORT[m.group("wd").lower()]
    mod = " ".join(m.group("mod").lower().split())
    if mod == "this coming":
        return _day(ref + timedelta(days=(target - ref.weekday()) % 7))
    if mod == "next":
        return _day(_monday(ref) + timedelta(days=7 + target))
    return _day(ref - timedelta(days=(ref.weekday() - target) % 7 or 7))


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


@_pattern(rf"\b(?:from\s+)?(?P<first>{_MONTH_ALT})\b\.?\s*(?:-|–|to|through|until|till)\s*{_MON},?\s+{_YEAR}", _MONTH_WORDS)
def _month_range_year(m: re.Match, text: str, ref: date) -> _Range:
    """"Jan - March 2022", "November to February 2023" (from November 2022): the months between."""
    first, last, year = _MONTH_BY_WORD[m.group("first").lower()], _MONTH_BY_WORD[m.group("mon").lower()], int(m.group("year"))
    start, end = _month(year - (first > last), first), _month(year, last)
    label = (f"{_MONTH_NAMES[first]} to {_MONTH_NAMES[last]} {year}" if first <= last
             else f"{_MONTH_NAMES[first]} {year - 1} to {_MONTH_NAMES[last]} {year}")
    return _Range(start.start, end.end, "month", label)


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
