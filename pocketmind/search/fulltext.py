"""Full-text forms of text and queries, with Chinese and Japanese made searchable.

FTS5's ``unicode61`` tokenizer sees a run of CJK characters as one token and
``trigram`` cannot match words shorter than three characters, so a
two-character Chinese word such as 长城 would find nothing. We do what
Lucene's CJKAnalyzer does: every run of CJK characters is indexed as its
single characters plus its overlapping bigrams, and a query's CJK run must
match all of its bigrams. No dictionary is needed, so it works the same for
Chinese, Japanese kana/kanji and Korean.

Chinese runs also get their dictionary words (jieba, :mod:`.words`) as marked
tokens: a query word matches the word token or, failing that, its bigrams, so
a passage with the word ranks above a bigram accident, and a question's
function words (呢, 吗, 是什么, 哪个 ...) are left out of the query.
"""

from __future__ import annotations

import re

from pocketmind.text import CJK_RANGES, CJK_RUN as _CJK_RUN

from . import words as _words

_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")  # Japanese: no Chinese dictionary for it
# A Latin word ends where a CJK run starts: "我和Steph开会" is 我和 / steph / 开会 (as indexed).
_WORD = re.compile(rf"[{CJK_RANGES}]+|[^\W_{CJK_RANGES}]+(?:['’][^\W_{CJK_RANGES}]+)?", re.UNICODE)

STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does doing for from had has have he her hers him his
    how i if in into is it its me my of on or our she so than that the their them then there these they this
    to too was we were what when where which while who whom why will with would you your yours about any
    tell know ever did say said""".split()
)


# Bigrams that carry no topic in a Chinese question ("when", "what", "we" ...)
# and bigrams spanning a particle; dropped from long CJK query runs.
_CJK_STOP_BIGRAMS = frozenset("什么 时候 怎么 为什 么时 哪里 哪天 哪儿 多少 是不 不是 我们 你们 他们 她们 这个 那个 一个 有没 没有 有什 可以 知道 还是 就是 时间 几号".split())
_CJK_PARTICLES = set("的了吗呢吧啊呀么是在有和与也都就还")


def _content_bigrams(run: str) -> list[str]:
    """The bigrams of a long query run that carry its topic, each an FTS5 phrase.
    (Also dropping every bigram touching a jieba function word cost MADial zh R@5
    59.7 -> 57.9: conversational queries lose too much.)"""
    grams = [run[i : i + 2] for i in range(len(run) - 1)]
    kept = [g for g in grams if g not in _CJK_STOP_BIGRAMS and not (set(g) & _CJK_PARTICLES)]
    return [f'"{g}"' for g in dict.fromkeys(kept)]


def _cjk_tokens(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    tokens = list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
    if _HAN.search(run):
        tokens += [_words.WORD_MARK + w for w in _words.index_words(run)]
    return tokens


def _cjk_query_parts(run: str) -> list[str]:
    """A Chinese run of a query, read with its words (:mod:`.words`); function words left out.

    A short run (up to four characters, usually one word or a word and a
    particle: 表弟呢) needs each content word, as its word token or all its
    bigrams. In a longer run (a phrase or sentence) any content bigram may
    match, for partial credit, and each content word's token adds to it, so
    passages sharing the words rank first (MADial zh R@5: words alone 55.8,
    bigrams alone 59.5, both 60.0).
    """
    content = [w for w in dict.fromkeys(_words.content_words(run))]
    if len(run) > 4:
        return _content_bigrams(run) + [f'"{_words.WORD_MARK}{w}"' for w in content if len(w) > 1]
    longer = [w for w in content if len(w) > 1]
    if not longer:
        return [f'"{w}"' for w in content]  # single characters only: 猫, 车
    parts = []
    for word in longer:
        bigrams = [f'"{word[i : i + 2]}"' for i in range(len(word) - 1)]
        chars = bigrams[0] if len(bigrams) == 1 else "(" + " AND ".join(bigrams) + ")"
        parts.append(f'("{_words.WORD_MARK}{word}" OR {chars})')
    return parts


def index_form(text: str) -> str:
    """The text as FTS5 should index it: CJK runs expanded to unigrams and bigrams."""
    if not _CJK_RUN.search(text):
        return text
    return _CJK_RUN.sub(lambda m: " " + " ".join(_cjk_tokens(m.group())) + " ", text)


def query_terms(query: str) -> list[str]:
    """Meaningful terms of a query: words without stopwords, CJK runs kept whole."""
    terms = []
    for token in _WORD.findall(query):
        if _CJK_RUN.fullmatch(token):
            terms.append(token)
        elif token.lower() not in STOPWORDS and (len(token) > 1 or token.isdigit()):
            terms.append(token.lower())
    return terms


def match_expression(query: str) -> str:
    """An FTS5 MATCH expression: any term may match (a Chinese run: any of its
    content words, see :func:`_cjk_query_parts`; other CJK: :func:`_bigram_parts`)."""
    return " OR ".join(match_parts(query))


def match_parts(query: str) -> list[str]:
    """The alternatives of :func:`match_expression`, each a valid FTS5 expression."""
    parts = []
    for term in dict.fromkeys(query_terms(query)):
        if _CJK_RUN.fullmatch(term) and _HAN.search(term) and not _KANA.search(term):
            parts += _cjk_query_parts(term) or _bigram_parts(term)
        elif _CJK_RUN.fullmatch(term):
            parts += _bigram_parts(term)
        else:
            parts.append('"' + term.replace('"', '""') + '"')
    return parts


def _bigram_parts(term: str) -> list[str]:
    """A CJK run read without a dictionary: a short one (usually one word) needs all its
    bigrams; in a long one (a phrase) any content bigram may match, BM25 ranking
    passages sharing more of them first."""
    if len(term) > 4:
        return _content_bigrams(term)
    if len(term) > 2:
        return ["(" + " AND ".join(f'"{term[i : i + 2]}"' for i in range(len(term) - 1)) + ")"]
    return [f'"{term}"']


def split_or(match: str) -> list[str]:
    """The top-level ``OR`` alternatives of an FTS5 expression (quotes and
    parentheses respected), so each can be weighed on its own."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(match):
        ch = match[i]
        if ch == '"':
            quoted = not quoted  # a doubled "" inside a string toggles twice
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and match.startswith(" OR ", i):
            parts.append(match[start:i].strip())
            start = i + 4
            i += 4
            continue
        i += 1
    parts.append(match[start:].strip())
    return [p for p in parts if p]


def selective_parts(parts: list[str], matches: dict[str, int], budget: int) -> list[str]:
    """The alternatives worth scoring on a large store: rarest first while the
    passages they match add up to at most ``budget`` (the rarest is always kept).

    A term matching a large share of the store says little about the question
    (BM25 gives it a small weight) but scoring every passage it matches is
    what makes an OR query slow at a million chunks.
    """
    ranked = sorted(parts, key=lambda p: matches.get(p, 0))
    keep, total = set(), 0
    for part in ranked:
        if keep and total + matches.get(part, 0) > budget:
            break
        keep.add(part)
        total += matches.get(part, 0)
    return [p for p in parts if p in keep]
