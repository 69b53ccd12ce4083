"""Bounded, cheap recurrences (issue 15, point 2) on the real 32 KB Google calendar.

Its open-ended weekly rules (from 2017-2019, without an end) used to become 3,378
events two years ahead, each embedded on its own (277 s of a 340 s first index).
Now they run to ``index.calendar_months_ahead`` after today, the window moves with
time (the daemon's rescan extends it), and each series is embedded once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import date, datetime, timezone

import numpy as np
import pytest

from conftest import REAL
from pocketmind import Engine
from pocketmind.daemon import Daemon
from pocketmind.errors import ConfigError
from pocketmind.indexers.calendar import IcsIndexer
from pocketmind.indexing.rows import embed_with_context, stored_embedding_inputs
from pocketmind.inputs import InputLimits, reading
from pocketmind.settings import Settings

GOOGLE = REAL / "calendar" / "ics" / "rie_google_machbar_public_calendar_32k.ics"
TODAY = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
# Counted with recurring-ical-events on the file: every occurrence from the first
# (29 Jun 2017) to 30 Nov 2027 (12 months after TODAY, exclusive).
EVENTS_TO_DEC_2027 = 3051
OPENLAB_UID = "5neh1ktep3uqvjk197abrb0gio@google.com"  # "OpenLab", every Thursday since 24 Aug 2017


class Clock:
    """The engine's clock, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def indexed(home, clock: Clock, settings: Settings | None = None) -> tuple[Engine, object]:
    engine = Engine(home=home, now=clock, settings=settings)
    engine.add_source("calendar", GOOGLE, name="cal")
    return engine, engine.index()[0]


def event_rows(engine: Engine) -> list[tuple[str, str]]:
    """(title, occurred_local) of every stored event."""
    return list(engine.store.conn.execute("SELECT title, occurred_local FROM documents WHERE kind = 'event'"))


@pytest.fixture(scope="module")
def google(tmp_path_factory, warm_models):
    engine, summary = indexed(tmp_path_factory.mktemp("google"), Clock(TODAY))
    yield engine, summary
    engine.close()


def test_open_ended_rules_run_from_their_first_occurrence_to_twelve_months_ahead(google):
    engine, summary = google
    rows = event_rows(engine)
    assert summary.added == len(rows) == EVENTS_TO_DEC_2027  # 3,378 when the window ran two years ahead
    days = sorted(local[:10] for _, local in rows)
    assert days[0] == "2017-06-29"  # the series' whole past is kept
    assert days[-1] == "2027-11-30"  # the last Tuesday-to-Thursday before 1 Dec 2027
    openlab = [local for title, local in rows if title == "OpenLab"]
    assert (len(openlab), min(openlab)[:10], max(openlab)[:10]) == (536, "2017-08-24", "2027-11-25")


def test_each_series_is_embedded_once_and_its_occurrences_share_the_vector(google):
    engine, summary = google
    assert summary.chunks == EVENTS_TO_DEC_2027  # one row per occurrence, for its date and citation
    assert summary.embedded <= 100  # target; one per distinct entry of the file (64 VEVENTs)
    assert summary.embedded == 59
    conn = engine.store.conn
    hashes = [h for (h,) in conn.execute(
        "SELECT c.hash FROM chunks c JOIN documents d ON d.rowid = c.doc WHERE json_extract(d.metadata, '$.uid') = ?",
        (OPENLAB_UID,))]
    assert len(hashes) > 400 and len(set(hashes)) == 1
    blobs = {bytes(v) for (v,) in conn.execute(
        "SELECT e.vector FROM chunk_embeddings e JOIN chunks c ON c.id = e.chunk_id WHERE c.hash = ?", (hashes[0],))}
    assert len(blobs) == 1  # the very same vector, stored per occurrence
    # An occurrence still shows and full-text-searches its own date.
    doc = engine.store.documents([f"cal:{GOOGLE.name}#{OPENLAB_UID}@2018-03-01T18:00:00+01:00"])
    assert "When: Thu 1 Mar 2018, 18:00–20:00" in next(iter(doc.values()))["text"]


def test_series_text_is_what_a_re_embedding_rebuilds(google):
    """After an embedder switch every chunk is embedded again from stored fields alone:
    an occurrence must rebuild its series' text (its stored hash), not its own dated one."""
    engine, _ = google
    hashes = dict(engine.store.conn.execute("SELECT id, hash FROM chunks"))
    rebuilt = stored_embedding_inputs(engine.store)
    assert len(rebuilt) == EVENTS_TO_DEC_2027
    assert all(hashlib.sha256(text.encode()).hexdigest() == hashes[cid] for cid, _, _, _, text, _ in rebuilt)
    assert len({text for *_, text, _ in rebuilt}) == 59
    openlab = next(text for *_, text, _ in rebuilt if text.startswith("OpenLab\n"))
    assert openlab.splitlines()[:3] == ["OpenLab", "OpenLab", "Repeats every week on Thursday, since Thu 24 Aug 2017"]


