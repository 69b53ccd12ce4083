"""Which script a text is written in: one place for the CJK ranges.

Full text indexes CJK runs as characters plus bigrams, chunking counts CJK
characters as words, the engine trusts full text over an English-only
embedder on CJK queries, and answers write dates the way the question's
language does. They all read the script from here.
"""

from __future__ import annotations

import re

HAN_KANA_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana, CJK ideographs (+ ext. A, compatibility)
HANGUL_RANGES = "\uac00-\ud7af"
CJK_RANGES = HAN_KANA_RANGES + HANGUL_RANGES

CJK_CHAR = re.compile(f"[{CJK_RANGES}]")
CJK_RUN = re.compile(f"[{CJK_RANGES}]+")
HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")  # a name or place written in Chinese characters
_HAN_KANA = re.compile(f"[{HAN_KANA_RANGES}]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(f"[{HANGUL_RANGES}]")


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def writes_han_dates(text: str) -> bool:
    """Chinese and Japanese write dates as 2025年10月1日 (Korean does not)."""
    return _HAN_KANA.search(text) is not None


def language_of(text: str) -> str:
    """A coarse language tag from the script: "ja", "ko", "zh" or "en" (any Latin script)."""
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN_KANA.search(text):
        return "zh"
    return "en"
