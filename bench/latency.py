"""How fast the CLI answers, in-process and through the daemon, and how much memory each process holds (issue #14).

    .venv/bin/python bench/latency.py [--runs 20] [--keep DIR]

One home, built once: the shared real notes (``corpus/real/notes``) and the 5
LoCoMo dev conversations written as WhatsApp exports (``bench/locomo_data.py``).
Every figure is a whole CLI process, as a user runs it
(``python -m pocketmind search ...`` / ``ask ...``), process start included:

- ``search`` and ``ask`` cold in-process (no daemon), then through a running
  daemon (``pocketmind daemon start``) when this build's daemon serves the
  engine (``pocketmind.connect`` exists); p50 and p95 over ``--runs``
  different LoCoMo questions;
- ``ask`` first output: time to the first byte on stderr, where the CLI lists
  the passages a model reads before it answers (none when the data answers);
  first answer token: time to the first byte of the answer on stdout (a model
  answer is printed once verified, so its first token comes with its last);
- peak RSS of each CLI process (``ru_maxrss`` from ``wait4``);
- ``import pocketmind`` (``-X importtime``) and the bare interpreter's start;
- the daemon's RSS idle with its models released (``models.idle_unload_seconds``
  set low for that start), and warm after serving the queries.

The targets of issue #14 are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import locomo_data  # noqa: E402

NOTES = locomo_data.LOCOMO_DIR.parents[1] / "real" / "notes"
IDLE_UNLOAD_SECONDS = 5  # for the idle measurement only: release the models soon after the scan


@dataclass
class Run:
    wall: float  # seconds, process start to exit
    first_byte: float | None  # seconds to the first byte on stdout (the answer)
    first_event: float | None  # seconds to the first byte on stdout or stderr (for ask: the passages read)
    rss_mb: float  # peak resident set of the process
    cpu: float  # user + system seconds (what load on a shared machine does not inflate)
    code: int
    out: bytes
    err: bytes = b""

    @property
    def model_answered(self) -> bool:
        """The CLI listed the passages a model read (a question the data alone did not answer)."""
        return self.err.startswith(b"Reading ")


def cli(home: Path, *args: str, timeout: float = 900) -> Run:
    """Run ``python -m pocketmind`` once, timing it and reading its peak RSS from wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pocketmind", "--home", str(home), *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first, event, chunks, errors = None, None, [], []
    streams = {proc.stdout.fileno(): "out", proc.stderr.fileno(): "err"}
    while streams:
        for fd in select.select(list(streams), [], [], 1.0)[0]:
            data = os.read(fd, 65536)
            if not data:
                del streams[fd]
                continue
            event = event if event is not None else time.perf_counter() - started
            if streams[fd] == "out":
                first = first if first is not None else time.perf_counter() - started
                chunks.append(data)
            else:
                errors.append(data)
        if time.perf_counter() - started > timeout:
            proc.kill()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    return Run(wall, first, event, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, proc.returncode, b"".join(chunks), b"".join(errors))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build_home(home: Path, exports: Path) -> None:
    for path in sorted(locomo_data.LOCOMO_DIR.glob("*.json")):
        locomo_data.write_whatsapp_export(locomo_data.load(path), exports / path.stem)
    for kind, folder, name in (("notes", NOTES, "notes"), ("messages", exports, "locomo")):
        done = cli(home, "add", kind, str(folder), "--name", name)
        assert done.code == 0, done.out
    started = time.perf_counter()
    done = cli(home, "index", "--json", timeout=7200)
    assert done.code == 0, done.out[-2000:]
    print(f"built the home in {time.perf_counter() - started:.0f} s: {json.loads(done.out)['added']} documents")


