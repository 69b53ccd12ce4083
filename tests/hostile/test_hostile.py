"""The hostile corpus indexed through the real Engine in a child process limited to
1 GB of address space and a time limit (issue 17, "How it is measured").

The run is made once per module; the tests read what it did. They assert:
the run finishes, every hostile file yields indexed content or an error line
naming it, nothing outside the sources is indexed and nothing outside the
home is written. The child's memory peak is printed at the end of the session.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hostile_corpus import CONTENT, ERROR, SECRET, HostileCorpus, build

CHILD = Path(__file__).with_name("hostile_child.py")
MEMORY_LIMIT = 1 << 30
LAST_RESORT = "could not parse it:"  # how the indexing run reports a parser's unexpected exception
TIME_LIMIT = float(os.environ.get("POCKETMIND_HOSTILE_SECONDS", "150"))


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.lstat().st_size for p in sorted(folder.rglob("*"))}


def _child_command(spec: Path, out: Path) -> list[str]:
    """The child's command line. Root reads files of mode 000 (CAP_DAC_OVERRIDE): without
    that capability, root's child meets unreadable files as any user would."""
    command = [sys.executable, str(CHILD), str(spec), str(out)]
    if os.geteuid() == 0:
        assert shutil.which("setpriv"), "running as root needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE"
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    return command


@pytest.fixture(scope="module")
def hostile_run(request):
    root = Path(tempfile.mkdtemp(prefix="pm-hostile-"))
    os.chmod(root, 0o755)
    corpus = build(root / "corpus")
    home = root / "home"
    spec = {
        "home": str(home), "memory_bytes": MEMORY_LIMIT,
        "sources": {name: [kind, str(folder)] for name, (kind, folder) in corpus.sources.items()},
        "tokens": [SECRET, *(f.token for f in corpus.files if f.token)],
    }
    (root / "spec.json").write_text(json.dumps(spec))
    corpus.lock()
    before = _tree(root / "corpus")
    outcome: dict = {"corpus": corpus, "root": root, "before": before}
    try:
        subprocess.run(_child_command(root / "spec.json", root / "out.json"),
                       timeout=TIME_LIMIT, cwd=root, check=False, capture_output=True)
        outcome["result"] = json.loads((root / "out.json").read_text()) if (root / "out.json").exists() else None
    except subprocess.TimeoutExpired:
        outcome["result"] = None
        outcome["timed_out"] = True
    killed_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # when the child left no result
    for hostile in corpus.files:  # unlock so the folder can be inspected and removed
        if hostile.mode is not None:
            os.chmod(corpus.sources[hostile.source][1] / hostile.name.split("/")[0], 0o755)
    outcome["after"] = _tree(root / "corpus")
    result = outcome["result"] or {}
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"hostile corpus: {len(corpus.files)} files; child peak RSS "
                            f"{result.get('peak_rss_mb', killed_peak):.0f} MB, {result.get('seconds', float('nan')):.1f} s"
                            f"{' (killed at the time limit)' if outcome.get('timed_out') else ''}")
    yield outcome
    shutil.rmtree(root, ignore_errors=True)


def _finished(outcome: dict) -> dict:
    assert not outcome.get("timed_out"), f"indexing the hostile corpus did not finish within {TIME_LIMIT:.0f} s"
    result = outcome["result"]
    assert result is not None, "the child process died without a result (killed, or out of memory)"
    assert result["crash"] is None, f"the run stopped: {result['crash']}"
    return result


def _key(name: str) -> str:
    """The printable start of a file's name (or of the folder it is in): what an error line must contain."""
    first = name.split("/")[0]
    return re.match(r"[\w.-]+", first).group()


def test_run_finishes_within_memory_and_time_limits(hostile_run):
    result = _finished(hostile_run)
    assert result["peak_rss_mb"] < MEMORY_LIMIT / 2**20


def test_every_hostile_file_yields_content_or_one_error_naming_it(hostile_run):
    result = _finished(hostile_run)
    corpus: HostileCorpus = hostile_run["corpus"]
    errors = [line for s in result["summaries"] for line in s["errors"]]
    wrong = []
    for hostile in corpus.files:
        folder = corpus.sources[hostile.source][1]
        named = [line for line in errors if f"{folder}/{_key(hostile.name)}" in line]
        indexed = bool(hostile.token and result["found"].get(hostile.token))
        crashed = [line for line in named if LAST_RESORT in line]
        if crashed:  # the run's guard caught an exception the parser did not expect: not a clear message
            wrong.append(f"{hostile.source}/{hostile.name!r} ({hostile.item}): the parser crashed: {crashed[0]!r}")
            continue
        if hostile.expect == CONTENT:
            ok, got = indexed, "not indexed" + (f", error: {named[0]!r}" if named else ", no error line")
        elif hostile.expect == ERROR:
            ok, got = bool(named) and not indexed, "indexed" if indexed else "no error line naming it"
        else:
            ok, got = indexed or bool(named), "neither indexed nor named in an error line"
        if not ok:
            wrong.append(f"{hostile.source}/{hostile.name!r} ({hostile.item}): expected {hostile.expect}, {got}")
    assert not wrong, "\n".join(wrong)


def test_nothing_outside_the_sources_is_indexed(hostile_run):
    result = _finished(hostile_run)
    corpus: HostileCorpus = hostile_run["corpus"]
    assert result["found"][SECRET] == [], "a file outside every source was indexed"
    folders = [folder.resolve() for _, folder in corpus.sources.values()]
    outside = [p for p in result["attachment_paths"]
               if not any(Path(p).resolve().is_relative_to(folder) for folder in folders)]
    assert outside == [], f"attachment paths lead outside their source: {outside}"


def test_nothing_outside_the_home_is_written(hostile_run):
    _finished(hostile_run)
    root: Path = hostile_run["root"]
    assert hostile_run["after"] == hostile_run["before"], "the run changed the corpus"
    assert sorted(p.name for p in root.iterdir()) == ["corpus", "home", "out.json", "spec.json"]
    assert not any((d / "escaped.txt").exists() for d in (root, root.parent, root / "corpus")), "zip-slip wrote a file"
    assert not Path("/tmp/absolute.txt").exists()
