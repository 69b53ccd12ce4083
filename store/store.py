"""The store: every SQL statement pocketmind runs lives in this package.

One :class:`Store` per database file. Each thread gets its own connection
(WAL lets readers run beside the one writer); the engine serialises writes
with its write lock and wraps them in :meth:`Store.transaction`.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import apsw
import numpy as np

from pocketmind.search.fulltext import selective_parts, split_or
from pocketmind.errors import SourceError, StoreError

from .connection import open_connection
from .damage import guard_methods, reported
from . import encryption, multilingual, reembed, vectors
from .bitindex import SharedBitIndex
from .migrations import apply_migrations

# vec0 metadata columns cannot hold NULL: undated documents get this time, so
# any time filter leaves them out.
NO_TIME = -(2**62)

# Full-text on large stores: passages the kept query terms may match in all,
# and passages scored by BM25 at most (~1-2 us each).
FTS_BUDGET = 8_000
FTS_SCORED = 8_000

_BIT_INDEX_LOCK = threading.Lock()  # creates each Store's shared bit index once


@dataclass
class ChunkRow:
    seq: int
    heading: str
    text: str  # what is shown and quoted to the model
    fts_text: str  # what full-text search indexes (already segmented)
    hash: str  # hash of the text the embedder saw
    vector: np.ndarray | None = None
    mentions: Sequence[tuple[int, int]] = ()  # [start, end) wall-clock seconds of dates it talks about


@dataclass
class Filters:
    kinds: Sequence[str] = ()
    sources: Sequence[str] = ()
    since: int | None = None  # unix seconds, inclusive
    until: int | None = None  # unix seconds, exclusive
    people: Sequence[str] = ()  # by one of these names (a message's author) or showing them (photo, event, contact)
    chat_with: Sequence[str] = ()  # in a conversation (or any document) one of these names is part of

    @property
    def by_person(self) -> bool:
        return bool(self.people or self.chat_with)

    @property
    def empty(self) -> bool:
        return not (self.kinds or self.sources or self.since is not None or self.until is not None or self.by_person)


@guard_methods
class Store:
    def __init__(self, path: Path | str, *, key: str | None = None, on_connect=None):
        self.path = Path(path)
        self._key = key
        self._derived_key: str | None = None  # what the key derives to for this file (see encryption.derived_key)
        self._on_connect = on_connect  # e.g. the prepare_connection plugin hook
        self._local = threading.local()
        # Weak: a worker thread's connection closes when the thread ends, so
        # short-lived threads (TUI workers) don't pile up open connections.
        self._all: "weakref.WeakSet[apsw.Connection]" = weakref.WeakSet()
        self._all_lock = threading.Lock()
        with reported(self.path):
            apply_migrations(self.conn)

    # -- connections -------------------------------------------------------

    @property
    def conn(self) -> apsw.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_connection(self.path, key=self._connection_key())
            if self._on_connect is not None:
                self._on_connect(conn)
            self._local.conn = conn
            with self._all_lock:
                self._all.add(conn)
        return conn

    def _connection_key(self) -> str | None:
        """The key derived once, or the key itself (a new file, or one the derivation does not open:
        then opening with the key itself gives the clear error)."""
        if self._key and self._derived_key is None and encryption.is_encrypted(self.path):
            self._derived_key = encryption.derived_key(self.path, self._key) or ""
        return self._derived_key or self._key

    def close(self) -> None:
        with self._all_lock:
            for conn in list(self._all):
                try:
                    conn.close()
                except apsw.Error:
                    pass
            self._all.clear()
        self._local = threading.local()

    @property
    def encrypted(self) -> bool:
        return encryption.is_encrypted(self.path)

    def change_key(self, new_key: str | None) -> None:
        """Rewrite the file under ``new_key`` (``None``: plain), crash-safe (see :mod:`.encryption`).

        Every connection of this store is closed first; the next use opens the new file."""
        self.close()
        encryption.change_key(self.path, self._key, new_key)
        self._key, self._derived_key = new_key, None

    @contextmanager
    def transaction(self) -> Iterator[apsw.Connection]:
        with reported(self.path), self.conn as conn:  # a commit can meet a damaged page too
            yield conn

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def _dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as decoded dicts (JSON columns parsed, internal rowid dropped)."""
        cursor = self.conn.cursor()
        cursor.row_trace = lambda cur, row: _decode_doc(dict(zip((d[0] for d in cur.getdescription()), row)))
        return list(cursor.execute(sql, params))

    # -- meta --------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- sources -----------------------------------------------------------

    def add_source(self, name: str, kind: str, path: str, options: dict | None = None) -> None:
        try:
            self.conn.execute(
                "INSERT INTO sources(name, kind, path, options, created_at) VALUES (?, ?, ?, ?, ?)",
                (name, kind, path, json.dumps(options or {}), time.time()),
            )
        except apsw.ConstraintError:
            raise SourceError(f"a source named {name!r} already exists") from None

    def sources(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT s.name, s.kind, s.path, s.options, s.created_at, s.last_indexed_at, s.cursor,"
            " (SELECT count(*) FROM documents d WHERE d.source = s.name),"
            " (SELECT count(*) FROM files f WHERE f.source = s.name AND f.error IS NOT NULL)"
            " FROM sources s ORDER BY s.name"
        ).fetchall()
        keys = ("name", "kind", "path", "options", "created_at", "last_indexed_at", "cursor", "documents", "errors")
        out = [dict(zip(keys, row)) for row in rows]
        for row in out:
            row["options"] = json.loads(row["options"])
        return out

    def source(self, name: str) -> dict[str, Any]:
        for row in self.sources():
            if row["name"] == name:
                return row
        raise SourceError(f"no source named {name!r} (see `pocketmind sources`)")

    def mark_indexed(self, name: str, cursor: str | None = None) -> None:
        self.conn.execute("UPDATE sources SET last_indexed_at = ?, cursor = ? WHERE name = ?", (time.time(), cursor, name))

    def remove_source(self, name: str) -> int:
        """Delete a source and every row that came from it; return documents removed."""
        self.source(name)
        with self.transaction():
            doc_rowids = [r[0] for r in self.conn.execute("SELECT rowid FROM documents WHERE source = ?", (name,))]
            self._delete_doc_rowids(doc_rowids)
            self.conn.execute("DELETE FROM files WHERE source = ?", (name,))
            self.conn.execute("DELETE FROM sources WHERE name = ?", (name,))
        return len(doc_rowids)

    # -- files -------------------------------------------------------------

    def files(self, source: str) -> dict[str, tuple[int, int, str | None, str | None, str | None]]:
        """Every recorded file of a source: path -> (size, mtime_ns, error, digest of its bytes or None,
        last day its repeating events were expanded to as an ISO date, or None)."""
        rows = self.conn.execute("SELECT path, size, mtime_ns, error, digest, window_end FROM files WHERE source = ?", (source,))
        return {path: (size, mtime, error, digest, window_end) for path, size, mtime, error, digest, window_end in rows}

    def record_file(self, source: str, path: str, size: int, mtime_ns: int, error: str | None = None,
                    digest: str | None = None, window_end: str | None = None) -> None:
        self.conn.execute(
            "INSERT INTO files(source, path, size, mtime_ns, indexed_at, error, digest, window_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(source, path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " indexed_at = excluded.indexed_at, error = excluded.error, digest = excluded.digest,"
            " window_end = excluded.window_end",
            (source, path, size, mtime_ns, time.time(), error, digest, window_end),
        )

    def documents_per_origin(self, source: str) -> dict[str, int]:
        """How many stored documents each file of a source holds."""
        return dict(self.conn.execute("SELECT origin, count(*) FROM documents WHERE source = ? GROUP BY origin", (source,)))

    def count_from_origin(self, source: str, origin: str) -> int:
        return self.conn.execute("SELECT count(*) FROM documents WHERE source = ? AND origin = ?", (source, origin)).fetchone()[0]

    def forget_file(self, source: str, path: str) -> int:
        """Remove a vanished file and its documents; return documents removed."""
        rowids = [r[0] for r in self.conn.execute("SELECT rowid FROM documents WHERE source = ? AND origin = ?", (source, path))]
        self._delete_doc_rowids(rowids)
        self.conn.execute("DELETE FROM files WHERE source = ? AND path = ?", (source, path))
        return len(rowids)

    def recent_errors(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT source, path, error, indexed_at FROM files WHERE error IS NOT NULL ORDER BY indexed_at DESC LIMIT ?", (limit,)
        )
        return [dict(zip(("source", "path", "error", "at"), r)) for r in rows]

    # -- documents ---------------------------------------------------------

    def content_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for doc_id, digest in self.conn.execute(f"SELECT id, content_hash FROM documents WHERE id IN ({marks})", part):
                out[doc_id] = digest
        return out

    def claim(self, doc_ids: Sequence[str], origin: str) -> None:
        """Move unchanged documents to the file they were found in now (a renamed export)."""
        self.conn.executemany("UPDATE documents SET origin = ? WHERE id = ? AND origin IS NOT ?", [(origin, i, origin) for i in doc_ids])

    def ids_from_origin(self, source: str, origin: str) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM documents WHERE source = ? AND origin = ?", (source, origin))}

    def write_document(self, row: dict[str, Any], chunks: Sequence[ChunkRow]) -> None:
        """Insert or replace one document with its chunks, full text and vectors.

        Call inside :meth:`transaction`; the caller has already embedded
        every chunk (``vector`` set) when a vector table exists.
        """
        conn = self.conn
        old = conn.execute("SELECT rowid FROM documents WHERE id = ?", (row["id"],)).fetchone()
        cols = (
            "id", "source", "origin", "kind", "title", "text", "uri", "occurred_at", "occurred_offset",
            "occurred_local", "ended_at", "author", "conversation", "people", "place", "tags", "metadata",
            "attachments", "content_hash", "updated_at", "series_text",
        )
        values = [row.get(c) for c in cols]
        if old:
            rowid = old[0]
            self._delete_chunks(rowid)
            sets = ", ".join(f"{c} = ?" for c in cols)
            conn.execute(f"UPDATE documents SET {sets} WHERE rowid = ?", (*values, rowid))
        else:
            conn.execute(f"INSERT INTO documents({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)
            rowid = conn.last_insert_rowid()
        has_vectors = self.vector_dimension() is not None
        vector_rows = []
        for chunk in chunks:
            conn.execute(
                "INSERT INTO chunks(doc, seq, heading, text, hash) VALUES (?, ?, ?, ?, ?)",
                (rowid, chunk.seq, chunk.heading, chunk.text, chunk.hash),
            )
            chunk_id = conn.last_insert_rowid()
            conn.execute("INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)", (chunk_id, chunk.fts_text))
            if chunk.mentions:
                conn.executemany("INSERT INTO chunk_mentions(chunk, start_at, end_at) VALUES (?, ?, ?)",
                                 [(chunk_id, start, end) for start, end in chunk.mentions])
            if has_vectors:
                if chunk.vector is None:
                    raise StoreError(f"chunk {chunk.seq} of {row['id']} has no vector")
                vector_rows.append((chunk_id, row["kind"], row["source"], row.get("occurred_at"), chunk.vector))
        if vector_rows:
            vectors.insert(conn, self._cells(), vector_rows)
            vectors.maybe_train(conn)

    def delete_documents(self, ids: Iterable[str]) -> int:
        rowids = []
        for doc_id in ids:
            r = self.conn.execute("SELECT rowid FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if r:
                rowids.append(r[0])
        self._delete_doc_rowids(rowids)
        return len(rowids)

    def _delete_doc_rowids(self, rowids: Sequence[int]) -> None:
        for rowid in rowids:
            self._delete_chunks(rowid)
            self.conn.execute("DELETE FROM documents WHERE rowid = ?", (rowid,))

    def _delete_chunks(self, doc_rowid: int) -> None:
        chunk_ids = [r[0] for r in self.conn.execute("SELECT id FROM chunks WHERE doc = ?", (doc_rowid,))]
        has_vectors = self.vector_dimension() is not None
        for chunk_id in chunk_ids:
            self.conn.execute("DELETE FROM chunks_fts WHERE rowid = ?", (chunk_id,))
        if has_vectors:
            vectors.delete(self.conn, chunk_ids)
        multilingual.delete(self.conn, chunk_ids)
        self.conn.execute("DELETE FROM chunks WHERE doc = ?", (doc_rowid,))

    def documents(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for doc in self._dicts(f"SELECT * FROM documents WHERE id IN ({marks})", part):
                out[doc["id"]] = doc
        return out

    def ids_with_uri(self, uri: str) -> list[str]:
        """The documents whose uri is ``uri`` (a link a result showed)."""
        return [row[0] for row in self.conn.execute("SELECT id FROM documents WHERE uri = ? ORDER BY id", (uri,))]

    def conversation_messages(self, conversation: str, source: str, around: int, before: int = 10, after: int = 10) -> list[dict[str, Any]]:
        """Messages of one conversation around a time, in order (for showing context)."""
        q = (
            "SELECT * FROM (SELECT * FROM documents WHERE source = ? AND conversation = ? AND kind = 'message'"
            " AND occurred_at {op} ? ORDER BY occurred_at {order}, rowid {order} LIMIT ?)"
        )
        earlier = self._dicts(q.format(op="<", order="DESC"), (source, conversation, around, before))
        later = self._dicts(q.format(op=">=", order="ASC"), (source, conversation, around, after + 1))
        return earlier[::-1] + later

    def embedding_rows(self) -> list[tuple]:
        """Every chunk with the document fields its embedding text is built from, and the
        author and text of the message before it in its conversation (for short replies)."""
        return list(self.conn.execute(
            "SELECT c.id, d.kind, d.source, d.occurred_at, d.occurred_local, d.title, d.author, c.heading, c.text,"
            " CASE WHEN d.kind = 'message' THEN LAG(d.author) OVER w END,"
            " CASE WHEN d.kind = 'message' THEN LAG(d.text) OVER w END,"
            " d.series_text, c.seq, count(*) OVER (PARTITION BY c.doc)"
            " FROM chunks c JOIN documents d ON d.rowid = c.doc"
            " WINDOW w AS (PARTITION BY d.source, d.kind, d.conversation ORDER BY d.occurred_at, d.rowid)"
            " ORDER BY c.id"
        ))

    def counts(self) -> dict[str, Any]:
        kinds = dict(self.conn.execute("SELECT kind, count(*) FROM documents GROUP BY kind").fetchall())
        chunks = self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return {"documents": sum(kinds.values()), "chunks": chunks, "by_kind": kinds}

    # -- vectors -----------------------------------------------------------

    def vector_dimension(self) -> int | None:
        value = getattr(self._local, "dim", None)
        if value is None:
            raw = self.get_meta("vector_dimension")
            value = int(raw) if raw else 0
            if value and not vectors.has_bits_table(self.conn):
                vectors.upgrade(self.conn, value)  # a store made before quantized search
            self._local.dim = value
        return value or None

    def _cells(self) -> vectors.Cells:
        cells = getattr(self._local, "cells", None)
        if cells is None:
            cells = self._local.cells = vectors.Cells()
        return cells

    def _bit_index(self) -> SharedBitIndex:
        """The in-memory bit vectors, one copy shared by every thread of this Store."""
        with _BIT_INDEX_LOCK:
            index = self.__dict__.get("_bit_index_shared")
            if index is None:
                index = self._bit_index_shared = SharedBitIndex()
            return index

    def create_vector_table(self, dimension: int) -> None:
        """(Re)create the vector tables for a new embedder; call inside a transaction."""
        vectors.create_tables(self.conn, dimension)
        self.set_meta("vector_dimension", str(dimension))
        self._local.dim = None

    # -- moving to another embedder (see :mod:`.reembed`) ------------------

    def begin_reembed(self, identity: str, dimension: int) -> None:
        reembed.begin(self.conn, identity, dimension)

    def reembed_target(self) -> tuple[str, int] | None:
        return reembed.target(self.conn)

    def staged_vectors(self) -> dict[int, str]:
        return reembed.staged(self.conn)

    def stage_vectors(self, rows: Iterable[tuple[int, str, np.ndarray]]) -> None:
        reembed.stage(self.conn, rows)

    def swap_staged_vectors(self, identity: str, dimension: int) -> int:
        """Replace the vectors with the staged ones; call inside a transaction."""
        moved = reembed.swap(self.conn, self._cells(), identity, dimension)
        self._local.dim = None
        return moved

    def vector_for_hash(self, digest: str) -> np.ndarray | None:
        """A stored embedding of identical text, so it is never embedded twice."""
        if self.vector_dimension() is None:
            return None
        row = self.conn.execute(
            "SELECT v.embedding FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id WHERE c.hash = ? LIMIT 1", (digest,)
        ).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row else None

    def insert_vectors(self, rows: Iterable[tuple[int, str, str, int | None, np.ndarray]]) -> None:
        vectors.insert(self.conn, self._cells(), rows)
        vectors.maybe_train(self.conn)

    def set_chunk_hashes(self, pairs: Iterable[tuple[str, int]]) -> None:
        self.conn.executemany("UPDATE chunks SET hash = ? WHERE id = ?", list(pairs))

    def chunks_without_multilingual(self, limit: int) -> list[tuple[int, str, str, int | None, str]]:
        """Up to ``limit`` chunks with no multilingual vector yet: (chunk id, kind, source, occurred_at, text)."""
        return [(cid, kind, source, when, f"{heading}\n{text}" if heading else text)
                for cid, kind, source, when, heading, text in multilingual.missing(self.conn, limit)]

    def insert_multilingual(self, rows: Iterable[tuple[int, str, str, int | None, np.ndarray]]) -> None:
        multilingual.insert(self.conn, rows)

    def multilingual_count(self) -> int:
        return multilingual.count(self.conn)

    # -- search ------------------------------------------------------------

    def chunk_texts(self, chunk_ids: Sequence[int]) -> dict[int, str]:
        ids = list(chunk_ids)
        if not ids:
            return {}
        return dict(self.conn.execute(f"SELECT id, text FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids))

    def multilingual_knn(self, vector: np.ndarray, k: int, filters: Filters) -> list[tuple[int, float]]:
        """Nearest chunks by the multilingual vectors (see :mod:`.multilingual`)."""
        return multilingual.knn(self.conn, vector, k, filters.kinds, filters.sources, filters.since, filters.until)

    def similarities(self, vector: np.ndarray, chunk_ids: Sequence[int]) -> dict[int, float]:
        """Cosine similarity of ``vector`` to each chunk of ``chunk_ids`` (by their stored vectors)."""
        if not chunk_ids or self.vector_dimension() is None:
            return {}
        return vectors.similarities(self.conn, vector, chunk_ids)

    def knn(self, vector: np.ndarray, k: int, filters: Filters, *, exact: bool = False) -> list[tuple[int, float]]:
        """Nearest chunks by cosine distance, filters applied inside the KNN scan
        (quantized + re-scored on large stores, see :mod:`.vectors`)."""
        if self.vector_dimension() is None:
            return []
        return vectors.knn(self.conn, self._bit_index(), vector, k, filters.kinds, filters.sources,
                           filters.since, filters.until, exact=exact)

    def fulltext(self, match: str, k: int, filters: Filters) -> list[tuple[int, float]]:
        """Chunks matching an FTS5 query, best bm25 first (score: higher is better).

        On a large store the query's alternatives (top-level ``OR``) that match
        too many passages are dropped, rarest kept first (see
        :func:`pocketmind.search.fulltext.selective_parts`), and at most ``FTS_SCORED``
        matching passages, the newest, are scored: BM25 of a term present in
        hundreds of thousands of passages costs tens of ms and ranks little.
        """
        if not match:
            return []
        try:
            match = self._selective_match(match)
            sql = "SELECT f.rowid AS id, bm25(chunks_fts) AS rank FROM chunks_fts f"
            params: list[Any] = [match]
            where = ["chunks_fts MATCH ?"]
            if not filters.empty:
                sql += " JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.rowid = c.doc"
                where += _doc_filter_sql(filters, params)
            sql += f" WHERE {' AND '.join(where)} ORDER BY f.rowid DESC LIMIT ?"
            return list(self.conn.execute(f"SELECT id, -rank FROM ({sql}) ORDER BY rank LIMIT ?", [*params, FTS_SCORED, k]))
        except apsw.SQLError:
            return []  # a query the FTS grammar rejects finds nothing rather than failing the search

    def _selective_match(self, match: str) -> str:
        parts = split_or(match)
        size = vectors.approximate_count(self.conn)
        if len(parts) < 2 or size <= FTS_BUDGET:
            return match
        cache = getattr(self._local, "fts_counts", None)
        if cache is None or not (cache[0] <= size <= cache[0] * 1.1):  # counts drift as the store grows
            cache = self._local.fts_counts = (size, {})
        counts = cache[1]
        for part in parts:
            if part not in counts:
                # Counting rowids is ~50x cheaper than scoring them; bounded, since
                # past a few budgets a part is simply "too common".
                counts[part] = self.conn.execute(
                    "SELECT count(*) FROM (SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)", (part, 4 * FTS_BUDGET)
                ).fetchone()[0]
        return " OR ".join(selective_parts(parts, counts, FTS_BUDGET))

    def chunk_hits(self, chunk_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Chunk text plus its document's fields, by chunk id."""
        out = {}
        for start in range(0, len(chunk_ids), 500):
            part = list(chunk_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for hit in self._dicts(
                f"SELECT c.id AS chunk_id, c.seq, c.heading, c.text AS chunk_text, d.* FROM chunks c"
                f" JOIN documents d ON d.rowid = c.doc WHERE c.id IN ({marks})",
                part,
            ):
                out[hit["chunk_id"]] = hit
        return out

    def place_candidates(self, names: Sequence[str], boxes: Sequence[tuple[float, float, float, float]], limit: int,
                         filters: Filters) -> list[int]:
        """First chunks of documents whose place names one of ``names`` or whose
        coordinates fall in one of ``boxes`` (south, west, north, east), newest first."""
        params: list[Any] = []
        alts = []
        for name in names:
            alts.append("d.place LIKE ? ESCAPE '\\'")
            params.append("%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        for south, west, north, east in boxes:
            alts.append("(json_extract(d.metadata, '$.lat') BETWEEN ? AND ? AND json_extract(d.metadata, '$.lon') BETWEEN ? AND ?)")
            params += [south, north, west, east]
        if not alts:
            return []
        where = ["(" + " OR ".join(alts) + ")", "c.seq = 0"] + _doc_filter_sql(filters, params)
        sql = (f"SELECT c.id FROM documents d JOIN chunks c ON c.doc = d.rowid WHERE {' AND '.join(where)}"
               f" ORDER BY d.occurred_at DESC LIMIT ?")
        return [r[0] for r in self.conn.execute(sql, [*params, limit])]

    def mention_candidates(self, since: int | None, until: int | None, limit: int, filters: Filters) -> list[int]:
        """Chunks that talk about a date inside [since, until), earliest mention first. A mention
        longer than a closed window does not count: 今年 (a year) says nothing about one week."""
        if since is None and until is None:
            return []
        params: list[Any] = [until if until is not None else 2**62, since if since is not None else -(2**62)]
        where = ["m.start_at < ?", "m.end_at > ?"]
        if since is not None and until is not None:
            where.append("m.end_at - m.start_at <= ?")
            params.append(until - since + 3600)  # a window's day may be 23 hours across a DST change
        where += _doc_filter_sql(
            Filters(filters.kinds, filters.sources, people=filters.people, chat_with=filters.chat_with), params)
        sql = (f"SELECT DISTINCT m.chunk FROM chunk_mentions m JOIN chunks c ON c.id = m.chunk JOIN documents d ON d.rowid = c.doc"
               f" WHERE {' AND '.join(where)} ORDER BY m.start_at LIMIT ?")
        return [r[0] for r in self.conn.execute(sql, [*params, limit])]

    def next_messages(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        """For message chunks, the first chunk of the next message in the same conversation."""
        out = {}
        for cid in chunk_ids:
            row = self.conn.execute(
                "SELECT n.id FROM chunks c JOIN documents d ON d.rowid = c.doc"
                " JOIN documents nd ON nd.source = d.source AND nd.conversation = d.conversation AND nd.kind = 'message'"
                "  AND (nd.occurred_at > d.occurred_at OR (nd.occurred_at = d.occurred_at AND nd.rowid > d.rowid))"
                " JOIN chunks n ON n.doc = nd.rowid AND n.seq = 0"
                " WHERE c.id = ? AND d.kind = 'message' ORDER BY nd.occurred_at, nd.rowid LIMIT 1",
                (cid,),
            ).fetchone()
            if row:
                out[cid] = row[0]
        return out

    def documents_of_kind(self, kind: str, limit: int = 100_000) -> list[dict[str, Any]]:
        return self._dicts("SELECT * FROM documents WHERE kind = ? LIMIT ?", (kind, limit))

    def known_people(self, limit: int = 5000) -> list[str]:
        """Names of everyone who appears as an author or participant, most frequent first."""
        rows = self.conn.execute(
            "SELECT name FROM (SELECT author AS name FROM documents WHERE author IS NOT NULL"
            " UNION ALL SELECT p.value FROM documents, json_each(documents.people) p)"
            " GROUP BY name ORDER BY count(*) DESC LIMIT ?", (limit,))
        return [r[0] for r in rows if r[0]]

    def filter_chunk_ids(self, chunk_ids: Sequence[int], filters: Filters) -> set[int]:
        """The subset of chunk ids whose documents pass the filters (person filter included)."""
        if filters.empty or not chunk_ids:
            return set(chunk_ids)
        params: list[Any] = list(chunk_ids)
        where = [f"c.id IN ({','.join('?' * len(chunk_ids))})"] + _doc_filter_sql(filters, params)
        sql = f"SELECT c.id FROM chunks c JOIN documents d ON d.rowid = c.doc WHERE {' AND '.join(where)}"
        return {r[0] for r in self.conn.execute(sql, params)}


def _doc_filter_sql(filters: Filters, params: list[Any]) -> list[str]:
    where = []
    if filters.kinds:
        where.append(f"d.kind IN ({','.join('?' * len(filters.kinds))})")
        params += list(filters.kinds)
    if filters.sources:
        where.append(f"d.source IN ({','.join('?' * len(filters.sources))})")
        params += list(filters.sources)
    if filters.since is not None:
        where.append("d.occurred_at >= ?")
        params.append(filters.since)
    if filters.until is not None:
        where.append("d.occurred_at < ?")
        params.append(filters.until)
    if filters.people:
        # Everyone in a chat is among its messages' people: a message (or a photo sent
        # in a chat, which has an author) is a person's when they wrote it. Elsewhere
        # people are who appears: in a photo, at an event, on a contact card.
        alts = []
        for name in filters.people:
            alts.append(f"(d.author = ? COLLATE NOCASE OR (NOT {_WRITTEN} AND {_IN_PEOPLE}))")
            params += [name, name]
        where.append("(" + " OR ".join(alts) + ")")
    if filters.chat_with:
        alts = []
        for name in filters.chat_with:
            alts.append("(d.author = ? COLLATE NOCASE OR " + _IN_PEOPLE + ")")
            params += [name, name]
        where.append("(" + " OR ".join(alts) + ")")
    return where


_WRITTEN = "(d.kind = 'message' OR (d.kind = 'photo' AND d.author IS NOT NULL))"  # a message, a photo sent in a chat
_IN_PEOPLE = "EXISTS (SELECT 1 FROM json_each(d.people) p WHERE p.value = ? COLLATE NOCASE)"


def _decode_doc(row: dict[str, Any]) -> dict[str, Any]:
    for key, empty in (("people", []), ("tags", []), ("metadata", {}), ("attachments", [])):
        if key in row:
            row[key] = json.loads(row[key]) if row[key] else empty
    row.pop("rowid", None)
    return row


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()
