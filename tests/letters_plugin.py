"""A tiny deterministic embedder (letter counts), loadable as a local plugin file (``plugins.paths``).

For tests that measure parsing and limits, not retrieval quality: it needs no
model, so an engine indexes thousands of documents in seconds, and it fits
under the 1 GB address-space limit of tests/bounded_run.py (torch does not).
"""

from __future__ import annotations

import numpy as np

from pocketmind import hookimpl

PATH = __file__


class LettersEmbedder:
    name = "letters"
    dimension = 26

    def encode(self, texts):
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@hookimpl
def register_embedders(register):
    register("letters", LettersEmbedder)
