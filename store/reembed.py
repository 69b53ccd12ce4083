"""Moving the vectors to another embedder without ever losing the old ones.

The new embedder's vectors are staged in ``reembed_vectors`` (chunk id, hash
of the text embedded, vector) in batches the caller commits one by one;
searches keep using the old tables meanwhile, and a run that was interrupted
(even killed) continues from what was committed. :func:`swap` then replaces
the vector tables with the staged vectors in the caller's one transaction.
``meta.reembed_target`` names the embedder being staged: staging for another
one starts over.
"""

from __future__ import annotations

from typing import Iterable

import apsw
import numpy as np

from . import vectors

STAGE = "reembed_vectors"
TARGET = "reembed_target"  # "identity dimension" of the embedder being staged
SWAP_BATCH = 5_000  # vectors moved into the search tables at a time (bounded memory at 1M chunks)


def begin(conn: apsw.Connection, identity: str, dimension: int) -> None:
    """Stage for ``identity``: keep what an earlier run for it staged, else start empty."""
    target = f"{identity} {int(dimension)}"
    if vectors._get_meta(conn, TARGET) != target:
        conn.execute(f"DROP TABLE IF EXISTS {STAGE}")
        vectors._set_meta(conn, TARGET, target)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {STAGE} (chunk_id INTEGER PRIMARY KEY, hash TEXT NOT NULL, vector BLOB NOT NULL)")


def target(conn: apsw.Connection) -> tuple[str, int] | None:
    """(identity, dimension) being staged, if a run started and has not swapped."""
    value = vectors._get_meta(conn, TARGET)
    if not value:
        return None
    identity, _, dimension = value.rpartition(" ")
    return identity, int(dimension)


def staged(conn: apsw.Connection) -> dict[int, str]:
    """Chunk id -> hash of the text its staged vector was made from."""
    return dict(conn.execute(f"SELECT chunk_id, hash FROM {STAGE}"))


def stage(conn: apsw.Connection, rows: Iterable[tuple[int, str, np.ndarray]]) -> None:
    """Stage (chunk id, text hash, vector) rows; a chunk staged before is replaced."""
    conn.executemany(f"INSERT OR REPLACE INTO {STAGE}(chunk_id, hash, vector) VALUES (?, ?, ?)",
                     [(cid, digest, vectors.blob(vec)) for cid, digest, vec in rows])


def swap(conn: apsw.Connection, cells: vectors.Cells, identity: str, dimension: int) -> int:
    """Make the staged vectors the store's vectors (call inside one transaction):
    every vector table is re-created, chunks get the hashes of the text embedded,
    and the cells are trained again. Staged rows of chunks deleted since are dropped."""
    vectors.create_tables(conn, dimension)
    vectors._set_meta(conn, "vector_dimension", str(int(dimension)))
    vectors._set_meta(conn, "embedder", identity)
    moved, last = 0, -1
    while True:
        rows = conn.execute(
            f"SELECT s.chunk_id, s.hash, s.vector, d.kind, d.source, d.occurred_at FROM {STAGE} s"
            " JOIN chunks c ON c.id = s.chunk_id JOIN documents d ON d.rowid = c.doc"
            " WHERE s.chunk_id > ? ORDER BY s.chunk_id LIMIT ?", (last, SWAP_BATCH)).fetchall()
        if not rows:
            break
        vectors.insert(conn, cells, [(cid, kind, src, when, np.frombuffer(vec, dtype=np.float32))
                                     for cid, _, vec, kind, src, when in rows])
        conn.executemany("UPDATE chunks SET hash = ? WHERE id = ?", [(digest, cid) for cid, digest, *_ in rows])
        moved += len(rows)
        last = rows[-1][0]
    conn.execute(f"DROP TABLE {STAGE}")
    conn.execute("DELETE FROM meta WHERE key = ?", (TARGET,))
    vectors.maybe_train(conn)
    return moved
