"""Small shared test helpers (real components only)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from conftest import REAL, REPO
from pocketmind import Engine

SAMPLES = REPO / "pocketmind" / "samples"
KEPANO = REAL / "notes" / "obsidian" / "kepano_vault"


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@contextmanager
def engine_over(tmp: Path, files: dict[str, list[str]], **engine_args) -> Iterator[Engine]:
    """An engine whose home indexes copies of real corpus files (``files``: source kind -> paths
    under the shared corpus), one source per kind, named after it."""
    for kind, names in files.items():
        folder = tmp / "data" / kind
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(REAL / name, folder / Path(name).name)
    with Engine(home=tmp / "home", **engine_args) as engine:
        for kind in files:
            engine.add_source(kind, tmp / "data" / kind, name=kind)
        engine.index()
        yield engine
