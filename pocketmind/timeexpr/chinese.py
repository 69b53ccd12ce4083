"""Chinese time expressions: 昨天/前天/明晚, 上周六/下个礼拜/周末, 上个月, 去年/前年冬天,
三天前/两个月后/几年前, 2023年5月7日 (二〇二三年五月七日), 10月, 5号, parts of a month or
year (下个月初, 月底, 3月中旬, 去年年底), plus the simple Chinese numerals (十五, 二十三, 两)
they use. A one-day date keeps the weekday and clock time written after it, as phone apps
write them ("2024年04月01日 周一 08:30", 明天晚上8点半): they become the mention's
``clock``; a clock time alone (下午3点) is not a date. Patterns are case-sensitive (flags 0)
and register after the English ones; importing :mod:`.english` first below makes that order
hold however the package imports its modules.

Parts of a month follow 上旬/中旬/下旬: 月初 = days 1-10, 中旬 = 11-20, 月底/月末 = 21 to the
end. Parts of a year: 年初 = January-February, 年底/年末 = November-December."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from . import english  # noqa: F401  (English rules must register before the Chinese ones)
from .ranges import (
    _FUZZY,
    _day,
    _monday,
    _month,
    _offset_range,
    _Range,
    _safe_date,
    _season,
    _span_range,
    _week,
    _weekend,
    _year,
)
from .rules import _pattern

_CN_SEASON = {"春": "spring", "夏": "summer", "秋": "fall", "冬": "winter"}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CN_OFFSET = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_CN_YEAR_OFFSET = {"大前年": -3, "前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2, "大后年": 3}
_CN_DAY_OFFSET = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "昨晚": -1, "今天": 0,
                  "今日": 0, "今晚": 0, "今早": 0, "明天": 1, "明日": 1, "明晚": 1, "明早": 1,
                  "后天": 2, "大后天": 3}
_CN_NUM = r"[零〇一二两三四五六七八九十]{1,3}|\d{1,2}"
_CN_NUM_CHARS = "零〇一二两三四五六七八九十"
_CN_YEAR = r"\d{4}|[〇零一二三四五六七八九]{4}"  # 2024, 二〇二四

# A clock time after a one-day date: 08:30, 下午3点, 晚上8点半, 十点一刻, 9点45分, 凌晨.
_CN_CLOCK = (rf"(?P<hour>\d{{1,2}})[:：](?P<minute>[0-5]\d)"
             rf"|(?P<cnhour>{_CN_NUM})点(?:钟)?(?P<cnminute>半|一刻|三刻|零?(?:{_CN_NUM})分?)?")
_CN_PERIODS = {"凌晨": "early morning", "清晨": "morning", "早上": "morning", "早晨": "morning",
               "上午": "morning", "中午": "noon", "下午": "afternoon", "傍晚": "evening",
               "晚上": "evening", "夜里": "night", "半夜": "night", "深夜": "night"}
_CN_PERIOD = "|".join(_CN_PERIODS)
_CN_TIME_TAIL = rf"(?:\s*(?:(?P<period>{_CN_PERIOD})\s*)?(?:{_CN_CLOCK})|\s*(?P<bare_period>{_CN_PERIOD}))?"
# "2024年04月01日 周一", "4月1日（星期一）": a weekday written next to a full date belongs to it.
_CN_WEEKDAY_TAIL = r"(?:\s*[（(]?(?:周|星期|礼拜)[一二三四五六日天][）)]?)?"
_CN_MONTH_PART = r"(?P<part>上旬|中旬|下旬|初|底|末)"
_CN_YEAR_PART = {"初": (1, 2), "底": (11, 12), "末": (11, 12)}


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


def _cn_year_number(text: str) -> int:
    """2024 or 二〇二四 (digit by digit, as years are read)."""
    return int(text) if text.isdigit() else int("".join(str(_CN_DIGITS[c]) for c in text))


def _clock(m: re.Match, implied_period: str | None = None) -> str:
    """The clock time a match's tail states, 24-hour "15:00", else the part of the day
    in English ("afternoon"), else ""."""
    groups = m.groupdict()
    period = groups.get("period") or groups.get("bare_period") or implied_period
    if groups.get("hour"):
        hour, minute = int(groups["hour"]), int(groups["minute"])
    elif groups.get("cnhour"):
        hour = _cn_number(groups["cnhour"])
        words = groups.get("cnminute") or ""
        minute = {"半": 30, "一刻": 15, "三刻": 45, "": 0}.get(words)
        if minute is None:
            minute = _cn_number(words.lstrip("零").rstrip("分"))
        if hour is None or minute is None:
            return _CN_PERIODS.get(period or "", "")
    else:
        return _CN_PERIODS.get(period or "", "")
    if period in ("下午", "傍晚", "晚上") and hour < 12 or period == "中午" and hour < 11:
        hour += 12
    elif period in ("夜里", "半夜", "深夜") and 6 <= hour < 12:
        hour += 12
    elif period in ("晚上", "夜里", "半夜", "深夜", "凌晨") and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        return _CN_PERIODS.get(period or "", "")
    return f"{hour % 24:02d}:{minute:02d}"


def _with_clock(found: _Range | None, m: re.Match, implied_period: str | None = None) -> _Range | None:
    """``found`` with the clock time written after it, when it is one day."""
    if found is None or found.start != found.end:
        return found
    return found._replace(clock=_clock(m, implied_period))


def _month_part(year: int, month: int, part: str) -> _Range:
    """上旬/月初 = days 1-10, 中旬 = 11-20, 下旬/月底/月末 = 21 to the month's end."""
    whole = _month(year, month)
    if part in ("初", "上旬"):
        return _span_range(whole.start, whole.start + timedelta(days=9), "week")
    if part == "中旬":
        return _span_range(whole.start + timedelta(days=10), whole.start + timedelta(days=19), "week")
    return _span_range(whole.start + timedelta(days=20), whole.end, "week")


