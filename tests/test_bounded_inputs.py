"""Hostile inputs are bounded: issue 17 items 1, 2 and 12, and XML without entity expansion.

Each hostile file is generated in tmp_path and indexed through the real Engine
(real SQLite, sqlite-vec, FTS5) with a small letters embedder. The memory cases
run in a child process limited to 1 GB of address space with a time limit
(tests/bounded_run.py), and print their peak memory and seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import letters_plugin
import pytest

from pocketmind import Engine
from pocketmind.cli import main
from pocketmind.errors import ConfigError
from pocketmind.settings import Settings, save

HERE = Path(__file__).resolve().parent
CHILD_SECONDS = 60

CHAT_LINE = "[03/01/2025, 12:{minute:02d}:{second:02d}] Ana: hello number {n}, see you at lunch\n"


def letters_settings() -> Settings:
    settings = Settings()
    settings.models.embedder = "letters"
    settings.plugins.paths = [letters_plugin.PATH]
    return settings


def index_folder(tmp_path: Path, kind: str, folder: Path, **index_settings):
    settings = letters_settings()
    for name, value in index_settings.items():
        settings.set(f"index.{name}", value)
    with Engine(home=tmp_path / "home", settings=settings) as engine:
        engine.add_source(kind, folder, name="hostile")
        [summary] = engine.index()
        stored = engine.store.counts()["documents"]
    return summary, stored


def run_bounded(tmp_path: Path, kind: str, folder: Path, *extra: str) -> dict:
    """Index ``folder`` in a child process with RLIMIT_AS = 1 GB; its JSON report."""
    done = subprocess.run(
        [sys.executable, str(HERE / "bounded_run.py"), kind, str(folder), str(tmp_path / "child-home"), *extra],
        capture_output=True, text=True, timeout=CHILD_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{folder.name}: {report['seconds']} s, peak RSS {report['peak_rss_mb']} MB")
    return report


def chat_lines(count: int) -> str:
    return "".join(
        CHAT_LINE.format(minute=(n // 60) % 60, second=n % 60, n=n) for n in range(count)
    )


# ---- 1. recurrence ------------------------------------------------------------------


SECONDLY_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//pocketmind//hostile//EN
BEGIN:VEVENT
UID:tick@hostile
DTSTART:20250101T000000Z
SUMMARY:Tick
RRULE:FREQ=SECONDLY
END:VEVENT
BEGIN:VEVENT
UID:lunch@hostile
DTSTART:20250301T120000Z
DTEND:20250301T130000Z
SUMMARY:Lunch with Ana
END:VEVENT
END:VCALENDAR
"""


def test_secondly_recurrence_without_end_is_cut_with_one_message(tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "secondly.ics").write_text(SECONDLY_ICS)
    report = run_bounded(tmp_path, "calendar", folder)
    assert report["failed"] == 0 and report["errors"] == []
    assert report["warnings"] == [
        f"{folder / 'secondly.ics'}: event 'Tick' repeats every second; kept its first 1000 occurrences"
    ]
    assert report["added"] == 1001  # 1000 ticks and the lunch
    assert "Lunch with Ana" in report["titles"]
    assert report["seconds"] < 60


def test_a_capped_series_keeps_its_first_occurrences_in_order(tmp_path):
    from pocketmind.indexers.calendar import IcsIndexer

    path = tmp_path / "secondly.ics"
    path.write_text(SECONDLY_ICS.replace("FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5"))
    docs = list(IcsIndexer(max_occurrences=50).parse(path, tmp_path))
    ticks = [d for d in docs if d.title == "Tick"]
    assert len(ticks) == 50
    assert ticks[0].occurred_at.isoformat() == "2025-01-01T00:00:00+00:00"
    assert ticks[-1].occurred_at.isoformat() == "2025-01-01T04:05:00+00:00"
    assert all(d.metadata["truncated_recurrence"] for d in ticks)


