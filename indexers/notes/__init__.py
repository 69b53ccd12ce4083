"""The notes indexers, in the order the engine should ask them.

Each format lives in its own small module:

* :mod:`markdown` - Markdown files and Obsidian vaults
* :mod:`text` - plain ``.txt`` notes
* :mod:`org` - org-mode files
* :mod:`enex` - Evernote ``.enex`` exports (ENML via :mod:`enml`)
* :mod:`keep` - Google Keep Takeout JSON
* :mod:`textbundle` - TextPack and Bear ``.bear2bk`` archives of TextBundles
* :mod:`tomboy` - Tomboy/Gnote ``.note`` XML
* :mod:`siyuan` - SiYuan ``.sy`` JSON block trees

Property lines and the note's own time are shared in :mod:`properties`.

Not handled (binary or app-specific containers): Apple Notes protobuf blobs,
Apple Journal HTML, Notion/Roam exports, OneNote ``.one`` and Emacs
diary files.
"""

from __future__ import annotations

from pocketmind.indexers.notes.enex import EnexNoteIndexer
from pocketmind.indexers.notes.keep import KeepNoteIndexer
from pocketmind.indexers.notes.markdown import MarkdownNoteIndexer
from pocketmind.indexers.notes.org import OrgNoteIndexer
from pocketmind.indexers.notes.siyuan import SiYuanNoteIndexer
from pocketmind.indexers.notes.text import TextNoteIndexer
from pocketmind.indexers.notes.textbundle import TextBundleNoteIndexer
from pocketmind.indexers.notes.tomboy import TomboyNoteIndexer

__all__ = [
    "EnexNoteIndexer",
    "KeepNoteIndexer",
    "MarkdownNoteIndexer",
    "OrgNoteIndexer",
    "SiYuanNoteIndexer",
    "TextBundleNoteIndexer",
    "TextNoteIndexer",
    "TomboyNoteIndexer",
    "note_indexers",
]


def note_indexers() -> list:
    """Fresh instances of every notes indexer; their accepts() never overlap."""
    return [
        MarkdownNoteIndexer(),
        OrgNoteIndexer(),
        EnexNoteIndexer(),
        KeepNoteIndexer(),
        TextBundleNoteIndexer(),
        TomboyNoteIndexer(),
        SiYuanNoteIndexer(),
        TextNoteIndexer(),
    ]
