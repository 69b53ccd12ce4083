"""Abstaining when what matches a question about someone was said by someone else.

"What did Melanie's grandma give her?" when only Caroline spoke of a
grandma's gift: ranked without any person preference, either the best
passage by Melanie scores well below the best passage by anyone else, or the
best passage of all is someone else speaking of themselves ("my grandma gave
me...") rather than to her. Measured on LoCoMo dev (category 5 abstention /
false abstention on 1-4): score ratio alone at 0.8 15% / 6.7%; ratio 0.7
plus the first-person test 27% / 5.5%.

It reads the question's one search, ranked by the score before the
question's boosts (the boost for the named person is what it must not see).
"""

from __future__ import annotations

import re
from typing import Sequence

from pocketmind.results import Result

SAID_BY_OTHERS_RATIO = 0.7
# Someone speaking about themselves, not to the person the question names.
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|my|me|mine|we|we're|we've|our|us)\b|[我咱]", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|yours)\b|[你您]", re.IGNORECASE)


def said_by_someone_else(results: Sequence[Result], named: Sequence[str], people) -> str | None:
    """The person a question is about (``named``: the names it mentions), when the
    passages that match it were said by others; else None. ``people``: the registry."""
    persons = {p.name for p in map(people.find, named) if p is not None}
    if len(persons) != 1 or not results:
        return None
    person = persons.pop()
    ranked = sorted(results, key=lambda r: r.base_score, reverse=True)
    best = ranked[0]
    if not best.author or people.display_name(best.author) == person:
        return None  # the best passage is theirs, or a note / event that may speak of them
    authored = [(people.display_name(r.author), r.base_score) for r in ranked if r.author]
    theirs = [score for name, score in authored if name == person]
    others = [score for name, score in authored if name != person]
    if max(theirs, default=0.0) < SAID_BY_OTHERS_RATIO * max(others):
        return person
    if _FIRST_PERSON.search(best.text) and not _SECOND_PERSON.search(best.text):
        return person
    return None
