"""Fill the multilingual vector list (``chunk_vectors_multilingual``) for chunks that lack it.

Called after each index flush (new chunks), on the first search of a store
indexed before the list existed, and by anything that rewrites vectors. Each
batch commits on its own, so an interrupted fill resumes where it stopped.
"""

from __future__ import annotations

from typing import Callable

from pocketmind.search.retrieval import mostly_cjk

FILL_BATCH = 512
# Meta key set once a chunk mostly in CJK has been filled: an English question then
# searches the multilingual list too (for those passages); a store without one skips it.
HAS_CJK_CHUNKS = "multilingual_has_cjk"


def fill_missing_multilingual_vectors(store, embedder, *, lock=None, batch: int = FILL_BATCH,
                                      on_progress: Callable[[int], None] | None = None) -> int:
    """Embed every chunk with no multilingual vector yet with ``embedder`` (the
    multilingual USE); returns how many were filled. ``lock`` (the engine's write
    lock) is held per batch only, so searches and other writers interleave."""
    filled = 0
    while True:
        rows = store.chunks_without_multilingual(batch)
        if not rows:
            return filled
        vectors = embedder.encode([text for *_, text in rows])
        with lock if lock is not None else _nothing():
            with store.transaction():
                store.insert_multilingual((cid, kind, source, when, vector)
                                          for (cid, kind, source, when, _), vector in zip(rows, vectors))
                if any(mostly_cjk(text) for *_, text in rows) and not store.get_meta(HAS_CJK_CHUNKS):
                    store.set_meta(HAS_CJK_CHUNKS, "1")
        filled += len(rows)
        if on_progress:
            on_progress(filled)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
