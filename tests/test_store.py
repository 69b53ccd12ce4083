"""The store on real SQLite with sqlite-vec loaded: schema, writes, deletes, filters."""

from __future__ import annotations

import numpy as np
import pytest

from pocketmind.errors import SourceError, StoreError
from pocketmind.search.fulltext import index_form, match_expression
from pocketmind.store import ChunkRow, Filters, Store
from pocketmind.store.migrations import MIGRATIONS


def _vec(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _row(doc_id: str, kind: str = "note", when: int | None = 1_700_000_000, author: str | None = None, people: str = "[]") -> dict:
    return {
        "id": doc_id, "source": doc_id.split(":")[0], "origin": "a.md", "kind": kind, "title": doc_id, "text": "t",
        "uri": None, "occurred_at": when, "occurred_offset": None, "occurred_local": None, "ended_at": None,
        "author": author, "conversation": None, "people": people, "place": None, "tags": "[]", "metadata": "{}",
        "attachments": "[]", "content_hash": "h-" + doc_id, "updated_at": 0.0,
    }


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "t.db")
    with s.transaction():
        s.create_vector_table(3)
    s.add_source("n", "notes", str(tmp_path))
    yield s
    s.close()


def test_migrations_recorded_wal_and_sqlite_vec(store):
    names = [r[0] for r in store.conn.execute("SELECT name FROM _migrations")]
    assert names == [name for name, _ in MIGRATIONS]
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("SELECT vec_version()").fetchone()[0].startswith("v0.")
    assert store.vector_dimension() == 3


def test_write_search_and_delete_remove_every_row(store):
    with store.transaction():
        store.write_document(_row("n:a"), [ChunkRow(0, "", "the great wall", index_form("the great wall"), "h1", _vec(1, 0, 0))])
        store.write_document(_row("n:b"), [ChunkRow(0, "", "万里长城很长", index_form("万里长城很长"), "h2", _vec(0, 1, 0))])
    hits = store.knn(_vec(0.9, 0.1, 0), 2, Filters())
    assert [cid for cid, _ in hits][0] == store.conn.execute("SELECT id FROM chunks WHERE hash='h1'").fetchone()[0]
    # Full text: a two-character Chinese word finds the note containing it.
    cjk = store.fulltext(match_expression("长城"), 5, Filters())
    assert len(cjk) == 1 and store.chunk_hits([cjk[0][0]])[cjk[0][0]]["id"] == "n:b"
    with store.transaction():
        assert store.delete_documents(["n:b"]) == 1
    assert store.fulltext(match_expression("长城"), 5, Filters()) == []
    assert store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 1
    assert store.conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()[0] == 1
    assert store.integrity_check() == "ok"


def test_filters_apply_inside_knn_and_fulltext(store):
    with store.transaction():
        store.write_document(_row("n:old", when=1_000), [ChunkRow(0, "", "kyoto trip", "kyoto trip", "a", _vec(1, 0, 0))])
        store.write_document(_row("n:new", kind="message", when=2_000, author="Anna"), [ChunkRow(0, "", "kyoto trip", "kyoto trip", "b", _vec(1, 0.1, 0))])
        store.write_document(_row("n:undated", when=None), [ChunkRow(0, "", "kyoto trip", "kyoto trip", "c", _vec(1, 0.2, 0))])
    ids = lambda hits: {store.chunk_hits([c])[c]["id"] for c, _ in hits}
    assert ids(store.knn(_vec(1, 0, 0), 5, Filters(since=1_500))) == {"n:new"}
    assert ids(store.knn(_vec(1, 0, 0), 5, Filters(kinds=("note",)))) == {"n:old", "n:undated"}
    assert ids(store.fulltext('"kyoto"', 5, Filters(until=1_500))) == {"n:old"}
    assert ids(store.fulltext('"kyoto"', 5, Filters(people=("anna",)))) == {"n:new"}


def test_remove_source_deletes_everything(store):
    with store.transaction():
        store.write_document(_row("n:a"), [ChunkRow(0, "", "x", "x", "h", _vec(1, 0, 0))])
        store.record_file("n", "a.md", 1, 1)
    assert store.remove_source("n") == 1
    for table in ("documents", "chunks", "chunk_vectors", "files", "sources"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    with pytest.raises(SourceError, match="no source named 'n'"):
        store.remove_source("n")


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open database .*bad.db"):
        Store(bad)
