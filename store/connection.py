"""Opening the one SQLite file: apsw (SQLite3 Multiple Ciphers), sqlite-vec, WAL.

The standard library ``sqlite3`` of many Python builds cannot load
extensions, so pocketmind uses apsw, built with SQLite3 Multiple Ciphers so
the file can be encrypted at rest with ``PRAGMA key`` (see :mod:`.encryption`).
"""

from __future__ import annotations

from pathlib import Path

import apsw
import sqlite_vec

from pocketmind.errors import EncryptionError, StoreError, WrongKeyError

from .damage import as_damage
from .encryption import is_encrypted

BUSY_TIMEOUT_MS = 10_000


def open_connection(path: Path | str, *, key: str | None = None, readonly: bool = False) -> apsw.Connection:
    """Open the database with sqlite-vec loaded, WAL on and a busy timeout set."""
    flags = apsw.SQLITE_OPEN_READONLY if readonly else apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE
    try:
        conn = apsw.Connection(str(path), flags=flags)
        if key:
            conn.pragma("key", key)
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
        if not readonly:
            conn.pragma("journal_mode", "wal")
        conn.pragma("synchronous", "normal")
        conn.pragma("foreign_keys", 1)
        conn.pragma("temp_store", "memory")
        # 16 MB page cache per connection (one per thread): at 100k chunks 64 MB filled up and was
        # resident for good, while warm hybrid search took the same time (p50 72.0 vs 72.5 ms,
        # bench/memory.py); the OS caches the file's pages outside the process anyway.
        conn.pragma("cache_size", -16_000)
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()  # fails early on a bad key / not a db
    except apsw.NotADBError as exc:
        if key and is_encrypted(path):
            raise WrongKeyError(f"wrong key for the encrypted database {path}") from None
        if is_encrypted(path):
            raise EncryptionError(f"the database {path} is encrypted and no key was given") from None
        raise as_damage(path, exc) or StoreError(f"cannot open database {path}: {exc}") from None
    except apsw.Error as exc:
        damaged = as_damage(path, exc)
        if damaged is not None:
            raise damaged from None
        raise StoreError(f"cannot open database {path}: {exc}") from None
    return conn
