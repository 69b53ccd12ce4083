"""Who is in a photo, and who took it: what its metadata names, never a guess.

"Who is in the photo I took in Sheffield?" asks for the people a photo shows,
not who took it (its author, :func:`.typed._author`). A photo's ``people``
list holds its creator too (the indexer merges them); the others are the ones
named in it. A photo that names nobody gets "Not in your data", as a photo
without a place does for "where": a model would only guess from the caption
(it answered "who took the photo in Sheffield?" with a name from another excerpt).
"""

from __future__ import annotations

import re
from typing import Sequence

from pocketmind.results import Result
from pocketmind.text import language_of

from .words import about_subject

_IN_PHOTO = re.compile(r"\bwho(?:['’]s|\s+is|\s+are|\s+was|\s+were)\s+(?:in|on)\s+(?:the\s+|this\s+|that\s+|my\s+)?"
                       r"(?:photo|picture|pic|image|shot|selfie)s?\b|(?:照片|相片|图片)[里上中].{0,4}谁|谁在.{0,6}(?:照片|相片|图片)[里上中]",
                       re.I)


_TOOK_PHOTO = re.compile(r"\bwho\s+(?:took|shot|made|photographed)\b.*\b(?:photo|picture|pic|image|shot|selfie)s?\b|谁拍", re.I)


def asks_who_is_in_photo(question: str) -> bool:
    return _IN_PHOTO.search(question) is not None


def photographer(question: str, results: Sequence[Result], subject: set[str]):
    """Who took the top photo about ``subject`` (its creator); "Not in your data" when it
    names none; None when the question does not ask it or no photo is among the top."""
    from .typed import TypedAnswer

    if not _TOOK_PHOTO.search(question):
        return None
    for n, result in enumerate(results[:3], 1):
        if result.kind == "photo" and about_subject(subject, result):
            if result.author:
                return TypedAnswer(f"{result.author} [{n}]", n, f"{result.title} · {result.author}")
            zh = language_of(question) == "zh"
            text = "你的数据里没有：这张照片没有记录拍摄者。" if zh else "Not in your data: that photo does not say who took it."
            return TypedAnswer(text, n, result.title, found=False)
    return None


def people_in_photo(question: str, results: Sequence[Result], subject: set[str]):
    """The answer (a :class:`.typed.TypedAnswer`) from the first of the top photos that is
    about ``subject``; None when no photo is among them."""
    from .typed import TypedAnswer

    for n, result in enumerate(results[:3], 1):
        if result.kind != "photo" or not about_subject(subject, result):
            continue
        shown = [person for person in result.people if person != result.author]
        if shown:
            return TypedAnswer(f"{', '.join(shown)} [{n}]", n, f"{result.title} · {', '.join(shown)}")
        zh = language_of(question) == "zh"
        text = "你的数据里没有：这张照片没有标注任何人。" if zh else "Not in your data: no one is named in that photo."
        return TypedAnswer(text, n, result.title, found=False)
    return None
