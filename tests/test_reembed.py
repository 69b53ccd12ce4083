"""A store remembers which embedder made its vectors, is queried with that one, and
`pocketmind reembed` moves it to another in committed batches that survive a kill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime

from conftest import REAL
from helpers import SAMPLES
from pocketmind import Engine
from pocketmind.cli import main
from pocketmind.embeddings import MiniLMEmbedder
from pocketmind.embeddings.onnx import OnnxInt8MiniLMEmbedder
from pocketmind.settings import Settings
from pocketmind.store import Store

NOW = datetime(2025, 11, 23, 12, 0)
KEY = "correct horse battery staple"


def _chats(tmp_path, *names):
    chats = tmp_path / "chats"
    chats.mkdir()
    shutil.copy(SAMPLES / "messages" / "WhatsApp Chat with Anna.txt", chats)
    for name in names:
        shutil.copy(REAL / "messages" / "whatsapp" / name, chats)
    return chats


def test_a_torch_store_is_queried_with_torch_until_reembed_moves_it(tmp_path, warm_models, capsys):
    home = tmp_path / "home"
    torch_settings = Settings()
    torch_settings.models.embedding_backend = "torch"
    with Engine(home=home, settings=torch_settings, now=lambda: NOW) as engine:
        engine.add_source("messages", _chats(tmp_path, "whatsjson_english_android.txt"), name="chats")
        engine.index()
        assert engine.store.get_meta("embedder") == "minilm/torch"
        before = [r.id for r in engine.search("relocating to Germany for a new position", k=3)]
        engine.store.set_meta("embedder", "minilm")  # what a store made before identities named the backend
        chunks = engine.store.counts()["chunks"]

    # The default (onnx-int8) is configured now: the store's torch vectors are still queried with torch.
    with Engine(home=home, now=lambda: NOW) as engine:
        status = engine.status()
        assert (status["embedder"], status["configured_embedder"]) == ("minilm/torch", "minilm/onnx-int8")
        assert type(engine.vectors_embedder) is MiniLMEmbedder
        assert [r.id for r in engine.search("relocating to Germany for a new position", k=3)] == before
    assert main(["--home", str(home), "status"]) == 0
    assert "configured: minilm/onnx-int8; `pocketmind reembed` moves the vectors to it" in capsys.readouterr().out

    assert main(["--home", str(home), "reembed", "--json"]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert moved == {"embedder": "minilm/onnx-int8", "previous_embedder": "minilm/torch", "chunks": chunks, "embedded": chunks}
    with Engine(home=home, now=lambda: NOW) as engine:
        assert engine.status()["embedder"] == "minilm/onnx-int8" and engine.status()["reembed_in_progress"] is None
        assert isinstance(engine.vectors_embedder, OnnxInt8MiniLMEmbedder)
        assert engine.store.conn.execute("SELECT count(*) FROM chunk_embeddings").fetchone()[0] == chunks
        # One of the three messages torch ranked first: int8 kernels round differently from one CPU to
        # another, and two of Anna's messages lie within a hair of each other (seen swapped).
        assert engine.search("relocating to Germany for a new position", k=1)[0].id in before
    assert main(["--home", str(home), "reembed", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["embedded"] == 0  # nothing left to move


def test_a_killed_reembed_keeps_the_old_vectors_serving_and_the_next_run_continues(tmp_path, warm_models):
    home = tmp_path / "home"
    with Engine(home=home, key=KEY, now=lambda: NOW) as engine:  # encrypted: the staging table is inside the cipher
        engine.add_source("messages", _chats(tmp_path, "whatstk_lorem_ios_seconds.txt"), name="chats")
        engine.index()
        assert engine.store.encrypted and engine.store.get_meta("embedder") == "minilm/onnx-int8"
        chunks = engine.store.counts()["chunks"]
        movers = engine.search("when do the movers arrive", k=1)[0]
    assert chunks > 400

    env = {**os.environ, "POCKETMIND_HOME": str(home), "POCKETMIND_KEY": KEY}
    run = subprocess.Popen([sys.executable, "-m", "pocketmind.cli", "reembed", "--backend", "torch"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    staged = _wait_for_staged_batch(Store(home / "data" / "pocketmind.db", key=KEY), run)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    assert 0 < staged < chunks

    with Engine(home=home, key=KEY, now=lambda: NOW) as engine:
        status = engine.status()
        assert status["embedder"] == "minilm/onnx-int8" and status["configured_embedder"] == "minilm/torch"
        assert status["reembed_in_progress"]["embedder"] == "minilm/torch"
        done = status["reembed_in_progress"]["staged"]
        assert done >= staged
        # The old vectors still answer, with the encoder that made them.
        assert isinstance(engine.vectors_embedder, OnnxInt8MiniLMEmbedder)
        assert engine.search("when do the movers arrive", k=1)[0].id == movers.id

        summary = engine.reembed()  # continues: only what the killed run had not committed
        assert (summary.embedder, summary.chunks, summary.embedded) == ("minilm/torch", chunks, chunks - done)
        assert engine.store.get_meta("embedder") == "minilm/torch" and engine.store.reembed_target() is None
        assert engine.store.conn.execute("SELECT count(*) FROM chunk_embeddings").fetchone()[0] == chunks
        assert engine.store.conn.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'reembed_vectors'").fetchone()[0] == 0
        assert type(engine.vectors_embedder) is MiniLMEmbedder
        assert engine.search("when do the movers arrive", k=1)[0].id == movers.id


def _wait_for_staged_batch(store: Store, run: subprocess.Popen) -> int:
    """Chunks the running reembed has committed, once it has committed at least one batch."""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            assert run.poll() is None, run.stderr.read().decode()[-2000:]
            try:
                staged = store.conn.execute("SELECT count(*) FROM reembed_vectors").fetchone()[0]
            except Exception:  # the table is not created yet
                staged = 0
            if staged:
                return staged
            time.sleep(0.02)
        raise AssertionError("reembed staged nothing in 120 s")
    finally:
        store.close()
