"""Questions about what a chat says, answered from the messages on real exports: a poll's
counts, and the date of the message a quoted phrase comes from."""

from __future__ import annotations

import shutil

import pytest

from conftest import REAL
from pocketmind import Engine

CHATS = ["messages/whatsapp/pustur_ios_chat_from_zip.txt", "messages/telegram/langchain_personal_chat_result.json"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, warm_models):
    chats = tmp_path_factory.mktemp("chats")
    for name in CHATS:
        shutil.copy(REAL / name, chats / (REAL / name).name)
    with Engine(home=tmp_path_factory.mktemp("chat-home")) as engine:
        engine.add_source("messages", chats, name="chats")
        engine.index()
        yield engine


def test_which_option_of_a_poll_won_is_read_from_its_counts(engine):
    # Loris's WhatsApp poll: Thursday 15 evening 2, Friday 16 afternoon 1, Friday 16 evening 2,
    # Saturday 17 afternoon 3, Saturday 17 evening 3. "Which day" was dated from "Thursday 15".
    answer = engine.ask("In Loris's poll 'When can we meet?', which day got the most votes?")
    assert answer.text == "Saturday 17 afternoon and Saturday 17 evening (3 votes each) [1]"
    assert answer.source == "data" and answer.citations[0].author == "Loris"
    assert [q.quote for q in answer.evidence] == ["OPTION: Saturday 17 afternoon (3 votes)", "OPTION: Saturday 17 evening (3 votes)"]
    fewest = engine.ask("Which option of the poll got the fewest votes?")
    assert fewest.text == "Friday 16 afternoon (1 vote) [1]"


def test_a_quoted_phrase_is_dated_by_the_message_that_says_it(engine):
    # Jimmeny's "we meet again" (Telegram, 23 Aug 2023) says no time; the poll "When can we
    # meet? ... Thursday 15" says "meet" and a time, but not "again": it is not what was asked.
    answer = engine.ask("When did Jimmeny Marvelton tell me 'we meet again'?")
    assert answer.text == "23 August 2023 [1]"
    assert answer.citations[0].author == "Jimmeny Marvelton" and answer.citations[0].snippet == "we meet again"
