"""The answer path against a raw llama-cpp-python call, and peak memory per command.

    python bench/answer.py [--questions 8] [--reps 3] [--tokens 32] [--no-memory]

Indexes the bundled sample data in a temporary home. For each question,
``Engine.ask`` (retrieval, prompt packing and the answerer's token loop) and a
raw ``Llama.create_completion`` streaming the exact prompt the answerer built,
with the answerer's own generation options, run in the same process,
interleaved (ask/raw, then raw/ask, ...) so that load from other processes on
a shared machine falls on both alike. Both generate exactly ``--tokens``
tokens (end-of-text banned, no stop strings) so tokens/s compares like with
like; the generated texts must be identical, which checks that both saw the
same prompt. Before every timed call the model holds the instructions alone,
as it does after any earlier question (llama.cpp keeps the evaluated prompt and
reuses its matching prefix); "cold" runs the raw call after ``Llama.reset()``
to show what that reuse saves. Figures are medians over questions and
repetitions, with the spread (25th-75th percentile) of the per-pair ratios.

Date questions answered from the data never reach the model, so the
questions here are ones the model answers.

Peak RSS of ``index``, ``search`` and ``ask`` is measured in child processes
(one command each), from ``resource.getrusage(RUSAGE_CHILDREN)``; the idle
daemon's RSS is read from /proc after its first scan has finished, and again
after it has released its models (``models.idle_unload_seconds``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from pocketmind import Engine
from pocketmind.answer.llama import LlamaAnswerer
from pocketmind.answer.prompt import PROMPT_PREFIX
from pocketmind.hookspecs import hookimpl

SAMPLES = Path(__file__).resolve().parents[1] / "pocketmind" / "samples"
QUESTIONS = [
    "What did I buy for Mum at Fushimi Inari?",
    "What ratio do I feed my sourdough starter?",
    "Which book did Tom recommend?",
    "Where did we eat kaiseki?",
    "What did Anna sell before she moved?",
    "How long do I bulk ferment the dough?",
    "Where is the Sunday long run?",
    "Who is my dentist?",
]


class FixedLengthAnswerer(LlamaAnswerer):
    """The product's answerer, generating exactly ``max_tokens`` tokens and remembering its last prompt."""

    last_prompt: str | None = None
    _options: dict | None = None

    def generation_options(self) -> dict:
        if self._options is None:  # built once: finding the end-of-generation tokens walks the vocabulary
            import llama_cpp

            vocab = self.llm._model.vocab
            eog = [t for t in range(self.llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)]

            def no_end(_ids, logits):
                logits[eog] = -np.inf
                return logits

            self._options = {**super().generation_options(), "stop": [], "logits_processor": [no_end]}
        return self._options

    def prompt(self, question, contexts):
        self.last_prompt = super().prompt(question, contexts)
        return self.last_prompt


class FixedLengthPlugin:
    def __init__(self, tokens: int):
        self.tokens = tokens

    @hookimpl
    def register_answerers(self, register):
        def make(engine):
            m = engine.settings.models
            return FixedLengthAnswerer(m.llm_path, m.llm_threads, m.llm_context, self.tokens, engine.paths.cache_dir)

        register("llama-fixed-length", make)


def token_times(pieces: Iterable[str], started: float) -> tuple[float, float, list[str]]:
    """(time to first piece, pieces/s after it, pieces) of a stream of non-empty text pieces."""
    marks, texts = [], []
    for piece in pieces:
        marks.append(time.perf_counter())
        texts.append(piece)
    rate = (len(marks) - 1) / (marks[-1] - marks[0]) if len(marks) > 1 else float("nan")
    return marks[0] - started, rate, texts


def timed_ask(engine: Engine, question: str) -> tuple[float, float, list[str]]:
    texts: list[str] = []
    marks: list[float] = []
    started = time.perf_counter()
    engine.ask(question, on_token=lambda piece: (marks.append(time.perf_counter()), texts.append(piece)))
    rate = (len(marks) - 1) / (marks[-1] - marks[0]) if len(marks) > 1 else float("nan")
    return marks[0] - started, rate, texts


