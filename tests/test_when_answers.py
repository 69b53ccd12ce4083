"""'When' answered from what a note says, not from when it was written: a task's due
date, a period written in its body ("Jan - March 2022"), on real Evernote exports."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from conftest import REAL
from pocketmind import Engine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
NOTES = ["langchain_sample_notebook_2.enex", "obsidianimporter_test-things-to-do.enex"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, warm_models):
    root = tmp_path_factory.mktemp("when-notes")
    for name in NOTES:
        shutil.copy(REAL / "notes" / "evernote" / name, root / name)
    with Engine(home=tmp_path_factory.mktemp("when-home"), now=lambda: NOW) as engine:
        engine.add_source("notes", root, name="notes")
        engine.index()
        yield engine


def test_a_period_written_in_a_note_not_its_creation_date(engine):
    answer = engine.ask("When is the Summer Training Program?")  # created 27 December 2022; says "Jan - March 2022"
    assert answer.text.startswith("January to March 2022") and answer.source == "data"


def test_a_task_is_due_on_its_due_date(engine):
    answer = engine.ask("When is my Evernote 'Task with due date' due?")
    assert answer.text.startswith("28 May 2022") and answer.source == "data"
