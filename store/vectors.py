"""Vector search that stays fast at a million chunks: IVF cells + bit vectors + exact re-scoring.

Four tables, all in the one SQLite file (the single source of truth, written
in the caller's transaction):

* ``chunk_vectors`` (vec0, float32, cosine): the exact embeddings, searched
  directly by ``exact=True`` (and for a zero query vector).
* ``chunk_embeddings`` (plain table, float32 BLOB by chunk id): the same
  vectors for re-scoring -- a rowid lookup here costs microseconds, a vec0
  lookup by id ~0.1 ms, which at 400 candidates was the whole budget.
* ``chunk_bits`` (vec0, ``bit[D]``): one sign bit per dimension (48 bytes for
  384-d) with ``cell`` as a *partition key* and kind / source / occurred_at as
  metadata columns (the layout older releases searched through vec0).
* ``vector_cells``: coarse k-means centroids (IVF). A query looks only at the
  chunks of its PROBES_PER_ROOT*sqrt(cells) nearest cells that pass its filter:
  the SHORTLIST smallest Hamming distances, ranked again by the float query
  against their signs, and the RESCORE best re-scored with the float vectors.

The query path does not scan ``chunk_bits`` through vec0: :mod:`.bitindex`
holds every chunk's bits, cell and filter columns in numpy arrays (read from
SQLite, ~68 bytes per chunk) and computes Hamming distances there, ~30x
cheaper per vector than vec0's partition scan. Every vector write also
appends the chunk ids it inserted / deleted to ``vector_changes`` (same
transaction, with a random token so a rolled-back write is never mistaken
for a later one); a reader whose arrays are behind applies those changes
(~0.1 s at 1M chunks) or, if the log was pruned past it or the cells were
re-trained, reloads everything (~4 s at 1M).

The cells are trained once the store holds ``TRAIN_AT`` vectors and re-trained
each time it has doubled since, so cells stay ~sqrt(N) vectors large.
Until the first training every bit vector sits in cell 0 and a query scans them all
(a store that small fits the re-score pool or nearly: results are exact or close).
"""

from __future__ import annotations

import math
import os
from typing import Any, Iterable, Sequence

import apsw
import numpy as np

from .bitindex import BitIndex, SharedBitIndex, nearest

# vec0 metadata columns cannot hold NULL: undated documents get this time, so
# any time filter leaves them out. (Re-exported by store.py.)
NO_TIME = -(2**62)

EXACT_BELOW = 20_000  # vectors: below this no cells, a query scans every bit vector
TRAIN_AT = EXACT_BELOW
RETRAIN_GROWTH = 2.0  # re-train cells when the store has grown this much
TRAIN_SAMPLE_PER_CELL = 40  # k-means sample size per cell
KMEANS_ITERATIONS = 8
# Cells scanned per query: PROBES_PER_ROOT * sqrt(cells), e.g. 198 of 800 at 1M chunks.
# bench/scale.py data, 1M chunks (800 cells), recall@10 / knn p50 (in-memory scan):
# 5.0 -> 0.960 / 8 ms, 7.0 -> 0.981 / 10 ms, 10.0 -> 0.991 / 13 ms (RESCORE 300, SHORTLIST 4000-8000);
# with Hamming alone (no shortlist) RESCORE 1000 -> 2000 only moved 0.958 -> 0.961 at 5.0, for 2-3x the time.
PROBES_PER_ROOT = 7.0
MIN_PROBES = 8
SHORTLIST = 4000  # Hamming-nearest chunks ranked again by float query . stored signs
RESCORE = 300  # the best of those re-scored with the float vectors (random reads in SQLite: ~5-8 us each)
# A filter passing at most this many chunks has all of them Hamming-scanned
# (no cells: ~15 ns each), one passing fewer than the re-score pool is re-scored exactly.
SCAN_ALL_PASSING = 250_000
CELLS_PER_ROOT = 1.0  # cells = CELLS_PER_ROOT * sqrt(N)
# A filter passing a share s of the chunks probes s ** -FILTER_PROBE_EXPONENT times more cells
# (100k chunks, a 10% filter, recall@10: exponent 0.5 -> 0.985, 0.3 -> 0.966 with 30% fewer cells).
FILTER_PROBE_EXPONENT = 0.3

