"""The CLI and the Python client through the daemon's socket, against the same commands in-process.

    python bench/socket_client.py [--runs 20] [--home DIR]

Indexes the bundled samples into a temporary home (or uses ``--home``), then
times, as wall clock of whole processes (interpreter start included):

- ``python -m pocketmind search ... --json`` in-process (no daemon), then
  through a running daemon; p50 and p95 over ``--runs``;
- ``python -m pocketmind ask`` the same way, for a question answered from the
  data and one answered by the model;
- inside one Python process, ``pocketmind.connect()`` then ``search`` and
  ``ask``: time to the first token and to the whole answer (the first token is
  the verified answer: nothing is shown before it is checked);
- ``python -c "import pocketmind.client"`` and ``import pocketmind.cli.commands``,
  and which heavy modules the CLI loads through the daemon (none expected).

The machine is shared: run it when the load average is low, and read the
figures beside the baseline printed first (an empty interpreter's start).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "pocketmind" / "samples"
DATA_QUESTION = "When is Anna moving to Berlin?"  # answered from the data
MODEL_QUESTION = "What did I buy for Mum at Fushimi Inari?"  # answered by the model
HEAVY = ("numpy", "apsw", "pocketmind.engine", "llama_cpp", "onnxruntime", "torch", "watchdog", "sentence_transformers")


CPU: list[float] = []  # CPU seconds (user + system) of each process timed by wall(), for spread()


def wall(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one process; its CPU seconds go to CPU (less sensitive to a shared machine's load)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return seconds


def spread(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    cpu = f"   cpu p50 {statistics.median(CPU) * 1000:6.0f} ms" if CPU else ""
    CPU.clear()
    return f"p50 {statistics.median(times) * 1000:7.0f} ms   p95 {p95 * 1000:7.0f} ms{cpu}   (n={len(times)})"


def pm(*args: str) -> list[str]:
    return [sys.executable, "-m", "pocketmind", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--home", help="an indexed home to use (default: the samples in a temporary one)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a timeout's SIGTERM still stops the daemon (finally)
    home = Path(args.home or tempfile.mkdtemp(prefix="pm-socket-bench-")) / ("" if args.home else "home")
    env = {**os.environ, "POCKETMIND_HOME": str(home)}
    if not args.home:
        for kind, name in (("notes", "notes"), ("messages", "chat"), ("calendar", "calendar"), ("contacts", "contacts")):
            subprocess.run(pm("add", kind, str(SAMPLES / kind), "--name", name), env=env, check=True, capture_output=True)
        subprocess.run(pm("index"), env=env, check=True, capture_output=True)
    print(f"home {home}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'empty interpreter (python -c pass)':44s} {spread([wall([sys.executable, '-c', 'pass'], env) for _ in range(args.runs)])}")
    # Before the daemon answered, `import pocketmind` (and the CLI) imported the engine, with numpy and SQLite.
    for module in ("pocketmind.client", "pocketmind.cli.commands", "pocketmind.engine, pocketmind.cli.commands"):
        times = [wall([sys.executable, "-c", f"import {module}"], env) for _ in range(args.runs)]
        print(f"{'import ' + module:44s} {spread(times)}")

    search = ["search", "fox charm at Fushimi Inari", "--json"]
    cold_runs = max(3, args.runs // 4)  # each loads the models: seconds per run
    print(f"{'CLI search, in-process (cold)':44s} {spread([wall(pm(*search), env) for _ in range(cold_runs)])}")
    print(f"{'CLI ask (data), in-process (cold)':44s} {spread([wall(pm('ask', DATA_QUESTION, '--json'), env) for _ in range(cold_runs)])}")

    subprocess.run(pm("daemon", "start"), env=env, check=True, capture_output=True)
    try:
        import pocketmind

        with pocketmind.connect(home) as client:  # the daemon loads its models on the first calls
            client.search("warm up")
            client.ask(MODEL_QUESTION)
        print(f"{'CLI search, through the daemon':44s} {spread([wall(pm(*search), env) for _ in range(args.runs)])}")
        print(f"{'CLI search (printed), through the daemon':44s} {spread([wall(pm(*search[:-1]), env) for _ in range(args.runs)])}")
        print(f"{'CLI ask (data), through the daemon':44s} {spread([wall(pm('ask', DATA_QUESTION, '--json'), env) for _ in range(args.runs)])}")
        model_runs = max(3, args.runs // 4)  # the model generates for seconds each time
        print(f"{'CLI ask (model), through the daemon':44s} {spread([wall(pm('ask', MODEL_QUESTION, '--json'), env) for _ in range(model_runs)])}")
        probe = ("import sys, runpy, io, contextlib; sys.argv = ['pocketmind', 'search', 'fox', '--json']\n"
                 "with contextlib.redirect_stdout(io.StringIO()):\n"
                 "    try: runpy.run_module('pocketmind', run_name='__main__')\n"
                 "    except SystemExit: pass\n"
                 f"print(','.join(m for m in {HEAVY!r} if m in sys.modules) or 'none')")
        loaded = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True).stdout.strip()
        print(f"heavy modules the CLI loads through the daemon: {loaded}")
        with pocketmind.connect(home) as client:
            for label, call in (("search", lambda on_token: client.search("fox charm at Fushimi Inari")),
                                ("ask (data)", lambda on_token: client.ask(DATA_QUESTION, on_token=on_token)),
                                ("ask (model)", lambda on_token: client.ask(MODEL_QUESTION, on_token=on_token))):
                first, total = [], []
                for _ in range(args.runs if label != "ask (model)" else max(3, args.runs // 4)):
                    started, seen = time.perf_counter(), []
                    call(lambda text: seen.append(time.perf_counter() - started))
                    total.append(time.perf_counter() - started)
                    first.extend(seen[:1])
                print(f"{'client ' + label + ', whole call':44s} {spread(total)}")
                if first:
                    print(f"{'client ' + label + ', first token':44s} {spread(first)}")
    finally:
        subprocess.run(pm("daemon", "stop"), env=env, capture_output=True)


if __name__ == "__main__":
    main()
