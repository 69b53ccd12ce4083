"""Where the key of an encrypted database comes from.

In this order: ``POCKETMIND_KEY``, the file named by ``POCKETMIND_KEY_FILE``
(for the daemon, services and scripts), the OS keyring (service
``pocketmind``, user name the database's path) when a keyring backend is
available, and last a passphrase prompt the caller supplies (the CLI and
the TUI ask in the terminal; the daemon has none).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import EncryptionError

log = logging.getLogger(__name__)

KEY_ENV = "POCKETMIND_KEY"
KEY_FILE_ENV = "POCKETMIND_KEY_FILE"
NEW_KEY_ENV = "POCKETMIND_NEW_KEY"  # the new key of `pocketmind rekey`, for scripts
KEYRING_SERVICE = "pocketmind"

PROMPTED = "the passphrase prompt"
NEEDS_KEY = ("the database {path} is encrypted: set POCKETMIND_KEY (or POCKETMIND_KEY_FILE), "
             "or store its key in the keyring with `pocketmind encrypt`")


@dataclass(frozen=True)
class Key:
    value: str
    origin: str  # said in messages: "POCKETMIND_KEY", "the keyring", ...


def from_environment() -> Key | None:
    if os.environ.get(KEY_ENV):
        return Key(os.environ[KEY_ENV], KEY_ENV)
    if os.environ.get(KEY_FILE_ENV):
        path = Path(os.environ[KEY_FILE_ENV]).expanduser()
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise EncryptionError(f"cannot read the key file {path} ({KEY_FILE_ENV}): {exc}") from None
        if not value:
            raise EncryptionError(f"the key file {path} ({KEY_FILE_ENV}) is empty")
        return Key(value, f"{KEY_FILE_ENV} ({path})")
    return None


def find(database: Path, ask: Callable[[], str] | None = None) -> Key | None:
    """The key of ``database``: environment, then keyring, then ``ask`` (a prompt)."""
    key = from_environment() or from_keyring(database)
    if key is None and ask is not None:
        value = ask()
        key = Key(value, PROMPTED) if value else None
    return key


# -- the OS keyring ---------------------------------------------------------------------


def keyring_available() -> bool:
    """Whether a real keyring backend is there (not keyring's 'fail' or 'null' stand-ins)."""
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:
        return False
    return not isinstance(keyring.get_keyring(), (fail.Keyring, null.Keyring))


def from_keyring(database: Path) -> Key | None:
    if not keyring_available():
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        value = keyring.get_password(KEYRING_SERVICE, str(database))
    except KeyringError as exc:  # a locked or broken keyring: fall through to the next way
        log.warning("cannot read the keyring: %s", exc)
        return None
    return Key(value, "the keyring") if value else None


def save_in_keyring(database: Path, value: str) -> bool:
    """Store the key; False when there is no keyring to store it in."""
    if not keyring_available():
        return False
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, str(database), value)
    except KeyringError as exc:
        raise EncryptionError(f"cannot store the key in the keyring: {exc}") from None
    return True


def forget_in_keyring(database: Path) -> None:
    if not keyring_available():
        return
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, str(database))
    except PasswordDeleteError:
        pass  # nothing was stored
    except KeyringError as exc:
        log.warning("cannot remove the key from the keyring: %s", exc)
