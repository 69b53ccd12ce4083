"""Query latency and recall of the store at 10k / 100k / 1M chunks.

    python bench/scale.py --chunks 100000 [--questions 100] [--reps 3] [--keep DIR]

Texts are real: LoCoMo dialogue turns, photo captions and event summaries,
sentences of the real notes / e-mails / messages / calendars under
shared/corpus/real and, when the Debian package ``fortunes`` is installed,
sentences of its ~15k quotes (~31k distinct texts in all). Each is embedded
with MiniLM once (cached in /tmp). A store larger than that holds every real
text as one chunk, and synthetic passages for the rest: 2-3 distinct real
texts joined, with the word-weighted mean of their real vectors as the vector.
The script prints how close that is to MiniLM's own vector of the joined text
(on 300 samples) and compares nearest-neighbour similarities of real and
synthetic chunks, so the approximation is visible in every report.

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

from pocketmind.search.fulltext import index_form, match_expression
from pocketmind.search.retrieval import hybrid_search
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


FORTUNES = Path("/usr/share/games/fortunes")  # Debian package `fortunes`: ~15k real quotes, jokes, poems


def real_texts(limit: int) -> list[str]:
    """Distinct real texts: LoCoMo turns, sentences of the real corpus, then
    sentences of the Debian ``fortunes`` files when installed (more variety)."""
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
        texts += _sentences(re.split(r"(?<=[.!?。！？])\s+|\n+", raw))
    if FORTUNES.is_dir():
        for path in sorted(p for p in FORTUNES.iterdir() if p.is_file() and "." not in p.name):
            for entry in path.read_text(errors="replace").split("\n%\n"):
                entry = re.sub(r"^\s*--.*$", "", entry, flags=re.MULTILINE)  # attributions
                texts += _sentences(re.split(r"(?<=[.!?])\s+", " ".join(entry.split())))
    return list(dict.fromkeys(texts))[:limit]


def _sentences(pieces) -> list[str]:
    out = []
    for piece in pieces:
        piece = " ".join(piece.split())
        if 20 <= len(piece) <= 400 and len(piece.split()) >= 4 and sum(c.isalpha() for c in piece) > len(piece) * 0.6:
            out.append(piece)
    return out


def questions(limit: int) -> list[str]:
    out = []
    for path in sorted((CORPUS / "locomo" / "dev").glob("*.json")):
        out += [qa["question"] for qa in json.loads(path.read_text())["qa"]]
    return out[:limit]


CHECK_SAMPLE = 300  # joined texts embedded for real to check the mean-vector approximation


def embed(texts: list[str], queries: list[str], joined: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MiniLM vectors of the real texts, the questions and a sample of joined texts (cached)."""
    key = hashlib.sha256("\x00".join(texts + ["--"] + queries + ["--"] + joined).encode()).hexdigest()
    if CACHE.exists():
        cached = np.load(CACHE)
        if str(cached["key"]) == key:
            return cached["texts"], cached["queries"], cached["joined"]
    from pocketmind.embeddings import MiniLMEmbedder

    embedder = MiniLMEmbedder(batch_size=64)
    started = time.perf_counter()
    text_vectors = embedder.encode(texts)
    query_vectors = embedder.encode(queries)
    joined_vectors = embedder.encode(joined)
    print(f"embedded {len(texts) + len(queries) + len(joined):,} real texts with MiniLM in {time.perf_counter() - started:.0f} s")
    np.savez(CACHE, key=key, texts=text_vectors, queries=query_vectors, joined=joined_vectors)
    return text_vectors, query_vectors, joined_vectors


class Corpus:
    """Chunk i < R is real text i with its own MiniLM vector. Every later chunk
    joins 2-3 distinct real texts picked at random (a multi-sentence passage);
    its vector is the word-count-weighted mean of their real vectors, unit length
    (MiniLM mean-pools token vectors, so a passage's vector is close to that:
    checked against real embeddings of a sample in :func:`check_combinations`)."""

    def __init__(self, texts: list[str], base: np.ndarray, n: int, seed: int = 11):
        self.texts, self.base, self.n = texts, base, n
        self.words = np.array([len(t.split()) for t in texts], dtype=np.float32)
        self.forms = [index_form(t) for t in texts]
        self.parts = combinations(len(texts), max(0, n - len(texts)), np.random.default_rng(seed))

    def members(self, i: int) -> list[int]:
        if i < len(self.texts):
            return [i]
        return [int(j) for j in self.parts[i - len(self.texts)] if j >= 0]

    def text(self, i: int) -> str:
        return " ".join(self.texts[j] for j in self.members(i))

    def fts_form(self, i: int) -> str:
        return " ".join(self.forms[j] for j in self.members(i))

    def vectors(self) -> np.ndarray:
        real = self.base[: min(self.n, len(self.texts))]
        return np.concatenate([real, mean_vectors(self.base, self.words, self.parts)]) if len(self.parts) else real.copy()


