"""The rule registry shared by the English and Chinese rules. ``@_pattern`` compiles a
regex once and appends ``(regex, handler, needs)`` to ``_PATTERNS`` in import order;
that order breaks ties between equally long matches, so the package imports
:mod:`.english` before :mod:`.chinese`. ``_may_contain_time`` is the cheap pre-check
that lets text without any trigger skip every rule."""

from __future__ import annotations

import re
from datetime import date
from typing import Callable

from .ranges import _Range  # noqa: F401  (named in the _Handler annotation)

_Handler = Callable[[re.Match, str, date], "_Range | None"]
_PATTERNS: list[tuple[re.Pattern, _Handler, tuple[str, ...]]] = []


def _pattern(regex: str, needs: tuple[str, ...], flags: int = re.IGNORECASE) -> Callable[[_Handler], _Handler]:
    """Register a handler for a precompiled regex. The regex only runs when the lowered
    text contains one of ``needs`` (plain substring tests are far cheaper than a scan)."""
    compiled = re.compile(regex, flags)

    def register(handler: _Handler) -> _Handler:
        _PATTERNS.append((compiled, handler, needs))
        return handler

    return register


# Cheap pre-check: every registered pattern needs a digit, one of these CJK characters or one
# of these English substrings. A character class plus plain ``in`` tests is ~10x faster
# than one big case-insensitive alternation.
_TRIGGER_CHARS = re.compile(r"[\d天日周月年期拜号晚早节夕宵午秋庆腊旦明阳诞夜五]")
_TRIGGER_WORDS = ("day", "week", "month", "year", "night", "tonight", "tomorrow", "tmrw", "morning",
                  "afternoon", "evening", "spring", "summer", "fall", "autumn", "winter", "jan", "feb",
                  "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "festival", "qingming",
                  "tomb", "qixi", "last ", "next ")


def _may_contain_time(text: str) -> bool:
    if _TRIGGER_CHARS.search(text):
        return True
    lowered = text.lower()
    return any(word in lowered for word in _TRIGGER_WORDS)
