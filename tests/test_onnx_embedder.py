"""The onnx-int8 MiniLM backend: built offline from the bundled model, close to
torch's vectors on real text, and an engine on it finds the right message."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from conftest import REAL, REPO
from helpers import SAMPLES
from pocketmind import Engine
from pocketmind.embeddings import onnx as onnx_embedder
from pocketmind.cli import main
from pocketmind.embeddings import MiniLMEmbedder, with_backend
from pocketmind.errors import ConfigError, ModelError
from pocketmind.embeddings.onnx import OnnxInt8MiniLMEmbedder
from pocketmind.settings import Settings

sys.path.insert(0, str(REPO / "bench"))
import locomo_data  # noqa: E402

# Measured on 440 LoCoMo turns and real notes: mean cosine 0.992, min 0.984.
MEAN_COSINE = 0.985
MIN_COSINE = 0.97


@pytest.fixture(scope="module")
def prepared_home(tmp_path_factory) -> Path:
    """One export per test module (about 10 s on two idle cores), into a home's cache."""
    home = tmp_path_factory.mktemp("onnx-home")
    onnx_embedder.prepare(home / "cache")
    return home


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    conv = locomo_data.load(sorted(locomo_data.LOCOMO_DIR.glob("*.json"))[0])
    turns = [t.text for t in locomo_data.turns(conv) if t.text][:150]
    notes = [p.read_text(encoding="utf-8", errors="replace")[:1200] for p in sorted((REAL / "notes" / "obsidian").rglob("*.md"))][:30]
    assert len(turns) == 150 and len(notes) >= 10
    return turns + notes


def test_prepare_writes_a_quantized_model_and_is_idempotent(prepared_home):
    folder = onnx_embedder.prepared_path(prepared_home / "cache")
    assert onnx_embedder.is_prepared(prepared_home / "cache")
    info = json.loads((folder / "info.json").read_text())
    assert info["per_channel"] is True and info["max_tokens"] == 256
    # int8 weights: far smaller than the 90 MB float model (the fp32 word-embedding table stays).
    assert 40e6 < (folder / "model.onnx").stat().st_size < 65e6
    assert sorted(p.name for p in folder.parent.iterdir()) == ["minilm-onnx-int8"]  # no temporary folder left
    before = (folder / "model.onnx").stat().st_mtime_ns
    assert onnx_embedder.prepare(prepared_home / "cache") == folder
    assert (folder / "model.onnx").stat().st_mtime_ns == before


def test_vectors_are_close_to_torch_on_real_text(prepared_home, real_texts, warm_models):
    onnx = OnnxInt8MiniLMEmbedder(onnx_embedder.prepared_path(prepared_home / "cache"))
    fast = onnx.encode(real_texts)
    exact = MiniLMEmbedder().encode(real_texts)
    assert fast.shape == (len(real_texts), 384) and fast.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    cosine = (fast * exact).sum(axis=1)
    assert cosine.mean() > MEAN_COSINE and cosine.min() > MIN_COSINE, (cosine.mean(), cosine.min())
    # A text's vector does not depend on the texts encoded with it (int8
    # activation scales would mix them in a batch: 0.992 to itself alone).
    alone = onnx.encode([real_texts[-1]])[0]
    np.testing.assert_allclose(alone, fast[-1], atol=1e-6)
    # Nearest neighbours among the texts mostly agree with torch's.
    same = (np.argsort(-(fast @ fast.T), axis=1)[:, 1] == np.argsort(-(exact @ exact.T), axis=1)[:, 1]).mean()
    assert same > 0.8, same
    assert onnx.encode([]).shape == (0, 384)


