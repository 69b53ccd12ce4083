"""The engine end to end on real notes, the real embedder and real SQLite."""

from __future__ import annotations

import hashlib
import os
import shutil
import time

import pytest

from helpers import KEPANO, SAMPLES
from pocketmind import Engine
from pocketmind.errors import SourceError

PHRASE_NOTE = "Notes/Evergreen notes turn ideas into objects that you can manipulate.md"


@pytest.fixture
def vault(tmp_path):
    return shutil.copytree(KEPANO, tmp_path / "vault")


@pytest.fixture
def engine(tmp_path, warm_models):
    with Engine(home=tmp_path / "home") as e:
        yield e


def test_index_search_reindex_edit_delete(engine, vault):
    engine.add_source("notes", vault, name="vault")
    [first] = engine.index()
    assert first.failed == 0 and first.added == 103 and first.embedded == first.chunks > 103

    results = engine.search("turn ideas into objects that you can manipulate", k=5)
    assert results[0].id == f"vault:{PHRASE_NOTE}"
    assert results[0].kind == "note" and results[0].uri.startswith("file://")

    [again] = engine.index()
    assert (again.embedded, again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 0, 103)

    note = vault / PHRASE_NOTE
    chunks_before = engine.store.conn.execute(
        "SELECT count(*) FROM chunks c JOIN documents d ON d.rowid = c.doc WHERE d.id = ?", (f"vault:{PHRASE_NOTE}",)
    ).fetchone()[0]
    time.sleep(0.01)
    note.write_text(note.read_text() + "\n\nAddendum: a zebra crossing in Kathmandu reminded me of this.\n")
    [edited] = engine.index()
    assert edited.updated == 1 and edited.added == 0
    assert 0 < edited.embedded <= chunks_before + 1  # only that note's changed chunks
    assert engine.search("zebra crossing Kathmandu", k=1)[0].id == f"vault:{PHRASE_NOTE}"

    note.unlink()
    [deleted] = engine.index()
    assert deleted.deleted == 1
    assert all(r.id != f"vault:{PHRASE_NOTE}" for r in engine.search("zebra crossing Kathmandu", k=10))
    assert engine.store.integrity_check() == "ok"


def test_touched_files_are_not_parsed_again(engine, vault):
    # A sync tool or a restored backup moves every mtime but changes no byte.
    engine.add_source("notes", vault, name="vault")
    engine.index()
    note = vault / PHRASE_NOTE
    assert engine.store.files("vault")[PHRASE_NOTE][3] == hashlib.sha256(note.read_bytes()).hexdigest()
    times = dict(engine.store.conn.execute("SELECT id, occurred_at FROM documents"))
    later = note.stat().st_mtime_ns + 40 * 86_400 * 10**9
    for path in vault.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(later, later))
    [run] = engine.index()
    # Not parsed: notes dated by their file's mtime keep their date, nothing is rewritten.
    assert (run.unchanged, run.added, run.updated, run.deleted, run.embedded) == (103, 0, 0, 0, 0)
    assert dict(engine.store.conn.execute("SELECT id, occurred_at FROM documents")) == times
    assert engine.store.files("vault")[PHRASE_NOTE][:3] == (note.stat().st_size, later, None)

    note.write_text(note.read_text() + "\nEdited after the restore.\n")  # new bytes: parsed again
    [edited] = engine.index()
    assert (edited.updated, edited.unchanged) == (1, 102)
    assert engine.store.files("vault")[PHRASE_NOTE][3] == hashlib.sha256(note.read_bytes()).hexdigest()


def test_move_reuses_embeddings(engine, vault):
    engine.add_source("notes", vault, name="vault")
    engine.index()
    # Moving a note changes its id but not its content: nothing is embedded again.
    moved = vault / "Archive" / PHRASE_NOTE.split("/")[1]
    moved.parent.mkdir()
    (vault / PHRASE_NOTE).rename(moved)
    [run] = engine.index()
    assert (run.added, run.deleted, run.embedded) == (1, 1, 0)
    top = engine.search("turn ideas into objects that you can manipulate", k=1)[0]
    assert top.id == "vault:Archive/" + moved.name and top.uri == moved.as_uri()


def test_chinese_two_character_word_is_found(engine):
    engine.add_source("notes", SAMPLES / "notes", name="notes")
    engine.index()
    results = engine.search("长城", k=3)
    assert results[0].id == "notes:北京旅行.md"
    assert "长城" in results[0].snippet
    start, end = results[0].highlights[0]
    assert results[0].snippet[start:end] == "长城"


def test_filters_kind_source_and_time(engine):
    engine.add_source("notes", SAMPLES / "notes", name="notes")
    engine.add_source("messages", SAMPLES / "messages", name="chat")
    engine.index()
    from datetime import datetime

    only_messages = engine.search("Berlin", kinds=["message"])
    assert only_messages and {r.kind for r in only_messages} == {"message"}
    assert {r.source for r in engine.search("Kyoto", sources=["notes"])} == {"notes"}
    january = engine.search("Berlin", since=datetime(2025, 1, 1), until=datetime(2025, 2, 1))
    assert january and all(r.time.startswith("2025-01") for r in january)
    annas = engine.search("moving", person="Anna")
    assert annas and all("Anna" in r.people for r in annas)
    assert annas[0].author == "Anna" and "moving" in annas[0].snippet


def test_malformed_file_is_reported_and_the_rest_indexed(engine, tmp_path, real):
    keep = tmp_path / "keep"
    keep.mkdir()
    for name in ("obsidianimporter_broken-json-note.json", "obsidianimporter_Labelled_note.json", "obsidianimporter_Pinned_text_note.json"):
        shutil.copy(real / "notes" / "google_keep" / name, keep / name)
    engine.add_source("notes", keep, name="keep")
    [run] = engine.index()
    assert run.failed == 1 and run.added == 2
    assert "obsidianimporter_broken-json-note.json" in run.errors[0] and "not valid JSON" in run.errors[0]
    assert engine.status()["recent_errors"][0]["path"] == "obsidianimporter_broken-json-note.json"


def test_forget_removes_every_row(engine):
    engine.add_source("notes", SAMPLES / "notes", name="notes")
    engine.index()
    assert engine.forget("notes") == 5
    for table in ("documents", "chunks", "chunk_vectors", "files", "sources"):
        assert engine.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert engine.store.fulltext('"kyoto"', 10, __import__("pocketmind.store", fromlist=["Filters"]).Filters()) == []


def test_unknown_kind_and_missing_path_are_clear_errors(engine, tmp_path):
    with pytest.raises(SourceError, match="unknown source kind 'diary'"):
        engine.add_source("diary", tmp_path)
    with pytest.raises(SourceError, match="no such file or folder"):
        engine.add_source("notes", tmp_path / "nope")
