"""Telegram indexer against the real Telegram Desktop JSON/HTML and channel samples."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.telegram import TelegramIndexer, flatten_text

UTC = timezone.utc


@pytest.fixture
def folder(real):
    return real / "messages" / "telegram"


def parse(path, root):
    return list(TelegramIndexer().parse(path, root))


def test_indexer_identity():
    assert (TelegramIndexer.source_kind, TelegramIndexer.name) == ("messages", "telegram")


def test_accepts_telegram_files_only(real, folder):
    indexer = TelegramIndexer()
    for name in ("chatminer_batch_result.json", "chatminer_single_chat_result.json",
                 "langchain_messages.html", "langchain_personal_chat_result.json",
                 "langchain_telegram_channel.json"):
        assert indexer.accepts(folder / name), name
    assert not indexer.accepts(real / "messages/facebook/langchain_messenger_message_1.json")
    assert not indexer.accepts(real / "messages/discord/chatanalytics_dce_dm.json")
    assert not indexer.accepts(real / "messages/sms/memacs_smsbackuprestore_sms.xml")


def test_personal_chat(folder):
    docs = parse(folder / "langchain_personal_chat_result.json", folder)
    assert len(docs) == 4
    first, last = docs[0], docs[-1]
    assert first.native_id == "5965280513:1"
    assert first.kind == "message"
    assert first.author == "Jimmeny Marvelton"
    assert first.conversation == "Jimmeny"
    assert first.title == "Jimmeny Marvelton in Jimmeny"
    assert first.text == "i refuse to converse with you"
    assert first.occurred_at == datetime(2023, 8, 23, 20, 11, 23, tzinfo=UTC)
    assert first.people == ["Jimmeny Marvelton", "Batman & Robin"]
    assert first.metadata == {"format": "telegram", "chat": "Jimmeny", "chat_type": "personal_chat"}
    assert first.uri.endswith("langchain_personal_chat_result.json#5965280513%3A1")
    assert docs[1].author == "Batman & Robin"
    assert last.native_id == "5965280513:4"
    assert last.text == "you will not trick me this time"
    assert last.occurred_at == datetime(2023, 8, 23, 20, 15, 53, tzinfo=UTC)


def test_full_account_export_flattens_entities(folder):
    docs = parse(folder / "chatminer_batch_result.json", folder)
    assert [d.author for d in docs] == ["Author 1", "Author 2"]
    assert [d.conversation for d in docs] == ["Chatname", "Chatname"]
    assert docs[0].text == "Minimal Message"
    assert docs[1].text == "Link:https://telegram.org/"
    assert docs[0].occurred_at == datetime(2018, 12, 5, 10, 39, 10, tzinfo=UTC)
    assert docs[1].occurred_at == datetime(2018, 12, 5, 10, 49, 24, tzinfo=UTC)
    # no ids in this export: stable, distinct ids from chat + time + sender + ordinal
    again = parse(folder / "chatminer_batch_result.json", folder)
    assert [d.native_id for d in docs] == [d.native_id for d in again]
    assert len({d.native_id for d in docs}) == 2


def test_single_chat_without_name_uses_file_stem(folder):
    docs = parse(folder / "chatminer_single_chat_result.json", folder)
    assert len(docs) == 2
    assert docs[1].conversation == "chatminer_single_chat_result"
    assert docs[1].text == "Link:https://telegram.org/"


def test_html_export(folder):
    docs = parse(folder / "langchain_messages.html", folder)
    assert len(docs) == 4  # the "23 August 2023" service row is not a message
    assert docs[0].author == "Jimmeny Marvelton"
    assert docs[0].conversation == "Jimmeny Marvelton"
    assert docs[0].text == "i refuse to converse with you"
    tz = timezone(timedelta(hours=-8))
    assert docs[0].occurred_at == datetime(2023, 8, 23, 13, 11, 23, tzinfo=tz)
    assert docs[1].author == "Batman & Robin"  # entity-decoded, whitespace trimmed
    # the last message is a "joined" one without a name: same sender as before
    assert docs[-1].author == "Jimmeny Marvelton"
    assert docs[-1].text == "you will not trick me this time"
    assert docs[-1].occurred_at == datetime(2023, 8, 23, 13, 15, 53, tzinfo=tz)
    assert docs[-1].uri.endswith("langchain_messages.html#message4")


def test_channel_dump_in_chronological_order_with_replies(folder):
    docs = parse(folder / "langchain_telegram_channel.json", folder)
    assert [d.text for d in docs] == [
        "LLMs are awesome!", "Langchain is great.", "Telegram is the best!", "Hello, world!",
    ]
    assert docs[0].native_id == "langchain_telegram_channel.json:1782"
    assert docs[0].occurred_at == datetime(2023, 5, 3, 15, 32, 25, tzinfo=UTC)
    assert docs[-1].occurred_at == datetime(2023, 5, 15, 19, 30, 49, tzinfo=UTC)
    assert docs[1].metadata["reply_to"] == "langchain_telegram_channel.json:1782"
    assert docs[0].author == docs[0].conversation == "langchain_telegram_channel"


def test_photos_service_messages_replies_and_owner(tmp_path):
    export = {
        "personal_information": {"user_id": 42, "first_name": "Me"},
        "chats": {"list": [{
            "name": "Trip", "type": "private_group", "id": 7,
            "messages": [
                {"id": 1, "type": "service", "date_unixtime": "1700000000", "actor": "Ann",
                 "action": "create_group", "text": ""},
                {"id": 2, "type": "message", "date_unixtime": "1700000060", "from": "Ann",
                 "from_id": "user5", "photo": "photos/photo_1.jpg", "width": 10, "height": 10,
                 "text": ["Look at ", {"type": "bold", "text": "this"}]},
                {"id": 3, "type": "message", "date_unixtime": "1700000120", "from": "Me",
                 "from_id": "user42", "reply_to_message_id": 2, "text": "Nice\nview"},
            ],
        }]},
    }
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8")
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    docs = list(TelegramIndexer().parse(path, tmp_path))
    assert [(d.kind, d.native_id) for d in docs] == [
        ("message", "7:2"), ("photo", "7:2:photo"), ("message", "7:3"),
    ]
    message, photo, reply = docs
    assert message.text == "Look at this"
    assert message.attachments[0].name == "photo_1.jpg"
    assert message.attachments[0].mime == "image/jpeg"
    assert message.attachments[0].path == str((tmp_path / "photos" / "photo_1.jpg").resolve())
    assert message.attachments[0].caption == "Look at this"
    assert photo.text == "Look at this"
    assert photo.metadata["message_id"] == "7:2"
    assert reply.text == "Nice\nview"
    assert reply.metadata["reply_to"] == "7:2"
    assert reply.metadata["from_me"] is True
    assert "from_me" not in message.metadata
    assert message.people == ["Ann", "Me"]


def test_flatten_text():
    assert flatten_text(["a", {"type": "link", "text": "b"}, "c"]) == "abc"
    assert flatten_text(None) == ""


def test_truncated_json_raises_parse_error(tmp_path, folder):
    broken = tmp_path / "result.json"
    broken.write_text((folder / "langchain_personal_chat_result.json").read_text()[:300])
    assert TelegramIndexer().accepts(broken)
    with pytest.raises(ParseError) as caught:
        list(TelegramIndexer().parse(broken, tmp_path))
    assert caught.value.path == str(broken)
    assert "not valid JSON" in caught.value.problem


def test_json_of_another_shape_is_refused(tmp_path):
    other = tmp_path / "result.json"
    other.write_text('{"name": "x", "items": [1, 2]}')
    assert not TelegramIndexer().accepts(other)
    with pytest.raises(ParseError, match="no \"messages\" or \"chats\" list"):
        list(TelegramIndexer().parse(other, tmp_path))


def _mojibake(text: str) -> str:
    """UTF-8 bytes read as Latin-1: what a tool that re-saved the export made of the names."""
    return text.encode("utf-8").decode("latin-1")


def test_mojibake_chat_and_sender_names_are_repaired(tmp_path, folder):
    data = json.loads((folder / "langchain_personal_chat_result.json").read_text(encoding="utf-8"))
    data["name"] = _mojibake("Zoë & Jürgen")
    for message in data["messages"]:
        if message.get("from") == "Jimmeny Marvelton":
            message["from"] = _mojibake("Jiménez Łukasz")
    export = tmp_path / "result.json"
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    docs = parse(export, tmp_path)
    assert docs[0].author == "Jiménez Łukasz" and docs[0].conversation == "Zoë & Jürgen"
    assert docs[0].people == ["Jiménez Łukasz", "Batman & Robin"]
    assert docs[1].author == "Batman & Robin"  # plain names are left as they are

    html = (folder / "langchain_messages.html").read_text(encoding="utf-8")
    html = html.replace("Jimmeny Marvelton", _mojibake("Jiménez Łukasz"))
    page = tmp_path / "messages.html"
    page.write_text(html, encoding="utf-8")
    docs = parse(page, tmp_path)
    assert docs[0].author == "Jiménez Łukasz" and docs[0].conversation == "Jiménez Łukasz"
    assert docs[-1].author == "Jiménez Łukasz"


def test_real_names_that_only_look_like_latin1_stay_as_written(tmp_path, folder):
    data = json.loads((folder / "langchain_personal_chat_result.json").read_text(encoding="utf-8"))
    data["name"] = "José Müller"  # Latin-1 letters that are not UTF-8 bytes: not mojibake
    export = tmp_path / "result.json"
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert parse(export, tmp_path)[0].conversation == "José Müller"
