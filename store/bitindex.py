"""The sign bits of every chunk held in memory, scanned by numpy (Hamming distance).

SQLite stays the single source of truth: the bits are *read* from the
``chunk_bits`` vec0 table (its shadow tables, ~0.5 s per million chunks) and
the filter columns from ``documents``; nothing here is ever written back.
Scanning the per-cell bit partitions through vec0 cost ~0.5 us per vector
plus the cost of returning rows; numpy XOR + popcount over contiguous
uint64 words costs ~15 ns per vector, so a query can afford to look at many
more cells (recall) in less time.

Rows are sorted by cell, so a cell is one contiguous slice. The arrays are
shared by every thread of a :class:`~pocketmind.store.Store` and reloaded as a
whole when the store's vector state key changed (cells re-trained, or any
vector written or deleted: ``vectors.py`` stores a fresh random token in the
same transaction).

Memory: 8 (id) + 48 (384 bits) + 2 + 2 (kind, source codes) + 8 (time)
= 68 bytes per chunk, ~68 MB at a million.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

import apsw
import numpy as np

from pocketmind.heap import give_back

NO_TIME = -(2**62)  # undated chunks (as in vectors.py): any time filter leaves them out


@dataclass
class BitIndex:
    key: tuple[str | None, int, str | None]  # (cells version, last change seq, its token)
    centroids: np.ndarray | None  # (cells, D) unit rows; None = untrained
    ids: np.ndarray  # (n,) int64 chunk ids, grouped by cell
    bits: np.ndarray  # (n, words) uint64 sign bits
    starts: np.ndarray  # rows of cell c are starts[c]:starts[c + 1]
    kind: np.ndarray  # (n,) uint16 codes into kind_codes
    source: np.ndarray  # (n,) uint16 codes into source_codes
    when: np.ndarray  # (n,) int64 occurred_at, NO_TIME when undated
    cell: np.ndarray  # (n,) int32, sorted
    kind_codes: dict[str, int] = field(default_factory=dict)
    source_codes: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.ids, self.bits, self.starts, self.kind, self.source, self.when, self.cell))

    def passing(self, kinds: Sequence[str], sources: Sequence[str], since: int | None, until: int | None) -> np.ndarray | None:
        """Boolean mask of the rows a filter lets through; None when there is no filter."""
        if not (kinds or sources or since is not None or until is not None):
            return None
        mask = np.ones(len(self), dtype=bool)
        if kinds:
            mask &= _allowed([self.kind_codes[k] for k in kinds if k in self.kind_codes])[self.kind]
        if sources:
            mask &= _allowed([self.source_codes[s] for s in sources if s in self.source_codes])[self.source]
        if since is not None:
            mask &= self.when >= since
        if until is not None:
            mask &= self.when < until
        return mask

    def cell_rows(self, cells: Sequence[int]) -> np.ndarray:
        """Row numbers of the given cells (cells sorted first: memory order)."""
        ranges = [(self.starts[c], self.starts[c + 1]) for c in sorted(cells)]
        return np.concatenate([np.arange(s, e) for s, e in ranges]) if ranges else np.zeros(0, dtype=np.int64)

    def cells_bits(self, cells: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """(ids, bits) of the given cells, copied from contiguous slices."""
        ranges = [(self.starts[c], self.starts[c + 1]) for c in sorted(cells)]
        if not ranges:
            return self.ids[:0], self.bits[:0]
        return (np.concatenate([self.ids[s:e] for s, e in ranges]), np.concatenate([self.bits[s:e] for s, e in ranges]))


def _allowed(codes: list[int]) -> np.ndarray:
    """A lookup table over every uint16 code: indexing it is ~5x faster than np.isin."""
    table = np.zeros(2**16, dtype=bool)
    table[codes] = True
    return table


def nearest(ids: np.ndarray, bits: np.ndarray, query_bits: np.ndarray, pool: int,
            query: np.ndarray | None = None, shortlist: int = 0) -> np.ndarray:
    """Ids of the ``pool`` rows nearest the query (unordered): the ``shortlist``
    smallest Hamming distances, then (given the float ``query``) the ``pool``
    best of those by :func:`sign_scores`."""
    if query is not None and shortlist > pool and len(ids) > pool:
        rows = _hamming_nearest(bits, query_bits, shortlist)
        best = np.argpartition(-sign_scores(bits[rows], query), pool)[:pool]
        return ids[rows[best]]
    if len(ids) <= pool:
        return ids
    return ids[_hamming_nearest(bits, query_bits, pool)]


_SIGNS = (((np.arange(256)[:, None] >> np.arange(8)) & 1) * 2 - 1).astype(np.float32)  # byte -> 8 signs (LSB first)


def sign_scores(bits: np.ndarray, query: np.ndarray) -> np.ndarray:
    """query . sign(vector) for each row: the float query against the stored
    signs (asymmetric), far closer to the cosine order than a Hamming distance
    and as cheap as 48 table look-ups per row (one 256-entry table per byte)."""
    raw = bits.view(np.uint8)
    padded = np.zeros(raw.shape[1] * 8, dtype=np.float32)
    padded[: len(query)] = query
    tables = padded.reshape(-1, 8) @ _SIGNS.T  # (bytes, 256)
    return tables[np.arange(raw.shape[1]), raw].sum(axis=1)


def _hamming_nearest(bits: np.ndarray, query_bits: np.ndarray, pool: int) -> np.ndarray:
    """Rows of the ``pool`` smallest Hamming distances (unordered)."""
    if len(bits) <= pool:
        return np.arange(len(bits))
    counts = np.bitwise_count(bits ^ query_bits)  # (n, words) uint8
    distance = counts[:, 0].astype(np.uint16)
    for word in range(1, counts.shape[1]):  # column adds beat .sum(axis=1) ~3x on 6 words
        distance += counts[:, word]
    return np.argpartition(distance, pool)[:pool]


def words(packed: bytes | np.ndarray, width: int) -> np.ndarray:
    """Packed bit bytes -> uint64 words (zero-padded: padding never changes a distance)."""
    raw = np.frombuffer(packed, dtype=np.uint8) if isinstance(packed, bytes) else packed
    raw = raw.reshape(-1, width)
    pad = -width % 8
    if pad:
        raw = np.concatenate([raw, np.zeros((len(raw), pad), dtype=np.uint8)], axis=1)
    return np.ascontiguousarray(raw).view(np.uint64)


# -- loading ----------------------------------------------------------------


def state_key(conn: apsw.Connection) -> tuple[str | None, int, str | None]:
    """(cells version, seq and token of the last vector change): moves whenever
    the cells are re-trained or any vector is written or deleted."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'vector_cells_version'").fetchone()
    try:
        last = conn.execute("SELECT seq, token FROM vector_changes ORDER BY seq DESC LIMIT 1").fetchone()
    except apsw.SQLError:  # a store no write has touched since this code: no change log yet
        last = None
    return (row[0] if row else None, *(last or (0, None)))


