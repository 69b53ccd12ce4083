"""Where pocketmind keeps things.

platformdirs picks the usual per-OS folders; ``POCKETMIND_HOME`` (or
``--home``) puts config, data, cache, logs and state under one folder, which
is what tests and benchmarks use. Nothing here creates a folder: the engine
creates them when it opens, private to the user (see :mod:`pocketmind.permissions`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .permissions import loose_permissions, make_private_dir

APP = "pocketmind"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    state_dir: Path
    log_dir: Path
    home: Path | None = None  # the one folder holding the others, when ``POCKETMIND_HOME``/``--home`` is used

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def database(self) -> Path:
        return self.data_dir / "pocketmind.db"

    @property
    def folders(self) -> list[Path]:
        return [*([self.home] if self.home else []), self.config_dir, self.data_dir, self.cache_dir, self.state_dir, self.log_dir]

    def create(self) -> None:
        """Create every folder 0700 (the home first, so it is not made by a plain ``mkdir -p``)."""
        for folder in self.folders:
            make_private_dir(folder)

    def loose(self) -> list[str]:
        """A warning line for each folder, the database or the config file that other users can open."""
        return loose_permissions([*self.folders, self.database, self.config_file])


def resolve_paths(home: str | os.PathLike | None = None) -> Paths:
    """Paths under ``home`` if given (or ``POCKETMIND_HOME``), else the OS defaults."""
    home = home or os.environ.get("POCKETMIND_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "cache", root / "state", root / "logs", home=root)
    return Paths(
        Path(platformdirs.user_config_dir(APP)),
        Path(platformdirs.user_data_dir(APP)),
        Path(platformdirs.user_cache_dir(APP)),
        Path(platformdirs.user_state_dir(APP)),
        Path(platformdirs.user_log_dir(APP)),
    )
