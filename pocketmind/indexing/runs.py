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
- A file that fails to parse is reported with its path and skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple

from pocketmind.documents import Document
from pocketmind.errors import ParseError
from pocketmind.timeexpr import annotation_text

from .chunking import chunk_document, embedding_text
from .files import file_digest, is_ignored, origin_of, walk
from .rows import day_seconds, document_row, embed_with_context, fulltext_body, previous_messages, time_mentions

log = logging.getLogger(__name__)

FLUSH_CHUNKS = 1024  # big batches let the embedder sort by length and pad less
FLUSH_FILES = 2000  # unchanged files recorded per transaction when nothing else is pending

# Indexers whose files are always parsed when their signature changes: an
# image's parser reads only the metadata at its head (hashing every byte of a
# photo library would cost more than parsing it), and reads sidecar files
# (.xmp, .json) beside it that the image's own bytes don't cover.
PARSE_ALWAYS = {"images"}
DIGEST_MAX_BYTES = 256 * 1024 * 1024  # beyond this, hashing costs about as much as parsing



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
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


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


class SourceRun:
    """One pass over one source. The caller holds the engine's write lock."""

    def __init__(self, engine, source: dict[str, Any], progress: Callable[[int, int, str], None] | None = None,
                 should_stop: Callable[[], bool] | None = None):
        self.engine = engine
        self.should_stop = should_stop or (lambda: False)
        self.store = engine.store
        self.source = source
        self.name = source["name"]
        self.root = Path(source["path"])
        self.indexers = engine.plugins.indexers_for(source["kind"])
        self.progress = progress
        self.summary = IndexSummary(self.name)
        self._pending: list[_Pending] = []
        self._pending_files: list[_PendingFile] = []
        self._pending_chunks = 0
        self._known: dict[str, tuple[int, int, str | None, str | None]] | None = None  # store.files, loaded once
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
        candidates = [p for p in walk(self.root) if self._indexer_for(p) is not None]
        seen: set[str] = set()
        for done, path in enumerate(candidates, 1):
            origin = origin_of(path, self.root)
            seen.add(origin)
            try:
                st = path.stat()
            except OSError as exc:
                self._fail(origin, path, 0, 0, f"cannot read: {exc.strerror}")
                continue
            previous = known.get(origin)
            if previous and previous[0] == st.st_size and previous[1] == st.st_mtime_ns and previous[2] is None:
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
        digest = None
        if indexer.name not in PARSE_ALWAYS and size <= DIGEST_MAX_BYTES:
            try:
                digest = file_digest(path)
            except OSError as exc:
                self._fail(origin, path, size, mtime_ns, f"cannot read: {exc.strerror}")
                return
            if self._same_bytes(origin, digest):
                self.summary.unchanged += self._documents_in(origin)
                self._pending_files.append(_PendingFile(origin, size, mtime_ns, set(), [], digest))
                if len(self._pending_files) >= FLUSH_FILES:
                    self.flush()
                return
        try:
            docs = list(indexer.parse(path, self.root))
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
        self._pending_files.append(_PendingFile(origin, size, mtime_ns, stale, moved, digest))
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
        present: dict[str, Path] = {}
        gone: set[str] = set()
        for path in paths:
            if path.is_dir():
                present.update((origin_of(child, root), child) for child in walk(path) if not is_ignored(child, root))
            elif path.is_file():
                present[origin_of(path, root)] = path
            else:
                origin = origin_of(path, root)
                gone.add(origin)
                gone.update(o for o in known if o.startswith(origin + "/"))
        if gone and root.is_dir():
            # A vanished path may have moved where no event has come from yet (watchdog reports
            # an unpaired move as a delete, the create later): take new files from anywhere in
            # the source into this run, so the move is claimed and nothing is embedded again.
            for child in walk(root):
                if not is_ignored(child, root) and (origin := origin_of(child, root)) not in known:
                    present.setdefault(origin, child)
        for origin, path in sorted(present.items()):
            if self._indexer_for(path) is None:
                continue
            st = path.stat()
            previous = known.get(origin)
            if previous and previous[:2] == (st.st_size, st.st_mtime_ns) and previous[2] is None:
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
        for seq, piece in enumerate(chunk_document(doc)):
            mentions = time_mentions(piece.text, doc.occurred_at)
            extra = annotation_text(mentions)
            embed = embedding_text(doc.kind, doc.title, doc.author, piece.heading, piece.text, extra, context)
            digest = hashlib.sha256(embed.encode("utf-8")).hexdigest()
            spans = [(day_seconds(m.start), day_seconds(m.end) + 86_400) for m in mentions]
            chunk = ChunkRow(seq, piece.heading, piece.text, fulltext_body(doc, piece.heading, piece.text, extra), digest, mentions=spans)
            chunk.embed_text = embed  # type: ignore[attr-defined]
            chunk.embed_own = (  # type: ignore[attr-defined]
                embedding_text(doc.kind, doc.title, doc.author, piece.heading, piece.text, extra) if context else None
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
                self.store.record_file(self.name, file.origin, file.size, file.mtime_ns, digest=file.digest)
        self.engine.notify_changed(self.name, self._pending, self._pending_files)
        self._pending, self._pending_files, self._pending_chunks = [], [], 0

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
        vectors = embed_with_context(self.engine.embedder, [(c.embed_text, c.embed_own) for c in firsts])
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

    def _fail(self, origin: str, path: Path, size: int, mtime_ns: int, problem: str) -> None:
        self.summary.failed += 1
        self.summary.errors.append(f"{path}: {problem}")
        log.warning("skipped %s: %s", path, problem)
        with self.store.transaction():
            self.store.record_file(self.name, origin, size, mtime_ns, error=problem)
