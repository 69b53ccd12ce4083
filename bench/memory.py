"""Resident memory of the engine: CLI search, a warm engine, and one with its models released.

    python bench/memory.py [--chunks 100000] [--keep DIR] [--skip-torch]

Homes (built once, kept with --keep): the bundled sample notes + the shared
real notes + one LoCoMo dev conversation as a WhatsApp export, indexed with
each backend (onnx-int8, the default, and torch); and a store of --chunks
chunks built by bench/scale.py (real texts and MiniLM vectors, see there).
Each figure comes from a fresh process:

- ``CLI search``: peak RSS (GNU time) of ``pocketmind search`` in-process;
- ``warm``: RSS of a long-lived engine (what the daemon holds) after a search
  and an ask, with the LLM loaded: embedder + LLM + bit index;
- ``released``: the same process after ``Engine.release_models()`` (the idle
  daemon: models unloaded, heap trimmed). Targets (issue 14): CLI search <= 250 MB, released <= 150 MB,
  warm at 100k chunks <= 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

CORPUS = REPO.parent / "shared" / "corpus" if (REPO.parent / "shared").is_dir() else REPO.parents[1] / "shared" / "corpus"
QUERY = "what did Caroline say about the adoption agency?"
QUESTION = "When did Caroline go to the LGBTQ support group?"
TARGETS = {"CLI search": 250, "released": 150, "warm": 400}

# Runs in a fresh interpreter: open the engine, search, ask, release; RSS after each step.
CHILD = r"""
import json, sys
from pocketmind import Engine

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

out = {}
with Engine(home=sys.argv[1]) as engine:
    out["opened"] = rss()
    engine.search(sys.argv[2])
    out["searched"] = rss()
    engine.ask(sys.argv[3])
    getattr(engine.answerer, "llm", None)  # loaded even when the answer came from the data alone (dates)
    out["warm"] = rss()
    engine.release_models()
    out["released"] = rss()
    out["modules"] = sorted(m for m in ("torch", "onnxruntime", "llama_cpp", "sentence_transformers") if m in sys.modules)
print(json.dumps(out))
"""


def peak_of(argv: list[str], env: dict) -> tuple[float, float, str]:
    """(peak RSS MB, wall s, stdout) of a child process. Read by GNU time: a child forked
    from this (large) process would count this one's pages in its own ru_maxrss."""
    started = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-f", "maxrss %M", *argv], env=env, capture_output=True, text=True, timeout=900)
    if run.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {run.stderr[-2000:]}")
    peak = int(run.stderr.strip().splitlines()[-1].split()[1]) / 1024
    return peak, time.perf_counter() - started, run.stdout


def build_home(home: Path, backend: str) -> None:
    if (home / "data" / "pocketmind.db").exists():
        return
    import locomo_data

    from pocketmind import Engine
    from pocketmind.settings import Settings

    chats = home.parent / "locomo-chat"
    if not chats.exists():
        conv = locomo_data.load(sorted(locomo_data.LOCOMO_DIR.glob("*.json"))[0])
        locomo_data.write_whatsapp_export(conv, chats, with_photos=False)
    settings = Settings()
    settings.models.embedding_backend = backend
    started = time.perf_counter()
    with Engine(home=home, settings=settings) as engine:
        engine.save_settings()
        engine.add_source("notes", REPO / "pocketmind" / "samples" / "notes", name="samples")
        engine.add_source("notes", CORPUS / "real" / "notes", name="notes")
        engine.add_source("messages", chats, name="locomo")
        engine.index()
        chunks = engine.store.counts()["chunks"]
    print(f"built {home.name}: {chunks:,} chunks with {backend} in {time.perf_counter() - started:.0f} s")


def build_big(home: Path, chunks: int) -> None:
    """A home holding bench/scale.py's store of ``chunks`` chunks (its real texts and cached MiniLM vectors)."""
    database = home / "data" / "pocketmind.db"
    if database.exists():
        return
    import numpy as np
    import scale

    texts = scale.real_texts(40_000)
    parts = scale.combinations(len(texts), scale.CHECK_SAMPLE, np.random.default_rng(5))
    base, _, _ = scale.embed(texts, scale.questions(100), [" ".join(texts[j] for j in row if j >= 0) for row in parts])
    corpus = scale.Corpus(texts, base, chunks)
    database.parent.mkdir(parents=True, exist_ok=True)
    seconds, _, _ = scale.build(database, corpus, corpus.vectors(), np.random.default_rng(7))
    print(f"built {home.name}: {chunks:,} chunks (bench/scale.py's texts and vectors) in {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000, help="size of the big store (0: skip it)")
    parser.add_argument("--keep", type=Path, help="build homes into / reuse this directory")
    parser.add_argument("--skip-torch", action="store_true", help="only the default backend")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="pm-memory-"))
    root.mkdir(parents=True, exist_ok=True)
    backends = ["onnx-int8"] + ([] if args.skip_torch else ["torch"])
    homes = {backend: root / f"home-{backend}" for backend in backends}
    for backend, home in homes.items():
        build_home(home, backend)
    if args.chunks:
        homes["onnx-int8 @ big"] = root / f"home-{args.chunks}"
        build_big(homes["onnx-int8 @ big"], args.chunks)
    env = {**os.environ}
    env.pop("POCKETMIND_HOME", None)
    rows = {}
    for label, home in homes.items():
        peak, wall, _ = peak_of([sys.executable, "-m", "pocketmind.cli", "--home", str(home), "search", QUERY], env)
        child = json.loads(peak_of([sys.executable, "-c", CHILD, str(home), QUERY, QUESTION], env)[2].strip().splitlines()[-1])
        rows[label] = {"CLI search": peak, "CLI search wall s": wall, **child}
    print(f"\nRSS in MB (fresh process each; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'home':<22} {'CLI search':>10} {'wall s':>7} {'opened':>7} {'searched':>9} {'warm':>6} {'released':>9}  modules")
    for label, row in rows.items():
        print(f"{label:<22} {row['CLI search']:>10.0f} {row['CLI search wall s']:>7.1f} {row['opened']:>7.0f} {row['searched']:>9.0f}"
              f" {row['warm']:>6.0f} {row['released']:>9.0f}  {', '.join(row['modules'])}")
    if "torch" in rows:
        onnx, torch = rows["onnx-int8"], rows["torch"]
        print("onnx-int8 / torch: " + ", ".join(f"{key} {onnx[key] / torch[key]:.2f}" for key in ("CLI search", "warm", "released")))
    print("targets: " + ", ".join(f"{key} <= {value} MB" for key, value in TARGETS.items()) + " (warm: at 100k chunks)")


if __name__ == "__main__":
    main()
