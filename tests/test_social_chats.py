"""Messenger, Instagram, Signal, Discord and Slack indexers against the real samples."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.chat_common import fix_mojibake
from pocketmind.indexers.discord import DiscordIndexer
from pocketmind.indexers.slack import SlackIndexer
from pocketmind.indexers.social import InstagramIndexer, MessengerIndexer, SignalIndexer

UTC = timezone.utc
ALL = [MessengerIndexer(), InstagramIndexer(), SignalIndexer(), DiscordIndexer(), SlackIndexer()]


def test_names_and_kinds():
    assert [(i.source_kind, i.name) for i in ALL] == [
        ("messages", "messenger"), ("messages", "instagram"), ("messages", "signal"),
        ("messages", "discord"), ("messages", "slack"),
    ]


def test_each_sample_is_claimed_by_exactly_its_indexer(real):
    expected = {
        "facebook": "messenger", "instagram": "instagram", "signal": "signal",
        "discord": "discord", "slack": "slack",
    }
    for path in sorted((real / "messages").rglob("*")):
        if not path.is_file() or path.suffix == ".md":
            continue
        claimed = [i.name for i in ALL if i.accepts(path)]
        assert claimed == ([expected[path.parent.name]] if path.parent.name in expected else []), path


def test_messenger_in_chronological_order(real):
    folder = real / "messages" / "facebook"
    docs = list(MessengerIndexer().parse(folder / "langchain_messenger_message_1.json", real))
    assert len(docs) == 11
    first, last = docs[0], docs[-1]
    assert first.author == "User 1"
    assert first.text.startswith("Hi! Im interested in your bag. Im offering $50.")
    assert first.occurred_at == datetime(2023, 2, 4, 22, 17, 2, 673000, tzinfo=UTC)
    assert first.conversation == "User 1 and User 2 chat"
    assert first.people == ["User 1", "User 2"]
    assert first.native_id == "inbox/User 1 and User 2 chat:1675549022673:User 1:0"
    assert last.author == "User 2"
    assert last.text == "Bye!"
    assert last.occurred_at == datetime(2023, 2, 5, 11, 46, 11, 851000, tzinfo=UTC)
    photo = next(d for d in docs if d.attachments)
    assert photo.attachments[0].name == "url_of_some_picture.jpg"
    assert photo.attachments[0].mime == "image/jpeg"
    assert photo.text == "[url_of_some_picture.jpg]"


def test_messenger_with_bom_and_files(real):
    path = real / "messages" / "facebook" / "chatanalytics_messenger_bom.json"
    docs = list(MessengerIndexer().parse(path, real))
    assert len(docs) == 7
    assert [d.author for d in docs] == ["Bob", "Bob", "Alice", "Bob", "Bob", "Bob", "Alice"]
    assert docs[0].occurred_at == datetime(2014, 11, 5, 0, 27, 20, 411000, tzinfo=UTC)
    assert docs[-1].text == "Hello"
    assert docs[-1].occurred_at == datetime(2014, 11, 5, 0, 35, 32, 56000, tzinfo=UTC)
    assert [a.name for d in docs for a in d.attachments] == [
        "123123123123123.jpg", "123123123123123.png", "audioclip11111.mp4", "blabla.docx",
    ]


def test_messenger_mojibake_reactions_and_media_paths(tmp_path):
    export = tmp_path / "messages" / "inbox" / "zoe_1"
    (export / "photos").mkdir(parents=True)
    (export / "photos" / "p.jpg").write_bytes(b"\xff\xd8")
    thread = {
        "participants": [{"name": "Zo\u00c3\u00ab"}, {"name": "Me"}],
        "messages": [
            {"sender_name": "Me", "timestamp_ms": 2000, "content": "Ok",
             "type": "Generic"},
            {"sender_name": "Me", "timestamp_ms": 1500, "type": "Call", "content": "Called"},
            {"sender_name": "Zo\u00c3\u00ab", "timestamp_ms": 1000,
             "content": "Caf\u00c3\u00a9?", "photos": [{"uri": "messages/inbox/zoe_1/photos/p.jpg"}],
             "reactions": [{"reaction": "\u00e2\u009d\u00a4", "actor": "Me"}]},
        ],
        "title": "Zo\u00c3\u00ab", "thread_path": "inbox/zoe_1",
    }
    path = export / "message_1.json"
    path.write_text(json.dumps(thread), encoding="utf-8")
    docs = list(MessengerIndexer().parse(path, tmp_path))
    assert [d.text for d in docs] == ["Café?", "Ok"]  # the call notice is skipped
    assert docs[0].author == "Zoë"
    assert docs[0].conversation == "Zoë"
    assert docs[0].metadata["reactions"] == [{"reaction": "❤", "actor": "Me"}]
    assert docs[0].attachments[0].path == str((export / "photos" / "p.jpg").resolve())


def test_fix_mojibake_leaves_clean_text_alone():
    assert fix_mojibake("Caf\u00c3\u00a9") == "Café"
    assert fix_mojibake("Café") == "Café"
    assert fix_mojibake("日本") == "日本"


def test_instagram(real):
    path = real / "messages" / "instagram" / "chatminer_instagram_message_1.json"
    docs = list(InstagramIndexer().parse(path, real))
    assert [(d.author, d.text) for d in docs] == [("Jane Doe", "Hello John!"), ("John Doe", "Hello Jane!")]
    assert docs[0].occurred_at == datetime(2019, 12, 24, 11, 23, tzinfo=UTC)
    assert docs[1].occurred_at == datetime(2020, 1, 17, 20, 49, tzinfo=UTC)
    assert docs[0].metadata["format"] == "instagram"
    assert docs[0].conversation == "Jane Doe, John Doe"


def test_signal_multi_line(real):
    path = real / "messages" / "signal" / "chatminer_signal_export.txt"
    docs = list(SignalIndexer().parse(path, real))
    assert len(docs) == 2
    assert docs[0].author == "Jane Doe"
    assert docs[0].text == "Hello John!"
    assert docs[0].occurred_at == datetime(2019, 12, 24, 12, 23)  # no offset in the file: naive
    assert docs[1].author == "John Doe"
    assert docs[1].text == "Hello\nJane!"
    assert docs[1].occurred_at == datetime(2020, 1, 17, 21, 49)
    assert docs[1].title == "John Doe in chatminer_signal_export"


def test_discord_group_dm_messages_and_notices(real):
    path = real / "messages" / "discord" / "chatanalytics_dce_group_dm.json"
    everything = list(DiscordIndexer().parse(path, real))
    docs = [d for d in everything if not d.metadata.get("notice")]
    assert [d.text for d in docs] == [
        "Should honor nickname over name",
        "hey @mlomb whats up, check out https://chatanalytics.app",
        "woah nice :custom_emoji:",
    ]
    # a call, a rename and an icon change say who did what, as Discord shows them
    notices = [(d.author, d.text, d.occurred_at, d.metadata["system_type"])
               for d in everything if d.metadata.get("notice")]
    assert notices == [
        ("lombi", "Changed the channel name.", datetime(2023, 1, 17, 19, 33, 7, 489000, tzinfo=UTC),
         "ChannelNameChange"),
        ("lombi", "Changed the channel icon.", datetime(2023, 1, 17, 19, 34, 10, 215000, tzinfo=UTC),
         "ChannelIconChange"),
        ("mlomb", "Started a call that lasted 113 minutes.", datetime(2023, 3, 3, 14, 47, 59, 187000, tzinfo=UTC),
         "Call"),
    ]
    call = everything[-1]
    assert call.metadata["call_ended_at"] == "2023-03-03T16:40:59.313+00:00"
    assert call.native_id == "1064990764406419508:100"
    assert docs[0].author == "theplant"  # nickname over name
    assert docs[0].conversation == "a group chat"
    assert docs[0].occurred_at == datetime(2023, 1, 17, 19, 33, 19, 87000, tzinfo=UTC)
    assert docs[-1].author == "mlomb"
    assert docs[-1].occurred_at == datetime(2023, 1, 18, 20, 12, 12, 123000, tzinfo=UTC)
    assert docs[-1].metadata["reply_to"] == "1064990764406419508:1064990824305274930"
    assert docs[0].native_id == "1064990764406419508:1064990824305274930"


def test_discord_call_without_content_is_worded_from_its_times(real, tmp_path):
    # older exporter versions leave "content" empty for system messages
    export = json.loads((real / "messages/discord/chatanalytics_dce_dm.json").read_text(encoding="utf-8"))
    for message in export["messages"]:
        if message["type"] == "Call":
            message["content"] = ""
    path = tmp_path / "dm.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    call = list(DiscordIndexer().parse(path, tmp_path))[-1]
    assert (call.author, call.text) == ("Someones nickname", "Started a call that lasted 251 minutes.")


def test_discord_dm_and_server_channel(real):
    folder = real / "messages" / "discord"
    dm = list(DiscordIndexer().parse(folder / "chatanalytics_dce_dm.json", real))
    assert [(d.author, d.text) for d in dm] == [
        ("mlomb", "blah"), ("Someones nickname", "something something text"),
        ("Someones nickname", "Started a call that lasted 251 minutes."),
    ]
    assert dm[-1].occurred_at == datetime(2020, 7, 17, 17, 3, 14, 366000, tzinfo=UTC)
    assert dm[-1].metadata["notice"] is True
    assert dm[0].metadata["reactions"] == [{"emoji": "👆", "count": 42}]
    assert dm[0].metadata["guild"] == "Direct Messages"
    server = list(DiscordIndexer().parse(folder / "chatanalytics_dce_server_channel.json", real))
    assert len(server) == 4  # one message id is listed twice
    assert server[0].author == "Deleted User"
    assert server[1].author == "mlomb"  # no nickname: falls back to name
    assert server[0].metadata["guild"] == "DefleMask"
    assert server[0].conversation == "general-chiptune"
    [attachment] = server[2].attachments
    assert (attachment.name, attachment.mime, attachment.path) == ("unknown.png", "image/png", None)
    assert server[2].metadata["stickers"] == ["Laugh"]
    assert server[-1].occurred_at == datetime(2018, 5, 20, 16, 9, 51, 118000, tzinfo=UTC)


def test_slack_langchain_export(real):
    path = real / "messages" / "slack" / "langchain_slack_export.zip"
    docs = list(SlackIndexer().parse(path, real))
    # the channel_join notice in example-channel is skipped
    assert [(d.conversation, d.text) for d in docs] == [
        ("example-channel", "Example message"),
        ("general", "Hello, world!"),
        ("general", "Example in general"),
        ("random", "Example random message"),
    ]
    assert docs[1].native_id == "C05019B47SB:1681413317.397479"
    assert docs[1].author == "Example User"  # not in users.json: the message's own profile
    assert docs[1].occurred_at == datetime(2023, 4, 13, 19, 15, 17, 397479, tzinfo=UTC)
    assert docs[1].title == "Example User in general"


def test_slack_real_archive(real):
    path = real / "messages" / "slack" / "slackexportviewer_testarchive.zip"
    docs = list(SlackIndexer().parse(path, real))
    assert len(docs) == 147  # 158 entries minus 8 channel_join and 3 bot_add notices
    first, last = docs[0], docs[-1]
    assert first.conversation == "enrique"
    assert first.author == "Hamza Faran"
    assert first.text == (
        "@Harry Potter: Created an issue for a setup.py so that it can be installed to a standard place"
    )
    assert first.occurred_at == datetime(2016, 1, 15, 5, 55, 52, 6, tzinfo=UTC)
    assert first.people == ["heroeshannibal", "Hamza Faran", "Hermione Granger", "Harry Potter"]
    assert last.conversation == "traveling-sailor"
    assert last.author == "bot B0JL6UFSL"
    assert last.metadata["bot"] is True
    assert last.text.startswith("[traveling-sailor:master] 1 new commit by Hamza Faran:\n5ccecce (")
    shared = next(d for d in docs if d.metadata.get("subtype") == "file_share")
    assert shared.attachments[0].name == "100_cities.js"
    assert shared.attachments[0].mime == "text/plain"
    assert shared.author == "Hermione Granger"


def test_slack_thread_replies(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", json.dumps([{"id": "U1", "name": "ann", "real_name": "Ann"}]))
        archive.writestr("channels.json", json.dumps([{"id": "C1", "name": "dev", "members": ["U1"]}]))
        archive.writestr("dev/2020-01-01.json", json.dumps([
            {"type": "message", "user": "U1", "text": "root", "ts": "1577836800.000100",
             "thread_ts": "1577836800.000100"},
            {"type": "message", "user": "U1", "text": "see <#C1|dev> &amp; <https://x.org|x>",
             "ts": "1577836801.000200", "thread_ts": "1577836800.000100"},
        ]))
    root, reply = SlackIndexer().parse(path, tmp_path)
    assert "thread_ts" not in root.metadata
    assert reply.metadata["thread_ts"] == "1577836800.000100"
    assert reply.metadata["reply_to"] == "C1:1577836800.000100"
    assert reply.text == "see #dev & x (https://x.org)"


def test_broken_files_raise_parse_error(tmp_path, real):
    messenger = tmp_path / "message_1.json"
    text = (real / "messages/facebook/langchain_messenger_message_1.json").read_text()
    messenger.write_text(text[:500])
    assert MessengerIndexer().accepts(messenger)
    with pytest.raises(ParseError, match="not valid JSON"):
        list(MessengerIndexer().parse(messenger, tmp_path))

    discord = tmp_path / "channel.json"
    discord.write_text((real / "messages/discord/chatanalytics_dce_dm.json").read_text()[:700])
    assert DiscordIndexer().accepts(discord)
    with pytest.raises(ParseError) as caught:
        list(DiscordIndexer().parse(discord, tmp_path))
    assert caught.value.path == str(discord)

    slack = tmp_path / "slack.zip"
    slack.write_bytes((real / "messages/slack/langchain_slack_export.zip").read_bytes()[:2000])
    with pytest.raises(ParseError, match="not a readable ZIP archive"):
        list(SlackIndexer().parse(slack, tmp_path))

    signal = tmp_path / "signal.txt"
    signal.write_text("hello there\n[2020-01-01, 10:00] A: hi\n")
    assert not SignalIndexer().accepts(signal)
    with pytest.raises(ParseError, match="line 1: expected"):
        list(SignalIndexer().parse(signal, tmp_path))


def test_json_of_other_formats_is_not_claimed(tmp_path):
    other = tmp_path / "data.json"
    other.write_text('{"messages": [{"id": 1, "date_unixtime": "1", "from": "a", "text": "t"}]}')
    assert not any(i.accepts(other) for i in ALL)
