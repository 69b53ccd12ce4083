"""Chinese festivals by name (春节, 中秋节, 国庆, 清明...) and lunar dates (农历八月十五,
正月初三, 腊月二十三), resolved to solar dates. Lunar dates and the Qingming solar term come
from ``lunar_python`` (MIT, pure Python, offline tables), imported on first use.

Conventions:

* A festival without a year is the one in the reference year, as a month without a year is
  (中秋节 written in March 2024 = 17 September 2024); 去年国庆, 2025年春节, 明年中秋 name it.
* 春节/过年 is the holiday week 除夕..正月初六; 国庆 is 1-7 October; 五一/劳动节 1-5 May;
  other festivals are their day. Western ones as Chinese writes them too: 复活节 (Easter
  Sunday, by ``dateutil.easter``), 母亲节, 父亲节, 感恩节 (US), 情人节, 万圣节. …前后 ("around") widens the range by a week each side.
* The Chinese festivals also by their English names ("Chinese New Year", "the Mid-Autumn
  Festival 2024", "last Dragon Boat Festival" = the one of the year before), so an English
  question finds Chinese memos by the festival. National Day and Labour Day are left out in
  English: other countries have their own.
* A lunar date is read as lunar only when it says so: 农历/阴历 before it, a lunar month
  name (正月, 冬月, 腊月) or a lunar day (初三, 廿五). 八月十五 alone stays August.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Callable

from dateutil.easter import easter

from . import chinese  # noqa: F401  (the other Chinese rules register first)
from .chinese import _CN_NUM, _CN_TIME_TAIL, _CN_YEAR, _CN_YEAR_OFFSET, _cn_number, _cn_year_number, _with_clock
from .ranges import _day, _Range, _span_range
from .rules import _pattern

# name -> (English name, lunar?, month, day, length in days, days before the day it starts)
_FESTIVALS: dict[str, tuple[str, bool, int, int, int, int]] = {
    "春节": ("Spring Festival", True, 1, 1, 7, 1),
    "过年": ("Spring Festival", True, 1, 1, 7, 1),
    "大年初一": ("Spring Festival", True, 1, 1, 1, 0),
    "除夕": ("Chinese New Year's Eve", True, 1, 1, 1, 1),
    "大年三十": ("Chinese New Year's Eve", True, 1, 1, 1, 1),
    "元宵节": ("Lantern Festival", True, 1, 15, 1, 0),
    "元宵": ("Lantern Festival", True, 1, 15, 1, 0),
    "端午节": ("Dragon Boat Festival", True, 5, 5, 1, 0),
    "端午": ("Dragon Boat Festival", True, 5, 5, 1, 0),
    "七夕": ("Qixi Festival", True, 7, 7, 1, 0),
    "中秋节": ("Mid-Autumn Festival", True, 8, 15, 1, 0),
    "中秋": ("Mid-Autumn Festival", True, 8, 15, 1, 0),
    "重阳节": ("Double Ninth Festival", True, 9, 9, 1, 0),
    "重阳": ("Double Ninth Festival", True, 9, 9, 1, 0),
    "腊八节": ("Laba Festival", True, 12, 8, 1, 0),
    "腊八": ("Laba Festival", True, 12, 8, 1, 0),
    "元旦": ("New Year's Day", False, 1, 1, 1, 0),
    "情人节": ("Valentine's Day", False, 2, 14, 1, 0),
    "妇女节": ("Women's Day", False, 3, 8, 1, 0),
    "劳动节": ("Labour Day holiday", False, 5, 1, 5, 0),
    "五一": ("Labour Day holiday", False, 5, 1, 5, 0),
    "儿童节": ("Children's Day", False, 6, 1, 1, 0),
    "教师节": ("Teachers' Day", False, 9, 10, 1, 0),
    "国庆节": ("National Day holiday", False, 10, 1, 7, 0),
    "国庆": ("National Day holiday", False, 10, 1, 7, 0),
    "双十一": ("Singles' Day", False, 11, 11, 1, 0),
    "圣诞节": ("Christmas", False, 12, 25, 1, 0),
    "圣诞": ("Christmas", False, 12, 25, 1, 0),
    "平安夜": ("Christmas Eve", False, 12, 24, 1, 0),
}
# Festivals whose day moves with the year, by the rule that sets it (Western ones, as Chinese writes them).
_MOVABLE: dict[str, tuple[str, Callable[[int], date]]] = {
    "复活节": ("Easter Sunday", lambda year: easter(year)),
    "母亲节": ("Mother's Day", lambda year: _nth_weekday(year, 5, 6, 2)),  # second Sunday of May
    "父亲节": ("Father's Day", lambda year: _nth_weekday(year, 6, 6, 3)),  # third Sunday of June
    "感恩节": ("Thanksgiving", lambda year: _nth_weekday(year, 11, 3, 4)),  # fourth Thursday of November (US)
}
_FIXED_WESTERN = {"情人节": ("Valentine's Day", 2, 14), "万圣节": ("Halloween", 10, 31)}
_QINGMING = ("清明节", "清明")
_CN_NUMERAL = r"\d零〇一二两三四五六七八九十"
# Names that are also parts of other words: 清明上河图, 五一路 / 五一广场, 度过年轻时.
_GUARDS = {"清明": "清明(?!上河)", "五一": rf"(?<![{_CN_NUMERAL}])五一(?![{_CN_NUMERAL}路号广])",
           "过年": "(?<![度经通渡难越跨超错])过年(?![轻龄纪级份度])"}
_NAMES = "|".join(_GUARDS.get(name, name) for name in sorted([*_FESTIVALS, *_QINGMING, *_MOVABLE, *_FIXED_WESTERN],
                                                                key=len, reverse=True))
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}
_AROUND_DAYS = 7


def _lunar_to_solar(year: int, month: int, day: int) -> date | None:
    """The solar date of lunar ``month``/``day`` that falls in solar ``year`` (lunar year
    ``year``, or the one before for a late 冬月/腊月 date), or None if no such day."""
    from lunar_python import Lunar  # imported on first use: most text names no lunar date

    found = []
    for lunar_year in (year, year - 1):
        try:
            solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
        except Exception:  # lunar_python raises a bare Exception for a day the month lacks
            continue
        found.append(date(solar.getYear(), solar.getMonth(), solar.getDay()))
    in_year = [d for d in found if d.year == year]
    return in_year[0] if in_year else None


def _qingming(year: int) -> date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday 0) of ``month``."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _festival(name: str, year: int) -> _Range | None:
    if name in _QINGMING:
        return _day(_qingming(year))._replace(name="Qingming Festival")
    if name in _MOVABLE:
        english, rule = _MOVABLE[name]
        return _day(rule(year))._replace(name=english)
    if name in _FIXED_WESTERN:
        english, month, day = _FIXED_WESTERN[name]
        return _day(date(year, month, day))._replace(name=english)
    english, lunar, month, day, length, before = _FESTIVALS[name]
    first = _lunar_to_solar(year, month, day) if lunar else date(year, month, day)
    if first is None:
        return None
    first -= timedelta(days=before)
    if length == 1:
        return _day(first)._replace(name=english)
    return _span_range(first, first + timedelta(days=length - 1), "week")._replace(
        label=f"{english} {year}", name=english)


@_pattern(rf"(?:(?P<year>{_CN_YEAR})年|(?P<rel>大前年|前年|去年|今年|明年|后年|大后年))?(?:的)?"
          rf"(?P<name>{_NAMES})(?P<around>前后)?(?:假期|期间|小长假|长假)?" + _CN_TIME_TAIL,
          ("节", "年", "夕", "宵", "午", "秋", "庆", "腊", "旦", "明", "五一", "阳", "诞", "夜"), 0)
def _cn_festival(m: re.Match, text: str, ref: date) -> _Range | None:
    if m.group("year"):
        year = _cn_year_number(m.group("year"))
    else:
        year = ref.year + _CN_YEAR_OFFSET.get(m.group("rel") or "今年", 0)
    found = _festival(m.group("name"), year)
    if found is None:
        return None
    if m.group("around"):
        return _span_range(found.start - timedelta(days=_AROUND_DAYS), found.end + timedelta(days=_AROUND_DAYS),
                           "week")._replace(label=f"around {found.name} {year}", name=found.name)
    return _with_clock(found, m)


_ENGLISH = {
    "chinese new year's eve": "除夕", "lunar new year's eve": "除夕", "chinese new year": "春节",
    "lunar new year": "春节", "spring festival": "春节", "lantern festival": "元宵节",
    "qingming festival": "清明节", "qingming": "清明节", "tomb-sweeping day": "清明节", "tomb sweeping day": "清明节",
    "dragon boat festival": "端午节", "qixi festival": "七夕", "mid-autumn festival": "中秋节",
    "mid autumn festival": "中秋节", "moon festival": "中秋节", "double ninth festival": "重阳节",
}
_ENGLISH_NAMES = "|".join(re.escape(name) for name in sorted(_ENGLISH, key=len, reverse=True))
_ENGLISH_YEAR_OFFSET = {"last": -1, "this": 0, "next": 1}


@_pattern(rf"\b(?:(?P<mod>last|this|next)\s+|the\s+)?(?P<name>{_ENGLISH_NAMES})\b(?:,?\s+(?:of\s+)?(?P<year>(?:19|20)\d{{2}})\b)?",
          ("festival", "new year", "qingming", "tomb", "qixi"), re.IGNORECASE)
def _english_festival(m: re.Match, text: str, ref: date) -> _Range | None:
    year = int(m.group("year")) if m.group("year") else _only_year(text)
    if year is None:
        year = ref.year + _ENGLISH_YEAR_OFFSET.get((m.group("mod") or "this").lower(), 0)
    return _festival(_ENGLISH[m.group("name").lower()], year)


_LUNAR_DAY = r"初[一二三四五六七八九十]|廿[一二三四五六七八九]|二十[一二三四五六七八九]?|三十|十[一二三四五六七八九]?|[一二三四五六七八九]"


@_pattern(rf"(?P<lunar>农历|阴历)?\s*(?P<month>[正冬腊]|{_CN_NUM})月(?P<day>{_LUNAR_DAY})(?![日号\d])" + _CN_TIME_TAIL,
          ("月",), 0)
def _cn_lunar_date(m: re.Match, text: str, ref: date) -> _Range | None:
    month_word, day_word = m.group("month"), m.group("day")
    if not (m.group("lunar") or month_word in _LUNAR_MONTHS or day_word[0] in "初廿"):
        return None  # 八月十五 alone: not said to be lunar
    month = _LUNAR_MONTHS.get(month_word) or _cn_number(month_word)
    if day_word[0] in "初廿":
        day = (20 if day_word[0] == "廿" else 0) + (_cn_number(day_word[1:]) or 0)
    else:
        day = _cn_number(day_word)
    if not month or not 1 <= month <= 12 or not day or day > 30:
        return None
    found = _lunar_to_solar(ref.year, month, day)
    return _with_clock(_day(found), m) if found else None


def _only_year(text: str) -> int | None:
    """The one year a sentence names elsewhere ("the Dragon Boat Festival holiday in China in 2025")."""
    years = set(re.findall(r"\b(?:19|20)\d{2}\b", text))
    return int(years.pop()) if len(years) == 1 else None


_NAMED = re.compile(rf"{_NAMES}|\b(?:{_ENGLISH_NAMES})\b", re.IGNORECASE)


def names_a_festival(phrase: str) -> bool:
    """Whether a time phrase is a festival's name (then it is also what a question is about)."""
    return _NAMED.search(phrase) is not None
