"""Which occurrence of a repeating event a "when" question asks for.

A repeating event is stored one occurrence per document, all with its title;
the search ranks them alike, so "When was the first Blue Recycle bin
collection?" was dated from whichever occurrence ranked first (10 September
2020, the last one). "The first" asks for the earliest occurrence, "the last"
(latest, most recent, final) for the latest, inside the question's time window
when it names one.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from pocketmind.results import Result

FIRST = re.compile(r"\bthe\s+(?:very\s+)?first\b|第一次|首次", re.I)
LAST = re.compile(r"\bthe\s+(?:very\s+)?(?:last|latest|most\s+recent|final)\b|最后一次|最近一次", re.I)


def occurrence_asked(question: str, best: Result, titled: Callable[[str], list[Result]],
                     since: datetime | None = None, until: datetime | None = None) -> Result:
    """The first or last occurrence of ``best``'s event when the question asks for one;
    else ``best``. ``titled``: every event with a title."""
    first, last = FIRST.search(question), LAST.search(question)
    if best.kind != "event" or not best.time or bool(first) == bool(last):
        return best
    occurrences = [e for e in titled(best.title) if e.time and _inside(e.time, since, until)]
    if len(occurrences) < 2:
        return best
    pick = min if first else max
    return pick(occurrences, key=lambda e: datetime.fromisoformat(e.time).replace(tzinfo=None))


def _inside(iso: str, since: datetime | None, until: datetime | None) -> bool:
    moment = datetime.fromisoformat(iso).replace(tzinfo=None)
    return (since is None or moment >= since.replace(tzinfo=None)) and (until is None or moment < until.replace(tzinfo=None))
