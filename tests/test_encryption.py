"""Encryption at rest: `encrypt`, `decrypt`, `rekey`, and where the key comes from.

Real SQLite3 Multiple Ciphers files, the real embedder, real CLI runs; the
keyring tests register a real (in-memory) keyring backend.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import apsw
import keyring
import pytest
from keyring.backend import KeyringBackend

from helpers import SAMPLES
from pocketmind import Engine
from pocketmind.cli import main
from pocketmind.errors import StoreError
from pocketmind.store import Store, is_encrypted

MARKER = "quuxbrambleton"  # a word found nowhere else: any file holding it holds indexed text
KEY, NEW_KEY = "correct horse battery staple", "tr0ub4dor & 3"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict (this machine has no OS keyring)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch):
    for name in ("POCKETMIND_KEY", "POCKETMIND_KEY_FILE", "POCKETMIND_NEW_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    saved = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(saved)


@pytest.fixture
def memory_keyring():
    saved = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(saved)


@pytest.fixture
def indexed_home(tmp_path, isolated_home, warm_models):
    """The bundled sample notes plus one note carrying MARKER, indexed into a plain store."""
    notes = shutil.copytree(SAMPLES / "notes", tmp_path / "notes")
    (notes / "Allotment.md").write_text(f"# Allotment\n\nThe {MARKER} seedlings go in the north bed after the last frost.\n")
    with Engine(home=isolated_home) as engine:
        engine.add_source("notes", notes, name="notes")
        [summary] = engine.index()
        assert summary.added == 6 and summary.failed == 0
    return isolated_home


def database(home: Path) -> Path:
    return home / "data" / "pocketmind.db"


def files_holding(home: Path, needle: bytes) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and needle in p.read_bytes())


def search_ids(home: Path, query: str) -> list[str]:
    with Engine(home=home) as engine:
        return [r.id for r in engine.search(query, k=3)]


def run_cli(*args: str) -> tuple[int, str, str]:
    """`pocketmind ARGS` in a child process (its own keyring and environment), as a user runs it."""
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def test_encrypted_store_holds_no_plaintext_and_search_works_with_the_key(indexed_home, monkeypatch, no_keyring, capsys):
    db = database(indexed_home)
    assert db.read_bytes().startswith(b"SQLite format 3\x00")  # plain to begin with
    assert files_holding(indexed_home, MARKER.encode())  # the marker is on disk in the clear

    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert main(["encrypt"]) == 0
    out = capsys.readouterr().out
    assert "encrypted" in out and "POCKETMIND_KEY" in out

    assert not db.read_bytes().startswith(b"SQLite format 3")
    assert main(["status", "--json"]) == 0 and '"encrypted": true' in capsys.readouterr().out
    with pytest.raises(apsw.NotADBError):
        apsw.Connection(str(db)).execute("SELECT count(*) FROM sqlite_schema").fetchall()
    assert files_holding(indexed_home, MARKER.encode()) == []
    assert files_holding(indexed_home, b"sourdough") == []  # nor the other notes

    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"
    # A write through the encrypted store (WAL and all) still leaves no plaintext behind.
    with Engine(home=indexed_home) as engine:
        (Path(engine.sources()[0]["path"]) / "Compost.md").write_text(f"# Compost\n\nTurn the {MARKER} heap weekly.\n")
        [summary] = engine.index()
        assert summary.added == 1
        assert {p.name for p in db.parent.iterdir()} >= {"pocketmind.db", "pocketmind.db-wal"}
        assert files_holding(indexed_home, MARKER.encode()) == []
        assert [r.id for r in engine.search("compost heap", k=1)] == ["notes:Compost.md"]
        # Worker threads (the TUI's) open their own connections, with the key derived once per store.
        found = []
        worker = threading.Thread(target=lambda: found.extend(r.id for r in engine.search("compost heap", k=1)))
        worker.start()
        worker.join()
        assert found == ["notes:Compost.md"] and engine.store._derived_key.startswith("x'")


def test_without_the_key_or_with_a_wrong_one_one_clear_line(indexed_home, monkeypatch, no_keyring, capsys):
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert main(["encrypt"]) == 0
    monkeypatch.delenv("POCKETMIND_KEY")
    capsys.readouterr()

    code, out, err = run_cli("search", "seedlings")
    assert code == 1 and out == ""
    assert err.strip() == (f"error: the database {database(indexed_home)} is encrypted: set POCKETMIND_KEY (or "
                           "POCKETMIND_KEY_FILE), or store its key in the keyring with `pocketmind encrypt`")

    code, out, err = run_cli("tui")
    assert code == 1 and err.strip().startswith("error: the database ") and err.count("\n") == 1

    monkeypatch.setenv("POCKETMIND_KEY", "not the key")
    code, out, err = run_cli("status")
    assert code == 1 and "Traceback" not in err and "not a database" not in err
    assert err.strip() == f"error: wrong key for the encrypted database {database(indexed_home)} (the key came from POCKETMIND_KEY)"

    with pytest.raises(StoreError, match="is encrypted: set POCKETMIND_KEY"):
        monkeypatch.delenv("POCKETMIND_KEY")
        Engine(home=indexed_home)


def run_in_terminal(*args: str, typed: str) -> tuple[int, bytes]:
    """`pocketmind ARGS` on a pseudo-terminal (so it asks for the passphrase), typing ``typed``."""
    leader, follower = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "pocketmind.cli", *args], stdin=follower, stdout=follower,
                             stderr=follower, start_new_session=True, env={**os.environ, "TERM": "dumb", "COLUMNS": "500"})
    os.close(follower)
    screen = b""
    while b"passphrase: " not in screen:
        screen += os.read(leader, 1024)
    os.write(leader, typed.encode() + b"\n")
    code = child.wait(timeout=120)
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(leader)
    return code, screen


def test_the_key_typed_at_the_prompt(indexed_home, monkeypatch, no_keyring):
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert main(["encrypt"]) == 0
    monkeypatch.delenv("POCKETMIND_KEY")

    code, screen = run_in_terminal("status", typed=KEY)
    assert code == 0 and b"MB, encrypted)" in screen and b"6 documents" in screen
    assert KEY.encode() not in screen  # not echoed

    code, screen = run_in_terminal("search", "seedlings", typed="a wrong guess")
    assert code == 1 and b"wrong key for the encrypted database" in screen and b"(the key came from the passphrase prompt)" in screen

    # The background daemon cannot ask: `daemon start` hands it the key typed here.
    code, screen = run_in_terminal("daemon", "start", "--quiet", "0.3", typed=KEY)
    assert code == 0 and b"daemon started" in screen, screen
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    try:
        code, out, err = run_cli("daemon", "status")
        assert code == 0 and "daemon running" in out and "6 documents" in out
        code, out, err = run_cli("rekey")  # one writer: the store is not rewritten under the daemon
        assert code == 1 and err.startswith("error: the daemon (pid ")
    finally:
        assert run_cli("daemon", "stop")[0] == 0
    assert "error" not in (indexed_home / "logs" / "daemon.log").read_text().lower()
    assert files_holding(indexed_home, MARKER.encode()) == []  # nor in the daemon's log and state


def test_rekey_then_decrypt(indexed_home, monkeypatch, no_keyring, capsys):
    db = database(indexed_home)
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert main(["encrypt"]) == 0

    monkeypatch.setenv("POCKETMIND_NEW_KEY", NEW_KEY)
    assert main(["rekey"]) == 0
    assert "key changed" in capsys.readouterr().out
    with pytest.raises(StoreError, match="wrong key"):
        Engine(home=indexed_home)  # POCKETMIND_KEY still holds the old key
    monkeypatch.setenv("POCKETMIND_KEY", NEW_KEY)
    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"
    assert files_holding(indexed_home, MARKER.encode()) == []

    assert main(["decrypt"]) == 0
    assert "decrypted" in capsys.readouterr().out
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
    monkeypatch.delenv("POCKETMIND_KEY")
    assert apsw.Connection(str(db)).execute("SELECT count(*) FROM documents").fetchall() == [(6,)]
    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"


def test_the_key_lives_in_the_keyring(indexed_home, monkeypatch, memory_keyring, capsys):
    entry = ("pocketmind", str(database(indexed_home)))
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert main(["encrypt"]) == 0
    assert "keyring" in capsys.readouterr().out
    assert memory_keyring.secrets == {entry: KEY}

    monkeypatch.delenv("POCKETMIND_KEY")  # from now on only the keyring knows it
    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"

    monkeypatch.setenv("POCKETMIND_NEW_KEY", NEW_KEY)
    assert main(["rekey"]) == 0
    assert memory_keyring.secrets == {entry: NEW_KEY}
    monkeypatch.delenv("POCKETMIND_NEW_KEY")
    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"

    assert main(["decrypt"]) == 0
    assert memory_keyring.secrets == {}
    assert database(indexed_home).read_bytes().startswith(b"SQLite format 3\x00")


def test_the_key_from_a_key_file(indexed_home, tmp_path, monkeypatch, no_keyring):
    key_file = tmp_path / "pocketmind.key"
    key_file.write_text(KEY + "\n")  # the trailing newline an editor adds is not part of the key
    monkeypatch.setenv("POCKETMIND_KEY_FILE", str(key_file))
    assert main(["encrypt"]) == 0
    monkeypatch.delenv("POCKETMIND_KEY_FILE")
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"


def test_a_store_open_elsewhere_is_left_alone(indexed_home, monkeypatch, no_keyring, capsys):
    db = database(indexed_home)
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    with Engine(home=indexed_home) as other:  # say, the TUI in another terminal
        other.store.counts()
        assert main(["encrypt"]) == 1
        assert "in use" in capsys.readouterr().err
        assert db.read_bytes().startswith(b"SQLite format 3\x00")
        assert other.store.counts()["documents"] == 6
    assert sorted(p.name for p in db.parent.iterdir() if "tmp" in p.name) == []


def test_a_copy_left_by_a_crash_does_not_get_in_the_way(indexed_home, monkeypatch, no_keyring):
    db = database(indexed_home)
    (db.parent / "pocketmind.db.rekey-tmp").write_bytes(b"half a file from a run that was killed")
    monkeypatch.setenv("POCKETMIND_KEY", KEY)
    assert main(["encrypt"]) == 0
    assert sorted(p.name for p in db.parent.iterdir()) == ["pocketmind.db"]
    assert search_ids(indexed_home, f"{MARKER} seedlings")[0] == "notes:Allotment.md"


def test_a_damaged_or_foreign_file_is_not_taken_for_an_encrypted_one(tmp_path):
    plain = tmp_path / "plain.db"
    Store(plain).close()
    assert not is_encrypted(plain)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(4096) + plain.read_bytes()[4096:])  # page 1 zeroed
    text = tmp_path / "notes.db"
    text.write_text("not a database at all\n" * 200)
    for path in (damaged, text):
        assert not is_encrypted(path)
        with pytest.raises(StoreError, match="cannot open database") as raised:
            Store(path)
        assert "encrypted" not in str(raised.value)


CHANGE_KEY_CHILD = """
import sys
from pocketmind.store.encryption import change_key, is_encrypted
path, key = sys.argv[1], sys.argv[2]
encrypted = is_encrypted(path)
print("go", flush=True)
change_key(path, key if encrypted else None, None if encrypted else key)
"""


def test_killed_mid_rewrite_the_database_is_whole_in_one_key_or_the_other(tmp_path):
    db = tmp_path / "big.db"
    conn = apsw.Connection(str(db))
    conn.execute("CREATE TABLE t(x)")
    with conn:
        conn.executemany("INSERT INTO t VALUES (?)", ((f"row {n} " + "lorem ipsum dolor sit amet " * 12,) for n in range(30_000)))
    conn.close()

    def rows() -> int:
        check = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
        if is_encrypted(db):
            check.pragma("key", KEY)
        try:
            return check.execute("SELECT count(*) FROM t").fetchone()[0]
        finally:
            check.close()

    for delay in (0.0, 0.05, 0.15, 0.3, 0.5, 0.8):  # before, during and after the copy
        child = subprocess.Popen([sys.executable, "-c", CHANGE_KEY_CHILD, str(db), KEY], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline() == "go\n"
        time.sleep(delay)
        child.kill()
        child.wait()
        assert rows() == 30_000  # here, most kills land mid-copy and leave big.db.rekey-tmp behind
    subprocess.run([sys.executable, "-c", CHANGE_KEY_CHILD, str(db), KEY], check=True, capture_output=True)
    assert rows() == 30_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.db"]  # the copy a kill left behind is gone
