"""Fuzzing every built-in parser with hostile variants of real export files.

The property, for each case: ``accepts`` answers without raising, and parsing
(the whole iterator consumed) either yields well-formed documents that the
indexing run can store and chunk, or raises :class:`ParseError`. Anything
else is a crash.

``POCKETMIND_FUZZ_EXAMPLES`` sets the cases per target (default 40, well under a
second per target); a long run::

    POCKETMIND_FUZZ_EXAMPLES=2000 python -m pytest -q tests/fuzz -p no:randomly

The cases run are printed at the end of the session.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_targets import TARGETS, indexer_named, untargeted_indexers
from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.indexing.chunking import chunk_document
from pocketmind.indexing.rows import document_row

EXAMPLES = int(os.environ.get("POCKETMIND_FUZZ_EXAMPLES", "40"))
CASE_SECONDS = 30  # a parser stuck on one case fails it instead of hanging the suite
CASES: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    yield
    if CASES:
        show(request, f"fuzz: {sum(CASES.values())} cases over {len(CASES)} targets "
                      f"({OUTCOMES['documents']} parsed, {OUTCOMES['ParseError']} ParseError)")


def show(request, line: str) -> None:
    """A line on the terminal even while pytest captures output (the count of cases run)."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


def check_document(doc: object, origin: str) -> None:
    """What the indexing run relies on: the types it stores, and that it can store and chunk it."""
    assert isinstance(doc, Document), doc
    assert isinstance(doc.native_id, str) and doc.native_id
    assert isinstance(doc.kind, str) and isinstance(doc.text, str) and isinstance(doc.title, str)
    for optional in (doc.author, doc.conversation, doc.place, doc.uri):
        assert optional is None or isinstance(optional, str), optional
    for moment in (doc.occurred_at, doc.ended_at):
        assert moment is None or isinstance(moment, datetime), moment
    assert all(isinstance(p, str) for p in doc.people), doc.people
    assert all(isinstance(t, str) for t in doc.tags), doc.tags
    assert all(isinstance(a, Attachment) and isinstance(a.name, str) for a in doc.attachments)
    document_row("fuzz", origin, doc)
    list(chunk_document(doc))


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    def give_up(*_):
        raise Hang(f"parsing took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def parse_case(indexer, path: Path, root: Path) -> str:
    """Parse one case the way the indexing run does; returns the outcome, raises on a crash."""
    with time_limit(CASE_SECONDS):
        indexer.accepts(path)
        try:
            documents = list(indexer.parse(path, root))
        except ParseError as error:
            assert error.problem.strip(), "a ParseError must say what is wrong"
            return "ParseError"
        for doc in documents:
            check_document(doc, path.name)
    return "documents"


def test_every_builtin_parser_is_fuzzed():
    assert untargeted_indexers() == set()


@pytest.fixture
def case_folder():
    folder = Path(tempfile.mkdtemp(prefix="pm-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def target_id(target) -> str:
    return f"{target.indexer}:{target.seeds[0].rsplit('.', 1)[-1]}"


@pytest.mark.parametrize("target", TARGETS, ids=target_id)
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
def test_parser_survives_hostile_variants_of_real_files(target, case_folder, data):
    seeds = target.seed_files()
    seed = data.draw(st.sampled_from(seeds), label="seed")
    others = [p.read_bytes() for p in seeds[:8] if p != seed]
    for child in case_folder.iterdir():
        child.unlink()
    name = seed.name if target.suffix is None else seed.stem + target.suffix
    path = target.make(data.draw, seed, others, case_folder, name)
    CASES[target_id(target)] += 1
    OUTCOMES[parse_case(indexer_named(target.indexer), path, case_folder)] += 1
