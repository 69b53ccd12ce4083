"""Re-embedding every stored chunk with another embedder, resumably.

Vectors are staged in batches, each committed on its own (see
:mod:`pocketmind.store.reembed`): searches keep the old vectors until the
last step swaps the new ones in, in one transaction. A run that is stopped
or killed loses at most the batch it was embedding; the next run skips
every chunk whose text was staged already. Nothing is re-parsed: the texts
are rebuilt from stored fields exactly as indexing builds them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from pocketmind.embeddings import identity

from .rows import embed_with_context, stored_embedding_inputs
from .runs import Stopped

BATCH = 64  # chunks per committed batch (index.batch_size): a kill loses at most this much work


@dataclass
class ReembedSummary:
    embedder: str  # the identity the store's vectors have now
    chunks: int  # chunks in the store
    embedded: int  # embedded by this run (the rest were staged by an earlier run, or reused)


def reembed(engine, embedder, progress: Callable[[int, int], None] | None = None,
            should_stop: Callable[[], bool] | None = None, batch: int = BATCH) -> ReembedSummary:
    """Move the store's vectors to ``embedder``. ``progress(chunks staged, chunks)`` follows
    the batches; ``should_stop`` ends the run after a committed batch (raises :class:`Stopped`)."""
    store, target = engine.store, identity(embedder)
    with engine.write_lock, store.transaction():
        store.begin_reembed(target, embedder.dimension)
    todo, total = _unstaged(store)
    embedded = 0
    if progress:
        progress(total - len(todo), total)
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        vectors = embed_with_context(embedder, [(text, own) for _, _, text, own in part])
        with engine.write_lock, store.transaction():
            store.stage_vectors((cid, digest, vector) for (cid, digest, _, _), vector in zip(part, vectors))
        embedded += len(part)
        if progress:
            progress(total - len(todo) + embedded, total)
        if should_stop and should_stop() and start + batch < len(todo):
            raise Stopped()
    with engine.write_lock, store.transaction():
        # Chunks indexed (with the old embedder) while this ran are embedded now, inside the swap.
        late, total = _unstaged(store)
        if late:
            vectors = embed_with_context(embedder, [(text, own) for _, _, text, own in late])
            store.stage_vectors((cid, digest, vector) for (cid, digest, _, _), vector in zip(late, vectors))
            embedded += len(late)
        store.swap_staged_vectors(target, embedder.dimension)
    return ReembedSummary(target, total, embedded)


def _unstaged(store) -> tuple[list[tuple[int, str, str, str | None]], int]:
    """(chunk id, text hash, text, own text) of every chunk without a staged vector of its
    current text, and the number of chunks."""
    staged = store.staged_vectors()
    rows = stored_embedding_inputs(store)
    todo = []
    for cid, _kind, _source, _when, text, own in rows:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if staged.get(cid) != digest:
            todo.append((cid, digest, text, own))
    return todo, len(rows)
