"""The daemon's socket: real daemons (a background process, or a thread), real clients, the real CLI."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import socket
import stat
import threading
from pathlib import Path

import pytest

import pocketmind
from daemons import MODEL_QUESTION, WaitingPlugin, daemon_thread, wait_for
from helpers import SAMPLES
from pocketmind import client as client_mod
from pocketmind.cli import main as cli_main
from pocketmind.client import DaemonError, DaemonNotRunning
from pocketmind.daemon.service import read_state, running_daemon_pid
from pocketmind.engine import Engine
from pocketmind.paths import resolve_paths
from pocketmind.protocol import PROTOCOL_VERSION, LineReader, encode, socket_path
from pocketmind.results import Answer, Result

ANNA = "When is Anna moving to Berlin?"
# What the CLI prints, both ways: through the daemon and in-process.
COMMANDS = [
    ("search", "fox charm at Fushimi Inari"),
    ("search", "fox charm at Fushimi Inari", "--json"),
    ("search", "Anna news", "--kind", "message", "--since", "2025-01-01", "--until", "2025-12-31", "--json"),
    ("search", "Berlin", "--person", "Anna", "--k", "2"),
    ("ask", ANNA),
    ("ask", ANNA, "--json"),
    ("sources",),
    ("sources", "--json"),
    ("status",),
    ("status", "--json"),
]


def run_cli(home: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["--home", str(home), *args])
    return code, out.getvalue(), err.getvalue()


def comparable(args: tuple[str, ...], printed: str) -> str:
    """The quick check's duration differs from run to run; nothing else may."""
    if args[0] != "status":
        return printed
    if "--json" in args:
        status = json.loads(printed)
        del status["check"]["seconds"]
        return json.dumps(status, sort_keys=True)
    return re.sub(r"ok \(\d+ ms", "ok (N ms", printed)


@pytest.fixture(scope="module")
def served(tmp_path_factory, warm_models):
    """A home with the sample notes and chats, and a daemon started in the background the way a
    user starts it. Stopped at the end."""
    home = tmp_path_factory.mktemp("served") / "home"
    assert run_cli(home, "add", "notes", str(SAMPLES / "notes"), "--name", "notes")[0] == 0
    assert run_cli(home, "add", "messages", str(SAMPLES / "messages"), "--name", "chat")[0] == 0
    assert run_cli(home, "index")[0] == 0
    state = resolve_paths(home).state_dir
    assert running_daemon_pid(state) is None
    assert run_cli(home, "daemon", "start", "--quiet", "0.3")[0] == 0
    try:
        pid = running_daemon_pid(state)
        wait_for(lambda: read_state(state).get("activity") == "watching", 120, "the daemon's initial scan")
        yield home, pid
    finally:
        assert run_cli(home, "daemon", "stop")[0] == 0


def test_the_cli_prints_the_same_through_the_daemon_as_in_process(served, monkeypatch, tmp_path):
    home, pid = served
    for args in COMMANDS:
        monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
        through_daemon = run_cli(home, *args)
        # Looking for the socket in another runtime folder, the CLI finds no daemon and opens the engine.
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
        in_process = run_cli(home, *args)
        assert [(code, comparable(args, out), err) for code, out, err in (through_daemon, in_process)] == [
            (0, comparable(args, in_process[1]), "")] * 2, args
        if args == ("search", "fox charm at Fushimi Inari", "--json"):
            assert json.loads(in_process[1])["results"][0]["id"] == "notes:Kyoto trip.md"
        if args == ("ask", ANNA, "--json"):
            assert json.loads(in_process[1])["answer"] == "1 March 2025 [1]"
    assert not (tmp_path / "pocketmind").exists() or not any((tmp_path / "pocketmind").iterdir())


