"""Exports of a wrong shape give one ParseError naming the message and the field
(issue 17 item 9: "other bad shapes show raw `KeyError: 'date'`").

Each case is a real export from the shared corpus with one thing broken, the
shapes the fuzz harness (tests/fuzz) found crashing a parser.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from pocketmind import Document, Engine, hookimpl
from pocketmind.errors import ParseError
from pocketmind.indexers.discord import DiscordIndexer
from pocketmind.indexers.notes.org import OrgNoteIndexer
from pocketmind.indexers.slack import SlackIndexer
from pocketmind.indexers.social import MessengerIndexer, SignalIndexer
from pocketmind.indexers.telegram import TelegramIndexer
from pocketmind.indexers.whatsapp import WhatsAppIndexer


def _edited_json(real: Path, tmp_path: Path, relative: str, edit) -> Path:
    data = json.loads((real / relative).read_text(encoding="utf-8-sig"))
    path = tmp_path / Path(relative).name
    path.write_text(json.dumps(edit(data) or data))
    return path


def _problem(indexer, path: Path) -> str:
    with pytest.raises(ParseError) as caught:
        list(indexer.parse(path, path.parent))
    assert caught.value.path == str(path)
    return caught.value.problem


def test_telegram_channel_post_without_a_date_names_the_post(real, tmp_path):
    def drop_date(posts):
        del posts[1]["date"]

    path = _edited_json(real, tmp_path, "messages/telegram/langchain_telegram_channel.json", drop_date)
    assert _problem(TelegramIndexer(), path) == "channel post 1784: no 'date'"


def test_telegram_message_that_is_a_list_names_the_message(real, tmp_path):
    def listify(chat):
        chat["messages"][1] = list(chat["messages"][1].values())

    path = _edited_json(real, tmp_path, "messages/telegram/langchain_personal_chat_result.json", listify)
    assert _problem(TelegramIndexer(), path) == "chat 'Jimmeny', message 2: expected an object, got a list"


def test_telegram_sender_of_the_wrong_type_is_a_parse_error(real, tmp_path):
    def object_sender(chat):
        chat["messages"][0]["from"] = {"name": "Anna"}

    path = _edited_json(real, tmp_path, "messages/telegram/langchain_personal_chat_result.json", object_sender)
    assert "'from' is an object, not text" in _problem(TelegramIndexer(), path)


def test_telegram_chats_list_with_a_string_names_the_chat(real, tmp_path):
    def string_chat(export):
        export["chats"]["list"].append("not a chat")

    path = _edited_json(real, tmp_path, "messages/telegram/chatminer_batch_result.json", string_chat)
    assert _problem(TelegramIndexer(), path) == "chat 2: expected an object, got a string"


def test_discord_message_without_a_timestamp_names_the_message(real, tmp_path):
    def drop_timestamp(export):
        del export["messages"][0]["timestamp"]

    path = _edited_json(real, tmp_path, "messages/discord/chatanalytics_dce_dm.json", drop_timestamp)
    assert _problem(DiscordIndexer(), path) == "message 530805779645595660: no 'timestamp'"


def test_messenger_text_that_is_a_list_is_a_parse_error(real, tmp_path):
    def list_content(thread):
        thread["messages"][0]["content"] = ["not", "text"]

    path = _edited_json(real, tmp_path, "messages/facebook/langchain_messenger_message_1.json", list_content)
    assert "'content' is a list, not text" in _problem(MessengerIndexer(), path)


def test_json_nested_100k_levels_deep_is_a_parse_error(tmp_path):
    path = tmp_path / "message_1.json"
    path.write_text('{"participants": [], "messages": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert _problem(MessengerIndexer(), path) == "not readable JSON: nested too deeply"


def test_slack_message_without_ts_names_the_day_file(real, tmp_path):
    import zipfile

    source = real / "messages/slack/langchain_slack_export.zip"
    path = tmp_path / "slack.zip"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as broken:
        for info in original.infolist():
            body = original.read(info)
            if info.filename.count("/") == 1 and info.filename.endswith(".json"):
                messages = json.loads(body)
                messages[0].pop("ts", None)
                body = json.dumps(messages).encode()
            broken.writestr(info, body)
    assert _problem(SlackIndexer(), path).endswith("message 1: no 'ts'")


def test_whatsapp_msgstore_row_without_a_timestamp_names_the_row(real, tmp_path):
    path = tmp_path / "msgstore.db"
    shutil.copyfile(real / "messages/whatsapp/memacs_whatsapp_msgstore_minimal.db", path)
    with sqlite3.connect(path) as db:
        row_id = db.execute("SELECT min(_id) FROM messages WHERE data IS NOT NULL AND data != ''").fetchone()[0]
        db.execute("UPDATE messages SET timestamp = NULL WHERE _id = ?", (row_id,))
    db.close()
    assert _problem(WhatsAppIndexer(), path) == f"message _id {row_id}: timestamp None is not a time"


def test_sms_date_beyond_the_calendar_is_a_clear_parse_error(real, tmp_path):
    from pocketmind.indexers.sms import SmsIndexer

    text = (real / "messages/sms/memacs_smsbackuprestore_sms.xml").read_text(encoding="utf-8")
    path = tmp_path / "sms.xml"
    path.write_text(text.replace('date="1312452353000"', 'date="' + "9" * 30 + '"'))
    assert _problem(SmsIndexer(), path) == f"message without a valid date: {'9' * 30!r}"


def test_signal_line_with_month_13_names_the_line(real, tmp_path):
    lines = (real / "messages/signal/chatminer_signal_export.txt").read_text().splitlines()
    lines[0] = lines[0].replace(lines[0][6:8], "13", 1)  # [YYYY-13-DD, ...]
    path = tmp_path / "signal.txt"
    path.write_text("\n".join(lines))
    assert _problem(SignalIndexer(), path).startswith("line 1: ")


def test_org_file_with_two_titles_is_indexed_with_the_first(real, tmp_path):
    path = tmp_path / "two-titles.org"
    path.write_text("#+TITLE: First title\n#+TITLE: Second title\n* Heading\nSome text\n")
    [doc] = OrgNoteIndexer().parse(path, tmp_path)
    assert doc.title == "First title"


class MalformedIndexer:
    """A plugin parser with a bug: its document's text is not a string."""

    source_kind = "notes"
    name = "malformed"

    def accepts(self, path: Path) -> bool:
        return path.suffix == ".bad"

    def parse(self, path: Path, root: Path):
        yield Document(native_id=path.name, kind="note", text=None)  # type: ignore[arg-type]


