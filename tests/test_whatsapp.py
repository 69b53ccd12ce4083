"""WhatsApp indexer on every real export in the corpus, plus re-import ids and bad input.

Expected values were read off the files by eye (12-hour times converted by
hand, day/month order decided from the dates that only fit one order).
"""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pocketmind.documents import Attachment, Document
from pocketmind.errors import ParseError
from pocketmind.indexers.whatsapp import WhatsAppIndexer
from pocketmind.inputs import InputLimits, reading

WA = "messages/whatsapp"
D = datetime

# file -> (messages, first sender, first time, last sender, last time)
EXPECTED = {
    # "12/9/20" fits both orders and times go backwards (23:55 then 23:16): day-first, flagged as a guess.
    "chatanalytics_android_group_mdy_24h.txt": (11, "Bob", D(2020, 9, 12, 23, 55), "Trent", D(2020, 9, 12, 23, 56)),
    "chatanalytics_ios_export.zip": (11, "Bob", D(2020, 9, 12, 23, 55), "Trent", D(2020, 9, 12, 23, 56)),
    "chatminer_android_ddmmyy_24h.txt": (7, "John Doe", D(2019, 1, 1, 11, 25), "John Doe", D(2021, 12, 30, 22, 1)),
    "chatminer_android_mmddyy_24h.txt": (7, "John Doe", D(2019, 1, 1, 11, 25), "John Doe", D(2021, 12, 30, 22, 1)),
    # "12/30/2021, 10:01 p. m." -> 22:01
    "chatminer_android_mmddyyyy_12h_spanish_ampm.txt": (
        7, "John Doe", D(2019, 1, 1, 11, 25), "John Doe", D(2021, 12, 30, 22, 1)),
    "chatminer_android_yyyymmdd_24h.txt": (7, "John Doe", D(2019, 1, 1, 11, 25), "John Doe", D(2021, 12, 30, 22, 1)),
    "chatminer_ios_bracket_mmddyy_24h.txt": (7, "John Doe", D(2019, 1, 1, 11, 25), "John Doe", D(2021, 12, 30, 22, 1)),
    # the first line is the encryption notice attributed to "Dr. Feather"; "9:25:16 PM" -> 21:25:16
    "langchain_ios_12h_seconds_image_omitted.txt": (
        11, "Dr. Feather", D(2023, 8, 15, 9, 12, 43), "Jungle Jane", D(2023, 8, 15, 21, 25, 16)),
    "pustur_ios_chat_from_zip.txt": (48, "John", D(2019, 6, 20, 15, 58, 53), "Loris", D(2019, 6, 20, 16, 45, 28)),
    "pustur_ios_export_with_media.zip": (
        48, "John", D(2019, 6, 20, 15, 58, 53), "Loris", D(2019, 6, 20, 16, 45, 28)),
    "whatsjson_arabic2_ios.txt": (
        22, "Dmitry Starkov", D(2022, 3, 27, 21, 41, 35), "Dmitry Starkov", D(2022, 3, 27, 21, 56, 45)),
    # Arabic-Indic digits and "م" (PM): "٩:٤١:٣٥ م" -> 21:41:35
    "whatsjson_arabic_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    # "1/12/2566 BE" -> 12 January 2023
    "whatsjson_calendar_Buddhist_iOS.txt": (
        25, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2023, 1, 12, 15, 35, 15)),
    "whatsjson_calendar_Gregorian_iOS.txt": (
        22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_czech_android.txt": (59, "Dmitry S", D(2022, 3, 18, 14, 56), "Dmitry S", D(2023, 1, 7, 23, 32)),
    "whatsjson_czech_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_deutch_android_media.txt": (40, "Dmitry S", D(2022, 3, 18, 14, 56), "Dmitry S", D(2023, 1, 7, 23, 32)),
    "whatsjson_deutch_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_english_android.txt": (59, "Dmitry S", D(2022, 3, 18, 14, 56), "Dmitry S", D(2023, 1, 7, 23, 32)),
    "whatsjson_english_android_media.txt": (
        59, "Dmitry S", D(2022, 3, 18, 14, 56), "Dmitry S", D(2023, 1, 7, 23, 32)),
    "whatsjson_english_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_english_ios_media.txt": (
        22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_french_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_hindi_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    # "21.41.35": dots as the time separator
    "whatsjson_indonesian_ios.txt": (
        22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_italian_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_japanese_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_portugal_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_russian_android.txt": (59, "Dmitry S", D(2022, 3, 18, 14, 56), "Dmitry S", D(2023, 1, 7, 23, 32)),
    "whatsjson_russian_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_spanish_ios.txt": (22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    "whatsjson_ukrainian_ios.txt": (
        22, "Dmitry S", D(2022, 3, 27, 21, 41, 35), "Dmitry S", D(2022, 3, 27, 21, 56, 45)),
    # "2016-10-31, 02:23 PM" -> 14:23
    "whatstk_android_yyyy-mm-dd_12h_AMPM.txt": (
        18, "Ash Ketchum", D(2016, 8, 6, 13, 23), "Wobbuffet", D(2016, 10, 31, 14, 23)),
    "whatstk_ios_bracket_yyyy_slash.txt": (
        18, "Ash Ketchum", D(2016, 8, 6, 13, 23), "Wobbuffet", D(2016, 10, 31, 12, 23)),
    "whatstk_lorem_ios_seconds.txt": (500, "Mary", D(2020, 1, 15, 2, 22, 56), "Mary", D(2020, 5, 11, 22, 32, 48)),
    # the first line "Pokemon Chat: Messages and calls are end-to-end encrypted" is a notice, not a message
    "whatstk_pokemon_android_dd.mm.yyyy_24h.txt": (
        18, "Ash Ketchum", D(2016, 8, 6, 13, 23), "Wobbuffet", D(2016, 10, 31, 12, 23)),
    "memacs_whatsapp_msgstore_minimal.db": (
        1, "436604444333", D(2016, 10, 15, 18, 18, 55, 242000, tzinfo=timezone.utc),
        "436604444333", D(2016, 10, 15, 18, 18, 55, 242000, tzinfo=timezone.utc)),
}


def parse(path: Path) -> list[Document]:
    return list(WhatsAppIndexer().parse(path, path.parent))


def messages(path: Path) -> list[Document]:
    """Someone's messages: not the notices of who created the group or added whom."""
    return [doc for doc in parse(path) if doc.kind == "message" and not doc.metadata.get("notice")]


def notices(path: Path) -> list[tuple[str, str, datetime]]:
    return [(doc.author, doc.text, doc.occurred_at) for doc in parse(path) if doc.metadata.get("notice")]


def by_line(docs: list[Document], line: int) -> Document:
    (found,) = [doc for doc in docs if doc.metadata.get("line") == line]
    return found


def test_every_corpus_file_is_in_the_table(real):
    assert sorted(p.name for p in (real / WA).iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(real, name):
    count, first_sender, first_time, last_sender, last_time = EXPECTED[name]
    path = real / WA / name
    assert WhatsAppIndexer().accepts(path)
    docs = messages(path)
    assert len(docs) == count
    assert (docs[0].author, docs[0].occurred_at) == (first_sender, first_time)
    assert (docs[-1].author, docs[-1].occurred_at) == (last_sender, last_time)
    assert len({doc.native_id for doc in docs}) == count
    for doc in docs:
        assert doc.kind == "message"
        assert doc.author in doc.people
        # no placeholder or encryption notice ever ends up as message text
        lowered = doc.text.lower()
        for leftover in ("omitted", "<media", "<attached", "(file attached)", "end-to-end", "security code"):
            assert leftover not in lowered
        assert "\u200e" not in doc.text and "\u200f" not in doc.text


def test_message_fields(real):
    path = real / WA / "chatminer_android_ddmmyy_24h.txt"
    docs = messages(path)
    third = docs[2]
    assert third.native_id == "whatsapp:chatminer_android_ddmmyy_24h:2019-01-30T20:49:00:" + _sha8("Jahn Doe") + ":0"
    assert third.text == "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."
    assert third.author == "Jahn Doe"
    assert third.occurred_at == datetime(2019, 1, 30, 20, 49)
    assert third.occurred_at.tzinfo is None
    assert third.conversation == "chatminer_android_ddmmyy_24h"
    assert third.title == "Jahn Doe in chatminer_android_ddmmyy_24h"
    assert third.uri == path.resolve().as_uri() + "#L3"
    assert third.metadata == {
        "format": "whatsapp", "line": 3, "chat": "chatminer_android_ddmmyy_24h", "date_order": "DMY"}
    assert third.people == ["John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"]
    # "John Doe:." has no space after the colon
    assert docs[1].text == "."
    # a colon inside the text belongs to the text
    assert docs[3].author == "John-John Doe" and docs[3].text == "Lorem ipsum : dolor sit amet."
    # "+12 345 578 created group" and "You were added" are system lines
    assert [doc.metadata["line"] for doc in docs] == [1, 2, 3, 5, 8, 9, 10]


def _sha8(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


@pytest.mark.parametrize(
    ("name", "order"),
    [
        ("chatminer_android_ddmmyy_24h.txt", "DMY"),  # 20/01/19
        ("chatminer_android_mmddyy_24h.txt", "MDY"),  # 01/20/19
        ("chatminer_android_yyyymmdd_24h.txt", "YMD"),
        ("whatstk_lorem_ios_seconds.txt", "DMY"),  # 15-01-20
        ("whatsjson_czech_ios.txt", "MDY"),  # 3/18/22
        ("whatsjson_arabic_ios.txt", "DMY"),  # ١٨/٣/٢٠٢٢
    ],
)
def test_date_order_is_decided_for_the_whole_file(real, name, order):
    docs = messages(real / WA / name)
    assert {doc.metadata["date_order"] for doc in docs} == {order}
    assert not any("date_order_guessed" in doc.metadata for doc in docs)


def test_ambiguous_dates_fall_back_to_day_first_and_say_so(real):
    docs = messages(real / WA / "chatanalytics_android_group_mdy_24h.txt")
    assert all(doc.metadata["date_order_guessed"] is True for doc in docs)
    assert all(doc.metadata["date_order"] == "DMY" for doc in docs)


def test_ambiguous_dates_follow_the_order_that_keeps_time_moving_forward(tmp_path):
    chat = tmp_path / "chat.txt"
    # day-first would put 2 Jan after 1 Feb; month-first keeps time going forward
    chat.write_text("01/02/20, 10:00 - Ann: first\n02/01/20, 09:00 - Bob: second\n", encoding="utf-8")
    docs = messages(chat)
    assert [doc.occurred_at for doc in docs] == [datetime(2020, 1, 2, 10, 0), datetime(2020, 2, 1, 9, 0)]
    assert docs[0].metadata["date_order"] == "MDY"
    assert "date_order_guessed" not in docs[0].metadata


def test_twelve_hour_clock_markers(real):
    spanish = messages(real / WA / "chatminer_android_mmddyyyy_12h_spanish_ampm.txt")
    # "01/30/2019, 08:49 p. m." and "06/10/2020, 03:55 p. m." and "12/20/2021, 12:10 p. m."
    assert spanish[2].occurred_at == datetime(2019, 1, 30, 20, 49)
    assert spanish[3].occurred_at == datetime(2020, 6, 10, 15, 55)
    assert spanish[5].occurred_at == datetime(2021, 12, 20, 12, 10)
    ampm = messages(real / WA / "whatstk_android_yyyy-mm-dd_12h_AMPM.txt")
    # "2016-08-07, 11:45 PM" and "2016-08-10, 09:45 AM"
    assert ampm[6].occurred_at == datetime(2016, 8, 7, 23, 45)
    assert ampm[10].occurred_at == datetime(2016, 8, 10, 9, 45)


def test_multi_line_messages(real):
    pustur = messages(real / WA / "pustur_ios_chat_from_zip.txt")
    emily = by_line(pustur, 24)
    assert emily.author == "Emily"
    assert emily.text == "Come on...\ndon't be so mysterious and show us!"
    poll = by_line(pustur, 48)
    assert poll.text.splitlines()[:2] == ["POLL:", "When can we meet?"]
    assert poll.text.endswith("OPTION: Saturday 17 evening (3 votes)")
    english = messages(real / WA / "whatsjson_english_android.txt")
    assert by_line(english, 39).text == (
        "Pimlico Gardens\nLondon, United Kingdom\nhttps://foursquare.com/v/4e89af95e5fa82ad4c0aa03b")


def test_system_lines_are_not_messages(real):
    pustur = messages(real / WA / "pustur_ios_chat_from_zip.txt")
    assert [doc.metadata["line"] for doc in pustur[:2]] == [5, 6]  # lines 1-4: encryption, created, added
    assert pustur[0].people == ["John", "Loris", "Emily"]
    gregorian = messages(real / WA / "whatsjson_calendar_Gregorian_iOS.txt")
    # the notice on line 1 and the two "Your security code with Elon changed" lines
    assert {doc.metadata["line"] for doc in gregorian}.isdisjoint({1, 24, 25})
    arabic = messages(real / WA / "whatsjson_arabic_ios.txt")
    assert arabic[0].people == ["Dmitry S", "+40 521 028 61 88"]
    assert by_line(arabic, 21).author == "+40 521 028 61 88"  # a real message of the same sender


def test_notices_that_name_who_did_it_are_indexed_by_that_person(real):
    assert notices(real / WA / "chatanalytics_android_group_mdy_24h.txt") == [
        ("Alice", 'Alice created group "Some cool group chat"', D(2020, 9, 12, 23, 16)),
        ("Alice", "Alice added you", D(2020, 9, 12, 23, 55)),
    ]
    assert notices(real / WA / "pustur_ios_chat_from_zip.txt") == [
        ("Loris", "Loris created group \u201cWhatsApp Chat Parser Example\u201d", D(2019, 6, 20, 15, 58, 47)),
        ("Loris", "Loris added Emily", D(2019, 6, 20, 15, 58, 47)),
        ("Loris", "Loris added John", D(2019, 6, 20, 15, 58, 47)),
    ]
    # "You were added" names nobody; "You created group" is the phone's owner
    assert notices(real / WA / "chatminer_android_ddmmyy_24h.txt") == [
        ("+12 345 578", '+12 345 578 created group "Groupname"', D(2020, 6, 20, 0, 8)),
    ]
    (created,) = [d for d in parse(real / WA / "whatstk_ios_bracket_yyyy_slash.txt") if d.metadata.get("notice")]
    assert (created.author, created.text) == ("me", "You created group \u201cSample Group\u201d")
    assert created.metadata["from_me"] is True
    assert created.kind == "message" and created.author in created.people
    # the encryption and security-code notices stay out, whoever they are attributed to
    for name in ("whatsjson_english_ios_media.txt", "whatstk_pokemon_android_dd.mm.yyyy_24h.txt",
                 "whatsjson_russian_android.txt", "langchain_ios_12h_seconds_image_omitted.txt"):
        assert notices(real / WA / name) == []
    for name in ("pustur_ios_chat_from_zip.txt", "whatsjson_english_ios_media.txt"):
        assert not [d for d in parse(real / WA / name) if "end-to-end" in d.text or "security code" in d.text]


def test_notices_do_not_change_the_ids_of_messages(real):
    ids = [doc.native_id for doc in parse(real / WA / "chatanalytics_android_group_mdy_24h.txt")]
    assert len(ids) == len(set(ids))
    alice = [i for i in ids if i.rsplit(":", 2)[1] == _sha8("Alice")]
    assert [i.rsplit(":", 1)[1] for i in alice] == ["notice0", "notice0", "0", "1", "2"]


@pytest.mark.parametrize(
    ("name", "line", "attachment", "text"),
    [
        ("langchain_ios_12h_seconds_image_omitted.txt", 3, Attachment("image"), ""),
        ("whatsjson_english_android.txt", 3, Attachment("media"), ""),
        ("whatsjson_english_android_media.txt", 12,
         Attachment("IMG-20220323-WA0002.jpg", "image/jpeg", None, "Титл"), "Титл"),
        ("whatsjson_english_android_media.txt", 4, Attachment("media", caption="Caption"), "Caption"),
        ("whatsjson_english_android_media.txt", 9, Attachment("PTT-20220323-WA0000.opus", "audio/opus"), ""),
        ("whatsjson_czech_android.txt", 13, Attachment("Alex.vcf", "text/vcard"), ""),
        ("whatsjson_czech_android.txt", 15, Attachment("media"), ""),  # <Média vynechány>
        ("whatsjson_russian_android.txt", 3, Attachment("media"), ""),  # <Без медиафайлов>
        ("whatsjson_deutch_android_media.txt", 16, Attachment("media", caption="Template"), "Template"),
        ("whatsjson_deutch_android_media.txt", 23, Attachment("VID-20220327-WA0001.mp4", "video/mp4"), ""),
        # the file's name and page count written before the placeholder stay as its text
        ("whatsjson_english_ios.txt", 13, Attachment("Resume-Dmitry-Starkov.pdf", "application/pdf",
         caption="Resume-Dmitry-Starkov.pdf • 2 pages"), "Resume-Dmitry-Starkov.pdf • 2 pages"),
        ("whatsjson_deutch_ios.txt", 13, Attachment("Resume-Dmitry-Starkov.pdf", "application/pdf",
         caption="Resume-Dmitry-Starkov.pdf • 2 Seiten"), "Resume-Dmitry-Starkov.pdf • 2 Seiten"),
        ("whatsjson_english_ios.txt", 14, Attachment("Template.docx", "application/vnd.openxmlformats-officedocument"
         ".wordprocessingml.document", caption="Template.docx"), "Template.docx"),
        ("whatsjson_english_ios_media.txt", 13, Attachment("00000047-Resume-Dmitry-Starkov.pdf", "application/pdf",
         caption="Resume-Dmitry-Starkov.pdf • 2 pages"), "Resume-Dmitry-Starkov.pdf • 2 pages"),
        ("whatsjson_english_android_media.txt", 57, Attachment("media", caption="Resume-Dmitry-Starkov.pdf"),
         "Resume-Dmitry-Starkov.pdf"),
        ("whatsjson_english_ios.txt", 9, Attachment("contact card"), ""),
        ("whatsjson_english_ios_media.txt", 3,
         Attachment("00000035-PHOTO-2022-03-27-21-41-55.jpg", "image/jpeg"), ""),
        ("whatsjson_english_ios_media.txt", 12,
         Attachment("00000046-Some file.txt", "text/plain", caption="Some file.txt"), "Some file.txt"),
        ("whatsjson_arabic_ios.txt", 3, Attachment("image"), ""),  # لم يتم إدراج الصورة
        ("whatsjson_japanese_ios.txt", 10, Attachment("sticker"), ""),  # スタンプは含まれていません
        ("whatsjson_ukrainian_ios.txt", 17, Attachment("GIF"), ""),  # GIF-анімацію пропущено
        ("whatsjson_calendar_Buddhist_iOS.txt", 28, Attachment("audio"), ""),
    ],
)
def test_media_placeholders_become_attachments(real, name, line, attachment, text):
    doc = by_line(messages(real / WA / name), line)
    assert doc.attachments == [attachment]
    assert doc.text == text


def test_zip_with_media(real):
    path = real / WA / "pustur_ios_export_with_media.zip"
    docs = parse(path)
    photo_message = by_line([d for d in docs if d.kind == "message"], 16)
    member = f"{path.resolve()}!/00000001-PHOTO-2019-06-20-16-00-15.jpg"
    assert photo_message.attachments == [Attachment("00000001-PHOTO-2019-06-20-16-00-15.jpg", "image/jpeg", member)]
    assert photo_message.conversation == "pustur_ios_export_with_media"
    video = by_line([d for d in docs if d.kind == "message"], 21)
    assert video.attachments[0].path == f"{path.resolve()}!/00000002-VIDEO-2019-06-20-16-01-42.mp4"
    nested = by_line([d for d in docs if d.kind == "message"], 32)
    assert nested.attachments[0].mime == "application/zip"
    (photo,) = [d for d in docs if d.kind == "photo"]
    assert photo.native_id == photo_message.native_id + ":00000001-PHOTO-2019-06-20-16-00-15.jpg"
    assert photo.occurred_at == datetime(2019, 6, 20, 16, 0, 15)
    assert photo.author == "Loris"
    assert photo.conversation == "pustur_ios_export_with_media"
    assert photo.text == "Loris: Yes! Let me show you:\nEmily: Cool"
    assert photo.metadata == {  # the real photo carries no caption of its own
        "message_id": photo_message.native_id, "zip_member": "00000001-PHOTO-2019-06-20-16-00-15.jpg", "has_caption": False}
    assert photo.attachments == photo_message.attachments


def test_photo_beside_a_chat_carries_its_own_caption(tmp_path):
    from PIL import Image

    image = Image.new("RGB", (32, 24), (10, 20, 30))
    exif = Image.Exif()
    exif[0x010E] = "a red fox crossing a snowy field"  # ImageDescription
    image.save(tmp_path / "IMG-20240102-WA0001.jpg", "JPEG", exif=exif)
    chat = tmp_path / "WhatsApp Chat with Ola.txt"
    chat.write_text("02/01/2024, 10:00 - Ola: IMG-20240102-WA0001.jpg (file attached)\nLook who visited the garden\n"
                    "02/01/2024, 10:01 - Kai: Wow!\n", encoding="utf-8")
    docs = list(WhatsAppIndexer().parse(chat, tmp_path))
    message, reply, photo = docs
    assert message.text == "Look who visited the garden" and message.attachments[0].name == "IMG-20240102-WA0001.jpg"
    assert photo.kind == "photo" and photo.title == "a red fox crossing a snowy field"
    assert photo.text == "a red fox crossing a snowy field\nLook who visited the garden\nKai: Wow!"
    assert photo.metadata == {"message_id": message.native_id, "has_caption": True}
    assert message.attachments[0].caption == "a red fox crossing a snowy field"


def test_media_beside_an_extracted_export_is_linked(real, tmp_path):
    export = tmp_path / "WhatsApp Chat with Elon.txt"
    export.write_bytes((real / WA / "whatsjson_english_android_media.txt").read_bytes())
    (tmp_path / "IMG-20220323-WA0002.jpg").write_bytes(b"\xff\xd8\xff")
    docs = messages(export)
    image = by_line(docs, 11)
    assert image.attachments == [
        Attachment("IMG-20220323-WA0002.jpg", "image/jpeg", str((tmp_path / "IMG-20220323-WA0002.jpg").resolve()))]
    assert by_line(docs, 9).attachments[0].path is None  # the voice note was not exported
    assert not [doc for doc in docs if doc.kind == "photo"]  # loose images belong to the photos source


def test_zip_and_extracted_text_agree(real):
    zipped = messages(real / WA / "pustur_ios_export_with_media.zip")
    loose = messages(real / WA / "pustur_ios_chat_from_zip.txt")
    assert [(d.author, d.occurred_at, d.text) for d in zipped] == [(d.author, d.occurred_at, d.text) for d in loose]


def test_chat_name_comes_from_whatsapp_file_names(real, tmp_path):
    source = (real / WA / "chatminer_android_ddmmyy_24h.txt").read_bytes()
    named = tmp_path / "WhatsApp Chat with Anna.txt"
    named.write_bytes(source)
    docs = messages(named)
    assert {doc.conversation for doc in docs} == {"Anna"}
    assert docs[0].title == "John Doe in Anna"
    group = tmp_path / "WhatsApp Chat - Book Club.zip"
    with zipfile.ZipFile(group, "w") as archive:
        archive.writestr("_chat.txt", source)
    assert {doc.conversation for doc in messages(group)} == {"Book Club"}


def test_reimporting_a_longer_export_keeps_the_old_ids(real, tmp_path):
    original = real / WA / "pustur_ios_chat_from_zip.txt"
    longer = tmp_path / "later-export" / original.name
    longer.parent.mkdir()
    extra = "[21.06.19, 09:00:00] John: One more thing\r\n[21.06.19, 09:00:00] John: and another\r\n"
    longer.write_bytes(original.read_bytes() + b"\n" + extra.encode())
    old_ids = [doc.native_id for doc in messages(original)]
    new_docs = messages(longer)
    assert [doc.native_id for doc in new_docs[: len(old_ids)]] == old_ids
    assert len(new_docs) == len(old_ids) + 2
    assert new_docs[-1].native_id.endswith(":1")  # same second, same sender: the ordinal tells them apart
    assert new_docs[-1].native_id != new_docs[-2].native_id


def test_same_minute_messages_get_distinct_ordinals(real):
    docs = messages(real / WA / "chatanalytics_android_group_mdy_24h.txt")
    alice = [doc.native_id for doc in docs if doc.author == "Alice"]
    assert [native_id.rsplit(":", 1)[1] for native_id in alice] == ["0", "1", "2"]


def test_msgstore_database(real):
    (doc,) = parse(real / WA / "memacs_whatsapp_msgstore_minimal.db")
    assert doc.native_id == "msgstore:436604444333:1"
    assert doc.text == "Hello World!"
    assert doc.conversation == "436604444333"
    assert doc.metadata == {"format": "whatsapp-msgstore", "jid": "436604444333", "from_me": False}


def test_msgstore_with_an_unknown_schema_is_rejected(tmp_path):
    path = tmp_path / "msgstore.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE message (_id INTEGER, text_data TEXT)")
    connection.commit()
    connection.close()
    assert WhatsAppIndexer().accepts(path)
    with pytest.raises(ParseError) as error:
        parse(path)
    assert error.value.path == str(path)
    assert error.value.problem == (
        "unsupported msgstore schema: table 'messages' lacks _id, data, key_from_me, key_id, key_remote_jid, timestamp")


def test_accepts_only_whatsapp_files(real, tmp_path):
    indexer = WhatsAppIndexer()
    assert not indexer.accepts(real / "notes/obsidian/kepano_vault/Clippings/Buy wisely.md")
    assert not indexer.accepts(real / "messages/signal/chatminer_signal_export.txt")
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list\n- milk\n- 12/03/2020 dentist\n", encoding="utf-8")
    assert not indexer.accepts(notes)
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert not indexer.accepts(other_zip)
    assert not indexer.accepts(tmp_path / "missing.zip")


def _problem(path: Path) -> str:
    with pytest.raises(ParseError) as error:
        parse(path)
    assert error.value.path.startswith(str(path))
    return error.value.problem


def test_a_file_that_is_not_a_chat_is_rejected(real, tmp_path):
    note = tmp_path / "Buy wisely.txt"
    note.write_bytes((real / "notes/obsidian/kepano_vault/Clippings/Buy wisely.md").read_bytes())
    assert _problem(note) == "no WhatsApp message lines found in the first 50 lines"
    short = tmp_path / "short.txt"
    short.write_text("just a line\nand another\n", encoding="utf-8")
    assert _problem(short) == "no WhatsApp message lines found in the first 2 lines"
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert _problem(empty) == "empty file: no WhatsApp messages"


def test_impossible_dates_are_rejected_with_the_line(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text("20/01/20, 10:00 - Ann: hi\n21/01/20, 10:00 - Bob: yo\n31/31/20, 10:00 - Ann: ?\n")
    assert _problem(chat) == "line 3: date 31/31/20 is not a valid date under any order"
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("20/01/20, 10:00 - Ann: hi\n01/20/20, 10:00 - Bob: yo\n")
    assert _problem(mixed) == "line 2: date 01/20/20 is not a valid date in DMY order, which the rest of the file uses"


def test_unknown_clock_marker_is_rejected(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text("1/2/20, 3:04 xyz - Ann: hi\n")
    assert _problem(chat) == "line 1: unknown time-of-day marker 'xyz'"


def test_buddhist_and_japanese_years(tmp_path):
    thai = tmp_path / "thai.txt"
    thai.write_text("[18/3/2565 14:56:01] Ann: hi\n")  # a Buddhist year without "BE"
    assert messages(thai)[0].occurred_at == datetime(2022, 3, 18, 14, 56, 1)
    short_buddhist = tmp_path / "short.txt"
    short_buddhist.write_text("[18/3/65 14:56:01] Ann: hi\n")
    assert _problem(short_buddhist) == (
        "line 1: two-digit year 65 lies in the future (a Buddhist-calendar year?); cannot date this export safely")
    japanese = tmp_path / "japanese.txt"
    japanese.write_text("[R4/03/18 14:56:00] Ann: hi\n[R4/03/19 9:00:00] Bob: yo\n")
    assert [d.occurred_at for d in messages(japanese)] == [datetime(2022, 3, 18, 14, 56), datetime(2022, 3, 19, 9, 0)]


def test_a_chat_cut_inside_a_letter_keeps_its_lines_and_says_so(real, tmp_path):
    text = (real / WA / "whatsjson_russian_android.txt").read_bytes()
    cut = text.index("Без".encode()) + 1  # in the middle of a two-byte letter
    broken_text = tmp_path / "broken.txt"
    broken_text.write_bytes(text[:cut])
    with reading(InputLimits()) as notices:
        docs = parse(broken_text)
    assert [(d.author, d.text) for d in docs] == [("Dmitry S", "Hello"), ("Dmitry S", "<\ufffd")]
    assert notices == [f"{broken_text}: 1 invalid UTF-8 byte replaced"]


def test_truncated_files_are_rejected(real, tmp_path):
    zipped = (real / WA / "chatanalytics_ios_export.zip").read_bytes()
    broken_zip = tmp_path / "broken.zip"
    broken_zip.write_bytes(zipped[: len(zipped) // 2])
    assert _problem(broken_zip).startswith("not a readable zip archive")
    no_chat = tmp_path / "WhatsApp Chat - Nobody.zip"
    with zipfile.ZipFile(no_chat, "w") as archive:
        archive.writestr("IMG-1.jpg", b"\xff\xd8")
    assert _problem(no_chat) == "no WhatsApp chat text (_chat.txt or 'WhatsApp Chat with ….txt') in the zip"
