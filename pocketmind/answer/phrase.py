"""The short answer: the phrase that answers, not the sentence around it.

The small model often copies its excerpt's message whole ("Seattle, I'm
excited for my game there next month! It's one of my favorite cities"), and
an extracted span is a whole chat line. The answer card shows the evidence
line anyway, so the answer itself keeps only what answers: the first
sentence, without a greeting before it or a speaker's comment after a comma
("Seattle, I'm excited..." -> "Seattle"). Only words already in the answer
are kept, in their order, so the verifier's verdict still holds.

A model that says it does not know ("I'm not sure.") has not found the
answer: that is an abstention, not an answer.
"""

from __future__ import annotations

import re

from .words import words_of

_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])")
# "Hey Nate!", "Wow!", "Bye Nate!", "Oh yes!", "Sounds great, Mel!": a line of chat that addresses someone, not an answer.
_GREETING = re.compile(r"^(?:(?:hey|hi|hello|bye|wow|oh|aw+|haha|thanks|thank you|yay|omg|ooh|hmm)\b[^.!?]{0,20}[!.]"
                       r"|(?:[\w'’]+[\s,]+){0,3}[\w'’]+,\s+(?-i:[A-Z])[\w'’-]*!)$", re.I)
# "<answer>, I'm / we / it was ...": the speaker's comment on the answer that came first.
# "<answer> and it was really nice": the same comment joined by "and".
_COMMENT = re.compile(r",\s+(?:i|i'm|i've|i'd|we|we're|we've|it's|it was|that's|that was|this is|you|you're)\b"
                      r"|\s+and\s+(?:it's|it was|it is|that's|that was)\b", re.I)
MAX_PHRASE_WORDS = 8  # an answer before a comment is a phrase, not a clause of its own
_DECLINES = re.compile(r"^\W*(?:i['’]?m not sure|i am not sure|not sure|i don['’]?t know|i do not know|no idea|unknown(?=[\s.!]*(?:\[\d+\])?\s*$)|"
                       r"(?:it is|it's) not (?:mentioned|specified|stated|clear)|not specified|not stated)\b", re.I)


_SPEAKER = re.compile(r"^[A-Z][\w .'’-]{0,40}:\s+")  # "John: I'm not sure", the chat's form copied


def declines(answer: str) -> bool:
    """Whether a generated answer says it does not know (in its own words or a speaker's)."""
    return bool(_DECLINES.match(_SPEAKER.sub("", answer, count=1)))


def is_question(text: str) -> bool:
    """Whether ``text`` (citation markers aside) ends asking: "How long have you been surfing? [2]"."""
    return _MARKERS.sub("", text).rstrip().endswith(("?", "？"))


def is_greeting(sentence: str) -> bool:
    """"Wow Nate!", "Hey Mel!": a sentence that addresses someone and answers nothing."""
    return bool(_GREETING.match(sentence.strip()))


# A full stop that ends an abbreviation, not a sentence: "ca. CHF 22", "Dr. Feather".
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:ca|approx|e\.g|i\.e|vs|z\.\s?B|bzw|Dr|Mr|Mrs|Ms|Prof|St|No|Nr)\.$", re.I)


def join_abbreviations(pieces: list[str]) -> list[str]:
    """Pieces of text split at full stops, joined again where a stop ended an abbreviation."""
    joined: list[str] = []
    for piece in pieces:
        if joined and _ABBREVIATION.search(joined[-1].rstrip()):
            joined[-1] += " " + piece
        else:
            joined.append(piece)
    return joined


def short_answer(answer: str, subject: set[str] = frozenset()) -> str:
    """``answer`` cut to its answering phrase; its citation markers stay at the end.
    ``subject`` (given for an extracted sentence, chosen for saying the question's subject
    words): a phrase before a comma that says none of them while the rest does is an opener
    ("For example, I buy wool socks from..."), not the answer, and is not cut to. A model's
    "Seattle, I'm excited for my game..." is cut to "Seattle" (no subject given)."""
    markers = _MARKERS.search(answer)
    tail = markers.group().strip() if markers else ""
    body = answer[: markers.start()] if markers else answer
    sentences = [s.strip() for s in join_abbreviations(_SENTENCE_END.split(body.strip())) if s.strip()]
    while len(sentences) > 1 and _GREETING.match(sentences[0]):
        sentences.pop(0)
    if not sentences or _GREETING.match(sentences[0]):
        return tail  # nothing but a greeting: no answer
    phrase = sentences[0]
    comment = _COMMENT.search(phrase)
    if comment and len(phrase[: comment.start()].split()) <= MAX_PHRASE_WORDS and not _opener(phrase, comment.start(), subject):
        phrase = phrase[: comment.start()]
    phrase = phrase.rstrip(" .!,;:")
    if not phrase:
        return answer
    return f"{phrase} {tail}" if tail else phrase


def _opener(phrase: str, cut: int, subject: set[str]) -> bool:
    """Whether the words before ``cut`` say none of ``subject`` and the words after do."""
    return bool(subject) and not subject & words_of([phrase[:cut]]) and bool(subject & words_of([phrase[cut:]]))
