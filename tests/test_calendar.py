"""Calendar indexers against the real .ics and holiday-cn samples."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pocketmind.errors import ParseError
from pocketmind.indexers.calendar import HolidayCnJsonIndexer, IcsIndexer


def parse(real: Path, name: str, **window) -> list:
    root = real / "calendar" / "ics"
    return list(IcsIndexer(**window).parse(root / name, root))


def offset(hours: float) -> timedelta:
    return timedelta(hours=hours)


def test_accepts_ics_only(real):
    indexer = IcsIndexer()
    assert indexer.source_kind == "calendar" and indexer.name == "ics"
    assert indexer.accepts(real / "calendar/ics/rie_rdate.ics")
    assert not indexer.accepts(real / "calendar/json/holidaycn_2025.json")


def test_chinese_holidays_all_day_with_exclusive_end(real):
    docs = parse(real, "holidaycn_2025_chinese_holidays.ics")
    assert len(docs) == 11
    national_day = [d for d in docs if d.title == "国庆节、中秋节假期"]
    assert len(national_day) == 1
    day = national_day[0]
    assert day.occurred_at == datetime(2025, 10, 1)  # naive midnight: a date, no zone
    assert day.ended_at == datetime(2025, 10, 9)  # exclusive: the holiday runs 1-8 October
    assert day.metadata["all_day"] is True
    assert day.conversation == "中国法定节假日"
    assert "When: Wed 1 Oct 2025 – Wed 8 Oct 2025 (all day)" in day.text
    assert day.native_id == (
        "holidaycn_2025_chinese_holidays.ics#2025-10-01/2025-10-09/NateScarlet/holiday-cn@2025-10-01"
    )
    makeup_days = sorted(d.occurred_at for d in docs if d.title == "上班(补国庆节、中秋节假期)")
    assert makeup_days == [datetime(2025, 9, 28), datetime(2025, 10, 11)]


def test_thunderbird_moved_occurrences_take_their_new_start(real):
    docs = parse(real, "rie_thunderbird_recurring_moved.ics")
    assert len(docs) == 7
    new_event = [d for d in docs if d.metadata["uid"] == "a0c78729-30b1-4ba3-a86e-6aedd995d788"]
    starts = [d.occurred_at.isoformat() for d in new_event]
    assert starts == [
        "2019-03-07T02:00:00+01:00",
        "2019-03-08T01:00:00+01:00",  # moved one hour earlier
        "2019-03-09T03:00:00+01:00",  # moved one hour later
        "2019-03-10T02:00:00+01:00",
    ]
    moved = new_event[1]
    assert moved.metadata["recurrence_id"] == "2019-03-08T02:00:00+01:00"
    assert moved.native_id.endswith("#a0c78729-30b1-4ba3-a86e-6aedd995d788@2019-03-08T02:00:00+01:00")
    edited = [d for d in docs if d.title == "test7 - edited"]
    assert len(edited) == 1
    assert edited[0].place == "location"
    assert edited[0].occurred_at == datetime(2019, 3, 19, 4, 0, tzinfo=timezone(offset(1)))


def test_cancelled_occurrence_is_dropped(real):
    docs = parse(real, "rie_thunderbird_cancelled_occurrence.ics")
    assert [d.occurred_at.date() for d in docs] == [date(2020, 1, 28), date(2020, 1, 30)]
    assert all(d.title == "one is cancelled" for d in docs)
    assert docs[0].metadata["rrule"] == "FREQ=DAILY;COUNT=3"


def test_exdate_removes_one_week(real):
    docs = parse(real, "rie_sabredav_weekly_exdate.ics")
    days = [d.occurred_at.date() for d in docs]
    assert len(docs) == 7  # COUNT=8 minus one EXDATE
    assert date(2019, 3, 11) not in days
    assert days[0] == date(2019, 3, 4) and days[-1] == date(2019, 4, 22)


def test_two_exdates_remove_two_weeks(real):
    days = [d.occurred_at.date() for d in parse(real, "rie_sabredav_weekly_two_exdates.ics")]
    assert len(days) == 6
    assert date(2019, 3, 11) not in days and date(2019, 3, 25) not in days
    assert date(2019, 3, 18) in days


def test_davx5_exdate_list_and_duration(real):
    docs = parse(real, "rie_davx5_android_exdate.ics")
    assert [d.occurred_at.isoformat() for d in docs] == [
        "2019-10-29T16:15:00+01:00",
        "2019-11-12T16:15:00+01:00",
        "2019-12-10T16:15:00+01:00",
        "2020-01-07T16:15:00+01:00",
        "2020-01-14T16:15:00+01:00",
        "2020-01-21T16:15:00+01:00",
        "2020-01-28T16:15:00+01:00",
    ]
    assert all(d.ended_at - d.occurred_at == timedelta(hours=1, minutes=30) for d in docs)
    assert docs[0].place == "Example"
    assert docs[0].metadata["tzid"] == "Europe/Berlin"


def test_rdate_and_exdate(real):
    docs = parse(real, "rie_rdate.ics")
    by_title: dict[str, list] = {}
    for doc in docs:
        by_title.setdefault(doc.title, []).append(doc.occurred_at)
    overlap = by_title["rdate and rrule overlap"]
    # The RDATE coincides with a daily occurrence: it appears once, not twice.
    assert overlap.count(datetime(2014, 7, 5, 19, tzinfo=timezone.utc)) == 1
    assert min(overlap) == datetime(2013, 8, 3, 19, tzinfo=timezone.utc)
    assert max(overlap) == datetime(2015, 3, 19, 19, tzinfo=timezone.utc)
    removed = by_title["rdate and rrule overlap but exdate removes the date again"]
    assert datetime(2015, 7, 5, 19, tzinfo=timezone.utc) not in removed
    assert max(removed) == datetime(2016, 3, 19, 19, tzinfo=timezone.utc)
    assert by_title["rdate but exdate removes the date again"] == [datetime(2024, 8, 3, 19, tzinfo=timezone.utc)]


def test_outlook_non_ascii_windows_style_tzid(real):
    (doc,) = parse(real, "icalendar_outlook_style_non_ascii_tzid.ics")
    assert doc.occurred_at.replace(tzinfo=None) == datetime(2017, 5, 11, 13, 30)
    assert doc.occurred_at.utcoffset() == offset(-3)
    assert doc.ended_at.utcoffset() == offset(-3)
    assert doc.metadata["tzid"] == "(UTC-03:00) Brasília"
    assert doc.metadata["uid"] is None  # the file has none; the id is derived from content
    assert doc.native_id.startswith("icalendar_outlook_style_non_ascii_tzid.ics#nouid-")


def test_exchange_windows_timezone_names(real):
    docs = parse(real, "rie_exchange2010_rrule_until_utc.ics")
    refuse = [d for d in docs if d.title == "Refuse black bin"]
    # RECURRENCE-ID;TZID=GMT Standard Time:20200416T000000 is midnight British Summer Time.
    moved = [d for d in refuse if d.metadata["recurrence_id"] == "2020-04-16T00:00:00+01:00"]
    assert len(moved) == 1
    assert moved[0].occurred_at == datetime(2020, 4, 17)
    assert moved[0].metadata["all_day"] is True
    assert moved[0].conversation == "Calendar"
    days = [d.occurred_at.date() for d in refuse]
    assert date(2020, 4, 16) not in days and date(2020, 5, 28) not in days
    assert date(2020, 5, 29) in days and date(2020, 9, 4) in days

    reoccur = parse(real, "rie_exchange2010_event.ics")
    # The EXDATE 20200427T120000Z is 14:00 in Berlin: that day is gone.
    assert [d.occurred_at.isoformat() for d in reoccur] == [
        "2020-04-26T14:00:00+02:00",
        "2020-04-28T14:00:00+02:00",
    ]


def test_duration_instead_of_dtend(real):
    docs = {d.title: d for d in parse(real, "rie_duration_instead_of_dtend.ics")}
    three_days = docs["Duration Event 1"]
    assert (three_days.occurred_at, three_days.ended_at) == (datetime(2018, 1, 10), datetime(2018, 1, 13))
    assert three_days.metadata["all_day"] is True
    three_hours = docs["Duration Event 2"]
    assert three_hours.occurred_at == datetime(2018, 1, 15, 10, 0)  # floating time stays naive
    assert three_hours.ended_at == three_hours.occurred_at + timedelta(hours=3)
    short = docs["Short event"]
    assert short.ended_at == short.occurred_at == datetime(2018, 1, 20, 12, 0)
    assert "Event with duration (3 hours), instead of explicit end." in three_hours.text


def test_event_without_dtend(real):
    docs = parse(real, "rie_icalendar-ruby_no_dtend.ics")
    assert len(docs) == 4
    open_lab = docs[0]
    assert open_lab.title == "2019-01-17 openLab"
    assert open_lab.occurred_at.isoformat() == "2019-01-17T18:00:25+01:00"
    assert open_lab.ended_at == open_lab.occurred_at
    assert open_lab.conversation == "WiLaP - machBar Events"
    assert "Otto baute mit dem Laserdrucker ein Gehäuse für ein DMX Interface." in open_lab.text


def test_vtodo_is_a_task(real):
    docs = parse(real, "rie_caldav_vtodo.ics", window_end=date(1995, 1, 1))
    assert [d.kind for d in docs] == ["task", "task", "task"]
    first = docs[0]
    assert first.title == "Yearly Income Tax Preparation"
    assert first.occurred_at == datetime(1992, 4, 15, 13, 30, tzinfo=timezone.utc)
    assert first.ended_at == datetime(1992, 5, 16, 4, 59, 59, tzinfo=timezone.utc)
    assert first.metadata["categories"] == ["FAMILY", "FINANCE"]
    assert first.metadata["rrule"] == "FREQ=YEARLY"
    assert docs[2].occurred_at.year == 1994


def test_vjournal_is_a_journal(real):
    docs = parse(real, "rie_caldav_vjournal.ics", window_end=date(1994, 1, 1))
    assert [(d.kind, d.occurred_at) for d in docs] == [
        ("journal", datetime(1992, 4, 20)),
        ("journal", datetime(1993, 4, 20)),
    ]
    assert "We made it this year too." in docs[0].text
    assert docs[0].tags == ["FAMILY", "FINANCE"]


def test_all_day_daily_event_within_window(real):
    docs = parse(real, "rie_sabredav_allday_daily.ics", window_start=date(2019, 3, 1), window_end=date(2019, 3, 11))
    assert [d.occurred_at for d in docs] == [datetime(2019, 3, day) for day in range(4, 11)]
    assert all(d.ended_at - d.occurred_at == timedelta(days=1) for d in docs)
    assert all(d.metadata["all_day"] for d in docs)
    assert "truncated_recurrence" not in docs[0].metadata


def test_endless_recurrence_is_capped(real):
    root = real / "calendar" / "ics"
    docs = list(IcsIndexer(max_occurrences=5).parse(root / "rie_sabredav_allday_daily.ics", root))
    assert len(docs) == 5
    assert docs[-1].occurred_at == datetime(2019, 3, 8)
    assert all(d.metadata["truncated_recurrence"] is True for d in docs)
    # The default window starts at the file's first event, whatever today is.
    default = parse(real, "rie_sabredav_allday_daily.ics")
    assert len(default) == 1000 and default[0].occurred_at == datetime(2019, 3, 4)


def test_weekly_recurrence_keeps_wall_clock_across_dst(real):
    docs = parse(real, "rie_google_dst_weekly_recurrence.ics", window_end=date(2020, 12, 1))
    event4 = [d for d in docs if d.metadata["uid"] == "m4dpn70@google.com"]
    by_day = {d.occurred_at.date(): d.occurred_at for d in event4}
    before, after = by_day[date(2020, 10, 30)], by_day[date(2020, 11, 13)]
    assert (before.hour, before.minute, before.utcoffset()) == (14, 15, offset(-5))  # CDT
    assert (after.hour, after.minute, after.utcoffset()) == (14, 15, offset(-6))  # CST
    assert date(2020, 11, 6) not in by_day and date(2020, 10, 23) not in by_day  # EXDATEs
    assert event4[0].conversation == "School"
    assert "When: Fri 25 Sep 2020, 14:15–14:30 (America/Chicago, UTC-05:00)" in event4[0].text


def test_x_wr_timezone_moves_utc_times_to_the_calendar_zone(real):
    docs = parse(real, "rie_google_x-wr-timezone_utc_events.ics")
    assert [d.occurred_at.isoformat() for d in docs] == ["2021-12-22T12:00:00-05:00", "2021-12-22T21:00:00-05:00"]


def test_attendees_and_non_ascii_fields(real):
    (khal,) = parse(real, "icalendar_khal_rdate_period_tzid.ics")
    assert khal.people == ["XYZ"]
    assert khal.metadata["attendees"] == ["xyz@xyz.com"]
    assert "Attendees: XYZ <xyz@xyz.com>" in khal.text
    plone = {d.title: d for d in parse(real, "icalendar_plone_unicode_fields.ics")}
    event = plone["Non-ASCII Test: ÄÖÜ äöü €"]
    assert event.place == "Tribstrül"
    assert event.conversation == "äöü ÄÖÜ €"
    assert event.uri.endswith("icalendar_plone_unicode_fields.ics#123456")
    assert event.uri.startswith("file:///")
    # An entry with only a DESCRIPTION and no date is still kept, undated.
    undated = [d for d in plone.values() if d.occurred_at is None]
    assert len(undated) == 1 and "äöüßÄÖÜ" in undated[0].text


def test_unexpandable_rdate_keeps_the_series_entry(real):
    docs = parse(real, "icalendar_multiple_timezones.ics")
    assert [d.metadata["uid"] for d in docs] == ["test-vtime-named-timezone", "test-vtime-utc", "test-vtime-floating"]
    assert docs[0].occurred_at.isoformat() == "2021-03-02T00:00:00-05:00"
    assert "expansion_error" in docs[0].metadata


def test_bom_only_calendar_is_empty(real):
    assert parse(real, "icalendar_utf8_bom.ics") == []


def test_native_ids_are_stable_and_unique(real):
    first = parse(real, "rie_google_machbar_public_calendar_32k.ics", window_end=date(2020, 1, 1))
    second = parse(real, "rie_google_machbar_public_calendar_32k.ics", window_end=date(2020, 1, 1))
    ids = [d.native_id for d in first]
    assert ids == [d.native_id for d in second]
    assert len(ids) == len(set(ids))
    assert first[0].conversation == "machBar - Öffentlich"


def test_not_a_calendar_raises(tmp_path):
    path = tmp_path / "notes.ics"
    path.write_text("hello, this is not iCalendar\n")
    with pytest.raises(ParseError) as error:
        list(IcsIndexer().parse(path, tmp_path))
    assert error.value.path == str(path)
    assert "not an iCalendar file" in error.value.problem


def test_bad_date_raises(tmp_path):
    path = tmp_path / "bad.ics"
    path.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Dentist\nDTSTART:notadate\nEND:VEVENT\nEND:VCALENDAR\n")
    with pytest.raises(ParseError) as error:
        list(IcsIndexer().parse(path, tmp_path))
    assert error.value.problem.startswith("VEVENT 'Dentist': unreadable DTSTART")


def test_bad_rrule_raises(tmp_path):
    path = tmp_path / "bad-rule.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nDTSTART:20200101T100000\n"
        "RRULE:FREQ=SOMETIMES\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    with pytest.raises(ParseError, match="FREQ=SOMETIMES"):
        list(IcsIndexer().parse(path, tmp_path))


# ------------------------------------------------------------------ holiday-cn JSON


def test_holiday_cn_json_days(real):
    root = real / "calendar"
    path = root / "json" / "holidaycn_2025.json"
    indexer = HolidayCnJsonIndexer()
    assert indexer.accepts(path)
    assert not indexer.accepts(root / "ics" / "holidaycn_2025_chinese_holidays.ics")
    docs = list(indexer.parse(path, root))
    assert len(docs) == 33
    october = [d for d in docs if d.occurred_at.month == 10]
    assert [d.occurred_at.day for d in october] == [1, 2, 3, 4, 5, 6, 7, 8, 11]
    first = october[0]
    assert first.title == "国庆节、中秋节: day off"
    assert first.native_id == "json/holidaycn_2025.json#2025-10-01"
    assert first.ended_at == datetime(2025, 10, 2)
    assert first.metadata == {"all_day": True, "is_off_day": True, "holiday": "国庆节、中秋节", "year": 2025}
    assert october[-1].title == "国庆节、中秋节: working day"
    assert october[-1].metadata["is_off_day"] is False


def test_holiday_cn_json_malformed(tmp_path):
    path = tmp_path / "2026.json"
    path.write_text('{"year": 2026, "days": [{"name": "元旦", "date": "2026-13-01", "isOffDay": true}]}')
    with pytest.raises(ParseError, match=r"days\[0\]"):
        list(HolidayCnJsonIndexer().parse(path, tmp_path))
    path.write_text('{"year": 2026, "days": [')
    with pytest.raises(ParseError, match="not valid JSON"):
        list(HolidayCnJsonIndexer().parse(path, tmp_path))