def load(conn: apsw.Connection) -> BitIndex:
    """Read every chunk's bits, cell and filter columns in one read snapshot."""
    with conn:  # a savepoint: the key and the rows come from the same snapshot
        key = state_key(conn)
        rows = conn.execute("SELECT centroid FROM vector_cells ORDER BY cell").fetchall()
        centroids = np.stack([np.frombuffer(r[0], dtype=np.float32) for r in rows]) if rows else None
        ids, cells, packed = _read_bits(conn)
        meta = _read_filters(conn)
    width = packed.shape[1]
    meta_ids, kind, source, when, kind_codes, source_codes = meta
    # Filter columns by chunk id; a bit vector without a chunk row (never left by
    # vectors.delete) gets codes no filter matches.
    at = np.minimum(np.searchsorted(meta_ids, ids), max(len(meta_ids) - 1, 0))
    known = meta_ids[at] == ids if len(meta_ids) else np.zeros(len(ids), dtype=bool)
    orphan = np.uint16(np.iinfo(np.uint16).max)
    kind = np.where(known, kind[at] if len(meta_ids) else orphan, orphan).astype(np.uint16)
    source = np.where(known, source[at] if len(meta_ids) else orphan, orphan).astype(np.uint16)
    when = np.where(known, when[at] if len(meta_ids) else NO_TIME, NO_TIME).astype(np.int64)
    return _assemble(key, centroids, ids, words(packed, width), cells.astype(np.int32), kind, source, when,
                     kind_codes, source_codes)


