"""Resident memory of the engine: CLI search, a warm engine, and one with its models released.

    python bench/memory.py [--chunks 100000] [--keep DIR] [--skip-torch] [--answerer extractive]

Homes (built once, kept with --keep): the bundled sample notes + the shared
real notes + one LoCoMo dev conversation as a WhatsApp export, indexed with
each backend (onnx-int8, the default, and torch); and a store of --chunks
chunks built by bench/scale.py (real texts and MiniLM vectors, see there).
Each figure comes from a fresh process:

- ``CLI search``: peak RSS (GNU time) of ``pocketmind search`` in-process;
- ``warm``: RSS of a long-lived engine (what the daemon holds) after a search
  and an ask, with the LLM loaded: embedder + LLM + bit index (``--answerer
  extractive``: the engine that never loads a language model);
- ``released``: the same process after ``Engine.release_models()`` (the idle
  daemon: models unloaded, heap trimmed). Targets (issue 14): CLI search <= 250 MB, released <= 150 MB,
  warm at 100k chunks <= 400 MB.

Then where the warm figure goes (``--breakdown``, on the big store): each part
loaded alone in a fresh process after opening the engine (the MiniLM embedder
with one query, the multilingual USE model, the LLM with one short answer,
the bit index with SQLite's page cache through one search by a vector, no
model), each as RSS added to the opened engine, with the anonymous and
file-backed resident parts from ``/proc/self/smaps_rollup`` (file-backed
pages, the mmapped GGUF, are reclaimable, but count in RSS).
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

from pocketmind import settings as settings_mod
from pocketmind.paths import resolve_paths

settings = settings_mod.load(resolve_paths(sys.argv[1]).config_file)
settings.models.answerer = sys.argv[4]  # "extractive": no language model at all
out = {}
with Engine(home=sys.argv[1], settings=settings) as engine:
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


# Runs in a fresh interpreter: open the engine, load one part, RSS (and its smaps_rollup split) before and after.
PART = r"""
import json, sys
import numpy as np
from pocketmind import Engine
from pocketmind.results import Result
from pocketmind.store import Filters

def memory():
    fields = dict(line.split(":", 1) for line in open("/proc/self/smaps_rollup").read().splitlines()[1:])
    mb = lambda name: int(fields[name].split()[0]) / 1024
    return {"rss": mb("Rss"), "anon": mb("Anonymous"), "file": mb("Rss") - mb("Anonymous"), "pss": mb("Pss")}

part, home = sys.argv[1], sys.argv[2]
with Engine(home=home) as engine:
    engine.store.counts()
    before = memory()
    extra = {}
    if part == "embedder":
        engine.vectors_embedder.encode([sys.argv[3]])
    elif part == "multilingual":
        engine.multilingual_embedder.encode([sys.argv[3]])
    elif part == "llm":
        text = "Caroline went to the LGBTQ support group on 7 May 2023."
        cited = Result(id="n:1", kind="note", source="notes", title="diary", snippet=text, time=None, uri=None, score=1.0, text=text)
        engine.answerer.answer(sys.argv[4], [cited])
    elif part == "bit index":
        dimension = engine.store.vector_dimension()
        vector = np.random.default_rng(1).standard_normal(dimension).astype(np.float32)
        engine.store.knn(vector / np.linalg.norm(vector), 10, Filters())
        index = engine.store.__dict__.get("_bit_index_shared")
        extra["arrays"] = index._index.nbytes / 2**20 if index is not None and index._index is not None else 0.0
    after = memory()
    print(json.dumps({"before": before, "after": after, **extra}))
