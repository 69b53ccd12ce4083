"""Quantized vector search (IVF cells + bit vectors + float re-scoring) on real SQLite + sqlite-vec."""

from __future__ import annotations

import json

import apsw
import numpy as np
import pytest

from pocketmind.store import ChunkRow, Filters, Store
from pocketmind.store import bitindex, vectors
from pocketmind.store.connection import open_connection
from pocketmind.store.migrations import MIGRATIONS

KINDS = ("message", "note", "photo")


def _row(i: int, kind: str, when: int | None) -> dict:
    source = "chat" if kind == "message" else "misc"
    return {
        "id": f"{source}:{i}", "source": source, "origin": "f", "kind": kind, "title": "", "text": f"t{i}", "uri": None,
        "occurred_at": when, "occurred_offset": None, "occurred_local": None, "ended_at": None, "author": None,
        "conversation": None, "people": "[]", "place": None, "tags": "[]", "metadata": "{}", "attachments": "[]",
        "content_hash": str(i), "updated_at": 0.0,
    }


def _clustered(n: int, dim: int, seed: int, spread: float = 0.8) -> np.ndarray:
    """Unit vectors in gaussian blobs around 40 topics: a worst case for quantized
    search, a query's neighbours are hardly closer than the rest of its topic."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(40, dim))
    out = centers[rng.integers(0, 40, n)] + rng.normal(scale=spread, size=(n, dim))
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def _fill(store: Store, vecs: np.ndarray) -> None:
    with store.transaction():
        store.create_vector_table(vecs.shape[1])
    for name in ("chat", "misc"):
        store.add_source(name, "x", "/")
    with store.transaction():
        for i, v in enumerate(vecs):
            kind = KINDS[i % 3]
            when = None if i % 50 == 0 else 1_600_000_000 + i * 3600
            store.write_document(_row(i, kind, when), [ChunkRow(0, "", f"t{i}", f"t{i}", f"h{i}", v)])


def _counts(store: Store) -> tuple[int, int, int]:
    return tuple(store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("chunk_vectors", "chunk_bits", "chunk_embeddings"))


@pytest.fixture
def trained(tmp_path):
    """3,000 clustered 384-d vectors, cells trained (as a 20k+ store would be)."""
    store = Store(tmp_path / "v.db")
    _fill(store, _clustered(3000, 384, seed=1))
    with store.transaction():
        assert vectors.train(store.conn) == 55  # round(sqrt(3000)) cells
    yield store
    store.close()


def _overlap(store: Store, queries: np.ndarray, k: int, filters: Filters) -> float:
    hits = 0
    for q in queries:
        exact = {cid for cid, _ in store.knn(q, k, filters, exact=True)}
        quantized = {cid for cid, _ in store.knn(q, k, filters)}
        hits += len(exact & quantized)
    return hits / (k * len(queries))


def test_quantized_matches_exact_on_clustered_vectors(trained):
    # Gaussian blobs: the bit candidates keep 9 of the exact top 10 (real
    # sentence vectors do better, see the MiniLM test below).
    assert _overlap(trained, _clustered(30, 384, seed=2), 10, Filters()) >= 0.9
    # A slightly changed stored vector finds that chunk first, at the exact distance.
    stored = _clustered(3000, 384, seed=1)
    rng = np.random.default_rng(3)
    for i in rng.choice(3000, 20, replace=False):
        q = stored[i] + rng.normal(scale=0.01, size=384).astype(np.float32)
        (best, dist), = trained.knn(q, 1, Filters())
        (exact_best, exact_dist), = trained.knn(q, 1, Filters(), exact=True)
        assert best == exact_best == i + 1 and dist == pytest.approx(exact_dist, abs=1e-5)


@pytest.mark.parametrize("scan_all", [0, 250_000], ids=["cells", "scan-all-passing"])
def test_filters_apply_inside_the_quantized_scan(trained, monkeypatch, scan_all):
    # 0: the ~330 passing chunks are found through the nearest cells, the filter
    # a mask inside them; 250,000: every passing chunk's bits are scanned.
    monkeypatch.setattr(vectors, "SCAN_ALL_PASSING", scan_all)
    monkeypatch.setattr(vectors, "RESCORE", 200)  # fewer than the ~330 passing: the Hamming ranking decides
    queries = _clustered(20, 384, seed=3)
    since, until = 1_600_000_000 + 500 * 3600, 1_600_000_000 + 1500 * 3600
    selective = Filters(kinds=["photo"], sources=["misc"], since=since, until=until)  # ~330 of 3,000
    assert _overlap(trained, queries, 10, selective) >= 0.95
    kinds = dict(trained.conn.execute("SELECT c.id, d.kind FROM chunks c JOIN documents d ON d.rowid = c.doc"))
    times = dict(trained.conn.execute("SELECT c.id, d.occurred_at FROM chunks c JOIN documents d ON d.rowid = c.doc"))
    for q in queries:
        hits = trained.knn(q, 10, selective)
        assert len(hits) == 10
        assert all(kinds[cid] == "photo" and since <= times[cid] < until for cid, _ in hits)
    # Undated chunks are left out by any time filter; a filter nothing passes finds nothing.
    assert trained.knn(queries[0], 10, Filters(sources=["nowhere"])) == []
    assert all(times[cid] is not None for cid, _ in trained.knn(queries[0], 50, Filters(since=0)))


def test_real_minilm_sentences_quantized_recall(tmp_path, real):
    from pocketmind.embeddings import MiniLMEmbedder

    turns, asked = [], []
    for path in sorted((real.parent / "locomo" / "dev").glob("*.json"))[:3]:
        data = json.loads(path.read_text())
        turns += [t["text"] for key, v in data.items() if key.startswith("session_") and isinstance(v, list) for t in v]
        asked += [qa["question"] for qa in data["qa"][:10]]
    assert len(turns) == 1451 and len(asked) == 30
    embedder = MiniLMEmbedder()
    store = Store(tmp_path / "m.db")
    _fill(store, embedder.encode(turns))
    with store.transaction():
        vectors.train(store.conn)
    queries = embedder.encode(asked)
    assert _overlap(store, queries, 10, Filters()) >= 0.95
    assert _overlap(store, queries, 10, Filters(kinds=["message"])) >= 0.95
    store.close()


def test_deletes_remove_from_every_vector_table(trained):
    assert _counts(trained) == (3000, 3000, 3000)
    with trained.transaction():
        assert trained.delete_documents([f"chat:{i}" for i in range(0, 300, 3)]) == 100
    assert _counts(trained) == (2900, 2900, 2900)
    gone = trained.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert gone == 2900
    # Re-writing a document replaces its vectors rather than adding to them.
    with trained.transaction():
        trained.write_document(_row(1, "note", 1), [ChunkRow(0, "", "x", "x", "hx", _clustered(1, 384, 9)[0])])
    assert _counts(trained) == (2900, 2900, 2900)
    assert trained.integrity_check() == "ok"


def test_cells_train_when_the_store_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "TRAIN_AT", 400)
    store = Store(tmp_path / "g.db")
    vecs = _clustered(1000, 32, seed=4)
    _fill(store, vecs[:399])
    assert store.conn.execute("SELECT count(*) FROM vector_cells").fetchone()[0] == 0  # small: no cells
    # Untrained: every bit vector is scanned; 399 chunks barely exceed the re-score pool.
    assert _overlap(store, vecs[:399:40], 10, Filters()) == 1.0
    assert _overlap(store, vecs[:399:40], 10, Filters(kinds=["note"])) == 1.0
    with store.transaction():
        for i in range(399, 1000):
            store.write_document(_row(i, "note", 5), [ChunkRow(0, "", "t", "t", f"h{i}", vecs[i])])
    # Trained at 400 (20 cells), re-trained at 800 (28 cells); new rows join the nearest cell.
    assert store.get_meta("vector_cells_trained_on") == "800"
    assert store.conn.execute("SELECT count(*) FROM vector_cells").fetchone()[0] == 28
    assert store.conn.execute("SELECT count(DISTINCT cell) FROM chunk_bits").fetchone()[0] > 20
    assert _overlap(store, vecs[::100], 5, Filters()) >= 0.95
    store.close()


def test_a_store_from_before_quantized_search_upgrades(tmp_path):
    path = tmp_path / "old.db"
    conn = open_connection(path)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    for name, sql in MIGRATIONS[:2]:
        with conn:
            conn.execute(sql)
            conn.execute("INSERT INTO _migrations VALUES (?, 0)", (name,))
    vecs = _clustered(50, 16, seed=5)
    with conn:  # the schema and rows exactly as the previous release wrote them
        conn.execute("CREATE VIRTUAL TABLE chunk_vectors USING vec0(chunk_id INTEGER PRIMARY KEY,"
                     " embedding float[16] distance_metric=cosine, kind TEXT, source TEXT, occurred_at INTEGER)")
        conn.execute("INSERT INTO meta VALUES ('vector_dimension', '16')")
        conn.execute("INSERT INTO sources VALUES ('misc', 'x', '/', '{}', 0, NULL, NULL)")
        for i, v in enumerate(vecs):
            conn.execute("INSERT INTO documents(id, source, kind, text, occurred_at, content_hash, updated_at)"
                         " VALUES (?, 'misc', 'note', 't', 7, 'h', 0)", (f"misc:{i}",))
            conn.execute("INSERT INTO chunks(doc, seq, text, hash) VALUES (?, 0, 't', ?)", (conn.last_insert_rowid(), f"h{i}"))
            conn.execute("INSERT INTO chunk_vectors VALUES (?, ?, 'note', 'misc', 7)", (conn.last_insert_rowid(), v.tobytes()))
    conn.close()

    store = Store(path)
    assert "0003_quantized_vectors" in [r[0] for r in store.conn.execute("SELECT name FROM _migrations")]
    assert store.vector_dimension() == 16
    assert _counts(store) == (50, 50, 50)
    assert store.knn(vecs[7], 1, Filters(kinds=["note"]))[0][0] == 8  # chunk ids start at 1
    with store.transaction():
        vectors.train(store.conn)
    assert store.knn(vecs[7], 1, Filters(since=7, until=8))[0][0] == 8
    with pytest.raises(apsw.SQLError):
        store.conn.execute("INSERT INTO chunk_bits(chunk_id, cell, embedding) VALUES (1, 0, vec_quantize_binary(?))",
                           (vecs[0].tobytes(),))  # back-filled: id 1 is taken
    store.close()


# -- the in-memory Hamming scan (store/bitindex.py) ---------------------------


def _hamming_truth(stored: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Hamming distances computed from the float vectors alone (sign bits)."""
    return ((stored > 0) != (query > 0)).sum(axis=1)