def _assemble(key, centroids, ids, bits, cells, kind, source, when, kind_codes, source_codes) -> BitIndex:
    """Sort the rows by cell (then id) so each cell is one slice."""
    order = np.lexsort((ids, cells))
    cells = cells[order]
    cell_count = len(centroids) if centroids is not None else int(cells.max(initial=0)) + 1
    starts = np.searchsorted(cells, np.arange(cell_count + 1)).astype(np.int64)
    return BitIndex(key, centroids, ids[order], bits[order], starts, kind[order], source[order], when[order], cells,
                    kind_codes, source_codes)


def refresh(conn: apsw.Connection, index: BitIndex) -> BitIndex | None:
    """Apply the vector changes logged since ``index`` was built (same cells), or
    None when the log no longer reaches back to it (pruned, or a write it saw
    was rolled back): then only a full load is right."""
    with conn:
        key = state_key(conn)
        version, seq, token = index.key
        if key[0] != version or not seq:
            return None
        if conn.execute("SELECT 1 FROM vector_changes WHERE seq = ? AND token = ?", (seq, token)).fetchone() is None:
            return None
        last_op: dict[int, bool] = {}  # chunk id -> present after the changes (the last one wins)
        for inserted, deleted in conn.execute("SELECT inserted, deleted FROM vector_changes WHERE seq > ? ORDER BY seq", (seq,)):
            last_op.update((int(i), False) for i in np.frombuffer(deleted, dtype=np.int64))
            last_op.update((int(i), True) for i in np.frombuffer(inserted, dtype=np.int64))
        added = _read_rows(conn, sorted(i for i, present in last_op.items() if present))
    touched = np.fromiter(last_op, dtype=np.int64, count=len(last_op))
    keep = ~np.isin(index.ids, touched, kind="table") if len(touched) else np.ones(len(index.ids), dtype=bool)
    kind_codes, source_codes = dict(index.kind_codes), dict(index.source_codes)
    ids, vectors, kinds, sources, times = added
    new_kind = np.array([kind_codes.setdefault(k, len(kind_codes)) for k in kinds], dtype=np.uint16)
    new_source = np.array([source_codes.setdefault(s, len(source_codes)) for s in sources], dtype=np.uint16)
    if index.centroids is None or not len(ids):
        new_cells = np.zeros(len(ids), dtype=np.int32)
    else:
        new_cells = np.argmax(vectors @ index.centroids.T, axis=1).astype(np.int32)  # as vectors.insert assigns them
    new_bits = words(np.packbits(vectors > 0, axis=1, bitorder="little"), index.bits.shape[1] * 8) if len(ids) else index.bits[:0]
    # The kept rows are still in cell order: insert the new ones at their cells'
    # ends (one copy of each array) rather than sorting a million rows again.
    order = np.argsort(new_cells, kind="stable")
    cells = index.cell[keep]
    at = np.searchsorted(cells, new_cells[order], side="right")
    cells = np.insert(cells, at, new_cells[order])
    starts = np.searchsorted(cells, np.arange(len(index.starts))).astype(np.int64)
    return BitIndex(
        key, index.centroids, np.insert(index.ids[keep], at, ids[order]), np.insert(index.bits[keep], at, new_bits[order], axis=0),
        starts, np.insert(index.kind[keep], at, new_kind[order]), np.insert(index.source[keep], at, new_source[order]),
        np.insert(index.when[keep], at, times[order]), cells, kind_codes, source_codes,
    )


def _read_rows(conn: apsw.Connection, chunk_ids: list[int]):
    """(ids, float vectors, kinds, sources, times) of the given chunks, from SQLite."""
    ids, blobs, kinds, sources, times = [], [], [], [], []
    for start in range(0, len(chunk_ids), 500):
        part = chunk_ids[start : start + 500]
        for cid, vector, kind, source, when in conn.execute(
            "SELECT e.chunk_id, e.vector, d.kind, d.source, coalesce(d.occurred_at, ?) FROM chunk_embeddings e"
            " JOIN chunks c ON c.id = e.chunk_id JOIN documents d ON d.rowid = c.doc"
            f" WHERE e.chunk_id IN ({','.join('?' * len(part))})", [NO_TIME, *part]
        ):
            ids.append(cid)
            blobs.append(vector)
            kinds.append(kind)
            sources.append(source)
            times.append(when)
    vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), -1) if ids else np.zeros((0, 0), np.float32)
    return np.array(ids, dtype=np.int64), vectors, kinds, sources, np.array(times, dtype=np.int64)


