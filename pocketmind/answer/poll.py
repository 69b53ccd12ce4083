"""Polls in chat exports: "which day got the most votes?" is read from the poll's counts.

WhatsApp writes a poll as one message (one line once indexed)::

    POLL: When can we meet? OPTION: Thursday 15 evening (2 votes) OPTION: Friday 16 afternoon (1 vote) ...

Left to the date rule, "which day" was answered with a date resolved from an
option's "Thursday 15"; left to the model, with any option. The counts say it.
"""

from __future__ import annotations

import re
from typing import Sequence

from pocketmind.results import Quote, Result
from pocketmind.text import has_cjk

from .said_when import own_line

_OPTION = re.compile(r"OPTION:\s*(?P<text>.+?)\s*\((?P<votes>\d+)\s+votes?\)", re.I)
_ABOUT_A_POLL = re.compile(r"\b(?:poll|polls|vote|votes|voted|voting)\b|投票|票", re.I)
_MOST = re.compile(r"\b(?:most|won|win|wins|winning|winner|top|popular|favou?rite)\b|最多|最高|赢", re.I)
_FEWEST = re.compile(r"\b(?:fewest|least|lowest|last)\b|最少|最低", re.I)


def poll_answer(question: str, contexts: Sequence[Result]) -> tuple[str, list[Result], list[Quote]] | None:
    """(answer, citations, quotes) for a question about which option of a poll got the most
    (or fewest) votes, read from the first cited poll with counts; None for any other question."""
    if not _ABOUT_A_POLL.search(question):
        return None
    fewest = bool(_FEWEST.search(question))
    if not fewest and not _MOST.search(question):
        return None
    for number, result in enumerate(contexts, 1):
        # The hit's own line, else a line of its conversation window: "Lastly, a poll :)" may
        # rank above the poll it announces, which is then read inside its window.
        lines = [own_line(result), *(result.text or "").splitlines()]
        line = next((line for line in lines if len(_OPTION.findall(line)) >= 2), None)
        if line is None:
            continue
        options = [(m["text"].strip(), int(m["votes"])) for m in _OPTION.finditer(line)]
        target = (min if fewest else max)(votes for _, votes in options)
        chosen = [text for text, votes in options if votes == target]
        quotes = [Quote(number, m.group()) for m in _OPTION.finditer(line) if int(m["votes"]) == target]
        if has_cjk(question):
            text = f"{'、'.join(chosen)}（{'各' if len(chosen) > 1 else ''}{target}票）"
        else:
            unit = "vote" if target == 1 else "votes"
            text = f"{' and '.join(chosen)} ({target} {unit}{' each' if len(chosen) > 1 else ''})"
        return f"{text} [{number}]", list(contexts), quotes
    return None
