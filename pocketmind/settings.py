"""Settings: one TOML file, every field documented and validated.

The file lives at ``<config dir>/config.toml`` and is optional; a missing
field takes its default. ``pocketmind config`` prints the effective values
with their documentation, and the TUI writes edits back with :func:`save`.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError


def as_text(value: Any) -> str:
    """A setting's value as a person types it (lists comma-separated, as :meth:`Settings.set` reads them)."""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _doc(text: str, default: Any) -> Any:
    return field(default=default, metadata={"doc": text})


@dataclass
class ModelSettings:
    embedder: str = _doc("Name of the embedder plugin to use (see `pocketmind plugins`).", "minilm")
    embedding_backend: str = _doc(
        "How the minilm embedder runs: \"torch\", or \"onnx-int8\" (about 2x faster, needs onnxruntime and "
        "`pocketmind prepare-embedder onnx-int8` once; switching re-embeds the index).", "torch"
    )
    answerer: str = _doc("Name of the answerer plugin to use.", "llama")
    llm_path: str = _doc(
        "Path to a GGUF model file. Empty means the bundled Gemma 3 270M. "
        "Any GGUF works; instruct models use their own chat template.", ""
    )
    llm_threads: int = _doc("CPU threads for the LLM.", 2)
    llm_context: int = _doc("LLM context window in tokens.", 2048)
    max_answer_tokens: int = _doc("Most tokens an answer may have.", 48)
    idle_unload_seconds: int = _doc("The daemon releases models after this many idle seconds (0 = never).", 300)


@dataclass
class SearchSettings:
    results: int = _doc("How many results `search` shows and `ask` may cite.", 8)
    context_tokens: int = _doc("Token budget of retrieved text packed into an answer prompt.", 500)
    candidates: int = _doc("How many vector and full-text candidates are fused per query.", 60)


@dataclass
class IndexSettings:
    batch_size: int = _doc("Chunks the embedding model encodes at once (its batch size).", 64)
    max_text_mb: int = _doc(
        "Largest text file (a chat export, note, calendar, JSON or XML) or archive member indexed, in MB; "
        "a bigger one is skipped with a message. Photos and databases are not limited.", 64
    )


@dataclass
class DaemonSettings:
    quiet_seconds: float = _doc("The daemon indexes a changed file once it has been unchanged this long.", 2.0)
    rescan_minutes: float = _doc("The daemon rescans every source this often, to catch missed changes.", 60.0)
    poll_seconds: float = _doc("How often the daemon checks database sources such as iMessage chat.db.", 60.0)


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
        """(dotted name, value, documentation) for every field."""
        rows = []
        for section in fields(self):
            group = getattr(self, section.name)
            for f in fields(group):
                rows.append((f"{section.name}.{f.name}", getattr(group, f.name), f.metadata["doc"]))
        return rows

    def set(self, dotted: str, raw: Any) -> None:
        """Set ``section.name`` from a string or value, converting to the field's type."""
        section, _, name = dotted.partition(".")
        group = getattr(self, section, None)
        known = {f.name: f for f in fields(group)} if group is not None else {}
        if name not in known:
            raise ConfigError(f"unknown setting {dotted!r}")
        current = getattr(group, name)
        if isinstance(current, list):
            items = raw if isinstance(raw, list) else str(raw).split(",")
            setattr(group, name, [str(item).strip() for item in items if str(item).strip()])
            return
        try:
            value = type(current)(raw) if not isinstance(raw, type(current)) else raw
        except (TypeError, ValueError):
            raise ConfigError(f"setting {dotted} must be a {type(current).__name__}, got {raw!r}") from None
        if isinstance(value, int) and value < 0:
            raise ConfigError(f"setting {dotted} cannot be negative")
        if dotted in RANGES and not RANGES[dotted][0] <= value <= RANGES[dotted][1]:
            low, high = RANGES[dotted]
            raise ConfigError(f"setting {dotted} must be between {low} and {high}, got {value!r}")
        setattr(group, name, value)


# Bounds of numeric settings whose extremes break something: 0 MB would skip every
# file; past 4 GB one file's parse cannot fit in a laptop's memory.
RANGES = {"index.max_text_mb": (1, 4096)}


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
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
