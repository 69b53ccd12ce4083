"""The ask pipeline: from one search's results to an answer card.

It receives everything it needs (the question's reading, the ranked results
of its one search, the store's read methods, the person registry, an
answerer and optionally a sentence encoder) and never calls back into the
engine:

1. keep the passages close enough to the question; none: "Not in your data",
   with the closest passages;
2. abstain when what matches a question about someone was said by someone
   else (read from the same results, before their boosts);
3. give message hits their conversation window and pack them into the token
   budget (counted with the answerer's tokenizer, which loads no weights);
4. answer from the data when the question asks for a type the data holds
   (a card's phone or e-mail, a photo's place, a message's author, an event's
   or message's date, a calendar listing, a dated list for a summary); the
   model is not even loaded then;
5. else the model answers over the quoted excerpts, lines that address the
   model left out (:mod:`.injection`), and every specific in its answer
   (number, date, name...) is checked against the citations; an answer with
   one they do not say, or that repeats planted instructions, is replaced by
   the best extractive span of the same excerpts.

Every answer carries the quoted line of each passage it cites. The answer
is handed to ``on_token`` once checked, never before. A model answer takes
seconds (a prompt of a few hundred tokens on a small CPU), so before the
model starts ``on_passages`` gets the passages it reads, each with its line
closest to the question: quoted data, shown at once, never a claim.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from difflib import SequenceMatcher
from typing import Callable, Sequence

from pocketmind.results import Answer, Quote, Result
from pocketmind.search.retrieval import at_place
from pocketmind.text import language_of
from pocketmind.timeexpr import resolve_mentions

from .abstain import said_by_someone_else, unnamed_in_passages
from .calendar_days import calendar_answer
from .context import estimate_tokens, pack_context, relevant, with_conversation_context
from .evidence import lines_read, quotes_for
from .extractive import best_span, topic_words
from .grounded import date_answer, undated_note_answer
from .injection import for_the_model
from .language import source_language_span, wrong_language
from .phrase import amount_asked, declines, is_question, short_answer, without_restatement, without_restated_tail
from .poll import poll_answer
from .said_when import message_saying_when
from .prompt import not_found, not_named
from .recurring import occurrence_asked
from .summary import dated_list, is_summary_question, lead, titled_note, with_people
from .typed import CARD_KINDS, question_type, typed_answer, value_about_person
from .verify import Claim, grounded, off_subject, said_by_others, unsupported
from .words import about_subject, content_words

# How deep the abstention check reads the question's one search (it used to run its own, k=20).
ABSTAIN_DEPTH = 20
CLOSEST = 3  # passages shown with "Not in your data"
ECHO_RATIO = 0.85  # an answer this close to the question (difflib ratio, letters only) repeats it


@dataclass
class AskOptions:
    shown: int  # passages the answer may cite (search.results)
    budget: int  # tokens of retrieved text in the prompt (search.context_tokens)
    person_filter: bool = False  # the caller filtered by person: never abstain for "someone else said it"


def answer_question(question: str, reading, results: Sequence[Result], *, store, people, answerer, options: AskOptions,
                    encode: Callable[[list[str]], object] | None = None, on_token: Callable[[str], None] | None = None,
                    cancel: threading.Event | None = None,
                    on_passages: Callable[[list[Quote], list[Result]], None] | None = None) -> Answer:
    """``reading``: the question's :class:`~pocketmind.search.question.QueryPlan`;
    ``results``: its search, ranked, at least ``options.shown`` deep; ``store``: the
    store's read methods (``documents``, ``documents_of_kind``, ``conversation_messages``);
    ``encode``: the embedder's ``encode``, for the extractive answerer; ``on_passages``: called
    with (quotes, passages) just before the model reads the passages (never for an answer from the data)."""

    def done(answer: Answer) -> Answer:
        if on_token:
            on_token(answer.text)
        return answer

    def from_data(text: str, citations: list[Result], quotes: list[Quote] | None = None) -> Answer:
        return done(Answer(question, text, citations, True, evidence=quotes or quotes_for(text, question, citations), source="data"))

    shown = relevant(results[: options.shown])
    if is_summary_question(question) and len(theirs := with_people(results[: options.shown], reading.people)) >= 2:
        shown = theirs
    if not shown and (reading.since or reading.until) and not content_words(reading.text):
        shown = list(results[: options.shown])  # "where was I on 22 October 2008?": the date is the whole question
    if not shown:
        return done(Answer(question, not_found(question, closest=bool(results)), list(results[:CLOSEST]), False, source="none"))
    absent = None if options.person_filter else said_by_someone_else(results, reading.people, people, content_words(question),
                                                                                question)
    best = shown[0]
    best_doc = store.documents([best.id])[best.id]  # the whole document, not its best chunk
    shown = with_conversation_context(shown, store, people.display_name)
    contexts = pack_context(shown, getattr(answerer, "count_tokens", estimate_tokens), options.budget)
    kind = question_type(question)
    named = [p.name for p in map(people.find, reading.people) if p is not None]
    if absent and kind not in CARD_KINDS:
        text = f"Not mentioned by {absent} in your data; the closest passages are from someone else."
        return done(Answer(question, text, contexts, False, source="none"))

    cards = _cards(store) if kind in CARD_KINDS else []
    typed = typed_answer(question, kind, named, contexts, cards, subject=content_words(reading.text))
    if typed is None and kind in CARD_KINDS and not value_about_person(kind, question, named, contexts):
        # Nobody's card and no passage naming them gives it: a model would copy someone else's.
        return done(Answer(question, not_found(question), contexts[:CLOSEST], False, source="none"))
    if typed is not None:
        citations = list(contexts) + ([typed.extra] if typed.extra else [])
        return done(Answer(question, typed.text, citations, typed.found, evidence=[Quote(typed.citation, typed.quote)],
                           source="data" if typed.found else "none"))

    if voted := poll_answer(question, contexts):  # "which day got the most votes?": the counts say
        return from_data(*voted)
    # Which days, which working day, how long: read from the whole search, not just what fits a prompt.
    if days := calendar_answer(question, reading.text, relevant(results), reading.since, reading.until,
                               "event" in reading.kinds, titled=lambda title: _titled(store, "event", title)):
        return from_data(*days)
    subject = content_words(question)
    dated = None
    first = 1
    undated = best_doc.get("metadata", {}).get("time_source") == "file modified"
    # At the place asked about is about it: "我在谢菲尔德拍照是哪一天？" of a photo placed "Sheffield, England"
    on_subject = about_subject(subject, best) or (bool(reading.places) and at_place({"place": best.place, "metadata": best.metadata},
                                                                                     reading.places))
    if reading.temporal and undated and best.kind == "note" and on_subject:
        text = undated_note_answer(question, best, best_doc["text"])  # never the mtime
        if text.startswith(("Not in your data", "你的数据里没有")):
            return done(Answer(question, text, contexts, False, evidence=[Quote(first, best.title)], source="none"))
        return from_data(f"{text} [{first}]", contexts)
    cited = first
    if reading.temporal and not undated and on_subject:
        says_no_time = best.time and not resolve_mentions(best_doc["text"], datetime.fromisoformat(best.time))
        # Read from every close hit, not only those the prompt's budget kept: "Last Friday, I made a
        # dessert with almond milk" ranked third, after two windows that filled the budget.
        saying = message_saying_when(shown, subject) if says_no_time else None
        occurrence = occurrence_asked(question, best, lambda title: _titled(store, "event", title), reading.since, reading.until)
        if saying is not None:  # the best hit says no time; a line close to it does
            cited, contexts = _cite(saying[0], contexts)
            dated = date_answer(question, reading.temporal, *saying)
        elif occurrence is not best:  # "the first Blue Recycle bin collection": not whichever ranked first
            cited, contexts = _cite(occurrence, contexts)
            dated = date_answer(question, reading.temporal, occurrence, occurrence.text or "")
        else:
            dated = date_answer(question, reading.temporal, best, best_doc["text"])
    if dated:  # dates come from the data, not from the model
        return from_data(f"{dated} [{cited}]", contexts)
    speakers = [c.author for c in contexts if c.author]
    if (unnamed := unnamed_in_passages(question, [*reading.people, *named, *speakers], contexts)) is not None:
        # "...a trip to France?" over passages about a trip to England: a model would answer England
        return done(Answer(question, not_named(question, unnamed), contexts[:CLOSEST], False, source="none"))
    # "What is the 'In good hands' clipping about?": the opening sentences of the note it names
    if (named_note := titled_note(question, contexts)) and (opening := lead(named_note[1], _full_text(store, named_note[1]))):
        said, as_written = opening
        return from_data(f"{said} [{named_note[0]}]", contexts, [Quote(named_note[0], as_written)])
    if is_summary_question(question) and (summary := dated_list(question, contexts, content_words(reading.text))):
        return from_data(summary, contexts)  # after the name check: no list of Loris's chat for "my chat with Anna"
    readable = for_the_model(contexts)  # the same excerpts, numbered alike, without lines that address the model
    topic = topic_words(question, named)  # what an extracted line must say: a name alone answers nothing
    if quoted := source_language_span(question, readable, named, encode):
        return done(Answer(question, f"{quoted.text} [{quoted.citation}]", contexts, True,
                           evidence=[Quote(quoted.citation, quoted.quote)], source="extractive"))
    if not getattr(answerer, "generates", True):  # no model: the best span is the answer
        span = best_span(question, readable, person=named[0] if named else None, encode=encode, names=named,
                         asked_days=asked_days(reading))
        if span is None or (topic and not span.matched):
            return done(Answer(question, not_found(question), contexts[:CLOSEST], False, source="none"))
        return done(Answer(question, _span_text(span, topic, question), contexts, True,
                           evidence=[Quote(span.citation, span.quote)], source="extractive"))
    if on_passages:
        on_passages(lines_read(question, readable), list(contexts))
    generated = answerer.answer(question, readable, on_token=None, cancel=cancel)
    generated.citations = contexts[: len(generated.citations)]  # cited as they are (the answerer may keep fewer)
    if cancel is not None and cancel.is_set():
        return generated
    generated.text = short_answer(generated.text)
    if declines(generated.text):  # "I'm not sure": the model found no answer
        return done(Answer(question, not_found(question), contexts[:CLOSEST], False, generated.prompt_tokens,
                           generated.seconds, source="none"))
    bad = unsupported(generated.text, question, contexts)
    if not bad and len(set(named)) == 1:
        bad = [Claim("said by others", f"{value} ({who})") for value, who in said_by_others(generated.text, question, contexts, named[0])]
    if not bad:
        bad = [Claim("off subject", value) for value in off_subject(generated.text, question, contexts, named)]
    not_mentioned = generated.text.startswith(("Not mentioned", "没有提到"))
    empty = (says_nothing(generated.text, question) or is_question(generated.text)  # a question copied from the passages
             or wrong_language(generated.text, question, readable))
    ungrounded = not (not_mentioned or grounded(generated.text, question, readable))
    if bad or empty or ungrounded:
        span = best_span(question, readable, person=named[0] if named else None, encode=encode, names=named,
                         asked_days=asked_days(reading))
        if span is None or (topic and not span.matched):  # nothing in the passages is about the question
            return done(Answer(question, not_found(question), contexts[:CLOSEST], False, generated.prompt_tokens,
                               generated.seconds, source="none"))
        if span is not None:
            said = ", ".join(claim.text for claim in bad[:3])
            zh = language_of(question) == "zh"
            if not bad and not empty:  # ungrounded
                note = ("模型的回答没有说出原文里的任何内容；这是最相关的原文。" if zh
                        else "The model's answer said nothing your data says; showing the passage that answers best.")
            elif not bad:
                note = "模型没有给出回答；这是最相关的原文。" if zh else "The model gave no answer; showing the passage that answers best."
            elif bad[0].kind == "said by others":
                note = (f"模型的回答给出了{said}，但那是别人说的；这是最相关的原文。" if zh else
                        f"The model's answer gave {said}, which someone other than {named[0]} said; showing the passage that answers best.")
            elif bad[0].kind == "off subject":
                note = (f"模型的回答给出了{said}，但说它的那句话与问题无关；这是最相关的原文。" if zh else
                        f"The model's answer gave {said}, from a line about something else; showing the passage that answers best.")
            elif any(claim.kind == "instruction" for claim in bad):
                note = ("模型的回答照搬了你的数据里写给助手的指令；这是最相关的原文。" if zh else
                        "The model's answer followed instructions written inside your data; showing the passage that answers best.")
            else:
                note = (f"模型的回答提到“{said}”，但你的数据里没有；这是最相关的原文。" if zh
                        else f"The model's answer said {said}, which your data does not; showing the passage that answers best.")
            return done(Answer(question, _span_text(span, topic, question), contexts, True, generated.prompt_tokens,
                               generated.seconds, [Quote(span.citation, span.quote)], source="extractive", note=note))
    if not_mentioned:
        generated.found, generated.source = False, "none"
        return done(generated)
    generated.evidence = quotes_for(generated.text, question, generated.citations)  # from the whole answer
    generated.text = concise(generated.text, question)
    return done(generated)


def concise(answer: str, question: str) -> str:
    """A checked model answer without the question said again (at its start or its end), cut
    to the amount asked for."""
    return amount_asked(without_restated_tail(without_restatement(answer, question), question), question)


def says_nothing(answer: str, question: str) -> bool:
    """An empty answer, a bare citation, a placeholder, or the question echoed back
    ("2020年复活节是哪天" for "2020年的复活节是哪天？")."""
    bare = re.sub(r"\[\d+\]|[\s\W_]+", "", answer).casefold()
    asked = re.sub(r"[\s\W_]+", "", question).casefold()
    echoed = len(bare) >= 4 and SequenceMatcher(None, bare, asked).ratio() >= ECHO_RATIO
    return not bare or answer.startswith("(the model gave no answer") or bare in ("attachment",) or echoed


def asked_days(reading) -> tuple[date, date] | None:
    """The days a question names ("on 20 May 2023"), first and last, for the extractive answerer."""
    if reading.since is None or reading.until is None:
        return None
    return reading.since.date(), (reading.until - timedelta(microseconds=1)).date()


def _span_text(span, subject: set[str], question: str) -> str:
    """An extracted span as an answer: cut to its answering phrase (or the amount asked for),
    with its citation. A quoted line is never cut inside otherwise: it is the data's sentence."""
    text = _BULLET.sub("", short_answer(span.text, subject) or span.text)  # a list item without its "- "
    return amount_asked(f"{text} [{span.citation}]", question)


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _cite(result: Result, contexts: list[Result]) -> tuple[int, list[Result]]:
    """``result``'s citation number among ``contexts``, appended when it is not among them."""
    ids = [c.id for c in contexts]
    if result.id in ids:
        return ids.index(result.id) + 1, contexts
    return len(contexts) + 1, [*contexts, result]


