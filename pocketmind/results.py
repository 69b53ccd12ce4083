"""What search and ask return: results that cite exactly one document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any


@dataclass
class Result:
    id: str  # <source>:<native id> of the cited document
    kind: str
    source: str
    title: str
    snippet: str
    time: str | None  # ISO 8601 with the original offset when known
    uri: str | None
    score: float
    text: str = ""  # the whole retrieved passage (what the model is shown)
    heading: str = ""
    author: str | None = None
    conversation: str | None = None
    people: list[str] = field(default_factory=list)
    place: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in snippet
    similarity: float = 0.0  # cosine similarity of the best vector match (0 if none)
    lexical: bool = False  # full-text search found it too
    chunk_id: int | None = None
    occurred_at: int | None = None  # wall-clock seconds (see wall_seconds)
    ended_at: int | None = None
    base_score: float = 0.0  # the score before the question's boosts (person, place, kind)

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """What --json prints; ``full``: every field, for :meth:`from_json` (the daemon's socket)."""
        if full:
            return asdict(self)
        return {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "title": self.title,
            "snippet": self.snippet,
            "time": self.time,
            "uri": self.uri,
            "author": self.author,  # who wrote it (messages), what --person matches there
            "conversation": self.conversation,
            "score": round(self.score, 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Result":
        known = {f.name for f in fields(cls)}
        result = cls(**{k: v for k, v in data.items() if k in known})
        result.highlights = [tuple(span) for span in result.highlights]
        return result


@dataclass
class Quote:
    """The exact line of a cited passage that supports an answer."""

    citation: int  # 1-based number of the citation it is from
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {"citation": self.citation, "quote": self.quote}

    def said_by(self, cited: Result) -> str | None:
        """Who wrote the quoted line. A message passage is a window of the conversation and
        its lines are quoted as "who: text": the line may be the reply to the cited message,
        by someone else, and the card must not put the cited author's name on it."""
        if cited.kind == "message" and cited.author:
            who, colon, _ = self.quote.partition(": ")
            if colon and 0 < len(who) <= 60:
                return who
        return cited.author

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Quote":
        return cls(data["citation"], data["quote"])


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Result]  # the passages the answer was made from (given to the model), in prompt order
    found: bool = True  # False when the data does not answer it (the citations are then the closest passages)
    prompt_tokens: int = 0
    seconds: float = 0.0
    evidence: list[Quote] = field(default_factory=list)  # the supporting line of each cited passage
    source: str = "model"  # how it was made: "model", "data" (dates, cards, places), "extractive", "none"
    note: str | None = None  # one short line for the reader, e.g. why the model's answer was not shown

    def to_json(self, full: bool = False) -> dict[str, Any]:
        """What --json prints; ``full``: every field, for :meth:`from_json` (the daemon's socket)."""
        data = {"answer": self.text, "citations": [c.to_json(full) for c in self.citations],
                "evidence": [q.to_json() for q in self.evidence], "found": self.found, "source": self.source,
                "note": self.note}
        if full:
            data.update(question=self.question, prompt_tokens=self.prompt_tokens, seconds=self.seconds)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Answer":
        return cls(data["question"], data["answer"], [Result.from_json(c) for c in data["citations"]], data["found"],
                   data["prompt_tokens"], data["seconds"], [Quote.from_json(q) for q in data["evidence"]],
                   data["source"], data["note"])


def display_time(occurred_local: str | None) -> datetime | None:
    if not occurred_local:
        return None
    try:
        return datetime.fromisoformat(occurred_local)
    except ValueError:
        return None


def wall_seconds(moment: datetime) -> int:
    """Seconds since 1970 of the wall-clock time as written, offset ignored.

    Stored times and time filters both use this, so "October 2025" means the
    October dates a person saw on the calendar or chat, whatever the zone:
    an event at 01:00 on 1 October in Beijing is in October. The exact instant
    stays recoverable from the ISO time kept with its offset.
    """
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def offset_minutes(moment: datetime) -> int | None:
    off = moment.utcoffset() if moment.tzinfo else None
    return None if off is None else int(off / timedelta(minutes=1))
