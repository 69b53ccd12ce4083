"""The terminal UI through a running daemon: Textual's Pilot, real engines, a real daemon serving its socket
(in a thread of this process, so it shares the warm models), and the fallback to the TUI's own engine."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Input, Label, Static

from daemons import MODEL_QUESTION, WaitingPlugin, daemon_thread
from helpers import SAMPLES
from pocketmind import client as client_mod
from pocketmind.engine import Engine
from pocketmind.hookspecs import hookimpl
from pocketmind.protocol import PROTOCOL_VERSION, socket_path
from pocketmind.results import Answer
from pocketmind.tui.app import DAEMON_STOPPED, make_app
from pocketmind.tui.ask import Exchange, answer_card
from pocketmind.tui.messages import AnswerStreamed
from pocketmind.tui.search import SearchScreen
from pocketmind.tui.sources import SourcesScreen
from pocketmind.tui.widgets import ResultList, result_prompt
from test_tui import QUESTION, ask, option_texts, static_text, wait_until

QUERY = "fox charm at Fushimi Inari"


@pytest.fixture(scope="module")
def home(tmp_path_factory, warm_models):
    """One indexed home (sample notes + the WhatsApp chat) for the module; each test opens its own engines on it."""
    home = tmp_path_factory.mktemp("tui-daemon") / "home"
    with Engine(home=home) as eng:
        eng.add_source("notes", SAMPLES / "notes", name="notes")
        eng.add_source("messages", SAMPLES / "messages", name="chats")
        assert [s.failed for s in eng.index()] == [0, 0]
    return home


class QuickAnswerer:
    """The TUI's own model in the fallback test: a stand-in that answers at once (the 270M model takes a
    minute on the loaded test machine, and which model answers is not what that test is about)."""

    name = "quick"

    def answer(self, question, contexts, on_token=None, cancel=None):
        text = "A small fox charm [1]"
        if on_token is not None:
            on_token(text)
        return Answer(question, text, list(contexts), True, source="model")


class QuickPlugin:
    @hookimpl
    def register_answerers(self, register):
        register("quick", lambda settings, paths: QuickAnswerer())


async def search(pilot, query: str) -> SearchScreen:
    await pilot.press("f3")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    status = screen.query_one("#search-status", Label)
    status.update("")  # so the last search's line is not taken for this one's
    screen.query_one("#query", Input).value = query
    screen.query_one("#query", Input).focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: f"for “{query}”" in static_text(status) and "searching" not in static_text(status), what="the search")
    return screen


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.asyncio
async def test_a_search_and_an_ask_typed_in_the_tui_are_answered_by_the_daemon(home):
    with Engine(home=home) as served, daemon_thread(served) as daemon, Engine(home=home) as own:
        expected_results = served.search(QUERY)  # in-process, on the daemon's engine
        expected = served.ask(QUESTION)
        streamed: list[AnswerStreamed] = []  # each as often as it is handled: by the screen, then the app it bubbles to
        app = make_app(own)
        hook = lambda message: streamed.append(message) if isinstance(message, AnswerStreamed) else None  # noqa: E731
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            screen = await search(pilot, QUERY)
            results = screen.query_one("#results", ResultList)
            assert [r.id for r in results.results] == [r.id for r in expected_results]
            assert option_texts(results) == [str(result_prompt(n, r)) for n, r in enumerate(expected_results, 1)]
            status = static_text(screen.query_one("#search-status", Label))
            assert f"by the daemon (pid {os.getpid()})" in status

            await pilot.press("f2")
            screen = await ask(pilot, QUESTION)
            await wait_until(pilot, lambda: screen.running is None, what="the answer")
            exchange = screen.exchanges[0]
            assert (exchange.state, exchange.text) == ("done", "1 March 2025 [1]")
            card = Exchange(QUESTION, expected.text, expected.citations, expected.evidence, expected.note, expected.found, "done")
            assert static_text(screen.query_one("#answer", Static)) == answer_card(card).plain
            assert [r.id for r in exchange.citations] == [r.id for r in expected.citations]
            tokens = [m.token for n, m in enumerate(streamed) if not any(m is seen for seen in streamed[:n])]
            assert "".join(tokens) == exchange.text  # the answer's tokens arrived through the socket
            citations = len(expected.citations)  # what the in-process engine cites for the same question
            assert citations >= 3
            assert f"answered · {citations} citations · by the daemon" in static_text(screen.query_one("#answer-status", Label))
            assert notices(app) == []
            assert not own.models_loaded  # the TUI's engine loaded no model: the daemon answered both

            # The daemon stops between two searches: the TUI says so once and answers with its own engine.
            daemon.stop()
            await wait_until(pilot, lambda: not socket_path(served.paths).exists(), what="the daemon to stop")
            screen = await search(pilot, QUERY)
            assert [r.id for r in screen.query_one("#results", ResultList).results] == [r.id for r in expected_results]
            assert static_text(screen.query_one("#search-status", Label)).endswith("· in-process  ·  Enter opens one")
            assert notices(app) == [DAEMON_STOPPED]
            told = list(app._notifications)
            await search(pilot, "Berlin")
            assert list(app._notifications) in (told, [])  # not told again (the first may have timed out)


@pytest.mark.asyncio
async def test_when_the_daemon_stops_mid_answer_the_tui_answers_with_its_own_engine(home):
    plugin = WaitingPlugin()  # the daemon's model waits: the answer is still being made when it stops
    with Engine(home=home, plugins=[plugin]) as served, Engine(home=home, plugins=[QuickPlugin()]) as own:
        served.settings.set("models.answerer", "waits")
        own.settings.set("models.answerer", "quick")
        with daemon_thread(served) as daemon:
            app = make_app(own)
            async with app.run_test(size=(120, 40)) as pilot:
                screen = await ask(pilot, MODEL_QUESTION)
                await wait_until(pilot, plugin.answerer.started.is_set, what="the daemon to start answering")
                daemon.stop()
                exchange = screen.exchanges[0]
                await wait_until(pilot, lambda: exchange.served_by == "in-process", what="the question asked again in-process")
                assert plugin.answerer.cancelled.is_set()  # the daemon's half-made answer was stopped
                assert notices(app) == [DAEMON_STOPPED]
                await wait_until(pilot, lambda: screen.running is None, what="the answer in-process")
                assert (exchange.state, exchange.text) == ("done", "A small fox charm [1]")
                assert exchange.citations[0].id == "notes:Kyoto trip.md"
                assert static_text(screen.query_one("#answer-status", Label)).endswith("· in-process")
                assert set(notices(app)) <= {DAEMON_STOPPED}  # no error (the notice may have timed out)


@pytest.mark.asyncio
async def test_a_daemon_of_another_protocol_version_is_one_clear_line(home, monkeypatch):
    monkeypatch.setattr(client_mod, "PROTOCOL_VERSION", PROTOCOL_VERSION + 1)  # a newer pocketmind beside this daemon
    with Engine(home=home) as served, daemon_thread(served), Engine(home=home) as own:
        app = make_app(own)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await search(pilot, QUERY)
            assert screen.query_one("#results", ResultList).results[0].id == "notes:Kyoto trip.md"
            assert "· in-process" in static_text(screen.query_one("#search-status", Label))
            await search(pilot, "Berlin")
            assert notices(app) == [
                f"the running pocketmind daemon speaks protocol version {PROTOCOL_VERSION}, this pocketmind speaks version "
                f"{PROTOCOL_VERSION + 1}: restart the daemon so both are the same version (`pocketmind daemon stop`, then "
                "`pocketmind daemon start`); answering in-process meanwhile"]


@pytest.mark.asyncio
async def test_index_on_the_sources_screen_is_handed_to_the_running_daemon(home):
    with Engine(home=home) as served, daemon_thread(served) as daemon, Engine(home=home) as own:
        app = make_app(own)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f4")
            screen = app.screen
            assert isinstance(screen, SourcesScreen)
            await pilot.press("i")  # one writer at a time: the daemon indexes, as for `pocketmind index`
            await wait_until(pilot, lambda: {r["why"] for r in daemon.last_runs.values()} == {"requested scan"},
                             what="the daemon to index on request")
            assert sorted(daemon.last_runs) == ["chats", "notes"]
            assert static_text(screen.query_one("#index-status", Label)) == (
                f"indexing handed to the daemon (pid {os.getpid()}); r refreshes the counts")
            assert not screen.indexing and not own.models_loaded and notices(app) == []
