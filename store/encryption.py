"""Encryption at rest: telling an encrypted file apart, and changing its key safely.

SQLite3 Multiple Ciphers encrypts every page of the file (and of its WAL)
with its default cipher, ChaCha20-Poly1305. A plain file starts with the
16-byte SQLite header; an encrypted one starts with its random salt.

The key is never changed in place (``PRAGMA rekey`` is refused in WAL mode
and rewrites pages one by one, so a crash would leave a file that is half
in one key and half in the other). Instead ``VACUUM INTO`` writes a complete
copy under the new key beside the database, the copy is opened with that key
and checked, and only then renamed over the original. A crash at any moment
leaves either the old file, whole, or the new one; a copy a crash left
behind is deleted by the next attempt.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from urllib.parse import quote

import apsw
import sqlite_vec

from pocketmind.errors import EncryptionError, WrongKeyError

from .durable import fsync_path

SQLITE_HEADER = b"SQLite format 3\x00"
PAYLOAD_FRACTIONS = b"\x40\x20\x20"  # header bytes 21-23 of every SQLite file
CHACHA20_KDF_ROUNDS = 64_007  # sqlite3mc's default for its default cipher
COPY_SUFFIX = ".rekey-tmp"
IN_USE_WAIT_MS = 2_000  # how long to wait for another connection to let go before saying the store is in use


def is_encrypted(path: Path | str) -> bool:
    """Whether the file is an encrypted SQLite database (not a plain, damaged or foreign file).

    Ciphers keep bytes 16-23 of the header readable (page size, reserved bytes, and the
    payload fractions 64/32/32 every SQLite file has) and replace the first 16 with a salt."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except FileNotFoundError:
        return False
    return len(head) == 24 and head[:16] != SQLITE_HEADER and head[21:24] == PAYLOAD_FRACTIONS


def derived_key(path: Path | str, passphrase: str) -> str | None:
    """The raw key ``PRAGMA key`` derives from ``passphrase`` for this file, in the ``x'...'`` form
    that skips the derivation; None if it does not open the file (wrong passphrase, other cipher).

    sqlite3mc runs PBKDF2-HMAC-SHA256 (64,007 rounds, the file's 16-byte salt) on every
    connection it opens: 40-120 ms here, paid by every TUI worker thread. Deriving once per
    store and handing connections the result opens them in ~1.5 ms."""
    with open(path, "rb") as f:
        salt = f.read(16)
    raw = f"x'{hashlib.pbkdf2_hmac('sha256', passphrase.encode(), salt, CHACHA20_KDF_ROUNDS, 32).hex()}'"
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        conn.pragma("key", raw)
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
    except apsw.Error:
        return None
    finally:
        conn.close()
    return raw


def change_key(path: Path | str, old_key: str | None, new_key: str | None) -> None:
    """Rewrite the database under ``new_key`` (``None``: plain); ``old_key`` opens it now.

    Refused while any other connection has the file open: its writes would go
    to the replaced file and be lost."""
    path = Path(path)
    copy = path.with_name(path.name + COPY_SUFFIX)
    _remove(copy)
    conn = _open_alone(path, old_key)
    try:
        tables = _row_counts(conn)
        # hexkey= takes any key byte for byte; an empty key= writes a plain copy.
        target = f"file:{quote(str(copy))}?" + (f"hexkey={new_key.encode().hex()}" if new_key else "key=")
        # VACUUM INTO fills an empty file: made 0600 first, so a decrypted copy is never readable by others.
        os.close(os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn.execute("VACUUM INTO ?", (target,))
        os.chmod(copy, stat.S_IMODE(path.stat().st_mode))  # as private as the original
        _check_copy(copy, new_key, tables)
        fsync_path(copy)
        os.replace(copy, path)
        fsync_path(path.parent)
    except apsw.Error as exc:
        raise EncryptionError(f"cannot rewrite the database {path}: {exc}; it is unchanged") from None
    finally:
        conn.close()
        _remove(copy)


def _open_alone(path: Path, key: str | None) -> apsw.Connection:
    """A connection that holds the file exclusively until closed, with the WAL folded back in."""
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_URI)
    try:
        if key:
            conn.pragma("key", key)
        conn.set_busy_timeout(IN_USE_WAIT_MS)
        conn.pragma("temp_store", "memory")  # the copy's sorts never spill decrypted rows to a temp file
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())  # the schema names vec0 tables
        # Leaving WAL mode needs every other connection closed: that is the "alone" test.
        mode = conn.pragma("journal_mode", "delete")
        if mode != "delete":
            raise apsw.BusyError("still in WAL mode")
        conn.pragma("locking_mode", "exclusive")
        conn.pragma("user_version", conn.pragma("user_version"))  # a write: takes the exclusive lock now
    except apsw.BusyError:
        conn.close()
        raise EncryptionError(f"the database {path} is in use (a pocketmind daemon, TUI or another command): "
                              "close it and try again") from None
    except apsw.NotADBError:
        conn.close()
        if key:
            raise WrongKeyError(f"wrong key for the encrypted database {path}") from None
        raise EncryptionError(f"the database {path} is encrypted and no key was given") from None
    return conn


def _row_counts(conn: apsw.Connection) -> dict[str, int]:
    """Rows of every ordinary table (vec0 and FTS5 keep theirs in shadow tables, counted too)."""
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _check_copy(copy: Path, key: str | None, expected: dict[str, int]) -> None:
    """The copy opens with its key, passes quick_check and holds the same rows."""
    if bool(key) != is_encrypted(copy):
        raise apsw.CorruptError("the copy is not in the expected form")
    conn = apsw.Connection(str(copy), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        if key:
            conn.pragma("key", key)
        if conn.pragma("quick_check") != "ok":
            raise apsw.CorruptError("the copy fails quick_check")
        if _row_counts(conn) != expected:
            raise apsw.CorruptError("the copy does not hold the same rows")
    finally:
        conn.close()



def _remove(copy: Path) -> None:
    for leftover in (copy, copy.with_name(copy.name + "-journal")):
        leftover.unlink(missing_ok=True)
