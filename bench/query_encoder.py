"""Can a store of torch vectors be queried with the onnx-int8 encoder? Measured, not assumed.

    python bench/query_encoder.py [--conversations N]

Over the LoCoMo dev conversations, every turn ("speaker: text") is embedded by
torch MiniLM and by onnx-int8 MiniLM, and every question with evidence by
both. Prints, per pairing of (vectors, query encoder), the evidence recall@10
of a plain cosine top-10 and the share of the torch/torch top-10 it keeps.
The engine queries a store with the encoder that made its vectors (see
``Engine.vectors_embedder``); this prints what mixing would cost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locomo_data  # noqa: E402

from pocketmind.embeddings import MiniLMEmbedder  # noqa: E402
from pocketmind.embeddings import onnx as onnx_embedder  # noqa: E402

K = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=5)
    args = parser.parse_args()
    torch_encoder = MiniLMEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        folder = onnx_embedder.prepared_path(onnx_embedder.shared_cache_dir())
        if not onnx_embedder.is_prepared(onnx_embedder.shared_cache_dir()):
            folder = onnx_embedder.prepare(Path(tmp))
        onnx_encoder = onnx_embedder.OnnxInt8MiniLMEmbedder(folder)
        pairs = {("torch", "torch"): [], ("torch", "onnx-int8"): [], ("onnx-int8", "onnx-int8"): []}
        kept = {pair: [] for pair in pairs}
        started = time.perf_counter()
        for path in sorted(locomo_data.LOCOMO_DIR.glob("*.json"))[: args.conversations]:
            conv = locomo_data.load(path)
            turns = locomo_data.turns(conv)
            ids = [t.dia_id for t in turns]
            texts = [f"{t.speaker}: {t.text}" for t in turns]
            questions = [q for q in conv["qa"] if q.get("evidence") and q.get("question")]
            docs = {"torch": torch_encoder.encode(texts), "onnx-int8": onnx_encoder.encode(texts)}
            query_texts = [q["question"] for q in questions]
            queries = {"torch": torch_encoder.encode(query_texts), "onnx-int8": onnx_encoder.encode(query_texts)}
            reference = np.argsort(-(queries["torch"] @ docs["torch"].T), axis=1)[:, :K]
            for doc_side, query_side in pairs:
                top = np.argsort(-(queries[query_side] @ docs[doc_side].T), axis=1)[:, :K]
                for q, row, ref in zip(questions, top, reference):
                    found = {ids[i] for i in row}
                    pairs[(doc_side, query_side)].append(len(found & set(q["evidence"])) / len(q["evidence"]))
                    kept[(doc_side, query_side)].append(len(set(row) & set(ref)) / K)
        print(f"{sum(len(v) for v in pairs.values()) // 3} questions, {time.perf_counter() - started:.0f} s")
        print(f"{'vectors':<10} {'queries':<10} {'recall@10':>10} {'top-10 kept':>12}")
        for (doc_side, query_side), recalls in pairs.items():
            print(f"{doc_side:<10} {query_side:<10} {100 * np.mean(recalls):>10.2f} {100 * np.mean(kept[(doc_side, query_side)]):>11.1f}%")


if __name__ == "__main__":
    main()
