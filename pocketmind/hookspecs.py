"""The whole extension surface of pocketmind.

Plugins are modules (or packages exposing an entry point in the group
``pocketmind``) that implement some of these hooks with ``@hookimpl``. Hooks
that contribute things receive a ``register`` callback; hooks that observe
receive events. Built-ins use exactly these hooks (``pocketmind.builtin_plugins``).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("pocketmind")
hookimpl = pluggy.HookimplMarker("pocketmind")


@hookspec
def register_indexers(register):
    """Contribute indexers: ``register(indexer)`` with an object following
    :class:`pocketmind.indexers.base.Indexer`. An indexer with a new
    ``source_kind`` adds a new kind of source to ``pocketmind add``."""


@hookspec
def register_embedders(register):
    """Contribute embedders: ``register(name, factory)`` where ``factory()``
    returns an object with ``name``, ``dimension`` and ``encode(texts)`` returning
    a float32 array of shape (len(texts), dimension) with L2-normalised rows, and
    optionally ``unload()`` (the daemon releases idle models)."""


@hookspec
def register_answerers(register):
    """Contribute answerers: ``register(name, factory)`` where ``factory(settings, paths)``
    (the engine's :class:`~pocketmind.settings.Settings` and :class:`~pocketmind.paths.Paths`)
    returns an object with ``answer(question, contexts, on_token=None, cancel=None)`` returning
    a :class:`pocketmind.Answer`, and optionally ``count_tokens(text)`` and ``unload()``; or one
    whose ``generates`` is False (no ``answer``): the best quoted span answers instead (the
    built-in "extractive")."""


@hookspec
def caption_photo(path, metadata):
    """Return a caption for a photo that has none (e.g. from a local vision
    model), or None. Asked while a photo file is (re)parsed, only for photos
    whose metadata says ``has_caption`` is False; the caption is put before the
    photo's text (its title is unchanged). The first non-None result wins. An
    exception is reported as that file's error. Must not use the network."""
    # firstresult is set below


caption_photo = hookspec(firstresult=True)(caption_photo)


@hookspec
def prepare_connection(conn):
    """Called with every new database connection (an ``apsw.Connection``), e.g.
    to register SQL functions."""


@hookspec
def documents_changed(changes):
    """Observe index changes: ``changes`` is a dict with ``source`` and lists of
    ``added``, ``updated`` and ``deleted`` document ids, after each commit;
    ``deleted`` is ``["*"]`` when a whole source is forgotten."""
