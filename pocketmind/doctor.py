"""`pocketmind doctor`: is the database whole, and if not, put it right.

:func:`check` never raises on a damaged file: it says what is wrong. :func:`repair`
copies what is still readable into a new file (:mod:`pocketmind.store.salvage`),
rebuilds full text, date mentions and vectors there from the chunks (vectors
still readable are kept, the others embedded again), swaps it in with one
rename, then re-indexes the sources from their files if documents were lost.
Until the rename the damaged file is untouched, so a crash leaves either it or
the complete new one; the damaged file is kept beside the new one.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from .documents import Document
from .errors import DatabaseDamaged, StoreError
from .paths import Paths
from .store import Store
from .store import rebuild
from .store.connection import open_connection
from .store.health import Problem, full_check, quick_check
from .store.salvage import salvage, start_fresh, swap_in

EMBED_BATCH = 256


@dataclass
class Checkup:
    database: str
    opened: bool
    problems: list[Problem]
    seconds: float
    skipped: list[str] = field(default_factory=list)  # not reached within the quick check's time budget

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"database": self.database, "ok": self.ok, "opened": self.opened, "seconds": round(self.seconds, 3),
                "problems": [p.to_json() for p in self.problems], "skipped": self.skipped}


def check(database: Path, *, full: bool, key: str | None = None) -> Checkup:
    """The full check (`doctor`) or the quick one (`status`); ``key`` opens an encrypted database."""
    started = time.perf_counter()
    if not database.exists():
        return Checkup(str(database), False, [], 0.0)
    try:
        conn = open_connection(database, key=key)
    except DatabaseDamaged as exc:
        fix = ("if it is encrypted, open it with its key; otherwise `pocketmind doctor --repair` sets it aside"
               " and starts an empty database (add your sources again)")
        return Checkup(str(database), False, [Problem("database", f"cannot be opened: {exc.problem}", fix)],
                       time.perf_counter() - started)
    try:
        problems, skipped = (full_check(conn), []) if full else quick_check(conn)
    finally:
        conn.close()
    return Checkup(str(database), True, problems, time.perf_counter() - started, skipped)


@dataclass
class RepairReport:
    set_aside: str | None = None  # where the damaged file was kept
    started_empty: bool = False  # it could not be opened at all
    copied: dict[str, int] = field(default_factory=dict)
    documents_dropped: int = 0  # lost or incomplete: written again by the re-index
    vectors_kept: int = 0
    embedded: int = 0
    reindexed: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def repair(paths: Paths, make_embedder: Callable[[], Any], open_engine: Callable[[], Any],
           key: str | None = None) -> RepairReport:
    """Repair the database at ``paths.database``; ``make_embedder`` gives the
    configured embedder, ``open_engine`` an engine on the repaired file (for the re-index)."""
    from .daemon.service import running_daemon_pid

    started = time.perf_counter()
    database = paths.database
    pid = running_daemon_pid(paths.state_dir)
    if pid is not None:
        raise StoreError(f"the daemon (pid {pid}) has the database open: stop it first (`pocketmind daemon stop`)")
    report = RepairReport()
    if not check(database, full=False, key=key).opened:
        report.set_aside, report.started_empty = str(start_fresh(database)), True
        report.seconds = time.perf_counter() - started
        return report

    embedder = make_embedder()
    fresh = database.with_name(database.name + ".repair")
    try:
        documents_lost = _build(database, fresh, embedder, report, key)
    except BaseException:
        for part in (fresh, Path(f"{fresh}-wal"), Path(f"{fresh}-shm")):  # no half-built copy of the data left behind
            part.unlink(missing_ok=True)
        raise
    report.set_aside = str(swap_in(fresh, database))
    if documents_lost:
        with open_engine() as engine:
            report.reindexed = [s.to_json() for s in engine.index()]
    report.seconds = time.perf_counter() - started
    return report


def _build(database: Path, fresh: Path, embedder, report: RepairReport, key: str | None) -> bool:
    """The repaired database at ``fresh`` (under the same key), complete; returns whether documents were lost."""
    saved = salvage(database, fresh, embedder.dimension, key)
    report.copied, report.vectors_kept = saved.copied, saved.vectors_kept
    store = Store(fresh, key=key)
    try:
        with store.transaction() as conn:
            report.documents_dropped = rebuild.drop_incomplete(conn, saved.lost_ranges.get("chunks", []))
            documents_lost = report.documents_dropped > 0 or bool(saved.lost_ranges.get("documents"))
            _rebuild_fulltext(conn)
            report.embedded = _rebuild_vectors(store, conn, embedder)
            rebuild.drop_salvaged(conn)
            if documents_lost or not saved.signatures_kept:
                rebuild.forget_signatures(conn)
        store.conn.pragma("wal_checkpoint", "TRUNCATE")
    finally:
        store.close()
    return documents_lost


def _rebuild_fulltext(conn) -> None:
    """Full-text bodies and date mentions made from the stored chunks exactly as indexing makes them."""
    from .indexing.rows import day_seconds, fulltext_body, time_mentions
    from .timeexpr import annotation_text

    bodies, spans = [], []
    for row in rebuild.chunk_fields(conn):
        moment = datetime.fromisoformat(row["occurred_local"]) if row["occurred_local"] else None
        mentions = time_mentions(row["text"], moment)
        doc = Document(native_id=str(row["chunk_id"]), kind=row["kind"], text="", title=row["title"] or "", author=row["author"],
                       conversation=row["conversation"], people=row["people"], place=row["place"], tags=row["tags"])
        bodies.append((row["chunk_id"], fulltext_body(doc, row["heading"], row["text"], annotation_text(mentions))))
        spans += [(row["chunk_id"], day_seconds(m.start), day_seconds(m.end) + 86_400) for m in mentions]
    rebuild.write_fulltext(conn, bodies)
    rebuild.write_mentions(conn, spans)


def _rebuild_vectors(store: Store, conn, embedder) -> int:
    """Every chunk's vectors: the salvaged float vector when one was readable, else embedded again."""
    import hashlib

    from .embeddings import identity, recorded_identity
    from .indexing.rows import embed_with_context, stored_embedding_inputs

    same = recorded_identity(store.get_meta("embedder")) == identity(embedder)
    kept = rebuild.salvaged_vectors(conn) if same else {}
    store.create_vector_table(embedder.dimension)
    store.set_meta("embedder", identity(embedder))
    rows = stored_embedding_inputs(store)
    store.insert_vectors((cid, kind, src, when, kept[cid]) for cid, kind, src, when, _, _ in rows if cid in kept)
    missing = [r for r in rows if r[0] not in kept]
    for start in range(0, len(missing), EMBED_BATCH):
        part = missing[start : start + EMBED_BATCH]
        vectors = embed_with_context(embedder, [(r[4], r[5]) for r in part])
        store.insert_vectors((cid, kind, src, when, v) for (cid, kind, src, when, _, _), v in zip(part, vectors))
        store.set_chunk_hashes((hashlib.sha256(r[4].encode()).hexdigest(), r[0]) for r in part)
    return len(missing)