def _year_part(year: int, part: str) -> _Range:
    """年初 = January-February, 年底/年末 = November-December."""
    first, last = _CN_YEAR_PART[part]
    return _span_range(_month(year, first).start, _month(year, last).end, "month")


_DAY_WORD_PERIOD = {"晚": "晚上", "早": "早上"}


@_pattern(r"(?:大前天|大后天|(?<![以之然最])前天|(?<![以之然最])后天|昨天|昨日|昨晚|今天|今日|今晚|今早|明天|明日|明晚|明早)"
          + _CN_TIME_TAIL, ("天", "日", "晚", "早"), 0)
def _cn_day_word(m: re.Match, text: str, ref: date) -> _Range:
    word = m.group(0)[:3] if m.group(0).startswith("大") else m.group(0)[:2]
    found = _day(ref + timedelta(days=_CN_DAY_OFFSET[word]))
    return _with_clock(found, m, _DAY_WORD_PERIOD.get(word[-1]))


@_pattern(r"(?<!每)(?P<mod>上上|上|这|本|下下|下)?(?:个)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日末]|天(?!气))" + _CN_TIME_TAIL, ("周", "期", "拜"), 0)
def _cn_weekday(m: re.Match, text: str, ref: date) -> _Range | None:
    mod, wd = m.group("mod"), m.group("wd")
    if mod is None:
        if wd == "末":
            return None  # bare 周末 is as often future as past
        target = _CN_WEEKDAY[wd]
        return _with_clock(_day(ref - timedelta(days=(ref.weekday() - target) % 7 or 7)), m)
    week_monday = _monday(ref) + timedelta(weeks=_CN_OFFSET[mod])
    if wd == "末":
        return _weekend(week_monday)
    return _with_clock(_day(week_monday + timedelta(days=_CN_WEEKDAY[wd])), m)


@_pattern(r"(?<!每)(?P<mod>上上|上|这|本|下下|下)(?:个)?(?:周|星期|礼拜)(?![一二三四五六日末围]|天(?!气))", ("周", "期", "拜"), 0)
def _cn_week(m: re.Match, text: str, ref: date) -> _Range:
    return _week(ref + timedelta(weeks=_CN_OFFSET[m.group("mod")]))


@_pattern(rf"(?P<mod>上上|上|这|本|下下|下)个?月(?:{_CN_MONTH_PART}|(?P<day>{_CN_NUM})[日号]{_CN_TIME_TAIL}|(?!份?\d))",
          ("月",), 0)
