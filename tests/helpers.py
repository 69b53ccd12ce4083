"""Small shared test helpers (real components only)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REAL, REPO

SAMPLES = REPO / "pocketmind" / "samples"
KEPANO = REAL / "notes" / "obsidian" / "kepano_vault"


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
