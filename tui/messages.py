"""Messages that workers post back to the UI thread (named in the past tense)."""

from __future__ import annotations

from typing import Any

from textual.message import Message

from pocketmind.results import Answer, Quote, Result


class AnswerStarted(Message):
    """The daemon or this app's engine took the question (again, in-process, if the daemon stopped mid-answer)."""

    def __init__(self, served_by: str) -> None:
        super().__init__()
        self.served_by = served_by


class AnswerStreamed(Message):
    """A piece of the answer arrived from the LLM."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


class PassagesRead(Message):
    """The passages the model reads, with the line of each closest to the question (before it answers)."""

    def __init__(self, quotes: list[Quote], passages: list[Result]) -> None:
        super().__init__()
        self.quotes = quotes
        self.passages = passages


class AnswerFinished(Message):
    def __init__(self, answer: Answer, cancelled: bool) -> None:
        super().__init__()
        self.answer = answer
        self.cancelled = cancelled


class SearchFinished(Message):
    def __init__(self, query: str, results: list[Result], served_by: str) -> None:
        super().__init__()
        self.query = query
        self.results = results
        self.served_by = served_by


class SourcesLoaded(Message):
    def __init__(self, sources: list[dict[str, Any]], kinds: list[str]) -> None:
        super().__init__()
        self.sources = sources
        self.kinds = kinds


class IndexProgressed(Message):
    def __init__(self, done: int, total: int, path: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.path = path


class IndexFinished(Message):
    def __init__(self, summaries: list[Any]) -> None:
        super().__init__()
        self.summaries = summaries


class DetailLoaded(Message):
    """The original of a citation: its conversation or its whole document."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        super().__init__()
        self.documents = documents


class SettingsSaved(Message):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
