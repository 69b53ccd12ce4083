"""The ask pipeline: from one search's results to a cited answer.

It receives everything it needs (the question's reading, the ranked
results of its one search, the store's read methods, the person registry
and an answerer) and never calls back into the engine:

1. keep the passages close enough to the question (none: "not found");
2. abstain when what matches a question about someone was said by someone
   else (read from the same results, before their boosts);
3. give message hits their conversation window, pack them into the token
   budget (the answerer's tokenizer, which does not load the model);
4. answer from the data when the question asks for dates (calendar listings,
   "when" questions), so the model is not even loaded; else
5. let the model answer over the quoted excerpts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Sequence

from pocketmind.results import Answer, Result

from .abstain import said_by_someone_else
from .context import estimate_tokens, pack_context, relevant, with_conversation_context
from .grounded import date_answer, event_listing
from .prompt import NOT_FOUND

# How deep the abstention check reads the question's one search (it used to run its own, k=20).
ABSTAIN_DEPTH = 20


@dataclass
class AskOptions:
    shown: int  # passages the answer may cite (search.results)
    budget: int  # tokens of retrieved text in the prompt (search.context_tokens)
    person_filter: bool = False  # the caller filtered by person: never abstain for "someone else said it"


def answer_question(question: str, reading, results: Sequence[Result], *, store, people, answerer, options: AskOptions,
                    on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None) -> Answer:
    """``reading``: the question's :class:`~pocketmind.search.question.QueryPlan`;
    ``results``: its search, ranked, at least ``options.shown`` deep; ``store``: the
    store's read methods (``documents``, ``conversation_messages``)."""

    def say(text: str, citations: list[Result], found: bool) -> Answer:
        if on_token:
            on_token(text)
        return Answer(question, text, citations, found)

    shown = relevant(results[: options.shown])
    if not shown:
        return say(NOT_FOUND, [], False)
    absent = None if options.person_filter else said_by_someone_else(results, reading.people, people)
    best = shown[0]
    own_text = store.documents([best.id])[best.id]["text"]  # the whole document, not its best chunk
    shown = with_conversation_context(shown, store, people.display_name)
    contexts = pack_context(shown, getattr(answerer, "count_tokens", estimate_tokens), options.budget)
    if absent:
        return say(f"Not mentioned by {absent} in your data; the closest passages are from someone else.", contexts, False)
    listing = event_listing(contexts, reading.since, reading.until, question) if "event" in reading.kinds else None
    dated = None if listing else date_answer(question, reading.temporal, best, own_text)
    if listing or dated:  # dates come from the data, not from the model
        return say(listing or f"{dated} [1]", contexts, True)
    return answerer.answer(question, contexts, on_token=on_token, cancel=cancel)