def test_cli_ask_shows_the_passages_read_first_on_stderr_the_same_both_ways(served, monkeypatch, tmp_path):
    home, _ = served
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    code, through_daemon, shown = run_cli(home, "ask", MODEL_QUESTION)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no daemon there: in-process
    assert run_cli(home, "ask", MODEL_QUESTION)[::2] == (0, shown)
    assert code == 0 and shown.startswith("Reading 3 passages while the model answers:\n")
    assert "  [1] “Day 2 Up at six to beat the crowds at Fushimi Inari.”  note · Kyoto trip" in shown
    assert "Reading" not in through_daemon and "Sources" in through_daemon  # stdout: the answer card alone


def test_socket_is_private_and_the_daemon_has_no_internet_socket(served):
    home, pid = served
    path = socket_path(resolve_paths(home))
    info = os.lstat(path)
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert stat.S_IMODE(os.lstat(path.parent).st_mode) == 0o700
    assert info.st_uid == os.getuid()
    # Every socket the daemon process holds, by inode, against the kernel's tables.
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    assert inodes, "the daemon holds its listening socket"

    def table_inodes(name: str) -> set[str]:
        lines = Path(f"/proc/{pid}/net/{name}").read_text().splitlines()[1:]
        column = 6 if name == "unix" else 9
        return {line.split()[column] for line in lines if len(line.split()) > column}

    for name in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        assert not inodes & table_inodes(name), f"the daemon holds a {name} socket"
    unix = [line for line in Path(f"/proc/{pid}/net/unix").read_text().splitlines()[1:]
            if line.split()[6] in inodes and line.endswith(str(path))]
    assert unix, "the listening socket is the Unix socket at the socket path"


def test_concurrent_clients_get_their_own_results(served):
    home, _ = served
    queries = [("fox charm at Fushimi Inari", {}), ("Berlin", {"person": "Anna"}), ("torii gates", {"kinds": ["note"]}),
               ("news", {"sources": ["chat"]})]
    with pocketmind.connect(home) as client:
        expected = {q: [r.id for r in client.search(q, **f)] for q, f in queries}
    assert expected["fox charm at Fushimi Inari"][0] == "notes:Kyoto trip.md"
    assert all(i.startswith("chat:") for i in expected["news"])
    got: dict[int, list] = {}

    def work(n: int) -> None:
        with pocketmind.connect(home) as client:
            got[n] = [(q, [r.id for r in client.search(q, **f)]) for q, f in queries[n % 4:] + queries[: n % 4]]
            got[n].append((ANNA, client.ask(ANNA).text))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(got) == list(range(8))
    for n, answers in got.items():
        for query, ids in answers[:-1]:
            assert ids == expected[query], (n, query)
        assert answers[-1] == (ANNA, "1 March 2025 [1]")


def test_client_api_reads_and_fetches_a_cited_document(served):
    home, pid = served
    tokens = []
    with pocketmind.connect(home) as client:
        assert client.pid == pid
        answer = client.ask(ANNA, on_token=tokens.append)
        assert isinstance(answer, Answer) and "".join(tokens) == answer.text == "1 March 2025 [1]"
        assert answer.evidence and answer.citations[answer.evidence[0].citation - 1].source == "chat"
        assert [s["name"] for s in client.sources()] == ["chat", "notes"]
        assert client.status()["documents"] == 17
        top = client.search("fox charm at Fushimi Inari", k=1)[0]
        by_id = client.document(top.id)
        assert by_id["title"] == "Kyoto trip" and "Bought a small fox charm for Mum" in by_id["text"]
        assert client.document(top.uri) == by_id
        cited = answer.citations[0]
        assert client.document(cited.uri)["source"] == "chat"  # a message's link carries #L<line>
        assert client.document("notes:no such note") is None


