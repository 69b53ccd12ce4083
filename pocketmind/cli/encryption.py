"""The `pocketmind encrypt|decrypt|rekey` commands and the passphrase prompts."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Callable

from pocketmind import keys
from pocketmind.daemon.service import running_daemon_pid
from pocketmind.errors import EncryptionError

from .output import plain

CIPHER = "ChaCha20-Poly1305, SQLite3 Multiple Ciphers"


def passphrase_prompt() -> Callable[[], str] | None:
    """Asking for the key in the terminal, or None when there is no terminal to ask in."""
    if not sys.stdin.isatty():
        return None
    return lambda: getpass.getpass("pocketmind database passphrase: ")


def cmd_encrypt(engine, args, out, err) -> int:
    database = engine.paths.database
    _refuse_under_daemon(engine)
    if engine.store.encrypted:  # opened with a key that works: keep it in the keyring if asked to
        saved = not args.no_keyring and keys.save_in_keyring(database, engine.key.value)
        out.print(f"{plain(database)} is already encrypted" + ("; its key is now in the keyring" if saved else ""))
        return 0
    new = _new_key(keys.from_environment())
    engine.change_key(new)
    out.print(f"encrypted {plain(database)} ({CIPHER})")
    _tell_where_the_key_is(engine, new, out, remember=not args.no_keyring)
    return 0


def cmd_rekey(engine, args, out, err) -> int:
    database = engine.paths.database
    _refuse_under_daemon(engine)
    if not engine.store.encrypted:
        raise EncryptionError(f"{database} is not encrypted: use `pocketmind encrypt`")
    old_origin = engine.key.origin
    new = _new_key(keys.Key(os.environ[keys.NEW_KEY_ENV], keys.NEW_KEY_ENV) if os.environ.get(keys.NEW_KEY_ENV) else None)
    engine.change_key(new)
    out.print(f"key changed for {plain(database)}; the old key no longer opens it")
    _tell_where_the_key_is(engine, new, out, remember=not args.no_keyring)
    if old_origin.startswith((keys.KEY_ENV, keys.KEY_FILE_ENV)):
        out.print(f"update {plain(old_origin)} to the new key", highlight=False)
    return 0


def cmd_decrypt(engine, args, out, err) -> int:
    database = engine.paths.database
    _refuse_under_daemon(engine)
    if not engine.store.encrypted:
        raise EncryptionError(f"{database} is not encrypted")
    engine.change_key(None)
    keys.forget_in_keyring(database)
    out.print(f"decrypted {plain(database)}: it is a plain SQLite file again and needs no key")
    return 0


def _new_key(given: keys.Key | None) -> str:
    """The key to encrypt with: from the environment if set there, else asked twice."""
    if given is not None:
        return given.value
    if not sys.stdin.isatty():
        raise EncryptionError(f"no key given: set {keys.KEY_ENV} (for rekey, {keys.NEW_KEY_ENV}) or run in a terminal")
    first = getpass.getpass("new passphrase: ")
    if not first:
        raise EncryptionError("an empty passphrase encrypts nothing: nothing was changed")
    if getpass.getpass("the same passphrase again: ") != first:
        raise EncryptionError("the two passphrases differ: nothing was changed")
    return first


def _tell_where_the_key_is(engine, value: str, out, *, remember: bool) -> None:
    database = engine.paths.database
    if remember and keys.save_in_keyring(database, value):
        out.print(f"the key is in the keyring (service {keys.KEYRING_SERVICE!r}, user {plain(database)!r})", highlight=False)
    else:
        keys.forget_in_keyring(database)  # an old key there would only fail
        out.print(f"keep the key safe: pocketmind opens the database with {keys.KEY_ENV} or {keys.KEY_FILE_ENV} set, "
                  "or asks for it in a terminal", highlight=False)


def _refuse_under_daemon(engine) -> None:
    pid = running_daemon_pid(engine.paths.state_dir)
    if pid is not None:
        raise EncryptionError(f"the daemon (pid {pid}) has the database open: stop it first with `pocketmind daemon stop`")
