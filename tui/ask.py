"""Ask: a question box, the answer streaming in, its citations, and this session's history."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, ListItem, ListView, Static
from textual.worker import Worker, WorkerState

from pocketmind.permissions import make_private_dir, write_private
from pocketmind.results import Quote, Result
from pocketmind.text import one_line, printable

from .detail import DetailScreen
from .messages import AnswerFinished, AnswerStarted, AnswerStreamed, PassagesRead
from .widgets import EngineScreen, ResultList, short_time


@dataclass
class Exchange:
    """One question of this session and what came back."""

    question: str
    text: str = ""
    citations: list[Result] = field(default_factory=list)
    evidence: list[Quote] = field(default_factory=list)
    note: str | None = None
    found: bool = True
    state: str = "answering"  # answering | done | cancelled | failed
    served_by: str = ""  # "by the daemon (pid N)" or "in-process"


class AskScreen(EngineScreen):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel answer"),
        Binding("ctrl+s", "save", "Save Q&A"),
        Binding("ctrl+l", "focus_question", "New question"),
        Binding("ctrl+o", "focus_citations", "Citations"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[Exchange] = []
        self.shown: Exchange | None = None
        self.running: Exchange | None = None
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="history-pane"):
                yield Label("History", classes="pane-title")  # each question whole, wrapped
                yield ListView(id="history")
            with Vertical(id="ask-main"):
                yield Input(placeholder="Ask a question about your data, then Enter", id="question")
                with VerticalScroll(id="answer-box"):
                    yield Static("Ask anything: “When is Anna moving to Berlin?”", id="answer")
                yield Label("", id="answer-status")
                yield Label("Citations (Enter opens one)", classes="pane-title")
                yield ResultList(id="citations")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#question", Input).focus()

    # -- asking ---------------------------------------------------------------

    @on(Input.Submitted, "#question")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        if self.running is not None:
            self.notify("An answer is still being written; Esc cancels it.", severity="warning")
            return
        exchange = Exchange(question)
        self.exchanges.append(exchange)
        self.query_one("#history", ListView).append(ListItem(Label(Text(_history_label(exchange))), name=str(len(self.exchanges) - 1)))
        self.running = exchange
        self._cancel = threading.Event()
        self._show(exchange)
        self.run_answer(question, self._cancel)

    @work(thread=True, exit_on_error=False, group="ask")
    def run_answer(self, question: str, cancel: threading.Event) -> None:
        def ask(reader, served_by: str):
            self.post_message(AnswerStarted(served_by))
            return reader.ask(question, on_token=lambda token: self.post_message(AnswerStreamed(token)), cancel=cancel,
                              on_passages=lambda quotes, passages: self.post_message(PassagesRead(quotes, passages)))

        answer = self.app.read(ask)
        self.post_message(AnswerFinished(answer, cancel.is_set()))

    def on_answer_started(self, message: AnswerStarted) -> None:
        if self.running is None:
            return
        self.running.text, self.running.served_by = "", message.served_by  # a retry in-process starts afresh

    def on_passages_read(self, message: PassagesRead) -> None:
        """While the model answers: the lines it reads under "…", the passages as citations."""
        if self.running is None:
            return
        self.running.evidence, self.running.citations = message.quotes, message.passages
        if self.shown is self.running:
            self._show(self.running)

    def on_answer_streamed(self, message: AnswerStreamed) -> None:
        if self.running is None:
            return
        self.running.text += message.token
        if self.shown is self.running:
            self.query_one("#answer", Static).update(Text(printable(self.running.text)))
            self.query_one("#answer-box", VerticalScroll).scroll_end(animate=False)

    def on_answer_finished(self, message: AnswerFinished) -> None:
        exchange = self.running
        if exchange is None:
            return
        exchange.text = message.answer.text
        exchange.citations = message.answer.citations
        exchange.evidence, exchange.note, exchange.found = message.answer.evidence, message.answer.note, message.answer.found
        exchange.state = "cancelled" if message.cancelled else "done"
        self._finish(exchange)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # The app shows the error; here the exchange only stops waiting.
        if event.worker.group == "ask" and event.state == WorkerState.ERROR and self.running is not None:
            self.running.state = "failed"
            self._finish(self.running)

    def _finish(self, exchange: Exchange) -> None:
        self.running = None
        index = self.exchanges.index(exchange)
        history = self.query_one("#history", ListView)
        history.children[index].query_one(Label).update(Text(_history_label(exchange)))
        if self.shown is exchange:
            self._show(exchange)
            question = self.query_one("#question", Input)
            # Enter should now open a citation, not ask again; a new question being typed keeps the focus.
            if exchange.citations and self.focused is question and question.value.strip() == exchange.question:
                self.query_one("#citations", ResultList).focus()

    def action_cancel(self) -> None:
        if self.running is not None:
            self._cancel.set()
            self.query_one("#answer-status", Label).update("cancelling…")

    def action_focus_question(self) -> None:
        question = self.query_one("#question", Input)
        question.value = ""
        question.focus()

    def action_focus_citations(self) -> None:
        self.query_one("#citations", ResultList).focus()

    # -- showing ----------------------------------------------------------------

    def _show(self, exchange: Exchange) -> None:
        self.shown = exchange
        self.query_one("#answer", Static).update(answer_card(exchange))
        status = {
            "answering": "answering… (Esc cancels)",
            "done": f"answered · {len(exchange.citations)} citations",
            "cancelled": "cancelled · the answer was stopped",
            "failed": "failed · see the notification",
        }[exchange.state] + (f" · {exchange.served_by}" if exchange.served_by else "")
        self.query_one("#answer-status", Label).update(Text(one_line(f"Q: {exchange.question}  —  {status}")))
        self.query_one("#citations", ResultList).show(exchange.citations)

    @on(ListView.Selected, "#history")
    def revisit(self, event: ListView.Selected) -> None:
        self._show(self.exchanges[int(event.item.name or 0)])

    @on(ResultList.Opened, "#citations")
    def open_citation(self, event: ResultList.Opened) -> None:
        self.app.push_screen(DetailScreen(event.result))

    # -- saving -------------------------------------------------------------------

    def action_save(self) -> None:
        exchange = self.shown
        if exchange is None or exchange.state == "answering":
            self.notify("Nothing to save yet: ask a question and let it finish.", severity="warning")
            return
        if self.app.engine.store.encrypted:
            # A saved answer quotes indexed text; next to an encrypted database it would be a plain copy.
            self.notify("Not saved: the database is encrypted, and a saved answer would be a plain-text copy of it.",
                        severity="warning")
            return
        folder = Path(self.app.engine.paths.data_dir) / "answers"
        slug = re.sub(r"[^\w]+", "-", exchange.question.lower()).strip("-")[:40] or "answer"
        path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}.md"
        make_private_dir(folder)
        write_private(path, exchange_markdown(exchange))
        self.notify(one_line(f"Saved to {path}"), title="Q&A saved", markup=False)


def answer_card(exchange: Exchange) -> Text:
    """The answer, its note, and the quoted line of each cited passage with who and when."""
    card = Text(printable(exchange.text or "…"))
    if exchange.note:
        card.append(f"\n{printable(exchange.note)}", style="dim")
    for quote in exchange.evidence:
        cited = exchange.citations[quote.citation - 1]
        who = " · ".join(x for x in (cited.kind, quote.said_by(cited), short_time(cited.time) if cited.time else None) if x)
        card.append(f"\n[{quote.citation}] ", style="bold cyan")
        card.append(f"“{printable(quote.quote)}”")
        card.append(f"  {one_line(who)}", style="dim")
    if not exchange.found and exchange.citations and exchange.state == "done":
        card.append("\nThe closest passages are listed below.", style="dim")
    return card


def _history_label(exchange: Exchange) -> str:
    mark = {"answering": "…", "done": "", "cancelled": " (cancelled)", "failed": " (failed)"}[exchange.state]
    return one_line(f"{exchange.question}{mark}")


def exchange_markdown(exchange: Exchange) -> str:
    lines = [f"# {exchange.question}", "", exchange.text or "_(no answer)_", ""]
    if exchange.note:
        lines += [f"_{exchange.note}_", ""]
    for quote in exchange.evidence:
        lines += [f"> [{quote.citation}] {quote.quote}", ""]
    if exchange.state == "cancelled":
        lines += ["_The answer was cancelled before it finished._", ""]
    if exchange.citations:
        lines += ["## Citations", ""]
        for n, r in enumerate(exchange.citations, 1):
            when = f" · {short_time(r.time)}" if r.time else ""
            lines.append(f"{n}. **{r.title or r.id}** ({r.kind} · {r.source}{when}) `{r.id}`")
            lines.append(f"   > {r.snippet.replace(chr(10), ' ')}")
            if r.uri:
                lines.append(f"   <{r.uri}>")
    return "\n".join(lines) + "\n"
