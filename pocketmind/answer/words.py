"""The words a question is about, and whether a passage is about them.

Answers taken from the data (a date, a place, an author) are only given when
the passage is about the question's subject: "When was my Japan trip?" must
not be answered with the date of whatever came first. Question words, type
words ("when", "photo", "number") and function words are not the subject.
"""

from __future__ import annotations

import re
from typing import Iterable

from pocketmind.results import Result
from pocketmind.search.fulltext import STOPWORDS
from pocketmind.text import CJK_RUN, has_cjk

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# Month and day names: capitalised, yet they name nothing a passage must say.
CALENDAR_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split())
_POSSESSIVE = re.compile(r"['’]s$", re.I)
# Words that ask, or name the kind of thing asked for, rather than the subject.
_ASKING = frozenset("""
what when where who whom which why how did does do is are was were will would could should can may might
date day time year month week happen happened take taken took go went get got have has had make made
photo photos picture pictures pic pics image images note notes message messages calendar event events
number phone cell mobile email e-mail address birthday born live lives place located say said tell told
mention mentioned write wrote ask asked send sent offer offered suggest suggested my me i our we you your
last next ago first there their them they he she his her its it the a an much many
""".split()) | STOPWORDS
# A Chinese question about an English passage shares no word with it: the passage is about
# the question's subject when the multilingual embedder puts them this close (USE: related
# zh/en text 0.4-0.6, unrelated below 0.3; "谁在亚马逊雨林看到了…金刚鹦鹉" / "I spotted a rare
# Hyacinth Macaw ... in the Amazon Rainforest": 0.58).
CROSS_LINGUAL_SIMILARITY = 0.4
# "How long has Nate had his snakes?" asks a length: "long" is not its subject ("Long time no see").
_HOW_ADJECTIVE = re.compile(r"\bhow\s+(?:long|often|old|far|big|soon|well)\b", re.I)
_CJK_FUNCTION = set("的了吗呢吧啊呀么是在有和与也都就还我你他她它们这那哪里什么谁几时候怎样")


def stem(word: str) -> str:
    """A crude English stem: enough for "trips" ~ "trip", "moving" ~ "move", and the same
    stem for every form of a verb ("refuse", "refuses", "refused" -> "refus"; "discuss",
    "discussed" -> "discuss"): a final "e" goes, a final "ss" stays."""
    word = word.casefold()
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not (suffix == "s" and word.endswith("ss")):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def content_words(question: str) -> set[str]:
    """Stems of the question's subject words; CJK runs as bigrams without function characters."""
    words = {stem(w) for w in _latin_words(_HOW_ADJECTIVE.sub(" ", question)) if w.casefold() not in _ASKING}
    for run in CJK_RUN.findall(question):
        kept = "".join(c if c not in _CJK_FUNCTION else " " for c in run)
        for piece in kept.split():
            words.update(piece[i : i + 2] for i in range(max(1, len(piece) - 1)))
    return {w for w in words if w}


def _latin_words(text: str) -> list[str]:
    """The words outside CJK runs ("Steph" of "我和Steph开会"), without a possessive "'s"
    ("Dmitry's" is "Dmitry", not "dmitry'")."""
    return [_POSSESSIVE.sub("", w) for w in _WORD.findall(CJK_RUN.sub(" ", text))]


def words_of(texts: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        out.update(stem(w) for w in _latin_words(text))
        for run in CJK_RUN.findall(text):
            out.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
            out.update(run)
    return out


def about_subject(words: set[str], result: Result, own_text: bool = False) -> bool:
    """Whether ``result`` says one of the question's subject ``words`` (any, when it has none)."""
    if not words:
        return True
    if across_languages(words, result):
        return result.similarity >= CROSS_LINGUAL_SIMILARITY
    if own_text:
        marked = next((line for line in (result.text or "").splitlines() if line.startswith("»")), None)
        fields = [marked or result.text or result.snippet]
    else:
        fields = [result.title, result.text or result.snippet, result.place or "", result.author or "",
                  " ".join(result.people), result.conversation or "", " ".join(map(str, result.metadata.get("tags", [])))]
    return bool(words & words_of(fields))



def across_languages(words: set[str], result: Result) -> bool:
    """Whether the question's subject ``words`` are all Chinese and ``result`` has no Chinese
    to match them: only the multilingual similarity can say if it is about them."""
    texts = (result.title, result.text or result.snippet)
    return all(has_cjk(w) for w in words) and not any(has_cjk(t or "") for t in texts)
