"""Which files of a source are user data, what each is called within its source,
and its digest.

One place for these rules: the indexing walk, the daemon's watcher and the
stored file records all use them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterator

from pocketmind.indexers.base import relative_id

# Files and folders that are never user data: OS litter, editor swap files, sync tools.
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".localized", "Icon\r"}
JUNK_PREFIXES = ("~$", ".~lock.", "._", ".#")
JUNK_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".part", ".crdownload", ".download", "~", ".sync-conflict", ".icloud")
JUNK_DIRS = {".git", ".svn", ".hg", ".obsidian", ".trash", ".Trash", ".stfolder", ".stversions", ".dropbox.cache", "__pycache__", "node_modules", "@eaDir"}

def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def is_junk(path: Path) -> bool:
    name = path.name
    return name in JUNK_NAMES or name.startswith(JUNK_PREFIXES) or name.endswith(JUNK_SUFFIXES)


def walk(root: Path) -> Iterator[Path]:
    """Every candidate file under ``root`` in a stable order, junk left out."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in JUNK_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not is_junk(path):
                yield path


def is_ignored(path: Path, root: Path) -> bool:
    """Junk the walk would skip too (for watcher events): OS litter, editor swap files, sync folders."""
    if is_junk(path) or (path.name.startswith("#") and path.name.endswith("#")) or path.name == "4913":
        return True  # emacs autosave; vim's write-permission probe file
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    # the walk skips hidden folders and junk folders; a hidden file under the root is skipped by indexers
    return any(p in JUNK_DIRS or p.startswith(".") for p in parts)


def origin_of(path: Path, root: Path) -> str:
    """A file's name within its source (its "origin"): the same rule indexers use for
    the ids of documents named by their file (:func:`pocketmind.indexers.base.relative_id`)."""
    return relative_id(path, root)
