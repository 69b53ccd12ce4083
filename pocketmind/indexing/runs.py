"""Indexing one source: walk its files (or take the changed paths the daemon
saw), parse the changed ones, embed, write.

- A file whose size and mtime are unchanged is not even opened. A file whose
  mtime moved but whose bytes hash as before (a sync tool, a restored backup,
  `touch`) is read and hashed but not parsed again (images excepted, see
  :data:`PARSE_ALWAYS`); its recorded signature is updated.
- A document whose content hash is unchanged is not rewritten; a chunk whose
  embedding text was embedded before (anywhere in the store) reuses that
  vector, so a renamed note or a re-imported longer chat embeds only what is new.
- Work is committed in batches; every document is written whole (its row,
  chunks, full text and vectors in one transaction) and a file's signature
  is recorded only after all of its documents are stored, so an interrupted
  run resumes by redoing at most the unfinished files, without duplicates.
  ``should_stop`` (the daemon's stop request) ends a run after its current batch.
- Every file that is not indexed is counted and named with its reason
  (:attr:`IndexSummary.skipped`): unreadable (a folder too), empty, unsupported,
  wrong shape, or a link leading outside the source. Problems are reported and
  recorded with the file; unsupported files are only counted and listed. A file
  or folder that cannot be read keeps what was indexed from it before; an
  emptied file does not.
- A file whose content depends on the date (a calendar's repeating events are
  expanded to ``index.calendar_months_ahead`` after today) records the window it
  was expanded to, and is parsed again, bytes unchanged, once the run's window
  has moved more than :data:`WINDOW_SLACK_DAYS` from it (the daemon's periodic
  rescan keeps repeating events ahead of time that way).
- Attachment paths leading outside the source are dropped with a note
  (:attr:`IndexSummary.warnings`); links are followed outside the source only
  when the source says so (``follow_links`` option).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, NamedTuple

from pocketmind.documents import Document
from pocketmind.errors import ParseError
from pocketmind.inputs import MB, InputLimits, months_later, reading, too_big
from pocketmind.timeexpr import annotation_text

from .checks import drop_outside_attachments, is_blank, unreadable
from .chunking import chunk_document, embedding_text
from .files import EMPTY, OUTSIDE, REASONS, TOO_BIG, UNREADABLE, UNSUPPORTED, WRONG_SHAPE, Entry, file_digest, is_ignored, origin_of, scan
from .rows import (day_seconds, document_row, embed_with_context, fulltext_body, previous_messages, series_embedding_texts,
                   time_mentions)

log = logging.getLogger(__name__)

FLUSH_CHUNKS = 1024  # big batches let the embedder sort by length and pad less
# A batch is embedded this many chunks at a time, reporting after each (``on_embedded``): a
# progress bar moves every few seconds while the embedder still sorts enough texts by length.
EMBED_STEP_CHUNKS = 256
FLUSH_FILES = 2000  # unchanged files recorded per transaction when nothing else is pending

# Indexers whose files are always parsed when their signature changes: an
# image's parser reads only the metadata at its head (hashing every byte of a
# photo library would cost more than parsing it), and reads sidecar files
# (.xmp, .json) beside it that the image's own bytes don't cover.
PARSE_ALWAYS = {"images"}
DIGEST_MAX_BYTES = 256 * 1024 * 1024  # beyond this, hashing costs about as much as parsing
# Archives and databases are not read whole: their members are limited one by one
# (pocketmind.inputs.read_member) and databases are read by query. Indexers that
# stream their files (image headers, iterparse'd XML) say so with ``streams_input``.
CONTAINER_SUFFIXES = {".zip", ".textpack", ".bear2bk", ".db", ".sqlite", ".sqlite3"}
# A calendar is expanded again when the window has moved more than this: a weekly
# event then always has at least 11 of its 12 months ahead, at one re-parse a month.
WINDOW_SLACK_DAYS = 30



def _check_shape(doc: Document) -> None:
    """What chunking and storing rely on, checked while a parser's failure is still its file's alone."""
    if not isinstance(doc, Document):
        raise TypeError(f"yielded {type(doc).__name__}, not a Document")
    for name in ("text", "title"):
        if not isinstance(getattr(doc, name), str):
            raise TypeError(f"document {doc.native_id!r}: {name} is {type(getattr(doc, name)).__name__}, not str")


class Stopped(Exception):
    """A stop was requested: the run ended after committing its current batch."""


@dataclass
class IndexSummary:
    source: str
    files: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    embedded: int = 0
    chunks: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)  # "path: problem" for each of the ``failed`` files
    skipped: list[dict[str, str]] = field(default_factory=list)  # every file not indexed: path, reason, problem
    warnings: list[str] = field(default_factory=list)  # "path: what was left out" for files indexed all the same

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        counts = Counter(s["reason"] for s in self.skipped)
        return {reason: counts[reason] for reason in REASONS if counts[reason]}

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "skipped_by_reason": self.skipped_by_reason}


@dataclass
class _Pending:
    row: dict[str, Any]
    chunks: list[Any]  # store.ChunkRow
    is_new: bool


class _PendingFile(NamedTuple):
    origin: str
    size: int
    mtime_ns: int
    stale: set[str]  # ids it no longer holds, deleted on flush
    moved: list[str]  # unchanged ids stored under another file (a renamed export), claimed on flush
    digest: str | None
    window_end: str | None = None  # ISO day its repeating events were expanded to (calendars)


class SourceRun:
    """One pass over one source. The caller holds the engine's write lock."""

    def __init__(self, engine, source: dict[str, Any], progress: Callable[[int, int, str], None] | None = None,
                 should_stop: Callable[[], bool] | None = None, on_embedded: Callable[[int, int], None] | None = None):
        self.engine = engine
        self.should_stop = should_stop or (lambda: False)
        self.store = engine.store
        self.source = source
        self.name = source["name"]
        self.root = Path(source["path"])
        self.folder = self.root if self.root.is_dir() else self.root.parent  # what attachment paths must stay in
        self.follow_links = bool((source.get("options") or {}).get("follow_links"))
        self.indexers = engine.plugins.indexers_for(source["kind"])
        self.progress = progress
        self.on_embedded = on_embedded  # (chunks embedded, chunks to embed) of the batch being written
        self.summary = IndexSummary(self.name)
        self.window_end = months_later(engine.now().date(), engine.settings.index.calendar_months_ahead)
        self.limits = InputLimits(text_bytes=engine.settings.index.max_text_mb * MB, recurrence_until=self.window_end)
        self._pending: list[_Pending] = []
        self._pending_files: list[_PendingFile] = []
        self._pending_chunks = 0
        self._known: dict[str, tuple[int, int, str | None, str | None, str | None]] | None = None  # store.files, loaded once
        self._per_origin: dict[str, int] | None = None  # documents per file, when the whole source is walked

    # -- the pass -------------------------------------------------------------

    def run(self) -> IndexSummary:
        started = time.perf_counter()
        if not self.root.exists():
            self.summary.errors.append(f"{self.root}: source path does not exist")
            self.summary.failed += 1
            return self.summary
        known = self._known = self.store.files(self.name)
        counts = self._per_origin = self.store.documents_per_origin(self.name)
        seen: set[str] = set()  # files whose documents stay
        candidates = []
        for entry in scan(self.root, self.follow_links):
            origin = origin_of(entry.path, self.root)
            if entry.problem is not None:
                seen.update(self._report(entry, origin, known))
            elif self._indexer_for(entry.path) is not None:
                candidates.append((entry, origin))
                seen.add(origin)
            elif self._not_taken(entry, origin):
                seen.add(origin)
        for done, (entry, origin) in enumerate(candidates, 1):
            path, st = entry.path, entry.stat
            previous = known.get(origin)
            if _untouched(previous, st) and not self._window_moved(previous, entry.path):
                self.summary.unchanged += counts.get(origin, 0)
            else:
                self.index_file(path, origin, st.st_size, st.st_mtime_ns)
            self.summary.files += 1
            if self.progress:
                self.progress(done, len(candidates), origin)
            self._stop_if_asked()
        self.flush()
        vanished = [origin for origin in known if origin not in seen]
        if vanished:
            with self.store.transaction():
                for origin in vanished:
                    self.summary.deleted += self.store.forget_file(self.name, origin)
        self.store.mark_indexed(self.name)
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def index_file(self, path: Path, origin: str, size: int, mtime_ns: int) -> None:
        indexer = self._indexer_for(path)
        problem = unreadable(path)
        if problem is not None:
            self._fail(origin, path, size, mtime_ns, problem, UNREADABLE)
            return
        if is_blank(path, size):
            self._forget(origin)
            self._fail(origin, path, size, mtime_ns, "empty file", EMPTY)
            return
        if _read_whole(indexer, path) and (problem := too_big(size, self.limits)):
            self._fail(origin, path, size, mtime_ns, problem, TOO_BIG)
            return
        digest = None
        window_end = self.window_end.isoformat() if _windowed(indexer) else None
        if indexer.name not in PARSE_ALWAYS and size <= DIGEST_MAX_BYTES:
            try:
                digest = file_digest(path)
            except OSError as exc:
                self._fail(origin, path, size, mtime_ns, f"unreadable: {exc.strerror}", UNREADABLE)
                return
            if self._same_bytes(origin, digest) and not self._window_moved(self._known.get(origin), path):
                self.summary.unchanged += self._documents_in(origin)
                window = self._known[origin][4]  # the window its stored documents were expanded to
                self._pending_files.append(_PendingFile(origin, size, mtime_ns, set(), [], digest, window))
                if len(self._pending_files) >= FLUSH_FILES:
                    self.flush()
                return
        try:
            with reading(self.limits) as notices:
                docs = list(indexer.parse(path, self.root))
            dropped = drop_outside_attachments(docs, self.folder, self.follow_links)
            rows = {}
            for doc in docs:
                _check_shape(doc)
                self._caption_if_missing(doc, path)
                row = document_row(self.name, origin, doc)
                rows[row["id"]] = (row, doc)  # a duplicate native id keeps the last one
        except ParseError as exc:
            self._fail(origin, path, size, mtime_ns, exc.problem)
            return
        except Exception as exc:  # a parser or plugin bug must not stop the run: report it like bad input
            log.debug("parser %s failed on %s", indexer.name, path, exc_info=True)
            self._fail(origin, path, size, mtime_ns, f"{indexer.name} could not parse it: {type(exc).__name__}: {exc}")
            return
        for problem in notices:
            log.warning("%s", problem)
        self.summary.warnings.extend(notices)
        if not docs:  # a well-formed export with nothing in it (no messages, no events) is not indexed either
            self._forget(origin)
            self._fail(origin, path, size, mtime_ns, f"empty: {indexer.name} found nothing to index in it", EMPTY)
            return
        if dropped:
            many = "paths lead" if len(dropped) > 1 else "path leads"
            self._warn(path, f"{len(dropped)} attachment {many} outside the source, dropped: {', '.join(dropped)}")
        stored = self.store.content_hashes(list(rows))
        unchanged = [i for i, (row, _) in rows.items() if stored.get(i) == row["content_hash"]]
        self.summary.unchanged += len(unchanged)
        here = self.store.ids_from_origin(self.name, origin)
        stale = here - set(rows)
        moved = [i for i in unchanged if i not in here]
        if len(unchanged) < len(rows):
            contexts = previous_messages(docs)
            for doc_id, (row, doc) in rows.items():
                if stored.get(doc_id) == row["content_hash"]:
                    continue
                self._add_pending(row, doc, is_new=doc_id not in stored, context=contexts.get(doc.native_id, ""))
        self._pending_files.append(_PendingFile(origin, size, mtime_ns, stale, moved, digest, window_end))
        if self._pending_chunks >= FLUSH_CHUNKS:
            self.flush()

    def apply(self, paths: list[Path]) -> IndexSummary:
        """Index the changed paths the daemon saw: new and edited files first, then
        forget vanished ones.

        Vanished files are forgotten only after the new ones are stored, so a
        renamed file's chunks find their old vectors and nothing is re-embedded.
        A vanished or moved directory takes every file below it along.
        """
        root = self.root
        known = self._known = self.store.files(self.name)
        present: dict[str, Entry] = {}
        gone: set[str] = set()
        for path in paths:
            if path.exists() or path.is_symlink():
                present.update((origin_of(e.path, root), e) for e in scan(root, self.follow_links, top=path)
                               if not is_ignored(e.path, root))
            else:
                origin = origin_of(path, root)
                gone.add(origin)
                gone.update(o for o in known if o.startswith(origin + "/"))
        if gone and root.is_dir():
            # A vanished path may have moved where no event has come from yet (watchdog reports
            # an unpaired move as a delete, the create later): take new files from anywhere in
            # the source into this run, so the move is claimed and nothing is embedded again.
            for entry in scan(root, self.follow_links):
                if entry.problem is None and not is_ignored(entry.path, root) and (origin := origin_of(entry.path, root)) not in known:
                    present.setdefault(origin, entry)
        for origin, entry in sorted(present.items()):
            path, st = entry.path, entry.stat
            if entry.problem is not None:
                self._report(entry, origin, known)
                continue
            if self._indexer_for(path) is None:
                self._not_taken(entry, origin)
                continue
            previous = known.get(origin)
            if _untouched(previous, st) and not self._window_moved(previous, path):
                continue  # an event without a change (touch, chmod, a read by a sync tool)
            self.index_file(path, origin, st.st_size, st.st_mtime_ns)
            self.summary.files += 1
            self._stop_if_asked()
        self.flush()
        vanished = sorted(o for o in gone if o in known and o not in present)
        if vanished:
            deleted_ids = sorted(i for o in vanished for i in self.store.ids_from_origin(self.name, o))
            with self.store.transaction():
                for origin in vanished:
                    self.summary.deleted += self.store.forget_file(self.name, origin)
            self.engine.notify_changed(self.name, [], [], deleted_ids)
        self.store.mark_indexed(self.name)
        return self.summary

    def _stop_if_asked(self) -> None:
        if self.should_stop():
            self.flush()  # commit the files parsed so far; the rest is redone next time
            raise Stopped()

    # -- batching ------------------------------------------------------------

    def _add_pending(self, row: dict[str, Any], doc: Document, is_new: bool, context: str = "") -> None:
        from pocketmind.store import ChunkRow

        chunks = []
        pieces = chunk_document(doc)
        shared = series_embedding_texts(doc.kind, doc.title, doc.author, doc.series_text, len(pieces))
        for seq, piece in enumerate(pieces):
            # Dates an occurrence of a series "talks about" are its own (its time row has them); the
            # text it shares with the series would resolve to other days at every occurrence.
            mentions = [] if shared else time_mentions(piece.text, doc.occurred_at)
            extra = annotation_text(mentions)
            embed = shared[seq] if shared else embedding_text(doc.kind, doc.title, doc.author, piece.heading, piece.text, extra, context)
            digest = hashlib.sha256(embed.encode("utf-8")).hexdigest()
            spans = [(day_seconds(m.start), day_seconds(m.end) + 86_400) for m in mentions]
            chunk = ChunkRow(seq, piece.heading, piece.text, fulltext_body(doc, piece.heading, piece.text, extra), digest, mentions=spans)
            chunk.embed_text = embed  # type: ignore[attr-defined]
            chunk.embed_own = (  # type: ignore[attr-defined]
                embedding_text(doc.kind, doc.title, doc.author, piece.heading, piece.text, extra) if context and not shared else None
            )
            chunks.append(chunk)
        self._pending.append(_Pending(row, chunks, is_new))
        self._pending_chunks += len(chunks)
        if self._pending_chunks >= FLUSH_CHUNKS:
            self.flush()

    def flush(self) -> None:
        if not self._pending and not self._pending_files:
            return
        self._embed_pending()
        with self.store.transaction():
            for item in self._pending:
                self.store.write_document(item.row, item.chunks)
                if item.is_new:
                    self.summary.added += 1
                else:
                    self.summary.updated += 1
                self.summary.chunks += len(item.chunks)
            for file in self._pending_files:
                self.store.claim(file.moved, file.origin)
                self.summary.deleted += self.store.delete_documents(file.stale)
                self.store.record_file(self.name, file.origin, file.size, file.mtime_ns, digest=file.digest,
                                       window_end=file.window_end)
        self.engine.notify_changed(self.name, self._pending, self._pending_files)
        self._pending, self._pending_files, self._pending_chunks = [], [], 0
        if not getattr(self.engine.embedder, "multilingual", False):
            self.engine.fill_multilingual_vectors()  # the second vector list (store.multilingual)

    def _embed_pending(self) -> None:
        if self.store.vector_dimension() is None:
            self.engine.ensure_vector_table()
        todo: dict[str, list[Any]] = {}
        for item in self._pending:
            for chunk in item.chunks:
                reused = self.store.vector_for_hash(chunk.hash)
                if reused is not None:
                    chunk.vector = reused
                else:
                    todo.setdefault(chunk.hash, []).append(chunk)
        if not todo:
            return
        firsts = [chunks[0] for chunks in todo.values()]
        vectors = []
        for start in range(0, len(firsts), EMBED_STEP_CHUNKS):
            step = firsts[start : start + EMBED_STEP_CHUNKS]
            vectors.extend(embed_with_context(self.engine.vectors_embedder, [(c.embed_text, c.embed_own) for c in step]))
            if self.on_embedded:
                self.on_embedded(start + len(step), len(firsts))
        for chunks, vector in zip(todo.values(), vectors):
            for chunk in chunks:
                chunk.vector = vector
        self.summary.embedded += len(firsts)

    # -- helpers ---------------------------------------------------------------

    def _same_bytes(self, origin: str, digest: str) -> bool:
        """Whether the file was parsed before, without error, from exactly these bytes."""
        if self._known is None:
            self._known = self.store.files(self.name)
        previous = self._known.get(origin)
        return previous is not None and previous[2] is None and previous[3] == digest

    def _window_moved(self, previous: tuple | None, path: Path) -> bool:
        """Whether a file parsed by a date-dependent indexer (calendars) was expanded to a
        window more than :data:`WINDOW_SLACK_DAYS` away from this run's (later or earlier:
        the setting may have shrunk), or to none recorded."""
        if previous is None or not _windowed(self._indexer_for(path)):
            return False
        if previous[4] is None:
            return True
        return abs((self.window_end - date.fromisoformat(previous[4])).days) > WINDOW_SLACK_DAYS

    def _documents_in(self, origin: str) -> int:
        if self._per_origin is not None:
            return self._per_origin.get(origin, 0)
        return self.store.count_from_origin(self.name, origin)

    def _caption_if_missing(self, doc: Document, path: Path) -> None:
        """Ask ``caption_photo`` plugins (e.g. a local vision model) for a photo with no caption."""
        if doc.kind != "photo" or doc.metadata.get("has_caption", True):
            return
        caption = self.engine.plugins.hook.caption_photo(path=path, metadata=dict(doc.metadata))
        if caption:
            doc.text = f"{caption.strip()}\n{doc.text}"
            doc.metadata["has_caption"] = True
            doc.metadata["caption_source"] = "plugin"

    def _indexer_for(self, path: Path):
        for indexer in self.indexers:
            try:
                if indexer.accepts(path):
                    return indexer
            except OSError:
                return None
        return None

    def _report(self, entry: Entry, origin: str, known: dict[str, Any]) -> set[str]:
        """Report what the walk could not take; return the known files it reports for.

        Whatever was indexed from a file or folder that cannot be read now stays
        (a permission slip must not empty the index); what a link outside the
        source led to goes."""
        if entry.reason == OUTSIDE:
            self._forget(origin)
            self._fail(origin, entry.path, 0, 0, entry.problem, OUTSIDE)
            return {origin}
        self._fail(origin, entry.path, 0, 0, entry.problem, entry.reason)
        if entry.path == self.root:
            return set(known) | {origin}
        return {origin, *(o for o in known if o.startswith(origin + "/"))}

    def _not_taken(self, entry: Entry, origin: str) -> bool:
        """A file no indexer of the source takes: report why; return whether its documents stay."""
        path, size = entry.path, entry.stat.st_size
        if path.name.startswith(".") or self._read_beside(path):
            return False  # hidden files no indexer wants are not data, nor noise; sidecars are read with their file
        problem = unreadable(path)
        if problem is not None:  # sniffers read a file's head: an unreadable file looks like no format
            self._fail(origin, path, size, entry.stat.st_mtime_ns, problem, UNREADABLE)
            return True
        if is_blank(path, size):
            self._forget(origin)
            self._fail(origin, path, size, entry.stat.st_mtime_ns, "empty file", EMPTY)
            return True
        self.summary.skipped.append({"path": str(path), "reason": UNSUPPORTED,
                                     "problem": f"not a {self.source['kind']} format pocketmind reads"})
        return False

    def _forget(self, origin: str) -> None:
        """Drop what a file held before: it holds nothing now (emptied), or is a link that must not be followed."""
        with self.store.transaction():
            self.summary.deleted += self.store.forget_file(self.name, origin)

    def _read_beside(self, path: Path) -> bool:
        return any(getattr(indexer, "reads_beside", None) and indexer.reads_beside(path) for indexer in self.indexers)

    def _warn(self, path: Path, note: str) -> None:
        self.summary.warnings.append(f"{path}: {note}")
        log.warning("%s: %s", path, note)

    def _fail(self, origin: str, path: Path, size: int, mtime_ns: int, problem: str, reason: str = WRONG_SHAPE) -> None:
        self.summary.failed += 1
        self.summary.errors.append(f"{path}: {problem}")
        self.summary.skipped.append({"path": str(path), "reason": reason, "problem": problem})
        log.warning("skipped %s: %s", path, problem)
        with self.store.transaction():
            self.store.record_file(self.name, origin, size, mtime_ns, error=problem)


def _untouched(previous: tuple | None, st) -> bool:
    """Whether a file's size and mtime are as recorded and it was indexed without error."""
    return previous is not None and previous[:2] == (st.st_size, st.st_mtime_ns) and previous[2] is None


def _windowed(indexer) -> bool:
    """Whether what the indexer yields depends on the run's date window (``uses_recurrence_window``)."""
    return bool(getattr(indexer, "uses_recurrence_window", False))


def _read_whole(indexer, path: Path) -> bool:
    """Whether the indexer reads this file whole, so its size is limited by ``index.max_text_mb``."""
    return not getattr(indexer, "streams_input", False) and path.suffix.lower() not in CONTAINER_SUFFIXES
