"""Ingest throughput against raw SentenceTransformer.encode, and the no-change re-index.

    python bench/ingest.py [--notes DIR] [--locomo FILE ...] [--backend torch|onnx-int8]
    python bench/ingest.py --calendars [DIR]

With ``--calendars`` only calendars are indexed, each file into its own fresh
home: first-index time, events stored and chunks embedded per file, the
shared calendar folder in total, and the 32 KB Google calendar with open-ended
weekly rules against its target (<= 100 chunks embedded, <= 5 s).

Indexes the shared notes and the LoCoMo dev conversations (as WhatsApp
exports) into a fresh temporary home through the public API, then encodes
exactly the texts that were embedded with the same model in the same process,
and prints documents/s, chunks/s and the ratio of end-to-end throughput to
raw encoding (target >= 0.9). Then re-indexes with nothing changed (must
embed nothing and take < 5% of the first run).

With ``--backend onnx-int8`` the index runs on the int8 ONNX MiniLM (prepared
first into the temporary home, its build time printed), and the same texts
are encoded raw by both torch and onnx-int8 in this process: the speed-up of
onnx-int8 over torch (target >= 2x), end-to-end against both, and the cosine
between the two backends' vectors of every text.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locomo_data  # noqa: E402

from pocketmind import Engine  # noqa: E402
from pocketmind.embeddings import onnx as onnx_embedder  # noqa: E402
from pocketmind.indexing.rows import stored_embedding_inputs  # noqa: E402
from pocketmind.embeddings import MiniLMEmbedder  # noqa: E402
from pocketmind.settings import Settings  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CALENDARS = SHARED / "real" / "calendar"
GOOGLE_32K = "rie_google_machbar_public_calendar_32k.ics"  # open-ended weekly rules (issue 15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=Path, default=SHARED / "real" / "notes")
    parser.add_argument("--locomo", type=Path, nargs="*", default=sorted(locomo_data.LOCOMO_DIR.glob("*.json")))
    parser.add_argument("--backend", choices=("torch", "onnx-int8"), default="torch", help="embedding backend the index runs on")
    parser.add_argument("--calendars", type=Path, nargs="?", const=CALENDARS, help="index only calendars (default: the shared ones)")
    args = parser.parse_args()
    if args.calendars:
        bench_calendars(args.calendars, args.backend)
        return

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = Settings()
        settings.models.embedding_backend = args.backend
        if args.backend != "torch":
            started = time.perf_counter()
            onnx_embedder.prepare(tmp / "home" / "cache")
            print(f"prepare {args.backend}: {time.perf_counter() - started:.1f} s (export + quantize, once per install)")
        chats = tmp / "chats"
        for path in args.locomo:
            locomo_data.write_whatsapp_export(locomo_data.load(path), chats / path.stem, with_photos=False)
        with Engine(home=tmp / "home", settings=settings) as engine:
            engine.add_source("notes", args.notes, name="notes")
            engine.add_source("messages", chats, name="chats")
            engine.embedder.encode(["warm up the model"])  # load time is not throughput

            started = time.perf_counter()
            summaries = engine.index()
            e2e = time.perf_counter() - started
            docs = sum(s.added for s in summaries)
            embedded = sum(s.embedded for s in summaries)
            chunks = sum(s.chunks for s in summaries)

            texts = _embedded_texts(engine)
            torch_embedder = MiniLMEmbedder() if args.backend != "torch" else engine.embedder
            torch_embedder.encode(["warm up the model"])
            started = time.perf_counter()
            torch_vectors = torch_embedder.encode(texts)
            raw = time.perf_counter() - started
            if args.backend != "torch":
                started = time.perf_counter()
                backend_vectors = engine.embedder.encode(texts)
                raw_backend = time.perf_counter() - started

            started = time.perf_counter()
            again = engine.index()
            rerun = time.perf_counter() - started

    print(f"corpus: {docs} documents, {chunks} chunks, {embedded} embedded")
    print(f"end to end: {e2e:8.2f} s  {docs / e2e:8.1f} documents/s  {embedded / e2e:8.1f} chunks/s")
    print(f"raw encode: {raw:8.2f} s  {embedded / raw:8.1f} chunks/s  (SentenceTransformer.encode, same texts, same process)")
    print(f"ratio end-to-end / raw encode: {raw / e2e:.3f}  (target >= 0.9)")
    if args.backend != "torch":
        cosine = (torch_vectors * backend_vectors).sum(axis=1)
        print(f"raw {args.backend}: {raw_backend:8.2f} s  {embedded / raw_backend:8.1f} chunks/s  (same texts, same process)")
        print(f"speed-up {args.backend} / torch raw encode: {raw / raw_backend:.2f}x  (target >= 2)")
        print(f"ratio end-to-end ({args.backend}) / raw {args.backend} encode: {raw_backend / e2e:.3f}")
        print(f"cosine {args.backend} vs torch over {len(texts)} texts: mean {cosine.mean():.4f}  "
              f"p1 {np.percentile(cosine, 1):.4f}  min {cosine.min():.4f}")
    print(f"no-change re-index: {rerun:.2f} s = {100 * rerun / e2e:.1f}% of the first run, embedded {sum(s.embedded for s in again)} (target: 0 and < 5%)")


def bench_calendars(folder: Path, backend: str) -> None:
    """First index of every calendar file alone (a fresh home each, model loaded before the clock starts)."""
    settings = Settings()
    settings.models.embedding_backend = backend
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    totals = [0.0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        for n, path in enumerate(files):
            with Engine(home=Path(tmp) / f"home{n}", settings=settings) as engine:
                engine.add_source("calendar", path, name="cal")
                engine.embedder.encode(["warm up the model"])
                started = time.perf_counter()
                summary = engine.index()[0]
                seconds = time.perf_counter() - started
            totals[0] += seconds
            totals[1] += summary.added
            totals[2] += summary.embedded
            print(f"{path.name:55} {seconds:7.2f} s  {summary.added:6d} events  {summary.embedded:6d} chunks embedded")
            if path.name == GOOGLE_32K:
                google = (seconds, summary.added, summary.embedded)
    print(f"{'all calendars':55} {totals[0]:7.2f} s  {totals[1]:6d} events  {totals[2]:6d} chunks embedded")
    if GOOGLE_32K in {p.name for p in files}:
        seconds, added, embedded = google
        print(f"32 KB Google calendar: {seconds:.2f} s, {added} events, {embedded} chunks embedded "
              f"(target: <= 100 chunks and <= 5 s)")


def _embedded_texts(engine: Engine) -> list[str]:
    """The distinct texts the index embedded, rebuilt from stored fields."""
    hashes = dict(engine.store.conn.execute("SELECT id, hash FROM chunks"))
    texts = {}
    for chunk_id, _kind, _source, _when, text, own in stored_embedding_inputs(engine.store):
        digest = hashes[chunk_id]
        assert hashlib.sha256(text.encode()).hexdigest() == digest, chunk_id
        texts.setdefault(digest, [text] + ([own] if own else []))  # a short reply is embedded twice
    return [t for pair in texts.values() for t in pair]


if __name__ == "__main__":
    main()