"""
PARTS = ("embedder", "multilingual", "llm", "bit index")


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
        return fill_multilingual(home)
    import numpy as np
    import scale

    texts = scale.real_texts(40_000)
    parts = scale.combinations(len(texts), scale.CHECK_SAMPLE, np.random.default_rng(5))
    base, _, _ = scale.embed(texts, scale.questions(100), [" ".join(texts[j] for j in row if j >= 0) for row in parts])
    corpus = scale.Corpus(texts, base, chunks)
    database.parent.mkdir(parents=True, exist_ok=True)
    seconds, _, _ = scale.build(database, corpus, corpus.vectors(), np.random.default_rng(7))
    print(f"built {home.name}: {chunks:,} chunks (bench/scale.py's texts and vectors) in {seconds:.0f} s")
    fill_multilingual(home)


def fill_multilingual(home: Path) -> None:
    """Give every chunk its multilingual vector, as indexing does (else each measured process's
    first search would fill them: 100k chunks is minutes of USE, not a search)."""
    from pocketmind import Engine

    started = time.perf_counter()
    with Engine(home=home) as engine:
        filled = engine.fill_multilingual_vectors()
    if filled:
        print(f"filled {filled:,} multilingual vectors in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=100_000, help="size of the big store (0: skip it)")
    parser.add_argument("--keep", type=Path, help="build homes into / reuse this directory")
    parser.add_argument("--skip-torch", action="store_true", help="only the default backend")
    parser.add_argument("--breakdown", action="store_true", help="also each part of the warm figure alone (big store)")
    parser.add_argument("--only-breakdown", action="store_true", help="the breakdown alone")
    parser.add_argument("--answerer", default="llama", help="models.answerer of the warm engine ('extractive': no LLM)")
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
    if args.breakdown or args.only_breakdown:
        breakdown(homes.get("onnx-int8 @ big", homes["onnx-int8"]), env)
    if args.only_breakdown:
        return
    rows = {}
    for label, home in homes.items():
        peak, wall, _ = peak_of([sys.executable, "-m", "pocketmind.cli", "--home", str(home), "search", QUERY], env)
        child = json.loads(peak_of([sys.executable, "-c", CHILD, str(home), QUERY, QUESTION, args.answerer], env)[2]
                           .strip().splitlines()[-1])
        rows[label] = {"CLI search": peak, "CLI search wall s": wall, **child}
    print(f"\nRSS in MB (fresh process each; answerer {args.answerer}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'home':<22} {'CLI search':>10} {'wall s':>7} {'opened':>7} {'searched':>9} {'warm':>6} {'released':>9}  modules")
    for label, row in rows.items():
        print(f"{label:<22} {row['CLI search']:>10.0f} {row['CLI search wall s']:>7.1f} {row['opened']:>7.0f} {row['searched']:>9.0f}"
              f" {row['warm']:>6.0f} {row['released']:>9.0f}  {', '.join(row['modules'])}")
    if "torch" in rows:
        onnx, torch = rows["onnx-int8"], rows["torch"]
        print("onnx-int8 / torch: " + ", ".join(f"{key} {onnx[key] / torch[key]:.2f}" for key in ("CLI search", "warm", "released")))
    print("targets: " + ", ".join(f"{key} <= {value} MB" for key, value in TARGETS.items()) + " (warm: at 100k chunks)")


def breakdown(home: Path, env: dict) -> None:
    """Each part of the warm engine loaded alone, as RSS added to the opened engine (fresh process each)."""
    print(f"\nwhere the warm RSS goes ({home.name}; MB added to an opened engine, each part alone in a fresh process)")
    print(f"{'part':<14} {'opened':>7} {'+RSS':>6} {'+anon':>6} {'+file':>6}  note")
    for part in PARTS:
        child = json.loads(peak_of([sys.executable, "-c", PART, part, str(home), QUERY, QUESTION], env)[2].strip().splitlines()[-1])
        before, after = child["before"], child["after"]
        note = f"index arrays {child['arrays']:.1f} MB, the rest SQLite's page cache and the query" if "arrays" in child else ""
        print(f"{part:<14} {before['rss']:>7.0f} {after['rss'] - before['rss']:>6.0f} {after['anon'] - before['anon']:>6.0f}"
              f" {after['file'] - before['file']:>6.0f}  {note}")


if __name__ == "__main__":
    main()
