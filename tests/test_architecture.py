"""The layout's promises, checked: import contracts (lint-imports) and one-way flow of a question."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed_copy(tmp_path_factory) -> Path:
    """pocketmind installed as users get it: indexers/, store/ and tui/ inside the package
    (in the source tree they are mapped there by package-dir, which lint-imports cannot see)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True, text=True, cwd=tmp_path_factory.mktemp("build"))
    return target


def test_import_contracts_hold(installed_copy, tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")  # lint-imports reads its contracts there
    # `-S` skips site's .pth files, so the editable install's finder cannot shadow the installed copy;
    # the environment's site-packages come after it, for import-linter itself and the libraries.
    site = next(p for p in sys.path if p.endswith("site-packages"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed_copy), site])}
    where = subprocess.run([sys.executable, "-S", "-c", "import pocketmind.indexers as i, pocketmind.tui as t; print(i.__file__, t.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert where.stdout.count(str(installed_copy)) == 2, where  # the contracts are checked on the installed copy
    lint = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    done = subprocess.run([sys.executable, "-S", "-c", lint, "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Contracts: 5 kept, 0 broken." in done.stdout


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    from helpers import SAMPLES

    from pocketmind import Engine

    with Engine(home=tmp_path_factory.mktemp("flow-home")) as engine:
        for kind in ("notes", "messages", "calendar", "contacts"):
            engine.add_source(kind, SAMPLES / kind, name=f"sample-{kind}")
        engine.index()
        yield engine


def test_a_question_answered_from_the_data_runs_one_search_and_loads_no_model(sample_engine, monkeypatch):
    from pocketmind.answer import llama
    from pocketmind.search import retrieval

    searches = []
    real_search = retrieval.hybrid_search
    monkeypatch.setattr(retrieval, "hybrid_search", lambda *a, **kw: searches.append(a[2]) or real_search(*a, **kw))

    def no_model(*args, **kwargs):
        raise AssertionError("the LLM was loaded for an answer taken from the data")

    monkeypatch.setattr(llama, "load_llama", no_model)
    sample_engine.release_models()
    answer = sample_engine.ask("When is Anna moving to Berlin?")
    assert answer.text == "1 March 2025 [1]"
    assert len(searches) == 1  # the abstention check reads the same results
    assert sample_engine.answerer._llm is None  # tokens were counted with the vocabulary alone


def test_a_generated_answer_also_runs_one_search(sample_engine, monkeypatch):
    from pocketmind.search import retrieval

    searches = []
    real_search = retrieval.hybrid_search
    monkeypatch.setattr(retrieval, "hybrid_search", lambda *a, **kw: searches.append(a[2]) or real_search(*a, **kw))
    sample_engine.release_models()
    answer = sample_engine.ask("What did I buy for Mum at Fushimi Inari?")
    assert answer.found and answer.citations
    assert searches == ["What did I buy for Mum at Fushimi Inari?"]
    # Tokens were counted with the vocabulary alone before the model loaded; the loaded
    # model counts them since, and a second copy of the vocabulary (~43 MB) is not kept.
    assert sample_engine.answerer._llm is not None and sample_engine.answerer._vocab is None
