"""iMessage chat.db indexer and attributedBody decoding against real samples."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.imessage import IMessageIndexer, apple_time, decode_attributed_body

UTC = timezone.utc


@pytest.fixture
def folder(real):
    return real / "messages" / "imessage"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("AttributedBodyTextOnly", "Noter test"),
        ("MultiPart", "\ufffctest 1\ufffctest 2 \ufffctest 3"),
        ("URL", "https://github.com/ReagentX/Logria"),
        ("WeirdText", "𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉"),
    ],
)
def test_attributed_body_blobs_decode(folder, name, text):
    blob = (folder / f"imessageexporter_attributedBody_{name}.bin").read_bytes()
    assert decode_attributed_body(blob) == text


def test_decoder_rejects_other_bytes():
    assert decode_attributed_body(b"") is None
    assert decode_attributed_body(b"bplist00 no string here") is None


def test_two_byte_length_marker():
    body = "x" * 300
    blob = b"\x84\x84\x08NSString\x01\x95\x84\x01+\x81" + (300).to_bytes(2, "little")
    assert decode_attributed_body(blob + body.encode() + b"\x86") == body


def test_apple_time_seconds_and_nanoseconds():
    assert apple_time(0) is None
    assert apple_time(700000000) == datetime(2023, 3, 8, 20, 26, 40, tzinfo=UTC)
    assert apple_time(700000000 * 10**9) == datetime(2023, 3, 8, 20, 26, 40, tzinfo=UTC)


def test_accepts(folder, real):
    indexer = IMessageIndexer()
    assert (indexer.source_kind, indexer.name) == ("messages", "imessage")
    assert indexer.accepts(folder / "langchain_imessage_chat.db")
    assert not indexer.accepts(folder / "imessageexporter_attributedBody_URL.bin")
    assert not indexer.accepts(real / "messages/sms/memacs_smsbackuprestore_sms.xml")


def test_chat_db(folder):
    docs = list(IMessageIndexer().parse(folder / "langchain_imessage_chat.db", folder))
    # 23 rows; the last one is a tapback (associated_message_type 2000), not a message
    assert len(docs) == 22
    assert "D5FB2B2E-30E4-4C1C-B96D-10C897B96A34" not in {d.native_id for d in docs}
    first, last = docs[0], docs[-1]
    assert first.native_id == "E7F6B913-EEE2-47E8-9458-BDA6BDA9BE8A"
    assert first.text == "Yeh"
    assert first.author == "testemail@gmail.com"
    assert first.conversation == "testemail@gmail.com"
    assert first.title == "testemail@gmail.com in testemail@gmail.com"
    assert first.occurred_at == datetime(2023, 11, 5, 2, 50, 50, 393148, tzinfo=UTC)
    assert first.people == ["me", "testemail@gmail.com"]
    assert first.uri.endswith("langchain_imessage_chat.db#E7F6B913-EEE2-47E8-9458-BDA6BDA9BE8A")
    assert last.text == "Alio was here"
    assert last.occurred_at == datetime(2023, 11, 17, 7, 5, 36, 39948, tzinfo=UTC)
    by_id = {d.native_id: d for d in docs}
    # text column empty: the words come from attributedBody
    decoded = by_id["517F45ED-2F1A-4C1C-B101-1CC33D349C01"]
    assert decoded.text == "Woaaaaaah"
    assert decoded.author == "me"
    assert decoded.metadata["from_me"] is True
    assert by_id["4E47AD5C-63E5-45BA-ADF5-0F1A4C3E4066"].text == (
        "Yehh unfortunately screen is cracked so can’t play games too well"
    )
    assert by_id["006C6023-2C36-4D10-BDD5-22AED38041FC"].text == "No 💀 not worth"
    assert all(d.kind == "message" for d in docs)


def test_database_is_opened_read_only(tmp_path, folder):
    copy = tmp_path / "chat.db"
    shutil.copy(folder / "langchain_imessage_chat.db", copy)
    before = copy.read_bytes()
    list(IMessageIndexer().parse(copy, tmp_path))
    assert copy.read_bytes() == before
    assert not (tmp_path / "chat.db-wal").exists()


def test_corrupt_database_raises_parse_error(tmp_path, folder):
    broken = tmp_path / "chat.db"
    broken.write_bytes((folder / "langchain_imessage_chat.db").read_bytes()[:4096])
    with pytest.raises(ParseError) as caught:
        list(IMessageIndexer().parse(broken, tmp_path))
    assert caught.value.path == str(broken)
    assert caught.value.problem.startswith("cannot read Messages database:")