def test_in_memory_bits_are_the_stored_bits(trained):
    stored = _clustered(3000, 384, seed=1)
    index = trained._bit_index().current(trained.conn)
    assert len(index) == 3000 and index.bits.shape == (3000, 6) and len(index.centroids) == 55
    assert sorted(index.ids.tolist()) == list(range(1, 3001))
    # Each cell is one contiguous slice and holds the chunks vec0 files under that cell.
    cells = dict(trained.conn.execute("SELECT chunk_id, cell FROM chunk_bits"))
    for cell in (0, 17, 54):
        rows = slice(index.starts[cell], index.starts[cell + 1])
        assert sorted(index.ids[rows].tolist()) == sorted(cid for cid, c in cells.items() if c == cell)
    # Bits: the sign of every dimension, so distances equal those from the floats.
    query = _clustered(1, 384, seed=8)[0]
    query_bits = vectors.bits_of(trained.conn, query, 6)
    mine = np.bitwise_count(index.bits ^ query_bits).sum(axis=1)
    assert np.array_equal(mine, _hamming_truth(stored[index.ids - 1], query))
    # Filter columns come from the documents: chunk i+1 is document i.
    assert index.kind_codes.keys() == {"message", "note", "photo"}
    kind_names = {code: name for name, code in index.kind_codes.items()}
    assert all(kind_names[int(c)] == KINDS[(cid - 1) % 3] for cid, c in zip(index.ids[:200], index.kind[:200]))
    assert int(index.when[index.ids == 1][0]) == vectors.NO_TIME  # document 0 is undated
    assert int(index.when[index.ids == 2][0]) == 1_600_000_000 + 3600


