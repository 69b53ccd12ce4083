"""Settings: one TOML file, every field documented and validated.

The file lives at ``<config dir>/config.toml`` and is optional; a missing
field takes its default. ``pocketmind config`` prints the effective values
with their documentation, and the TUI writes edits back with :func:`save`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .permissions import make_private_dir, write_private


def as_text(value: Any) -> str:
    """A setting's value as a person types it (lists comma-separated, as :meth:`Settings.set` reads them)."""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _doc(text: str, default: Any) -> Any:
    return field(default=default, metadata={"doc": text})


def _number(text: str, default: int | float, low: int, high: int) -> Any:
    """A numeric setting with the range it must stay in (both ends allowed): a value outside
    it is refused when set or loaded, never clamped, so a mistake is noticed."""
    return field(default=default, metadata={"doc": text, "range": (low, high)})


@dataclass
class ModelSettings:
    embedder: str = _doc("Name of the embedder plugin to use (see `pocketmind plugins`).", "minilm")
    embedding_backend: str = _doc(
        "How the minilm embedder runs: \"onnx-int8\" (about 2x faster than torch and never imports it; "
        "scripts/setup.sh runs `pocketmind prepare-embedder onnx-int8` once) or \"torch\" (sentence-transformers). "
        "A store keeps the embedder its vectors were made with until `pocketmind reembed` (or the next index) moves it.",
        "onnx-int8"
    )
    answerer: str = _doc("Name of the answerer plugin to use.", "llama")
    llm_path: str = _doc(
        "Path to a GGUF model file. Empty means the bundled Gemma 3 270M. "
        "Any GGUF works; instruct models use their own chat template.", ""
    )
    llm_threads: int = _number("CPU threads for the LLM.", 2, 1, 256)
    # The most it may be: the window loaded is what the budgets need (see Settings.answer_window).
    llm_context: int = _number("LLM context window in tokens (at most).", 2048, 512, 1_048_576)
    max_answer_tokens: int = _number("Most tokens an answer may have.", 48, 8, 8192)
    idle_unload_seconds: int = _number("The daemon releases models after this many idle seconds (0 = never).", 300, 0, 604_800)


@dataclass
class SearchSettings:
    results: int = _number("How many results `search` shows and `ask` may cite.", 8, 1, 200)
    context_tokens: int = _number("Token budget of retrieved text packed into an answer prompt.", 500, 100, 131_072)
    candidates: int = _number("How many vector and full-text candidates are fused per query.", 60, 10, 5000)


@dataclass
class IndexSettings:
    batch_size: int = _number("Chunks the embedding model encodes at once (its batch size).", 64, 1, 4096)
    max_text_mb: int = _number(
        "Largest text file (a chat export, note, calendar, JSON or XML) or archive member indexed, in MB; "
        "a bigger one is skipped with a message. Photos and databases are not limited.", 64, 1, 4096
    )
    calendar_months_ahead: int = _number(
        "Repeating calendar events are kept from their first occurrence to this many months after today; "
        "the daemon moves the window forward as time passes.", 12, 1, 120
    )


@dataclass
class DaemonSettings:
    quiet_seconds: float = _number("The daemon indexes a changed file once it has been unchanged this long.", 2.0, 0, 86_400)
    rescan_minutes: float = _number("The daemon rescans every source this often, to catch missed changes.", 60.0, 1, 10_080)
    poll_seconds: float = _number("How often the daemon checks database sources such as iMessage chat.db.", 60.0, 1, 86_400)


@dataclass
class PluginSettings:
    paths: list = field(default_factory=list, metadata={"doc": (
        "Plugins loaded from local files, for plugins that are not installed as packages: "
        ".py files or folders holding a package (comma-separated on the command line)."
    )})


