"""LoCoMo answer scoring, written from the benchmark's definition.

See /work/shared/corpus/locomo/README.md ("How answers are scored"):

- normalise: lower-case, drop commas and punctuation, drop the words
  a / an / the / and, collapse white space;
- token F1 over the multiset of Porter-stemmed words;
- category 1 (multi-hop): prediction and gold are split on commas; each gold
  sub-answer takes its best F1 against any predicted sub-answer; the scores
  are averaged over the gold sub-answers;
- category 3 (open-domain): only the gold text before the first ';' counts;
- categories 2 and 4: plain token F1;
- category 5 (adversarial): 1 when the prediction abstains ("not mentioned"
  or "no information available"), else 0.

Requires ``nltk`` (pure Python; its Porter stemmer needs no data download).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import lru_cache

from nltk.stem import PorterStemmer

ABSTENTION_PHRASES = ("not mentioned", "no information available")
ANSWERABLE_CATEGORIES = (1, 2, 3, 4)
ADVERSARIAL_CATEGORY = 5

_ARTICLES = re.compile(r"\b(a|an|the|and)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_STEMMER = PorterStemmer()
_CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


def normalize(text: object) -> str:
    """Lower-case, no commas/punctuation, no a/an/the/and, single spaces."""
    text = str(text).lower().replace(",", "")
    text = text.translate(_PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stem(word)


def tokens(text: object) -> list[str]:
    return [stem(word) for word in normalize(text).split()]


def token_f1(prediction: object, gold: object) -> float:
    """F1 over the multiset overlap of stemmed, normalised words (0 when either is empty)."""
    predicted, expected = tokens(prediction), tokens(gold)
    same = sum((Counter(predicted) & Counter(expected)).values())
    if same == 0:
        return 0.0
    precision = same / len(predicted)
    recall = same / len(expected)
    return 2 * precision * recall / (precision + recall)


def multi_answer_f1(prediction: object, gold: object) -> float:
    """Category 1: mean over gold sub-answers of the best F1 against any predicted sub-answer."""
    predicted = [part.strip() for part in str(prediction).split(",")]
    expected = [part.strip() for part in str(gold).split(",")]
    return sum(max(token_f1(p, g) for p in predicted) for g in expected) / len(expected)


def contains_gold(prediction: object, qa: dict) -> bool | None:
    """Whether the normalised gold answer appears whole in the normalised prediction
    (answerable categories; a generous companion to F1 for answers with extra words)."""
    if qa["category"] == ADVERSARIAL_CATEGORY:
        return None
    gold = normalize(gold_answer(qa))
    return bool(gold) and f" {gold} " in f" {normalize(prediction)} "


def abstains(prediction: object) -> bool:
    """Whether the prediction says the information is not available."""
    lowered = str(prediction).lower()
    return any(phrase in lowered for phrase in ABSTENTION_PHRASES)


def gold_answer(qa: dict) -> str:
    """The gold answer as scored: category 3 keeps only the text before the first ';'."""
    answer = str(qa.get("answer", qa.get("adversarial_answer", "")))
    if qa["category"] == 3:
        answer = answer.split(";")[0].strip()
    return answer


def strip_citations(answer: str) -> str:
    """The answer without the product's excerpt markers ("7 May 2023 [1]" -> "7 May 2023").

    The markers point at the cited passages; they are not part of the answer
    and would otherwise count as a wrong word ("1") in the F1.
    """
    return _CITATION.sub("", answer).strip()


def score(prediction: object, qa: dict) -> float:
    """The benchmark score of ``prediction`` for the question ``qa`` (a LoCoMo qa item)."""
    category = qa["category"]
    if category == ADVERSARIAL_CATEGORY:
        return 1.0 if abstains(prediction) else 0.0
    if category == 1:
        return multi_answer_f1(prediction, gold_answer(qa))
    if category in (2, 3, 4):
        return token_f1(prediction, gold_answer(qa))
    raise ValueError(f"unknown LoCoMo category {category!r}")
