"""Rebuilding what is derived from the chunks (full text, date mentions, vectors)
in a database made by :mod:`.salvage`, and dropping what cannot be trusted."""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

import apsw
import numpy as np


def drop_incomplete(conn: apsw.Connection, lost_chunks: Sequence[tuple[int, int]]) -> int:
    """Delete chunks whose document is gone, and documents that may have lost a
    chunk (none left, a gap in their sequence, or a chunk next to a lost stretch
    of chunk ids): re-indexing their file writes them whole again. Returns the
    documents deleted."""
    conn.execute("DELETE FROM chunks WHERE doc NOT IN (SELECT rowid FROM documents)")
    suspects = {r[0] for r in conn.execute(
        "SELECT d.rowid FROM documents d LEFT JOIN chunks c ON c.doc = d.rowid GROUP BY d.rowid"
        " HAVING count(c.id) = 0 OR max(c.seq) + 1 != count(c.id)")}
    for before, after in lost_chunks:
        suspects |= {r[0] for r in conn.execute("SELECT doc FROM chunks WHERE id IN (?, ?)", (before, after))}
    for rowid in suspects:
        conn.execute("DELETE FROM chunks WHERE doc = ?", (rowid,))
        conn.execute("DELETE FROM documents WHERE rowid = ?", (rowid,))
    return len(suspects)


def chunk_fields(conn: apsw.Connection) -> list[dict[str, Any]]:
    """Every chunk with the document fields its full-text body and mentions are made from."""
    keys = ("chunk_id", "heading", "text", "kind", "title", "author", "people", "conversation", "place", "tags", "occurred_local")
    rows = conn.execute(
        "SELECT c.id, c.heading, c.text, d.kind, d.title, d.author, d.people, d.conversation, d.place, d.tags, d.occurred_local"
        " FROM chunks c JOIN documents d ON d.rowid = c.doc ORDER BY c.id"
    )
    out = []
    for row in rows:
        item = dict(zip(keys, row))
        item["people"] = json.loads(item["people"] or "[]")
        item["tags"] = json.loads(item["tags"] or "[]")
        out.append(item)
    return out


def write_fulltext(conn: apsw.Connection, bodies: Iterable[tuple[int, str]]) -> None:
    conn.executemany("INSERT INTO chunks_fts(rowid, body) VALUES (?, ?)", list(bodies))


def write_mentions(conn: apsw.Connection, spans: Iterable[tuple[int, int, int]]) -> None:
    conn.executemany("INSERT INTO chunk_mentions(chunk, start_at, end_at) VALUES (?, ?, ?)", list(spans))


def salvaged_vectors(conn: apsw.Connection) -> dict[int, np.ndarray]:
    return {cid: np.frombuffer(blob, dtype=np.float32) for cid, blob in conn.execute("SELECT chunk_id, vector FROM salvaged_embeddings")}


def drop_salvaged(conn: apsw.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS salvaged_embeddings")


def forget_signatures(conn: apsw.Connection) -> None:
    """Make the next index run read every file again (documents it finds unchanged
    by content hash are not rewritten; lost ones are written back)."""
    conn.execute("DELETE FROM files")
