"""Summaries are dated lists of what the data says about what was asked, on real exports:
a WhatsApp chat with Loris, a group chat with others, and the Obsidian vault's Kyoto notes;
a note asked about by its title is summed up by its opening sentences."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from helpers import engine_over
from pocketmind.answer.summary import is_summary_question

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
VAULT = "notes/obsidian/kepano_vault"
FILES = {
    "messages": ["messages/whatsapp/pustur_ios_chat_from_zip.txt",
                 "messages/whatsapp/chatanalytics_android_group_mdy_24h.txt"],
    "notes": [f"{VAULT}/Notes/2023 Japan Trip.md", f"{VAULT}/References/Kyoto.md", f"{VAULT}/References/Fushimi Inari.md",
              f"{VAULT}/References/Kevin Kelly.md", f"{VAULT}/Notes/2023-09-12 Meeting with Steph.md",
              f"{VAULT}/Clippings/Buy wisely.md", f"{VAULT}/Clippings/In good hands.md"],
}
LINE = re.compile(r"^(?P<date>.+?): (?P<text>.+) \[(?P<n>\d+)\]$")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with engine_over(tmp_path_factory.mktemp("summaries"), FILES, now=lambda: NOW) as engine:
        yield engine


def listed(answer) -> list[tuple[str, str, int]]:
    """(date, text, citation) of each line of a dated list; fails on any other line."""
    rows = []
    for line in answer.text.splitlines():
        match = LINE.match(line)
        assert match, f"not a dated list line: {line!r}"
        rows.append((match["date"], match["text"], int(match["n"])))
    return rows


def test_a_chat_summary_lists_only_that_persons_messages_each_cited(engine):
    answer = engine.ask("Summarise my chat with Loris")
    rows = listed(answer)
    assert answer.source == "data" and len(rows) >= 2
    for day, text, n in rows:
        cited = answer.citations[n - 1]
        assert day == "20 June 2019" and text.startswith("Loris: ")
        assert cited.author == "Loris" and text.removeprefix("Loris: ") in cited.text
    assert any("Welcome to the chat example!" in text for _, text, _ in rows)


def test_a_chinese_request_lists_the_same_chat_with_chinese_dates(engine):
    # "Loris" inside Chinese text ("我和Loris的") is still a person the question names.
    rows = listed(engine.ask("总结一下我和Loris的聊天"))
    assert len(rows) >= 2 and {day for day, _, _ in rows} == {"2019年6月20日"}
    assert all(text.startswith("Loris: ") for _, text, _ in rows)


def test_a_summary_of_someone_absent_lists_nothing_of_anyone_else(engine):
    answer = engine.ask("Summarise my chat with Anna")
    assert answer.text.startswith("Not in your data") and "Anna" in answer.text
    assert not answer.found and "Loris" not in answer.text


def test_what_i_did_in_kyoto_lists_the_notes_about_kyoto_by_their_own_dates(engine):
    rows = listed(engine.ask("What did I do in Kyoto?"))
    by_text = {text: day for day, text, _ in rows}
    # The trip note's range comes from its front-matter; a note's date is never its file's mtime.
    assert by_text["2023 Japan Trip"] == "12 September 2023 to 30 September 2023"
    assert by_text["Fushimi Inari"] == "12 September 2023"
    assert not any("Kevin Kelly" in text or "Steph" in text for text in by_text)


def test_a_note_asked_about_by_its_title_is_summed_up_by_its_opening_sentences(engine):
    answer = engine.ask("Summarise what the 'Buy wisely' clipping recommends.")
    assert answer.text.startswith("Whenever I buy things I try to prioritize cost per use.") and answer.source == "data"
    assert answer.text.endswith("[1]") and answer.citations[0].title == "Buy wisely"
    # Quoted as written (the clipping's *emphasis* kept), shown without markdown; no front-matter, no heading.
    assert answer.evidence[0].quote.startswith("Whenever I buy things I try to prioritize *cost per use*.")
    assert "*" not in answer.text and "##" not in answer.text and "stephango.com" not in answer.text
    about = engine.ask("What is the 'In good hands' clipping about?")
    assert "a cohesive point of view expressed with attention to detail" in about.text
    assert about.citations[int(about.text[-2]) - 1].title == "In good hands"


def test_what_happened_to_someone_asks_for_one_event_not_a_list():
    assert is_summary_question("What happened at the conference?")
    assert is_summary_question("总结一下我和Anna上周的聊天")
    assert not is_summary_question("What happened to Melanie's son on their road trip?")
