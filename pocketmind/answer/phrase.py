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

from pocketmind.text import has_cjk

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
    body, tail = _without_markers(answer)
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


def _without_markers(answer: str) -> tuple[str, str]:
    """(the answer's text, its citation markers at the end: "[1]", "" when none)."""
    markers = _MARKERS.search(answer)
    return (answer[: markers.start()], markers.group().strip()) if markers else (answer, "")


def _opener(phrase: str, cut: int, subject: set[str]) -> bool:
    """Whether the words before ``cut`` say none of ``subject`` and the words after do."""
    return bool(subject) and not subject & words_of([phrase[:cut]]) and bool(subject & words_of([phrase[cut:]]))


# Words that carry no answer of their own: pronouns, "be"/"have"/"do", prepositions, articles.
_FUNCTION = frozenset("""a an the i i'm i've i'd me my mine we we've our us you your he he's him his she she's her it it's its
they they've their them is are was were be been being am have has had do does did will would can could should may might
must to of for in on at by with from about as into onto over up out that this these those there here just really so very
also and then now called named""".split())
_NEGATION = frozenset("not no never nothing none nobody nor".split())
# Kept in front of what answers: "about a year", "a chocolate cake", "my slipper".
_LEADING_KEPT = frozenset("a an the about some around nearly almost over my his her their our your".split())
_YES_NO = frozenset("yes no yeah yep nope".split())
_EDGE_PUNCTUATION = re.compile(r"^[\"'(“‘]+|[\"'),.!?;:”’]+$")


def without_restatement(answer: str, question: str) -> str:
    """A model's answer without its opening words that only say the question again: "He was a
    part of our family for 10 years" -> "10 years" for "How long was Max a part of John's
    family?"; "The setting was a cozy restaurant" -> "a cozy restaurant". Words are only
    dropped from the front, up to the first word that is neither the question's nor a function
    word, and only when a question word is among them; never a negation, a number, a yes/no
    or a quotation. The evidence line shows the whole sentence."""
    body, tail = _without_markers(answer)
    tokens = body.split()
    if not tokens or tokens[0].casefold().strip(",.!") in _YES_NO or has_cjk(answer):
        return answer
    asked = words_of([question])

    def restates(token: str) -> bool:
        word = _EDGE_PUNCTUATION.sub("", token).casefold()
        if not word or _negates(token) or any(c.isdigit() for c in word):
            return False
        if re.search(r"[\"“”]", token):
            return False
        return word in _FUNCTION or bool(words_of([word]) & asked)

    cut = 0
    while cut < len(tokens) and restates(tokens[cut]):
        cut += 1
    if cut < len(tokens) and _negates(tokens[cut]):
        return answer  # "John did not go": "not go" would say something else
    if not any(_EDGE_PUNCTUATION.sub("", t).casefold() not in _FUNCTION for t in tokens[:cut]):
        return answer  # only "It was", "She's": not the question said again
    while cut > 0 and tokens[cut - 1].casefold() in _LEADING_KEPT:
        cut -= 1
    if 0 < cut < len(tokens) and tokens[cut][:1].isdigit() and tokens[cut - 1].casefold() not in _FUNCTION:
        cut -= 1  # "Episode 145", "Room 12": the number's own name stays
    kept = tokens[cut:]
    if not kept or not re.search(r"\w", " ".join(kept)) or re.match(r"^[,;:.!?-]", kept[0]):
        return answer
    kept[-1] = kept[-1].rstrip(",")
    return " ".join([*kept, tail]) if tail else " ".join(kept)


# Where a restated ending starts: "A cute little bookmark | for one of the ladies at her writing club"
_TAIL_START = frozenset("in on at for with from as during about after before".split())  # not "of", "by": "a lot | of events", "was hit | by a flood"


