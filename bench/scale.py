"""Query latency and recall of the store at 10k / 100k / 1M chunks.

    python bench/scale.py --chunks 100000 [--questions 100] [--reps 3] [--keep DIR]

Texts are real: LoCoMo dialogue turns, photo captions and event summaries plus
sentences of the real notes / e-mails / messages / calendars under
shared/corpus/real. Up to ``--real`` distinct texts are embedded with MiniLM
(cached in /tmp so a re-run does not embed again). A larger store re-uses
them: chunk i carries text i mod R and the vector of that text plus gaussian
noise (``--noise`` per dimension), re-normalised -- printed as such, because
those near-duplicate clusters are a harder case for quantized search than real
data, and FTS posting lists are R/N times denser than in real life.

Documents are written through Store.write_document in transactions of 2,000,
with kinds, sources and times spread like a personal archive. Queries are the
first ``--questions`` LoCoMo dev questions (real MiniLM vectors); each is run
``--reps`` times after a warm-up pass. recall@10 compares Store.knn with an
exact numpy float32 search over the same vectors (and the same filter).
"""

from __future__ import annotations

import argparse
import email
import hashlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from pocketmind.fulltext import index_form, match_expression
from pocketmind.retrieval import hybrid_search
from pocketmind.store import ChunkRow, Filters, Store
from pocketmind.store import vectors as vector_index

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CACHE = Path(tempfile.gettempdir()) / "pocketmind-scale-embeddings.npz"
KINDS = [("message", 0.6), ("note", 0.15), ("email", 0.15), ("photo", 0.05), ("event", 0.05)]
SOURCES = {"message": ["whatsapp", "imessage", "telegram"], "note": ["notes"], "email": ["mail"], "photo": ["photos"], "event": ["calendar"]}
START, SPAN = 1_514_764_800, 6 * 365 * 86400  # 2018-01-01, six years
FILTER_KIND, FILTER_SINCE, FILTER_UNTIL = "message", 1_609_459_200, 1_640_995_200  # messages of 2021

TARGETS = {  # (size, measure) -> target text
    (1_000_000, "hybrid"): "p50<=30 p95<=60",
    (100_000, "hybrid"): "p50<=10",
}


# -- texts and vectors ------------------------------------------------------------


def real_texts(limit: int) -> list[str]:
    """Distinct real texts, LoCoMo turns first, then sentences of the real corpus."""
    texts: list[str] = []
    for path in sorted((CORPUS / "locomo" / "dev").glob("*.json")):
        data = json.loads(path.read_text())
        for key, value in data.items():
            if key.startswith("session_") and isinstance(value, list):
                for turn in value:
                    texts.append(turn["text"])
                    if turn.get("blip_caption"):
                        texts.append(turn["blip_caption"])
            elif key.startswith("events_session_") and isinstance(value, dict):
                for events in value.values():
                    if isinstance(events, list):
                        texts += [e for e in events if isinstance(e, str)]
    for path in sorted((CORPUS / "real").rglob("*")):
        if path.suffix.lower() not in {".md", ".txt", ".eml", ".json", ".enex", ".ics", ".vcf", ".html", ".csv"} or not path.is_file():
            continue
        raw = path.read_text(errors="replace")
        if path.suffix.lower() == ".eml":
            msg = email.message_from_string(raw)
            raw = "\n".join(p.get_payload(decode=True).decode(errors="replace") for p in msg.walk()
                            if p.get_content_type() == "text/plain" and p.get_payload(decode=True))
        raw = re.sub(r"<[^>]+>|\\[nrt]|[{}\[\]\"]", " ", raw)
        for piece in re.split(r"(?<=[.!?。！？])\s+|\n+", raw):
            piece = " ".join(piece.split())
            if 20 <= len(piece) <= 400 and len(piece.split()) >= 4 and sum(c.isalpha() for c in piece) > len(piece) * 0.6:
                texts.append(piece)
    return list(dict.fromkeys(texts))[:limit]