def questions(runs: int) -> list[str]:
    """``runs`` LoCoMo questions, taken in turn from each conversation (no category-5 trick questions)."""
    per_conversation = [[q["question"] for q in locomo_data.load(p)["qa"] if q.get("category") != 5]
                        for p in sorted(locomo_data.LOCOMO_DIR.glob("*.json"))]
    return [per_conversation[n % len(per_conversation)][n // len(per_conversation)] for n in range(runs)]


def series(home: Path, command: str, asked: list[str]) -> list[Run]:
    runs = []
    for text in asked:
        run = cli(home, command, text)
        assert run.code == 0, f"{command} {text!r} exited {run.code}"
        runs.append(run)
    return runs


def import_time(module: str, repeat: int = 5) -> float:
    """Median seconds to import ``module`` (its cumulative -X importtime figure), each in a new interpreter."""
    times = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True)
        line = next(line for line in reversed(done.stderr.splitlines()) if line.rstrip().endswith(f"| {module}"))
        times.append(int(line.split("|")[1]) / 1e6)
    return statistics.median(times)


def interpreter_start(repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def daemon_serves() -> bool:
    """This build's daemon serves the engine when the client API exists (README: "pocketmind.connect")."""
    import pocketmind

    return hasattr(pocketmind, "connect")


def start_daemon(home: Path) -> int:
    done = cli(home, "daemon", "start")
    assert done.code == 0, done.out
    state = home / "state" / "daemon.json"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:  # the first scan is over when it watches
        try:
            now = json.loads(state.read_text())
            if now.get("activity") == "watching":
                return int(now["pid"])
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise TimeoutError("the daemon did not finish its first scan")


def wait_until_connected(home: Path) -> None:
    """Until the daemon answers on its socket (``pocketmind.connect`` raises while it cannot)."""
    import pocketmind
    from pocketmind.errors import PocketmindError

    deadline = time.monotonic() + 120
    while True:
        try:
            client = pocketmind.connect(home=str(home))
        except PocketmindError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        getattr(client, "close", lambda: None)()
        return


def stop_daemon(home: Path, pid: int | None) -> None:
    cli(home, "daemon", "stop")
    if pid is not None and Path(f"/proc/{pid}").exists():
        os.kill(pid, 9)


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set of a running process, from /proc/<pid>/status."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def log_size(home: Path) -> int:
    log = home / "logs" / "daemon.log"
    return log.stat().st_size if log.exists() else 0


def wait_for_release(home: Path, since: int, timeout: float = 120) -> bool:
    """Until the daemon logs that it released its models (after byte ``since`` of its log)."""
    log = home / "logs" / "daemon.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if b"models released" in log.read_bytes()[since:]:
            return True
        time.sleep(0.5)
    return False


def row(figure: str, measured: str, target: str = "") -> None:
    print(f"| {figure} | {measured} | {target} |")


def describe(runs: list[Run], *, first: bool = False) -> str:
    walls = [r.wall for r in runs]
    text = f"p50 {statistics.median(walls):.2f} s, p95 {percentile(walls, 0.95):.2f} s"
    if first:
        events = [r.first_event for r in runs if r.first_event is not None]
        firsts = [r.first_byte for r in runs if r.first_byte is not None]
        text += (f"; first output p50 {statistics.median(events):.2f} s, p95 {percentile(events, 0.95):.2f} s"
                 f"; first answer token p50 {statistics.median(firsts):.2f} s, p95 {percentile(firsts, 0.95):.2f} s")
    return (text + f"; CPU p50 {statistics.median(r.cpu for r in runs):.2f} s"
            f"; peak RSS p50 {statistics.median(r.rss_mb for r in runs):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="queries per series (each a new CLI process)")
    parser.add_argument("--keep", type=Path, help="build the home and the exports in this folder and keep them (reused)")
    args = parser.parse_args()

    if not list(locomo_data.LOCOMO_DIR.glob("*.json")):
        sys.exit(f"no LoCoMo conversations at {locomo_data.LOCOMO_DIR} (the shared corpus beside the repository)")
    work = Path(tempfile.mkdtemp(prefix="pm-bench-latency-"))
    folder = args.keep or work
    home = folder / "home"
    try:
        if not (home / "data").exists():
            build_home(home, folder / "locomo")
        status = json.loads(cli(home, "status", "--json").out)
        print(f"home {home}: {status['documents']} documents, {status['chunks']} chunks; embedder {status['embedder']}")
        asked = questions(args.runs)
        cli(home, "config", "models.idle_unload_seconds", "0")  # never, for the serving runs

        imported, engine_imported, bare = import_time("pocketmind"), import_time("pocketmind.engine"), interpreter_start()
        in_search = series(home, "search", asked)
        in_ask = series(home, "ask", asked)

        serving = daemon_serves()
        pid = None
        try:
            cli(home, "config", "models.idle_unload_seconds", str(IDLE_UNLOAD_SECONDS))
            logged = log_size(home)
            pid = start_daemon(home)
            released = wait_for_release(home, logged)
            idle_rss = rss_mb(pid)
            stop_daemon(home, pid)
            cli(home, "config", "models.idle_unload_seconds", "0")
            pid = start_daemon(home)
            scanned_rss = rss_mb(pid)
            if serving:
                wait_until_connected(home)
                # The first query after a start loads the models in the daemon: shown apart from the series.
                first_search, first_ask = series(home, "search", asked[:1])[0], series(home, "ask", asked[:1])[0]
                via_search = series(home, "search", asked)
                via_ask = series(home, "ask", asked)
                warm_rss = rss_mb(pid)
        finally:
            stop_daemon(home, pid)

        print(f"\n{args.runs} runs per series; 2-core machine, load average {os.getloadavg()[0]:.1f} at the end\n")
        row("figure", "measured", "target")
        row("---", "---", "---")
        row("`import pocketmind`; `import pocketmind.engine` (-X importtime, median of 5); bare interpreter start",
            f"{imported:.2f} s; {engine_imported:.2f} s; {bare:.2f} s")
        row("CLI `search`, cold in-process (wall)", describe(in_search), "p50 <= 1.5 s; RSS <= 250 MB")
        row("CLI `ask`, cold in-process (wall)", describe(in_ask, first=True))
        if model := [r for r in in_ask if r.model_answered]:
            row(f"... the {len(model)} of them the model answered (the passages read come first)", describe(model, first=True))
        if serving:
            row("first CLI `search`, then `ask`, through a freshly started daemon (it loads the models)",
                f"{first_search.wall:.2f} s; {first_ask.wall:.2f} s (first output {first_ask.first_event:.2f} s, first answer token {first_ask.first_byte:.2f} s)")
            row("CLI `search` through the daemon (wall)", describe(via_search), "p50 <= 150 ms")
            row("CLI `ask` through the daemon (wall)", describe(via_ask, first=True), "first token <= 1 s")
            model = [r for r in via_ask if r.model_answered]
            if model:
                row(f"... the {len(model)} of them the model answered (the passages read come first)", describe(model, first=True))
            row("daemon RSS warm, after the queries (now; peak)", f"{warm_rss[0]:.0f} MB; {warm_rss[1]:.0f} MB", "<= 400 MB at 100k chunks")
        else:
            row("CLI through the daemon", "not measured: this build's daemon does not serve (no pocketmind.connect)", "")
        row(f"daemon RSS idle after its scan, models {'released' if released else 'never released'} (now; peak)",
            f"{idle_rss[0]:.0f} MB; {idle_rss[1]:.0f} MB", "<= 150 MB")
        row("daemon RSS before serving, after its scan (now; peak)", f"{scanned_rss[0]:.0f} MB; {scanned_rss[1]:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
