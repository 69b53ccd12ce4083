"""The daemon with real files, real watchdog events, the real embedder and real processes."""

from __future__ import annotations

import json
import os
import plistlib
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pocketmind.cli import main as cli_main
from pocketmind.daemon import Daemon
from pocketmind.daemon.service import DaemonLock, DaemonRunning, install_service, read_state, running_daemon_pid, spawn
from pocketmind.errors import DaemonError
from pocketmind.daemon.watch import StabilityTracker
from pocketmind.indexing.files import is_ignored
from pocketmind.engine import Engine

from daemons import wait_for  # tests/daemons.py, shared with the socket and TUI tests

QUIET = 0.3


def note(title: str, body: str) -> str:
    return f"# {title}\n\n{body}\n"


def ids_of(engine: Engine, source: str) -> dict[str, str]:
    with engine.write_lock:
        rows = engine.store.conn.execute("SELECT id, content_hash FROM documents WHERE source = ?", (source,))
        return dict(rows)


def search_ids(engine: Engine, query: str, **filters) -> list[str]:
    with engine.write_lock:  # the daemon's thread embeds with the same model: one caller at a time
        return [r.id for r in engine.search(query, k=5, **filters)]


# -- stability tracking and junk -------------------------------------------------------------


def test_tracker_holds_a_file_until_it_stops_growing(tmp_path):
    export = tmp_path / "chat.txt"
    export.write_text("01/01/19, 11:25 - John Doe: first half")
    tracker = StabilityTracker(0.2)
    tracker.touch(export, "chats")
    assert tracker.pop_ready() == {}  # quiet period not over
    time.sleep(0.25)
    with export.open("a") as f:  # still being written, without a new event (a copy in progress)
        f.write("\n01/01/19, 11:26 - John Doe: second half")
    assert tracker.pop_ready() == {}  # size changed since the touch: wait another quiet period
    assert len(tracker) == 1
    time.sleep(0.25)
    assert tracker.pop_ready() == {"chats": [export]}
    assert len(tracker) == 0 and tracker.next_due() is None


def test_tracker_reports_a_deleted_path_once_quiet(tmp_path):
    gone = tmp_path / "gone.md"
    tracker = StabilityTracker(0.1)
    tracker.touch(gone, "notes")
    time.sleep(0.15)
    assert tracker.pop_ready() == {"notes": [gone]}


def test_junk_and_sync_folders_are_ignored(tmp_path):
    root = tmp_path / "Notes"
    for name in (".DS_Store", ".note.md.swp", "note.md~", "~$report.docx", "#note.md#", "4913", "._note.md", "photo.jpg.part"):
        assert is_ignored(root / name, root), name
    assert is_ignored(root / ".stversions" / "a.md", root)
    assert is_ignored(root / ".obsidian" / "workspace.json", root)
    assert is_ignored(root / "@eaDir" / "a.md", root)
    assert is_ignored(tmp_path / "elsewhere.md", root)
    assert not is_ignored(root / "Projects" / "plan.md", root)


# -- the live daemon -------------------------------------------------------------------


@pytest.fixture
def live(tmp_path, real, isolated_home):
    """A daemon in a thread over notes, photos and WhatsApp sources in a temporary home."""
    notes = tmp_path / "Notes"
    (notes / "Projects").mkdir(parents=True)
    (notes / "Garden.md").write_text(note("Garden", "The tomatoes need staking before the July storms."))
    (notes / "Projects" / "Roof.md").write_text(note("Roof repair", "Slate tiles ordered from the quarry in Wales."))
    photos = tmp_path / "Photos"
    photos.mkdir()
    chats = tmp_path / "Chats"
    chats.mkdir()
    shutil.copy(real / "messages/whatsapp/langchain_ios_12h_seconds_image_omitted.txt", chats / "WhatsApp Chat - Friends.txt")
    engine = Engine(home=isolated_home)
    engine.add_source("notes", notes, name="notes")
    engine.add_source("photos", photos, name="photos")
    engine.add_source("messages", chats, name="chats")
    stop = threading.Event()
    daemon = Daemon(engine, quiet_seconds=QUIET, rescan_seconds=3600, idle_unload_seconds=0, stop_event=stop)
    thread = threading.Thread(target=daemon.run, name="daemon")
    thread.start()
    wait_for(lambda: daemon.activity == "watching", 60, "the initial scan")
    yield engine, daemon, notes, photos, chats
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    engine.close()


