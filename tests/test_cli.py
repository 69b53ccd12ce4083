"""The command line: JSON shapes, summaries and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import SAMPLES
from pocketmind.cli import main

RESULT_KEYS = {"id", "kind", "source", "title", "snippet", "time", "uri", "author", "conversation", "score"}


def test_json_outputs_have_the_documented_shape(tmp_path, warm_models, capsys):
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "add", "notes", str(SAMPLES / "notes"), "--name", "notes"]) == 0
    capsys.readouterr()
    assert main([*home, "sources", "--json"]) == 0
    [source] = json.loads(capsys.readouterr().out)["sources"]
    assert (source["name"], source["kind"], source["documents"]) == ("notes", "notes", 0)

    assert main([*home, "index", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("added", "updated", "deleted", "unchanged", "failed")} == {
        "added": 5, "updated": 0, "deleted": 0, "unchanged": 0, "failed": 0}
    assert summary["embedded"] == summary["sources"][0]["chunks"] >= 5

    assert main([*home, "index", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["embedded"] == 0

    assert main([*home, "search", "sourdough starter", "--k", "3", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert len(results) == 3 and set(results[0]) == RESULT_KEYS
    assert results[0]["id"] == "notes:Sourdough.md" and results[0]["uri"].endswith("Sourdough.md")

    assert main([*home, "ask", "How long do I bulk ferment the sourdough?", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) == {"answer", "citations", "evidence", "found", "source", "note"} and answer["answer"]
    assert answer["found"] and answer["evidence"] and set(answer["evidence"][0]) == {"citation", "quote"}
    assert answer["citations"][0]["id"] == "notes:Sourdough.md" and set(answer["citations"][0]) == RESULT_KEYS

    assert main([*home, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["documents"] == 5 and status["by_kind"] == {"note": 5} and status["vector_dimension"] == 384

    assert main([*home, "forget", "notes"]) == 0
    assert "5 documents removed" in capsys.readouterr().out


def test_errors_are_one_line_and_exit_non_zero(tmp_path):
    env_home = str(tmp_path / "home")
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", env_home, "add", "notes", str(tmp_path / "missing")],
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: {tmp_path / 'missing'}: no such file or folder"]
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", env_home, "forget", "nope"], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "error: no source named 'nope' (see `pocketmind sources`)"


def test_bad_config_is_reported_with_its_path(tmp_path):
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("[search]\nresults = 'many'\n")
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", str(home), "status"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "config.toml: setting search.results = many is not allowed: use a whole number from 1 to 200" in done.stderr


def test_config_set_writes_the_documented_file(tmp_path, capsys):
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "config", "search.results", "12"]) == 0
    text = (tmp_path / "home" / "config" / "config.toml").read_text()
    assert "results = 12" in text and "# How many results" in text


def test_demo_indexes_the_samples_and_answers_with_sources(tmp_path, warm_models, capsys):
    assert main(["--home", str(tmp_path / "demo"), "demo"]) == 0
    out = capsys.readouterr().out
    assert "indexed 41 documents from 4 sample sources" in out
    assert "A: 1 March 2025 [1]" in out  # the date comes from the chat, resolved from "the 1st of March"
    assert "I'm moving to Berlin on the 1st of March." in out
    assert out.count("Sources") == 2
