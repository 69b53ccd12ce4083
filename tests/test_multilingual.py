"""The multilingual vector list: questions across languages, filled on index and on first use."""

from __future__ import annotations

from datetime import datetime

import pytest

from pocketmind import Engine

# A person's memos as a phone's notes app exports them: one dated note each, some Chinese, some English.
MEMOS = {
    "2024-03-02": "表弟下个月结婚，婚礼在杭州西湖边的酒店，要准备红包。",
    "2024-03-05": "今天去医院复查，医生说膝盖恢复得不错，可以慢慢开始跑步了。",
    "2024-03-10": "给妈妈买了一台新的洗衣机作为生日礼物，她很喜欢。",
    "2024-03-18": "公司的金融科技项目终于上线了，团队加班到凌晨两点。",
    "2024-03-23": "周末带女儿去动物园看了大熊猫，她一直不想走。",
    "2024-04-01": "车险下周到期，记得打电话给保险公司续保。",
    "2024-04-06": "和老同学在火锅店聚餐，聊了很多大学时候的事情。",
    "2024-04-11": "房东说下个季度房租要涨三百块。",
    "2024-04-15": "Booked the flights to Lisbon for the conference in June, window seat both ways.",
    "2024-04-19": "The plumber fixed the leaking kitchen sink today; paid him 120 euros in cash.",
    "2024-04-22": "First guitar lesson on Tuesday evening with a teacher called Marco.",
    "2024-04-28": "Dentist appointment moved to the ninth of May, ten in the morning.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("memos")
    for day, text in MEMOS.items():
        (folder / f"{day} memo.md").write_text(f"---\ndate: {day}\n---\n{text}\n", encoding="utf-8")
    with Engine(home=tmp_path_factory.mktemp("home"), now=lambda: datetime(2024, 5, 1, 12, 0)) as e:
        e.add_source("notes", folder, name="memos")
        [run] = e.index()
        assert (run.added, run.failed) == (len(MEMOS), 0)
        yield e


def top_days(engine, query, k=3):
    return [r.id.split(":", 1)[1][:10] for r in engine.search(query, k=k)]


@pytest.mark.parametrize("question, day", [
    ("When is my cousin's wedding?", "2024-03-02"),
    ("What did the doctor say about my knee?", "2024-03-05"),
    ("What birthday present did I buy for my mother?", "2024-03-10"),
    ("How much more rent will the landlord charge?", "2024-04-11"),
])
def test_english_questions_find_chinese_memos(engine, question, day):
    assert day in top_days(engine, question)


@pytest.mark.parametrize("question, day", [
    ("水管工修了什么？", "2024-04-19"),
    ("我的吉他课是哪天？", "2024-04-22"),
    ("去里斯本的机票订好了吗？", "2024-04-15"),
    ("牙医预约改到什么时候了？", "2024-04-28"),
])
def test_chinese_questions_find_english_memos(engine, question, day):
    assert day in top_days(engine, question)


def test_every_chunk_gets_a_multilingual_vector_on_index(engine):
    assert engine.store.multilingual_count() == engine.store.counts()["chunks"] == len(MEMOS)


def test_a_store_without_the_list_is_filled_on_first_search(engine, tmp_path):
    home = engine.paths.home
    with engine.store.transaction():
        engine.store.conn.execute("DELETE FROM chunk_vectors_multilingual WHERE chunk_id % 2 = 0")
    missing = len(MEMOS) - engine.store.multilingual_count()
    assert missing > 0
    with Engine(home=home, now=lambda: datetime(2024, 5, 1, 12, 0)) as again:
        assert "2024-03-02" in top_days(again, "When is my cousin's wedding?")
        assert again.store.multilingual_count() == len(MEMOS)


def test_a_deleted_memo_leaves_no_multilingual_vector(tmp_path):
    folder = tmp_path / "memos"
    folder.mkdir()
    for day in ("2024-03-02", "2024-04-19"):
        (folder / f"{day} memo.md").write_text(f"---\ndate: {day}\n---\n{MEMOS[day]}\n", encoding="utf-8")
    with Engine(home=tmp_path / "home") as e:
        e.add_source("notes", folder, name="memos")
        e.index()
        assert e.store.multilingual_count() == 2
        (folder / "2024-03-02 memo.md").unlink()
        e.index()
        assert e.store.multilingual_count() == e.store.counts()["chunks"] == 1


def test_an_english_store_lets_the_multilingual_model_go_after_indexing(tmp_path):
    """Its English questions never encode with USE (~120 MB held for nothing in a warm daemon);
    a store with Chinese memos keeps it, and a Chinese question loads it again."""
    english, chinese = tmp_path / "english", tmp_path / "chinese"
    for folder, days in ((english, ["2024-04-15", "2024-04-19"]), (chinese, ["2024-03-02", "2024-04-19"])):
        folder.mkdir()
        for day in days:
            (folder / f"{day} memo.md").write_text(f"---\ndate: {day}\n---\n{MEMOS[day]}\n", encoding="utf-8")
    with Engine(home=tmp_path / "home-en") as e:
        e.add_source("notes", english, name="memos")
        e.index()
        assert e.store.multilingual_count() == 2 and e._multilingual is None
        assert top_days(e, "Who fixed the kitchen sink?", 1) == ["2024-04-19"] and e._multilingual is None
        assert top_days(e, "水管工修了什么？", 1) == ["2024-04-19"] and e._multilingual is not None
    with Engine(home=tmp_path / "home-zh") as e:
        e.add_source("notes", chinese, name="memos")
        e.index()
        assert e._multilingual is not None  # every question of this store searches the Chinese memos with it
