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

from . import settings as settings_mod
from .chunking import embedding_text, message_context
from .errors import ConfigError, SourceError
from .indexing import IndexSummary, SourceRun
from .paths import Paths, resolve_paths
from .plugins import Plugins
from .results import Answer, Result
from .retrieval import hybrid_search
from .settings import Settings

log = logging.getLogger(__name__)

# A question about one person is "not mentioned" when their best passage scores
# below this share of the best passage by someone else (see _said_by_someone_else).
SAID_BY_OTHERS_RATIO = 0.7
# Someone speaking about themselves, not to the person the question names.
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|my|me|mine|we|we're|we've|our|us)\b|[我咱]", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|yours)\b|[你您]", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Engine:
    """Open with ``Engine()`` (or ``Engine(home=...)``); close with ``close()`` or ``with``."""

    def __init__(self, home: str | Path | None = None, *, settings: Settings | None = None,
                 plugins: Sequence[Any] = (), load_entry_points: bool = True,
                 now: Callable[[], datetime] | None = None):
        from pocketmind.store import Store  # the store loads sqlite-vec; import here keeps `import pocketmind` light

        self.paths: Paths = resolve_paths(home)
        self.paths.create()
        self.settings = settings or settings_mod.load(self.paths.config_file)
        self.plugins = Plugins(list(plugins), load_entry_points=load_entry_points)
        self.now = now or (lambda: datetime.now(timezone.utc).astimezone())
        self.write_lock = threading.RLock()
        self.store = Store(self.paths.database, on_connect=lambda conn: self.plugins.hook.prepare_connection(conn=conn))
        self._embedder = None
        self._answerer = None
        self._registry = None  # PersonRegistry, derived from stored documents; reset when they change
        self._model_lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.release_models()
        self.store.close()

    def release_models(self) -> None:
        with self._model_lock:
            for model in (self._embedder, self._answerer):
                unload = getattr(model, "unload", None)
                if unload:
                    unload()
            self._embedder = self._answerer = None

    def save_settings(self) -> None:
        settings_mod.save(self.settings, self.paths.config_file)

    # -- models -----------------------------------------------------------------

    @property
    def embedder(self):
        with self._model_lock:
            if self._embedder is None:
                from .embeddings import with_backend

                embedder = self.plugins.make_embedder(self.settings.models.embedder)
                self._embedder = with_backend(embedder, self.settings.models.embedding_backend, self.paths.cache_dir)
            return self._embedder

    @property
    def answerer(self):
        with self._model_lock:
            if self._answerer is None:
                self._answerer = self.plugins.make_answerer(self.settings.models.answerer, self)
            return self._answerer

    def ensure_vector_table(self) -> None:
        """Create the vector table for the configured embedder, or re-embed on a switch."""
        embedder = self.embedder
        recorded = self.store.get_meta("embedder")
        if recorded == embedder.name and self.store.vector_dimension() == embedder.dimension:
            return
        with self.write_lock, self.store.transaction():
            self.store.create_vector_table(embedder.dimension)
            self.store.set_meta("embedder", embedder.name)
            self._reembed_all()

    def _reembed_all(self) -> int:
        """Embed every stored chunk again (after an embedder switch); no source is re-parsed."""
        import hashlib

        from .indexing import embed_with_context

        rows = self.stored_embedding_inputs()
        batch = 256
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            vectors = embed_with_context(self.embedder, [(r[4], r[5]) for r in part])
            self.store.insert_vectors((cid, kind, src, when, v) for (cid, kind, src, when, _, _), v in zip(part, vectors))
            self.store.set_chunk_hashes((hashlib.sha256(r[4].encode()).hexdigest(), r[0]) for r in part)
        return len(rows)

    def stored_embedding_inputs(self) -> list[tuple[int, str, str, int | None, str, str | None]]:
        """(chunk id, kind, source, time, text to embed, own text of a short reply or None)
        for every stored chunk, rebuilt from stored fields exactly as indexing builds them."""
        rows = self.store.conn.execute(
            "SELECT c.id, d.kind, d.source, d.occurred_at, d.occurred_local, d.title, d.author, c.heading, c.text,"
            " CASE WHEN d.kind = 'message' THEN LAG(d.author) OVER w END,"
            " CASE WHEN d.kind = 'message' THEN LAG(d.text) OVER w END"
            " FROM chunks c JOIN documents d ON d.rowid = c.doc"
            " WINDOW w AS (PARTITION BY d.source, d.kind, d.conversation ORDER BY d.occurred_at, d.rowid)"
            " ORDER BY c.id"
        )
        out = []
        for cid, kind, src, when, local, title, author, heading, text, prev_author, prev_text in rows:
            moment = datetime.fromisoformat(local) if local else None
            context = message_context(prev_author, prev_text, text) if kind == "message" else ""
            extra = self.annotations_for(text, moment)
            own = embedding_text(kind, title, author, heading, text, extra) if context else None
            out.append((cid, kind, src, when, embedding_text(kind, title, author, heading, text, extra, context), own))
        return out

    def time_mentions(self, text: str, moment: datetime | None) -> list:
        """Time expressions in ``text`` resolved against the document's own time."""
        if moment is None or not text:
            return []
        from .timeexpr import resolve_mentions

        return resolve_mentions(text, moment)

    def annotations_for(self, text: str, moment: datetime | None) -> str:
        """Resolved dates of relative time expressions in ``text`` (searchable, embedded)."""
        return " ".join(f"[{m.phrase}: {m.annotation}]" for m in self.time_mentions(text, moment))

    # -- sources ----------------------------------------------------------------

    def add_source(self, kind: str, path: str | Path, name: str | None = None, options: dict | None = None) -> dict[str, Any]:
        kinds = self.plugins.source_kinds()
        if kind not in kinds:
            raise SourceError(f"unknown source kind {kind!r}; available: {', '.join(kinds)}")
        folder = Path(path).expanduser().resolve()
        if not folder.exists():
            raise SourceError(f"{path}: no such file or folder")
        name = name or _default_name(folder, {s["name"] for s in self.store.sources()})
        if not _NAME_OK.match(name):
            raise SourceError(f"invalid source name {name!r}: use letters, digits, '-', '_' or '.'")
        with self.write_lock:
            self.store.add_source(name, kind, str(folder), options)
        return self.store.source(name)

    def sources(self) -> list[dict[str, Any]]:
        return self.store.sources()

    def forget(self, name: str) -> int:
        with self.write_lock:
            removed = self.store.remove_source(name)
        self._registry = None
        self.plugins.hook.documents_changed(changes={"source": name, "added": [], "updated": [], "deleted": ["*"]})
        return removed

    # -- indexing -----------------------------------------------------------------

    def index(self, source: str | None = None, progress: Callable[[int, int, str], None] | None = None) -> list[IndexSummary]:
        """Bring one source (or all) up to date; returns a summary per source."""
        targets = [self.store.source(source)] if source else self.store.sources()
        summaries = []
        with self.write_lock:
            if self.store.vector_dimension() is not None or self.store.counts()["chunks"]:
                self.ensure_vector_table()
            for src in targets:
                summaries.append(SourceRun(self, src, progress).run())
        self._registry = None
        return summaries

    def notify_changed(self, source: str, written: list, files: list) -> None:
        added = [p.row["id"] for p in written if p.is_new]
        updated = [p.row["id"] for p in written if not p.is_new]
        deleted = sorted({doc_id for f in files for doc_id in f[3]})
        if added or updated or deleted:
            self.plugins.hook.documents_changed(changes={"source": source, "added": added, "updated": updated, "deleted": deleted})

    # -- search and answers -------------------------------------------------------------

    def search(self, query: str, *, k: int | None = None, kinds: Sequence[str] = (), sources: Sequence[str] = (),
               since: datetime | None = None, until: datetime | None = None, person: str | Sequence[str] | None = None,
               understand: bool = True, plan=None) -> list[Result]:
        """Hybrid search. With ``understand`` the question's time phrase becomes a
        date filter (unless ``since``/``until`` are given) and the people, places
        and kinds it names are preferred (see :mod:`pocketmind.query`); ``plan``
        passes a reading of the question already made (see :meth:`plan`)."""
        from pocketmind.store import Filters

        from .results import wall_seconds
        from .retrieval import Boost, Weights

        query = query.strip()
        if not query:
            return []
        asked_for = [person] if isinstance(person, str) else list(person or [])
        people = [alias for name in asked_for for alias in self.people.aliases(name)]
        boost = Boost()
        mentioned = None
        if understand:
            plan = plan or self.plan(query)
            if plan.since is not None or plan.until is not None:
                if since is None and until is None:
                    since, until = plan.since, plan.until
                    mentioned = (wall_seconds(since) if since else None, wall_seconds(until) if until else None)
                query = plan.text
            named = [alias for name in plan.people for alias in self.people.aliases(name)]
            speaker = [alias for name in plan.people[:1] for alias in self.people.aliases(name)]
            boost = Boost(people=[] if people else named, speaker=[] if people else speaker,
                          places=plan.places, kinds=[] if kinds else plan.kinds)
        filters = Filters(tuple(kinds), tuple(sources), wall_seconds(since) if since else None,
                          wall_seconds(until) if until else None, tuple(people))
        vector = None
        if self.store.vector_dimension() is not None:
            self.ensure_vector_table()
            vector = self.embedder.encode([query])[0]
        weights = Weights()
        if _CJK.search(query) and not getattr(self.embedder, "multilingual", False):
            # An English-only embedder is mostly noise on CJK text: trust full text,
            # and don't pass noise on to replies.
            weights.vector, weights.reply = 0.3, 0.0
        results = hybrid_search(self.store, vector, query, k or self.settings.search.results, filters,
                                candidates=self.settings.search.candidates, weights=weights, boost=boost, mentioned=mentioned)
        for result in results:  # show people by their contact names, keep the handle
            if result.author:
                name = self.people.display_name(result.author)
                if name != result.author:
                    result.metadata = {**result.metadata, "handle": result.author}
                    result.author = name
            result.people = list(dict.fromkeys(self.people.display_name(p) for p in result.people))
        return results

    @property
    def people(self):
        """The person registry (contacts tie chat names, numbers and e-mails together)."""
        from .people import PersonRegistry

        registry = self._registry
        if registry is None:
            registry = PersonRegistry.build(self.store.documents_of_kind("contact"), self.store.known_people())
            self._registry = registry
        return registry

    def plan(self, question: str):
        """How the engine reads a question (time window, people, places, kinds)."""
        from .query import plan

        return plan(question, self.now(), self.people.names(), find_anchor=self._find_event)

    def _find_event(self, text: str) -> tuple[datetime, datetime] | None:
        """When the calendar event best matching ``text`` starts and ends (wall clock)."""
        hits = self.search(text, k=1, kinds=["event"], understand=False)
        if not hits or not hits[0].time:
            return None
        start = datetime.fromisoformat(hits[0].time).replace(tzinfo=None)
        doc = self.store.documents([hits[0].id]).get(hits[0].id, {})
        end = datetime.fromtimestamp(doc["ended_at"], timezone.utc).replace(tzinfo=None) if doc.get("ended_at") else start
        return start, end

    def ask(self, question: str, *, on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None,
            **filters: Any) -> Answer:
        from .answer import NOT_FOUND
        from .context import pack_context, relevant, with_conversation_context

        plan = self.plan(question)
        results = relevant(self.search(question, k=self.settings.search.results, plan=plan, **filters))
        if not results:
            if on_token:
                on_token(NOT_FOUND)
            return Answer(question, NOT_FOUND, [], found=False)
        from .grounded import date_answer, event_listing

        best = results[0]
        own_text = self.store.documents([best.id])[best.id]["text"]
        answerer = self.answerer
        results = with_conversation_context(self, results)
        contexts = pack_context(results, answerer, question, self.settings.search.context_tokens)
        if not filters.get("person") and (absent := self._said_by_someone_else(question, plan)):
            text = f"Not mentioned by {absent} in your data; the closest passages are from someone else."
            if on_token:
                on_token(text)
            return Answer(question, text, contexts, found=False)
        listing = event_listing(contexts, plan.since, plan.until, question) if "event" in plan.kinds else None
        dated = None if listing else date_answer(question, best, own_text)
        if listing or dated:  # dates come from the data, not from the model
            text = listing or f"{dated} [1]"
            if on_token:
                on_token(text)
            return Answer(question, text, contexts, True)
        return answerer.answer(question, contexts, on_token=on_token, cancel=cancel)

    def _said_by_someone_else(self, question: str, plan) -> str | None:
        """The person a question is about, when what matches it was said by others.

        "What did Melanie's grandma give her?" when only Caroline spoke of a
        grandma's gift: ranked without any person preference, either the best
        passage by Melanie scores well below the best passage by anyone else, or
        the best passage of all is someone else speaking of themselves ("my
        grandma gave me...") rather than to her. Measured on LoCoMo dev
        (category 5 abstention / false abstention on 1-4): score ratio alone at
        0.8 15% / 6.7%; ratio 0.7 plus the first-person test 27% / 5.5%.
        """
        named = {p.name for p in map(self.people.find, plan.people) if p is not None}
        if len(named) != 1:
            return None
        person = named.pop()
        results = self.search(question, k=20, understand=False)
        best = results[0] if results else None
        if best is None or not best.author or self.people.display_name(best.author) == person:
            return None  # the best passage is theirs, or a note / event that may speak of them
        authored = [(self.people.display_name(r.author), r.score) for r in results if r.author]
        theirs = [score for name, score in authored if name == person]
        others = [score for name, score in authored if name != person]
        if max(theirs, default=0.0) < SAID_BY_OTHERS_RATIO * max(others):
            return person
        if _FIRST_PERSON.search(best.text) and not _SECOND_PERSON.search(best.text):
            return person
        return None

    # -- status -----------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        counts = self.store.counts()
        return {
            "home": str(self.paths.data_dir.parent) if self.paths.data_dir.name == "data" else str(self.paths.data_dir),
            "database": str(self.paths.database),
            "database_bytes": self.paths.database.stat().st_size if self.paths.database.exists() else 0,
            "embedder": self.store.get_meta("embedder") or self.settings.models.embedder,
            "vector_dimension": self.store.vector_dimension(),
            "sources": [{k: s[k] for k in ("name", "kind", "path", "documents", "errors", "last_indexed_at")} for s in self.store.sources()],
            **counts,
            "recent_errors": self.store.recent_errors(),
        }


def _default_name(folder: Path, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", folder.stem if folder.is_file() else folder.name).strip("-.") or "source"
    name, n = base[:60], 2
    while name in taken:
        name, n = f"{base[:56]}-{n}", n + 1
    return name
