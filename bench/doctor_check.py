"""What `status` (quick check) and `doctor` (full check) cost on a large store.

    python bench/doctor_check.py [--chunks 100000] [--home DIR]

Builds a store of synthetic documents through the Store API (one chunk each,
~60 words of text, random unit 384-d vectors: no model, so building 100k
chunks takes minutes, not hours), then times the quick and the full check
three times each and prints the median, per 10k chunks too. The checks read
the file the same way whatever the text says, so synthetic text is fair here.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from pocketmind.doctor import check
from pocketmind.store import ChunkRow, Store

WORDS = ("garden harbour letter meeting train coffee sister museum rain invoice birthday kitchen project "
         "window ferry market concert doctor holiday bicycle island river summer winter morning evening").split()


def build(database: Path, chunks: int, dimension: int = 384, batch: int = 2000) -> None:
    rng = np.random.default_rng(0)
    store = Store(database)
    with store.transaction():
        store.add_source("bench", "notes", str(database.parent))
        store.create_vector_table(dimension)
        store.set_meta("embedder", "minilm")
    for start in range(0, chunks, batch):
        vectors = rng.standard_normal((min(batch, chunks - start), dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with store.transaction():
            for i, vector in enumerate(vectors, start):
                text = " ".join(rng.choice(WORDS, 60))
                digest = hashlib.sha256(f"{i}{text}".encode()).hexdigest()
                row = {"id": f"bench:{i}", "source": "bench", "origin": f"n{i // 100}.md", "kind": "note", "title": f"note {i}",
                       "text": text, "people": "[]", "tags": "[]", "metadata": "{}", "attachments": "[]",
                       "content_hash": digest, "updated_at": time.time(), "occurred_at": 1_600_000_000 + i}
                store.write_document(row, [ChunkRow(0, "", text, text, digest, vector)])
        print(f"  built {start + len(vectors)} chunks", flush=True)
    store.conn.pragma("wal_checkpoint", "TRUNCATE")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--home", help="keep the built store here and reuse it")
    args = parser.parse_args()
    folder = Path(args.home or tempfile.mkdtemp(prefix="pm-doctor-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"store-{args.chunks}.db"
    if not database.exists():
        started = time.perf_counter()
        build(database, args.chunks)
        print(f"built {args.chunks} chunks in {time.perf_counter() - started:.0f} s")
    size = database.stat().st_size / 1e6
    for full in (False, True):
        runs = []
        for _ in range(3):
            checkup = check(database, full=full)
            assert checkup.ok, checkup.problems
            runs.append(checkup.seconds)
        median = statistics.median(runs)
        print(f"{'full' if full else 'quick'} check, {args.chunks} chunks ({size:.0f} MB): median {median * 1000:.0f} ms"
              f" ({median * 1000 / (args.chunks / 10_000):.0f} ms per 10k chunks; runs {', '.join(f'{r:.2f}' for r in runs)} s)"
              f"{'; not reached in the budget: ' + ', '.join(checkup.skipped) if checkup.skipped else ''}")


if __name__ == "__main__":
    main()