def test_index_prints_the_cut_as_a_warning_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "500")  # one warning, one line
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "hourly.ics").write_text(SECONDLY_ICS.replace("SECONDLY", "HOURLY"))
    home = tmp_path / "cli-home"
    save(letters_settings(), home / "config" / "config.toml")
    assert main(["--home", str(home), "add", "calendar", str(folder), "--name", "cal"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "index"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("cal: 1001 added, 0 updated, 0 deleted, 0 unchanged; ")  # one series: few chunks embedded
    assert printed[1:] == [f"  warning {folder / 'hourly.ics'}: event 'Tick' repeats every hour; kept its first 1000 occurrences"]


# ---- 2. archives and file sizes --------------------------------------------------------


def write_chat_zip(path: Path, member_bytes: int) -> None:
    """A WhatsApp export zip whose _chat.txt inflates to ``member_bytes`` of one chat line, repeated."""
    block = chat_lines(1).encode() * 20_000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("_chat.txt", "w", force_zip64=True) as member:
            written = 0
            while written < member_bytes:
                member.write(block)
                written += len(block)


def test_whatsapp_zip_bomb_is_refused_under_1_gb(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    bomb = folder / "WhatsApp Chat with Bomb.zip"
    write_chat_zip(bomb, 1024**3)
    assert bomb.stat().st_size < 8 * 1024**2  # a few MB that inflate to 1 GB
    (folder / "WhatsApp Chat with Ana.txt").write_text(chat_lines(3))
    report = run_bounded(tmp_path, "messages", folder)
    assert report["failed"] == 1 and report["added"] == 3
    inflated = zipfile.ZipFile(bomb).getinfo("_chat.txt").file_size
    assert report["errors"] == [
        f"{bomb}: _chat.txt inflates to {inflated / 1024**2:.1f} MB is more than the 64.0 MB an archive member "
        "may have; raise index.max_text_mb to index it"
    ]


def test_whatsapp_zip_member_with_bomb_ratio_is_refused(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    bomb = folder / "WhatsApp Chat with Bomb.zip"
    write_chat_zip(bomb, 48 * 1024**2)  # under the size limit, inflating ~300 times
    report = run_bounded(tmp_path, "messages", folder)
    member = zipfile.ZipFile(bomb).getinfo("_chat.txt")
    ratio, packed, inflated = member.file_size / member.compress_size, member.compress_size, member.file_size
    assert ratio > 100
    assert report["errors"] == [
        f"{bomb}: _chat.txt inflates {ratio:,.0f} times ({packed / 1024:.0f} kB to {inflated / 1024**2:.1f} MB): "
        "refused as a zip bomb"
    ]
    assert report["added"] == 0


def test_text_file_over_the_size_limit_is_skipped_and_named(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    big = folder / "WhatsApp Chat with Big.txt"
    big.write_text(chat_lines(30_000))
    (folder / "WhatsApp Chat with Ana.txt").write_text(chat_lines(3))
    summary, stored = index_folder(tmp_path, "messages", folder, max_text_mb=1)
    assert (summary.failed, summary.added, stored) == (1, 3, 3)
    assert summary.errors == [
        f"{big}: {big.stat().st_size / 1024**2:.1f} MB is more than the 1.0 MB a text file may have; "
        "raise index.max_text_mb to index it"
    ]


def test_text_size_limit_is_a_validated_setting():
    settings = Settings()
    assert settings.index.max_text_mb == 64
    for bad in (0, -1, 100_000):
        with pytest.raises(ConfigError, match="index.max_text_mb"):
            settings.set("index.max_text_mb", bad)
    assert any(name == "index.max_text_mb" and "text file" in doc for name, _, doc in settings.describe())


# ---- 3. XML without entity expansion ----------------------------------------------------


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE root [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
"""
REFUSED = "declares XML entities, which are never expanded (XXE or billion laughs); not indexed"

HOSTILE_XML = {
    # kind, file name, body that references the entity
    "sms": ("messages", "sms-backup.xml",
            '<smses count="1"><sms address="+15550100" date="1735732800000" type="1" body="{ref}" '
            'contact_name="Ana" /></smses>'),
    "xcard": ("contacts", "contacts.xml",
              '<vcards xmlns="urn:ietf:params:xml:ns:vcard-4.0"><vcard><fn><text>{ref}</text></fn></vcard></vcards>'),
    "enex": ("notes", "export.enex",
             '<en-export><note><title>T</title><content>{ref}</content></note></en-export>'),
    "tomboy": ("notes", "note.note",
               '<note version="0.3" xmlns="http://beatniksoftware.com/tomboy"><title>T</title><text>'
               '<note-content version="0.1">{ref}</note-content></text></note>'),
}


@pytest.mark.parametrize("attack", ["billion-laughs", "xxe"])
@pytest.mark.parametrize("fmt", sorted(HOSTILE_XML))
def test_xml_with_entities_gives_one_clear_error(tmp_path, fmt, attack):
    kind, name, body = HOSTILE_XML[fmt]
    prolog, ref = (BILLION_LAUGHS, "&lol3;") if attack == "billion-laughs" else (XXE, "&xxe;")
    folder = tmp_path / fmt
    folder.mkdir()
    (folder / name).write_text(prolog + body.format(ref=ref))
    summary, stored = index_folder(tmp_path, kind, folder)
    assert summary.errors == [f"{folder / name}: {REFUSED}"]
    assert (summary.failed, stored) == (1, 0)


def test_no_parser_uses_the_standard_library_xml_parsers():
    """Every XML parse goes through indexers/safe_xml.py (defusedxml); it alone may name xml.etree, for a type."""
    stdlib_xml = re.compile(r"^\s*(?:import|from)\s+(?:xml\.(?:etree|dom|sax)|lxml)\b", re.MULTILINE)
    for folder in ("indexers", "pocketmind", "store", "tui"):
        for path in (HERE.parent / folder).rglob("*.py"):
            if path.name != "safe_xml.py":
                assert not stdlib_xml.search(path.read_text(encoding="utf-8")), f"{path} imports an XML parser"


# ---- 12. invalid UTF-8 in a chat ------------------------------------------------------------


def test_invalid_utf8_in_a_chat_keeps_every_valid_line(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    chat = folder / "WhatsApp Chat with Ana.txt"
    lines = chat_lines(3).encode().splitlines(keepends=True)
    chat.write_bytes(lines[0] + lines[1].replace(b"see you", b"see \xff\xfe you") + lines[2])
    summary, stored = index_folder(tmp_path, "messages", folder)
    assert (summary.failed, summary.added, stored) == (0, 3, 3)
    assert summary.warnings == [f"{chat}: 2 invalid UTF-8 bytes replaced"]
    with Engine(home=tmp_path / "home", settings=letters_settings()) as engine:
        texts = [row[0] for row in engine.store.conn.execute("SELECT text FROM documents ORDER BY occurred_at")]
    assert texts[1] == "hello number 1, see \ufffd\ufffd you at lunch"  # each invalid byte marked
