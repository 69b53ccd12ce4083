"""The indexer protocol: how a file format becomes documents.

An indexer belongs to a *source kind* (``notes``, ``messages``, ``photos``,
``calendar``, ``contacts`` or one a plugin adds). A source of that kind is a
folder (or one file); the engine walks it and gives each file to the first
indexer of the kind whose :meth:`Indexer.accepts` says yes.

Indexers never touch the store or the models. A file that cannot be read
raises :class:`pocketmind.errors.ParseError`; the engine reports it, skips the
file and goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol, runtime_checkable

from pocketmind.documents import Document


@runtime_checkable
class Indexer(Protocol):
    #: the source kind this indexer serves, e.g. "messages"
    source_kind: str
    #: a short unique name for listings, e.g. "whatsapp"
    name: str
    # Optional: ``streams_input = True`` says the indexer reads its files in bounded
    # pieces (streamed XML, image blocks), so ``index.max_text_mb`` does not apply to them.
    # Optional: ``uses_recurrence_window = True`` says what it yields depends on the run's
    # ``pocketmind.inputs.limits().recurrence_until`` (repeating events), so a run parses its
    # files again, bytes unchanged, once time has moved that window.

    def accepts(self, path: Path) -> bool:
        """Cheap check (suffix, a few bytes) whether ``path`` is this format."""
        ...

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        """Yield the documents in ``path``; ``root`` is the source folder.

        ``native_id`` must be stable across runs and unique within the source.
        """
        ...

    # Optional: ``reads_beside(path) -> bool`` says a file no indexer accepts is read
    # with another one (a photo's .xmp sidecar), so runs do not report it as unsupported.


def relative_id(path: Path, root: Path) -> str:
    """A path's id within its source: POSIX-style and relative to the root."""
    if root.is_file():
        return path.name
    return path.relative_to(root).as_posix()
