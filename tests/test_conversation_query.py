"""A passage of conversation used as a query (a chat app looking up memories for its next turn)
is not a question: the dates it mentions are context, not date filters (issue 16)."""

from __future__ import annotations

import json
import sys

from conftest import CORPUS, REPO
from pocketmind import Engine
from pocketmind.results import wall_seconds
from pocketmind.search.question import latest_turn, reads_as_question

sys.path.insert(0, str(REPO / "bench"))
import madial  # noqa: E402

MADIAL = CORPUS / "madial_zh"


def test_a_conversation_is_not_read_as_a_question():
    assert reads_as_question("元旦晚会是哪天？")
    assert reads_as_question("What did Anna say on New Year's Eve?")
    dialogue = madial.load_dialogues(MADIAL)[0]
    assert not reads_as_question(madial.query_of(dialogue))


def test_dates_in_a_conversation_do_not_filter_out_the_memories_it_is_about(tmp_path, warm_models):
    memories = [m for m in madial.load_memories(MADIAL) if m["user-id"] == 1]
    dialogue = madial.load_dialogues(MADIAL)[2]  # Bart says what he did "今天" (today); the memories are from 2022-2024
    conversation = madial.query_of(dialogue)
    assert dialogue["user-id"] == 1 and "今天" in conversation
    madial.write_archive(tmp_path / "memos", memories)
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("notes", tmp_path / "memos", name="memos")
        engine.index()
        # read as a question, "今天" is the day the search runs: a filter no memory passes
        today = engine.read_question(conversation).since
        assert today is not None
        results = engine.search(conversation, k=10)
        as_plain_text = engine.search(conversation, k=10, understand=False)
    found = [madial.memory_id(r.id) for r in results]
    # The date words changed nothing: the memories the plain text finds, every one from before
    # today. (How well they rank is bench/madial.py's figure: the one evidence memo full text finds for
    # this dialogue matches by a bigram accident, 庆祝一下 in 玩了一下午, and vectors rank none of it high.)
    assert found == [madial.memory_id(r.id) for r in as_plain_text]
    assert len(found) == 10 and all(r.occurred_at < wall_seconds(today) for r in results), json.dumps(found)


def test_the_latest_turn_of_a_conversation_is_its_last_line_without_the_speaker():
    conversation = '<BOD>\n<小美>:"最近工作好忙。"\n<助手>:"辛苦了！"\n<小美>:"对了，周末去哪里玩好呢？"\n'
    assert latest_turn(conversation) == "对了，周末去哪里玩好呢？"
    assert latest_turn("Anna: how was the trip?\nMe: great, we saw the lake\nAnna: which one?\n") == "which one?"
    assert latest_turn("小美：我妈妈生日快到了\n助手：送什么礼物好呢？\n<EOD>\n") == "送什么礼物好呢？"
    assert latest_turn("表弟什么时候结婚？") is None  # a question is not a conversation


# A person's memos (written for this test), some about work, one about the weekend.
MEMOS = {
    "2024-03-05": "今天去医院复查，医生说膝盖恢复得不错，可以慢慢开始跑步了。",
    "2024-03-10": "给妈妈买了一台新的洗衣机作为生日礼物，她很喜欢。",
    "2024-03-18": "公司的金融科技项目终于上线了，团队加班到凌晨两点。",
    "2024-03-23": "周末带女儿去动物园看了大熊猫，她一直不想走。",
    "2024-04-01": "车险下周到期，记得打电话给保险公司续保。",
    "2024-04-11": "房东说下个季度房租要涨三百块。",
}


def test_a_conversation_finds_what_its_latest_turn_is_about(tmp_path, warm_models):
    # Most of the conversation is about work; the turn a reply is wanted for is about the weekend.
    conversation = ('<小美>:"最近工作好忙，公司的项目天天加班。"\n<助手>:"辛苦了！项目上线了吗？"\n'
                    '<小美>:"上线了，团队加班到凌晨，大家都很累。"\n<助手>:"那一定要好好休息。"\n'
                    '<小美>:"对了，周末想带孩子出去玩，去哪里好呢？"\n')
    (tmp_path / "memos").mkdir()
    for day, text in MEMOS.items():
        (tmp_path / "memos" / f"{day} memo.md").write_text(f"---\ndate: {day}\n---\n{text}\n", encoding="utf-8")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("notes", tmp_path / "memos", name="memos")
        engine.index()
        top = engine.search(conversation, k=2)
    assert [r.id.split(":", 1)[1][:10] for r in top] == ["2024-03-23", "2024-03-18"]