def test_in_memory_scan_with_a_pool_as_large_as_the_store_is_exact(trained, monkeypatch):
    monkeypatch.setattr(vectors, "RESCORE", 3000)
    monkeypatch.setattr(vectors, "PROBES_PER_ROOT", 100.0)  # every cell
    for q in _clustered(10, 384, seed=6):
        got = trained.knn(q, 10, Filters())
        exact = trained.knn(q, 10, Filters(), exact=True)
        assert [cid for cid, _ in got] == [cid for cid, _ in exact]
        assert [d for _, d in got] == pytest.approx([d for _, d in exact], abs=1e-5)


def test_hamming_candidates_are_the_nearest_in_bits(trained, monkeypatch):
    # With every cell probed and no sign shortlist the pool is exactly the
    # Hamming-nearest chunks (ties aside): compare with distances from the floats.
    monkeypatch.setattr(vectors, "PROBES_PER_ROOT", 100.0)
    monkeypatch.setattr(vectors, "SHORTLIST", 0)
    stored = _clustered(3000, 384, seed=1)
    index = trained._bit_index().current(trained.conn)
    for q in _clustered(5, 384, seed=7):
        got = vectors._candidates(trained.conn, index, q, 100, (), (), None, None)
        truth = _hamming_truth(stored, q)
        cutoff = np.sort(truth)[99]
        assert len(got) == 100 and len(set(got)) == 100
        assert all(truth[cid - 1] <= cutoff for cid in got)
        assert set(np.flatnonzero(truth < cutoff) + 1) <= set(got)


