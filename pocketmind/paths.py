"""Where pocketmind keeps things.

platformdirs picks the usual per-OS folders; ``POCKETMIND_HOME`` (or
``--home``) puts config, data, cache, logs and state under one folder, which
is what tests and benchmarks use. Nothing here creates a folder: the engine
creates them when it opens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "pocketmind"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    state_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "pocketmind.db"

    def create(self) -> None:
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.state_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)


def resolve_paths(home: str | os.PathLike | None = None) -> Paths:
    """Paths under ``home`` if given (or ``POCKETMIND_HOME``), else the OS defaults."""
    home = home or os.environ.get("POCKETMIND_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "cache", root / "state", root / "logs")
    return Paths(
        Path(platformdirs.user_config_dir(APP)),
        Path(platformdirs.user_data_dir(APP)),
        Path(platformdirs.user_cache_dir(APP)),
        Path(platformdirs.user_state_dir(APP)),
        Path(platformdirs.user_log_dir(APP)),
    )
