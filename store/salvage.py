"""Repair by copying: what is still readable goes into a new file, which then
replaces the damaged one in one rename.

Writing in place would walk the damaged pages again (dropping a table frees
its pages by reading them); a new file also makes the repair crash-safe: until
the final :func:`swap_in` the damaged file is untouched, and after it the new
file is complete. Only the tables no other table can be rebuilt from are
copied (sources, files, documents, chunks, meta); full text, vectors and date
mentions are rebuilt from the chunks by the caller. Readable float vectors are
kept in ``salvaged_embeddings`` so they need not be computed again.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import apsw
import numpy as np

from .connection import open_connection
from .damage import damage_of
from .durable import fsync_path
from .migrations import apply_migrations

# Copied as they are, in this order (foreign keys: sources before documents before chunks).
CORE = ("meta", "sources", "documents", "chunks")
# files is WITHOUT ROWID (no rowid walk): copied whole or dropped, which only
# makes the next index run read every file again.
SIGNATURES = "files"
# Meta rows that describe the old vector tables, rebuilt with them.
VECTOR_META = ("vector_dimension", "vector_cells_version", "vector_cells_trained_on")
_LAST_ROWID = 2**63 - 1


@dataclass
class Salvage:
    copied: dict[str, int] = field(default_factory=dict)
    lost_ranges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # table -> (last good rowid, next good rowid)
    signatures_kept: bool = True
    vectors_kept: int = 0


def salvage(damaged: Path, fresh: Path, dimension: int | None, key: str | None = None) -> Salvage:
    """Copy the readable rows of ``damaged`` into a new database at ``fresh``
    (its schema made by the migrations); float vectors of ``dimension`` that are
    readable, finite and not zero go to ``salvaged_embeddings``."""
    for leftover in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):
        leftover.unlink(missing_ok=True)
    source = open_connection(damaged, key=key)
    target = open_connection(fresh, key=key)  # an encrypted store is repaired into an encrypted file
    report = Salvage()
    try:
        apply_migrations(target)
        target.pragma("foreign_keys", 0)  # a document whose source row was lost is still worth keeping
        with target:
            for table in CORE:
                report.copied[table], report.lost_ranges[table] = _copy_table(source, target, table)
            target.execute(f"DELETE FROM meta WHERE key IN ({','.join('?' * len(VECTOR_META))})", VECTOR_META)
            report.signatures_kept = _copy_whole(source, target, SIGNATURES)
            report.vectors_kept = _copy_embeddings(source, target, dimension)
        target.pragma("wal_checkpoint", "TRUNCATE")
    finally:
        source.close()
        target.close()
    return report


def readable_rows(conn: apsw.Connection, table: str, lost: list[tuple[int, int]]) -> Iterator[tuple]:
    """Every row of a rowid table that can still be read, in rowid order; each
    unreadable stretch is stepped over and appended to ``lost`` as (last rowid
    read, first rowid read after it)."""
    start, after = -_LAST_ROWID, None  # seek to a rowid known to read (a seek into a damaged page fails)
    while True:
        try:
            for row in conn.execute(f"SELECT rowid, * FROM {table} WHERE rowid >= ? ORDER BY rowid", (start,)):
                after = row[0]
                yield row
            return
        except apsw.Error as exc:
            if damage_of(exc) is None:
                raise
        last = after if after is not None else start - 1
        resume = _next_readable(conn, table, last)
        lost.append((last, resume if resume is not None else _LAST_ROWID))
        if resume is None or resume <= last:
            return
        start = resume


def _next_readable(conn: apsw.Connection, table: str, after: int) -> int | None:
    """The first rowid past ``after`` from which the table reads again: probe
    further and further ahead, then narrow down (damage covers a stretch of rowids)."""

    def readable_from(start: int) -> int | None | bool:
        try:
            row = conn.execute(f"SELECT rowid FROM {table} WHERE rowid >= ? ORDER BY rowid LIMIT 1", (start,)).fetchone()
        except apsw.Error:
            return False
        return row[0] if row else None

    step, bad, good = 1, after, None
    while good is None:
        probe = min(after + step, _LAST_ROWID)
        found = readable_from(probe)
        if found is not False:
            good = probe
            break
        bad = probe
        if probe == _LAST_ROWID:
            return None
        step *= 2
    while good - bad > 1:  # bad is unreadable, good reads: find the first start that reads
        middle = (bad + good) // 2
        if readable_from(middle) is False:
            bad = middle
        else:
            good = middle
    found = readable_from(good)
    return None if found is None or found is False else found


def _copy_table(source: apsw.Connection, target: apsw.Connection, table: str) -> tuple[int, list[tuple[int, int]]]:
    columns = [r[1] for r in target.execute(f"PRAGMA table_info({table})")]
    lost: list[tuple[int, int]] = []
    try:
        source_columns = {r[1] for r in source.execute(f"PRAGMA table_info({table})")}
    except apsw.Error:
        return 0, [(-_LAST_ROWID, _LAST_ROWID)]
    if not source_columns:
        return 0, [(-_LAST_ROWID, _LAST_ROWID)]
    names = [c for c in columns if c in source_columns]  # a rowid alias (documents.rowid, chunks.id) among them
    insert = f"INSERT OR IGNORE INTO {table}({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    count = 0
    batch: list[tuple] = []
    lookup = {c: i + 1 for i, c in enumerate(r[1] for r in source.execute(f"PRAGMA table_info({table})"))}
    for row in readable_rows(source, table, lost):
        batch.append(tuple(row[lookup[c]] for c in names))
        if len(batch) >= 1000:
            target.executemany(insert, batch)
            count += len(batch)
            batch.clear()
    target.executemany(insert, batch)
    return count + len(batch), lost


def _copy_whole(source: apsw.Connection, target: apsw.Connection, table: str) -> bool:
    try:
        columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    except apsw.Error as exc:
        if damage_of(exc) is None:
            raise
        return False
    target.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    return True


def _copy_embeddings(source: apsw.Connection, target: apsw.Connection, dimension: int | None) -> int:
    target.execute("CREATE TABLE salvaged_embeddings (chunk_id INTEGER PRIMARY KEY, vector BLOB NOT NULL)")
    if not dimension:
        return 0
    try:
        source.execute("SELECT 1 FROM chunk_embeddings LIMIT 0").fetchall()
    except apsw.SQLError:
        return 0
    kept = 0
    for _, chunk_id, vector in readable_rows(source, "chunk_embeddings", []):
        if isinstance(vector, bytes) and len(vector) == 4 * dimension:
            values = np.frombuffer(vector, dtype=np.float32)
            if values.any() and np.isfinite(values).all():
                target.execute("INSERT INTO salvaged_embeddings(chunk_id, vector) VALUES (?, ?)", (chunk_id, vector))
                kept += 1
    return kept


def set_aside_name(database: Path) -> Path:
    return database.with_name(f"{database.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")


def swap_in(fresh: Path, database: Path) -> Path:
    """Put ``fresh`` in place of ``database`` in one rename; the damaged file is
    kept beside it (returned). No connection may be open on either.

    The damaged file's WAL moves with it first: a WAL left beside the new file
    would be replayed into it on the next open."""
    aside = set_aside_name(database)
    try:
        conn = apsw.Connection(str(database))
        conn.pragma("wal_checkpoint", "TRUNCATE")  # best effort: commits still in the WAL reach the file
        conn.close()
    except apsw.Error:
        pass
    os.chmod(fresh, database.stat().st_mode & 0o777)  # as private as the file it replaces
    try:
        os.link(database, aside)
    except OSError:  # a file system without hard links
        shutil.copy2(database, aside)
    wal = Path(f"{database}-wal")
    if wal.exists():
        os.replace(wal, Path(f"{aside}-wal"))
    Path(f"{database}-shm").unlink(missing_ok=True)
    os.replace(fresh, database)
    fsync_path(database.parent)
    return aside


def start_fresh(database: Path) -> Path:
    """A database that cannot be opened at all is set aside whole (a new one is
    made on the next open); returns where it went."""
    aside = set_aside_name(database)
    os.replace(database, aside)
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{database}{suffix}")
        if extra.exists():
            os.replace(extra, Path(f"{aside}{suffix}"))
    fsync_path(database.parent)
    return aside