def timed_raw(llm, prompt: str, options: dict) -> tuple[float, float, list[str]]:
    started = time.perf_counter()
    chunks = llm.create_completion(prompt, stream=True, **options)
    return token_times((c["choices"][0]["text"] for c in chunks if c["choices"][0]["text"]), started)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return float(q1), float(q2), float(q3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--reps", type=int, default=3, help="interleaved ask/raw pairs per question")
    parser.add_argument("--tokens", type=int, default=32, help="tokens generated per call, on both sides")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS section")
    args = parser.parse_args()
    questions = QUESTIONS[: args.questions]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp, Engine(home=Path(tmp) / "home", plugins=[FixedLengthPlugin(args.tokens)]) as engine:
        engine.settings.models.answerer = "llama-fixed-length"
        for kind in ("notes", "messages", "calendar", "contacts"):
            engine.add_source(kind, SAMPLES / kind, name=kind)
        engine.index()
        answerer: FixedLengthAnswerer = engine.answerer
        llm = answerer.llm
        options = answerer.generation_options()

        def instructions_only() -> None:
            """The state any earlier question leaves: the shared instructions evaluated, nothing after them."""
            llm.create_completion(PROMPT_PREFIX, max_tokens=1)

        engine.ask(questions[0])  # warm: models loaded, caches filled
        pairs, cold = [], []
        prompts: dict[str, str] = {}  # the prompt ask built for each question, given to the raw call

        def ask_call(question: str) -> tuple:
            result = timed_ask(engine, question)
            prompts[question] = answerer.last_prompt
            return result

        for rep in range(args.reps):
            for question in questions:
                measured: dict[str, tuple] = {}
                order: list[tuple[str, Callable]] = [("ask", lambda: ask_call(question)),
                                                     ("raw", lambda: timed_raw(llm, prompts[question], options))]
                if rep % 2:  # ask first on even repetitions (the first one builds the prompt), raw first on odd ones
                    order.reverse()
                for label, call in order:
                    instructions_only()
                    measured[label] = call()
                llm.reset()
                cold.append(timed_raw(llm, prompts[question], options)[0])
                (a_ttft, a_rate, a_text), (r_ttft, r_rate, r_text) = measured["ask"], measured["raw"]
                if a_text != r_text:
                    raise SystemExit(f"ask and raw generated different text for {question!r}: {''.join(a_text)!r} vs {''.join(r_text)!r}")
                pairs.append((question, a_ttft, r_ttft, a_rate, r_rate, len(a_text)))
    print_answer_table(pairs, cold, args)
    print(f"load average after the answer runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.no_memory:
        print_peak_memory()


def print_answer_table(pairs: list[tuple], cold: list[float], args) -> None:
    print(f"\n{len(pairs)} interleaved ask/raw pairs ({args.reps} per question), {args.tokens} tokens generated per call")
    print(f"{'question':42s} {'ask TTFT':>9s} {'raw TTFT':>9s} {'cold TTFT':>10s} {'ask tok/s':>10s} {'raw tok/s':>10s}")
    for question in dict.fromkeys(p[0] for p in pairs):
        rows = [p for p in pairs if p[0] == question]
        cold_q = [c for p, c in zip(pairs, cold) if p[0] == question]
        med = lambda i: statistics.median(r[i] for r in rows)  # noqa: E731
        print(f"{question[:42]:42s} {med(1) * 1000:7.0f}ms {med(2) * 1000:7.0f}ms {statistics.median(cold_q) * 1000:8.0f}ms"
              f" {med(3):10.1f} {med(4):10.1f}")
    ttft = quartiles([p[2] / p[1] for p in pairs])
    speed = quartiles([p[3] / p[4] for p in pairs])
    reuse = quartiles([c / p[2] for p, c in zip(pairs, cold)])
    print(f"TTFT ratio raw/ask:                 median {ttft[1]:.3f} (IQR {ttft[0]:.3f}-{ttft[2]:.3f}); target >= 0.95")
    print(f"generation tok/s ratio ask/raw:     median {speed[1]:.3f} (IQR {speed[0]:.3f}-{speed[2]:.3f}); target >= 0.95")
    print(f"prefix reuse, TTFT cold/instructions cached: median {reuse[1]:.3f} (IQR {reuse[0]:.3f}-{reuse[2]:.3f})")


def print_peak_memory() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {**os.environ, "POCKETMIND_HOME": str(home)}
        pm = [sys.executable, "-m", "pocketmind.cli"]
        subprocess.run([*pm, "add", "notes", str(SAMPLES / "notes")], env=env, check=True, capture_output=True)
        subprocess.run([*pm, "add", "messages", str(SAMPLES / "messages")], env=env, check=True, capture_output=True)
        print()
        for label, command in (("index", ["index"]), ("search", ["search", "Kyoto"]), ("ask", ["ask", QUESTIONS[0]])):
            script = (
                "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True);"
                " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            )
            peak_kb = int(subprocess.run([sys.executable, "-c", script, *pm, *command], env=env, check=True,
                                         capture_output=True, text=True).stdout.strip())
            print(f"peak RSS of `pocketmind {' '.join(command)}`: {peak_kb / 1024:.0f} MB")
        print_idle_daemon_memory(home, env, pm)


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


def print_idle_daemon_memory(home: Path, env: dict, pm: list[str], unload_after: float = 10.0) -> None:
    """The daemon over the already indexed home: idle with its models, then idle after releasing them."""
    with Engine(home=home) as engine:
        engine.settings.models.idle_unload_seconds = int(unload_after)
        engine.save_settings()
        (home / "notes-extra").mkdir()
        (home / "notes-extra" / "new.md").write_text("# New\n\nA note the daemon indexes on its first scan.\n")
        engine.add_source("notes", home / "notes-extra", name="extra")  # so the daemon loads its embedder
    state_file, log_file = home / "state" / "daemon.json", home / "daemon-bench.log"
    with open(log_file, "wb") as log:
        proc = subprocess.Popen([*pm, "daemon", "run"], env=env, stdout=log, stderr=subprocess.STDOUT)

    def wait_for(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise SystemExit(f"the daemon did not {what}")

    def state() -> dict:
        try:
            return json.loads(state_file.read_text())
        except (OSError, ValueError):
            return {}

    try:
        wait_for(lambda: state().get("pid") == proc.pid and state().get("activity") == "watching", "finish its first scan")
        time.sleep(2)
        loaded = memory_mb(proc.pid)
        # The state file is not rewritten when models are released; the daemon's log says so.
        wait_for(lambda: "models released" in log_file.read_text(errors="replace"), "release its models")
        time.sleep(2)
        released = memory_mb(proc.pid)
        print(f"RSS of the idle daemon after its first scan (embedder loaded): {loaded['VmRSS']:.0f} MB (peak {loaded['VmHWM']:.0f} MB)")
        print(f"RSS of the idle daemon after releasing its models ({unload_after:g} s idle): {released['VmRSS']:.0f} MB")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


if __name__ == "__main__":
    main()