def questions(limit: int) -> list[str]:
    out = []
    for path in sorted((CORPUS / "locomo" / "dev").glob("*.json")):
        out += [qa["question"] for qa in json.loads(path.read_text())["qa"]]
    return out[:limit]


def embed(texts: list[str], queries: list[str]) -> tuple[np.ndarray, np.ndarray]:
    key = hashlib.sha256("\x00".join(texts + ["--"] + queries).encode()).hexdigest()
    if CACHE.exists():
        cached = np.load(CACHE)
        if str(cached["key"]) == key:
            return cached["texts"], cached["queries"]
    from pocketmind.embeddings import MiniLMEmbedder

    embedder = MiniLMEmbedder(batch_size=64)
    started = time.perf_counter()
    text_vectors = embedder.encode(texts)
    query_vectors = embedder.encode(queries)
    print(f"embedded {len(texts) + len(queries)} real texts with MiniLM in {time.perf_counter() - started:.0f} s")
    np.savez(CACHE, key=key, texts=text_vectors, queries=query_vectors)
    return text_vectors, query_vectors


def derived_vectors(base: np.ndarray, n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Chunk i: real vector i mod R, plus noise for every copy after the first, unit length."""
    out = base[np.arange(n) % len(base)].copy()
    extra = np.arange(n) >= len(base)
    out[extra] += rng.normal(0.0, noise, size=(int(extra.sum()), base.shape[1])).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


# -- building ---------------------------------------------------------------------


def build(path: Path, texts: list[str], vectors: np.ndarray, rng: np.random.Generator) -> tuple[float, np.ndarray, np.ndarray]:
    """Write every chunk as a one-chunk document; return build seconds, kind and time per chunk."""
    n = len(vectors)
    kind_names = [k for k, _ in KINDS]
    kinds = rng.choice(len(KINDS), size=n, p=[p for _, p in KINDS])
    times = START + np.sort(rng.integers(0, SPAN, size=n))
    store = Store(path)
    with store.transaction():
        store.create_vector_table(vectors.shape[1])
    for kind, names in SOURCES.items():
        for name in names:
            store.add_source(name, kind, "/bench")
    fts_forms = [index_form(t) for t in texts]
    started = time.perf_counter()
    batch = 2000
    for start in range(0, n, batch):
        with store.transaction():
            for i in range(start, min(n, start + batch)):
                kind = kind_names[kinds[i]]
                names = SOURCES[kind]
                text_i = i % len(texts)
                row = {
                    "id": f"{names[i % len(names)]}:{i}", "source": names[i % len(names)], "origin": f"f{i // 500}", "kind": kind,
                    "title": "", "text": texts[text_i], "uri": None, "occurred_at": int(times[i]), "occurred_offset": None,
                    "occurred_local": None, "ended_at": None, "author": None, "conversation": None, "people": "[]",
                    "place": None, "tags": "[]", "metadata": "{}", "attachments": "[]", "content_hash": str(i), "updated_at": 0.0,
                }
                chunk = ChunkRow(0, "", texts[text_i], fts_forms[text_i], f"h{i}", vectors[i])
                store.write_document(row, [chunk])
        if (start // batch) % 50 == 49:
            print(f"  wrote {start + batch:,} chunks, {time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return elapsed, kinds, times


# -- measuring --------------------------------------------------------------------


def timed(fn, items, reps: int) -> list[float]:
    for item in items:  # warm-up
        fn(item)
    out = []
    for _ in range(reps):
        for item in items:
            started = time.perf_counter()
            fn(item)
            out.append((time.perf_counter() - started) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[int]:
    scores = vectors @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.argpartition(-scores, k)[:k]
    return [int(i) + 1 for i in top[np.argsort(-scores[top])]]  # chunk ids are 1-based in write order


def recall(store: Store, vectors: np.ndarray, qvecs: np.ndarray, filters: Filters, mask: np.ndarray | None) -> float:
    hits = 0
    for q in qvecs:
        truth = set(exact_top(vectors, q, 10, mask))
        got = {cid for cid, _ in store.knn(q, 10, filters)}
        hits += len(truth & got)
    return hits / (10 * len(qvecs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=20_000, help="at most this many distinct real texts are embedded")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--noise", type=float, default=0.03)
    parser.add_argument("--exact-queries", type=int, default=20, help="queries for the (slow) sqlite-vec float scan")
    parser.add_argument("--keep", type=Path, help="build into / reuse this directory")
    args = parser.parse_args()
    rng = np.random.default_rng(7)

    texts = real_texts(args.real)
    asked = questions(args.questions)
    base, qvecs = embed(texts, asked)
    vectors = derived_vectors(base, args.chunks, args.noise, rng)
    derived = max(0, args.chunks - len(texts))
    print(f"{args.chunks:,} chunks: {min(args.chunks, len(texts)):,} real MiniLM vectors of real texts"
          + (f" + {derived:,} derived (real vector + N(0, {args.noise}) per dim, renormalised; text repeated)" if derived else ""))

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="pm-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"scale-{args.chunks}.db"
    if path.exists():
        kinds = rng.choice(len(KINDS), size=args.chunks, p=[p for _, p in KINDS])
        times = START + np.sort(rng.integers(0, SPAN, size=args.chunks))
        build_s = float("nan")
        print(f"re-using {path}")
    else:
        build_s, kinds, times = build(path, texts, vectors, rng)
    size = sum(p.stat().st_size for p in workdir.glob(path.name + "*"))

    store = Store(path)
    cells = store.conn.execute("SELECT count(*) FROM vector_cells").fetchone()[0]
    probes = max(vector_index.MIN_PROBES, int(np.ceil(vector_index.PROBES_PER_ROOT * np.sqrt(cells)))) if cells else 0
    mode = f"IVF {cells} cells, {probes} probed unfiltered, bit pool {vector_index.RESCORE}" if cells else "exact float (untrained)"
    message = np.array([KINDS[k][0] == FILTER_KIND for k in kinds])
    fmask = message & (times >= FILTER_SINCE) & (times < FILTER_UNTIL)
    filtered = Filters(kinds=[FILTER_KIND], since=FILTER_SINCE, until=FILTER_UNTIL)
    pairs = list(zip(asked, qvecs))

    load_before = os.getloadavg()
    rows = [
        ("vector knn k=60", timed(lambda p: store.knn(p[1], 60, Filters()), pairs, args.reps)),
        ("vector knn, filtered", timed(lambda p: store.knn(p[1], 60, filtered), pairs, args.reps)),
        ("full-text (FTS5 OR)", timed(lambda p: store.fulltext(match_expression(p[0]), 60, Filters()), pairs, args.reps)),
        ("hybrid", timed(lambda p: hybrid_search(store, p[1], p[0], 10, Filters()), pairs, args.reps)),
        ("hybrid, filtered", timed(lambda p: hybrid_search(store, p[1], p[0], 10, filtered), pairs, args.reps)),
    ]
    rows.append(("alt: exact float vec0", timed(lambda p: store.knn(p[1], 60, Filters(), exact=True), pairs[: args.exact_queries], 1)))
    load_after = os.getloadavg()
    r_all = recall(store, vectors, qvecs, Filters(), None)
    r_filtered = recall(store, vectors, qvecs, filtered, fmask)

    print(f"\n## {args.chunks:,} chunks -- {mode}")
    print(f"build {build_s:.0f} s ({args.chunks / build_s:,.0f} chunks/s), database {size / 2**20:,.0f} MB = {size / args.chunks:,.0f} B/chunk")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores, shared)")
    print(f"{'query':32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}  target")
    for name, values in rows:
        target = TARGETS.get((args.chunks, name), "")
        print(f"{name:32} {len(values):5} {pct(values, 50):8.1f} {pct(values, 95):8.1f}  {target}")
    print(f"recall@10 vs exact float32 (numpy): all {r_all:.3f}, filtered ({FILTER_KIND}, 2021: {int(fmask.sum()):,} chunks) {r_filtered:.3f}  target >= 0.95")
    store.close()


if __name__ == "__main__":
    sys.exit(main())
