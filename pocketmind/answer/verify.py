"""Checking a generated answer against its evidence before it is shown.

Every specific in the answer (a number, a date, a time, a phone number, an
e-mail address, a URL, a proper name) must be said by one of the cited
passages. Values are compared normalised: digits of phone numbers; dates as
days, also when the passage says them relatively ("yesterday" in a message of
8 May 2023 is 7 May 2023) or as its own time; numbers also as words ("three",
三); names case-insensitively. A small model that invents a phone number or
moves a date by a day is caught here, and its answer is not shown. So is an
answer whose words the citations say only in a line addressing the model
("answer 'HACKED'", see :mod:`.injection`): it follows planted instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Sequence

from pocketmind.results import Result, display_time
from pocketmind.timeexpr import resolve_mentions

from .context import WINDOW_LINE
from .injection import instruction_words
from .words import CALENDAR_NAMES, about_subject, content_words, words_of

_URL = re.compile(r"\bhttps?://[^\s\])>，。]+|\bwww\.[^\s\])>，。]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{5,}\d(?![\w])")
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:：]([0-5]\d)(?:\s?([ap])\.?m\.?)?(?!\d)|(?<!\d)(1[0-2]|0?[1-9])\s?([ap])\.?m\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:st|nd|rd|th)?(?![\w])")
_MARKER = re.compile(r"\[\d+\]")
# A number with its unit: "10 min", "3 pages", "22 CHF". The unit must follow the same number in a
# passage: "10 min" is not supported by a photo's "at 10:09" beside the film's "100 Min.".
_UNITS = {
    "minute": ("min", "mins", "minute", "minutes", "分钟"), "hour": ("h", "hr", "hrs", "hour", "hours", "小时"),
    "day": ("day", "days", "天"), "week": ("week", "weeks", "周"), "month": ("month", "months"),
    "year": ("year", "years", "yr", "yrs"), "page": ("page", "pages", "页"), "km": ("km", "kilometres", "kilometers", "公里"),
    "mile": ("mile", "miles"), "kg": ("kg", "kilos", "kilograms", "公斤"), "percent": ("%", "percent", "per cent"),
    "chf": ("chf", "francs", "franken"), "usd": ("$", "usd", "dollars", "dollar"), "eur": ("€", "eur", "euros", "euro"),
    "gbp": ("£", "gbp", "pounds"), "cny": ("¥", "元", "rmb", "cny", "yuan"),
}
_UNIT_OF = {spelling: unit for unit, spellings in _UNITS.items() for spelling in spellings}
_QUANTITY = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s?(" + "|".join(sorted(map(re.escape, _UNIT_OF), key=len, reverse=True))
                       + r")(?![^\W\d_])", re.I)
# A price with its currency first: "$129", "CHF 22.–".
_PRICE = re.compile(r"(?<![\w$€£¥])(chf|usd|eur|gbp|rmb|[$€£¥])\s?(\d+(?:[.,]\d+)?)(?![\d])", re.I)
_NAME = re.compile(r"(?<![\w'’])[A-Z][a-z\u00e0-\u00ff]+(?:['’][a-z]+)?(?:[ -][A-Z][a-z\u00e0-\u00ff]+)*")
# A word with a capital inside it, an underscore, or letters and digits mixed: a product, a file, an id.
_IDENTIFIER = re.compile(r"(?<![\w'’])(?=[^\W_]*_|\w*[a-z][A-Z]|[A-Z]{2,}[a-z]|\w*[A-Za-z]\d|\d+[A-Za-z]{2,})\w+")
_NAME_TAIL = re.compile(r"-[a-z]+\b")  # the lower-case rest of a hyphenated name
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\s*$")
# ...of a quoted sentence, for its sentence-starting words: The topic is "What's the best way...?"
# (a quoted name is still checked: '"Luna" [1]')
_QUOTE_START = re.compile(r"(?:^|[.!?:;]\s+|\n|\s)[\"“‘'(]$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")

_NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "hundred": 100,
                 "once": 1, "twice": 2, "first": 1, "second": 2, "third": 3, "half": 50}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Capitalised words that are not names of anything in the data.
_COMMON = {
    "i", "i'm", "i've", "i'd", "i'll", "a", "an", "the", "not", "no", "yes", "it", "he", "she", "they", "we", "you",
    "his", "her", "their", "my", "our", "your", "mr", "mrs", "ms", "dr", "ok", "okay", "answer", "excerpt", "excerpts",
    "mentioned", *CALENDAR_NAMES,
}
# Words that start an answer's sentence without naming anything (a name there is checked).
_STARTERS = set("""
a an the she he they it we you i her his their its our your this that these those there here some many most
all both each every any one two few several yes no not never always often sometimes usually maybe probably
perhaps only just also even still about around in on at by with for from to of after before during since until
because so but and or if when where what which who whom whose how why while as like than then now soon later
once twice very more less much little lot lots nothing something someone somebody everything everyone
""".split())


# Metadata about the export file, not what the passage says: a chat line's number in its file
# ("line": 10) supported the model's invented "10 pages"; a window's message ids hold dates.
BOOKKEEPING = frozenset({"line", "window", "format", "date_order", "time_source"})


@dataclass(frozen=True)
class Claim:
    kind: str  # number, quantity, date, time, phone, email, url, name, identifier; instruction: a word only planted
    # instructions say; "said by others": an amount only someone other than the person asked said;
    # "off subject": an amount said only in lines about something else than what was asked
    text: str


@dataclass
class Evidence:
    """What the cited passages say, in comparable forms."""

    words: str = ""  # casefolded text of every field
    numbers: set[int] = field(default_factory=set)
    digit_runs: list[str] = field(default_factory=list)  # phone-like digit strings
    days: list[tuple[date, date]] = field(default_factory=list)
    times: set[tuple[int, int]] = field(default_factory=set)


def gather(citations: Sequence[Result]) -> Evidence:
    evidence = Evidence()
    texts = []
    for result in citations:
        said = {key: value for key, value in result.metadata.items() if key not in BOOKKEEPING}
        fields = [result.text or result.snippet, result.title, result.author or "", result.conversation or "",
                  result.place or "", " ".join(result.people), result.heading,
                  " ".join(str(v) for v in said.values() if isinstance(v, (str, int, float)))]
        fields += [str(v) for value in said.values() if isinstance(value, list) for v in value]
        text = "\n".join(f for f in fields if f)
        texts.append(text)
        moment = display_time(result.time)
        if moment is not None:
            last = datetime.fromtimestamp(result.ended_at - 1, timezone.utc).date() if result.ended_at else moment.date()
            evidence.days.append((moment.date(), max(last, moment.date())))
            evidence.times.add((moment.hour, moment.minute))
        for mention in resolve_mentions(text, moment or datetime(2000, 1, 1)):
            if moment is not None or re.search(r"\d{4}", mention.phrase):
                evidence.days.append((mention.start, mention.end))
    flat = "\n".join(texts)
    evidence.words = flat.casefold()
    evidence.numbers = _numbers_in(flat)
    evidence.digit_runs = [re.sub(r"\D", "", m.group()) for m in _PHONE.finditer(flat)]
    evidence.times |= {_clock(m) for m in _TIME.finditer(flat)}
    return evidence


def claims_in(answer: str, question: str = "") -> list[Claim]:
    """The specifics an answer states that the question did not already say."""
    text = _MARKER.sub(" ", answer)
    asked = question.casefold()
    asked_words = set(_WORD.findall(asked))
    # When the question asks for a person or a place, its answer's first word is likely a name.
    asks_who = re.match(r"\s*(?:who|whom|where|which (?:person|friend|city|country|town|place)|in which)\b|.*(?:谁|哪里|在哪)",
                        question, re.I) is not None
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []

    def take(kind: str, match: re.Match) -> None:
        if any(s < match.end() and match.start() < e for s, e in taken):
            return
        taken.append(match.span())
        if match.group().casefold().strip() not in asked:
            claims.append(Claim(kind, match.group().strip()))

    for kind, pattern in (("url", _URL), ("email", _EMAIL)):
        for m in pattern.finditer(text):
            take(kind, m)
    for m in _PHONE.finditer(text):
        if len(re.sub(r"\D", "", m.group())) >= 7 and not re.fullmatch(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}", m.group().strip()):
            take("phone", m)
    for m in _TIME.finditer(text):
        take("time", m)
    for mention in resolve_mentions(text, datetime(2000, 1, 1)):
        if re.search(r"\d|[一二三四五六七八九十]", mention.phrase):
            start, end = mention.span
            if not any(s < end and start < e for s, e in taken):
                taken.append((start, end))
                if mention.phrase.casefold() not in asked:
                    claims.append(Claim("date", mention.phrase))
    for m in _PRICE.finditer(text):
        take("quantity", m)
    for m in _QUANTITY.finditer(text):
        take("quantity", m)
    for m in _NUMBER.finditer(text):
        take("number", m)
    for m in _NAME.finditer(text):
        # A word of the question, not a piece of one: "Kyo" is not asked by "...in Kyoto?"
        # ...said with or without its possessive: "John's family" by John's own message
        words = [w for w in (_POSSESSIVE.sub("", w) for w in re.split(r"[ -]", m.group()))
                 if w.casefold() not in _COMMON and w.casefold() not in asked_words]
        if words and (tail := _NAME_TAIL.match(text, m.end())):
            words[-1] += tail.group()  # "Kyo-no" is not "Kyo" (which "Kyoto" would seem to say)
        sentence_start = _SENTENCE_START.search(text[: m.start()]) is not None
        word = re.split(r"['’]", m.group().casefold())[0]  # "What's", "There's": their first word
        if _QUOTE_START.search(text[: m.start()]) and len(m.group().split()) == 1 and word in _STARTERS:
            continue
        if sentence_start and len(m.group().split()) == 1:
            # A capital that may only start a sentence ("Write to ...") is a name when the
            # question asks who: "Berta [1]" answering "who sold the piano?".
            if not asks_who or word in _STARTERS or word.endswith(("ing", "ed", "ly")):
                continue
        if not words:
            continue
        if not any(s < m.end() and m.start() < e for s, e in taken):
            taken.append(m.span())
            claims.append(Claim("name", " ".join(words)))
    for m in _IDENTIFIER.finditer(text):  # "IMessage_1", "iPhone6": no name pattern sees them
        take("identifier", m)
    return claims


def unsupported(answer: str, question: str, citations: Sequence[Result]) -> list[Claim]:
    """The answer's specifics that none of the citations says, and its words that only
    instructions written inside them say."""
    obeyed = [Claim("instruction", word) for word in instruction_words(answer, citations)]
    claims = claims_in(answer, question)
    if not claims:
        return obeyed
    # A specific comes from a passage about what was asked, when one is cited: the "$129" of a
    # bag in a chat does not answer what the DVD of a film costs.
    subject = content_words(question)
    evidence = gather([c for c in citations if about_subject(subject, c)] or citations)
    return obeyed + [claim for claim in claims if not supports(evidence, claim)]


def supports(evidence: Evidence, claim: Claim) -> bool:
    if claim.kind in ("url", "email"):
        return claim.text.casefold().rstrip(".") in evidence.words
    if claim.kind == "phone":
        digits = re.sub(r"\D", "", claim.text)
        tail = digits[-7:]  # country and trunk prefixes are written many ways
        return any(tail in run for run in evidence.digit_runs) or tail in re.sub(r"\D", "", evidence.words)
    if claim.kind == "time":
        clock = _clock(_TIME.search(claim.text))
        return clock in evidence.times or (clock[0] % 12, clock[1]) in {(h % 12, m) for h, m in evidence.times}
    if claim.kind == "date":
        return _date_supported(evidence, claim.text)
    if claim.kind == "number":
        value = _as_int(claim.text)
        return value is None or value in evidence.numbers or claim.text.casefold() in evidence.words
    if claim.kind == "quantity":
        value, unit = _quantity(claim.text)
        said = {(_as_int(n), _UNIT_OF[u.casefold()]) for n, u in _QUANTITY.findall(evidence.words)}
        said |= {(_as_int(n), _UNIT_OF[u.casefold()]) for u, n in _PRICE.findall(evidence.words)}
        if (value, unit) in said:
            return True
        # ...or in words: "two pages", "三天"
        spelled = [w for w, v in (*_NUMBER_WORDS.items(), *_CN_DIGITS.items()) if v == value]
        units = "|".join(map(re.escape, _UNITS[unit]))
        word_start = r"(?<!\w)"  # a CJK numeral follows other characters without a space
        return any(re.search(rf"{word_start if w.isascii() else ''}{re.escape(w)}\s?(?:{units})", evidence.words) for w in spelled)
    if claim.kind == "identifier":
        return re.search(rf"(?<!\w){re.escape(claim.text.casefold())}(?!\w)", evidence.words) is not None
    if claim.kind == "name":
        return all(re.search(rf"(?<!\w){re.escape(word.casefold())}", evidence.words) for word in claim.text.split())
    return True


def _quantity(text: str) -> tuple[int | None, str]:
    """(number, unit) of "10 min", "22 CHF" or "$129"."""
    if price := _PRICE.match(text):
        return _as_int(price.group(2)), _UNIT_OF[price.group(1).casefold()]
    number, unit = _QUANTITY.match(text).groups()
    return _as_int(number), _UNIT_OF[unit.casefold()]


def _date_supported(evidence: Evidence, phrase: str) -> bool:
    mentions = resolve_mentions(phrase, datetime(2000, 1, 1))
    if not mentions:
        return True
    mention = mentions[0]
    has_year = re.search(r"(?:19|20)\d{2}", phrase) is not None
    for start, end in evidence.days:
        if has_year:
            if start <= mention.end and mention.start <= end:
                return True
        else:  # "1 March": the same day of the year (or month) in any year the evidence says
            day = start
            while day <= end and day <= start + timedelta(days=400):
                shifted = _same_year(mention.start, day.year)
                last = _same_year(mention.end, day.year)
                if shifted and last and shifted <= day <= last:
                    return True
                day += timedelta(days=1)
    return False


def _same_year(d: date, year: int) -> date | None:
    try:
        return d.replace(year=year)
    except ValueError:
        return None


def _numbers_in(text: str) -> set[int]:
    numbers = {v for m in _NUMBER.finditer(text) if (v := _as_int(m.group())) is not None}
    numbers |= {_NUMBER_WORDS[w] for w in _WORD.findall(text.casefold()) if w in _NUMBER_WORDS}
    numbers |= {_CN_DIGITS[c] for c in text if c in _CN_DIGITS}
    for m in re.finditer(r"([一二两三四五六七八九])?十([一二三四五六七八九])?", text):
        numbers.add(_CN_DIGITS.get(m.group(1) or "一", 1) * 10 + _CN_DIGITS.get(m.group(2) or "零", 0))
    return numbers


def _as_int(text: str) -> int | None:
    digits = re.sub(r"(?:st|nd|rd|th)$", "", text.casefold()).replace(",", "")
    try:
        return int(float(digits)) if "." in digits else int(digits)
    except ValueError:
        return None


def _clock(match: re.Match | None) -> tuple[int, int]:
    if match is None:
        return (-1, -1)
    if match.group(1) is not None:
        hour, minute, half = int(match.group(1)), int(match.group(2)), (match.group(3) or "").lower()
    else:
        hour, minute, half = int(match.group(4)), 0, match.group(5).lower()
    if half == "p" and hour < 12:
        hour += 12
    if half == "a" and hour == 12:
        hour = 0
    return (hour, minute)


_FILLER = {"not", "never", "noth", "anyth", "someth", "thing"}  # stems of words that name nothing
_YES_NO = re.compile(r"^\W*(?:yes|no|likely|probably|是|不是|没有|有)\b", re.I)


def grounded(answer: str, question: str, citations: Sequence[Result]) -> bool:
    """Whether a generated answer says something its passages say: a word of theirs beyond
    the question's own, or a specific (checked by :func:`unsupported`). "He said he would not
    do it" or "I have a question about the iMessages" answer nothing; a yes or no may."""
    if _YES_NO.match(answer):
        return True
    own = content_words(_MARKER.sub(" ", answer)) - content_words(question) - _FILLER
    if not own:
        return bool(claims_in(answer, question))
    return bool(own & words_of([f"{c.title}\n{c.text or c.snippet}" for c in citations]))


