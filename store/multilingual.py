"""The multilingual vector list: one USE embedding per chunk in ``chunk_vectors_multilingual``.

Separate from the main vector tables (``chunk_vectors`` and its bit index,
whose embedder the user chooses and may switch): this table always holds the
multilingual Universal Sentence Encoder's 512-d vectors, so Chinese text and
questions asked across languages (English about Chinese memos, and the
reverse) have a vector list that understands them. It is searched exactly
through vec0 with the same filter columns as the main table.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import apsw
import numpy as np

from .vectors import NO_TIME, blob, filter_sql

TABLE = "chunk_vectors_multilingual"
DIMENSION = 512


def missing(conn: apsw.Connection, limit: int) -> list[tuple[int, str, str, int | None, str]]:
    """Chunks without a multilingual vector, oldest first: (chunk id, kind, source, occurred_at, text)."""
    return list(conn.execute(
        f"SELECT c.id, d.kind, d.source, d.occurred_at, c.heading, c.text FROM chunks c JOIN documents d ON d.rowid = c.doc"
        f" WHERE c.id NOT IN (SELECT chunk_id FROM {TABLE}) ORDER BY c.id LIMIT ?", (limit,)))


def insert(conn: apsw.Connection, rows: Iterable[tuple[int, str, str, int | None, np.ndarray]]) -> None:
    conn.executemany(
        f"INSERT OR REPLACE INTO {TABLE}(chunk_id, embedding, kind, source, occurred_at) VALUES (?, ?, ?, ?, ?)",
        [(cid, blob(vector), kind, source, NO_TIME if when is None else when) for cid, kind, source, when, vector in rows])


def delete(conn: apsw.Connection, chunk_ids: Sequence[int]) -> None:
    conn.executemany(f"DELETE FROM {TABLE} WHERE chunk_id = ?", [(cid,) for cid in chunk_ids])


def count(conn: apsw.Connection) -> int:
    return conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def knn(conn: apsw.Connection, vector: np.ndarray, k: int, kinds: Sequence[str] = (), sources: Sequence[str] = (),
        since: int | None = None, until: int | None = None) -> list[tuple[int, float]]:
    """Nearest chunks by cosine distance, best first, filters applied inside the scan."""
    where, params = filter_sql(kinds, sources, since, until)
    params: list[Any] = [blob(vector), k, *params]
    sql = f"SELECT chunk_id, distance FROM {TABLE} WHERE {' AND '.join(['embedding MATCH ?', 'k = ?', *where])}"
    return [(cid, dist) for cid, dist in conn.execute(sql, params)]
