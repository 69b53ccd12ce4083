"""SMS Backup & Restore indexer against the real XML samples."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.sms import SmsIndexer

UTC = timezone.utc


@pytest.fixture
def folder(real):
    return real / "messages" / "sms"


def parse(path, root):
    return list(SmsIndexer().parse(path, root))


def test_identity_and_accepts(folder, real):
    indexer = SmsIndexer()
    assert (indexer.source_kind, indexer.name) == ("messages", "sms")
    assert indexer.accepts(folder / "memacs_smsbackuprestore_sms.xml")
    assert indexer.accepts(folder / "smsbackupreader_sample_mms.xml")
    assert indexer.accepts(folder / "smsbackupreader_sample_small.xml")
    # call logs are not messages: deliberately not indexed
    assert not indexer.accepts(folder / "memacs_smsbackuprestore_calls.xml")
    assert not indexer.accepts(folder / "memacs_superbackup_calls.xml")
    assert not indexer.accepts(real / "messages/telegram/langchain_messages.html")


def test_sms_without_contact_names(folder):
    docs = parse(folder / "memacs_smsbackuprestore_sms.xml", folder)
    assert len(docs) == 4
    first, last = docs[0], docs[-1]
    assert first.author == "+436812314123"
    assert first.conversation == "+436812314123"
    assert first.text == "did you see the new sms memacs module?"
    assert first.occurred_at == datetime(2011, 8, 4, 10, 5, 53, tzinfo=UTC)
    assert "from_me" not in first.metadata
    assert last.author == "me"
    assert last.metadata["from_me"] is True
    assert last.conversation == "+4312341234"
    assert last.title == "me in +4312341234"
    assert last.text == "http://google.at"
    assert last.occurred_at == datetime(2011, 8, 5, 18, 32, 1, 554000, tzinfo=UTC)
    assert last.people == ["me", "+4312341234"]
    assert len({d.native_id for d in docs}) == 4
    assert [d.native_id for d in parse(folder / "memacs_smsbackuprestore_sms.xml", folder)] == [
        d.native_id for d in docs
    ]


def test_sms_and_mms_with_contact_names(folder):
    docs = parse(folder / "smsbackupreader_sample_small.xml", folder)
    assert len(docs) == 7
    assert [d.author for d in docs] == [
        "Contact A", "me", "Contact A", "Contact A", "Contact B", "me", "me",
    ]
    assert docs[0].text == "SMS 1 in Thread 1"
    assert docs[0].occurred_at == datetime(2017, 12, 2, 14, 49, 27, 463000, tzinfo=UTC)
    assert docs[3].text == "MMS 1 text in Thread 1"
    assert docs[3].metadata["mms"] is True
    assert docs[-1].text == "MMS 2 text in Thread 2"
    assert docs[-1].conversation == "Contact B"
    assert docs[-1].metadata["from_me"] is True
    assert docs[-1].occurred_at == datetime(2024, 7, 14, 23, 4, 3, tzinfo=UTC)


def test_mms_media_parts(folder):
    docs = parse(folder / "smsbackupreader_sample_mms.xml", folder)
    assert [d.kind for d in docs] == ["message", "photo", "message", "message", "message"]
    image_message, photo = docs[0], docs[1]
    assert image_message.text == "Here is an image attachment"
    assert image_message.author == "Contact C"
    assert image_message.occurred_at == datetime(2024, 7, 16, 20, 29, 24, tzinfo=UTC)
    assert [(a.name, a.mime, a.path) for a in image_message.attachments] == [
        ("image.png", "image/png", None)
    ]
    assert image_message.attachments[0].caption == "Here is an image attachment"
    assert "warnings" not in image_message.metadata
    assert photo.metadata["message_id"] == image_message.native_id
    assert photo.text == "Here is an image attachment"
    assert [(a.name, a.mime) for d in docs[2:] for a in d.attachments] == [
        ("video.mp4", "video/mp4"), ("audio.mp3", "audio/mp3"), ("document.pdf", "application/pdf"),
    ]
    assert docs[-1].text == "Here is a PDF attachment"


def test_corrupt_base64_is_a_warning(tmp_path, folder):
    text = (folder / "smsbackupreader_sample_mms.xml").read_text()
    broken = tmp_path / "sms.xml"
    broken.write_text(text.replace('data="iVBORw0KGgo', 'data="!!not base64!!'))
    docs = parse(broken, tmp_path)
    assert len(docs) == 5
    [warning] = docs[0].metadata["warnings"]
    assert warning.startswith("attachment 'image.png' (image/png): corrupt base64 data")


def test_xml_cut_in_half_raises_parse_error(tmp_path, folder):
    text = (folder / "smsbackupreader_sample_small.xml").read_text()
    broken = tmp_path / "sms.xml"
    broken.write_text(text[: len(text) // 2])
    assert SmsIndexer().accepts(broken)
    with pytest.raises(ParseError) as caught:
        parse(broken, tmp_path)
    assert caught.value.path == str(broken)
    assert caught.value.problem.startswith("broken XML at line")