_CELLS_VERSION = "vector_cells_version"
_TRAINED_ON = "vector_cells_trained_on"
KEEP_CHANGES = 20_000  # vector_changes rows kept: a reader further behind reloads in full


def blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def bits_blob(vector: np.ndarray) -> bytes:
    """The float vector zero-padded to a multiple of 8 for ``vec_quantize_binary``
    (padding bits are always 0, so they never change a Hamming distance)."""
    vector = np.asarray(vector, dtype=np.float32)
    pad = -len(vector) % 8
    return (np.concatenate([vector, np.zeros(pad, dtype=np.float32)]) if pad else vector).tobytes()


def cell_count_for(n: int) -> int:
    return max(16, int(round(CELLS_PER_ROOT * math.sqrt(n))))


# -- schema ----------------------------------------------------------------


def create_tables(conn: apsw.Connection, dimension: int) -> None:
    """(Re)create every vector table for ``dimension``; cells start untrained."""
    dim = int(dimension)
    for table in ("chunk_vectors", "chunk_bits", "chunk_embeddings"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    create_embeddings_table(conn)
    conn.execute(
        f"CREATE VIRTUAL TABLE chunk_vectors USING vec0("
        f" chunk_id INTEGER PRIMARY KEY, embedding float[{dim}] distance_metric=cosine,"
        f" kind TEXT, source TEXT, occurred_at INTEGER)"
    )
    create_bits_table(conn, dim)
    reset_cells(conn)


def create_embeddings_table(conn: apsw.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS chunk_embeddings (chunk_id INTEGER PRIMARY KEY, vector BLOB NOT NULL)")


def create_bits_table(conn: apsw.Connection, dimension: int) -> None:
    conn.execute(
        f"CREATE VIRTUAL TABLE chunk_bits USING vec0("
        f" chunk_id INTEGER PRIMARY KEY, cell INTEGER partition key, embedding bit[{_bits(dimension)}],"
        f" kind TEXT, source TEXT, occurred_at INTEGER)"
    )


def _bits(dimension: int) -> int:
    return int(dimension) + (-int(dimension) % 8)


def reset_cells(conn: apsw.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS vector_cells (cell INTEGER PRIMARY KEY, centroid BLOB NOT NULL)")
    conn.execute("DELETE FROM vector_cells")
    _set_meta(conn, _TRAINED_ON, "0")
    _bump_version(conn)


def has_bits_table(conn: apsw.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'chunk_bits'").fetchone() is not None


def upgrade(conn: apsw.Connection, dimension: int) -> None:
    """A store made before quantized search: add the bit table and back-fill it
    from the float vectors (once, in one transaction)."""
    with conn:
        if has_bits_table(conn):
            return
        create_bits_table(conn, dimension)
        create_embeddings_table(conn)
        reset_cells(conn)
        rows = conn.execute("SELECT chunk_id, embedding, kind, source, occurred_at FROM chunk_vectors").fetchall()
        conn.executemany("INSERT OR REPLACE INTO chunk_embeddings(chunk_id, vector) VALUES (?, ?)", [(r[0], r[1]) for r in rows])
        _insert_bits(conn, [(cid, np.frombuffer(e, dtype=np.float32), kind, src, when, 0) for cid, e, kind, src, when in rows])
    maybe_train(conn)


# -- the per-connection cache of centroids ----------------------------------


class Cells:
    """Centroids cached for one connection (one per thread), re-read when a writer
    re-trained them (inserts assign new rows to their nearest cell)."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.centroids: np.ndarray | None = None  # (cells, D) float32, unit rows; None = untrained

    def current(self, conn: apsw.Connection) -> np.ndarray | None:
        version = _get_meta(conn, _CELLS_VERSION)
        if version != self.version:
            rows = conn.execute("SELECT centroid FROM vector_cells ORDER BY cell").fetchall()
            self.centroids = np.stack([np.frombuffer(r[0], dtype=np.float32) for r in rows]) if rows else None
            self.version = version
        return self.centroids


# -- writes ------------------------------------------------------------------


def insert(conn: apsw.Connection, cells: Cells, rows: Iterable[tuple[int, str, str, int | None, np.ndarray]]) -> None:
    """Insert (chunk id, kind, source, occurred_at, unit vector) rows into both tables."""
    rows = [(cid, np.asarray(vec, dtype=np.float32), kind, src, NO_TIME if when is None else when)
            for cid, kind, src, when, vec in rows]
    if not rows:
        return
    conn.executemany(
        "INSERT INTO chunk_vectors(chunk_id, embedding, kind, source, occurred_at) VALUES (?, ?, ?, ?, ?)",
        [(cid, blob(vec), kind, src, when) for cid, vec, kind, src, when in rows],
    )
    conn.executemany("INSERT INTO chunk_embeddings(chunk_id, vector) VALUES (?, ?)", [(cid, blob(vec)) for cid, vec, *_ in rows])
    centroids = cells.current(conn)
    if centroids is None:
        assigned = np.zeros(len(rows), dtype=np.int64)
    else:
        assigned = np.argmax(np.stack([vec for _, vec, *_ in rows]) @ centroids.T, axis=1)
    _insert_bits(conn, [(cid, vec, kind, src, when, int(cell)) for (cid, vec, kind, src, when), cell in zip(rows, assigned)])
    log_change(conn, inserted=[cid for cid, *_ in rows])


def log_change(conn: apsw.Connection, inserted: Sequence[int] = (), deleted: Sequence[int] = ()) -> None:
    """Tell in-memory indexes (:mod:`.bitindex`) which vectors changed. The token
    is random, not a counter: after a rollback the same seq is reused by a
    different write, and a reader that saw the rolled-back one must notice."""
    conn.execute("CREATE TABLE IF NOT EXISTS vector_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                 " token TEXT NOT NULL, inserted BLOB NOT NULL, deleted BLOB NOT NULL)")
    conn.execute("INSERT INTO vector_changes(token, inserted, deleted) VALUES (?, ?, ?)",
                 (os.urandom(8).hex(), np.asarray(inserted, dtype=np.int64).tobytes(), np.asarray(deleted, dtype=np.int64).tobytes()))
    conn.execute("DELETE FROM vector_changes WHERE seq <= ?", (conn.last_insert_rowid() - KEEP_CHANGES,))


def _insert_bits(conn: apsw.Connection, rows: Sequence[tuple[int, np.ndarray, str, str, int, int]]) -> None:
    conn.executemany(
        "INSERT INTO chunk_bits(chunk_id, cell, embedding, kind, source, occurred_at)"
        " VALUES (?, ?, vec_quantize_binary(?), ?, ?, ?)",
        [(cid, cell, bits_blob(vec), kind, src, when) for cid, vec, kind, src, when, cell in rows],
    )


def delete(conn: apsw.Connection, chunk_ids: Sequence[int]) -> None:
    for chunk_id in chunk_ids:
        conn.execute("DELETE FROM chunk_vectors WHERE chunk_id = ?", (chunk_id,))
        conn.execute("DELETE FROM chunk_bits WHERE chunk_id = ?", (chunk_id,))
        conn.execute("DELETE FROM chunk_embeddings WHERE chunk_id = ?", (chunk_id,))
    if chunk_ids:
        log_change(conn, deleted=chunk_ids)


def approximate_count(conn: apsw.Connection) -> int:
    """Vectors stored, within deletions: the largest chunk id costs one index probe."""
    return conn.execute("SELECT coalesce(max(id), 0) FROM chunks").fetchone()[0]


def maybe_train(conn: apsw.Connection) -> bool:
    """Train (or re-train) the cells when the store has crossed the next size; call
    inside the writer's transaction. Returns whether it trained."""
    n = approximate_count(conn)
    trained_on = int(_get_meta(conn, _TRAINED_ON) or 0)
    if n < TRAIN_AT or (trained_on and n < trained_on * RETRAIN_GROWTH):
        return False
    train(conn)
    return True


def train(conn: apsw.Connection, seed: int = 0) -> int:
    """k-means the float vectors into ~sqrt(N) cells and re-assign every bit vector."""
    ids, vectors, meta = _all_vectors(conn)
    n = len(ids)
    if n == 0:
        return 0
    cells = min(cell_count_for(n), n)
    centroids = spherical_kmeans(vectors, cells, seed=seed)
    assigned = _assign(vectors, centroids)
    conn.execute("DELETE FROM vector_cells")
    conn.executemany("INSERT INTO vector_cells(cell, centroid) VALUES (?, ?)", [(i, blob(c)) for i, c in enumerate(centroids)])
    conn.execute("DELETE FROM chunk_bits")
    _insert_bits(conn, [(int(cid), vectors[i], m[0], m[1], m[2], int(assigned[i])) for i, (cid, m) in enumerate(zip(ids, meta))])
    _set_meta(conn, _TRAINED_ON, str(n))
    _bump_version(conn)
    return cells


def _all_vectors(conn: apsw.Connection) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, int]]]:
    ids, blobs, meta = [], [], []
    for cid, emb, kind, src, when in conn.execute(
        "SELECT e.chunk_id, e.vector, d.kind, d.source, d.occurred_at FROM chunk_embeddings e"
        " JOIN chunks c ON c.id = e.chunk_id JOIN documents d ON d.rowid = c.doc ORDER BY e.chunk_id"
    ):
        ids.append(cid)
        blobs.append(emb)
        meta.append((kind, src, NO_TIME if when is None else when))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32), []
    vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
    return np.asarray(ids, dtype=np.int64), vectors, meta


