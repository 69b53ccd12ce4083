"""Embedders: text in, unit-length float32 vectors out.

- :mod:`.models`: all-MiniLM-L6-v2 (int8 ONNX by default, or sentence-transformers) and the
  multilingual Universal Sentence Encoder; ``with_backend`` picks how MiniLM runs,
  ``identity`` names an embedder as the store records it;
- :mod:`.onnx`: MiniLM exported to ONNX and int8-quantized, offline, from the bundled weights.
"""

from .models import (BACKENDS, Embedder, MiniLMEmbedder, MultilingualUSEEmbedder, identity, recorded_identity,
                     split_identity, with_backend)

__all__ = ["BACKENDS", "Embedder", "MiniLMEmbedder", "MultilingualUSEEmbedder", "identity", "recorded_identity",
           "split_identity", "with_backend"]
