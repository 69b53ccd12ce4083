"""The engine: one object behind the CLI, the TUI, the daemon and plugins.

Opened from settings; thread-safe (one write lock, one database connection
per thread); models are loaded on first use and released by :meth:`close`
or :meth:`release_models`.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from . import keys
from . import settings as settings_mod
from .errors import DatabaseDamaged, EncryptionError, SourceError, WrongKeyError
from .indexing import IndexSummary, SourceRun
from .overlaps import clash, duplicate_groups, nested_pairs, overlap_warnings, resolved
from .paths import Paths, resolve_paths
from .permissions import create_private_file, private_umask
from .plugins import Plugins
from .results import Answer, Result, wall_seconds
from .settings import Settings
from .store import Filters, Store, is_encrypted
from .indexing.multilingual import HAS_CJK_CHUNKS
from .text import has_cjk

log = logging.getLogger(__name__)

_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Engine:
    """Open with ``Engine()`` (or ``Engine(home=...)``); close with ``close()`` or ``with``.

    An encrypted database is opened with ``key``, else the key :func:`pocketmind.keys.find`
    finds (environment, keyring), else what ``ask_key`` (a passphrase prompt) returns."""

    def __init__(self, home: str | Path | None = None, *, settings: Settings | None = None,
                 plugins: Sequence[Any] = (), load_entry_points: bool = True,
                 now: Callable[[], datetime] | None = None, key: str | None = None,
                 ask_key: Callable[[], str] | None = None):
        self.paths: Paths = resolve_paths(home)
        with private_umask():
            self.paths.create()
            # SQLite gives the -wal and -shm files the database file's mode: create it private first.
            create_private_file(self.paths.database)
            self.settings = settings or settings_mod.load(self.paths.config_file)
            self.plugins = Plugins(list(plugins), load_entry_points=load_entry_points, paths=self.settings.plugins.paths)
            self.now = now or (lambda: datetime.now(timezone.utc).astimezone())
            self.write_lock = threading.RLock()
            self.key = self._find_key(key, ask_key)
            try:
                self.store = Store(self.paths.database, key=self.key.value if self.key else None,
                                   on_connect=lambda conn: self.plugins.hook.prepare_connection(conn=conn))
            except WrongKeyError as exc:
                raise WrongKeyError(f"{exc} (the key came from {self.key.origin})") from None
        # Folders and files other users can open (made by an older version, or by hand): the faces show these.
        self.warnings: list[str] = self.paths.loose()
        for line in self.warnings:
            log.warning(line)
        from .search.words import use_cache_dir

        use_cache_dir(self.paths.cache_dir)  # jieba's dictionary cache, built on first Chinese text
        self._embedder = None
        self._stored_embedder = None  # the one that made the store's vectors, when not the configured one
        self._answerer = None
        self._multilingual = None
        self._multilingual_filled = False  # this engine has filled the multilingual vectors of older chunks
        self._registry = None  # PersonRegistry, derived from stored documents; reset when they change
        self._model_lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        # No heap trim here: a full gc.collect() per closed engine cost a long-lived
        # process (the test suite, a plugin host) most of its time, for memory it may reuse.
        self.release_models(give_memory_back=False)
        self.store.close()

    def release_models(self, give_memory_back: bool = True) -> None:
        """Unload the models and give their memory back to the OS (the idle daemon:
        160 -> 100 MB RSS with the onnx-int8 embedder and the bundled LLM, bench/memory.py)."""
        from .heap import give_back

        with self._model_lock:
            models = [m for m in (self._embedder, self._stored_embedder, self._answerer, self._multilingual) if m is not None]
            for model in models:
                unload = getattr(model, "unload", None)
                if unload:
                    unload()
            self._embedder = self._stored_embedder = self._answerer = self._multilingual = None
        if models and give_memory_back:
            give_back()

    @property
    def models_loaded(self) -> bool:
        return any(m is not None for m in (self._embedder, self._stored_embedder, self._answerer, self._multilingual))

    def _find_key(self, given: str | None, ask: Callable[[], str] | None) -> keys.Key | None:
        database = self.paths.database
        if is_encrypted(database):
            key = keys.Key(given, "the caller") if given else keys.find(database, ask)
            if key is None:
                raise EncryptionError(keys.NEEDS_KEY.format(path=database))
            return key
        if not database.exists() or database.stat().st_size == 0:
            # A new store starts encrypted when a key is set; a plain one stays plain until `encrypt`.
            return keys.Key(given, "the caller") if given else keys.from_environment()
        return None

    def change_key(self, new_key: str | None) -> None:
        """Encrypt the database with ``new_key``, change its key, or (``None``) decrypt it.

        The file is rewritten and swapped in whole; refused while anything else has it open."""
        with self.write_lock:
            self.store.change_key(new_key)
            self.key = keys.Key(new_key, "the caller") if new_key else None

    def save_settings(self) -> None:
        with private_umask():
            settings_mod.save(self.settings, self.paths.config_file)

    # -- models -----------------------------------------------------------------

    @property
    def embedder(self):
        """The configured embedder: what indexing and `reembed` move the store to."""
        with self._model_lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.plugins, self.settings, self.paths)
            return self._embedder

    @property
    def multilingual_embedder(self):
        """The multilingual USE behind the second vector list (pure numpy, loads in ~1 s)."""
        from .embeddings import MultilingualUSEEmbedder

        with self._model_lock:
            if self._multilingual is None:
                # One BLAS thread: with the cores busy (indexing, MiniLM) two threads
                # spin-wait; measured under load: a query 605 -> 66 ms, 21 -> 120 memos/s.
                self._multilingual = MultilingualUSEEmbedder(threads=1)
            return self._multilingual

    def fill_multilingual_vectors(self) -> int:
        """Give every chunk without one its multilingual vector (resumable: each batch
        commits); returns how many were filled. Index runs call it after each batch."""
        from .indexing.multilingual import fill_missing_multilingual_vectors

        filled = fill_missing_multilingual_vectors(self.store, self.multilingual_embedder, lock=self.write_lock)
        self._multilingual_filled = True
        return filled

    @property
    def vectors_embedder(self):
        """The embedder that made the store's vectors, which must encode queries against
        them: the configured one, or (until `reembed` moves the store) the one recorded."""
        from .embeddings import identity, recorded_identity

        configured = self.embedder
        recorded = recorded_identity(self.store.get_meta("embedder"))
        if recorded is None or recorded == identity(configured):
            return configured
        with self._model_lock:
            if self._stored_embedder is None or identity(self._stored_embedder) != recorded:
                self._stored_embedder = self._embedder_for(recorded, configured)
            return self._stored_embedder

    def _embedder_for(self, recorded: str, configured):
        from .embeddings import identity, split_identity, with_backend
        from .errors import ConfigError, ModelError

        name, backend = split_identity(recorded)
        try:
            embedder = with_backend(self.plugins.make_embedder(name), backend, self.paths.cache_dir)
        except ConfigError as exc:
            raise ModelError(f"this store's vectors were made by {recorded}, which is not available ({exc}); "
                             f"`pocketmind reembed` moves them to {identity(configured)}") from None
        if hasattr(embedder, "batch_size"):
            embedder.batch_size = self.settings.index.batch_size
        return embedder

    @property
    def answerer(self):
        with self._model_lock:
            if self._answerer is None:
                self._answerer = self.plugins.make_answerer(self.settings.models.answerer, self.settings, self.paths)
            return self._answerer

    def ensure_vector_table(self, progress: Callable[[int, int], None] | None = None,
                            should_stop: Callable[[], bool] | None = None) -> None:
        """Create the vector tables for the configured embedder, or move the store's
        vectors to it after a switch (resumably, see :meth:`reembed`)."""
        from .embeddings import identity, recorded_identity

        embedder = self.embedder
        recorded = recorded_identity(self.store.get_meta("embedder"))
        dimension = self.store.vector_dimension()
        if recorded == identity(embedder) and dimension == embedder.dimension:
            return
        with self.write_lock:
            if dimension is None and not self.store.counts()["chunks"]:  # a new store: nothing to move
                with self.store.transaction():
                    self.store.create_vector_table(embedder.dimension)
                    self.store.set_meta("embedder", identity(embedder))
                return
            self.reembed(progress=progress, should_stop=should_stop)

    def reembed(self, embedder=None, progress: Callable[[int, int], None] | None = None,
                should_stop: Callable[[], bool] | None = None):
        """Move every stored chunk's vector to ``embedder`` (default: the configured one);
        nothing is re-parsed. Committed in batches while searches keep the old vectors,
        continued by the next call after an interruption, swapped in one transaction at
        the end. Returns a :class:`pocketmind.indexing.reembed.ReembedSummary`."""
        from .indexing.reembed import reembed

        summary = reembed(self, embedder or self.embedder, progress=progress, should_stop=should_stop,
                          batch=self.settings.index.batch_size)
        with self._model_lock:
            self._stored_embedder = None  # made for the old record; the next query reads the new one
        return summary

    # -- sources ----------------------------------------------------------------

    def add_source(self, kind: str, path: str | Path, name: str | None = None, options: dict | None = None) -> dict[str, Any]:
        kinds = self.plugins.source_kinds()
        if kind not in kinds:
            raise SourceError(f"unknown source kind {kind!r}; available: {', '.join(kinds)}")
        folder = resolved(path)
        if not folder.exists():
            raise SourceError(f"{path}: no such file or folder")
        with self.write_lock:
            existing = self.store.sources()
            name = name or _default_name(folder, {s["name"] for s in existing})
            if not _NAME_OK.match(name):
                raise SourceError(f"invalid source name {name!r}: use letters, digits, '-', '_' or '.'")
            problem = clash(kind, folder, existing)
            if problem:
                raise SourceError(problem)
            self.store.add_source(name, kind, str(folder), options)
        return self.store.source(name)

    def sources(self) -> list[dict[str, Any]]:
        return self.store.sources()

    def source_overlaps(self) -> dict[str, Any]:
        """Sources of one kind over the same or nested folders (a store from before they were refused):
        ``duplicates`` (groups of names), ``nested`` ((inner, outer) pairs) and ``warnings`` (one line each)."""
        sources = self.store.sources()
        return {"duplicates": duplicate_groups(sources), "nested": nested_pairs(sources), "warnings": overlap_warnings(sources)}

    def forget(self, name: str) -> int:
        with self.write_lock:
            removed = self.store.remove_source(name)
        self._registry = None
        self.plugins.hook.documents_changed(changes={"source": name, "added": [], "updated": [], "deleted": ["*"]})
        return removed

    # -- indexing -----------------------------------------------------------------

    def index(self, source: str | None = None, progress: Callable[[int, int, str], None] | None = None,
              should_stop: Callable[[], bool] | None = None,
              on_embedded: Callable[[int, int], None] | None = None, keep_models: bool = False) -> list[IndexSummary]:
        """Bring one source (or all) up to date; returns a summary per source.

        ``progress(files done, files, path)`` follows the files, ``on_embedded(chunks
        embedded, chunks to embed)`` each batch's embedding. ``should_stop`` (the
        daemon's stop request) ends the run after the current batch is committed,
        raising :class:`pocketmind.indexing.Stopped`. ``keep_models``: the daemon, which
        indexes again soon and lets its models go when idle, keeps the multilingual model."""
        targets = [self.store.source(source)] if source else self.store.sources()
        summaries = []
        try:
            with self.write_lock:
                if self.store.vector_dimension() is not None or self.store.counts()["chunks"]:
                    self.ensure_vector_table(progress=on_embedded, should_stop=should_stop)
                for src in targets:
                    summaries.append(SourceRun(self, src, progress, should_stop, on_embedded).run())
        finally:
            self._registry = None
            if not keep_models:
                self._release_multilingual_unless_needed()
        return summaries

    def apply_changes(self, source: str, paths: list[Path], should_stop: Callable[[], bool] | None = None) -> IndexSummary:
        """Index just these changed paths of one source (what the daemon's watcher saw)."""
        try:
            with self.write_lock:
                return SourceRun(self, self.store.source(source), should_stop=should_stop).apply(paths)
        finally:
            self._registry = None  # the daemon's small batches keep the model: its idle release lets it go

    def _release_multilingual_unless_needed(self) -> None:
        """After indexing filled the multilingual list: a store with no CJK chunks searches
        it only for a CJK question, so the model (~120 MB, bench/memory.py) is let go;
        such a question loads it again (~1.7 s)."""
        with self._model_lock:
            model = self._multilingual
            if model is None or self.store.get_meta(HAS_CJK_CHUNKS):
                return
            model.unload()
            self._multilingual = None
        from .heap import give_back

        give_back()

    def notify_changed(self, source: str, written: list, files: list, deleted: Sequence[str] = ()) -> None:
        """Tell ``documents_changed`` plugins what a committed batch wrote and removed."""
        added = [p.row["id"] for p in written if p.is_new]
        updated = [p.row["id"] for p in written if not p.is_new]
        deleted = sorted({*deleted, *(doc_id for f in files for doc_id in f.stale)})
        if added or updated or deleted:
            self.plugins.hook.documents_changed(changes={"source": source, "added": added, "updated": updated, "deleted": deleted})

    # -- search and answers -------------------------------------------------------------

    def search(self, query: str, *, k: int | None = None, kinds: Sequence[str] = (), sources: Sequence[str] = (),
               since: datetime | None = None, until: datetime | None = None, person: str | Sequence[str] | None = None,
               chat_with: str | Sequence[str] | None = None, understand: bool = True, reading=None, depth: int | None = None) -> list[Result]:
        """Hybrid search. With ``understand`` the question's time phrase becomes a
        date filter (unless ``since``/``until`` are given) and the people, places
        and kinds it names are preferred (see :mod:`pocketmind.search.question`);
        ``reading`` passes a reading of the question already made (see
        :meth:`read_question`); ``depth`` returns more than ``k`` results without
        changing how the first ``k`` rank. ``person`` keeps what a person wrote
        (messages) or where they appear (photos, events, contacts); ``chat_with``
        keeps whole conversations they are in, everyone's messages."""
        from .search.question import latest_turn, reads_as_question
        from .search.retrieval import Boost, Weights, hybrid_search

        query = query.strip()
        if not query:
            return []
        people, partners = self._spellings(person), self._spellings(chat_with)
        boost = Boost()
        mentioned = None
        if understand:
            reading = reading or self.read_question(query)
            if (reading.since is not None or reading.until is not None) and reads_as_question(query):
                if since is None and until is None:
                    since, until = reading.since, reading.until
                    mentioned = (wall_seconds(since) if since else None, wall_seconds(until) if until else None)
                query = reading.text
            named = [alias for name in reading.people for alias in self.people.aliases(name)]
            speaker = [alias for name in reading.people[:1] for alias in self.people.aliases(name)]
            chosen = people or partners  # the caller already chose whom: no preference from the question
            boost = Boost(people=[] if chosen else named, speaker=[] if chosen else speaker,
                          places=reading.places, kinds=[] if kinds else reading.kinds)
        filters = Filters(tuple(kinds), tuple(sources), wall_seconds(since) if since else None,
                          wall_seconds(until) if until else None, tuple(people), tuple(partners))
        weights = Weights()
        multilingual_vector = latest_turn_vector = None
        encoder = self.vectors_embedder  # queries are encoded by what made the store's vectors
        if not getattr(encoder, "multilingual", False):
            if not self._multilingual_filled:
                self.fill_multilingual_vectors()  # a store indexed before the list existed
            if has_cjk(query):
                # An English-only embedder reads a CJK query as noise: trust full text
                # and the multilingual list, and don't pass noise on to replies.
                weights.vector, weights.multilingual, weights.reply = 0.0, 1.0, 0.0
            if weights.multilingual or self.store.get_meta(HAS_CJK_CHUNKS):
                turn = latest_turn(query)  # a conversation: its latest turn is searched beside the whole
                multilingual_vector, *rest = self.multilingual_embedder.encode([query] + ([turn] if turn else []))
                latest_turn_vector = rest[0] if rest else None
        vector = None
        if self.store.vector_dimension() is not None and weights.vector:
            vector = encoder.encode([query])[0]  # not worth ~0.3 s of MiniLM on a long Chinese query
        results = hybrid_search(self.store, vector, query, k or self.settings.search.results, filters,
                                candidates=self.settings.search.candidates, weights=weights, boost=boost,
                                mentioned=mentioned, depth=depth, multilingual_vector=multilingual_vector,
                                latest_turn_vector=latest_turn_vector)
        for result in results:  # show people by their contact names, keep the handle
            if result.author:
                name = self.people.display_name(result.author)
                if name != result.author:
                    result.metadata = {**result.metadata, "handle": result.author}
                    result.author = name
            result.people = list(dict.fromkeys(self.people.display_name(p) for p in result.people))
        return results

    def _spellings(self, names: str | Sequence[str] | None) -> list[str]:
        """Every stored spelling of the people ``names`` names (aliases, handles, nicknames)."""
        names = [names] if isinstance(names, str) else list(names or [])
        return [alias for name in names for alias in self.people.aliases(name)]

    @property
    def people(self):
        """The person registry (contacts tie chat names, numbers and e-mails together)."""
        from .search.people import PersonRegistry

        registry = self._registry
        if registry is None:
            registry = PersonRegistry.build(self.store.documents_of_kind("contact"), self.store.known_people())
            self._registry = registry
        return registry

    def read_question(self, question: str):
        """How the engine reads a question (time window, people, places, kinds, whether
        it asks for a date); an event it is anchored on is looked up in the calendar."""
        from .search.question import calendar_anchor, plan

        return plan(question, self.now(), self.people.names(), find_anchor=lambda text: calendar_anchor(self.store, text))

    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
            on_passages: Callable[[list, list[Result]], None] | None = None, **filters: Any) -> Answer:
        """Answer ``question`` with citations: one reading of the question, one search,
        then the answer pipeline (:mod:`pocketmind.answer`), streamed to ``on_token``;
        ``on_passages`` gets (quotes, passages) before a model starts reading them."""
        from .answer import ABSTAIN_DEPTH, AskOptions, answer_question

        reading = self.read_question(question)
        shown = self.settings.search.results
        results = self.search(question, k=shown, reading=reading, depth=max(shown, ABSTAIN_DEPTH), **filters)
        options = AskOptions(shown=shown, budget=self.settings.search.context_tokens, person_filter=bool(filters.get("person") or filters.get("chat_with")))
        return answer_question(question, reading, results, store=self.store, people=self.people, answerer=self.answerer,
                               options=options, encode=lambda texts: self.vectors_embedder.encode(texts),
                               on_token=on_token, cancel=cancel, on_passages=on_passages)

    def document(self, ref: str) -> dict[str, Any] | None:
        """The whole stored document a result cites, by its id or its uri (with or without
        the ``#L12`` line a result's link may carry); None when there is none."""
        found = self.store.documents([ref]).get(ref)
        if found is None:
            ids = self.store.ids_with_uri(ref) or self.store.ids_with_uri(ref.split("#", 1)[0])
            found = self.store.documents(ids[:1]).get(ids[0]) if ids else None
        return found

    # -- status -----------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Counts, sources and recent errors, with the quick database check (see
        :mod:`pocketmind.doctor`); a damaged file still gets its check reported."""
        from .doctor import check

        checkup = check(self.paths.database, full=False, key=self.key.value if self.key else None).to_json()
        try:
            return {**self._status_counts(), "check": checkup}
        except DatabaseDamaged:
            return {"home": self._home(), "database": str(self.paths.database), "check": checkup}

    def _home(self) -> str:
        return str(self.paths.data_dir.parent) if self.paths.data_dir.name == "data" else str(self.paths.data_dir)

    def _status_counts(self) -> dict[str, Any]:
        counts = self.store.counts()
        return {
            "home": self._home(),
            "database": str(self.paths.database),
            "database_bytes": self.paths.database.stat().st_size if self.paths.database.exists() else 0,
            "encrypted": self.store.encrypted,
            **self.embedder_status(),
            "vector_dimension": self.store.vector_dimension(),
            "sources": [{k: s[k] for k in ("name", "kind", "path", "documents", "errors", "last_indexed_at")} for s in self.store.sources()],
            **counts,
            "recent_errors": self.store.recent_errors(),
        }


    def embedder_status(self) -> dict[str, Any]:
        """Which embedder made the vectors, which one is configured, and a move in progress."""
        from .embeddings import identity, recorded_identity

        configured = identity(self.embedder)
        staging = self.store.reembed_target()
        return {"embedder": recorded_identity(self.store.get_meta("embedder")) or configured,
                "configured_embedder": configured,
                "reembed_in_progress": {"embedder": staging[0], "staged": len(self.store.staged_vectors())} if staging else None}


def make_embedder(plugins: Plugins, settings: Settings, paths: Paths):
    """The configured embedder on its configured backend (also used by `doctor`,
    which re-embeds before any engine can open the damaged file)."""
    from .embeddings import with_backend

    embedder = plugins.make_embedder(settings.models.embedder)
    if hasattr(embedder, "batch_size"):
        embedder.batch_size = settings.index.batch_size
    return with_backend(embedder, settings.models.embedding_backend, paths.cache_dir)


def _default_name(folder: Path, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.stem if folder.is_file() else folder.name).strip("-.") or "source"
    name, n = base[:60], 2
    while name in taken:
        name, n = f"{base[:56]}-{n}", n + 1
    return name
