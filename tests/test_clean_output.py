"""Clean output: what files and users wrote is printed literally, on the lines it belongs to.

Indexed text and file names come from anywhere: a terminal escape sequence in
a note must not reach the terminal, a ``[/red]`` in a path must not be read as
rich markup, a newline in a file name must not split an error line, and a
question too long for the model's context gets an answer, not a traceback.
Every test runs the real CLI over a real store.
"""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import SAMPLES
from pocketmind import Engine
from pocketmind.cli import main

# A window-title OSC, clear-screen and colour CSI sequences, an 8-bit CSI, a right-to-left override.
HOSTILE_TEXT = "Lighthouse keeper log: \x1b]0;owned\x07\x1b[2J\x1b[31mthe lamp\x1b[0m was lit at dusk \x9b6n \u202eelbisiv\u202c\n"
BROKEN_TOMBOY = '<?xml version="1.0"?><note xmlns="http://beatniksoftware.com/tomboy"><text><broken'
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c")


@pytest.fixture(scope="module")
def home(tmp_path_factory, warm_models):
    """A store holding the sample notes and a folder named ``Notes [old]`` with a note full of
    terminal escapes and a broken Tomboy note whose file name holds a newline."""
    root = tmp_path_factory.mktemp("clean-output")
    hostile = root / "Notes [old]"
    hostile.mkdir()
    (hostile / "lighthouse.md").write_text(HOSTILE_TEXT)
    (hostile / "broken\nnote.note").write_text(BROKEN_TOMBOY)
    shutil.copytree(SAMPLES / "notes", root / "samples")
    with Engine(home=root / "home") as engine:
        engine.add_source("notes", hostile, name="old-notes")
        engine.add_source("notes", root / "samples", name="notes")
    return root


def run(home, capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--home", str(home / "home"), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps at the terminal width; these tests read whole lines


def test_index_names_a_file_with_a_newline_on_one_line(home, capsys):
    code, out, _ = run(home, capsys, "index", "--source", "old-notes")
    assert code == 0
    [skipped] = [line for line in out.splitlines() if line.startswith("  skipped")]
    assert skipped.startswith("  skipped ") and "Notes [old]/broken\\nnote.note: not valid Tomboy XML" in skipped
    code, out, _ = run(home, capsys, "status")
    [error] = [line for line in out.splitlines() if line.startswith("error")]
    assert "broken\\nnote.note" in error


def test_search_prints_indexed_text_without_terminal_controls(home, capsys):
    run(home, capsys, "index")
    code, out, _ = run(home, capsys, "search", "lighthouse keeper lamp lit at dusk")
    assert code == 0
    assert not any(control in out for control in TERMINAL_CONTROLS)
    assert "Lighthouse keeper log: the lamp was lit at dusk 6n elbisiv" in out


def test_json_keeps_the_exact_indexed_text(home, capsys):
    run(home, capsys, "index")
    code, out, _ = run(home, capsys, "search", "lighthouse keeper lamp lit at dusk", "--json")
    assert code == 0 and "\x1b" not in out  # json.dumps writes control characters as \u001b
    top = json.loads(out)["results"][0]
    assert top["id"] == "old-notes:lighthouse.md" and "\x1b[31mthe lamp\x1b[0m" in top["snippet"]


def test_sources_keeps_brackets_in_a_path(home, capsys):
    code, out, _ = run(home, capsys, "sources")
    assert code == 0 and "Notes [old]" in out


def test_error_with_markup_in_a_path_is_printed_literally(tmp_path, capsys):
    code = main(["--home", str(tmp_path / "home"), "add", "notes", str(tmp_path / "x[/red]y[bold]")])
    err = capsys.readouterr().err
    assert code == 1 and err == f"error: {tmp_path}/x[/red]y[bold]: no such file or folder\n"


def test_error_with_a_newline_in_a_path_stays_one_line(tmp_path, capsys):
    code = main(["--home", str(tmp_path / "home"), "add", "notes", str(tmp_path / "two\nlines\x1b[2J")])
    err = capsys.readouterr().err
    assert code == 1 and err == f"error: {tmp_path}/two\\nlines\\x1b[2J: no such file or folder\n"


def test_a_huge_question_gets_an_answer_not_a_traceback(home, capsys):
    run(home, capsys, "index")
    question = "How long do I bulk ferment the sourdough? " * 250  # 10 kB, ~2,500 tokens: more than the context
    assert len(question) > 10_000
    code, out, err = run(home, capsys, "search", question, "--k", "3")
    assert code == 0 and "Sourdough" in out
    code, out, err = run(home, capsys, "ask", question)
    # stderr holds only the passages the model reads while it answers (cli/output.py)
    assert code == 0 and "Traceback" not in out + err and err.startswith("Reading 2 passages while the model answers:")
    assert "Sources" in out and "samples/Sourdough.md" in out


def test_printable_and_one_line():
    from pocketmind.text import one_line, printable

    assert printable(HOSTILE_TEXT) == "Lighthouse keeper log: the lamp was lit at dusk 6n elbisiv\n"
    assert printable("a\tb\r\nc\x00d\x7f") == "a\tb\ncd"
    assert one_line("bad\nname\t\x1b[31m\u202e.md") == "bad\\nname\\t\\x1b[31m\\u202e.md"
    assert one_line("Notes [old] 京都 \u200f") == "Notes [old] 京都 \u200f"  # text and direction marks unchanged