def test_sign_scores_rank_the_shortlist(trained, monkeypatch):
    # sign_scores = query . sign(vector), computed from the packed bits by byte tables.
    stored = _clustered(3000, 384, seed=1)
    index = trained._bit_index().current(trained.conn)
    signs = np.where(stored[index.ids - 1] > 0, 1.0, -1.0)
    monkeypatch.setattr(vectors, "PROBES_PER_ROOT", 100.0)
    monkeypatch.setattr(vectors, "SHORTLIST", 3000)  # the whole store: the pool is the sign-score top
    for q in _clustered(5, 384, seed=15):
        q = q / np.linalg.norm(q)
        truth = signs @ q
        assert bitindex.sign_scores(index.bits, q) == pytest.approx(truth, abs=1e-4)
        got = vectors._candidates(trained.conn, index, q, 100, (), (), None, None)
        assert set(got) == set(index.ids[np.argsort(-truth)[:100]].tolist())


def test_writes_after_a_query_are_seen_by_the_next_one(trained):
    shared = trained._bit_index()
    query = _clustered(1, 384, seed=11)[0]
    before = trained.knn(query, 5, Filters())
    trained.knn(query, 5, Filters(kinds=["note"]))
    assert shared.loads == 1  # queries alone never reload
    with trained.transaction():
        trained.write_document(_row(9001, "note", 1_700_000_000), [ChunkRow(0, "", "n", "n", "hn", query)])
    new_id = trained.conn.execute("SELECT max(id) FROM chunks").fetchone()[0]
    (best, dist), *_ = trained.knn(query, 5, Filters())
    assert best == new_id and dist == pytest.approx(0.0, abs=1e-5)
    assert trained.knn(query, 1, Filters(kinds=["note"], since=1_700_000_000))[0][0] == new_id
    assert trained.knn(query, 1, Filters(kinds=["photo"]))[0][0] != new_id
    assert (shared.loads, shared.refreshes) == (1, 1)  # applied from the change log, not reloaded
    with trained.transaction():
        assert trained.delete_documents(["misc:9001"]) == 1
    assert trained.knn(query, 5, Filters()) == before
    assert new_id not in {cid for cid, _ in trained.knn(query, 50, Filters(kinds=["note"]))}
    assert (shared.loads, shared.refreshes) == (1, 2)


