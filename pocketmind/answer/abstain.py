"""Abstaining when what matches a question about someone was said of someone else.

"What did Melanie's grandma give her?" when only Caroline spoke of a
grandma's gift. Each message that matches the question is read for whom it
is about: a message speaking mostly in the first person ("my grandma gave
me...") is about its author; one speaking mostly in the second person ("what
got you into running?", "proud of you!") is about the one it addresses. The
question's person has the answer when a message about them matches about as
well as the best message about someone else; else the engine abstains.

Only passages that say one of the question's subject words are read. Measured
on the whole LoCoMo dev set (category 5 abstention / false abstention on
categories 1-4, this check alone, 237 / 762 questions): the author's best
score against the others' at 0.7 plus a first-person test on the best passage
16.9% / 7.5%; reading whom each message is about, at 0.8, 48.9% / 7.1%; and
only passages on the question's subject, 51.5% / 7.6% (at 0.7: 40.9% / 5.2%).

It reads the question's one search, ranked by the score before the
question's boosts (the boost for the named person is what it must not see).
"""

from __future__ import annotations

import re
from typing import Sequence
from urllib.parse import unquote

from pocketmind.results import Result

from .words import CALENDAR_NAMES, words_of

SAID_OF_OTHERS_RATIO = 0.74
# Each side's evidence is the mean of its TOP_N best scores (a missing one counts 0): one strong
# message about the other person no longer outweighs several about the one asked. LoCoMo dev,
# whole pipeline (cat-5 abstention / false abstention on cats 1-4 / F1): the best score at 0.8
# 51.5% / 11.9% / 27.7; top 3 at 0.78 51.1% / 11.0% / 27.9, at 0.74 50.2% / 10.5% / 28.1, at 0.7
# 48.1% / 10.2% / 28.1; top 2 at 0.75 49.8% / 11.0% / 27.9.
TOP_N = 3
# "Im", "Ive": "I'm" typed without its apostrophe ("Im offering $50")
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|my|me|mine|we|we're|we've|our|us)\b|[我咱]", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|yours)\b|[你您]", re.IGNORECASE)


def said_by_someone_else(results: Sequence[Result], named: Sequence[str], people, subject: set[str] = frozenset(),
                         question: str = "") -> str | None:
    """The person a question is about (``named``: the names it mentions), when the
    passages that match it are about others; else None. ``people``: the registry;
    ``subject``: the question's subject words (:func:`.words.content_words`): only a
    passage that says one of them is read (none given: every passage). When ``question``
    asks what they said, a message of theirs that speaks of no one ("Online is at least
    $100") is what they said: it counts for them."""
    asks_what_said = bool(_ASKS_WHAT_SAID.search(question))
    persons = {p.name for p in map(people.find, named) if p is not None}
    if len(persons) != 1 or not results:
        return None
    person = persons.pop()
    # The words of their name are not the subject ("User 1": neither "user" nor "1")
    subject = set(subject) - {n.casefold() for n in named} - {person.casefold()} - words_of([person, *named])
    about_them, about_others = [], []
    for result in sorted(results, key=lambda r: r.base_score, reverse=True):
        text = result.text or result.snippet
        if subject and not subject & words_of([text]):
            continue  # "That's us in Kyoto" says nothing of "moving to Berlin"
        if not result.author or result.kind != "message":
            # A note, an event or a photo may speak of them (a photo's author took it: no "I" to read)
            about_them.append(result.base_score)
            continue
        theirs = people.display_name(result.author) == person
        speaker, addressee = about_whom(text, subject)
        if speaker:
            (about_them if theirs else about_others).append(result.base_score)
        elif addressee:
            (about_others if theirs else about_them).append(result.base_score)
        elif theirs and asks_what_said:
            about_them.append(result.base_score)
    if about_others and _top(about_them) < SAID_OF_OTHERS_RATIO * _top(about_others):
        return person
    return None


_ASKS_WHAT_SAID = re.compile(r"\b(?:say|said|says|tell|told|mention|mentioned|write|wrote|text|texted|reply|replied)\b", re.I)


def _top(scores: list[float]) -> float:
    return sum(sorted(scores, reverse=True)[:TOP_N]) / TOP_N


_QUESTION_TAIL = re.compile(r"(?:(?<=[.!?。！？])\s+|^)[^.!?。！？]*[?？]\s*$")


def _statement_and_question(text: str) -> tuple[str, str]:
    """A message split before the question it ends with: ("Dance is my go-to too!", "Got any fave styles?")."""
    tail = _QUESTION_TAIL.search(text.strip())
    if tail is None:
        return text, ""
    return text.strip()[: tail.start()], tail.group().strip()


def about_whom(text: str, subject: set[str]) -> tuple[bool, bool]:
    """(about its author, about the one it addresses), for a message read about the question's
    ``subject`` words: a message whose statement does not say them but whose closing question
    does asks the other one about them ("Winning first place is amazing! What dance were you
    doing?"); else whichever person it speaks in more."""
    said, asked = _statement_and_question(text)
    if asked and subject and not subject & words_of([said]) and subject & words_of([asked]):
        return False, True
    return _about(text)


def _about(text: str) -> tuple[bool, bool]:
    """(about its author, about the one it addresses): whichever person it speaks in more."""
    first, second = len(_FIRST_PERSON.findall(text)), len(_SECOND_PERSON.findall(text))
    return first > second, second > first


# A capitalised word inside a question names something: "a trip to France", "the desert in
# Oregon", "his HR internship". Month and day names, "I" and the people the question names
# (their messages need not say their own name) are not checked.
_NAMED = re.compile(r"(?<=[\w,;:'’\"] )(?:[A-Z][\w'’-]*)(?: [A-Z][\w'’-]*)*")
_NOT_NAMES = CALENDAR_NAMES | frozenset("i i'm i've i'd dr mr mrs ms st jr sr".split())
# A name is said when a passage says a word starting with most of it: "European" by "Europe",
# "Himalayan" by "Himalayas", "Johns's" (sic) by "John".
_UNSAID_LETTERS = 3


def unnamed_in_passages(question: str, people_named: Sequence[str], passages: Sequence[Result]) -> str | None:
    """A name the question says that none of the passages says ("France" when they speak of
    England): whatever the passages say, it is not about what was asked. None when each is said.
    ``people_named``: names not to check (the people asked about: their messages need not say
    their own name)."""
    # Where a passage comes from says names too: "on Discord", "on Messenger" (its source, file, metadata).
    said = " ".join(" ".join((p.title or "", p.text or p.snippet or "", p.place or "", p.author or "", p.conversation or "",
                              p.source or "", unquote(p.uri or ""), " ".join(map(str, p.metadata.values()))))
                    for p in passages).casefold()
    people = {w.casefold() for name in people_named for w in re.findall(r"[\w'’-]+", name)}
    for found in _NAMED.finditer(question):
        for word in found.group().split():
            stem = re.sub(r"['’]s$", "", word).split("-")[0].casefold()  # "Gina's", "Wars-related"
            if stem in people or stem.removesuffix("s") in people or stem in _NOT_NAMES or len(stem) < 2:
                continue
            start = stem[: max(4, len(stem) - _UNSAID_LETTERS)]
            if not re.search(rf"(?<!\w){re.escape(start)}", said):
                return re.sub(r"['’]s$", "", word)
    return None
