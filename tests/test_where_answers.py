"""'Where' and 'when' about photos, answered from the photo itself: its GPS place, else the
location written in its IPTC fields; a photo by the person the question names is theirs."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from conftest import REAL
from helpers import engine_over
from pocketmind import Engine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
PHOTOS = ["exiftool_all_metadata_blocks.jpg", "pyexiv2_chinese_all_fields.jpg", "exiftool_iphone7_gps.jpg"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, warm_models):
    root = tmp_path_factory.mktemp("where-photos")
    for name in PHOTOS:
        shutil.copy(REAL / "photos" / "jpeg" / name, root / name)
    chats = tmp_path_factory.mktemp("where-chats")
    shutil.copy(REAL / "messages" / "imessage" / "langchain_imessage_chat.db", chats / "chat.db")
    with Engine(home=tmp_path_factory.mktemp("where-home"), now=lambda: NOW) as engine:
        engine.add_source("photos", root, name="photos")
        engine.add_source("messages", chats, name="messages")
        engine.index()
        yield engine


def test_a_photo_without_gps_is_placed_by_its_written_location(engine):
    answer = engine.ask("Where was the photo with the witty caption taken?")  # IPTC: "Kingston, Ont, Canada"
    assert answer.text.startswith("Kingston, Ont, Canada") and answer.source == "data"
    assert "Kingston" in answer.evidence[0].quote



def test_a_photo_by_the_person_named_is_theirs(engine):
    # Its photographer (and title) is "test-中文-"; "I am going to send some test messages"
    # (someone else, in the first person) must not make the engine say they never spoke of it.
    answer = engine.ask("那张标题为 test-中文- 的照片是哪天拍的？")
    assert answer.text.startswith("2019年8月12日") and answer.found


@pytest.fixture(scope="module")
def dmitry(tmp_path_factory, warm_models):
    with engine_over(tmp_path_factory.mktemp("where-whatsapp"), {"messages": ["messages/whatsapp/whatsjson_english_ios_media.txt"]},
                     now=lambda: NOW) as engine:
        yield engine


def test_a_venue_shared_next_to_the_message_that_matched_answers_where(dmitry):
    # The search ranks Dmitry's "😊", sent 14 s after the venue, above the venue itself: the place
    # shared in its conversation window answers, quoted from the line that shared it.
    answer = dmitry.ask("Which place did Dmitry share in WhatsApp on 27 March 2022?")
    assert answer.text.startswith("Pimlico Gardens, London, United Kingdom [") and answer.source == "data"
    assert answer.evidence[0].quote == "Dmitry S: Pimlico Gardens (London, United Kingdom): https://foursquare.com/v/4e89af95e5fa82ad4c0aa03b"