def _titled(store, kind: str, title: str) -> list[Result]:
    """Every document of ``kind`` with ``title``, as results (the other days of a holiday)."""
    return [_as_result(doc) for doc in store.documents_of_kind(kind) if doc["title"] == title]


def _as_result(doc: dict) -> Result:
    return Result(id=doc["id"], kind=doc["kind"], source=doc["source"], title=doc["title"], snippet=doc["text"][:220],
                  time=doc.get("occurred_local"), uri=doc.get("uri"), score=0.0, text=doc["text"],
                  metadata=doc.get("metadata") or {}, occurred_at=doc.get("occurred_at"), ended_at=doc.get("ended_at"))


def _cards(store) -> list[Result]:
    """Every contact card, as results: a card outranks chat messages for a phone, e-mail,
    address or birthday, wherever the search ranked it."""
    return [Result(id=doc["id"], kind="contact", source=doc["source"], title=doc["title"], snippet=doc["text"][:220],
                   time=None, uri=doc.get("uri"), score=0.0, text=doc["text"], metadata=doc.get("metadata") or {})
            for doc in store.documents_of_kind("contact")]


def _full_text(store, passage: Result) -> str:
    """A passage's whole document text (a passage is its best chunk)."""
    doc = store.documents([passage.id]).get(passage.id)
    return doc["text"] if doc else (passage.text or passage.snippet or "")