def _same_rows(a: bitindex.BitIndex, b: bitindex.BitIndex) -> None:
    """Same cells (slices) holding the same chunks with the same bits and filter columns."""
    assert np.array_equal(a.starts, b.starts) and np.array_equal(a.cell, b.cell)
    a_order, b_order = np.lexsort((a.ids, a.cell)), np.lexsort((b.ids, b.cell))  # order inside a cell is free
    assert np.array_equal(a.ids[a_order], b.ids[b_order]) and np.array_equal(a.bits[a_order], b.bits[b_order])
    assert np.array_equal(a.when[a_order], b.when[b_order])
    for codes_a, codes_b, col_a, col_b in ((a.kind_codes, b.kind_codes, a.kind, b.kind),
                                           (a.source_codes, b.source_codes, a.source, b.source)):
        names_a = {v: k for k, v in codes_a.items()}
        names_b = {v: k for k, v in codes_b.items()}
        assert [names_a[int(c)] for c in col_a[a_order]] == [names_b[int(c)] for c in col_b[b_order]]


def test_a_refreshed_index_equals_a_fresh_load(trained, monkeypatch):
    shared = trained._bit_index()
    shared.current(trained.conn)
    new = _clustered(30, 384, seed=16)
    trained.add_source("cal", "x", "/")
    with trained.transaction():
        trained.delete_documents([f"chat:{i}" for i in range(0, 90, 3)])  # 30 messages gone
        for i, v in enumerate(new):  # 30 new chunks, a new kind and source among them
            row = _row(5000 + i, "event" if i % 2 else "note", 1_650_000_000 + i)
            row["source"] = "cal" if i % 2 else "misc"
            trained.write_document(row, [ChunkRow(0, "", "e", "e", f"he{i}", v)])
        trained.write_document(_row(4, "note", 7), [ChunkRow(0, "", "x", "x", "hx", new[0])])  # replaced
    refreshed = shared.current(trained.conn)
    assert (shared.loads, shared.refreshes) == (1, 1) and len(refreshed) == 3000
    _same_rows(refreshed, bitindex.load(trained.conn))
    assert trained.knn(new[5], 1, Filters(kinds=["event"], sources=["cal"]))[0][1] == pytest.approx(0.0, abs=1e-5)
    # A reader further behind than the kept log reloads in full.
    monkeypatch.setattr(vectors, "KEEP_CHANGES", 2)
    with trained.transaction():
        for i in range(3):
            trained.write_document(_row(6000 + i, "note", 1), [ChunkRow(0, "", "y", "y", f"hy{i}", new[i])])
    _same_rows(shared.current(trained.conn), bitindex.load(trained.conn))
    assert (shared.loads, shared.refreshes) == (2, 1)
    assert trained.conn.execute("SELECT count(*) FROM vector_changes").fetchone()[0] == 2


def test_a_rolled_back_write_is_not_seen(trained):
    query = _clustered(1, 384, seed=12)[0]
    before = trained.knn(query, 5, Filters())
    with pytest.raises(RuntimeError):
        with trained.transaction():
            trained.write_document(_row(9002, "note", 1), [ChunkRow(0, "", "n", "n", "hn", query)])
            assert trained.knn(query, 1, Filters())[0][1] == pytest.approx(0.0, abs=1e-5)  # its own write
            raise RuntimeError("abort")
    assert trained.knn(query, 5, Filters()) == before


def test_a_store_reopened_from_disk_searches_the_same(tmp_path):
    path = tmp_path / "r.db"
    store = Store(path)
    _fill(store, _clustered(3000, 384, seed=1))
    with store.transaction():
        vectors.train(store.conn)
    queries = _clustered(5, 384, seed=13)
    filters = Filters(kinds=["message"], since=1_600_000_000 + 1000 * 3600)
    before = [(store.knn(q, 10, Filters()), store.knn(q, 10, filters)) for q in queries]
    store.close()
    reopened = Store(path)
    assert [(reopened.knn(q, 10, Filters()), reopened.knn(q, 10, filters)) for q in queries] == before
    assert reopened._bit_index().loads == 1
    reopened.close()


def test_threads_share_one_in_memory_copy(trained):
    import threading

    query = _clustered(1, 384, seed=14)[0]
    expected = trained.knn(query, 10, Filters())
    results = []

    def search() -> None:
        results.append(trained.knn(query, 10, Filters()))

    threads = [threading.Thread(target=search) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4
    assert trained._bit_index().loads == 1
