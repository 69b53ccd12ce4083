"""Telling a damaged database from any other SQL error, at the store boundary.

SQLite reports a zeroed or torn page as ``CorruptError`` and a file whose
header is gone as ``NotADBError``; sqlite-vec reports an unreadable vector
blob as a plain ``SQLError``. Each becomes one :class:`DatabaseDamaged` line
naming the file and the command to run, never a traceback.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import apsw

from pocketmind.errors import DatabaseDamaged

# A header SQLite cannot read is also what an encrypted file looks like without
# its key: `doctor` (no repair) says which, before anything is moved aside.
NOT_A_DATABASE = "not a database: the file is damaged or is not a pocketmind database"  # an encrypted one is told apart before

_VEC0_READ_FAILURES = ("reading from blob failed", "Could not fetch vector data", "could not read")


def damage_of(exc: BaseException) -> str | None:
    """What is damaged, in a few words, if ``exc`` says the file is damaged; else None."""
    if isinstance(exc, apsw.NotADBError):
        return NOT_A_DATABASE
    if isinstance(exc, apsw.CorruptError):
        return f"{exc}"
    if isinstance(exc, apsw.SQLError) and any(s in str(exc) for s in _VEC0_READ_FAILURES):
        return f"vector table unreadable: {exc}"
    return None


def as_damage(path: Path | str, exc: BaseException) -> DatabaseDamaged | None:
    problem = damage_of(exc)
    if problem is None:
        return None
    if problem == NOT_A_DATABASE:
        return DatabaseDamaged(path, problem, command="pocketmind doctor", opening=True)
    return DatabaseDamaged(path, problem)


@contextmanager
def reported(path: Path | str) -> Iterator[None]:
    """Turn a damaged-file error raised inside the block into :class:`DatabaseDamaged`."""
    try:
        yield
    except apsw.Error as exc:
        damaged = as_damage(path, exc)
        if damaged is None:
            raise
        raise damaged from exc


def guard_methods(cls):
    """Class decorator: every public method of ``cls`` reports a damaged file as
    :class:`DatabaseDamaged` (``self.path`` names the file)."""
    for name, method in list(vars(cls).items()):
        if name.startswith("_") or not callable(method) or name == "transaction":
            continue
        setattr(cls, name, _guarded(method))
    return cls


def _guarded(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with reported(self.path):
            return method(self, *args, **kwargs)
    return wrapper
