"""The default engine never imports torch: index, search and ask run on the
int8 ONNX MiniLM (prepared once by scripts/setup.sh) and the GGUF model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import SAMPLES

# Runs the real CLI in a fresh interpreter, then reports which heavy modules got imported.
SCRIPT = """
import json, sys
from pocketmind.cli import main
codes = [main(argv) for argv in json.loads(sys.argv[1])]
print(json.dumps({"codes": codes, "imported": sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)}))
"""


def test_index_search_and_ask_never_import_torch(tmp_path):
    home = tmp_path / "home"
    commands = [
        ["--home", str(home), "add", "notes", str(SAMPLES / "notes"), "--name", "notes"],
        ["--home", str(home), "index"],
        ["--home", str(home), "search", "Kyoto temples"],
        ["--home", str(home), "ask", "When is the Kyoto trip?"],
    ]
    run = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(commands)], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "POCKETMIND_HOME": str(home)})
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["codes"] == [0, 0, 0, 0], run.stderr[-2000:]
    assert report["imported"] == []


def test_a_missing_export_is_one_line_naming_the_command_not_a_torch_fallback(tmp_path):
    home = tmp_path / "home"
    commands = [
        ["--home", str(home), "add", "notes", str(SAMPLES / "notes"), "--name", "notes"],
        ["--home", str(home), "index"],
    ]
    # An empty per-user cache: nothing was prepared on this "machine".
    env = {**os.environ, "POCKETMIND_HOME": str(home), "XDG_CACHE_HOME": str(tmp_path / "empty-cache")}
    run = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(commands)], capture_output=True, text=True, timeout=300, env=env)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report == {"codes": [0, 1], "imported": []}
    assert run.stderr.strip().splitlines() == [
        "error: the onnx-int8 embedder is not prepared for the installed model: run `pocketmind prepare-embedder onnx-int8` "
        "(once, offline; or `pocketmind config models.embedding_backend torch`)"]
