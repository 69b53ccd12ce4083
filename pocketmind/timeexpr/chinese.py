"""Chinese time expressions: 昨天/前天/明晚, 上周六/下个礼拜/周末, 上个月, 去年/前年冬天,
三天前/两个月后/几年前, 2023年5月7日, 10月, 5号, plus the simple Chinese numerals
(十五, 二十三, 两) they use. Patterns are case-sensitive (flags 0) and register after the
English ones; importing :mod:`.english` first below makes that order hold however the
package imports its modules."""

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