def test_protocol_mismatch_is_one_clear_line(served, monkeypatch):
    home, _ = served
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
        raw.connect(str(socket_path(resolve_paths(home))))
        raw.sendall(encode({"op": "hello", "version": PROTOCOL_VERSION + 1}))
        reply = LineReader(raw).read(10)
        assert reply["event"] == "error" and reply["type"] == "ProtocolMismatch" and reply["version"] == PROTOCOL_VERSION
        assert LineReader(raw).read(10) is None  # and it hangs up
    monkeypatch.setattr(client_mod, "PROTOCOL_VERSION", PROTOCOL_VERSION + 1)  # a newer pocketmind beside this daemon
    with pytest.raises(DaemonError) as caught:
        pocketmind.connect(home)
    assert str(caught.value) == (
        f"the running pocketmind daemon speaks protocol version {PROTOCOL_VERSION}, this pocketmind speaks version "
        f"{PROTOCOL_VERSION + 1}: restart the daemon so both are the same version (`pocketmind daemon stop`, then "
        "`pocketmind daemon start`)")
    code, out, err = run_cli(home, "search", "fox")
    assert code == 1 and out == "" and err.startswith("error: the running pocketmind daemon speaks protocol version")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_without_a_daemon_connect_says_so_and_can_fall_back(isolated_home):
    with Engine(home=isolated_home) as engine:
        engine.add_source("notes", SAMPLES / "notes", name="notes")
    with pytest.raises(DaemonNotRunning, match=r"no pocketmind daemon is running for this home .* start one with `pocketmind daemon start`"):
        pocketmind.connect(isolated_home)
    # A socket file left by a killed daemon answers nothing: still "not running".
    path = socket_path(resolve_paths(isolated_home))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))
    with pytest.raises(DaemonNotRunning):
        pocketmind.connect(isolated_home)
    with pocketmind.connect(isolated_home, fallback=True) as engine:
        assert isinstance(engine, Engine) and [s["name"] for s in engine.sources()] == ["notes"]
    code, out, err = run_cli(isolated_home, "sources", "--json")
    assert code == 0 and [s["name"] for s in json.loads(out)["sources"]] == ["notes"]


# -- a daemon in a thread: what the server does with its engine ---------------------------------


@pytest.fixture
def threaded(isolated_home, warm_models):
    plugin = WaitingPlugin()
    engine = Engine(home=isolated_home, plugins=[plugin])
    engine.settings.set("models.answerer", "waits")
    engine.add_source("notes", SAMPLES / "notes", name="notes")
    try:
        with daemon_thread(engine) as daemon:
            yield engine, daemon, plugin.answerer
    finally:
        engine.close()


def test_a_client_that_goes_away_cancels_its_answer(threaded):
    engine, daemon, answerer = threaded
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    raw.connect(str(socket_path(engine.paths)))
    raw.sendall(encode({"op": "hello", "version": PROTOCOL_VERSION}))
    assert LineReader(raw).read(10)["event"] == "result"
    raw.sendall(encode({"op": "ask", "args": {"question": MODEL_QUESTION}}))
    assert answerer.started.wait(60), "the question reached the model"
    raw.close()
    assert answerer.cancelled.wait(10), "the model was told to stop"
    wait_for(lambda: daemon.server.cancelled == 1, 10, "the server to count the cancelled answer")


def test_a_client_can_cancel_and_go_on(threaded):
    engine, daemon, answerer = threaded
    cancel = threading.Event()
    with pocketmind.connect(engine.paths.home) as client:
        threading.Thread(target=lambda: answerer.started.wait(60) and cancel.set()).start()
        answer = client.ask(MODEL_QUESTION, cancel=cancel)
        assert answerer.cancelled.is_set() and answer.text == "" and daemon.server.cancelled == 1
        assert client.search("fox charm", k=1)[0].id == "notes:Kyoto trip.md"  # the connection goes on


