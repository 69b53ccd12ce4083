"""A private store: folders 0700, files 0600, a warning when they are looser; one source per folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import SAMPLES
from pocketmind import Engine
from pocketmind.cli import main
from pocketmind.daemon.service import read_state, running_daemon_pid
from pocketmind.errors import SourceError


def modes(home: Path) -> dict[str, str]:
    """Every folder and file under ``home`` (itself included) with its permission bits, e.g. {'data/pocketmind.db': '0600'}."""
    found = {".": oct(stat.S_IMODE(home.stat().st_mode))}
    for folder, dirs, files in os.walk(home):
        for name in dirs + files:
            path = Path(folder) / name
            found[str(path.relative_to(home))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def loose(home: Path) -> dict[str, str]:
    return {path: mode for path, mode in modes(home).items()
            if mode != ("0o700" if (home / path).is_dir() else "0o600")}


@pytest.fixture
def shared_umask():
    """The umask most systems give a user (0022): anything pocketmind does not tighten comes out world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


# -- item 3: the store is readable by every local user ------------------------------------


def test_add_index_ask_daemon_cycle_leaves_only_private_files(tmp_path, shared_umask, warm_models, capsys):
    home = tmp_path / "home"
    pm = ["--home", str(home)]
    assert main([*pm, "add", "notes", str(SAMPLES / "notes"), "--name", "notes"]) == 0
    assert main([*pm, "config", "search.results", "5"]) == 0
    assert main([*pm, "index"]) == 0
    assert main([*pm, "ask", "How long do I bulk ferment the sourdough?"]) == 0  # the LLM probe caches its verdict
    assert main([*pm, "daemon", "start", "--quiet", "0.3"]) == 0
    try:
        wait_for(lambda: read_state(home / "state").get("activity") == "watching", 60, "the daemon's first scan")
        assert main([*pm, "index"]) == 0  # handed to the daemon as a request file
        wait_for(lambda: not any((home / "state" / "requests").glob("*.json")), 30, "the daemon to take the request")
    finally:
        assert main([*pm, "daemon", "stop"]) == 0
    assert os.umask(0o022) == 0o022  # the CLI restored the caller's umask
    seen = modes(home)
    for made in ("config/config.toml", "data/pocketmind.db", "logs/daemon.log", "state/daemon.json", "state/daemon.lock",
                 "state/requests", "cache/llama-probe.json"):
        assert made in seen
    assert loose(home) == {}


def test_the_library_engine_creates_a_private_home_without_changing_the_callers_umask(tmp_path, shared_umask):
    home = tmp_path / "home"
    with Engine(home=home, load_entry_points=True) as engine:
        engine.add_source("notes", SAMPLES / "notes", name="notes")
        engine.save_settings()
        with engine.store.transaction() as conn:  # a write makes SQLite create its -wal and -shm files
            conn.execute("INSERT INTO meta(key, value) VALUES ('probe', '1')")
        assert {"data/pocketmind.db-wal", "data/pocketmind.db-shm"} <= set(modes(home))
        assert loose(home) == {}
    assert os.umask(0o022) == 0o022


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", str(home), *args], capture_output=True, text=True)


def test_a_looser_home_database_or_config_is_warned_about_with_the_fix(tmp_path):
    home = tmp_path / "home"
    assert _cli(home, "config", "search.results", "5").returncode == 0
    assert _cli(home, "status").stderr == ""  # a fresh store is private: nothing to say
    home.chmod(0o755)
    (home / "data").chmod(0o750)
    (home / "data" / "pocketmind.db").chmod(0o644)
    (home / "config" / "config.toml").chmod(0o604)
    done = _cli(home, "status", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["documents"] == 0
    assert done.stderr.splitlines() == [
        f"warning: {home} is open to other users (mode 0755); fix: chmod 700 {home}",
        f"warning: {home / 'data'} is open to other users (mode 0750); fix: chmod 700 {home / 'data'}",
        f"warning: {home / 'data' / 'pocketmind.db'} is open to other users (mode 0644); "
        f"fix: chmod 600 {home / 'data' / 'pocketmind.db'}",
        f"warning: {home / 'config' / 'config.toml'} is open to other users (mode 0604); "
        f"fix: chmod 600 {home / 'config' / 'config.toml'}",
    ]


# -- item 8: adding d, d/ and d/../d made three sources ------------------------------------


def test_the_same_folder_spelled_three_ways_is_one_source(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "d"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.md").write_text("# A\nharbour lantern\n")
    monkeypatch.chdir(tmp_path)
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "add", "notes", "d"]) == 0
    capsys.readouterr()
    for spelling in ("d/", "d/../d", str(folder)):
        assert main([*home, "add", "notes", spelling]) == 1
        error = capsys.readouterr().err
        assert error.splitlines() == [f"error: {folder} is already source 'd' (notes); see `pocketmind sources`"]
    (tmp_path / "link").symlink_to(folder)
    assert main([*home, "add", "notes", "link"]) == 1
    assert "is already source 'd'" in capsys.readouterr().err
    assert main([*home, "sources", "--json"]) == 0
    assert [s["name"] for s in json.loads(capsys.readouterr().out)["sources"]] == ["d"]


def test_a_folder_inside_or_around_a_source_of_the_same_kind_is_refused(tmp_path):
    outer = tmp_path / "Notes"
    (outer / "work" / "2024").mkdir(parents=True)
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("notes", outer / "work", name="work")
        with pytest.raises(SourceError, match=r"contains source 'work' \(notes\) at .*work: its files would be indexed twice"):
            engine.add_source("notes", outer)
        engine.add_source("photos", outer, name="pictures")  # another kind reads other files: allowed
        with pytest.raises(SourceError, match=r"is inside source 'work' \(notes\)"):
            engine.add_source("notes", outer / "work" / "2024")
        assert [s["name"] for s in engine.sources()] == ["pictures", "work"]


def test_sources_names_the_duplicates_an_older_store_already_has(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    home = tmp_path / "home"
    with Engine(home=home) as engine:  # what an older version let through
        for name in ("d", "d-2", "d-3"):
            engine.store.add_source(name, "notes", str(folder))
    assert main(["--home", str(home), "sources"]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"warning: sources d, d-2, d-3 are the same folder {folder} (notes): every hit shows 3 times; "
        "keep one: pocketmind forget d-2; pocketmind forget d-3"
    ]
    assert main(["--home", str(home), "sources", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["duplicates"] == [["d", "d-2", "d-3"]]