class MalformedPlugin:
    @hookimpl
    def register_indexers(self, register):
        register(MalformedIndexer())


def test_a_parser_bug_is_reported_per_file_and_the_run_goes_on(tmp_path, warm_models):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "broken.bad").write_text("x")
    (notes / "fine.md").write_text("# Fine\nA note about lentils.\n")
    with Engine(home=tmp_path / "home", plugins=[MalformedPlugin()]) as engine:
        engine.add_source("notes", notes, name="notes")
        [run] = engine.index()
    assert run.added == 1 and run.failed == 1
    [error] = run.errors
    assert error.startswith(f"{notes / 'broken.bad'}: malformed could not parse it: TypeError: ")


def test_sms_backup_in_utf16_is_recognised_and_read(real, tmp_path):
    from pocketmind.indexers.sms import SmsIndexer

    text = (real / "messages/sms/memacs_smsbackuprestore_sms.xml").read_text(encoding="utf-8")
    path = tmp_path / "sms-utf16.xml"
    path.write_bytes(text.replace("encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16"))
    assert SmsIndexer().accepts(path)
    docs = list(SmsIndexer().parse(path, tmp_path))
    assert [d.text for d in docs][:2] == ["did you see the new sms memacs module?", "Memacs FTW!"]


@pytest.mark.parametrize("relative, indexer", [
    ("messages/sms/memacs_smsbackuprestore_sms.xml", "sms"),
    ("notes/evernote/langchain_sample_notebook.enex", "enex"),
    ("notes/tomboy/obsidianimporter_tomboy1.note", "tomboy"),
    ("contacts/xcard/ezvcard_xcard_rfc6351.xml", "xcard"),
])
def test_xml_declaring_an_unknown_encoding_is_a_parse_error(real, tmp_path, relative, indexer):
    from pocketmind.indexers import builtin

    [parser] = [i for i in builtin.all_indexers() if i.name == indexer]
    body = (real / relative).read_bytes().split(b"?>", 1)[1]
    path = tmp_path / Path(relative).name
    path.write_bytes(b'<?xml version="1.0" encoding="X-NO-SUCH-ENCODING"?>' + body)
    assert "X-NO-SUCH-ENCODING" in _problem(parser, path)


def test_keep_note_with_fields_of_the_wrong_type_is_indexed(real, tmp_path):
    def damage(note):
        note.update(attachments=True, labels="work", annotations=7, isPinned={"deep": [[[]]]})

    path = _edited_json(real, tmp_path, "notes/google_keep/obsidianimporter_Pinned_text_note.json", damage)
    from pocketmind.indexers.notes.keep import KeepNoteIndexer

    [doc] = KeepNoteIndexer().parse(path, tmp_path)
    assert doc.attachments == [] and doc.tags == [] and "isPinned" not in doc.metadata


def test_telegram_html_date_that_does_not_exist_leaves_the_message_undated(real, tmp_path):
    html = (real / "messages/telegram/langchain_messages.html").read_text(encoding="utf-8")
    first = html.index('title="') + len('title="')
    path = tmp_path / "messages.html"
    path.write_text(html[:first] + "31.02.2023 25:61:00" + html[first + 19:], encoding="utf-8")
    docs = list(TelegramIndexer().parse(path, tmp_path))
    assert docs[0].occurred_at is None and docs[1].occurred_at is not None
