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
* Chinese festivals by name (春节, 中秋节, 国庆...) and lunar dates (农历八月十五) are the
  ones in the reference year (see :mod:`.festivals`); a clock time written after a one-day
  date (明天下午3点, "2024年04月01日 周一 08:30") becomes the mention's ``clock``.
* "recently", numeric dates like 5/7/2023 (US vs EU order) and Western holidays by English
  name are not handled.

Only ``re``, ``datetime``, ``dateutil.relativedelta`` and (for lunar dates, on first use)
``lunar_python``: no clock reads except in the thin ``*_now`` wrappers, every regex compiled
once at import.
"""

from . import english, chinese, festivals  # noqa: F401  (registers the rules: English, Chinese, festivals)
from .festivals import names_a_festival
from .mentions import annotate, annotation_text, resolve_mentions
from .query import apply_relation, is_temporal_question, parse_query_time, parse_query_time_now
from .ranges import QueryTime, TimeMention

__all__ = [
    "TimeMention",
    "QueryTime",
    "resolve_mentions",
    "annotate",
    "parse_query_time",
    "parse_query_time_now",
    "apply_relation",
    "is_temporal_question",
    "names_a_festival",
]
