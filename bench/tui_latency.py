"""How fast the TUI shows a search and an answer: through a running daemon, and in-process (issue #14).

    .venv/bin/python bench/tui_latency.py [--runs 10]

One home with the bundled sample notes and chats. The TUI runs headless under
Textual's Pilot, as in the tests; each figure is the time from Enter to the
results (or the finished answer card) on screen. First with a daemon started
as a user starts it (``pocketmind daemon start``, a separate process), then
with the daemon stopped: the TUI's own engine answers, its first search
paying for the embedder's load.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual.widgets import Input, Label

from pocketmind.engine import Engine
from pocketmind.tui.app import make_app

SAMPLES = Path(__file__).resolve().parents[1] / "pocketmind" / "samples"
QUERIES = ["fox charm at Fushimi Inari", "Berlin", "sourdough starter ratio", "torii gates", "the movers", "piano",
           "coffee on Saturday", "guest room", "cherry blossoms", "party"]
QUESTION = "When is Anna moving to Berlin?"  # answered from the data's dates: no LLM on either side


def cli(home: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pocketmind", "--home", str(home), *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def until(pilot, condition, step: float = 0.002, timeout: float = 300) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the TUI did not answer")
        await pilot.pause(step)


async def measure(home: Path, runs: int) -> dict[str, list[float]]:
    """Seconds from Enter to the screen showing it: each search, then each answer."""
    times: dict[str, list[float]] = {"search": [], "ask": []}
    with Engine(home=home) as engine:
        app = make_app(engine)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f3")
            status = app.screen.query_one("#search-status", Label)
            for query in (QUERIES * runs)[:runs]:
                status.update("")
                app.screen.query_one("#query", Input).value = query
                started = time.perf_counter()
                await pilot.press("enter")
                await until(pilot, lambda: f"for “{query}”" in str(status.content) and "searching" not in str(status.content))
                times["search"].append(time.perf_counter() - started)
            await pilot.press("f2")
            screen = app.screen
            for _ in range(runs):
                await pilot.press("ctrl+l")
                screen.query_one("#question", Input).value = QUESTION
                started = time.perf_counter()
                await pilot.press("enter")
                await until(pilot, lambda: screen.running is None and screen.exchanges[-1].state == "done")
                times["ask"].append(time.perf_counter() - started)
    return times


def line(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<34} first {seconds[0] * 1000:8.0f} ms   p50 {statistics.median(ms):8.0f} ms   p95 {p95:8.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pm-tui-bench-") as tmp:
        home = Path(tmp) / "home"
        cli(home, "add", "notes", str(SAMPLES / "notes"), "--name", "notes")
        cli(home, "add", "messages", str(SAMPLES / "messages"), "--name", "chat")
        cli(home, "index")
        cli(home, "daemon", "start")
        try:
            served = asyncio.run(measure(home, args.runs))
        finally:
            cli(home, "daemon", "stop")
        own = asyncio.run(measure(home, args.runs))
    print(f"TUI, Enter to screen, {args.runs} runs each (sample home: 5 notes, 12 messages)")
    print(line("search through the daemon", served["search"]))
    print(line("search in-process", own["search"]))
    print(line("ask (from the data) through daemon", served["ask"]))
    print(line("ask (from the data) in-process", own["ask"]))


if __name__ == "__main__":
    main()
