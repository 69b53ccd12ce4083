"""Shared fixtures: the real corpus beside the repo and an isolated home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Beside the clone (CI, /work/main); a worktree one level deeper finds it two up;
# POCKETMIND_SHARED names it anywhere else.
CORPUS = (Path(os.environ["POCKETMIND_SHARED"]) / "corpus" if os.environ.get("POCKETMIND_SHARED") else
          next((p / "shared" / "corpus" for p in (REPO.parent, REPO.parent.parent) if (p / "shared" / "corpus").is_dir()),
               REPO.parent / "shared" / "corpus"))
REAL = CORPUS / "real"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own POCKETMIND_HOME so nothing touches the user's data."""
    home = tmp_path / "pm-home"
    monkeypatch.setenv("POCKETMIND_HOME", str(home))
    return home


@pytest.fixture
def real() -> Path:
    assert REAL.is_dir(), f"the real corpus is expected at {REAL}"
    return REAL


@pytest.fixture(scope="session")
def warm_models():
    """Load the real embedding model once per test session.

    Engines share loaded models process-wide while anyone holds them, so
    holding one here keeps every test's engine from loading it again.
    """
    from pocketmind.embeddings import MiniLMEmbedder, MultilingualUSEEmbedder
    from pocketmind.embeddings.onnx import OnnxInt8MiniLMEmbedder, find_prepared, shared_cache_dir

    embedder = MiniLMEmbedder()
    model = embedder.model
    default = OnnxInt8MiniLMEmbedder(find_prepared(shared_cache_dir())).model  # the default backend's, held too
    multilingual = MultilingualUSEEmbedder(threads=1)  # the engines' second vector list (threads as Engine uses)
    multilingual.encode(["warm"])
    yield model
    del default, multilingual