def _cn_month_relative(m: re.Match, text: str, ref: date) -> _Range | None:
    shifted = ref + relativedelta(months=_CN_OFFSET[m.group("mod")])
    if m.group("part"):
        return _month_part(shifted.year, shifted.month, m.group("part"))
    if m.group("day"):  # 下个月十六号
        day = _cn_number(m.group("day"))
        found = _safe_date(shifted.year, shifted.month, day) if day else None
        return _with_clock(_day(found), m) if found else None
    return _month(shifted.year, shifted.month)


@_pattern(rf"(?<![\d{_CN_NUM_CHARS}岁日明满蜜正腊冬个上下这本])月{_CN_MONTH_PART}", ("月",), 0)
def _cn_bare_month_part(m: re.Match, text: str, ref: date) -> _Range:
    """月底, 月初: of the reference month."""
    return _month_part(ref.year, ref.month, m.group("part"))


@_pattern(r"(?<![\d〇零一二两三四五六七八九十去今明前后往每同当新跨过大年])年(?P<ypart>[初底末])", ("年",), 0)
def _cn_bare_year_part(m: re.Match, text: str, ref: date) -> _Range:
    """年初, 年底: of the reference year."""
    return _year_part(ref.year, m.group("ypart"))


@_pattern(r"(?<![以之从然最])(?P<y>大前年|大后年|前年|去年|今年|明年|后年)(?:的)?"
          r"(?:(?P<season>[春夏秋冬])(?:天|季)|年?(?P<ypart>[初底末]))?", ("年",), 0)
def _cn_year_relative(m: re.Match, text: str, ref: date) -> _Range:
    year = ref.year + _CN_YEAR_OFFSET[m.group("y")]
    if m.group("season"):
        return _season(_CN_SEASON[m.group("season")], year)
    if m.group("ypart"):
        return _year_part(year, m.group("ypart"))
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


_CN_MONTH_DAY = (rf"(?P<month>{_CN_NUM})月(?:份)?(?:(?P<day>{_CN_NUM})[日号]{_CN_WEEKDAY_TAIL}{_CN_TIME_TAIL}"
                 rf"|{_CN_MONTH_PART})?")


@_pattern(rf"(?<!\d)(?P<year>{_CN_YEAR})年(?:{_CN_MONTH_DAY}|(?:的)?(?P<season>[春夏秋冬])(?:天|季)|(?P<ypart>[初底末]))?",
          ("年",), 0)
def _cn_absolute(m: re.Match, text: str, ref: date) -> _Range | None:
    return _cn_date(_cn_year_number(m.group("year")), m, ref)


@_pattern(rf"(?<![\d{_CN_NUM_CHARS}年个])" + _CN_MONTH_DAY, ("月",), 0)
def _cn_month_day(m: re.Match, text: str, ref: date) -> _Range | None:
    return _cn_date(ref.year, m, ref)


@_pattern(rf"(?<![\d{_CN_NUM_CHARS}月])(?P<day>{_CN_NUM})号(?![线楼房门床位机车码室院人]){_CN_TIME_TAIL}", ("号",), 0)
def _cn_day_of_month(m: re.Match, text: str, ref: date) -> _Range | None:
    day = _cn_number(m.group("day"))
    found = _safe_date(ref.year, ref.month, day) if day else None
    return _with_clock(_day(found), m) if found else None


def _cn_date(year: int, m: re.Match, ref: date) -> _Range | None:
    groups = m.groupdict()
    if groups.get("season"):
        return _season(_CN_SEASON[groups["season"]], year)
    if groups.get("ypart"):
        return _year_part(year, groups["ypart"])
    if not groups.get("month"):
        return _year(year)
    month = _cn_number(groups["month"])
    if month is None or not 1 <= month <= 12:
        return None
    if groups.get("part"):
        return _month_part(year, month, groups["part"])
    if not groups.get("day"):
        return _month(year, month)
    day = _cn_number(groups["day"])
    found = _safe_date(year, month, day) if day else None
    return _with_clock(_day(found), m) if found else None
