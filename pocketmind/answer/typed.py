"""Typed answers, read from the data: phone, e-mail, address, birthday, where, who said it.

Only when the question asks for that type *and* the passage is about the
question's subject: "What is John Doe's cell number?" is answered from John
Doe's contact card (a card outranks chat messages for these), with the number
exactly as the card writes it; a card without one says so instead of letting
a model guess. "Where was the photo of the harbour taken?" from the photo's
place, "who said they were running late?" from the message's author.
(Dates are :mod:`.grounded`'s part.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from pocketmind.results import Result
from pocketmind.text import language_of

from .in_photo import asks_who_is_in_photo, people_in_photo, photographer
from .words import CROSS_LINGUAL_SIMILARITY, about_subject, across_languages, content_words, words_of

_TYPES = {
    # A number asked for, not a phone talked about ("games on their phone", "which phone model").
    "phone": re.compile(r"\b(?:phone|cell|cellphone|mobile|telephone|tel|fax)\s*(?:number|no\b|#)|['’]s (?:(?:home|work|office|"
                        r"cell|mobile) )?(?:phone|cell|cellphone|mobile|telephone)\b|\b(?:cell|telephone|fax|number to call|"
                        r"call (?:him|her|them))\b|电话|手机号|号码|传真", re.I),
    "email": re.compile(r"\be-?mail\b|邮箱|电子邮件|邮件地址", re.I),
    "address": re.compile(r"\b(?:address|where does \w+(?: \w+)? live|lives? at)\b|地址|住址|住在哪", re.I),
    "birthday": re.compile(r"\b(?:birthday|born|date of birth|birth date)\b|生日|出生", re.I),
    "nickname": re.compile(r"\bnick ?name\b|昵称|外号|小名", re.I),
    "work": re.compile(r"\b(?:job|job title|work(?:s)? (?:for|at|as)|employer|company|organi[sz]ation|occupation|position)\b|工作|公司|职位|职务", re.I),
    # "Who said / took / wrote ...": the subject of the verb (not "who did I meet", whose answer is an object).
    "who": re.compile(r"^\s*(?:who|which (?:number|contact|person|friend))\b(?!\s+(?:did|do|does|have|had|will|should|can|could)\s+(?:i|we|you)\b)|^\s*谁(?!.*我)|谁说|谁提到|谁发|是谁拍|谁拍|谁写", re.I),
    "where": re.compile(r"^\s*where\b|\b(?:which|what|in which) (?:city|country|town|place)\b|在哪|哪里|什么地方|哪个地方|哪个地点|什么地点|哪个城市|哪个国家", re.I),
}
# Which of a card's numbers or addresses: "Phone (cell)", "Address (home)"... (the vCard TYPE).
_LINE_KIND = {"cell": re.compile(r"\b(?:cell|mobile)\b|手机", re.I), "home": re.compile(r"\bhome\b|家", re.I),
              "work": re.compile(r"\b(?:work|office|business)\b|工作|办公|单位|公司", re.I), "fax": re.compile(r"\bfax\b|传真", re.I)}
_KINDS_OF = {"phone": ("cell", "home", "work", "fax"), "address": ("home", "work")}
_NOT_NAMES = {"what", "what's", "whats", "when", "where", "who", "which", "how", "is", "does", "do", "did", "the", "my", "i",
              "mr", "mrs", "ms", "dr"}
_CARD_LINE = {"phone": "Phone", "email": "Email", "address": "Address", "birthday": "Birthday", "nickname": "Nickname",
              "work": "Work"}
_LABELS_ZH = {"phone": "电话", "email": "邮箱", "address": "地址", "birthday": "生日", "nickname": "昵称", "work": "工作信息"}
CARD_KINDS = tuple(_CARD_LINE)


@dataclass
class TypedAnswer:
    text: str
    citation: int  # 1-based, in the citations the caller passes
    quote: str  # the line of the cited passage that says it
    found: bool = True
    extra: Result | None = None  # a contact card to cite after the results, when it was not among them


def question_type(question: str) -> str | None:
    """The kind of value a question asks for, if it is one the data holds typed."""
    return next((kind for kind, pattern in _TYPES.items() if pattern.search(question)), None)


def typed_answer(question: str, kind: str | None, named: Sequence[str], results: Sequence[Result],
                 cards: Sequence[Result] = (), subject: set[str] | None = None) -> TypedAnswer | None:
    """``named``: the people the question names (their contact names); ``cards``: every
    contact card (the one asked about is cited after ``results`` when not among them)."""
    if kind in _CARD_LINE:
        wanted = name_tokens(question, named)
        card = _from_card(question, kind, wanted, results, cards)
        if kind == "phone" and (card is None or not card.found):
            return _sender_number(wanted, results) or card
        return card
    if kind == "where":
        return _place(question, results, subject)
    if kind == "who":
        words = content_words(question) if subject is None else subject
        if asks_who_is_in_photo(question):
            return people_in_photo(question, results, words)
        return photographer(question, results, words) or _author(question, results, named)
    return None


def _from_card(question: str, kind: str, named: Sequence[set[str]], results: Sequence[Result], cards: Sequence[Result]) -> TypedAnswer | None:
    card = next((r for r in results if r.kind == "contact" and _is_card_of(r, named)), None)
    extra = None
    if card is None:
        card = extra = next((c for c in cards if _is_card_of(c, named)), None)
        if card is None:
            return None
    n = list(results).index(card) + 1 if extra is None else len(results) + 1
    label = _CARD_LINE[kind]
    lines = [line for line in (card.text or "").splitlines() if line.startswith(label)]
    zh = language_of(question) == "zh"
    wanted = [k for k in _KINDS_OF.get(kind, ()) if _LINE_KIND[k].search(question)]
    if wanted:  # "fax number", "home address": a card with only a cell phone or a work address has none
        lines = [line for line in lines if any(k in line.split(":", 1)[0].lower() for k in wanted)]
    if not lines:
        what = _LABELS_ZH[kind] if zh else {"phone": "phone number", "email": "e-mail address", "work": "work details"}.get(kind, kind)
        if wanted and not zh:
            what = f"{wanted[0]} {'address' if kind == 'address' else 'number'}"
        elif wanted:
            what = {"home": "家庭", "work": "工作", "cell": "手机", "fax": "传真"}[wanted[0]] + ("地址" if kind == "address" else "号码")
        text = f"你的数据里没有：{card.title}的联系人卡片上没有{what}。" if zh else f"Not in your data: {card.title}'s contact card has no {what}."
        return TypedAnswer(text, n, card.text.splitlines()[0] if card.text else card.title, found=False, extra=extra)
    line = lines[0]
    label_part, _, value = line.partition(":")
    kinds = re.search(r"\(([^)]*)\)", label_part)
    suffix = f" ({kinds.group(1)})" if kinds and kind == "phone" else ""
    value = value.strip()
    if kind == "birthday":
        value = _spoken_birthday(value, zh)
    return TypedAnswer(f"{value}{suffix} [{n}]", n, line, extra=extra)


_PHONE_SHAPE = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def _sender_number(wanted: Sequence[set[str]], results: Sequence[Result]) -> TypedAnswer | None:
    """The number a person's text messages came from (an SMS backup keeps it with each
    message), for someone with no card, or a card without a phone."""
    for n, result in enumerate(results, 1):
        number = str(result.metadata.get("address") or "")
        if result.kind == "message" and result.author and card_matches(result.author, wanted) and _PHONE_SHAPE.fullmatch(number):
            return TypedAnswer(f"{number} [{n}]", n, f"{result.author} ({number}): {_own_text(result)}")
    return None


def _spoken_birthday(value: str, zh: bool) -> str:
    """"1922-03-10" as "10 March 1922" (1922年3月10日); "--0203" (no year) as "3 February"."""
    from .grounded import spoken_date

    if m := re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:T.*)?", value):
        return spoken_date(date(int(m.group(1)), int(m.group(2)), int(m.group(3))), zh)
    if m := re.fullmatch(r"--(\d{2})-?(\d{2})", value):
        month, day = int(m.group(1)), int(m.group(2))
        return f"{month}月{day}日" if zh else f"{day} {date(2000, month, 1):%B}"
    return value


def name_tokens(question: str, named: Sequence[str]) -> list[set[str]]:
    """The person a question asks about, as sets of name words: each known name it
    names, else its capitalised words ("John Doe" in "What is John Doe's cell?")."""
    words = [w for w in re.findall(r"(?<![A-Za-z'’])[A-Z][A-Za-z\u00c0-\u024f.-]*", question) if w.casefold().rstrip(".") not in _NOT_NAMES]
    if words:  # "Mike McGarry" is not the contact "Mike Angstadt" that "Mike" alone would find
        return [set(_name_words(" ".join(words)))]
    return [set(_name_words(name)) for name in named]


def card_matches(title: str, wanted: Sequence[set[str]]) -> bool:
    words = set(_name_words(title))
    return any(tokens and tokens <= words for tokens in wanted)


def _name_words(text: str) -> list[str]:
    return [w.strip(".,'’").casefold() for w in re.split(r"[\s'’]+(?:s\b)?", text) if w.strip(".,'’")]


def _is_card_of(card: Result, wanted: Sequence[set[str]]) -> bool:
    nicknames = " ".join(map(str, card.metadata.get("nicknames") or []))
    return card_matches(f"{card.title} {nicknames}", wanted)


def _place(question: str, results: Sequence[Result], subject: set[str] | None = None) -> TypedAnswer | None:
    words = content_words(question) if subject is None else subject  # the date of "where was I on ..." is a filter
    for n, result in enumerate(results[:3], 1):
        place = _place_of(result)
        # A message's place is one it shared (a venue, a pin): "which place did Dmitry share?"
        if result.kind in ("photo", "event", "message") and place and about_subject(words, result):
            quote = f"{result.author}: {_own_text(result)}" if result.kind == "message" else _line_with(result, place)
            return TypedAnswer(f"{place} [{n}]", n, quote)
    for n, result in enumerate(results[:3], 1):  # else a place shared in a hit's window, by a line about the subject
        for place, line in result.metadata.get("shared_places", []):
            if not words or words & words_of([line]):
                return TypedAnswer(f"{place} [{n}]", n, line)
    best = results[0] if results else None
    # Only for a photo picked by its date alone: a city may stand in its IPTC/XMP text, not in its place.
    if best is not None and best.kind == "photo" and not _place_of(best) and "photo" in question.casefold() and subject == set():
        zh = language_of(question) == "zh"  # a model would guess; the photo has no location
        text = "你的数据里没有：这张照片没有位置信息。" if zh else "Not in your data: that photo has no location."
        return TypedAnswer(text, 1, best.title, found=False)
    return None


def _place_of(result: Result) -> str | None:
    """Where a photo or event was: its place (GPS, event location), else the location its
    photographer wrote in its IPTC fields ("Kingston, Ont, Canada" on a photo without GPS)."""
    return result.place or result.metadata.get("iptc_location") or None


def _author(question: str, results: Sequence[Result], named: Sequence[str] = ()) -> TypedAnswer | None:
    """Who wrote the message (or took the photo, wrote the note) that the question is about.
    Never a person the question names: "Who gave Maria's family money?" is not asked of
    Maria's own line about it."""
    words = content_words(question)
    asked_about = {name.casefold() for name in named}
    to_me = bool(_TO_ME.search(question))
    best, most = None, 0
    for n, result in enumerate(results[:3], 1):
        if to_me and result.metadata.get("from_me"):
            continue  # "which number asked me ...": not the user's own message
        if result.author and result.author.casefold() in asked_about:
            continue
        said = _said(words, result) if words else 1
        if said > most:  # the passage that says most of the question's words, not the first saying one
            best, most = (n, result), said
    # The passage most about the question has no author to give ("Who is the artist of the album
    # Bass on Top?" is the album note's "artist: Paul Chambers"): not the author of a lesser one.
    if best is None or not best[1].author or best[1].kind not in ("message", "photo", "note"):
        return None
    n, result = best
    quote = f"{result.author}: {_own_text(result)}" if result.kind == "message" else _line_with(result, result.author)
    return TypedAnswer(f"{result.author} [{n}]", n, quote)


