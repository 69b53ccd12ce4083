"""Shared fixtures: the real corpus beside the repo and an isolated home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
REAL = CORPUS / "real"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Every test gets its own POCKETMIND_HOME so nothing touches the user's data."""
    home = tmp_path / "pm-home"
    monkeypatch.setenv("POCKETMIND_HOME", str(home))
    return home


@pytest.fixture
def real() -> Path:
    assert REAL.is_dir(), f"the real corpus is expected at {REAL}"
    return REAL
