"""Summaries as dated lists: "summarise my chat with Anna last week", "what did I do in Kyoto".

A small model asked for a summary writes a vague paragraph or nothing. A
dated list built from the passages themselves is shorter, never invents,
and every line cites its passage: one line per passage, in time order.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Sequence

from pocketmind.results import Result
from pocketmind.text import writes_han_dates

from .extractive import units
from .grounded import spoken_date

_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|summary|recap|overview|what (?:did|have) (?:i|we) (?:do|did|done)|what happened)\b"
    r"|总结|概括|汇总|摘要|做了什么|干了什么|发生了什么", re.I)
MAX_LINES = 8
LINE_CHARS = 140


def is_summary_question(question: str) -> bool:
    return _SUMMARY.search(question) is not None


def dated_list(question: str, passages: Sequence[Result]) -> str | None:
    """One line per passage, oldest first: "<date>: <its first line> [n]"."""
    cjk = writes_han_dates(question)
    rows = []
    for n, result in enumerate(passages[:MAX_LINES], 1):
        found = units(result)
        marked = next((line for line in (result.text or "").splitlines() if line.startswith("»")), None)
        line = marked.lstrip("» ").strip() if marked else (found[0][1] if found else result.title)
        if not line:
            continue
        if len(line) > LINE_CHARS:
            line = line[: LINE_CHARS - 1].rstrip() + "…"
        when = datetime.fromisoformat(result.time) if result.time else None
        rows.append((when.replace(tzinfo=None) if when else datetime.max, n, line, when))
    if not rows:
        return None
    rows.sort(key=lambda row: (row[0], row[1]))
    return "\n".join(f"{spoken_date(when.date(), cjk) if when else '(undated)'}: {line} [{n}]" for _, n, line, when in rows)
