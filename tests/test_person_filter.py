"""``--person`` is who wrote a message (or appears in a photo, event, contact);
``--chat-with`` is every message of the conversations a person is in."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REAL
from pocketmind.cli import main

POKEMON = REAL / "messages" / "whatsapp" / "whatstk_pokemon_android_dd.mm.yyyy_24h.txt"
MISTY_WROTE = {"Hey guys! Long time since heard anything from you", "Definitely",
               "Was a great time, but had enough also.", "Gotta see that."}


@pytest.fixture
def home(tmp_path, warm_models, capsys):
    chats = tmp_path / "chats"
    chats.mkdir()
    shutil.copy(POKEMON, chats)
    home = str(tmp_path / "home")
    assert main(["--home", home, "add", "messages", str(chats), "--name", "chats"]) == 0
    assert main(["--home", home, "index"]) == 0
    capsys.readouterr()
    return home


def search(home, capsys, *args) -> list[dict]:
    assert main(["--home", home, "search", *args, "--k", "30", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["results"]


def test_person_means_what_that_person_wrote(home, capsys):
    # "Hey guys!" is also what Ash wrote, in the same group Misty is in.
    results = search(home, capsys, "hey guys pokemon", "--person", "Misty")
    assert results and {r["author"] for r in results} == {"Misty"}
    assert {r["snippet"] for r in results} == MISTY_WROTE


def test_chat_with_keeps_the_whole_conversation(home, capsys):
    results = search(home, capsys, "hey guys pokemon", "--chat-with", "Misty")
    authors = {r["author"] for r in results}
    assert "Misty" in authors and {"Ash Ketchum", "Brock"} <= authors
    assert any(r["snippet"] == "Hey Ash, good to have a common group!" and r["author"] == "Brock" for r in results)


GYM_EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//pocketmind tests//EN
BEGIN:VEVENT
UID:gym-practice@example.org
DTSTART:20160820T100000Z
DTEND:20160820T120000Z
SUMMARY:Gym badge practice
ORGANIZER;CN=Brock:mailto:brock@example.org
ATTENDEE;CN=Misty:mailto:misty@example.org
END:VEVENT
END:VCALENDAR
"""


def test_person_is_who_appears_in_an_event(home, tmp_path, capsys):
    calendar = tmp_path / "calendar"
    calendar.mkdir()
    (calendar / "gym.ics").write_text(GYM_EVENT)
    assert main(["--home", home, "add", "calendar", str(calendar), "--name", "calendar"]) == 0
    assert main(["--home", home, "index"]) == 0
    capsys.readouterr()
    results = search(home, capsys, "gym badge practice", "--person", "Misty")
    assert "Gym badge practice" in {r["title"] for r in results if r["kind"] == "event"}  # she attends it
    assert {r["author"] for r in results if r["kind"] == "message"} == {"Misty"}
