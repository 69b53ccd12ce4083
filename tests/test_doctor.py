"""Detect and recover (issue 17, item 5): a store built from real notes and chats,
pages zeroed on disk, then `status`, `search`, `index` and `doctor` through the real CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import apsw
import pytest
import sqlite_vec

from conftest import REAL
from pocketmind import Engine
from pocketmind.cli import main

NOTES = REAL / "notes" / "obsidian" / "kepano_vault"
CHATS = REAL / "messages" / "whatsapp"
CHAT_FILES = ("pustur_ios_chat_from_zip.txt", "langchain_ios_12h_seconds_image_omitted.txt")
EVERGREEN = "Notes/Evergreen notes turn ideas into objects that you can manipulate.md"
QUERY = "evergreen notes ideas"
PAGE = 4096


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, warm_models) -> Path:
    """Notes and chats copied from the real corpus, indexed once; each test damages a copy."""
    root = tmp_path_factory.mktemp("pristine")
    for folder in ("Notes", "References"):
        shutil.copytree(NOTES / folder, root / "notes" / folder)
    (root / "chats").mkdir()
    for name in CHAT_FILES:
        shutil.copy(CHATS / name, root / "chats" / name)
    with Engine(home=root / "home") as engine:
        engine.add_source("notes", root / "notes", name="notes")
        engine.add_source("messages", root / "chats", name="chats")
        assert all(not s.failed for s in engine.index())
    return root


@pytest.fixture
def store(pristine, tmp_path) -> Path:
    """A copy of the pristine tree whose sources point at its own files; returns its root."""
    root = tmp_path / "copy"
    shutil.copytree(pristine, root)
    conn = _raw(root)
    conn.execute("UPDATE sources SET path = replace(path, ?, ?)", (str(pristine), str(root)))
    conn.close()
    return root


def _db(root: Path) -> Path:
    return root / "home" / "data" / "pocketmind.db"


def _raw(root: Path) -> apsw.Connection:
    conn = apsw.Connection(str(_db(root)))
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    return conn


def _pages(root: Path, table: str, kind: str) -> list[int]:
    """Pages of one table (dbstat), with the WAL folded into the file first."""
    conn = _raw(root)
    conn.pragma("wal_checkpoint", "TRUNCATE")
    pages = [p for (p,) in conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY path", (table, kind))]
    conn.close()
    return pages


def _page_holding(root: Path, text: str, table: str) -> int:
    owned = set(_pages(root, table, "leaf"))
    data = _db(root).read_bytes()
    at = data.find(text.encode())
    while at >= 0 and at // PAGE + 1 not in owned:
        at = data.find(text.encode(), at + 1)
    assert at >= 0, f"{text!r} not found in a leaf of {table}"
    return at // PAGE + 1


def _zero(root: Path, pages: list[int], keep: int = 0) -> None:
    """Zero whole pages (or all but their first ``keep`` bytes: an overflow page's link)."""
    assert pages and not Path(f"{_db(root)}-wal").exists() or Path(f"{_db(root)}-wal").stat().st_size == 0
    with open(_db(root), "r+b") as f:
        for page in pages:
            f.seek((page - 1) * PAGE + keep)
            f.write(b"\0" * (PAGE - keep))


def _cli(root: Path, *args: str, capsys) -> tuple[int, str]:
    code = main(["--home", str(root / "home"), *args])
    out = capsys.readouterr().out
    return code, out if "--json" in args else " ".join(out.split())  # rich wraps long lines


def _subprocess(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", str(root / "home"), *args],
                          capture_output=True, text=True, timeout=60)


def _ids(root: Path, capsys) -> list[str]:
    code, out = _cli(root, "search", QUERY, "--k", "8", "--json", capsys=capsys)
    assert code == 0
    return [r["id"] for r in json.loads(out)["results"]]


def _assert_one_line(root: Path, *args: str, capsys) -> None:
    """The real CLI in this process (the model stays loaded): exit 1, one line on stderr, no traceback."""
    code = main(["--home", str(root / "home"), *args])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err, err
    [line] = err.strip().splitlines()
    assert line.startswith("error: the database ") and "is damaged" in line and "`pocketmind doctor --repair`" in line


def test_status_reports_a_whole_store_as_checked(store, capsys):
    code, out = _cli(store, "status", capsys=capsys)
    assert code == 0 and "quick check: ok" in out
    code, out = _cli(store, "status", "--json", capsys=capsys)
    status = json.loads(out)
    assert status["check"]["ok"] is True and status["check"]["problems"] == [] and status["documents"] > 50
    code, out = _cli(store, "doctor", capsys=capsys)
    assert code == 0 and "full check: ok" in out


def test_zeroed_fulltext_page_is_reported_and_repaired(store, capsys):
    before = _ids(store, capsys)
    assert f"notes:{EVERGREEN}" in before
    _zero(store, _pages(store, "chunks_fts_data", "leaf")[:1])  # holds the index structure every query reads

    code, out = _cli(store, "status", capsys=capsys)
    assert code == 1 and "full-text index" in out and "fix: pocketmind doctor --repair" in out
    code, out = _cli(store, "status", "--json", capsys=capsys)
    problems = json.loads(out)["check"]["problems"]
    assert {p["area"] for p in problems} == {"full-text index"} and problems[0]["fix"] == "pocketmind doctor --repair"

    _assert_one_line(store, "search", QUERY, capsys=capsys)

    code, out = _cli(store, "doctor", capsys=capsys)
    assert code == 1 and "fails its integrity check" in out
    code, out = _cli(store, "doctor", "--repair", capsys=capsys)
    assert code == 0 and "after repair: ok" in out and "0 chunks embedded again" in out
    assert _ids(store, capsys) == before
    assert list(_db(store).parent.glob("pocketmind.db.damaged-*")), "the damaged file is kept"


def test_an_encrypted_store_is_checked_and_repaired_with_its_key(store, capsys, monkeypatch):
    from pocketmind.store.encryption import is_encrypted

    before = _ids(store, capsys)
    monkeypatch.setenv("POCKETMIND_KEY", "doctor-test-key")
    assert main(["--home", str(store / "home"), "encrypt", "--no-keyring"]) == 0
    capsys.readouterr()
    assert is_encrypted(_db(store))
    conn = apsw.Connection(str(_db(store)))
    conn.pragma("key", "doctor-test-key")
    conn.enable_load_extension(True)
    conn.load_extension(sqlite_vec.loadable_path())
    conn.pragma("wal_checkpoint", "TRUNCATE")
    [page] = [p for (p,) in conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'chunks_fts_data' AND pagetype = 'leaf' ORDER BY path LIMIT 1")]
    conn.close()
    _zero(store, [page])

    code, out = _cli(store, "status", capsys=capsys)
    assert code == 1 and "full-text index" in out and "fix: pocketmind doctor --repair" in out
    code, out = _cli(store, "doctor", "--repair", capsys=capsys)
    assert code == 0 and "after repair: ok" in out
    assert is_encrypted(_db(store)), "the repaired file is encrypted with the same key"
    assert _ids(store, capsys) == before


def test_zeroed_vector_pages_are_detected_and_rebuilt(store, capsys):
    before = _ids(store, capsys)
    chunks = _raw(store).execute("SELECT count(*) FROM chunks").fetchone()[0]
    # The float vectors in vec0 read back as zeros (the overflow link kept): nothing but doctor notices.
    _zero(store, _pages(store, "chunk_vectors_vector_chunks00", "overflow")[:2], keep=4)
    # And one page of the re-scoring vectors is lost outright.
    lost_page = _pages(store, "chunk_embeddings", "leaf")[1]
    _zero(store, [lost_page])

    code, out = _cli(store, "status", capsys=capsys)
    assert code == 1 and "re-scoring vectors" in out
    code, out = _cli(store, "doctor", "--json", capsys=capsys)
    details = {(p["area"], p["detail"]) for p in json.loads(out)["check"]["problems"]}
    assert code == 1 and any(area == "vector table" and detail.endswith("vectors are all zero") for area, detail in details)

    code, out = _cli(store, "doctor", "--repair", "--json", capsys=capsys)
    report = json.loads(out)
    assert code == 0 and report["after"]["ok"]
    assert 0 < report["repair"]["embedded"] < chunks  # only the lost ones embedded again
    assert report["repair"]["vectors_kept"] + report["repair"]["embedded"] == chunks
    assert _ids(store, capsys) == before


def test_zeroed_documents_page_is_reindexed_from_the_files(store, capsys):
    before = _ids(store, capsys)
    documents = _raw(store).execute("SELECT count(*) FROM documents").fetchone()[0]
    _zero(store, [_page_holding(store, "Evergreen notes turn ideas", "documents")])

    code, out = _cli(store, "status", "--json", capsys=capsys)
    assert code == 1 and "documents" in {p["area"] for p in json.loads(out)["check"]["problems"]}
    _assert_one_line(store, "search", QUERY, capsys=capsys)
    note = store / "notes" / EVERGREEN
    note.write_text(note.read_text() + "\n")  # an edit makes `index` rewrite the damaged row
    _assert_one_line(store, "index", capsys=capsys)

    code, out = _cli(store, "doctor", capsys=capsys)
    assert code == 1 and "documents:" in out
    code, out = _cli(store, "doctor", "--repair", capsys=capsys)
    assert code == 0 and "re-indexed" in out and "after repair: ok" in out
    assert _ids(store, capsys) == before
    code, out = _cli(store, "status", "--json", capsys=capsys)
    status = json.loads(out)
    assert status["check"]["ok"] and status["documents"] == documents


def test_unopenable_database_says_so_and_starts_fresh_on_repair(store, capsys):
    _zero(store, [1])  # the header and the schema

    done = _subprocess(store, "status")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "not a database" in line and "`pocketmind doctor`" in line

    code, out = _cli(store, "doctor", capsys=capsys)
    assert code == 1 and "cannot be opened" in out and "doctor --repair" in out
    code, out = _cli(store, "doctor", "--repair", capsys=capsys)
    assert code == 0 and "could not be opened" in out and "Add your sources again" in out
    code, out = _cli(store, "status", "--json", capsys=capsys)
    status = json.loads(out)
    assert code == 0 and status["check"]["ok"] and status["documents"] == 0


def test_daemon_records_a_damaged_database_as_one_line(store, caplog):
    from pocketmind.daemon import Daemon

    _zero(store, [_page_holding(store, "Evergreen notes turn ideas", "documents")])
    note = store / "notes" / EVERGREEN
    note.write_text(note.read_text() + "\n")
    with Engine(home=store / "home") as engine:
        daemon = Daemon(engine, quiet_seconds=0.1, idle_unload_seconds=0)
        daemon._full_scan("rescan")  # what its loop runs on start and every rescan interval
    [error] = [e for e in daemon.errors if e["source"] == "notes"]
    assert error["error"].startswith("rescan: the database ") and error["error"].endswith("run `pocketmind doctor --repair`")
    logged = [r for r in caplog.records if "doctor --repair" in r.getMessage()]
    assert logged and all(r.exc_info is None for r in logged)  # no traceback in the daemon's log


class FailingEmbedder:
    """Stands in for the configured embedder and fails, as a crash or a killed process would, mid-repair."""

    name = "minilm"
    dimension = 384

    def encode(self, texts):
        raise RuntimeError("interrupted")


def test_interrupted_repair_leaves_the_damaged_file_untouched(store, capsys):
    from pocketmind.doctor import repair
    from pocketmind.paths import resolve_paths

    before = _ids(store, capsys)
    _zero(store, [_pages(store, "chunk_embeddings", "leaf")[1]])  # vectors to embed again: the repair reaches the embedder
    damaged = _db(store).read_bytes()
    paths = resolve_paths(store / "home")
    with pytest.raises(RuntimeError, match="interrupted"):
        repair(paths, FailingEmbedder, lambda: Engine(home=store / "home"))
    assert _db(store).read_bytes() == damaged
    assert sorted(p.name for p in _db(store).parent.iterdir()) == ["pocketmind.db"]  # no half-built copy left

    code, out = _cli(store, "doctor", "--repair", capsys=capsys)  # the next run starts over and finishes
    assert code == 0 and "after repair: ok" in out
    assert not Path(f"{_db(store)}.repair").exists()
    assert _ids(store, capsys) == before
