"""The answer path against a raw llama-cpp-python call, and peak memory per command.

    python bench/answer.py [--questions 8]

Indexes the bundled sample data in a temporary home, then for each question
times ``Engine.ask`` (time to first token, generation tokens/s) and a raw
``Llama.create_completion`` streaming the exact prompt the engine built, in the
same process, and prints the ratios (target >= 0.95). Date questions answered
from the data never reach the model, so the questions here are ones the
model answers. llama.cpp keeps the evaluated prefix of the previous prompt,
so the shared instructions are not evaluated again from one question to the next.

Peak RSS of `index`, `search` and `ask` is measured in child processes (one
command each, a fresh home each), from ``resource.getrusage(RUSAGE_CHILDREN)``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pocketmind import Engine
from pocketmind.answer import completion_prompt
from pocketmind.context import pack_context, relevant, with_conversation_context

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


def timed_stream(pieces) -> tuple[float, float, int]:
    """(seconds to first piece, seconds after it, pieces) of a token stream."""
    started = time.perf_counter()
    first = None
    count = 0
    for piece in pieces:
        if first is None:
            first = time.perf_counter()
        count += 1
    end = time.perf_counter()
    first = first or end
    return first - started, end - first, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    args = parser.parse_args()
    questions = QUESTIONS[: args.questions]
    with tempfile.TemporaryDirectory() as tmp, Engine(home=Path(tmp) / "home") as engine:
        for kind in ("notes", "messages", "calendar", "contacts"):
            engine.add_source(kind, SAMPLES / kind, name=kind)
        engine.index()
        answerer = engine.answerer
        llm = answerer.llm
        engine.ask(questions[0])  # warm: model loaded, first prompt evaluated
        rows = []
        for question in questions:
            results = with_conversation_context(engine, relevant(engine.search(question)))
            prompt = completion_prompt(question, pack_context(results, answerer, question, engine.settings.search.context_tokens))
            # Both calls start from the same cache: only the instructions' first words evaluated.
            llm.create_completion(prompt[:40], max_tokens=1)
            marks: list[float] = []
            started = time.perf_counter()
            engine.ask(question, on_token=lambda t: marks.append(time.perf_counter()))
            if len(marks) < 2:
                continue
            ask_ttft, ask_gen, ask_tokens = marks[0] - started, marks[-1] - marks[0], len(marks)
            llm.create_completion(prompt[:40], max_tokens=1)
            stream = llm.create_completion(prompt, max_tokens=engine.settings.models.max_answer_tokens, temperature=0.0,
                                           stream=True, stop=["\n", "<<excerpts>>", "<end_of_turn>"], repeat_penalty=1.1)
            raw_ttft, raw_gen, raw_tokens = timed_stream(stream)
            rows.append((question, ask_ttft, raw_ttft, ask_tokens / max(ask_gen, 1e-9), raw_tokens / max(raw_gen, 1e-9)))
    print(f"{'question':45s} {'ask TTFT':>9s} {'raw TTFT':>9s} {'ask tok/s':>10s} {'raw tok/s':>10s}")
    for q, a_t, r_t, a_s, r_s in rows:
        print(f"{q[:45]:45s} {a_t * 1000:8.0f}ms {r_t * 1000:8.0f}ms {a_s:10.1f} {r_s:10.1f}")
    ttft = statistics.median(r[2] for r in rows) / statistics.median(r[1] for r in rows)
    speed = statistics.median(r[3] for r in rows) / statistics.median(r[4] for r in rows)
    print(f"median TTFT ratio raw/ask {ttft:.3f}; generation tokens/s ratio ask/raw {speed:.3f} (target >= 0.95 each)")
    print_peak_memory()


def print_peak_memory() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "POCKETMIND_HOME": str(Path(tmp) / "home")}
        pm = [sys.executable, "-m", "pocketmind.cli"]
        subprocess.run([*pm, "add", "notes", str(SAMPLES / "notes")], env=env, check=True, capture_output=True)
        subprocess.run([*pm, "add", "messages", str(SAMPLES / "messages")], env=env, check=True, capture_output=True)
        for label, command in (("index", ["index"]), ("search", ["search", "Kyoto"]), ("ask", ["ask", QUESTIONS[0]])):
            script = (
                "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True);"
                " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            )
            peak_kb = int(subprocess.run([sys.executable, "-c", script, *pm, *command], env=env, check=True,
                                         capture_output=True, text=True).stdout.strip())
            print(f"peak RSS of `pocketmind {' '.join(command)}`: {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
