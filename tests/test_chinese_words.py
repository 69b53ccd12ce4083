"""Chinese full text with words (jieba): real text segmented, function words left out, words over accidents."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from conftest import CORPUS, REAL
from pocketmind import Engine
from pocketmind.search.fulltext import index_form, match_expression
from pocketmind.store import ChunkRow, Filters, Store


def madial_memories() -> list[str]:
    path = CORPUS / "madial_zh" / "MADial-Bench-zh-memory.json"
    return [memory["event"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            for memory in json.loads(line).values()]


def test_real_memos_are_indexed_with_their_words():
    events = madial_memories()
    dance = next(e for e in events if "圣诞节晚会" in e)  # "Bart在圣诞节晚会上跳舞，感觉非常开心。"
    tokens = index_form(dance).split()
    assert {"zh圣诞节", "zh晚会", "zh跳舞", "zh开心"} <= set(tokens)
    assert {"圣诞", "诞节", "节晚"} <= set(tokens)  # bigrams stay: text segmented otherwise still matches
    assert "zh节晚" not in tokens


@pytest.mark.parametrize("question, expression", [
    ("表弟呢？", '("zh表弟" OR "表弟")'),
    ("国庆节是哪天？", '"国庆" OR "庆节" OR "zh国庆节"'),  # a longer run: any content bigram, and the word
    ("哪个", '"哪个"'),  # nothing but function words: read as characters rather than not at all
])
def test_function_words_of_a_question_are_left_out(question, expression):
    assert match_expression(question) == expression


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "t.db")
    s.add_source("n", "notes", str(tmp_path))
    yield s
    s.close()


def write(store, doc_id, text):
    row = {"id": doc_id, "source": "n", "origin": f"{doc_id}.md", "kind": "note", "title": "", "text": text,
           "uri": None, "occurred_at": None, "occurred_offset": None, "occurred_local": None, "ended_at": None,
           "author": None, "conversation": None, "people": "[]", "place": None, "tags": "[]", "metadata": "{}",
           "attachments": "[]", "content_hash": doc_id, "updated_at": 0.0}
    with store.transaction():
        store.write_document(row, [ChunkRow(0, "", text, index_form(text), doc_id)])


def ranked(store, query):
    hits = store.fulltext(match_expression(query), 5, Filters())
    found = store.chunk_hits([cid for cid, _ in hits])
    return [found[cid]["id"] for cid, _ in hits]


def test_a_word_match_ranks_above_a_bigram_accident(store):
    write(store, "n:accident", "他代表弟弟发言。")  # 代表 / 弟弟: the characters 表弟, not the word
    write(store, "n:cousin", "表弟下个月在杭州西湖边的酒店结婚，我们要早点订好去杭州的火车票。")
    assert ranked(store, "表弟呢？") == ["n:cousin", "n:accident"]


def test_a_question_with_a_particle_finds_the_word(store):
    write(store, "n:cousin", "表弟下个月结婚。")
    # Read as characters, 表弟呢 needed the bigram 弟呢, which no memo has.
    assert ranked(store, "表弟呢") == ["n:cousin"]


def test_the_national_day_holiday_is_found_by_its_name_in_the_real_calendar(tmp_path):
    calendar = REAL / "calendar" / "ics" / "holidaycn_2025_chinese_holidays.ics"
    with Engine(home=tmp_path / "home", now=lambda: datetime(2025, 9, 1, 12, 0)) as engine:
        engine.add_source("calendar", calendar, name="holidays")
        engine.index()
        top = engine.search("国庆节放假", k=1, understand=False)[0]
    assert "国庆节" in top.title
