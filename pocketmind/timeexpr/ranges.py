"""Public result types and the date arithmetic behind them: :class:`TimeMention` and
:class:`QueryTime`, the shared vocabulary (weekday, month and season names, fuzzy
amounts) and the ``_Range`` helpers that turn a day, week, month, season or offset
into an inclusive date range with a granularity and a label."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

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
    clock: str = ""  # time of day on a one-day mention: "15:00", or a part of the day ("evening")
    name: str = ""  # the holiday it names, in English: "Mid-Autumn Festival"

    @property
    def annotation(self) -> str:
        """Text put in brackets by :func:`annotate` (see its docstring for the format)."""
        prefix = f"{self.name}, " if self.name else ""
        if self.granularity == "day" and self.start == self.end:
            d = self.start
            clock = f" {self.clock}" if self.clock else ""
            return f"{prefix}{_WEEKDAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month]} {d.year}, {d.isoformat()}{clock}"
        if self.granularity in ("month", "year"):
            return prefix + self.label
        if self.granularity == "season":
            return f"{self.label}, {_range_text(self.start, self.end, months_only=True)}"
        if self.label.startswith("weekend"):
            prefix = "weekend "
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
_SEASON_START_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_FUZZY = {"few": (2, 5), "several": (2, 5), "couple": (2, 3), "几": (2, 5)}


# --------------------------------------------------------------------------- date helpers


class _Range(NamedTuple):
    start: date
    end: date
    granularity: str
    label: str
    clock: str = ""
    name: str = ""


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
