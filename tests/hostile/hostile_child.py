"""Index the hostile corpus in this process, under a memory limit, and write what happened as JSON.

Run by ``test_hostile.py`` as ``python hostile_child.py SPEC OUT``. The address
space is capped first (``RLIMIT_AS``). The embedder is a
small hashing one registered as a plugin: the real MiniLM cannot even load in
1 GB of address space, and what is tested here is parsing and indexing.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

class HashingEmbedder:
    """Words hashed into 64 buckets: deterministic, no model file, no memory to speak of."""

    name = "hashing"
    dimension = 64
    multilingual = True  # so the engine adds no second (USE) vector list: that model needs more than 1 GB too

    def encode(self, texts):
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split()[:2000]:
                out[row, hash(word) % self.dimension] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class HashingPlugin:
    from pocketmind import hookimpl

    @hookimpl
    def register_embedders(self, register):
        register("hashing", HashingEmbedder)


def main(spec_path: str, out_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    limit = spec["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ["HOME"] = spec["home"]
    from pocketmind import Engine

    started = time.perf_counter()
    result: dict = {"summaries": [], "crash": None}
    try:
        with Engine(home=spec["home"], plugins=[HashingPlugin()]) as engine:
            engine.settings.models.embedder = "hashing"
            for name, (kind, folder) in spec["sources"].items():
                engine.add_source(kind, folder, name=name)
            result["summaries"] = [s.to_json() for s in engine.index()]
            conn = engine.store.conn
            result["found"] = {
                token: [row[0] for row in conn.execute(
                    "SELECT source || ':' || origin FROM documents WHERE instr(text, ?) OR instr(title, ?)", (token, token))]
                for token in spec["tokens"]
            }
            result["attachment_paths"] = [
                a["path"] for (raw,) in conn.execute("SELECT attachments FROM documents") for a in json.loads(raw) if a.get("path")
            ]
            result["origins"] = sorted({f"{s}:{o}" for s, o in conn.execute("SELECT source, origin FROM documents")})
    except BaseException as error:  # noqa: BLE001 - the parent reports whatever stopped the run
        result["crash"] = f"{type(error).__name__}: {error}"
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(out_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:3])
