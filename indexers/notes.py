"""The notes indexers, in the order the engine should ask them.

Each format lives in its own small module:

* :mod:`notes_markdown` - Markdown files and Obsidian vaults
* :mod:`notes_text` - plain ``.txt`` notes
* :mod:`notes_org` - org-mode files
* :mod:`notes_enex` - Evernote ``.enex`` exports (ENML via :mod:`notes_enml`)
* :mod:`notes_keep` - Google Keep Takeout JSON
* :mod:`notes_textbundle` - TextPack and Bear ``.bear2bk`` archives of TextBundles
* :mod:`notes_tomboy` - Tomboy/Gnote ``.note`` XML

Not handled (binary or app-specific containers): Apple Notes protobuf blobs,
Apple Journal HTML, Notion/SiYuan/Roam exports, OneNote ``.one`` and Emacs
diary files.
"""

from __future__ import annotations

from pocketmind.indexers.notes_enex import EnexNoteIndexer
from pocketmind.indexers.notes_keep import KeepNoteIndexer
from pocketmind.indexers.notes_markdown import MarkdownNoteIndexer
from pocketmind.indexers.notes_org import OrgNoteIndexer
from pocketmind.indexers.notes_text import TextNoteIndexer
from pocketmind.indexers.notes_textbundle import TextBundleNoteIndexer
from pocketmind.indexers.notes_tomboy import TomboyNoteIndexer

__all__ = [
    "EnexNoteIndexer",
    "KeepNoteIndexer",
    "MarkdownNoteIndexer",
    "OrgNoteIndexer",
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
        TextNoteIndexer(),
    ]
