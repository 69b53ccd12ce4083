"""Command-line habits: global options anywhere, output to a pipe never wrapped."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import SAMPLES
from pocketmind.cli import main


def test_global_options_work_before_and_after_the_subcommand(tmp_path, isolated_home, capsys):
    home = tmp_path / "home"
    assert main(["add", "notes", str(SAMPLES / "notes"), "--home", str(home), "--name", "notes"]) == 0
    capsys.readouterr()
    for argv in (["sources", "--json", "--home", str(home)], ["--home", str(home), "sources", "--json"]):
        assert main(argv) == 0
        assert [s["name"] for s in json.loads(capsys.readouterr().out)["sources"]] == ["notes"]
    assert not isolated_home.exists()  # nothing went to POCKETMIND_HOME

    assert main(["forget", "nope", "--home", str(home), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err  # --debug after the subcommand shows it
    assert main(["--debug", "forget", "nope", "--home", str(home)]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert main(["forget", "nope", "--home", str(home)]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_output_to_a_pipe_is_not_wrapped(tmp_path, warm_models, capsys):
    folder = tmp_path / "notes" / "a folder with a rather long name for its trip notes" / "and another level below it"
    folder.mkdir(parents=True)
    sentence = ("The sourdough starter lives on the second shelf of the fridge and gets fed every Sunday morning "
                "with equal weights of rye flour and lukewarm water before the loaf is shaped. ")
    (folder / "Sourdough starter feeding schedule and notes.md").write_text(sentence * 3)
    home = str(tmp_path / "home")
    assert main(["--home", home, "add", "notes", str(tmp_path / "notes"), "--name", "notes"]) == 0
    assert main(["--home", home, "index"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "search", "sourdough starter fridge", "--json"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert len(result["uri"]) > 80 and len(result["snippet"]) > 80

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "search", "sourdough starter fridge", "--home", home],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert result["uri"] in lines  # the whole URI, on its own line
    assert result["snippet"] in lines
