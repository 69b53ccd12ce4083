"""Full-text on a large store: too-common query terms dropped, the number of passages scored capped.

The store is real (SQLite + FTS5); the size at which pruning starts is lowered
so a store of a few dozen passages behaves like one of a million.
"""

from __future__ import annotations

import pytest

from pocketmind.search.fulltext import index_form, match_expression, selective_parts, split_or
from pocketmind.store import ChunkRow, Filters, Store
from pocketmind.store import store as store_module


def test_split_or_respects_quotes_and_parentheses():
    assert split_or('"a" OR ("b" AND "c") OR "d OR e"') == ['"a"', '("b" AND "c")', '"d OR e"']
    assert split_or('"kyoto"') == ['"kyoto"']
    assert split_or(match_expression("When did Anna visit Kyoto?")) == ['"anna"', '"visit"', '"kyoto"']


def test_selective_parts_keeps_the_rarest_within_the_budget_in_query_order():
    counts = {'"a"': 900, '"b"': 10, '"c"': 50, '"d"': 5000}
    assert selective_parts(list(counts), counts, 100) == ['"b"', '"c"']
    assert selective_parts(list(counts), counts, 1000) == ['"a"', '"b"', '"c"']
    # Every term too common: the rarest still searches.
    assert selective_parts(['"a"', '"d"'], counts, 100) == ['"a"']


def _row(i: int, kind: str) -> dict:
    return {
        "id": f"n:{i}", "source": "n", "origin": "a.md", "kind": kind, "title": "", "text": "t", "uri": None,
        "occurred_at": 1_700_000_000 + i, "occurred_offset": None, "occurred_local": None, "ended_at": None, "author": None,
        "conversation": None, "people": "[]", "place": None, "tags": "[]", "metadata": "{}", "attachments": "[]",
        "content_hash": f"h{i}", "updated_at": 0.0,
    }


@pytest.fixture
def big_store(tmp_path, monkeypatch):
    """40 passages all saying 'weather'; 'kyoto' in three of them (chunk ids 5, 20, 35)."""
    monkeypatch.setattr(store_module, "FTS_BUDGET", 10)
    s = Store(tmp_path / "t.db")
    s.add_source("n", "notes", str(tmp_path))
    with s.transaction():
        for i in range(40):
            text = "the weather today" + (" in kyoto" if i % 15 == 5 else "")
            s.write_document(_row(i, "note" if i < 30 else "message"), [ChunkRow(0, "", text, index_form(text), f"h{i}")])
    yield s
    s.close()


def test_a_too_common_term_is_dropped_on_a_large_store(big_store):
    hits = big_store.fulltext(match_expression("weather in Kyoto"), 10, Filters())
    assert sorted(cid for cid, _ in hits) == [6, 21, 36]  # chunk ids are 1-based
    # Alone, the common term still searches.
    assert len(big_store.fulltext(match_expression("weather"), 50, Filters())) == 40


def test_filters_apply_to_the_pruned_query(big_store):
    hits = big_store.fulltext(match_expression("weather in Kyoto"), 10, Filters(kinds=["message"]))
    assert [cid for cid, _ in hits] == [36]


def test_at_most_fts_scored_matches_are_scored_newest_first(big_store, monkeypatch):
    monkeypatch.setattr(store_module, "FTS_SCORED", 12)
    hits = big_store.fulltext('"weather"', 50, Filters())
    assert sorted(cid for cid, _ in hits) == list(range(29, 41))


def test_a_small_store_keeps_every_term(tmp_path):
    s = Store(tmp_path / "small.db")
    s.add_source("n", "notes", str(tmp_path))
    with s.transaction():
        for i in range(40):
            text = "the weather today" + (" in kyoto" if i % 15 == 5 else "")
            s.write_document(_row(i, "note"), [ChunkRow(0, "", text, index_form(text), f"h{i}")])
    hits = s.fulltext(match_expression("weather in Kyoto"), 50, Filters())
    assert len(hits) == 40 and sorted(cid for cid, _ in hits[:3]) == [6, 21, 36]
    s.close()
