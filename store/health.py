"""Is the database whole? A quick check for `status` and a full one for `doctor`.

Both return :class:`Problem` rows (what is wrong and the command that fixes it)
instead of raising: a damaged file is exactly when a report must still come out.

- quick (within a time budget, cheapest first): the row counts of every table
  derived from ``chunks`` (full text, float vectors, re-scoring vectors, bit
  vectors), then SQLite's ``quick_check`` of the tables a search and an index
  run read (the vector blobs, most of the file, are left to the full check).
  What the budget did not reach is listed, not hidden.
- full: ``integrity_check`` of every page, FTS5's own ``integrity-check``, the
  exact chunk ids of every derived table against ``chunks``, and every stored
  vector read back: none all zero or NaN (a zeroed vec0 page reads as zeros, not
  as an error), each bit vector the signs of its float vector.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import time

import apsw
import numpy as np

from .damage import damage_of

REPAIR = "pocketmind doctor --repair"
# Page walks of the quick check, smallest first; at 10k chunks documents and chunks
# take ~70 ms each, so on a large store they may not fit the budget (and are listed).
QUICK_TABLES = ("meta", "sources", "files", "chunks_fts_idx", "chunks_fts_data", "chunk_mentions", "chunks_fts_docsize",
                "chunks", "documents")
# Seconds: `status` stays interactive on any size of store. bench/doctor_check.py,
# 100k chunks (553 MB, a loaded 2-core machine): counts + small tables ~10 ms,
# chunks 0.32 s, documents 0.32 s, chunk_embeddings count 0.32 s.
QUICK_BUDGET = 1.0
MAX_REPORTED = 10  # page errors listed per check: one is enough to repair, ten show the extent

# Row counts read from small tables (vec0 and FTS5 shadow tables of one short row
# per chunk): ~0.1 ms at 10k chunks, where counting chunk_embeddings walks its
# 1.5 kB rows (~150 ms); the virtual tables are counted when the layout differs.
QUICK_COUNTS = {
    "full-text index": ("SELECT count(*) FROM chunks_fts_docsize", "SELECT count(*) FROM chunks_fts"),
    "vector table": ("SELECT count(*) FROM chunk_vectors_rowids", "SELECT count(*) FROM chunk_vectors"),
    "bit index": ("SELECT count(*) FROM chunk_bits_rowids", "SELECT count(*) FROM chunk_bits"),
}
# Counted last (0.3 s at 100k chunks: every page of the table is read).
SLOW_COUNTS = {"re-scoring vectors": ("SELECT count(*) FROM chunk_embeddings",) * 2}
# The tables holding each derived copy of a chunk, and how to list their chunk ids.
DERIVED = {
    "full-text index": "SELECT rowid FROM chunks_fts",
    "vector table": "SELECT chunk_id FROM chunk_vectors",
    "re-scoring vectors": "SELECT chunk_id FROM chunk_embeddings",
    "bit index": "SELECT chunk_id FROM chunk_bits",
}


@dataclass
class Problem:
    area: str  # "database", "documents", "full-text index", "vector table", ...
    detail: str
    fix: str = REPAIR

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def quick_check(conn: apsw.Connection, budget: float = QUICK_BUDGET) -> tuple[list[Problem], list[str]]:
    """(problems, what was not reached within ``budget`` seconds): the cheap
    checks run first, the page walks of the big tables last."""
    deadline = time.perf_counter() + budget
    conn.set_progress_handler(lambda: time.perf_counter() > deadline, 2000)  # True interrupts the statement
    problems: list[Problem] = []
    skipped: list[str] = []
    steps = [("row counts", lambda: _counts(conn, QUICK_COUNTS))]
    steps += [(table, lambda table=table: _pages(conn, "quick_check", [table])) for table in QUICK_TABLES]
    steps += [("chunk_embeddings count", lambda: _counts(conn, SLOW_COUNTS))]
    try:
        for name, step in steps:
            if time.perf_counter() > deadline:
                skipped.append(name)
                continue
            try:
                problems += step()
            except apsw.InterruptError:
                skipped.append(name)
    finally:
        conn.set_progress_handler(None)
    return problems, skipped


def full_check(conn: apsw.Connection) -> list[Problem]:
    problems = _pages(conn, "integrity_check", ())
    problems += _fts_integrity(conn)
    problems += _derived_ids(conn)
    problems += _orphans(conn)
    problems += _vectors(conn)
    return problems


# -- pages -------------------------------------------------------------------


def _pages(conn: apsw.Connection, pragma: str, tables: Sequence[str]) -> list[Problem]:
    """``pragma`` (quick_check / integrity_check) on ``tables`` (all when empty).
    A page so damaged that the check cannot walk it raises instead of reporting:
    then each table is checked alone to say which one it is."""
    checks = [f"PRAGMA {pragma}({t})" for t in tables if _exists(conn, t)] or [f"PRAGMA {pragma}({MAX_REPORTED})"]
    problems: list[Problem] = []
    for check in checks:
        try:
            lines = [line for (text,) in conn.execute(check) if text != "ok" for line in text.splitlines()]
        except apsw.InterruptError:
            raise  # the quick check's time is up
        except apsw.Error as exc:
            if not tables:
                return _pages(conn, pragma, _tables(conn))
            problems.append(Problem(_family(check[check.index("(") + 1 : -1]), f"unreadable pages: {damage_of(exc) or exc}"))
            continue
        problems += [Problem(_area_of(conn, line), f"damaged page: {line}") for line in lines if not line.startswith("*** in database")]
    return problems[:MAX_REPORTED]


def _tables(conn: apsw.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND rootpage > 0 ORDER BY rootpage")]


def _area_of(conn: apsw.Connection, line: str) -> str:
    """The table a page error is in ("Tree 9 page 732: ..." names its root page)."""
    if line.startswith("Tree "):
        try:
            root = int(line.split()[1])
            row = conn.execute("SELECT tbl_name FROM sqlite_schema WHERE rootpage = ?", (root,)).fetchone()
        except (ValueError, apsw.Error):
            row = None
        if row:
            return _family(row[0])
    for word in ("documents", "chunks_fts", "chunk_vectors", "chunk_bits", "chunk_embeddings", "chunks"):
        if word in line:
            return _family(word)
    return "database"


def _family(table: str) -> str:
    if table.startswith("chunks_fts"):
        return "full-text index"
    if table.startswith("chunk_vectors"):
        return "vector table"
    if table.startswith("chunk_bits"):
        return "bit index"
    if table == "chunk_embeddings":
        return "re-scoring vectors"
    return table


# -- derived tables against chunks --------------------------------------------


def _counts(conn: apsw.Connection, counts: dict[str, tuple[str, str]]) -> list[Problem]:
    chunks = _scalar(conn, "SELECT count(*) FROM chunks")
    if isinstance(chunks, Problem):
        return [chunks]
    has_vectors = _exists(conn, "chunk_vectors")
    problems = []
    for area, (shadow, virtual) in counts.items():
        if area != "full-text index" and not has_vectors:
            continue
        count = _scalar(conn, shadow)
        if isinstance(count, Problem) and "no such table" in count.detail:
            count = _scalar(conn, virtual)
        if isinstance(count, Problem):
            problems.append(Problem(area, count.detail))
        elif count != chunks:
            problems.append(Problem(area, f"{count} rows for {chunks} chunks"))
    return problems


def _derived_ids(conn: apsw.Connection) -> list[Problem]:
    has_vectors = _exists(conn, "chunk_vectors")
    problems = []
    for area, ids_sql in DERIVED.items():
        if area != "full-text index" and not has_vectors:
            continue
        try:
            missing = conn.execute(f"SELECT count(*) FROM (SELECT id FROM chunks EXCEPT {ids_sql})").fetchone()[0]
            extra = conn.execute(f"SELECT count(*) FROM ({ids_sql} EXCEPT SELECT id FROM chunks)").fetchone()[0]
        except apsw.Error as exc:
            problems.append(Problem(area, f"unreadable: {damage_of(exc) or exc}"))
            continue
        if missing:
            problems.append(Problem(area, f"{missing} chunks have no row in it"))
        if extra:
            problems.append(Problem(area, f"{extra} rows belong to no chunk"))
    return problems


def _orphans(conn: apsw.Connection) -> list[Problem]:
    count = _scalar(conn, "SELECT count(*) FROM chunks c LEFT JOIN documents d ON d.rowid = c.doc WHERE d.rowid IS NULL")
    if isinstance(count, Problem):
        return [Problem("documents", count.detail)]
    return [Problem("documents", f"{count} chunks belong to no document (documents were lost)")] if count else []


def _fts_integrity(conn: apsw.Connection) -> list[Problem]:
    try:
        with conn:  # the check is written as an INSERT: keep it in its own savepoint
            conn.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 0)")
    except apsw.Error as exc:
        return [Problem("full-text index", f"fails its integrity check: {damage_of(exc) or exc}")]
    return []


# -- vectors read back ---------------------------------------------------------


def _vectors(conn: apsw.Connection) -> list[Problem]:
    if not _exists(conn, "chunk_vectors"):
        return []
    problems = []
    for area, sql in (("vector table", "SELECT chunk_id, embedding FROM chunk_vectors"),
                      ("re-scoring vectors", "SELECT chunk_id, vector FROM chunk_embeddings")):
        try:
            ids, matrix = _read_vectors(conn, sql)
        except apsw.Error as exc:
            problems.append(Problem(area, f"vectors unreadable: {damage_of(exc) or exc}"))
            continue
        if matrix is None:
            problems.append(Problem(area, "vectors of different lengths"))
            continue
        zero = int((~matrix.any(axis=1)).sum())
        nan = int((~np.isfinite(matrix)).any(axis=1).sum())
        if zero:
            problems.append(Problem(area, f"{zero} vectors are all zero"))
        if nan:
            problems.append(Problem(area, f"{nan} vectors hold NaN or infinity"))
        if area == "re-scoring vectors" and not zero and not nan:
            problems += _bits_match(conn, ids, matrix)
    return problems


def _read_vectors(conn: apsw.Connection, sql: str) -> tuple[np.ndarray, np.ndarray | None]:
    ids, blobs = [], []
    for cid, blob in conn.execute(sql):
        ids.append(cid)
        blobs.append(blob)
    if not blobs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32)
    if len({len(b) for b in blobs}) != 1:
        return np.asarray(ids), None
    return np.asarray(ids, dtype=np.int64), np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)


def _bits_match(conn: apsw.Connection, ids: np.ndarray, matrix: np.ndarray) -> list[Problem]:
    """Each stored bit vector must be the signs of its float vector."""
    from .bitindex import _read_bits  # the reader the search itself uses

    try:
        bit_ids, _, packed = _read_bits(conn)
    except apsw.Error as exc:
        return [Problem("bit index", f"unreadable: {damage_of(exc) or exc}")]
    at = {int(cid): row for row, cid in enumerate(ids)}
    rows = [at.get(int(cid), -1) for cid in bit_ids]
    known = np.asarray([r >= 0 for r in rows], dtype=bool)
    if not known.any():
        return []
    expected = np.packbits(matrix[np.asarray(rows)[known]] > 0, axis=1, bitorder="little")
    wrong = int((expected != packed[known][:, : expected.shape[1]]).any(axis=1).sum())
    return [Problem("bit index", f"{wrong} bit vectors do not match their float vectors")] if wrong else []


# -- helpers -------------------------------------------------------------------


def _scalar(conn: apsw.Connection, sql: str) -> int | Problem:
    try:
        return conn.execute(sql).fetchone()[0]
    except apsw.InterruptError:
        raise
    except apsw.Error as exc:
        return Problem("database", f"unreadable: {damage_of(exc) or exc}")


def _exists(conn: apsw.Connection, table: str) -> bool:
    try:
        return conn.execute("SELECT 1 FROM sqlite_schema WHERE name = ?", (table,)).fetchone() is not None
    except apsw.Error:
        return False
