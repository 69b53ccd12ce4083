"""Messages through the whole engine: several real exports, people, time and re-imports."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest

from conftest import REAL
from helpers import SAMPLES
from pocketmind import Engine
from pocketmind.cli import main

MSG = REAL / "messages"

ANNA_SMS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="2">
  <sms protocol="0" address="+44 7700 900123" date="1739300000000" type="1" body="The flat in Kreuzberg has a balcony, you will love it" read="1" />
  <sms protocol="0" address="+44 7700 900123" date="1739300060000" type="2" body="Send me photos of the balcony!" read="1" />
</smses>
"""


@pytest.fixture
def chats(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    shutil.copy(SAMPLES / "messages" / "WhatsApp Chat with Anna.txt", folder)
    shutil.copy(MSG / "whatsapp" / "whatsjson_english_android.txt", folder)
    shutil.copy(MSG / "telegram" / "langchain_personal_chat_result.json", folder)
    shutil.copy(MSG / "sms" / "smsbackupreader_sample_small.xml", folder)
    (folder / "sms-anna.xml").write_text(ANNA_SMS)
    return folder


@pytest.fixture
def engine(tmp_path, warm_models):
    with Engine(home=tmp_path / "home", now=lambda: datetime(2025, 11, 23, 12, 0)) as e:
        yield e


def test_several_exports_person_and_time_filters_from_the_cli(chats, tmp_path, warm_models, capsys, monkeypatch):
    home = str(tmp_path / "cli-home")
    assert main(["--home", home, "add", "messages", str(chats), "--name", "chats"]) == 0
    assert main(["--home", home, "add", "contacts", str(SAMPLES / "contacts"), "--name", "contacts"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "index", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["failed"] == 0 and summary["added"] >= 12 + 11 + 2 + 7

    # One person across WhatsApp ("Anna") and SMS (+44 7700 900123), tied by the vCard;
    # the conversations with her hold the reply to her too.
    assert main(["--home", home, "search", "flat balcony Berlin", "--chat-with", "Anna Keller", "--since", "2025-02-01", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    ids = [r["id"] for r in results]
    by_snippet = {r["snippet"]: r for r in results[:2]}  # the message and the reply to it
    assert set(by_snippet) == {"The flat in Kreuzberg has a balcony, you will love it", "Send me photos of the balcony!"}
    kreuzberg = by_snippet["The flat in Kreuzberg has a balcony, you will love it"]
    assert kreuzberg["uri"].endswith("sms-anna.xml#" + kreuzberg["id"].split(":")[1])
    assert all(r["time"] >= "2025-02-01" for r in results)
    assert any(i.startswith("chats:whatsapp:anna:2025-02-02") for i in ids)
    assert not any("telegram" in i or "elon" in i.lower() for i in ids)

    # --person is what she wrote, under any of her names: her SMS number, her WhatsApp name.
    assert main(["--home", home, "search", "flat balcony Berlin", "--person", "Anna Keller", "--json"]) == 0
    hers = json.loads(capsys.readouterr().out)["results"]
    assert {r["author"] for r in hers if r["kind"] == "message"} == {"Anna Keller"}
    assert {r["kind"] for r in hers if r["author"] is None} == {"contact"}  # her card: she is who it shows
    assert any("sms-anna.xml" in r["uri"] for r in hers) and any(":whatsapp:anna:" in r["id"] for r in hers)
    assert "The flat in Kreuzberg has a balcony, you will love it" in {r["snippet"] for r in hers}

    assert main(["--home", home, "search", "refuse to converse", "--person", "Jimmeny Marvelton", "--json"]) == 0
    top = json.loads(capsys.readouterr().out)["results"][0]
    assert top["kind"] == "message" and top["snippet"] == "i refuse to converse with you"
    assert top["time"] == "2023-08-23T13:11:23-07:00"  # as the exporter's clock showed it (its "date")


def test_message_saying_yesterday_is_found_by_its_absolute_date(engine):
    engine.add_source("messages", SAMPLES / "messages", name="chat")
    engine.index()
    # "Yesterday I sold the piano" was sent on 2 Feb 2025: it is about 1 February.
    top = engine.search("what happened on 1 February 2025", k=3)
    assert top[0].snippet.startswith("Slowly. Yesterday I sold the piano")
    answer = engine.ask("When did Anna sell the piano?")
    assert answer.text.startswith("1 February 2025")
    assert answer.citations[0].id == "chat:whatsapp:anna:2025-02-02T19:10:00:0dc3c11c:0"
    # The model sees the cited message inside its conversation window.
    assert "How is the packing going?" in answer.citations[0].text and "» " in answer.citations[0].text


def test_reimporting_a_longer_export_embeds_only_new_messages(engine, tmp_path):
    chats = tmp_path / "chats"
    chats.mkdir()
    original = (SAMPLES / "messages" / "WhatsApp Chat with Anna.txt").read_text()
    (chats / "WhatsApp Chat with Anna.txt").write_text(original)
    engine.add_source("messages", chats, name="chat")
    [first] = engine.index()
    assert first.added == 12

    # A later export of the same chat, saved under another name; the old one is removed.
    (chats / "WhatsApp Chat with Anna.txt").unlink()
    longer = original + "15/02/2025, 10:00 - Anna: The last box is packed!\n15/02/2025, 10:01 - Sam: 🎉\n"
    (chats / "WhatsApp Chat with Anna (2).txt").write_text(longer)
    [second] = engine.index()
    # The 12 old messages now point at the new file (their uri changed) but keep their vectors.
    assert (second.added, second.deleted, second.embedded, second.updated) == (2, 0, 2, 12)
    assert engine.search("last box packed", k=1)[0].uri.endswith("Anna%20%282%29.txt#L14")


def test_photos_inside_a_chat_export_are_linked_and_searchable(engine, tmp_path):
    chats = tmp_path / "chats"
    chats.mkdir()
    shutil.copy(MSG / "whatsapp" / "pustur_ios_export_with_media.zip", chats)
    engine.add_source("messages", chats, name="chat")
    [run] = engine.index()
    assert run.failed == 0
    photos = engine.store.documents_of_kind("photo")
    assert len(photos) == 1
    photo = photos[0]
    assert photo["metadata"]["zip_member"] == "00000001-PHOTO-2019-06-20-16-00-15.jpg"
    message = engine.store.documents(["chat:" + photo["metadata"]["message_id"]])
    assert message, "the photo points at the message that carried it"
    assert engine.search("photo", kinds=["photo"], k=1)[0].id == photo["id"]


@pytest.fixture
def anna_chat(engine, tmp_path):
    """The engine with only the sample WhatsApp chat between Anna and Sam indexed."""
    folder = tmp_path / "anna"
    folder.mkdir()
    shutil.copy(SAMPLES / "messages" / "WhatsApp Chat with Anna.txt", folder)
    engine.add_source("messages", folder, name="chat")
    engine.index()
    return engine


def test_a_question_naming_someone_prefers_what_they_wrote(anna_chat):
    engine = anna_chat
    # Both of them say they will miss the other: the question's subject decides.
    anna_first = [r.snippet for r in engine.search("What did Anna say about missing Sam?", k=20)]
    sam_first = [r.snippet for r in engine.search("What did Sam say about missing Anna?", k=20)]
    anna_says = "I'll miss you too. You have to visit, the flat has a guest room"
    sam_says = "That's amazing, congratulations!! We'll miss you so much"
    assert anna_first.index(anna_says) < anna_first.index(sam_says)
    assert sam_first.index(sam_says) < sam_first.index(anna_says)
    assert engine.read_question("What did Sam say about missing Anna?").people[:1] == ["Sam"]


def test_what_only_someone_else_said_is_not_credited_to_the_person_asked_about(anna_chat):
    engine = anna_chat
    # Anna: "I'm moving to Berlin on the 1st of March." Sam never said he was moving.
    answer = engine.ask("When is Sam moving to Berlin?")
    assert not answer.found
    assert answer.text.startswith("Not mentioned by Sam")
    answer = engine.ask("When is Anna moving to Berlin?")
    assert answer.found and answer.text == "1 March 2025 [1]"


def test_a_note_about_someone_is_not_taken_for_someone_else_speaking(engine):
    for kind in ("notes", "messages", "calendar", "contacts"):  # the demo's data
        engine.add_source(kind, SAMPLES / kind, name=kind)
    engine.index()
    # Only a note says "recommended by Tom"; a chat message by Sam ranks close behind it.
    answer = engine.ask("Which book did Tom recommend?")
    assert not answer.text.startswith("Not mentioned")
    assert "notes:Reading list.md" in [c.id for c in answer.citations]
