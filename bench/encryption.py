"""What encryption at rest costs: index and search speed, encrypted vs plain, same data, one process.

    python bench/encryption.py [--notes DIR ...] [--chats DIR ...] [--rounds N]

Indexes the same sources into fresh temporary homes, plain and encrypted
from the first page (SQLite3 Multiple Ciphers, ChaCha20-Poly1305), twice
each in the order plain, encrypted, encrypted, plain, with one embedding
model loaded once and shared; the faster run of each side counts. Index
time is split into the embedder's share and the rest (parsing, SQL,
vectors: where encryption can cost).
Search is timed three ways over the titles of the indexed documents:
end to end (``Engine.search``, query embedding included); the store's part
alone with the query vectors computed beforehand (warm page cache); and the
same with the page cache emptied before every query (every page read is
decrypted again), and the opening of an engine (one key derivation per
process). Prints medians and the encrypted/plain ratio (target <= 1.15).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pocketmind import Engine
from pocketmind.search.retrieval import hybrid_search
from pocketmind.store import Filters

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
KEY = "benchmark key, not a secret"


class TimedEmbedder:
    """The engine's embedder, with the seconds spent encoding added up."""

    def __init__(self, inner):
        self.inner, self.seconds = inner, 0.0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, texts, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.inner.encode(texts, *args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


def index_once(home: Path, key: str | None, sources: list[tuple[str, Path]]) -> tuple[float, float, int]:
    """(total seconds, seconds outside the embedder, documents) of a first index."""
    with Engine(home=home, key=key) as engine:
        for kind, path in sources:
            engine.add_source(kind, path, name=f"{kind}-{path.name}")
        timed = TimedEmbedder(engine.embedder)
        engine._embedder = timed  # the bench's view of the model; the engine uses it as before
        started = time.perf_counter()
        summaries = engine.index()
        total = time.perf_counter() - started
        assert engine.store.encrypted == bool(key)
        return total, total - timed.seconds, sum(s.added for s in summaries)


def search_times(home: Path, key: str | None, rounds: int) -> dict[str, float]:
    """Milliseconds: opening the engine (the key derivation), and medians per query end to end,
    store part warm, store part cold."""
    started = time.perf_counter()
    with Engine(home=home, key=key) as engine:
        engine.store.counts()
        opened = time.perf_counter() - started
        queries = [d["title"] for d in engine.store._dicts("SELECT title FROM documents WHERE title != '' ORDER BY id")][:60]
        vectors = engine.embedder.encode(queries)
        k, candidates = engine.settings.search.results, engine.settings.search.candidates
        end_to_end, warm, cold = [], [], []
        for _ in range(rounds):
            for query, vector in zip(queries, vectors):
                started = time.perf_counter()
                engine.search(query, understand=False)
                end_to_end.append(time.perf_counter() - started)
                started = time.perf_counter()
                hybrid_search(engine.store, vector, query, k, Filters(), candidates=candidates)
                warm.append(time.perf_counter() - started)
                engine.store.close()  # the next connection starts with an empty page cache
                started = time.perf_counter()
                hybrid_search(engine.store, vector, query, k, Filters(), candidates=candidates)
                cold.append(time.perf_counter() - started)
    return {"open the engine": opened * 1000} | {name: statistics.median(times) * 1000 for name, times in
            (("search end to end", end_to_end), ("search, store part (warm)", warm), ("search, store part (cold cache)", cold))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=Path, nargs="*", default=[SHARED / "notes" / "obsidian", SHARED / "notes" / "orgmode"])
    parser.add_argument("--chats", type=Path, nargs="*", default=[SHARED / "messages" / "telegram"])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the queries")
    args = parser.parse_args()
    sources = [("notes", p) for p in args.notes] + [("messages", p) for p in args.chats]

    with tempfile.TemporaryDirectory() as tmp, Engine(home=Path(tmp) / "model") as holder:
        holder.embedder.encode(["hold the model: every engine of this process shares it"])
        figures: dict[str, dict[str, float]] = {"plain": {}, "encrypted": {}}
        homes = {"plain": (Path(tmp) / "plain", None), "encrypted": (Path(tmp) / "encrypted", KEY)}
        runs: dict[str, list[tuple[float, float]]] = {"plain": [], "encrypted": []}
        for n, side in enumerate(("plain", "encrypted", "encrypted", "plain")):  # ABBA: drift hits both sides alike
            home, key = homes[side]
            total, store_part, documents = index_once(home.with_name(f"{home.name}-{n}"), key, sources)
            runs[side].append((total, store_part))
        for side, pairs in runs.items():  # the faster of two: the least disturbed by other work on the machine
            figures[side].update({"index (s)": min(t for t, _ in pairs), "index outside the embedder (s)": min(s for _, s in pairs)})
        for side in ("encrypted", "plain"):  # the other order for search
            home, key = homes[side]
            home = home.with_name(f"{home.name}-{1 if side == 'encrypted' else 0}")
            figures[side].update({f"{name} (ms)": ms for name, ms in search_times(home, key, args.rounds).items()})
        size = {side: (home.with_name(f"{home.name}-{n}") / "data" / "pocketmind.db").stat().st_size
                for (side, (home, _)), n in zip(homes.items(), (0, 1))}

    print(f"{documents} documents from {len(sources)} sources; database {size['plain'] / 1e6:.1f} MB plain, "
          f"{size['encrypted'] / 1e6:.1f} MB encrypted")
    print(f"{'':38} {'plain':>9} {'encrypted':>10} {'ratio':>7}")
    for name in figures["plain"]:
        plain, encrypted = figures["plain"][name], figures["encrypted"][name]
        print(f"{name:38} {plain:9.2f} {encrypted:10.2f} {encrypted / plain:7.3f}")


if __name__ == "__main__":
    main()
