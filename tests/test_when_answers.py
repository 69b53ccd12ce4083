"""'When' answered from what a note says, not from when it was written: a task's due
date, a period written in its body ("Jan - March 2022"), on real Evernote exports; the
occurrence of a repeating event the question asks for."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from conftest import REAL
from pocketmind import Engine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
FILES = {"notes": ["notes/evernote/langchain_sample_notebook_2.enex", "notes/evernote/obsidianimporter_test-things-to-do.enex"],
         "calendar": ["calendar/ics/rie_exchange2010_rrule_until_utc.ics"]}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, warm_models):
    root = tmp_path_factory.mktemp("when-data")
    with Engine(home=tmp_path_factory.mktemp("when-home"), now=lambda: NOW) as engine:
        for kind, files in FILES.items():
            (root / kind).mkdir()
            for name in files:
                shutil.copy(REAL / name, root / kind / (REAL / name).name)
            engine.add_source(kind, root / kind, name=kind)
        engine.index()
        yield engine


def test_a_period_written_in_a_note_not_its_creation_date(engine):
    answer = engine.ask("When is the Summer Training Program?")  # created 27 December 2022; says "Jan - March 2022"
    assert answer.text.startswith("January to March 2022") and answer.source == "data"


def test_a_task_is_due_on_its_due_date(engine):
    answer = engine.ask("When is my Evernote 'Task with due date' due?")
    assert answer.text.startswith("28 May 2022") and answer.source == "data"


def test_the_first_and_the_last_of_a_repeating_event(engine):
    # A fortnightly bin collection, 9 April to 10 September 2020 (RRULE with UNTIL).
    first = engine.ask("When was the first Blue Recycle bin collection?")
    assert first.text.startswith("9 April 2020") and first.source == "data"
    assert first.citations[first.evidence[0].citation - 1].time.startswith("2020-04-09")
    last = engine.ask("When was the last Blue Recycle bin collection?")
    assert last.text.startswith("10 September 2020")