def _read_bits(conn: apsw.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(chunk ids, cells, packed bits (n, bytes) uint8) from vec0's shadow tables
    (sqlite-vec 0.1.x layout: per 1024-row chunk a validity bitmap, the rowids,
    the partition value and one blob of packed vectors), else through vec0 itself."""
    try:
        return _read_bits_shadow(conn)
    except (apsw.SQLError, ValueError):
        return _read_bits_vec0(conn)


def _read_bits_shadow(conn: apsw.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids, cells, packed = [], [], []
    width = None
    for size, cell, validity, rowids, vectors in conn.execute(
        "SELECT c.size, c.partition00, c.validity, c.rowids, v.vectors FROM chunk_bits_chunks c"
        " JOIN chunk_bits_vector_chunks00 v ON v.rowid = c.chunk_id"
    ):
        valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")[:size].astype(bool)
        if width is None:
            width = len(vectors) // size
        if len(vectors) != width * size or len(rowids) != 8 * size:
            raise ValueError("unexpected vec0 chunk layout")
        ids.append(np.frombuffer(rowids, dtype=np.int64)[valid])
        cells.append(np.full(int(valid.sum()), cell, dtype=np.int64))
        packed.append(np.frombuffer(vectors, dtype=np.uint8).reshape(size, width)[valid])
    if not ids:
        return _read_bits_vec0(conn)
    return np.concatenate(ids), np.concatenate(cells), np.concatenate(packed)


def _read_bits_vec0(conn: apsw.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = conn.execute("SELECT chunk_id, cell, embedding FROM chunk_bits").fetchall()
    width = len(rows[0][2]) if rows else 8
    return (np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64),
            np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint8).reshape(len(rows), width))


def _read_filters(conn: apsw.Connection):
    """Chunk ids (sorted) with their document's kind, source and time as codes."""
    kind_codes: dict[str, int] = {}
    source_codes: dict[str, int] = {}
    ids, kinds, sources, times = [], [], [], []
    # Grouped by (kind, source): a few Python objects per group instead of per row.
    for kind, source in conn.execute("SELECT DISTINCT kind, source FROM documents").fetchall():
        kc = kind_codes.setdefault(kind, len(kind_codes))
        sc = source_codes.setdefault(source, len(source_codes))
        rows = conn.execute(
            "SELECT c.id, coalesce(d.occurred_at, ?) FROM documents d JOIN chunks c ON c.doc = d.rowid"
            " WHERE d.kind = ? AND d.source = ?", (NO_TIME, kind, source)
        ).fetchall()
        if not rows:
            continue
        block = np.array(rows, dtype=np.int64)
        ids.append(block[:, 0])
        times.append(block[:, 1])
        kinds.append(np.full(len(block), kc, dtype=np.uint16))
        sources.append(np.full(len(block), sc, dtype=np.uint16))
    if not ids:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.astype(np.uint16), empty.astype(np.uint16), empty, kind_codes, source_codes
    ids_all = np.concatenate(ids)
    order = np.argsort(ids_all, kind="stable")
    return (ids_all[order], np.concatenate(kinds)[order], np.concatenate(sources)[order], np.concatenate(times)[order],
            kind_codes, source_codes)


class SharedBitIndex:
    """One per Store, shared by its threads: brought up to date from the change
    log (or reloaded) when the state key moved.
    The lock makes a second thread wait for a load in progress rather than
    loading (and holding) a second copy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: BitIndex | None = None
        self.loads = 0  # how many times the arrays were (re)built: tests and benchmarks read it
        self.load_seconds = 0.0
        self.refreshes = 0  # ... and how many times brought up to date from the change log
        self.refresh_seconds = 0.0

    def current(self, conn: apsw.Connection) -> BitIndex:
        index = self._index
        if index is not None and index.key == state_key(conn):
            return index
        with self._lock:
            index = self._index
            if index is None or index.key != state_key(conn):
                started = time.perf_counter()
                refreshed = refresh(conn, index) if index is not None else None
                if refreshed is not None:
                    self.refreshes += 1
                    self.refresh_seconds = time.perf_counter() - started
                else:
                    refreshed = load(conn)
                    self.loads += 1
                    self.load_seconds = time.perf_counter() - started
                    give_back()  # the rows read to build the arrays (at 100k chunks: 10 MB of the heap)
                index = self._index = refreshed
            return index