def test_the_passages_read_come_before_the_model_answers_in_process_and_through_the_daemon(threaded):
    engine, daemon, answerer = threaded
    seen = {}
    for face in ("in-process", "daemon"):
        answerer.started.clear()
        cancel = threading.Event()

        def passages(quotes, cited, face=face, cancel=cancel):
            seen[face] = (answerer.started.is_set(), [(q.citation, q.quote) for q in quotes], [r.id for r in cited])
            cancel.set()  # the waiting model returns at once

        if face == "in-process":
            engine.ask(MODEL_QUESTION, on_passages=passages, cancel=cancel)
        else:
            with pocketmind.connect(engine.paths.home) as client:
                client.ask(MODEL_QUESTION, on_passages=passages, cancel=cancel)
    # The same passages both ways; in-process they come before the model starts (through the
    # socket the event may arrive once it has: the daemon does not wait for the client to read it).
    assert seen["in-process"][1:] == seen["daemon"][1:]
    model_started, quotes, cited = seen["in-process"]
    assert not model_started and cited[0] == "notes:Kyoto trip.md"
    assert quotes[0] == (1, "Day 2 Up at six to beat the crowds at Fushimi Inari.")  # the line naming most of what is asked
    assert [n for n, _ in quotes] == list(range(1, len(cited) + 1))  # one line of each passage, in order


def test_reads_never_wait_for_a_write_batch(threaded):
    engine, daemon, _ = threaded
    writing, release = threading.Event(), threading.Event()

    def batch() -> None:  # what the loop thread holds while it commits a batch
        with engine.write_lock, engine.store.transaction():
            engine.store.set_meta("held-by-test", "1")
            writing.set()
            release.wait(30)

    writer = threading.Thread(target=batch)
    writer.start()
    try:
        assert writing.wait(10)
        found = []
        with pocketmind.connect(engine.paths.home) as client:
            reader = threading.Thread(target=lambda: found.extend(client.search("fox charm", k=1)))
            reader.start()
            reader.join(20)
            assert not reader.is_alive(), "a search waited for the write batch"
            assert found[0].id == "notes:Kyoto trip.md"
            assert client.status()["documents"] == 5
    finally:
        release.set()
        writer.join(10)


def test_models_a_client_loaded_are_released_when_idle(isolated_home, warm_models):
    with Engine(home=isolated_home) as engine:
        engine.add_source("notes", SAMPLES / "notes", name="notes")
        engine.index()
        with daemon_thread(engine, idle_unload_seconds=1):
            wait_for(lambda: not engine.models_loaded, 10, "the idle daemon to release what its initial scan loaded")
            with pocketmind.connect(isolated_home) as client:
                assert client.search("fox charm", k=1)[0].id == "notes:Kyoto trip.md"
                assert engine.models_loaded
                wait_for(lambda: not engine.models_loaded, 10, "the idle daemon to release the embedder")
                assert client.search("fox charm", k=1)[0].id == "notes:Kyoto trip.md"  # loaded again when asked


def test_a_daemon_that_does_not_answer_is_one_clear_error(isolated_home):
    path = socket_path(resolve_paths(isolated_home))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stuck:  # listens, never says hello
        stuck.bind(str(path))
        stuck.listen(1)
        with pytest.raises(DaemonError, match=r"^the pocketmind daemon did not answer within 1 s; try again"):
            client_mod.connect(isolated_home, timeout=1)


def test_the_piped_search_prints_what_rich_prints():
    # Through the daemon to a pipe, `search` prints without rich: the same text, for text that looks
    # like markup, escapes, control characters, CJK and highlighted matches.
    from rich.console import Console

    from pocketmind.cli.output import print_result
    from pocketmind.cli.piped import result_lines

    result = Result(id="notes:a [old]\\b.md", kind="note", source="notes [x]", title="Notes [old] \\[bold]x[/bold]",
                    snippet="Anna: \x1b[31mmoving[0m to 柏林 [red]now[/red]\nsecond line", time="2025-03-01T10:00:00",
                    uri=None, score=1.0, author="Anna\nB", highlights=[(13, 19), (23, 25)])
    printed = io.StringIO()
    print_result(Console(file=printed, emoji=False, highlight=False, soft_wrap=True), 3, result)
    assert "\n".join(result_lines(3, result)) + "\n" == printed.getvalue()
