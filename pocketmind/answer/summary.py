"""Summaries as dated lists: "summarise my chat with Anna last week", "what did I do in Kyoto".

A small model asked for a summary writes a vague paragraph or nothing. A
dated list built from the passages themselves is shorter, never invents,
and every line cites its passage: one line per passage, in time order.
Only passages about what was asked are listed (Anna's chat, not the closest
other chat), and a note only when its date is its own (front-matter, title),
never a file's modification time.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from typing import Sequence

from pocketmind.results import Result
from pocketmind.text import writes_han_dates

from .extractive import units
from .grounded import spoken_date, spoken_range
from .words import about_subject, content_words

# "What happened to Melanie's son?" asks for one event, not a summary.
_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summary|recap|overview|what (?:did|have) (?:i|we) (?:do|did|done)|what happened(?! to\b))\b"
    r"|总结|概括|汇总|摘要|做了什么|干了什么|发生了什么", re.I)
# "What is the 'In good hands' clipping about?", "what does the note say"
_ABOUT = re.compile(r"\bwhat(?:'s|\s+is|\s+was)\b.+\babout\b|\bwhat\s+does\b.+\b(?:say|recommend|suggest|argue)\b"
                    r"|讲了什么|说了什么|写了什么|主要内容", re.I)
LEAD_SENTENCES = 3
LEAD_CHARS = 320
_EMPHASIS = re.compile(r"(\*{1,2}|_{1,2})(\S(?:.*?\S)?)\1")  # *cost per use*
_HEADING = re.compile(r"^\s*#{1,6}\s.*$", re.M)
_PROPERTY = re.compile(r"[\w-]+: ")  # "tags: travel, japan date: 3 April 2024"
# Subject words that only say "a summary of a chat": what the list must be about is the rest.
_ASKING_FOR_A_SUMMARY = frozenset({
    "summaris", "summariz", "summary", "recap", "overview", "chat", "conversation", "messag", "talk", "giv", "show",
    "tell", "list", "happen", "总结", "结一", "一下", "概括", "汇总", "摘要", "聊天", "对话", "消息", "上周", "本周", "这周",
})
MAX_LINES = 8
LINE_CHARS = 140


def is_summary_question(question: str) -> bool:
    return _SUMMARY.search(question) is not None


def titled_note(question: str, passages: Sequence[Result]) -> tuple[int, Result] | None:
    """(citation, passage) of the note a summary question names by its title ("Summarise what
    the 'Buy wisely' clipping recommends"); the longest title said wins."""
    if not (is_summary_question(question) or _ABOUT.search(question)):
        return None
    asked = question.casefold()
    named = [(len(p.title), -n, p) for n, p in enumerate(passages, 1)
             if p.kind == "note" and len(p.title or "") >= 4
             and re.search(rf"(?<!\w){re.escape(p.title.casefold())}(?!\w)", asked)]
    if not named:
        return None
    _, minus_n, passage = max(named, key=lambda row: row[:2])
    return -minus_n, passage


def lead(note: Result, text: str) -> tuple[str, str] | None:
    """(answer, quote): a note's first sentences after its front-matter and headings, as said
    and as written (lead-3: an article's opening says what it is about better than a small
    model's paraphrase does)."""
    body = _HEADING.sub("", text)
    quoted = []
    for _, sentence, _ in units(replace(note, text=body)):
        if _PROPERTY.match(sentence):
            continue
        quoted.append(sentence)
        if len(quoted) == LEAD_SENTENCES or sum(map(len, quoted)) >= LEAD_CHARS:
            break
    if not quoted:
        return None
    return _EMPHASIS.sub(r"\2", " ".join(quoted)), " ".join(quoted)


def with_people(results: Sequence[Result], people: Sequence[str]) -> list[Result]:
    """The results by, to or naming ``people`` ("summarise my chat with Loris"): for a summary of
    someone's chat, being theirs is what makes a message relevant, however far its words are
    from the question's ("总结一下我和Loris的聊天" over English messages)."""
    names = content_words(" ".join(people))
    return [r for r in results if names and about_subject(names, r)]


def dated_list(question: str, passages: Sequence[Result], subject: set[str]) -> str | None:
    """One line per dated passage about ``subject`` (the question's content words), oldest
    first: "<date>: <its line> [n]". None when fewer than two passages make the list."""
    cjk = writes_han_dates(question)
    subject = set(subject) - _ASKING_FOR_A_SUMMARY
    rows = []
    for n, result in enumerate(passages[:MAX_LINES], 1):
        if not (_dated(result) and about_subject(subject, result)):
            continue
        line = _line(result)
        if not line:
            continue
        if len(line) > LINE_CHARS:
            line = line[: LINE_CHARS - 1].rstrip() + "…"
        when = datetime.fromisoformat(result.time)
        rows.append((when.replace(tzinfo=None), n, line, _when(result, when, cjk)))
    if len(rows) < 2:
        return None
    rows.sort(key=lambda row: (row[0], row[1]))
    return "\n".join(f"{when}: {line} [{n}]" for _, n, line, when in rows)


def _dated(result: Result) -> bool:
    if not result.time:
        return False
    if result.kind == "note":  # a file's modification time says nothing about what the note is of
        return result.metadata.get("time_source") not in (None, "file modified")
    return result.kind in ("message", "event", "photo")


def _line(result: Result) -> str:
    """The message line that matched, else the passage's first sentence; a note by its title
    (its text is often only front-matter: "categories: Places type: Parks, Shrines...")."""
    if result.kind == "note":  # its title, and its first sentence that is not front-matter
        said = next((quote for _, quote, _ in units(result) if not _PROPERTY.match(quote)), "")
        return ": ".join(part for part in (result.title, said) if part)
    marked = next((line for line in (result.text or "").splitlines() if line.startswith("»")), None)
    if marked:
        return marked.lstrip("» ").strip()
    found = units(result)
    return found[0][1] if found else (result.title or "")


def _when(result: Result, when: datetime, cjk: bool) -> str:
    if result.kind == "note" and result.ended_at is not None:  # a trip note: its range
        last = datetime.fromtimestamp(result.ended_at - 1, timezone.utc).date()  # ends are exclusive
        return spoken_range(when.date(), last, cjk)
    return spoken_date(when.date(), cjk)