def combinations(real: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 3) indices of distinct real texts; a third of the rows have 2 parts (-1 last)."""
    parts = np.empty((n, 3), dtype=np.int64)
    for start in range(0, n, 1 << 20):
        rows = min(n, start + (1 << 20)) - start
        block = rng.integers(0, real, size=(rows, 3))
        clash = (block[:, 0] == block[:, 1]) | (block[:, 0] == block[:, 2]) | (block[:, 1] == block[:, 2])
        while clash.any():
            block[clash] = rng.integers(0, real, size=(int(clash.sum()), 3))
            clash = (block[:, 0] == block[:, 1]) | (block[:, 0] == block[:, 2]) | (block[:, 1] == block[:, 2])
        parts[start : start + rows] = block
    parts[rng.random(n) < 1 / 3, 2] = -1
    return parts


def mean_vectors(base: np.ndarray, words: np.ndarray, parts: np.ndarray, weighted: bool = True) -> np.ndarray:
    out = np.zeros((len(parts), base.shape[1]), dtype=np.float32)
    for column in range(parts.shape[1]):
        index = parts[:, column]
        present = index >= 0
        weight = words[index[present]] if weighted else np.ones(int(present.sum()), dtype=np.float32)
        out[present] += base[index[present]] * weight[:, None]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def check_combinations(texts: list[str], base: np.ndarray, qvecs: np.ndarray, sample_parts: np.ndarray,
                       sample_real: np.ndarray) -> list[str]:
    """How close the synthetic passages are to real data: cosine of the mean vector
    with MiniLM's own vector of the joined text, and the questions' nearest-neighbour
    similarities among R real texts vs among R synthetic passages."""
    words = np.array([len(t.split()) for t in texts], dtype=np.float32)
    lines = []
    for weighted in (True, False):
        approx = mean_vectors(base, words, sample_parts, weighted)
        cos = np.sum(approx * sample_real, axis=1)
        lines.append(f"  {'word-weighted' if weighted else 'plain'} mean vs MiniLM(joined text), {len(cos)} samples:"
                     f" cosine mean {cos.mean():.3f}, p5 {np.percentile(cos, 5):.3f}, min {cos.min():.3f}")
    synthetic = mean_vectors(base, words, combinations(len(texts), len(texts), np.random.default_rng(3)))
    for name, matrix in (("real texts", base), ("synthetic passages", synthetic)):
        sims = np.sort(qvecs @ matrix.T, axis=1)[:, ::-1]
        own = matrix[:2000] @ matrix.T
        np.fill_diagonal(own, -1.0)
        lines.append(f"  {len(matrix):,} {name:18}: question top-1 cosine {np.median(sims[:, 0]):.3f}, top-10 {np.median(sims[:, 9]):.3f},"
                     f" top-10 minus top-100 {np.median(sims[:, 9] - sims[:, 99]):.3f}; item's nearest other {np.median(own.max(axis=1)):.3f}")
    return lines


# -- building ---------------------------------------------------------------------


def build(path: Path, corpus: Corpus, vectors: np.ndarray, rng: np.random.Generator) -> tuple[float, np.ndarray, np.ndarray]:
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
    started = time.perf_counter()
    batch = 2000
    for start in range(0, n, batch):
        with store.transaction():
            for i in range(start, min(n, start + batch)):
                kind = kind_names[kinds[i]]
                names = SOURCES[kind]
                text = corpus.text(i)
                row = {
                    "id": f"{names[i % len(names)]}:{i}", "source": names[i % len(names)], "origin": f"f{i // 500}", "kind": kind,
                    "title": "", "text": text, "uri": None, "occurred_at": int(times[i]), "occurred_offset": None,
                    "occurred_local": None, "ended_at": None, "author": None, "conversation": None, "people": "[]",
                    "place": None, "tags": "[]", "metadata": "{}", "attachments": "[]", "content_hash": str(i), "updated_at": 0.0,
                }
                chunk = ChunkRow(0, "", text, corpus.fts_form(i), f"h{i}", vectors[i])
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


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def in_memory_load(store: Store, query: np.ndarray) -> str:
    """Time the one-off load of the in-memory bit index (first query after open) and its RSS."""
    store.knn(query, 10, Filters(), exact=True)  # connection and page cache opened first
    before = rss_mb()
    store.knn(query, 10, Filters())
    shared = store._bit_index()
    if not shared.loads:
        return ""
    index = shared.current(store.conn)
    return (f"in-memory bit index: loaded in {shared.load_seconds:.2f} s on first query, arrays {index.nbytes / 2**20:.0f} MB,"
            f" RSS +{rss_mb() - before:.0f} MB (incl. SQLite page cache)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=40_000, help="at most this many distinct real texts are embedded")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--exact-queries", type=int, default=20, help="queries for the (slow) sqlite-vec float scan")
    parser.add_argument("--keep", type=Path, help="build into / reuse this directory")
    args = parser.parse_args()
    rng = np.random.default_rng(7)

    texts = real_texts(args.real)
    asked = questions(args.questions)
    sample_parts = combinations(len(texts), CHECK_SAMPLE, np.random.default_rng(5))
    joined = [" ".join(texts[j] for j in row if j >= 0) for row in sample_parts]
    base, qvecs, joined_vectors = embed(texts, asked, joined)
    corpus = Corpus(texts, base, args.chunks)
    vectors = corpus.vectors()
    derived = max(0, args.chunks - len(texts))
    print(f"{args.chunks:,} chunks: {min(args.chunks, len(texts)):,} real texts with their MiniLM vectors"
          + (f" + {derived:,} synthetic passages (2-3 distinct real texts joined; vector = word-weighted mean of"
             f" their MiniLM vectors, unit length)" if derived else ""))
    if derived:
        print("\n".join(check_combinations(texts, base, qvecs, sample_parts, joined_vectors)))
        reuse = (len(texts) + 2 * derived * (2 + 2 / 3) / 2) / len(texts)
        print(f"  each real text appears in ~{reuse:.0f} chunks: a rare word's FTS posting list is that much longer"
              " than in a real archive (full-text timings are pessimistic)")

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="pm-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"scale-{args.chunks}.db"
    if path.exists():
        kinds = rng.choice(len(KINDS), size=args.chunks, p=[p for _, p in KINDS])
        times = START + np.sort(rng.integers(0, SPAN, size=args.chunks))
        build_s = float("nan")
        print(f"re-using {path}")
    else:
        build_s, kinds, times = build(path, corpus, vectors, rng)
    size = sum(p.stat().st_size for p in workdir.glob(path.name + "*"))

    store = Store(path)
    cells = store.conn.execute("SELECT count(*) FROM vector_cells").fetchone()[0]
    probes = max(vector_index.MIN_PROBES, int(np.ceil(vector_index.PROBES_PER_ROOT * np.sqrt(cells)))) if cells else 0
    mode = (f"IVF {cells} cells, {probes} probed unfiltered, in-memory bits: Hamming shortlist {vector_index.SHORTLIST},"
            f" sign-scored to {vector_index.RESCORE} re-scored" if cells else
            f"no cells yet (untrained): every bit vector scanned in memory, re-score pool {vector_index.RESCORE}")
    memory = in_memory_load(store, qvecs[0])
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
    if memory:
        print(memory)
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores, shared)")
    print(f"{'query':32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}  target")
    for name, values in rows:
        target = TARGETS.get((args.chunks, name), "")
        print(f"{name:32} {len(values):5} {pct(values, 50):8.1f} {pct(values, 95):8.1f}  {target}")
    print(f"recall@10 vs exact float32 (numpy): all {r_all:.3f}, filtered ({FILTER_KIND}, 2021: {int(fmask.sum()):,} chunks) {r_filtered:.3f}  target >= 0.95")
    store.close()


if __name__ == "__main__":
    sys.exit(main())
