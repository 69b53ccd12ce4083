"""The extractive answerer: the line or sentence of the top passages that best answers.

Used when a generated answer names something its evidence does not say
(see :mod:`.verify`), and for question types where measurement shows the
model does worse. It never writes a word that is not in the data: the
answer is a span of a cited passage, scored by the question's subject words
it contains (weighted by how rare they are among the candidates) plus, when
an encoder is given, its sentence-vector similarity to the question. A
question that names a person prefers what that person wrote.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from datetime import date

import numpy as np

from pocketmind.results import Result, display_time
from pocketmind.timeexpr import resolve_mentions

from .context import ATTACHMENT, WINDOW_LINE
from .phrase import is_greeting, is_question, join_abbreviations
from .words import content_words, words_of

_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
MAX_UNIT_CHARS = 300
VECTOR_WEIGHT = 0.5
# A note's title says what its lines are about without them saying it: "Which book did I
# discuss with Steph?" is answered by a line of the note "Meeting with Steph". The title's
# words count, at this share of a word the line itself says. (A message's author is not
# counted: it favoured every line of theirs, "Thank you!" included; 2 fact questions lost.)
CONTEXT_WEIGHT = 0.5
# A question asking for a value of a known shape is answered by a sentence holding one, when a
# sentence saying some of its words does: "打开日记的快捷键是什么" wants the line with "Alt+5",
# not the one repeating "打开日记" and "快捷键".
_SHAPES = (
    (re.compile(r"快捷键|\b(?:shortcut|hotkey|keyboard)s?\b", re.I),
     re.compile(r"\b(?:Ctrl|Alt|Shift|Cmd|Command|Option|Meta|Win)\s*\+\s*\S|[⌘⌃⌥⇧]\s*\w", re.I)),
    (re.compile(r"\bhow (?:many|much|long|old|big|large|tall|far|heavy|often)\b|\bwhat (?:size|temperature|price|length|weight)\b"
                r"|多少|几[个天次岁年月页]|多大|多长|多重|多远", re.I), re.compile(r"\d|[一二两三四五六七八九十百千万]")),
    (re.compile(r"\b(?:link|url|website|site|web ?page)\b|链接|网址|网站", re.I),
     re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|app|io|dev)\b", re.I)),
)


@dataclass
class Span:
    text: str  # what is shown as the answer
    citation: int  # 1-based
    quote: str  # the passage's line it comes from
    score: float
    matched: int = 0  # how many of the question's subject words it says


def units(result: Result) -> list[tuple[str, str, str | None]]:
    """(answer text, the quote it comes from, who wrote it) for every sentence.

    A message passage (a conversation window) is read line by line, each line
    quoted with its author; other passages by paragraph (hard-wrapped notes
    joined up), each sentence quoted alone."""
    text = result.text or result.snippet
    out = []
    if result.kind == "message":
        for line in text.splitlines():
            line = line.strip(" |")
            window = WINDOW_LINE.match(line if line[:1] in "» " else "  " + line)
            author, body = (window.group(2), window.group(3)) if window else (result.author, line.lstrip("» "))
            if body.strip() == ATTACHMENT:
                continue  # says nothing: never the answer
            for sentence in _sentences(body):
                out.append((sentence, f"{author}: {body.strip()}" if author else body.strip(), author))
        return out
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[-*#>]|\d+\.)\s)", text):
        for sentence in _sentences(" ".join(paragraph.split())):
            out.append((sentence, sentence, result.author))
    return out


def _sentences(text: str) -> list[str]:
    pieces = join_abbreviations(_SENTENCE.split(text.strip()))  # "ca. CHF 22", "Dr. Feather"
    return [s.strip()[:MAX_UNIT_CHARS] for s in pieces if len(s.strip()) > 1]


def best_span(question: str, passages: Sequence[Result], *, person: str | None = None,
              encode: Callable[[list[str]], np.ndarray] | None = None, depth: int = 3,
              names: Sequence[str] = (), asked_days: tuple[date, date] | None = None) -> Span | None:
    """``names``: the people the question names; their names are not what it asks about.
    ``asked_days``: the days the question asks about (first, last), when it names them: a
    sentence that talks about them answers "What did Melanie do on 20 May 2023?" ("I ran a
    charity race last Saturday", said on 25 May), though it says none of the question's words."""
    words = topic_words(question, names)
    # A greeting answers nothing, though it may say the name asked about ("Wow Nate!").
    candidates = [(n, *unit) for n, result in enumerate(passages[:depth], 1) for unit in units(result) if not is_greeting(unit[0])]
    if not candidates:
        return None
    unit_words = [words_of([text]) for _, text, _, _ in candidates]
    titles = [words_of([passage.title or ""]) if passage.kind != "message" else set() for passage in passages[:depth]]
    context = [titles[n - 1] - uw for (n, _, _, _), uw in zip(candidates, unit_words)]
    # Rarer subject words say more: weigh each by its inverse frequency among the candidates.
    weight = {w: math.log(1 + len(candidates) / (1 + sum(w in uw for uw in unit_words))) for w in words}
    # The context's share does not grow as the line gets shorter: "Thank you!" is not more about
    # its author than the author's next sentence.
    lexical = [sum(weight[w] for w in words & uw) / math.sqrt(1 + len(uw)) * 3
               + CONTEXT_WEIGHT * sum(weight[w] for w in words & ctx) / math.sqrt(1 + len(words)) * 3
               for uw, ctx in zip(unit_words, context)]
    similarity = [0.0] * len(candidates)
    if encode is not None:
        vectors = encode([question] + [text for _, text, _, _ in candidates])
        similarity = [float(v) for v in vectors[1:] @ vectors[0]]
    shapes = [value for asks, value in _SHAPES if asks.search(question)]
    # ...said in a line about the subject ("Hi! Im interested in your bag. Im offering $50."), or
    # under a title that is ("Schweiz, 2014, 100 Min." of the photo "Der Goalie bin ig" says how
    # long that film is)
    shaped = [any(value.search(c[1]) for value in shapes) and bool(words & (words_of([c[2]]) | ctx))
              for c, ctx in zip(candidates, context)]
    lexical, asked_by = with_replies(candidates, lexical)
    lexical, asked_by = under_headings(candidates, unit_words, words, lexical, asked_by)
    dated = [bool(asked_days) and talks_about(text, passages[n - 1], asked_days) for n, text, _, _ in candidates]
    best: Span | None = None
    for i, ((n, text, line, author), lex, sim, uw, ctx, has_shape) in enumerate(
            zip(candidates, lexical, similarity, unit_words, context, shaped)):
        if any(shaped) and not has_shape:
            continue
        score = lex + VECTOR_WEIGHT * sim - 0.05 * (n - 1) + DATED_WEIGHT * dated[i]
        if person and author and author.casefold() != person.casefold() and person.casefold() not in text.casefold():
            score -= 1.0  # the question is about someone else
        if words and uw >= words and len(uw - words) <= 1:
            score -= 0.5  # it only repeats the question
        if best is None or score > best.score:
            # a reply says what the question it answers said ("Five years now!")
            said = uw | ctx | (unit_words[asked_by[i]] if i in asked_by else set()) | (words_of([line]) if has_shape else set())
            best = Span(text, n, line, score, len(words & said) + dated[i])
    return best


# A question asks, it answers nothing: it loses this much of the score, and its reply gains
# this share of what it matched. LoCoMo dev, extractive answerer alone, F1 cats 1-4: neither
# 19.1, 0.5 / 1.0 20.7 (abstentions unchanged); with one message either side of a hit (see
# answer/context.py): neither 19.2; 0.5 / 0.5 20.1; 0.5 / 1.0 21.3; 1.0 / 1.0 21.3; 0.5 / 1.5 21.2.
QUESTION_PENALTY = 0.5
REPLY_SHARE = 1.0
DATED_WEIGHT = 1.0  # a sentence talking about the days asked, in units of the score


def talks_about(sentence: str, passage: Result, days: tuple[date, date]) -> bool:
    """Whether ``sentence`` of ``passage`` names a day or range inside ``days`` (relative
    phrases resolved against the passage's time)."""
    moment = display_time(passage.time)
    if moment is None:
        return False
    first, last = days
    return any(first <= m.start and m.end <= last for m in resolve_mentions(sentence, moment))


def with_replies(candidates: list[tuple], lexical: list[float]) -> tuple[list[float], dict[int, int]]:
    """``lexical`` with a question's match handed on to the other person's reply:
    "How long have you been surfing?" matches "How long has John been surfing?", and
    John's next line "Five years now!" is the answer. The question itself loses
    :data:`QUESTION_PENALTY`. Also returns, for each reply, the question it answers."""
    out = list(lexical)
    asked_by: dict[int, int] = {}
    for i, (n, text, line, author) in enumerate(candidates):
        if not is_question(text):
            continue
        out[i] -= QUESTION_PENALTY
        # the first sentence of the next line in the same passage, by someone else
        nxt = next((j for j in range(i + 1, len(candidates)) if candidates[j][2] != line), None)
        if nxt is not None and candidates[nxt][0] == n and author and candidates[nxt][3] not in (None, author):
            out[nxt] += REPLY_SHARE * lexical[i]
            asked_by[nxt] = i
    return out, asked_by


def under_headings(candidates: list[tuple], unit_words: list[set[str]], words: set[str], lexical: list[float],
                   asked_by: dict[int, int]) -> tuple[list[float], dict[int, int]]:
    """A line of a note that says only words of the question is a heading the question points
    to ("What is on my TODO Liste under 'Später'?" - "Später"): like a question, its match goes
    to what follows it in the same passage ("Weiteres Vorgehen planen")."""
    out = list(lexical)
    for i, (n, text, line, _author) in enumerate(candidates):
        if not (words and unit_words[i] and unit_words[i] <= words) or i in asked_by or i + 1 >= len(candidates):
            continue
        if candidates[i + 1][0] == n and not (unit_words[i + 1] <= words):
            out[i] -= QUESTION_PENALTY
            out[i + 1] += REPLY_SHARE * lexical[i]
            asked_by.setdefault(i + 1, i)
    return out, asked_by


def topic_words(question: str, names: Sequence[str] = ()) -> set[str]:
    """The question's subject words without the names of the people it names: in a chat
    every other line says a name ("Wow, John!", "Tim, I'm..."), and saying it answers
    nothing ("What did John attend with his colleagues?"). All of them when only names are left."""
    words = content_words(question)
    return (words - words_of(names)) or words


class ExtractiveOnly:
    """The answerer that loads no model (``models.answerer = "extractive"``): what the
    pipeline cannot answer from the data it answers with :func:`best_span`, on a device
    without room for a language model, or where a model's answers measure worse."""

    generates = False
