"""Plugins: a third-party plugin adds a source kind and an embedder through the hooks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pocketmind import Document, Engine, hookimpl
from pocketmind.cli import main


class RecipeIndexer:
    """A new source kind: one recipe per `.recipe` file ("name: ..." then ingredients)."""

    source_kind = "recipes"
    name = "recipe-cards"

    def accepts(self, path: Path) -> bool:
        return path.suffix == ".recipe"

    def parse(self, path: Path, root: Path):
        first, _, rest = path.read_text().partition("\n")
        yield Document(native_id=path.name, kind="recipe", title=first.removeprefix("name:").strip(), text=rest.strip(), uri=path.as_uri())


class RecipePlugin:
    changes: list[dict] = []

    @hookimpl
    def register_indexers(self, register):
        register(RecipeIndexer())

    @hookimpl
    def documents_changed(self, changes):
        self.changes.append(changes)


class LettersEmbedder:
    """A tiny deterministic embedder: letter frequencies (for the switch test)."""

    name = "letters"
    dimension = 26

    def encode(self, texts):
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class LettersPlugin:
    @hookimpl
    def register_embedders(self, register):
        register("letters", LettersEmbedder)


def test_plugin_source_kind_becomes_searchable(tmp_path, warm_models):
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "dal.recipe").write_text("name: Tarka dal\nred lentils, turmeric, cumin seeds, garlic, ghee")
    (cards / "pesto.recipe").write_text("name: Pesto\nbasil, pine nuts, parmesan, olive oil")
    plugin = RecipePlugin()
    with Engine(home=tmp_path / "home", plugins=[plugin]) as engine:
        assert "recipes" in engine.plugins.source_kinds()
        engine.add_source("recipes", cards)
        [run] = engine.index()
        assert run.added == 2 and run.failed == 0
        top = engine.search("lentils with turmeric", k=1)[0]
        assert (top.id, top.kind, top.title) == ("cards:dal.recipe", "recipe", "Tarka dal")
        assert sorted(plugin.changes[-1]["added"]) == ["cards:dal.recipe", "cards:pesto.recipe"]


def test_switching_embedder_reembeds_without_reparsing(tmp_path, warm_models):
    from helpers import SAMPLES

    home = tmp_path / "home"
    with Engine(home=home) as engine:
        engine.add_source("notes", SAMPLES / "notes", name="notes")
        engine.index()
        chunks = engine.store.counts()["chunks"]
        assert engine.store.vector_dimension() == 384
    with Engine(home=home, plugins=[LettersPlugin()]) as engine:
        engine.settings.models.embedder = "letters"
        [run] = engine.index()
        assert run.embedded == 0 and run.unchanged == 5  # nothing re-parsed or re-added
        assert engine.store.vector_dimension() == 26 and engine.store.get_meta("embedder") == "letters"
        assert engine.store.conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()[0] == chunks
        assert engine.search("sourdough starter flour", k=1, kinds=["note"])[0].id == "notes:Sourdough.md"


def test_plugins_command_lists_builtins(capsys):
    assert main(["plugins", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["plugins"]
    builtin = next(r for r in rows if r["name"] == "builtin")
    assert "messages/whatsapp" in builtin["indexers"] and "notes/markdown" in builtin["indexers"]
    assert builtin["embedders"] == ["minilm", "use-multilingual"] and builtin["answerers"] == ["llama", "extractive"]


LOCAL_PLUGIN = '''
from pathlib import Path
from pocketmind import Document, hookimpl

class QuoteIndexer:
    source_kind = "quotes"
    name = "quote-lines"

    def accepts(self, path):
        return path.suffix == ".quotes"

    def parse(self, path, root):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            author, _, words = line.partition(": ")
            yield Document(native_id=f"{path.name}#{n}", kind="note", title=author, text=words, author=author)

@hookimpl
def register_indexers(register):
    register(QuoteIndexer())
'''


def test_a_plugin_loads_from_a_local_file_set_in_config(tmp_path, capsys):
    plugin = tmp_path / "quotes_plugin.py"
    plugin.write_text(LOCAL_PLUGIN)
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "wise.quotes").write_text("Ada: The engine weaves algebraic patterns\nGrace: A ship in port is safe\n")
    home = tmp_path / "home"
    assert main(["--home", str(home), "config", "plugins.paths", str(plugin)]) == 0
    with Engine(home=home, load_entry_points=False) as engine:
        assert engine.settings.plugins.paths == [str(plugin)]
        assert "quotes" in engine.plugins.source_kinds()
        engine.add_source("quotes", tmp_path / "q", name="q")
        engine.index()
        hit = engine.search("ship in port", k=1)[0]
        assert (hit.id, hit.author) == ("q:wise.quotes#2", "Grace")
    capsys.readouterr()
    assert main(["--home", str(home), "plugins", "--json"]) == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)["plugins"]]
    assert f"local:{plugin}" in names


def test_a_broken_local_plugin_is_named_in_one_clear_error(tmp_path):
    import subprocess
    import sys

    home = tmp_path / "home"
    assert main(["--home", str(home), "config", "plugins.paths", str(tmp_path / "missing.py")]) == 0
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", str(home), "status"], capture_output=True, text=True)
    assert done.returncode == 0  # the rest works, so `config` can still fix the setting
    assert "missing.py" in done.stderr and "plugins.paths" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