def test_engine_on_onnx_int8_indexes_real_exports_and_finds_the_message(prepared_home, tmp_path, warm_models):
    chats = tmp_path / "chats"
    chats.mkdir()
    shutil.copy(SAMPLES / "messages" / "WhatsApp Chat with Anna.txt", chats)
    for name in ("whatsjson_english_android.txt", "chatminer_android_ddmmyy_24h.txt"):
        shutil.copy(REAL / "messages" / "whatsapp" / name, chats)
    settings = Settings()
    settings.models.embedding_backend = "onnx-int8"
    with Engine(home=prepared_home, settings=settings, now=lambda: datetime(2025, 11, 23, 12, 0)) as engine:
        engine.add_source("messages", chats, name="chats")
        summaries = engine.index()
        assert isinstance(engine.embedder, OnnxInt8MiniLMEmbedder)
        assert engine.store.get_meta("embedder") == "minilm/onnx-int8"
        assert sum(s.failed for s in summaries) == 0 and sum(s.embedded for s in summaries) > 12
        # No word in common with the message: found by its vector.
        # (Anna's "Perfect. I have news" just before them may rank first: a reply never outranks
        # the message it follows unless it matched better on its own, retrieval.pass_on_to_replies.)
        top = engine.search("relocating to Germany for a new position", k=3)
        assert all(r.uri.split("#")[0].endswith("Anna.txt") for r in top)
        found = [r for r in top if r.snippet in {"So... I got the job in Berlin!", "I'm moving to Berlin on the 1st of March."}]
        assert found and found[0].uri.endswith(("Anna.txt#L5", "Anna.txt#L6"))
        movers = engine.search("when do the movers arrive", k=1)[0]
        assert movers.snippet == "The movers come on the 27th"

        # Back to torch: another embedder identity, so every chunk is embedded again.
        chunks = engine.store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        engine.settings.models.embedding_backend = "torch"
        engine.release_models()
        engine.ensure_vector_table()
        assert engine.store.get_meta("embedder") == "minilm/torch"
        # torch ranks the same messages first.
        assert engine.search("when do the movers arrive", k=1)[0].id == movers.id
        # The same three messages; two of Anna's lie within a hair of each other, and int8 kernels
        # round differently from one CPU to another (seen: the order of those two swapped).
        assert {r.id for r in engine.search("relocating to Germany for a new position", k=3)} == {r.id for r in top}
        assert engine.store.conn.execute("SELECT count(*) FROM chunk_embeddings").fetchone()[0] == chunks


def test_cli_prepare_reuses_the_export_and_switches_the_setting(prepared_home, capsys):
    assert main(["--home", str(prepared_home), "prepare-embedder", "onnx-int8", "--use"]) == 0
    out = capsys.readouterr().out
    assert "onnx-int8 embedder ready" in out and "models.embedding_backend = 'onnx-int8'" in out
    assert 'embedding_backend = "onnx-int8"' in (prepared_home / "config" / "config.toml").read_text()


def test_unprepared_stale_unknown_or_mismatched_backend_is_a_clear_error(prepared_home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))  # the per-user cache every home shares: empty
    embedder = with_backend(MiniLMEmbedder(), "onnx-int8", tmp_path / "cache")
    with pytest.raises(ModelError, match="pocketmind prepare-embedder onnx-int8"):
        embedder.encode(["hello"])
    # Prepared once in the per-user cache (what scripts/setup.sh does), any home finds it.
    shutil.copytree(onnx_embedder.prepared_path(prepared_home / "cache"), tmp_path / "user-cache" / "pocketmind" / onnx_embedder.PREPARED_DIR)
    assert with_backend(MiniLMEmbedder(), "onnx-int8", tmp_path / "cache").encode(["hello"]).shape == (1, 384)
    shutil.rmtree(tmp_path / "user-cache")
    # An export from another version of the bundled model is not used.
    stale = onnx_embedder.prepared_path(tmp_path / "cache")
    shutil.copytree(onnx_embedder.prepared_path(prepared_home / "cache"), stale)
    info = json.loads((stale / "info.json").read_text())
    (stale / "info.json").write_text(json.dumps(info | {"version": "0.0.1-old"}))
    assert not onnx_embedder.is_prepared(tmp_path / "cache")
    with pytest.raises(ModelError, match="not prepared for the installed model"):
        with_backend(MiniLMEmbedder(), "onnx-int8", tmp_path / "cache").encode(["hello"])
    with pytest.raises(ConfigError, match="unknown embedding backend 'onnx-fp16'"):
        with_backend(MiniLMEmbedder(), "onnx-fp16", tmp_path / "cache")
    from pocketmind.embeddings import MultilingualUSEEmbedder

    # The backend is how minilm runs: another embedder (the default backend is onnx-int8) runs its one way.
    multilingual = MultilingualUSEEmbedder()
    assert with_backend(multilingual, "onnx-int8", tmp_path / "cache") is multilingual
    plain = MiniLMEmbedder()
    assert with_backend(plain, "torch", tmp_path / "cache") is plain