def test_the_window_is_a_setting(tmp_path, warm_models):
    settings = Settings()
    settings.set("index.calendar_months_ahead", "1")
    engine, summary = indexed(tmp_path / "home", Clock(TODAY), settings)
    with engine:
        days = sorted(local[:10] for _, local in event_rows(engine))
    assert days[-1] == "2026-12-31"
    assert summary.added == 2767  # 11 months of weekly and fortnightly occurrences fewer
    for wrong in ("0", "121", "twelve"):
        with pytest.raises(ConfigError, match="index.calendar_months_ahead"):
            settings.set("index.calendar_months_ahead", wrong)


def test_the_indexer_takes_its_window_from_the_run():
    with reading(InputLimits(recurrence_until=date(2027, 12, 1))):
        docs = list(IcsIndexer().parse(GOOGLE, GOOGLE.parent))
    assert len(docs) == EVENTS_TO_DEC_2027
    openlab = {d.series_text for d in docs if d.metadata["uid"] == OPENLAB_UID}
    assert len(openlab) == 1 and next(iter(openlab)).startswith("OpenLab\nRepeats every week on Thursday, since")


def test_moving_now_expands_an_unchanged_file_again(tmp_path, warm_models):
    clock = Clock(TODAY)
    engine, first = indexed(tmp_path / "home", clock)
    with engine:
        assert first.added == EVENTS_TO_DEC_2027
        clock.now = datetime(2026, 12, 20, tzinfo=timezone.utc)  # within a month: not worth a parse
        again = engine.index()[0]
        assert (again.added, again.unchanged, again.embedded) == (0, EVENTS_TO_DEC_2027, 0)
        clock.now = datetime(2027, 3, 1, tzinfo=timezone.utc)
        later = engine.index()[0]
        assert (later.added, later.embedded) == (77, 0)  # three months more, on their series' vectors
        assert later.unchanged == EVENTS_TO_DEC_2027
        assert max(local[:10] for _, local in event_rows(engine)) == "2028-02-25"


def test_the_daemon_rescan_moves_the_window_forward(tmp_path, warm_models):
    clock = Clock(TODAY)
    engine, _ = indexed(tmp_path / "home", clock)
    stop = threading.Event()
    daemon = Daemon(engine, quiet_seconds=0.3, rescan_seconds=0.5, idle_unload_seconds=0, stop_event=stop)
    thread = threading.Thread(target=daemon.run, name="daemon")
    thread.start()
    try:
        clock.now = datetime(2027, 6, 1, tzinfo=timezone.utc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.write_lock:
                last = max(local[:10] for _, local in event_rows(engine))
            if last >= "2028-05":
                break
            time.sleep(0.2)
        assert last == "2028-05-31"
    finally:
        stop.set()
        thread.join(30)
        engine.close()
    assert not thread.is_alive()


def test_progress_follows_the_chunks_while_they_embed(tmp_path, warm_models):
    """The bar sat on one file for minutes while its chunks embedded: it now moves with them."""
    events = "".join(
        f"BEGIN:VEVENT\nUID:talk-{n}@test\nDTSTAMP:20250101T000000Z\nDTSTART:2025{1 + n % 12:02d}{1 + n % 28:02d}T1800{n % 60:02d}\n"
        f"SUMMARY:Talk {n} on topic {n * 7919 % 1000}\nEND:VEVENT\n"
        for n in range(300)
    )
    (tmp_path / "talks.ics").write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{events}END:VCALENDAR\n")
    seen = []
    with Engine(home=tmp_path / "home", now=Clock(TODAY)) as engine:
        engine.add_source("calendar", tmp_path / "talks.ics", name="talks")
        summary = engine.index(progress=lambda done, total, path: seen.append(("file", done, total)),
                               on_embedded=lambda done, total: seen.append(("chunks", done, total)))[0]
    assert summary.embedded == 300
    assert seen == [("file", 1, 1), ("chunks", 256, 300), ("chunks", 300, 300)]


def test_an_embedder_switch_embeds_a_series_once(google):
    """Re-embedding every stored chunk (after an embedder switch) embeds each distinct text once."""
    engine, _ = google

    class Counting:
        name, dimension = "counting", 384

        def __init__(self):
            self.texts = 0

        def encode(self, texts):
            self.texts += len(texts)
            return engine.embedder.encode(texts)

    counting = Counting()
    vectors = embed_with_context(counting, [(text, own) for *_, text, own in stored_embedding_inputs(engine.store)])
    assert vectors.shape == (EVENTS_TO_DEC_2027, 384)
    assert counting.texts == 59
