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
