"""The terminal UI, driven with Textual's Pilot over the REAL engine and bundled models on the sample data."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select, Static

from pocketmind.engine import Engine
from pocketmind.results import Result
from pocketmind.tui.app import make_app
from pocketmind.tui.ask import AskScreen
from pocketmind.tui.detail import DetailScreen, file_path_of
from pocketmind.tui.help import HelpScreen
from pocketmind.tui.modals import AddSourceModal, ConfirmModal
from pocketmind.tui.search import SearchScreen
from pocketmind.tui.settings_screen import SettingsScreen
from pocketmind.tui.sources import SourcesScreen
from pocketmind.tui.widgets import ResultList

SAMPLES = Path(__file__).resolve().parents[1] / "pocketmind" / "samples"
QUESTION = "When is Anna moving to Berlin?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """One indexed home (sample notes + the WhatsApp chat) shared by the module: models load once."""
    with Engine(home=tmp_path_factory.mktemp("tui-home")) as eng:
        eng.add_source("notes", SAMPLES / "notes", name="notes")
        eng.add_source("messages", SAMPLES / "messages", name="chats")
        summaries = eng.index()
        assert [s.failed for s in summaries] == [0, 0]
        yield eng


@pytest.fixture
def empty_engine(tmp_path):
    with Engine(home=tmp_path / "empty-home") as eng:
        yield eng


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 120, what: str = "", step: float = 0.1) -> None:
    """Let the app run until ``condition`` holds (workers run the real models; the machine is shared)."""
    deadline = time.monotonic() + timeout
    while not condition():
        failures = [n.message for n in pilot.app._notifications if n.severity == "error" and n.title == "unexpected error"]
        assert not failures, f"a worker failed while waiting for {what}: {failures}"
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        await pilot.pause(step)


def static_text(widget: Static | Label) -> str:
    return str(widget.content)


def option_texts(results: ResultList) -> list[str]:
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def ask(pilot: Pilot, question: str) -> AskScreen:
    screen = pilot.app.screen
    assert isinstance(screen, AskScreen)
    await pilot.press("ctrl+l")  # to the question box (after an answer the focus is on its citations)
    screen.query_one("#question", Input).value = question
    await pilot.press("enter")
    return screen


@pytest.mark.asyncio
async def test_ask_shows_an_answer_card_and_opens_a_message_in_its_conversation(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: screen.exchanges[0].state != "answering", what="the answer")
        exchange = screen.exchanges[0]
        assert exchange.state == "done"
        assert exchange.text.strip()
        card = static_text(screen.query_one("#answer", Static)).strip().splitlines()
        assert card[0] == exchange.text  # the answer, then its quoted evidence
        assert card[1] == "[1] “Anna: I'm moving to Berlin on the 1st of March.”  message · Anna · 2025-01-18 11:42"
        assert "answered" in static_text(screen.query_one("#answer-status", Label))
        citations = screen.query_one("#citations", ResultList)
        assert citations.option_count == len(exchange.citations) > 0
        shown = option_texts(citations)
        assert exchange.citations[0].snippet.replace("\n", " ") in shown[0]
        assert any("messages/WhatsApp Chat with Anna.txt · line " in text for text in shown)

        # Open the first cited message: the detail screen shows its conversation with it marked.
        index = next(i for i, r in enumerate(exchange.citations) if r.kind == "message")
        cited = exchange.citations[index]
        citations.focus()
        citations.highlighted = index
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen) and bool(app.screen.query(".message")), what="detail")
        detail = app.screen
        messages = list(detail.query(".message"))
        assert len(messages) >= 5  # the surrounding conversation, not just the cited line
        marked = list(detail.query(".message.-match"))
        assert len(marked) == 1
        original = engine.store.documents([cited.id])[cited.id]
        assert static_text(marked[0]).endswith(original["text"])
        assert original["author"] in static_text(marked[0])
        await pilot.press("escape")
        assert app.screen is screen


def rendered_lines(widget) -> list[str]:
    """What a widget shows on screen, line by line."""
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))]


@pytest.mark.asyncio
async def test_after_an_answer_enter_opens_a_citation_that_shows_where_it_is(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: screen.running is None, what="the answer")
        citations = screen.query_one("#citations", ResultList)
        assert app.focused is citations  # Enter now opens a citation instead of asking again

        # Each citation says which file and where in it, not the internal id.
        shown = option_texts(citations)
        for text, cited in zip(shown, screen.exchanges[0].citations):
            assert cited.id not in text
        anna = next(i for i, r in enumerate(screen.exchanges[0].citations) if r.kind == "message")
        line = screen.exchanges[0].citations[anna].metadata["line"]
        assert f"messages/WhatsApp Chat with Anna.txt · line {line}" in shown[anna]

        # The history row shows the whole question, wrapped in its narrow pane.
        row = screen.query_one("#history").children[0].query_one(Label)
        assert " ".join(" ".join(rendered_lines(row)).split()) == QUESTION
        assert len(rendered_lines(row)) >= 2 and row.outer_size.width <= screen.query_one("#history-pane").size.width

        for _ in range(anna):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), what="the cited message")
        assert app.screen.result is screen.exchanges[0].citations[anna]
        assert len(screen.exchanges) == 1  # the question was not asked again


@pytest.mark.asyncio
async def test_escape_cancels_a_running_answer(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.query_one("#question", Input).value = "What should I bring to the party, and why?"
        # Post both keys at once: pilot.press would wait for the streamed tokens to go quiet first.
        app.post_message(events.Key("enter", "\r"))
        await wait_until(pilot, lambda: screen.running is not None, what="the question to start", step=0.01)
        app.post_message(events.Key("escape", None))
        await wait_until(pilot, lambda: bool(screen.exchanges) and screen.running is None, what="the cancelled answer to end")
        exchange = screen.exchanges[0]
        assert exchange.state == "cancelled"
        assert "cancelled" in static_text(screen.query_one("#answer-status", Label))
        history_label = screen.query_one("#history").children[0].query_one(Label)
        assert static_text(history_label).endswith("(cancelled)")


@pytest.mark.asyncio
async def test_the_passages_read_show_while_the_model_answers(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        screen.query_one("#question", Input).value = "What did I buy for Mum at Fushimi Inari?"  # the model answers it
        app.post_message(events.Key("enter", "\r"))
        await wait_until(pilot, lambda: bool(screen.exchanges) and bool(screen.exchanges[0].citations), what="the passages", step=0.01)
        exchange = screen.exchanges[0]
        card = static_text(screen.query_one("#answer", Static)).splitlines()
        assert exchange.state == "answering" and exchange.text == ""
        assert card[:2] == ["…", "[1] “Day 2 Up at six to beat the crowds at Fushimi Inari.”  note · 2024-04-03 00:00"]
        assert "Kyoto trip" in option_texts(screen.query_one("#citations", ResultList))[0]
        app.post_message(events.Key("escape", None))
        await wait_until(pilot, lambda: screen.running is None, what="the cancelled answer to end")


@pytest.mark.asyncio
async def test_history_keeps_questions_and_saves_markdown(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ask(pilot, "sourdough starter ratio")
        await wait_until(pilot, lambda: screen.running is None, what="answer 1")
        screen = await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: screen.running is None, what="answer 2")
        assert [e.question for e in screen.exchanges] == ["sourdough starter ratio", QUESTION]
        history = screen.query_one("#history")
        history.focus()
        history.index = 0
        await pilot.press("enter")  # revisit the first exchange
        assert screen.shown is screen.exchanges[0]
        assert "sourdough starter ratio" in static_text(screen.query_one("#answer-status", Label))

        await pilot.press("ctrl+s")
        saved = sorted((Path(engine.paths.data_dir) / "answers").glob("*sourdough-starter-ratio.md"))
        assert len(saved) == 1
        text = saved[0].read_text(encoding="utf-8")
        assert text.startswith("# sourdough starter ratio\n")
        assert "## Citations" in text and "notes:Sourdough.md" in text


@pytest.mark.asyncio
async def test_search_filtered_by_kind_shows_only_messages_and_opens_a_note(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        results = screen.query_one("#results", ResultList)
        screen.query_one("#query", Input).value = "Berlin"
        screen.query_one("#kind", Select).value = "message"  # Select.Changed runs the search
        await wait_until(pilot, lambda: results.option_count > 0, what="search results")
        assert {r.kind for r in results.results} == {"message"}
        assert all(r.source == "chats" for r in results.results)
        assert "results for “Berlin”" in static_text(screen.query_one("#search-status", Label))

        # Kind note: the detail view shows the whole note with the matched passage marked.
        screen.query_one("#kind", Select).value = "note"
        await wait_until(pilot, lambda: results.results and results.results[0].kind == "note", what="note results")
        screen.query_one("#query", Input).value = "sourdough starter"
        screen.query_one("#query", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: results.results and results.results[0].id == "notes:Sourdough.md", what="the note")
        results.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen) and bool(app.screen.query(".-match")), what="note detail")
        assert "1:5:5 ratio" in static_text(app.screen.query_one(".-match", Static))


@pytest.mark.asyncio
async def test_search_by_person_is_what_they_wrote_and_chat_with_is_the_conversation(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        results = screen.query_one("#results", ResultList)
        screen.query_one("#query", Input).value = "packing the flat Berlin"
        screen.query_one("#person", Input).value = "Sam"
        screen.query_one("#person", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: results.option_count > 0, what="Sam's messages")
        assert {r.author for r in results.results} == {"Sam"}

        await pilot.press("ctrl+r")  # clear filters
        screen.query_one("#chat-with", Input).value = "Sam"
        screen.query_one("#chat-with", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Anna" in {r.author for r in results.results}, what="the conversation with Sam")
        assert {r.author for r in results.results} == {"Anna", "Sam"}


@pytest.mark.asyncio
async def test_search_rejects_a_bad_date_with_a_notification(engine):
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        screen = app.screen
        screen.query_one("#since", Input).value = "last tuesday"
        screen.query_one("#query", Input).value = "Berlin"
        screen.query_one("#query", Input).focus()
        await pilot.press("enter")
        assert [n.message for n in app._notifications] == ["not a date: 'last tuesday' (use YYYY-MM-DD)"]
        assert screen.query_one("#results", ResultList).option_count == 0


@pytest.mark.asyncio
async def test_sources_add_index_and_remove(empty_engine):
    app = make_app(empty_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        table = screen.query_one("#sources-table", DataTable)

        # A missing path: the engine's SourceError becomes a notification, not a traceback.
        await pilot.press("a")
        assert isinstance(app.screen, AddSourceModal)
        app.screen.query_one("#add-kind", Select).value = "notes"
        app.screen.query_one("#add-path", Input).value = "/no/such/folder"
        await pilot.click("#add-ok")
        await wait_until(pilot, lambda: len(app._notifications) > 0, what="the error")
        assert "/no/such/folder: no such file or folder" in [n.message for n in app._notifications]

        await pilot.press("a")
        app.screen.query_one("#add-kind", Select).value = "notes"
        app.screen.query_one("#add-path", Input).value = str(SAMPLES / "notes")
        app.screen.query_one("#add-name", Input).value = "my-notes"
        await pilot.click("#add-ok")
        await wait_until(pilot, lambda: table.row_count == 1, what="the new source")
        assert [str(cell) for cell in table.get_row("my-notes")[:4]] == ["my-notes", "notes", str(SAMPLES / "notes"), "0"]
        assert table.get_row("my-notes")[5] == "never"

        await pilot.press("i")
        await wait_until(pilot, lambda: not screen.indexing and table.get_row("my-notes")[3] == "5", what="indexing")
        assert static_text(screen.query_one("#index-status", Label)) == "indexed · my-notes: +5 ~0 -0, 0 failed"

        await pilot.press("d")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_until(pilot, lambda: table.row_count == 0, what="the removal")
        assert empty_engine.sources() == []


@pytest.mark.asyncio
async def test_names_with_markup_and_newlines_are_shown_literally(empty_engine, tmp_path):
    """A path holding rich markup or a newline is shown as written, on one line (issue 17, item 6)."""
    folder = tmp_path / "Notes [old]"
    folder.mkdir()
    empty_engine.add_source("notes", folder, name="old")
    app = make_app(empty_engine)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("f4")
        table = app.screen.query_one("#sources-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1, what="the source")
        assert str(table.get_row("old")[2]) == str(folder)
        assert str(folder) in "".join(line.text for line in table.render_lines(table.region.reset_offset))
        await pilot.press("a")
        app.screen.query_one("#add-kind", Select).value = "notes"
        app.screen.query_one("#add-path", Input).value = "/no/such/[/red]fol\nder"
        await pilot.click("#add-ok")
        await wait_until(pilot, lambda: len(app._notifications) > 0, what="the error")
        await pilot.pause(0.2)  # the toast is drawn: markup in it would fail to parse
        assert [n.message for n in app._notifications] == ["/no/such/[/red]fol\\nder: no such file or folder"]


@pytest.mark.asyncio
async def test_settings_are_validated_and_saved(empty_engine):
    app = make_app(empty_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        results = screen.query_one("#set-search--results", Input)
        assert results.value == "8"
        results.value = "many"
        screen.query_one("#set-search--context_tokens", Input).value = "700"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(app._notifications) > 0, what="the validation error")
        assert [n.message for n in app._notifications] == ["setting search.results = many is not allowed: use a whole number from 1 to 200"]
        assert empty_engine.settings.search.context_tokens == 500  # the default: nothing applied from a rejected edit
        assert not empty_engine.paths.config_file.exists()

        results.value = "5"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: empty_engine.paths.config_file.exists(), what="the saved file")
        await pilot.pause(0.2)
        assert (empty_engine.settings.search.results, empty_engine.settings.search.context_tokens) == (5, 700)
        saved = empty_engine.paths.config_file.read_text(encoding="utf-8")
        assert "results = 5\n" in saved and "context_tokens = 700\n" in saved


@pytest.mark.asyncio
async def test_help_and_command_palette(empty_engine):
    app = make_app(empty_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AskScreen)
        await pilot.press("ctrl+p")
        await pilot.press(*"Sources")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SourcesScreen), what="the sources screen", timeout=10)


@pytest.mark.asyncio
async def test_an_event_opens_with_its_details(tmp_path):
    with Engine(home=tmp_path / "calendar-home") as eng:
        eng.add_source("calendar", SAMPLES / "calendar", name="cal")
        eng.index()
        app = make_app(eng)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f3")
            screen = app.screen
            results = screen.query_one("#results", ResultList)
            screen.query_one("#query", Input).value = "farewell party"
            screen.query_one("#kind", Select).value = "event"
            await wait_until(pilot, lambda: results.option_count > 0, what="event results")
            assert results.results[0].title == "Farewell party for Anna"
            results.focus()
            results.highlighted = 0
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen) and bool(app.screen.query(".fields")), what="event detail")
            fields = static_text(app.screen.query_one(".fields", Static))
            assert "When         2025-02-22 19:00 – 2025-02-22 23:00" in fields
            assert "Place        The Crown, Islington" in fields
            assert "Calendar     Personal" in fields
            assert f"File         {SAMPLES / 'calendar' / 'personal.ics'}" in fields


@pytest.mark.asyncio
async def test_open_original_reports_a_file_deleted_after_indexing(empty_engine, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    note = folder / "Deleted soon.md"
    note.write_text("# Deleted soon\n\nThe spare key is under the blue flowerpot.\n", encoding="utf-8")
    empty_engine.add_source("notes", folder, name="tmpnotes")
    empty_engine.index()
    doc = empty_engine.store.documents(["tmpnotes:Deleted soon.md"])["tmpnotes:Deleted soon.md"]
    note.unlink()
    result = Result(id=doc["id"], kind="note", source="tmpnotes", title=doc["title"], snippet="spare key", time=None,
                    uri=doc["uri"], score=1.0, text="The spare key is under the blue flowerpot.")
    app = make_app(empty_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(DetailScreen(result))
        await wait_until(pilot, lambda: bool(app.screen.query(".-match")), what="the note", timeout=20)
        assert static_text(app.screen.query_one(".-match", Static)) == "The spare key is under the blue flowerpot."
        await pilot.press("o")
        await wait_until(pilot, lambda: len(app._notifications) > 0, what="the notification", timeout=20)
        assert [n.message for n in app._notifications] == [f"{note}: the original file no longer exists"]


def test_file_path_of_only_accepts_local_files():
    assert file_path_of("file:///work/x/WhatsApp%20Chat%20with%20Anna.txt#L5") == Path("/work/x/WhatsApp Chat with Anna.txt")
    assert file_path_of("https://example.org/a.txt") is None
    assert file_path_of(None) is None


def test_nothing_outside_the_tui_imports_textual():
    code = (
        "import pkgutil, importlib, sys\n"
        "import pocketmind\n"
        "names = [m.name for m in pkgutil.walk_packages(pocketmind.__path__, 'pocketmind.')"
        " if not m.name.startswith('pocketmind.tui')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "assert len(names) > 20, names\n"
        "print('textual' in sys.modules, len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded, count = done.stdout.split()
    assert loaded == "False", f"textual imported by one of {count} modules"


# -- snapshots (deterministic screens: no model output, no changing times) ---------------------------


def test_snapshot_help(snap_compare, empty_engine):
    assert snap_compare(make_app(empty_engine), press=["f1"], terminal_size=(100, 30))


def test_snapshot_ask_empty(snap_compare, empty_engine):
    assert snap_compare(make_app(empty_engine), terminal_size=(100, 30))


def test_snapshot_settings(snap_compare, empty_engine):
    assert snap_compare(make_app(empty_engine), press=["f5"], terminal_size=(100, 30))


def test_snapshot_search_messages(snap_compare, engine):
    async def search(pilot: Pilot) -> None:
        await pilot.press("f3")
        screen = pilot.app.screen
        screen.query_one("#query", Input).value = "Berlin"
        screen.query_one("#kind", Select).value = "message"
        results = screen.query_one("#results", ResultList)
        await wait_until(pilot, lambda: results.option_count > 0, what="search results")
        query = screen.query_one("#query", Input)
        query.cursor_blink = False  # a blinking cursor makes the picture depend on timing
        query.focus()
        await pilot.pause(0.3)

    assert snap_compare(make_app(engine), run_before=search, terminal_size=(100, 30))
