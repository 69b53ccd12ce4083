"""A place shared in a WhatsApp chat (a venue or a dropped pin) becomes the message's place,
on the real exports of every locale the corpus has."""

from __future__ import annotations

import pytest

from conftest import REAL
from pocketmind.indexers.whatsapp import WhatsAppIndexer

CHATS = REAL / "messages" / "whatsapp"


def shared(name: str) -> list[tuple[str, str | None, float | None]]:
    path = CHATS / name
    return [(doc.text, doc.place, doc.metadata.get("lat"))
            for doc in WhatsAppIndexer().parse(path, path.parent) if doc.kind == "message" and (doc.place or doc.metadata.get("lat"))]


def test_an_ios_venue_and_pin_become_the_messages_places():
    assert shared("whatsjson_english_ios_media.txt") == [
        ("Pimlico Gardens (London, United Kingdom): https://foursquare.com/v/4e89af95e5fa82ad4c0aa03b",
         "Pimlico Gardens, London, United Kingdom", None),
        ("Location: https://maps.google.com/?q=51.5021456,-0.127397", "London, England, United Kingdom", 51.5021456),
    ]


@pytest.mark.parametrize("name, label", [("whatsjson_spanish_ios.txt", "Ubicación"), ("whatsjson_deutch_ios.txt", "Standort"),
                                         ("whatsjson_czech_ios.txt", "Poloha")])
def test_a_pin_is_read_whatever_the_phones_language(name, label):
    pins = [(text, place) for text, place, lat in shared(name) if lat is not None]
    assert pins == [(f"{label}: https://maps.google.com/?q=51.5021456,-0.127397", "London, England, United Kingdom")]


def test_an_android_venue_spans_three_lines_and_a_pin_at_sea_keeps_only_its_coordinates():
    places = shared("whatsjson_deutch_android_media.txt")
    assert ("Çalış Plajı, Fethiye, Muğla") in [place for _text, place, _lat in places]
    arabic = shared("whatsjson_arabic_ios.txt")  # 34.8006, 28.100155: the sea south of Rhodes
    assert [(place, lat) for text, place, lat in arabic if "maps.google" in text] == [(None, 34.8006)]
