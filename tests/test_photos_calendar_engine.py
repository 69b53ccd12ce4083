"""Photos and calendars through the engine: places, time windows and dated answers."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from conftest import REAL
from helpers import SAMPLES
from pocketmind import Engine, hookimpl
from pocketmind.cli import main

HOLIDAYS_CN = REAL / "calendar" / "ics" / "holidaycn_2025_chinese_holidays.ics"

CONFERENCE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:conf@test
DTSTAMP:20250101T000000Z
DTSTART:20250512T090000
DTEND:20250516T170000
SUMMARY:PyCon conference in Pittsburgh
END:VEVENT
BEGIN:VEVENT
UID:dinner@test
DTSTAMP:20250101T000000Z
DTSTART:20250520T190000
DTEND:20250520T210000
SUMMARY:Dinner with Priya
END:VEVENT
BEGIN:VEVENT
UID:late@test
DTSTAMP:20250101T000000Z
DTSTART:20250610T190000
DTEND:20250610T210000
SUMMARY:Book club
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def engine(tmp_path, warm_models):
    with Engine(home=tmp_path / "home", now=lambda: datetime(2025, 12, 3, 9, 0)) as e:
        yield e


def test_photos_in_italy_come_first(tmp_path, warm_models, capsys):
    home = str(tmp_path / "home")
    assert main(["--home", home, "add", "photos", str(REAL / "photos"), "--name", "photos"]) == 0
    assert main(["--home", home, "index"]) == 0
    capsys.readouterr()
    assert main(["--home", home, "search", "photos in Italy", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    top_two = {r["id"] for r in results[:2]}
    assert top_two == {"photos:jpeg/exifsamples_gps_nikon_p6000_1.jpg", "photos:jpeg/exifsamples_gps_nikon_p6000_2.jpg"}
    assert all(r["kind"] == "photo" for r in results[:2])


def test_photos_near_a_city_use_coordinates(engine):
    engine.add_source("photos", REAL / "photos", name="photos")
    engine.index()
    top = engine.search("pictures near Sheffield", k=3)
    assert top[0].id == "photos:jpeg/exiftool_iphone7_gps.jpg"
    assert top[0].place == "Sheffield, England, United Kingdom"


def test_holidays_in_october_answered_with_dates_in_english_and_chinese(engine):
    engine.add_source("calendar", HOLIDAYS_CN, name="cn")
    engine.index()
    answer = engine.ask("what holidays are in October 2025?")
    assert answer.text.splitlines() == [
        "国庆节、中秋节假期: 1 October 2025 to 8 October 2025 [1]",
        "上班(补国庆节、中秋节假期): 11 October 2025 [2]",
    ]
    assert [c.title for c in answer.citations[:2]] == ["国庆节、中秋节假期", "上班(补国庆节、中秋节假期)"]
    chinese = engine.ask("2025年10月有什么节日？")
    assert chinese.text.splitlines()[0] == "国庆节、中秋节假期: 2025年10月1日至10月8日 [1]"


def test_next_week_on_the_calendar(engine):
    engine.add_source("calendar", SAMPLES / "calendar", name="personal")
    engine.index()
    # now = Wednesday 3 December 2025: next week is 8-14 December.
    results = engine.search("what's on my calendar next week?")
    assert [r.title for r in results] == ["Dentist: cleaning with Dr. Okafor"]
    assert results[0].time == "2025-12-09T09:30:00+00:00"


def test_the_week_after_the_conference(engine, tmp_path):
    ics = tmp_path / "work.ics"
    ics.write_text(CONFERENCE)
    engine.add_source("calendar", ics, name="work")
    engine.index()
    plan = engine.read_question("what's on my calendar the week after the conference?")
    assert (plan.since, plan.until) == (datetime(2025, 5, 17), datetime(2025, 5, 24))
    assert [r.title for r in engine.search("what's on my calendar the week after the conference?")] == ["Dinner with Priya"]


class Captioner:
    @hookimpl
    def caption_photo(self, path, metadata):
        return f"a hand-written caption for {path.name}"


def test_caption_hook_fills_photos_without_a_caption(tmp_path, warm_models):
    import shutil

    folder = tmp_path / "pics"
    folder.mkdir()
    shutil.copy(REAL / "photos" / "jpeg" / "exifsamples_gps_nikon_p6000_1.jpg", folder / "p.jpg")
    with Engine(home=tmp_path / "home", plugins=[Captioner()]) as engine:
        engine.add_source("photos", folder)
        engine.index()
        doc = engine.store.documents(["pics:p.jpg"])["pics:p.jpg"]
    assert doc["text"].startswith("a hand-written caption for p.jpg")
    assert doc["metadata"]["caption_source"] == "plugin"