def _assign(vectors: np.ndarray, centroids: np.ndarray, batch: int = 65_536) -> np.ndarray:
    out = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), batch):
        out[start : start + batch] = np.argmax(vectors[start : start + batch] @ centroids.T, axis=1)
    return out


def spherical_kmeans(vectors: np.ndarray, cells: int, seed: int = 0) -> np.ndarray:
    """Cosine k-means on a sample; unit centroids. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    sample_size = min(len(vectors), cells * TRAIN_SAMPLE_PER_CELL)
    sample = vectors[np.sort(rng.choice(len(vectors), sample_size, replace=False))]
    centroids = sample[rng.choice(len(sample), cells, replace=False)].copy()
    for _ in range(KMEANS_ITERATIONS):
        assigned = _assign(sample, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assigned, sample)
        empty = ~sums.any(axis=1)
        sums[empty] = sample[rng.choice(len(sample), int(empty.sum()), replace=False)]  # re-seed empty cells
        centroids = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    return centroids.astype(np.float32)


# -- search ------------------------------------------------------------------


def filter_sql(kinds: Sequence[str], sources: Sequence[str], since: int | None, until: int | None) -> tuple[list[str], list[Any]]:
    """vec0 metadata constraints: evaluated inside the KNN scan."""
    where: list[str] = []
    params: list[Any] = []
    if kinds:
        where.append(f"kind IN ({','.join('?' * len(kinds))})")
        params += list(kinds)
    if sources:
        where.append(f"source IN ({','.join('?' * len(sources))})")
        params += list(sources)
    if since is not None:
        where.append("occurred_at >= ?")
        params.append(since)
    if until is not None:
        where.append("occurred_at < ?")
        params.append(until)
    return where, params


def exact_knn(conn: apsw.Connection, vector: np.ndarray, k: int, where: list[str], params: list[Any]) -> list[tuple[int, float]]:
    sql = f"SELECT chunk_id, distance FROM chunk_vectors WHERE {' AND '.join(['embedding MATCH ?', 'k = ?', *where])}"
    return [(cid, dist) for cid, dist in conn.execute(sql, [blob(vector), k, *params])]


def knn(conn: apsw.Connection, index: SharedBitIndex, vector: np.ndarray, k: int,
        kinds: Sequence[str] = (), sources: Sequence[str] = (), since: int | None = None, until: int | None = None,
        *, exact: bool = False) -> list[tuple[int, float]]:
    """Nearest chunks by cosine distance, best first, filters applied inside the scan.

    ``exact=True`` scans the float vectors in vec0. Otherwise, in memory
    (:mod:`.bitindex`): the chunks of the nearest cells that pass the filter
    -> SHORTLIST smallest Hamming distances -> RESCORE best by query . signs
    -> float re-scoring. A filter passing few enough chunks, or an untrained
    (small) store, has all of its chunks scanned instead of cells.
    """
    where, params = filter_sql(kinds, sources, since, until)
    query = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(query))
    if exact or norm == 0.0:
        return exact_knn(conn, vector, k, where, params)
    query = query / norm
    bits = index.current(conn)
    if not len(bits):
        return []
    pool = max(RESCORE, 4 * k)
    return _rescore(conn, query, _candidates(conn, bits, query, pool, kinds, sources, since, until), k)


def _candidates(conn: apsw.Connection, bits: BitIndex, query: np.ndarray, pool: int, kinds: Sequence[str],
                sources: Sequence[str], since: int | None, until: int | None) -> list[int]:
    """Chunk ids worth re-scoring: the pool nearest (bits, then signs) among the probed cells."""
    query_bits = bits_of(conn, query, bits.bits.shape[1])
    passing = bits.passing(kinds, sources, since, until)
    if bits.centroids is None:  # untrained: a small store, every chunk is scanned
        rows = np.flatnonzero(passing) if passing is not None else np.arange(len(bits))
        return nearest(bits.ids[rows], bits.bits[rows], query_bits, pool, query, SHORTLIST).tolist()
    share = 1.0
    if passing is not None:
        rows = np.flatnonzero(passing)
        if len(rows) <= SCAN_ALL_PASSING:  # cheaper than picking cells; exact when rows <= pool
            return nearest(bits.ids[rows], bits.bits[rows], query_bits, pool, query, SHORTLIST).tolist()
        share = len(rows) / max(len(bits), 1)
    # A filter passing a share s of the chunks needs more cells to see as many
    # passing neighbours (s ** -FILTER_PROBE_EXPONENT times: recall against time).
    probes = max(MIN_PROBES, int(math.ceil(PROBES_PER_ROOT * math.sqrt(len(bits.centroids)) * share ** -FILTER_PROBE_EXPONENT)))
    probed = np.argpartition(-(bits.centroids @ query), probes)[:probes] if probes < len(bits.centroids) else np.arange(len(bits.centroids))
    if passing is None:
        ids, words = bits.cells_bits(probed.tolist())
    else:
        rows = bits.cell_rows(probed.tolist())
        rows = rows[passing[rows]]
        ids, words = bits.ids[rows], bits.bits[rows]
    return nearest(ids, words, query_bits, pool, query, SHORTLIST).tolist()


def bits_of(conn: apsw.Connection, query: np.ndarray, width_words: int) -> np.ndarray:
    """The query's sign bits packed exactly as vec0 stored the chunks' (same function)."""
    packed = conn.execute("SELECT vec_quantize_binary(?)", (bits_blob(query),)).fetchone()[0]
    raw = np.frombuffer(packed, dtype=np.uint8)
    return np.concatenate([raw, np.zeros(8 * width_words - len(raw), dtype=np.uint8)]).view(np.uint64)


def similarities(conn: apsw.Connection, query: np.ndarray, chunk_ids: Sequence[int]) -> dict[int, float]:
    """Cosine similarity of the query to each of ``chunk_ids`` that has a vector."""
    return {cid: 1.0 - distance for cid, distance in _rescore(conn, query, list(chunk_ids), len(chunk_ids))}


def _rescore(conn: apsw.Connection, query: np.ndarray, candidates: list[int], k: int) -> list[tuple[int, float]]:
    if not candidates:
        return []
    candidates = sorted(candidates)  # B-tree order: neighbouring lookups share pages
    ids, blobs = [], []
    for start in range(0, len(candidates), 500):
        part = candidates[start : start + 500]
        for cid, emb in conn.execute(f"SELECT chunk_id, vector FROM chunk_embeddings WHERE chunk_id IN ({','.join('?' * len(part))})", part):
            ids.append(cid)
            blobs.append(emb)
    if not ids:
        return []
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1)
    distances = 1.0 - matrix @ query
    order = np.argsort(distances, kind="stable")[:k]
    return [(ids[i], float(distances[i])) for i in order]


# -- meta helpers (the meta table belongs to migration 0001) -----------------


def _get_meta(conn: apsw.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(conn: apsw.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def _bump_version(conn: apsw.Connection) -> None:
    _set_meta(conn, _CELLS_VERSION, str(int(_get_meta(conn, _CELLS_VERSION) or 0) + 1))
