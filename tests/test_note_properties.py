"""Note properties are content: indexed as text, and their dates give the note its time (issue 15, point 1)."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from conftest import REAL
from pocketmind import Engine
from pocketmind.indexers.notes import MarkdownNoteIndexer


def only(documents):
    documents = list(documents)
    assert len(documents) == 1
    return documents[0]


@pytest.fixture
def kepano(real: Path) -> Path:
    return real / "notes" / "obsidian" / "kepano_vault"


def test_japan_trip_properties_are_text_and_give_a_range(kepano: Path):
    note = only(MarkdownNoteIndexer().parse(kepano / "Notes" / "2023 Japan Trip.md", kepano))
    assert "start: 12 September 2023" in note.text
    assert "end: 30 September 2023" in note.text
    assert "loc: Kyoto, Japan" in note.text  # wiki links read by their target's name
    assert "categories: Trips" in note.text
    assert any("loc: Kyoto, Japan" in section.text for section in note.sections)  # what gets chunked
    assert note.occurred_at == datetime(2023, 9, 12)
    assert note.ended_at == datetime(2023, 10, 1)  # a date-only end is the whole day, exclusive like all-day events
    assert note.metadata["time_source"] == "properties"


def test_a_date_in_the_file_name_or_title_comes_before_the_mtime(tmp_path: Path):
    daily = tmp_path / "2024-05-04.md"
    daily.write_text("Walked to the lake.\n")
    note = only(MarkdownNoteIndexer().parse(daily, tmp_path))
    assert note.occurred_at == datetime(2024, 5, 4)
    assert note.metadata["time_source"] == "file name"

    trip = tmp_path / "2019 Lisbon trip.md"
    trip.write_text("Pastéis de nata every morning.\n")
    note = only(MarkdownNoteIndexer().parse(trip, tmp_path))
    assert (note.occurred_at, note.ended_at) == (datetime(2019, 1, 1), datetime(2020, 1, 1))
    assert note.metadata["time_source"] == "file name"

    undated = tmp_path / "Groceries.md"
    undated.write_text("milk, eggs\n")
    note = only(MarkdownNoteIndexer().parse(undated, tmp_path))
    assert note.metadata["time_source"] == "file modified"


def test_inline_dataview_fields_and_nested_values_are_text(tmp_path: Path):
    path = tmp_path / "Visit.md"
    path.write_text("---\nwith: [[Steph]]\nwhen: 2022-03-05T10:30:00\n---\nmood:: happy\nWe met at the cafe.\n")
    note = only(MarkdownNoteIndexer().parse(path, tmp_path))
    assert "with: Steph" in note.text and "when: 5 March 2022 10:30" in note.text
    assert note.metadata["mood"] == "happy"
    assert note.occurred_at == datetime(2022, 3, 5, 10, 30)  # any date-valued property dates the note


@pytest.fixture(scope="module")
def trip_engine(tmp_path_factory):
    vault = tmp_path_factory.mktemp("vault")
    kepano = REAL / "notes" / "obsidian" / "kepano_vault"
    for name in ("Notes/2023 Japan Trip.md", "References/Kyoto.md", "References/Fushimi Inari.md"):
        shutil.copy(kepano / name, vault / Path(name).name)
    (vault / "2019 Lisbon trip.md").write_text("Pasteis de nata every morning in Belem.\n")
    groceries = vault / "Groceries.md"
    groceries.write_text("Shopping list: rice, miso, green tea for the kitchen.\n")
    os.utime(groceries, (datetime(2025, 6, 1).timestamp(),) * 2)
    fence = vault / "Garden.md"
    fence.write_text("Yesterday I bought paint. I repainted the fence on 4 May 2024, two coats.\n")
    with Engine(home=tmp_path_factory.mktemp("home")) as engine:
        engine.add_source("notes", vault, name="vault")
        engine.index()
        yield engine


def test_when_was_my_japan_trip_answers_with_its_dates(trip_engine):
    answer = trip_engine.ask("When was my Japan trip?")
    assert answer.source == "data"
    assert answer.text.startswith("12 September 2023 to 30 September 2023")
    assert answer.citations[0].title == "2023 Japan Trip"


def test_a_year_in_the_title_answers_when_with_the_year(trip_engine):
    answer = trip_engine.ask("When was my Lisbon trip?")
    assert answer.source == "data" and answer.text.startswith("2019 [1]")


def test_a_note_dated_only_by_its_mtime_does_not_answer_when(trip_engine):
    answer = trip_engine.ask("When did I write my groceries shopping list?")
    assert answer.text == "Not in your data: that note has no date (only its file's modification time)."
    assert not answer.found and answer.citations[0].title == "Groceries"
    # a date the text states outright is used; "yesterday" is not resolved against the mtime
    answer = trip_engine.ask("When did I repaint the fence?")
    assert answer.text == "4 May 2024 [1]" and answer.found


def test_since_and_until_on_notes_use_the_property_date(trip_engine):
    inside = trip_engine.search("Japan trip", since=datetime(2023, 9, 1), until=datetime(2023, 10, 1), kinds=("note",))
    assert "2023 Japan Trip" in [r.title for r in inside]
    outside = trip_engine.search("Japan trip", since=datetime(2025, 1, 1), kinds=("note",))
    assert "2023 Japan Trip" not in [r.title for r in outside]


def test_org_keywords_and_property_drawers_are_text_and_date_the_note(real: Path, tmp_path: Path):
    from pocketmind.indexers.notes import OrgNoteIndexer

    org = real / "notes" / "orgmode"
    agenda = only(OrgNoteIndexer().parse(org / "orgmode_agenda-file.org", org))
    drawer = next(s for s in agenda.sections if s.heading == "test timestamp inside properties")
    assert drawer.text == "CREATED: 22 March 2022"
    normal = only(OrgNoteIndexer().parse(org / "orgmode_normal.org", org))
    assert "header-args" not in normal.text and "75282ba2" not in normal.text  # org's own bookkeeping
    assert normal.metadata["time_source"] == "file modified"

    trip = tmp_path / "trip.org"
    trip.write_text("#+TITLE: Japan\n#+DATE: <2023-09-12 Tue>\n#+LOCATION: Kyoto\n\n"
                    "* Day 1\n:PROPERTIES:\n:PLACE: Fushimi Inari\n:ID: 1234\n:END:\nWalked up the gates.\n")
    note = only(OrgNoteIndexer().parse(trip, tmp_path))
    assert note.text.startswith("date: 12 September 2023\nlocation: Kyoto\n")
    assert "* Day 1\nPLACE: Fushimi Inari\nWalked up the gates." in note.text
    assert note.occurred_at == datetime(2023, 9, 12) and note.metadata["time_source"] == "properties"
