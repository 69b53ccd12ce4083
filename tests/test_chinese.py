"""Chinese end to end: a chat written for these tests, relative dates and two-character names."""

from __future__ import annotations

from datetime import datetime

import pytest

from pocketmind import Engine

CHAT = """03/10/2024, 20:15 - 小王: 昨天我们去爬长城了，人特别多
03/10/2024, 20:16 - 李明: 哪一段？八达岭吗？
03/10/2024, 20:18 - 小王: 慕田峪，比八达岭人少一点
05/10/2024, 09:02 - 李明: 上周六我在南锣鼓巷吃了炸酱面
05/10/2024, 09:05 - 小王: 下个月我要去上海出差
12/10/2024, 18:30 - 李明: 今天买了去成都的火车票
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chats")
    (folder / "WhatsApp Chat with 小王.txt").write_text(CHAT, encoding="utf-8")
    home = tmp_path_factory.mktemp("home")
    with Engine(home=home, now=lambda: datetime(2024, 11, 1, 12, 0)) as e:
        e.add_source("messages", folder, name="chat")
        [run] = e.index()
        assert (run.added, run.failed) == (6, 0)
        yield e


def test_two_character_words_and_names_are_found(engine):
    top = engine.search("长城", k=1)[0]
    assert top.author == "小王" and top.snippet.startswith("昨天我们去爬长城了")
    plan = engine.read_question("小王什么时候去的长城？")
    assert plan.people == ["小王"] and plan.temporal


def test_yesterday_in_chinese_is_answered_with_the_resolved_date(engine):
    answer = engine.ask("小王什么时候去的长城？")
    assert answer.text == "2024年10月2日 [1]"  # 昨天 in a message of 3 Oct 2024
    assert answer.citations[0].id.startswith("chat:whatsapp:") and "长城" in answer.citations[0].text


def test_last_saturday_resolves_against_the_message(engine):
    # 上周六 written on Saturday 5 Oct 2024 is Saturday 28 Sep 2024.
    answer = engine.ask("李明什么时候吃的炸酱面？")
    assert answer.text == "2024年9月28日 [1]"
    found = engine.search("2024年9月28日发生了什么", k=3)
    assert any("炸酱面" in r.snippet for r in found)


def test_chinese_time_window_filters(engine):
    results = engine.search("上个月谁买了火车票", k=3)  # now = 1 Nov 2024: last month is October
    assert results[0].snippet == "今天买了去成都的火车票"
    assert all(r.time.startswith("2024-10") for r in results)
