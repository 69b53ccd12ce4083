"""Answers in the question's language (issue 16): a Chinese question over Chinese
passages gets the passage's own words, not the small model's.

The bundled model (Gemma 3 270M, a base model) answered none of the 7 Chinese
questions that reached it in bench/personal_qa.py right: it echoes the
question, starts translating ("翻译成中文："), or answers in English. The
extractive span of the same excerpts keeps the source's language and says
only what the data says, so a Chinese question whose best passage is Chinese
is answered with it when the span says enough of the question's words.
"""

from __future__ import annotations

from typing import Callable, Sequence

from pocketmind.results import Result
from pocketmind.text import has_cjk, language_of

from .extractive import Span, best_span

MIN_MATCHED = 2  # subject words (CJK bigrams) the span must say


def source_language_span(question: str, passages: Sequence[Result], named: Sequence[str],
                         encode: Callable | None = None) -> Span | None:
    """The quoted answer for a Chinese question over Chinese passages, else None."""
    if language_of(question) != "zh" or not passages or not has_cjk(passages[0].text or passages[0].snippet):
        return None
    span = best_span(question, passages, person=named[0] if named else None, encode=encode)
    if span is None or span.matched < MIN_MATCHED or not has_cjk(span.text):
        return None
    return span


def wrong_language(answer: str, question: str, passages: Sequence[Result]) -> bool:
    """A Chinese question answered without a Chinese word though its best passage is Chinese."""
    return (language_of(question) == "zh" and bool(passages) and has_cjk(passages[0].text or passages[0].snippet)
            and not has_cjk(answer))
