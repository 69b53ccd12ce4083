"""One time rule (issue 15 point 4): a message is stored as its instant in the offset the export
gave, so two exports of one chat show the same clock time, and SMS shows the phone's time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conftest import REAL
from pocketmind.indexers.chat_common import in_wall_clock_offset
from pocketmind.indexers.sms import SmsIndexer
from pocketmind.indexers.telegram import TelegramIndexer

TELEGRAM = REAL / "messages" / "telegram"
SMS = REAL / "messages" / "sms"


def test_telegram_json_and_html_exports_of_one_chat_show_the_same_times():
    json_docs = list(TelegramIndexer().parse(TELEGRAM / "langchain_personal_chat_result.json", TELEGRAM))
    html_docs = list(TelegramIndexer().parse(TELEGRAM / "langchain_messages.html", TELEGRAM))
    clock = [d.occurred_at.strftime("%Y-%m-%d %H:%M:%S") for d in json_docs]
    assert clock == [d.occurred_at.strftime("%Y-%m-%d %H:%M:%S") for d in html_docs]
    assert clock[0] == "2023-08-23 13:11:23"  # not 20:11, the UTC time
    # the JSON's instant is exact (date_unixtime); its offset comes from the exporter's "date"
    assert json_docs[0].occurred_at == datetime(2023, 8, 23, 20, 11, 23, tzinfo=timezone.utc)
    assert json_docs[0].occurred_at.utcoffset() == timedelta(hours=-7)


def test_sms_shows_the_phones_local_time():
    docs = list(SmsIndexer().parse(SMS / "smsbackupreader_sample_mms.xml", SMS))
    first = docs[0]
    # date="1721161764000" is 20:29:24 UTC; readable_date="Jul 16, 2024 13:29:24" is what the phone showed
    assert first.occurred_at == datetime(2024, 7, 16, 20, 29, 24, tzinfo=timezone.utc)
    assert first.occurred_at.isoformat() == "2024-07-16T13:29:24-07:00"


def test_an_implausible_wall_clock_falls_back_to_the_machines_zone():
    instant = datetime(2024, 7, 16, 20, 29, 24, tzinfo=timezone.utc)
    assert in_wall_clock_offset(instant, datetime(2024, 7, 16, 13, 29, 24)).isoformat() == "2024-07-16T13:29:24-07:00"
    assert in_wall_clock_offset(instant, datetime(2024, 7, 17, 23, 29, 24)) == instant.astimezone()  # 27 h apart
    assert in_wall_clock_offset(instant, datetime(2024, 7, 16, 13, 29, 50)) == instant.astimezone()  # seconds differ
    assert in_wall_clock_offset(instant, datetime(2024, 7, 16, 23, 59, 24)).utcoffset() == timedelta(hours=3, minutes=30)