_TO_ME = re.compile(r"\b(?:me|my|i)\b|我", re.I)


def _said(words: set[str], result: Result) -> int:
    """How many of the question's subject words a passage says (a message: in its own text)."""
    if across_languages(words, result):
        return int(result.similarity >= CROSS_LINGUAL_SIMILARITY)
    if result.kind == "message":
        return len(words & words_of([_own_text(result)]))
    return len(words & words_of([result.title, result.text or result.snippet]))


def _own_text(result: Result) -> str:
    """A message's own words (its passage may be the conversation window around it)."""
    marked = next((line for line in (result.text or "").splitlines() if line.startswith("»")), None)
    if marked:
        return marked[1:].strip().split(": ", 1)[-1]
    return " ".join((result.text or result.snippet).split())


def _line_with(result: Result, value: str) -> str:
    for line in (result.text or "").splitlines():
        if value.casefold() in line.casefold():
            return line.strip()
    return f"{result.title} · {value}"


_VALUE = {"phone": re.compile(r"\+?\(?\d[\d\s().-]{6,}\d"), "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")}


def value_about_person(kind: str, question: str, named: Sequence[str], results: Sequence[Result]) -> bool:
    """Whether a passage that names the person asked about holds a value of ``kind``
    (a phone number or e-mail written in a message, say). Other kinds cannot be told
    by shape, so they are left to the model (and its checked answer)."""
    pattern = _VALUE.get(kind)
    if pattern is None:
        return True
    wanted = name_tokens(question, named)
    if not wanted:
        return True
    for result in results:
        words = set(_name_words(" ".join([result.text or "", result.title, result.author or "", *result.people])))
        if any(tokens and tokens <= words for tokens in wanted) and pattern.search(result.text or ""):
            return True
    return False
