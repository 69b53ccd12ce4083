"""Festivals by name against the real Chinese holiday calendar (holiday-cn 2025 ICS): a
question naming 中秋节 or 端午节 becomes that day's window and finds the holiday."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest

from pocketmind import Engine

from conftest import REAL
from helpers import engine_over

SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calendar")
    shutil.copy(REAL / "calendar" / "ics" / "holidaycn_2025_chinese_holidays.ics", folder)
    with Engine(home=tmp_path_factory.mktemp("home"), now=lambda: datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI)) as e:
        e.add_source("calendar", folder, name="holidays")
        e.index()
        yield e


@pytest.mark.parametrize(
    ("question", "day", "holiday"),
    [
        ("中秋节放假吗", datetime(2025, 10, 6), "国庆节、中秋节假期"),  # lunar 8/15 in 2025 is 6 October
        ("端午节放几天假", datetime(2025, 5, 31), "端午节假期"),
        ("今年春节假期", datetime(2025, 1, 28), "春节假期"),  # 除夕 28 January .. 初六 3 February
    ],
)
def test_festival_questions_find_the_holiday(engine, question, day, holiday):
    assert engine.read_question(question).since == day
    found = [r.snippet.split(" When:")[0] for r in engine.search(question, k=3)]
    assert holiday in found, found


@pytest.fixture(scope="module")
def german_holidays(tmp_path_factory):
    with engine_over(tmp_path_factory.mktemp("german"), {"calendar": ["calendar/ics/rie_calendarlabs_germany_holidays.ics"]},
                     now=lambda: datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI)) as e:
        yield e


def test_easter_asked_in_chinese_is_easter_sunday_not_easter_monday(german_holidays):
    # 复活节 is computed (dateutil's Easter), so the English calendar's "Easter Sunday" is the day
    # found; by meaning alone Easter Sunday and Easter Monday tied and Monday won.
    answer = german_holidays.ask("2020年的复活节是哪天？")
    assert answer.text.startswith("2020年4月12日") and answer.source == "data"
    assert answer.citations[answer.evidence[0].citation - 1].title == "Easter Sunday"