def record_runs(daemon, source: str) -> list[dict]:
    """Every index run of ``source`` the daemon records from now on (its real ``_record`` still runs)."""
    runs: list[dict] = []
    record = daemon._record

    def spy(summary, why):
        if summary.source == source:
            runs.append(summary.to_json())
        record(summary, why)

    daemon._record = spy
    return runs


def total(runs: list[dict], key: str) -> int:
    return sum(run[key] for run in list(runs))


def test_daemon_follows_creates_edits_renames_and_deletes(live, real, capsys):
    engine, daemon, notes, photos, chats = live
    assert set(ids_of(engine, "notes")) == {"notes:Garden.md", "notes:Projects/Roof.md"}

    # a new note
    (notes / "Heron.md").write_text(note("Heron", "A grey heron fished in the millpond at dawn."))
    wait_for(lambda: "notes:Heron.md" in search_ids(engine, "grey heron millpond"), 10, "the new note")

    # an edit: the new words are found, the old ones are gone
    (notes / "Heron.md").write_text(note("Heron", "The heron moved to the reed beds by the weir."))
    wait_for(lambda: "reed beds" in engine.store.documents(["notes:Heron.md"])["notes:Heron.md"]["text"], 10, "the edit")
    with engine.write_lock:
        assert engine.store.conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'millpond'").fetchone()[0] == 0

    # a rename: new id, old id gone, nothing embedded again
    runs = record_runs(daemon, "notes")
    (notes / "Heron.md").rename(notes / "Birds - Heron.md")
    wait_for(lambda: "notes:Birds - Heron.md" in ids_of(engine, "notes") and "notes:Heron.md" not in ids_of(engine, "notes"), 10, "the rename")
    # The store shows the move as soon as it commits; the run's counts are kept just after, and a
    # late file event may bring one more run that finds nothing to do: count every run since.
    wait_for(lambda: total(runs, "added") and total(runs, "deleted"), 10, "the move's run")
    assert (total(runs, "added"), total(runs, "deleted"), total(runs, "embedded")) == (1, 1, 0)
    assert engine.store.documents(["notes:Birds - Heron.md"])["notes:Birds - Heron.md"]["uri"].endswith("Birds%20-%20Heron.md")

    # a moved folder is handled as a whole, again without embedding
    runs.clear()
    (notes / "Projects").rename(notes / "Archive")
    wait_for(lambda: "notes:Archive/Roof.md" in ids_of(engine, "notes") and "notes:Projects/Roof.md" not in ids_of(engine, "notes"),
             10, "the moved folder")
    wait_for(lambda: total(runs, "added") and total(runs, "deleted"), 10, "the folder move's run")
    assert total(runs, "embedded") == 0

    # a deletion removes the document with its chunks, full text and vectors
    with engine.write_lock:
        chunk_ids = [r[0] for r in engine.store.conn.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.rowid = c.doc WHERE d.id = 'notes:Garden.md'")]
    assert chunk_ids
    (notes / "Garden.md").unlink()
    wait_for(lambda: "notes:Garden.md" not in ids_of(engine, "notes"), 10, "the deletion")
    marks = ",".join("?" * len(chunk_ids))
    with engine.write_lock:
        conn = engine.store.conn
        assert conn.execute(f"SELECT count(*) FROM chunks WHERE id IN ({marks})", chunk_ids).fetchone()[0] == 0
        assert conn.execute(f"SELECT count(*) FROM chunk_vectors WHERE chunk_id IN ({marks})", chunk_ids).fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'tomatoes'").fetchone()[0] == 0
    assert "notes:Garden.md" not in search_ids(engine, "tomatoes staking July storms", sources=["notes"])
    assert set(ids_of(engine, "notes")) == {"notes:Birds - Heron.md", "notes:Archive/Roof.md"}

    # junk never gets in
    (notes / ".Heron.md.swp").write_bytes(b"\x00swap")
    (notes / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    # a photo copied in
    shutil.copy(real / "photos/jpeg/exifsamples_canon_40d_makernotes.jpg", photos / "IMG_0001.jpg")
    wait_for(lambda: "photos:IMG_0001.jpg" in ids_of(engine, "photos"), 10, "the photo")
    assert engine.store.documents(["photos:IMG_0001.jpg"])["photos:IMG_0001.jpg"]["metadata"]["camera_model"] == "Canon EOS 40D"

    # a new chat export dropped in beside the first
    before = len(ids_of(engine, "chats"))
    shutil.copy(real / "messages/whatsapp/chatminer_android_ddmmyy_24h.txt", chats / "WhatsApp Chat with John.txt")
    wait_for(lambda: len(ids_of(engine, "chats")) > before, 10, "the chat export")
    assert any("John Doe" in (r.author or "") for r in _search(engine, "Lorem ipsum dolor", sources=["chats"]))

    # a broken file is reported with its path, and the daemon goes on
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    wait_for(lambda: any(e["path"] == "broken.jpg" for e in engine.store.recent_errors()), 10, "the error")
    (notes / "After.md").write_text(note("After the error", "Still indexing: a kingfisher by the weir."))
    wait_for(lambda: "notes:After.md" in ids_of(engine, "notes"), 10, "a note after the error")
    assert not any(name.startswith(".") for name in (i.split(":", 1)[1] for i in ids_of(engine, "notes")))

    # status --json, read from the state file and the database
    wait_for(lambda: read_state(engine.paths.state_dir).get("queue") == 0, 5, "the state file")
    capsys.readouterr()
    assert cli_main(["daemon", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["running"] is True and status["pid"] == os.getpid() and status["queue"] == 0
    assert status["last_indexed"]["notes"]["documents"] == 3
    assert status["by_kind"]["photo"] == 1
    assert any(e["path"] == "broken.jpg" and e["source"] == "photos" for e in status["recent_errors"])

    # `pocketmind index` hands its request to the daemon instead of writing beside it
    scans = daemon.batches
    assert cli_main(["index"]) == 0
    assert capsys.readouterr().out.strip() == f"the daemon (pid {os.getpid()}) is indexing; your request was handed to it"
    wait_for(lambda: daemon.batches >= scans + 3 and not list((engine.paths.state_dir / "requests").iterdir()), 20, "the handed-over scan")
    assert daemon.last_runs["notes"]["why"] == "requested scan"
    assert daemon.last_runs["notes"]["embedded"] == 0 and daemon.last_runs["notes"]["unchanged"] == 3


def _search(engine: Engine, query: str, **filters):
    with engine.write_lock:
        return engine.search(query, k=5, **filters)


def test_stop_finishes_cleanly_and_second_daemon_is_refused(live):
    engine, daemon, notes, photos, chats = live
    state_dir = engine.paths.state_dir
    assert running_daemon_pid(state_dir) == os.getpid()
    assert (state_dir / "daemon.pid").read_text().strip() == str(os.getpid())
    with pytest.raises(DaemonRunning):
        DaemonLock(state_dir).acquire()
    daemon.stop()
    wait_for(lambda: not (state_dir / "daemon.pid").exists(), 10, "the pid file to go")
    assert running_daemon_pid(state_dir) is None
    assert read_state(state_dir)["running"] is False


def test_database_source_is_polled(tmp_path, real, isolated_home):
    chat_db = tmp_path / "Messages" / "chat.db"
    chat_db.parent.mkdir()
    shutil.copy(real / "messages/imessage/langchain_imessage_chat.db", chat_db)
    engine = Engine(home=isolated_home)
    engine.add_source("messages", chat_db, name="imessage")
    stop = threading.Event()
    daemon = Daemon(engine, quiet_seconds=QUIET, poll_seconds=0.3, idle_unload_seconds=0, stop_event=stop)
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        wait_for(lambda: daemon.activity == "watching", 60, "the initial scan")
        doc_id = "imessage:E7F6B913-EEE2-47E8-9458-BDA6BDA9BE8A"
        assert engine.store.documents([doc_id])[doc_id]["text"] == "Yeh"
        with sqlite3.connect(chat_db) as db:  # Messages.app edits the database in place
            db.execute("UPDATE message SET text = 'Quokka tango rehearsal', attributedBody = NULL WHERE ROWID = 241480")
        wait_for(lambda: engine.store.documents([doc_id])[doc_id]["text"] == "Quokka tango rehearsal", 10, "the polled change")
        wait_for(lambda: daemon.last_runs["imessage"]["updated"] == 1 and daemon.last_runs["imessage"]["embedded"] == 1, 10,
                 "the polled run's counts")
        assert daemon._watches == {}  # a database is polled, not watched
    finally:
        stop.set()
        thread.join(30)
        engine.close()


def test_models_are_released_when_idle(tmp_path, isolated_home):
    notes = tmp_path / "Notes"
    notes.mkdir()
    (notes / "One.md").write_text(note("One", "Otters slide down the muddy bank."))
    engine = Engine(home=isolated_home)
    engine.add_source("notes", notes, name="notes")
    stop = threading.Event()
    daemon = Daemon(engine, quiet_seconds=QUIET, idle_unload_seconds=1, stop_event=stop)
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        wait_for(lambda: daemon.activity == "watching", 60, "the initial scan")
        assert engine._embedder is not None
        wait_for(lambda: engine._embedder is None, 5, "the models to be released")
        wait_for(lambda: read_state(engine.paths.state_dir).get("models_loaded") is False, 5, "the state file to say so")
        (notes / "Two.md").write_text(note("Two", "Beavers build a lodge of willow."))
        wait_for(lambda: "notes:Two.md" in ids_of(engine, "notes"), 30, "indexing after release")  # loaded again lazily
    finally:
        stop.set()
        thread.join(30)
        engine.close()


# -- service files and the background process ---------------------------------------------


def test_install_writes_systemd_unit_and_launchd_agent(tmp_path, monkeypatch, isolated_home):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path, enable = install_service(str(isolated_home), ["--quiet", "2.0"], platform="linux")
    assert path == tmp_path / "config" / "systemd" / "user" / "pocketmind.service"
    unit = path.read_text()
    assert f"ExecStart={sys.executable} -m pocketmind.cli --home {isolated_home.resolve()} daemon run --quiet 2.0\n" in unit
    assert "WantedBy=default.target" in unit
    assert enable == "systemctl --user daemon-reload && systemctl --user enable --now pocketmind.service"

    path, enable = install_service(None, platform="darwin", target_dir=tmp_path / "LaunchAgents")
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "dev.pocketmind.daemon"
    assert agent["ProgramArguments"] == [sys.executable, "-m", "pocketmind.cli", "daemon", "run"]
    assert enable == f"launchctl bootstrap gui/$(id -u) {path}"


def _pm(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=timeout)


def test_start_status_stop_in_the_background(isolated_home):
    started = _pm(isolated_home, "daemon", "start", "--quiet", "0.3")
    assert started.returncode == 0, started.stderr
    pid = running_daemon_pid(isolated_home / "state")
    assert started.stdout.startswith(f"daemon started (pid {pid}); log: ")
    try:
        status = json.loads(_pm(isolated_home, "daemon", "status", "--json").stdout)
        assert status["running"] is True and status["pid"] == pid
        again = _pm(isolated_home, "daemon", "start")
        assert again.stdout.strip() == f"the daemon is already running (pid {pid})"
    finally:
        stopped = _pm(isolated_home, "daemon", "stop")
    assert stopped.stdout.strip() == f"daemon (pid {pid}) stopped"
    assert json.loads(_pm(isolated_home, "daemon", "status", "--json").stdout)["running"] is False
    log = (isolated_home / "logs" / "daemon.log").read_text()
    assert "received SIGTERM: finishing the current batch" in log and "daemon stopped" in log


def test_a_daemon_that_exits_at_once_is_one_clear_error_with_what_it_said(isolated_home):
    # A daemon run that cannot start (here: an option `daemon run` refuses) stops before taking
    # the lock; `start` says so in one line, quoting the log's last line, and no pid is left.
    with pytest.raises(DaemonError) as caught:
        spawn(str(isolated_home), isolated_home / "logs", isolated_home / "state", ["--quiet", "soon"])
    message = str(caught.value)
    assert message.startswith("the daemon exited at once (code 2): ")
    assert "invalid float value: 'soon'" in message and message.endswith(f"see {isolated_home / 'logs' / 'daemon.log'}")
    assert "\n" not in message and running_daemon_pid(isolated_home / "state") is None


# -- crash safety ------------------------------------------------------------------------------

WORDS = ("harbour lantern orchard ledger quarry violin meadow comet pepper granite ferry tulip saddle cobalt "
         "walnut glacier marble thimble canyon sparrow velvet almond beacon cedar dune ember falcon grove "
         "hazel indigo juniper kelp linen maple nectar opal pebble quill raven sorrel thistle umber willow").split()


def make_vault(folder: Path, count: int) -> None:
    rng = random.Random(7)
    for n in range(count):
        sub = folder / f"area-{n % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "." for _ in range(rng.randint(2, 6))]
        (sub / f"note-{n:03d}.md").write_text(note(f"Note {n} on {rng.choice(WORDS)}", f"Entry {n}. " + " ".join(sentences)))


def _run_daemon_process(home: Path) -> subprocess.Popen:
    # small batches so a kill lands between many commits, not just two
    code = ("import sys, pocketmind.indexing.runs as i; i.FLUSH_CHUNKS = 16; from pocketmind.cli import main; "
            f"sys.exit(main(['--home', {str(home)!r}, 'daemon', 'run', '--quiet', '0.3']))")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _document_count(home: Path) -> int:
    with sqlite3.connect(f"file:{home / 'data' / 'pocketmind.db'}?mode=ro", uri=True, timeout=5) as db:
        return db.execute("SELECT count(*) FROM documents").fetchone()[0]


def _snapshot(engine: Engine) -> dict[str, tuple[str, int]]:
    rows = engine.store.conn.execute(
        "SELECT d.id, d.content_hash, (SELECT count(*) FROM chunks c WHERE c.doc = d.rowid) FROM documents d")
    return {doc_id: (digest, chunks) for doc_id, digest, chunks in rows}


def test_sigkill_during_a_large_index_loses_and_duplicates_nothing(tmp_path, isolated_home):
    vault = tmp_path / "Vault"
    make_vault(vault, 300)
    with Engine(home=isolated_home) as engine:
        engine.add_source("notes", vault, name="vault")
    kills = []
    for threshold in (0, 40, 120, 200):  # 0: killed while the first batch is being embedded
        proc = _run_daemon_process(isolated_home)
        if threshold == 0:
            wait_for(lambda: running_daemon_pid(isolated_home / "state") == proc.pid, 30, "the daemon to start")
            time.sleep(1.0)
        else:
            wait_for(lambda: _document_count(isolated_home) >= threshold or proc.poll() is not None, 120, f"{threshold} documents")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        kills.append(_document_count(isolated_home))
    assert kills[-1] < 300, "the index finished before the last kill: nothing was interrupted"
    assert kills == sorted(kills)  # each restart resumed; committed work was never lost

    proc = _run_daemon_process(isolated_home)
    try:
        wait_for(lambda: read_state(isolated_home / "state").get("activity") == "watching"
                 and read_state(isolated_home / "state").get("pid") == proc.pid, 120, "the resumed scan to finish")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, proc.stderr.read()
    assert not (isolated_home / "state" / "daemon.pid").exists()

    clean_home = tmp_path / "clean-home"
    with Engine(home=isolated_home) as engine, Engine(home=clean_home) as clean:
        assert engine.store.integrity_check() == "ok"
        conn = engine.store.conn
        assert conn.execute("SELECT count(*), count(DISTINCT origin) FROM documents").fetchone() == (300, 300)
        chunks = conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()[0] == chunks
        assert conn.execute("SELECT count(*) FROM (SELECT doc, seq FROM chunks GROUP BY doc, seq HAVING count(*) > 1)").fetchone()[0] == 0
        clean.add_source("notes", vault, name="vault")
        clean.index()
        assert _snapshot(engine) == _snapshot(clean)
