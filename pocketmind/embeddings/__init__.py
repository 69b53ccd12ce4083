"""Embedders: text in, unit-length float32 vectors out.

- :mod:`.models`: all-MiniLM-L6-v2 (sentence-transformers, the default) and the
  multilingual Universal Sentence Encoder; ``with_backend`` picks how MiniLM runs;
- :mod:`.onnx`: MiniLM exported to ONNX and int8-quantized, offline, from the bundled weights.
"""

from .models import BACKENDS, Embedder, MiniLMEmbedder, MultilingualUSEEmbedder, with_backend

__all__ = ["BACKENDS", "Embedder", "MiniLMEmbedder", "MultilingualUSEEmbedder", "with_backend"]
