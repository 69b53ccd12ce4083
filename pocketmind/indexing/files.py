"""Which files of a source are user data, what each is called within its source,
and its digest.

One place for these rules: the indexing walk, the daemon's watcher and the
stored file records all use them.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
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


# Why a walked path is not indexed; the run summary counts skipped files by these.
UNREADABLE = "unreadable"
EMPTY = "empty"
UNSUPPORTED = "unsupported"
WRONG_SHAPE = "wrong shape"
TOO_BIG = "too big"  # over index.max_text_mb
OUTSIDE = "outside the source"
REASONS = (UNREADABLE, EMPTY, TOO_BIG, WRONG_SHAPE, OUTSIDE, UNSUPPORTED)  # the order summaries count them in
NOT_FOLLOWED = "not followed (add the source with --follow-links to follow links)"


@dataclass(frozen=True)
class Entry:
    """A path the walk found: a file to index (``problem`` None, ``stat`` set), or
    something it could not take, with the reason (one of the constants above)."""

    path: Path
    stat: os.stat_result | None = None
    reason: str = ""
    problem: str | None = None


def scan(root: Path, follow_links: bool = False, top: Path | None = None) -> Iterator[Entry]:
    """Every candidate file of the source at ``root`` (or only those under ``top``, a
    path inside it) in a stable order, junk and hidden folders left out.

    A folder that cannot be listed, a broken link, something that is not a
    regular file (a pipe would block a read) and, unless ``follow_links``, a
    link leading outside the source come as entries with a problem, so the run
    reports them instead of silently not seeing them.
    """
    top = root if top is None else top
    real_root = os.path.realpath(root if root.is_dir() else root.parent)
    if not top.is_dir():
        yield _file_entry(top, real_root, follow_links)
        return
    walked = {real_root}  # folders reached through links, so a link loop is walked once
    if top != root and os.path.islink(top):
        walk_it, problem = _linked_folder(str(top), real_root, walked, follow_links)
        if problem:
            yield problem
        if not walk_it:
            return
    unlistable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(top, onerror=unlistable.append, followlinks=follow_links):
        yield from _unlistable(unlistable)
        kept = []
        for name in sorted(dirnames):
            if name in JUNK_DIRS or name.startswith("."):
                continue
            folder = os.path.join(dirpath, name)
            if os.path.islink(folder):
                walk_it, problem = _linked_folder(folder, real_root, walked, follow_links)
                if problem:
                    yield problem
                if not walk_it:
                    continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if not is_junk(path):
                yield _file_entry(path, real_root, follow_links)
    yield from _unlistable(unlistable)


def _linked_folder(folder: str, real_root: str, walked: set[str], follow_links: bool) -> tuple[bool, Entry | None]:
    """For a link to a folder: whether to walk it, and the entry to report when it is not followed."""
    target = os.path.realpath(folder)
    if is_inside(target, real_root) or target in walked:
        return False, None  # its files are walked where they are
    if not follow_links:
        return False, Entry(Path(folder), reason=OUTSIDE, problem=f"link to a folder outside the source, {NOT_FOLLOWED}")
    walked.add(target)
    return True, None


def _unlistable(errors: list[OSError]) -> Iterator[Entry]:
    for error in errors:
        yield Entry(Path(error.filename), reason=UNREADABLE, problem=f"unreadable folder: {error.strerror}")
    errors.clear()


def _file_entry(path: Path, real_root: str, follow_links: bool) -> Entry:
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            return Entry(path, reason=UNREADABLE, problem="unreadable: broken link")
        if not follow_links and not is_inside(target, real_root):
            return Entry(path, reason=OUTSIDE, problem=f"link to a file outside the source, {NOT_FOLLOWED}")
    try:
        st = path.stat()
    except OSError as exc:
        return Entry(path, reason=UNREADABLE, problem=f"unreadable: {exc.strerror}")
    if not stat.S_ISREG(st.st_mode):
        return Entry(path, reason=UNREADABLE, problem="unreadable: not a regular file")
    return Entry(path, st)


def is_inside(path: str | Path, folder: str | Path) -> bool:
    """Whether absolute ``path`` is ``folder`` or below it, by its name (no links resolved)."""
    path, folder = os.path.normpath(path), os.path.normpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


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