@dataclass
class Settings:
    models: ModelSettings = field(default_factory=ModelSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    index: IndexSettings = field(default_factory=IndexSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    plugins: PluginSettings = field(default_factory=PluginSettings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> list[tuple[str, Any, str]]:
        """(dotted name, value, documentation) for every field; a number's documentation ends with its range."""
        rows = []
        for section in fields(self):
            group = getattr(self, section.name)
            for f in fields(group):
                doc = f.metadata["doc"]
                if "range" in f.metadata:
                    low, high = f.metadata["range"]
                    doc = f"{doc} ({low} to {high})"
                rows.append((f"{section.name}.{f.name}", getattr(group, f.name), doc))
        return rows

    def check(self) -> None:
        """Refuse settings that are each in range but do not fit together."""
        need = self.prompt_need()
        if need > self.models.llm_context:
            raise ConfigError(
                f"setting models.llm_context = {self.models.llm_context} cannot hold search.context_tokens = "
                f"{self.search.context_tokens} plus models.max_answer_tokens = {self.models.max_answer_tokens} plus "
                f"{PROMPT_OVERHEAD_TOKENS} for the question and instructions: use at least {need}, or lower the others")

    def answer_window(self) -> int:
        """The LLM context window to load: what the prompt budgets need, rounded up to 256 tokens,
        at most ``models.llm_context``. The defaults need 848 (LoCoMo's longest prompt is 786
        tokens): a 1024-token window, whose KV cache is 20 MB smaller than 2048's in the warm
        daemon (bench/memory.py); a larger search.context_tokens gets a larger window."""
        return min(self.models.llm_context, -(-self.prompt_need() // 256) * 256)

    def prompt_need(self) -> int:
        """Tokens an answer prompt may take with its answer: the retrieved text, the answer, and
        the question with the instructions."""
        return self.search.context_tokens + self.models.max_answer_tokens + PROMPT_OVERHEAD_TOKENS

    def get(self, dotted: str) -> Any:
        group, f = self._field(dotted)
        return getattr(group, f.name)

    def allowed_range(self, dotted: str) -> tuple[int, int]:
        """(lowest, highest) value a numeric setting accepts."""
        return self._field(dotted)[1].metadata["range"]

    def set(self, dotted: str, raw: Any) -> None:
        """Set ``section.name`` from a string or value, converting to the field's type and checking its range."""
        group, f = self._field(dotted)
        current = getattr(group, f.name)
        if isinstance(current, list):
            items = raw if isinstance(raw, list) else str(raw).split(",")
            setattr(group, f.name, [str(item).strip() for item in items if str(item).strip()])
            return
        if "range" in f.metadata:
            setattr(group, f.name, _checked_number(dotted, raw, type(current), *f.metadata["range"]))
            return
        try:
            value = type(current)(raw) if not isinstance(raw, type(current)) else raw
        except (TypeError, ValueError):
            raise ConfigError(f"setting {dotted} must be a {type(current).__name__}, got {raw!r}") from None
        setattr(group, f.name, value)

    def _field(self, dotted: str) -> tuple[Any, Any]:
        section, _, name = dotted.partition(".")
        group = getattr(self, section, None) if section in {f.name for f in fields(self)} else None
        known = {f.name: f for f in fields(group)} if group is not None else {}
        if name not in known:
            raise ConfigError(f"unknown setting {dotted!r}")
        return group, known[name]


# An answer prompt holds, besides the retrieved text, instructions, the question and passage
# headers: under 300 tokens for an everyday question (tests/test_answer.py measures it).
PROMPT_OVERHEAD_TOKENS = 300


def _checked_number(dotted: str, raw: Any, kind: type, low: int, high: int) -> int | float:
    """``raw`` (typed on the command line or read from TOML) as an int or a finite float inside [low, high]."""
    value = _as_int(raw) if kind is int else _as_float(raw)
    if value is None or not low <= value <= high:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"setting {dotted} = {raw} is not allowed: use {what} from {low} to {high}")
    return value


def _as_int(raw: Any) -> int | None:
    # TOML's `true` is a Python int and `8.0` a float: neither is an integer setting.
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            return None
    return None


def _as_float(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # NaN compares false with everything: refuse it by name



# Settings that no longer exist: a config.toml written by an older version still loads.
RETIRED = {"index.calendar_years_ahead"}


def load(path: Path) -> Settings:
    settings = Settings()
    if not path.exists():
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for section, values in data.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for name, value in values.items():
            if f"{section}.{name}" in RETIRED:
                continue
            try:
                settings.set(f"{section}.{name}", value)
            except ConfigError as exc:
                raise ConfigError(f"{path}: {exc}") from None
    try:
        settings.check()
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return settings


def save(settings: Settings, path: Path) -> None:
    """Write every field with its documentation as a comment."""
    lines = ["# pocketmind settings. Every field is optional; shown with its current value.", ""]
    current = None
    for dotted, value, doc in settings.describe():
        section, name = dotted.split(".", 1)
        if section != current:
            if current is not None:
                lines.append("")
            lines.append(f"[{section}]")
            current = section
        lines.append(f"# {doc}")
        lines.append(f"{name} = {_toml_value(value)}")
    make_private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    write_private(tmp, "\n".join(lines) + "\n")
    tmp.replace(path)


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