def without_restated_tail(answer: str, question: str) -> str:
    """A model's answer without its closing words that only say the question again: "A cute
    little bookmark for one of the ladies at her writing club" -> "A cute little bookmark" for
    "What did Joanna make for one of the ladies at her writing club?". Only a run of three or
    more words from a preposition to the end, every one the question's or a function word, a
    question word among them; never a negation, a quotation, a yes/no answer, and something
    the question does not say must stay."""
    body, tail = _without_markers(answer)
    tokens = body.split()
    if not tokens or tokens[0].casefold().strip(",.!") in _YES_NO or has_cjk(answer):
        return answer
    asked = words_of([question])
    said = {_EDGE_PUNCTUATION.sub("", t).casefold() for t in question.split()}

    def plain(token: str) -> str:
        return _EDGE_PUNCTUATION.sub("", token).casefold()

    def restates(token: str) -> bool:
        word = plain(token)
        if not word or _negates(token) or re.search(r"[\"“”]", token):
            return False
        return word in _FUNCTION or word in said or bool(words_of([word]) & asked)

    cut = len(tokens)
    while cut > 0 and restates(tokens[cut - 1]):
        cut -= 1
    while cut < len(tokens) and plain(tokens[cut]) not in _TAIL_START:
        cut += 1  # the run starts at a preposition: "...bookmark | for one of the ladies"
    dropped, kept = tokens[cut:], tokens[:cut]
    if len(dropped) < 3 or not any(plain(t) not in _FUNCTION for t in dropped) or _negates(kept[-1] if kept else ""):
        return answer  # "Paris, not in May 2023": the tail is what is denied
    if not any(plain(t) not in _FUNCTION and not restates(t) for t in kept):
        return answer  # "She went to the party in May": nothing new before the tail
    kept[-1] = kept[-1].rstrip(",;:")
    return " ".join([*kept, tail]) if tail else " ".join(kept)


def _negates(token: str) -> bool:
    word = _EDGE_PUNCTUATION.sub("", token).casefold()
    return word in _NEGATION or word.endswith(("n't", "n’t"))


_HOW_MUCH = re.compile(r"^\s*how\s+(many|much|long|old)\b(?:\s+([a-z]+))?", re.I)
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
                 "a hundred|a few|several|a couple of|a couple")
_AMOUNT = re.compile(
    r"(?:\b(?:about|around|almost|nearly|over|roughly|just|only)\s+)?"
    r"(?P<money>(?:[$€£¥]|\b(?:CHF|EUR|USD|GBP)\s?)\d[\d,]*(?:\.\d+)?)?"
    r"(?(money)|(?P<number>\b\d+(?:[.,:-]\d+)*(?:\s?%)?|\b(?:" + _NUMBER_WORDS + r")\b))"
    r"(?:\s+(?P<unit>(?!(?:and|of|to|in|at|on|for|with)\b)[A-Za-z][\w-]*+)(?!:))?", re.I)  # "pages:" labels the next
_DURATION = re.compile(r"^(?:second|minute|min|hour|hr|day|night|week|month|year|yr|decade)s?\.?$", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def amount_asked(answer: str, question: str) -> str:
    """For "how many / how much / how long / how old", the amount the answer says, with its
    unit: "I started surfing five years ago" -> "five years"; "There were 7 people that
    attended" -> "7 people"; "Schweiz, 2014, 100 Min" -> "100 Min" (a length, not the year).
    The answer as it is when no amount is clearly the one asked for."""
    asked = _HOW_MUCH.search(question)
    if asked is None:
        return answer
    body, tail = _without_markers(answer)
    how, noun = asked.group(1).casefold(), words_of([asked.group(2) or ""])
    amounts = [m for m in _AMOUNT.finditer(body) if not _YEAR.match(m.group("number") or "") or m.group("unit")]

    def names_noun(m: re.Match) -> bool:  # "7 people", "pages: 560"
        before = body[: m.start()].rstrip(" :=").rsplit(None, 1)[-1:] or [""]
        return bool(noun & words_of([m.group("unit") or "", before[0]]))

    if how in ("long", "old"):
        fitting = [m for m in amounts if _DURATION.match(m.group("unit") or "")]
    elif how == "much":
        fitting = [m for m in amounts if m.group("money")] or [m for m in amounts if names_noun(m)]
    else:  # many
        fitting = [m for m in amounts if names_noun(m)]
    if not fitting and how in ("many", "old") and len(amounts) == 1 and amounts[0].group("number"):
        fitting = amounts  # the one number said: "Three of them"
    if not fitting:
        return answer
    found = fitting[0]
    # "3 kids" for "how many children": the number; "7 people", "five years": with the unit
    keep_unit = names_noun(found) or how != "many" or found.group("unit") is None
    text = body[found.start() : found.end() if keep_unit else found.end("number")]
    return f"{text.strip()} {tail}".strip()
