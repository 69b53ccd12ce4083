"""The example plugin package (examples/pocketmind-journal), installed with pip and
found through its entry point like any third-party plugin."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from pocketmind import Engine

EXAMPLE = REPO / "examples" / "pocketmind-journal"
PHOTO = "exifsamples_gps_nikon_p6000_1.jpg"  # carries no caption of its own (see test_photos)
UNCAPTIONED = "exifsamples_canon_40d_makernotes.jpg"  # gets no sidecar: stays without one


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """pip-install the example into a private folder, on sys.path for this test only."""
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = shutil.copytree(EXAMPLE, tmp_path / "src", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--target", str(site), str(source)],
        check=True,
    )
    monkeypatch.syspath_prepend(str(site))  # entry points are discovered from sys.path's dist-info
    yield site
    # monkeypatch restores sys.path after this; the imported plugin module must go too
    for name in [m for m in sys.modules if m == "pocketmind_journal" or m.startswith("pocketmind_journal.")]:
        del sys.modules[name]
    sys.path_importer_cache.pop(str(site), None)


def test_journal_plugin_adds_a_source_kind(installed, tmp_path, warm_models):
    diary = shutil.copytree(EXAMPLE / "sample", tmp_path / "diary")
    with Engine(home=tmp_path / "home") as engine:
        assert "journal" in engine.plugins.source_kinds()
        [row] = [r for r in engine.plugins.describe() if r["name"] == "journal"]
        assert (row["module"], row["version"], row["indexers"]) == ("pocketmind_journal", "0.1.0", ["journal/journal-days"])
        assert "caption_photo" in row["hooks"]

        engine.add_source("journal", diary)
        [run] = engine.index()
        assert (run.added, run.failed) == (3, 0)
        ids = ["diary:2024-03-02", "diary:2024-03-03", "diary:2024-03-09"]
        assert engine.store.ids_from_origin("diary", "2024.journal") == set(ids)
        docs = engine.store.documents(ids)
        walk, bake, trip = (docs[i] for i in ids)
        assert [d["occurred_local"] for d in (walk, bake, trip)] == ["2024-03-02T07:45:00", "2024-03-03T00:00:00", "2024-03-09T14:10:00"]
        assert [d["place"] for d in (walk, bake, trip)] == ["Leeds", None, "Ribblehead"]
        assert [d["tags"] for d in (walk, bake, trip)] == [["walking"], ["baking"], ["trains", "walking"]]
        assert (walk["kind"], walk["title"]) == ("journal", "Saturday 2 March 2024")
        assert walk["text"].startswith("Walked the canal towpath before work. @Leeds #walking\nTwo herons")

        top = engine.search("herons on the canal towpath", k=1)[0]
        assert (top.id, top.kind, top.title, top.place) == ("diary:2024-03-02", "journal", "Saturday 2 March 2024", "Leeds")
        assert engine.search("rye bread hydration and crumb", k=1, kinds=["journal"])[0].id == "diary:2024-03-03"


def test_journal_bad_line_is_reported_with_file_and_line(installed, tmp_path, warm_models):
    folder = tmp_path / "days"
    folder.mkdir()
    (folder / "good.journal").write_text("## 2025-01-05\nFirst swim of the year. @Brighton #sea\n")
    bad = folder / "bad.journal"
    bad.write_text("## 2025-02-01\nFine.\n\n## 2025-02-30\nNo such day.\n")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("journal", folder)
        [run] = engine.index()
        assert (run.added, run.failed) == (1, 1)
        assert run.errors == [f"{bad}: line 4: '## 2025-02-30' is not a day heading '## YYYY-MM-DD [HH:MM]'"]
        assert engine.store.documents(["days:2025-01-05"])["days:2025-01-05"]["place"] == "Brighton"
        assert not engine.store.documents(["days:2025-02-01"])  # a bad file adds nothing


def test_caption_photo_hook_reads_the_sidecar(installed, tmp_path, real, warm_models):
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy2(real / "photos" / "jpeg" / PHOTO, photos / PHOTO)
    shutil.copy2(real / "photos" / "jpeg" / UNCAPTIONED, photos / UNCAPTIONED)
    caption = "Evening light on the Piazza Grande, market stalls packing up"
    (photos / f"{PHOTO}.caption.txt").write_text(caption + "\n")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("photos", photos, name="pics")
        [run] = engine.index()
        assert (run.added, run.failed) == (2, 0)
        docs = engine.store.documents([f"pics:{PHOTO}", f"pics:{UNCAPTIONED}"])
        doc, other = docs[f"pics:{PHOTO}"], docs[f"pics:{UNCAPTIONED}"]
        # the engine puts the hook's caption first in the text; the title stays the file name
        assert doc["text"].splitlines()[:2] == [caption, f"Photo {PHOTO}"]
        assert doc["title"] == PHOTO and doc["place"] == "Arezzo, Tuscany, Italy"
        assert doc["metadata"]["caption_source"] == "plugin"
        assert other["metadata"]["has_caption"] is False
        assert other["text"].splitlines()[0] == f"Photo {UNCAPTIONED}"
        assert engine.search("market stalls on the piazza in the evening", k=1)[0].id == f"pics:{PHOTO}"
