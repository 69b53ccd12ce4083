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


class _CompiledOnUse:
    """A pattern compiled the first time it is used. A class of these large ranges takes ~10 ms
    to compile; every pocketmind process imports this module, and most (a CLI call answered by
    the daemon among them) never look at a script."""

    def __init__(self, pattern: str):
        self._pattern = pattern
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(self._pattern)
        value = getattr(self._compiled, name)
        setattr(self, name, value)  # found directly from now on: no lookup cost in hot loops
        return value


CJK_CHAR = _CompiledOnUse(f"[{CJK_RANGES}]")
CJK_RUN = _CompiledOnUse(f"[{CJK_RANGES}]+")
HAN_WORD = _CompiledOnUse(r"[\u4e00-\u9fff]{2,4}")  # a name or place written in Chinese characters
_HAN_KANA = _CompiledOnUse(f"[{HAN_KANA_RANGES}]")
_KANA = _CompiledOnUse(r"[\u3040-\u30ff]")
_HANGUL = _CompiledOnUse(f"[{HANGUL_RANGES}]")


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


# What a terminal would act on instead of showing: escape sequences (CSI such as colours and
# cursor moves, OSC such as window titles and hyperlinks, DCS/APC/PM strings, two-byte ESC
# codes), C0 and C1 control characters, DEL, and the bidi embeddings, overrides and isolates
# that make text display in another order than it is stored ("Trojan Source"). Plain
# direction marks (U+200E, U+200F) are harmless and kept for right-to-left text.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)"
)
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_CONTROL_BUT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")  # keeps \t and \n
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
_SHOWN_AS = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def printable(text: str) -> str:
    """Indexed text as it may reach a terminal: escape sequences and control characters
    removed, line breaks and tabs kept (a snippet, an answer, a quoted passage)."""
    return _CONTROL_BUT_LAYOUT.sub("", _ESCAPE_SEQUENCE.sub("", text))


def one_line(text: str) -> str:
    """A name, path or message shown on one line exactly as it is: every control character
    written as its escape (a newline in a file name as ``\\n``, ESC as ``\\x1b``)."""
    return _CONTROL.sub(lambda m: _SHOWN_AS.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                                 else f"\\u{ord(m.group()):04x}"), text)
