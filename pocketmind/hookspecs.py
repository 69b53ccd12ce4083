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
    returns an object with ``name``, ``dimension`` and ``encode(texts)``."""


@hookspec
def register_answerers(register):
    """Contribute answerers: ``register(name, factory)`` where
    ``factory(settings)`` returns an object with ``answer(question, contexts, on_token)``."""


@hookspec
def caption_photo(path, metadata):
    """Return a caption for a photo that has none (e.g. from a local vision
    model), or None. The first non-None result wins. Must not use the network."""
    # firstresult is set below


caption_photo = hookspec(firstresult=True)(caption_photo)


@hookspec
def prepare_connection(conn):
    """Called with every new database connection (an ``apsw.Connection``), e.g.
    to register SQL functions."""


@hookspec
def documents_changed(changes):
    """Observe index changes: ``changes`` is a dict with ``source`` and lists of
    ``added``, ``updated`` and ``deleted`` document ids, after each commit."""