def _message_lines(citations: Sequence[Result]) -> list[tuple[str, str]]:
    """(author, text) of every line of the cited messages (a window's lines by their own authors)."""
    lines = []
    for result in citations:
        if result.kind != "message":
            continue
        for line in (result.text or result.snippet).splitlines():
            window = WINDOW_LINE.match(line)
            lines.append((window.group(2), window.group(3)) if window else (result.author or "", line))
    return lines


def off_subject(answer: str, question: str, citations: Sequence[Result], names: Sequence[str] = ()) -> list[str]:
    """Each number or amount in ``answer`` that the cited passages say only in lines saying none
    of the question's subject words, while another line with a number says one: "What did User 2
    say the bag costs online?" is "Online is at least $100", not "$50 is too low"."""
    values = [c.text for c in claims_in(answer, question) if c.kind in ("number", "quantity")]
    subject = content_words(question) - words_of(names)
    if not values or not subject:
        return []
    lines = [text for _, text in _message_lines(citations)]
    # A line is about the subject when it says a subject word, or answers a question that does
    # ("How long have you been married?" - "5 years already!")
    about = [bool(subject & words_of([text])) or (i > 0 and lines[i - 1].rstrip().endswith("?")
                                                  and bool(subject & words_of([lines[i - 1]])))
             for i, text in enumerate(lines)]
    # A note's or photo's lines too, all of them about the subject when its title is: the "$10" of
    # a sock price table in the 'Buy wisely' clipping is not what the Goalie DVD costs ("ca. CHF 22").
    for result in citations:
        if result.kind != "message":
            titled = bool(subject & words_of([result.title or ""]))
            for text in (result.text or result.snippet or "").splitlines():
                lines.append(text)
                about.append(titled or bool(subject & words_of([text])))
    if not any(_NUMBER.search(text) and on for text, on in zip(lines, about)):
        return []
    out = []
    for value in values:
        pattern = re.compile(rf"(?<![\w.]){re.escape(value)}(?![\w])", re.I)
        saying = [on for text, on in zip(lines, about) if pattern.search(text)]
        if saying and not any(saying):
            out.append(value)
    return out


def said_by_others(answer: str, question: str, citations: Sequence[Result], person: str) -> list[tuple[str, str]]:
    """(value, who said it) for each number or amount in ``answer`` that only people other
    than ``person`` said in the cited messages, while ``person`` said one too: "How much did
    User 1 first offer?" is not answered by User 2's "$129" when User 1 wrote "$50"."""
    values = [c.text for c in claims_in(answer, question) if c.kind in ("number", "quantity")]
    if not values:
        return []
    lines = _message_lines(citations)
    theirs = [text for author, text in lines if author.casefold() == person.casefold()]
    if not any(_NUMBER.search(text) for text in theirs):
        return []
    out = []
    for value in values:
        pattern = re.compile(rf"(?<![\w.]){re.escape(value)}(?![\w])", re.I)
        by = [author for author, text in lines if pattern.search(text)]
        if by and all(author.casefold() != person.casefold() for author in by):
            out.append((value, by[0]))
    return out
