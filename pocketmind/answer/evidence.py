"""The quoted evidence of an answer: the line of each cited passage that supports it.

An answer card shows the short answer, then for every passage it cites the
exact line (a message, a sentence of a note, a field of a card or event)
that says it, so a person can check the answer at a glance.
"""

from __future__ import annotations

import re
from typing import Sequence

from pocketmind.results import Quote, Result
from pocketmind.search.fulltext import STOPWORDS

from .extractive import units
from .words import content_words, words_of

_MARKER = re.compile(r"\[(\d+)\]")


def cited_numbers(answer: str, available: int) -> list[int]:
    """The excerpt numbers an answer cites, in order ([1] when it cites none)."""
    numbers = [int(n) for n in _MARKER.findall(answer) if 1 <= int(n) <= available]
    return list(dict.fromkeys(numbers)) or ([1] if available else [])


def quotes_for(answer: str, question: str, citations: Sequence[Result]) -> list[Quote]:
    """For each cited passage, its line that shares most with the answer (then the question).

    A small model often cites the wrong excerpt number: when the cited passage
    says none of the answer's words and another passage does, that one is quoted.
    """
    answer_words = words_of([_MARKER.sub(" ", answer)]) - STOPWORDS
    asked = content_words(question)
    digits = set(re.findall(r"\d+", _MARKER.sub(" ", answer)))

    def best_line(n: int) -> tuple[float, int, str] | None:
        lines = list(dict.fromkeys(line for _, line, _ in units(citations[n - 1])))
        scored = [(2 * len(answer_words & words_of([line])) + 2 * len(digits & set(re.findall(r"\d+", line))), n, line)
                  for line in lines]
        return max(scored, key=lambda item: (item[0], len(asked & words_of([item[2]])))) if scored else None

    quotes = []
    for n in cited_numbers(answer, len(citations)):
        found = best_line(n)
        if found is None:
            continue
        if found[0] == 0 and answer_words:
            better = max(filter(None, map(best_line, range(1, len(citations) + 1))), key=lambda item: item[0])
            found = better if better[0] > 0 else found
        if all(q.quote != found[2] for q in quotes):
            quotes.append(Quote(found[1], found[2]))
    return quotes


def lines_read(question: str, passages: Sequence[Result]) -> list[Quote]:
    """The line of each passage that shares most with the question: what the person sees
    while the model reads them (quoted data, no claim of an answer)."""
    asked = content_words(question)
    quotes = []
    for n, passage in enumerate(passages, 1):
        lines = list(dict.fromkeys(line for _, line, _ in units(passage)))
        if lines:  # max keeps the first of equals: the passage's opening line when none shares a word
            quotes.append(Quote(n, max(lines, key=lambda line: len(asked & words_of([line])))))
    return quotes
