"""One error family: every error a user can see carries a message written for them.

The CLI prints ``str(error)`` and exits non-zero; the TUI shows it in a
notification; nothing shows a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

from pathlib import Path

from pocketmind.text import one_line


class PocketmindError(Exception):
    """Base of every error meant for the user; ``str()`` is the message."""


class ConfigError(PocketmindError):
    """The settings file or a command-line option is wrong."""


class SourceError(PocketmindError):
    """A source is unknown, duplicated or points at a missing path."""


class StoreError(PocketmindError):
    """The database cannot be opened, migrated or written."""


class EncryptionError(StoreError):
    """The database is encrypted and no key was found, or its key cannot be changed."""


class WrongKeyError(EncryptionError):
    """The key given does not open the encrypted database."""


class DatabaseDamaged(StoreError):
    """The database file is damaged (or unreadable without its key): one line naming
    the file, what SQLite said, and the command that checks and repairs it."""

    def __init__(self, path: str | Path, problem: str, command: str = "pocketmind doctor --repair", *, opening: bool = False):
        self.path = str(path)
        self.problem = problem
        if opening:  # nothing could be read: it may be damaged, or encrypted
            super().__init__(f"cannot open database {self.path}: {problem}; run `{command}`")
        else:
            super().__init__(f"the database {self.path} is damaged ({problem}); run `{command}`")


class DaemonError(PocketmindError):
    """The daemon could not be started or stopped, failed, went away, or speaks
    another protocol version."""


class DaemonGone(DaemonError):
    """The daemon closed the connection (it stopped): a caller holding an engine can answer in-process."""


class DaemonVersionMismatch(DaemonError):
    """The running daemon speaks another protocol version."""


class DaemonNotRunning(PocketmindError):
    """No daemon serves this home (start one with `pocketmind daemon start`)."""


class ModelError(PocketmindError):
    """An embedding model or LLM cannot be loaded or run."""


class ParseError(PocketmindError):
    """One input file cannot be read; the run skips it and goes on.

    Indexers raise this with the path and a short description of what is wrong
    (``"line 3: no timestamp"``, ``"not valid JSON: ..."``). The message writes the
    path on one line with its control characters escaped (a file name may hold a
    newline or a terminal escape); ``path`` keeps the real one.
    """

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{one_line(self.path)}: {one_line(problem)}")
