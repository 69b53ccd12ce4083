"""Everyday questions about one's own data, answered from real exports: the kind of
address asked for, who took a photo, Chinese answers in Chinese, and abstention."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from conftest import REAL
from pocketmind import Engine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)

FILES = {
    "contacts": ["contacts/vcf/ezvcard_iphone_v30_photo.vcf", "contacts/vcf/ezvcard_rfc6350_example_v40.vcf",
                 "contacts/vcf/ezvcard_outlook2007.vcf"],
    "photos": ["photos/jpeg/exifsamples_canon_g9_imagedescription.jpg", "photos/jpeg/exiftool_gps_caption.jpg"],
    "calendar": ["calendar/json/holidaycn_2025.json"],
    "messages": ["messages/sms/smsbackupreader_sample_small.xml", "messages/sms/memacs_smsbackuprestore_sms.xml"],
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, warm_models):
    root = tmp_path_factory.mktemp("personal-data")
    for kind, files in FILES.items():
        (root / kind).mkdir()
        for name in files:
            shutil.copy(REAL / name, root / kind / (REAL / name).name)
    home = tmp_path_factory.mktemp("personal-home")
    with Engine(home=home, now=lambda: NOW) as engine:
        for kind in FILES:
            engine.add_source(kind, root / kind, name=kind)
        engine.index()
        yield engine


def test_home_and_work_addresses_are_told_apart(engine):
    home = engine.ask("What is John Doe's home address?")
    assert home.text.startswith("Silicon Alley 5") and home.source == "data"
    assert home.evidence[0].quote.startswith("Address (home):")
    work = engine.ask("What is Mike Angstadt's work address?")
    assert "222 Broadway" in work.text and work.source == "data"


def test_a_card_with_only_a_work_address_has_no_home_address(engine):
    answer = engine.ask("What is Simon Perreault's home address?")
    assert not answer.found and answer.text == "Not in your data: Simon Perreault's contact card has no home address."
    chinese = engine.ask("Simon Perreault的家庭住址是什么？")
    assert not chinese.found and chinese.text.startswith("你的数据里没有") and "Laurier" not in chinese.text


def test_who_took_a_photo_is_its_photographer(engine):
    answer = engine.ask("Who took the 'Communications' photo?")
    assert answer.text.startswith("Ian Britton") and answer.source == "data"
    assert answer.citations[answer.evidence[0].citation - 1].kind == "photo"
    chinese = engine.ask("《Heaven above Berlin》这张照片是谁拍的？")
    assert chinese.text.startswith("Pilar Flores") and chinese.source == "data"


def test_a_phone_number_known_only_from_text_messages(engine):
    answer = engine.ask("What is Contact A's phone number?")  # no card; the SMS backup keeps the sender's number
    assert answer.text.startswith("+15550000001") and answer.source == "data"
    assert "+15550000001" in answer.evidence[0].quote
    sender = engine.ask("Which number asked me whether I saw the new SMS memacs module?")
    assert sender.text.startswith("+436812314123") and sender.source == "data"


def test_a_make_up_working_day_of_one_holiday_not_the_whole_year(engine):
    answer = engine.ask("2025年国庆节假期结束后哪天要补班？")
    assert "2025年10月11日" in answer.text and "春节" not in answer.text and answer.source == "data"
    labour = engine.ask("2025年劳动节的补班日是哪天？")
    assert "2025年4月27日" in labour.text and "5月" not in labour.text


def test_a_festival_named_in_english_finds_its_chinese_holiday(engine):
    answer = engine.ask("When is the Dragon Boat Festival holiday in China in 2025?")
    assert answer.text.startswith("端午节") and "31 May 2025 to 2 June 2025" in answer.text
    assert "春节" not in answer.text


def test_how_many_days_a_holiday_lasts(engine):
    assert engine.ask("2025年国庆节一共放几天假？").text.startswith("8天：2025年10月1日至10月8日")
    assert engine.ask("How many days off does the 2025 Spring Festival holiday in China have?").text.startswith(
        "8 days: 28 January 2025 to 4 February 2025")


@pytest.fixture(scope="module")
def siyuan(tmp_path_factory, warm_models):
    root = tmp_path_factory.mktemp("siyuan-data")
    for name in ("siyuan_zh_日记.sy", "siyuan_zh_书签和标签.sy", "siyuan_zh_导入和导出.sy"):
        shutil.copy(REAL / "notes" / "siyuan" / name, root / name)
    home = tmp_path_factory.mktemp("siyuan-home")
    with Engine(home=home, now=lambda: NOW) as engine:
        engine.add_source("notes", root, name="notes")
        engine.index()
        yield engine


def test_a_chinese_question_is_answered_in_the_notes_own_words(siyuan):
    answer = siyuan.ask("思源笔记打开日记的快捷键是什么？")
    assert "Alt+5" in answer.text and answer.source == "extractive"
    assert answer.text.split(" [")[0] in answer.evidence[0].quote
    bookmarks = siyuan.ask("思源笔记里打开书签页签的快捷键是什么？")
    assert "Alt+3" in bookmarks.text and "Alt+5" not in bookmarks.text


def test_an_echoed_question_is_no_answer():
    from pocketmind.answer.pipeline import says_nothing

    assert says_nothing("2020年复活节是哪天？", "2020年的复活节是哪天？")
    assert not says_nothing("2020年4月12日", "2020年的复活节是哪天？")
    assert says_nothing("When was Carnival in 2020", "When was Carnival in 2020?")


def test_the_make_up_working_day_before_or_after_a_holiday(engine):
    before = engine.ask("2025年春节前哪天要调休上班？")
    assert "2025年1月26日" in before.text and "2月8日" not in before.text and before.source == "data"
    after = engine.ask("2025年春节后的补班日是哪天？")
    assert "2025年2月8日" in after.text and "1月26日" not in after.text and after.source == "data"
