"""Daemon benchmark: change-to-searchable latency and idle CPU, against a temporary home.

    /work/venv/bin/python bench/daemon.py [--changes 20] [--idle 60] [--quiet 1.0]

Starts ``pocketmind daemon run`` as a real process over a generated notes
folder, makes file changes (new notes and edits, alternately), and times each
from the write until its text is in the full-text index (chunks, full text and
vectors are committed together, so that is when search finds it). Then it
leaves the daemon alone and reads its CPU time from /proc/<pid>/stat.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pocketmind.engine import Engine  # noqa: E402

WORDS = "harbour lantern orchard ledger quarry violin meadow comet pepper granite ferry tulip saddle cobalt walnut glacier".split()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat(5), counted after the comm field
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise TimeoutError("the daemon did not catch up")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement")
    parser.add_argument("--quiet", type=float, default=1.0, help="the daemon's quiet period")
    parser.add_argument("--notes", type=int, default=50, help="notes in the watched folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pm-bench-daemon-") as tmp:
        home, notes = Path(tmp) / "home", Path(tmp) / "Notes"
        notes.mkdir()
        for n in range(args.notes):
            (notes / f"note-{n:03d}.md").write_text(f"# Note {n}\n\n" + " ".join(WORDS[(n + i) % len(WORDS)] for i in range(40)) + "\n")
        engine = Engine(home=home)
        engine.add_source("notes", notes, name="notes")
        proc = subprocess.Popen([sys.executable, "-m", "pocketmind.cli", "--home", str(home), "daemon", "run", "--quiet", str(args.quiet)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state_file = home / "state" / "daemon.json"
        try:
            started = time.perf_counter()

            def scanned() -> bool:
                try:
                    state = json.loads(state_file.read_text())
                except (OSError, ValueError):
                    return False
                return state.get("pid") == proc.pid and state.get("activity") == "watching"

            wait_for(scanned, 300)
            print(f"initial scan of {args.notes} notes (incl. model load): {time.perf_counter() - started:.1f} s")

            latencies = []
            for n in range(args.changes):
                token = f"zqx{n}marker"
                target = notes / (f"new-{n:02d}.md" if n % 2 == 0 else f"note-{n:03d}.md")
                began = time.perf_counter()
                target.write_text(f"# Change {n}\n\nThe {token} shows up in search.\n")
                wait_for(lambda: engine.store.conn.execute(
                    "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (token,)).fetchone()[0] > 0, 60)
                latencies.append(time.perf_counter() - began)
            print(f"change -> searchable over {len(latencies)} changes (quiet period {args.quiet:g} s): "
                  f"median {statistics.median(latencies):.2f} s, min {min(latencies):.2f} s, max {max(latencies):.2f} s")

            time.sleep(2)  # let the last state write settle
            before, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(args.idle)
            used, elapsed = cpu_seconds(proc.pid) - before, time.monotonic() - t0
            print(f"idle CPU over {elapsed:.0f} s: {used:.3f} s CPU ({100 * used / elapsed:.3f} % of one core)")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
            engine.close()


if __name__ == "__main__":
    main()
