"""No silent skip, nothing escapes the source (issue 17, items 9 and 10).

Every file a run does not index is counted and named with its reason; a folder
that cannot be listed is reported, and what was indexed from it stays; links
and attachment paths that lead outside the source are not followed unless the
user opts in for that source.

Unreadable files: as root, chmod 000 does not stop a read, so those runs are
made by the real CLI in a child process whose capabilities to bypass file
permissions (dac_override, dac_read_search) are dropped with ``setpriv``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REAL
from pocketmind import Engine
from pocketmind.cli import main

# A worktree has no ../shared beside it: fall back to the machine's shared corpus.
CORPUS = REAL if REAL.is_dir() else Path("/work/shared/corpus/real")
WHATSAPP = CORPUS / "messages" / "whatsapp"
TELEGRAM = CORPUS / "messages" / "telegram"
OBSIDIAN = CORPUS / "notes" / "obsidian" / "kepano_vault" / "Notes"


def _cli_without_permission_bypass(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI so that file permissions apply (drop root's bypass when running as root)."""
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    return subprocess.run([*prefix, sys.executable, "-m", "pocketmind.cli", *args], capture_output=True, text=True, timeout=300)


def _index_json(home: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["--home", str(home), "index", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_an_unreadable_chat_and_folder_are_named_and_nothing_indexed_is_lost(tmp_path, warm_models, capsys):
    chats = tmp_path / "chats"
    (chats / "old").mkdir(parents=True)
    shutil.copy(WHATSAPP / "chatminer_android_ddmmyy_24h.txt", chats / "WhatsApp Chat with John.txt")
    shutil.copy(WHATSAPP / "chatminer_android_yyyymmdd_24h.txt", chats / "old" / "WhatsApp Chat with Old.txt")
    home = tmp_path / "home"
    assert main(["--home", str(home), "add", "messages", str(chats), "--name", "chats"]) == 0
    first = _index_json(home, capsys)
    assert first["added"] > 10 and first["failed"] == 0
    with Engine(home=home) as engine:
        from_old = engine.store.count_from_origin("chats", "old/WhatsApp Chat with Old.txt")
    assert from_old > 0

    locked = chats / "WhatsApp Chat with Locked.txt"
    shutil.copy(WHATSAPP / "chatminer_android_mmddyy_24h.txt", locked)
    locked.chmod(0)
    (chats / "old").chmod(0)
    try:
        done = _cli_without_permission_bypass("--home", str(home), "index")
    finally:
        (chats / "old").chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert "2 skipped: 2 unreadable" in lines[0]
    assert f"  skipped {locked}: unreadable: Permission denied" in lines
    assert f"  skipped {chats / 'old'}: unreadable folder: Permission denied" in lines

    # The chat indexed from the folder before it became unreadable is still there.
    with Engine(home=home) as engine:
        assert engine.store.count_from_origin("chats", "old/WhatsApp Chat with Old.txt") == from_old
        errors = {e["path"]: e["error"] for e in engine.status()["recent_errors"]}
    assert errors == {"WhatsApp Chat with Locked.txt": "unreadable: Permission denied",
                      "old": "unreadable folder: Permission denied"}


def test_empty_exports_are_reported_as_empty(tmp_path, capsys):
    chats = tmp_path / "chats"
    chats.mkdir()
    (chats / "WhatsApp Chat with Nobody.txt").write_bytes(b"")
    (chats / "result.json").write_bytes(b"")
    (chats / "blank.json").write_text("  \n")
    (chats / "nothing.json").write_text("{}\n")
    (chats / "sms-backup.xml").write_bytes(b"")
    with zipfile.ZipFile(chats / "WhatsApp Chat with Ann.zip", "w"):
        pass  # a zip with no members
    (chats / "sms-none.xml").write_text('<?xml version="1.0"?>\n<smses count="0">\n</smses>\n')  # well formed, no message
    home = tmp_path / "home"
    assert main(["--home", str(home), "add", "messages", str(chats), "--name", "chats"]) == 0
    summary = _index_json(home, capsys)
    [source] = summary["sources"]
    skipped = {Path(s["path"]).name: (s["reason"], s["problem"]) for s in source["skipped"]}
    assert skipped == {name: ("empty", "empty file") for name in (
        "WhatsApp Chat with Nobody.txt", "result.json", "blank.json", "nothing.json", "sms-backup.xml",
        "WhatsApp Chat with Ann.zip")} | {"sms-none.xml": ("empty", "empty: sms found nothing to index in it")}
    assert source["skipped_by_reason"] == {"empty": 7} and summary["skipped_by_reason"] == {"empty": 7}
    assert summary["failed"] == 7

    assert main(["--home", str(home), "index"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("7 skipped: 7 empty")
    assert f"  skipped {chats / 'result.json'}: empty file" in out
    assert main(["--home", str(home), "sources", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"][0]["errors"] == 7


def test_unsupported_files_are_counted_and_listed_in_json_but_few_are_shown(tmp_path, warm_models, capsys):
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("2023 Japan Trip.md", "Minimal Theme.md"):
        shutil.copy(OBSIDIAN / name, notes / name)
    for n in range(6):
        (notes / f"scan-{n}.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    (notes / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # OS litter and hidden files are not "skipped" noise
    (notes / ".hidden.md").write_text("# hidden\n")
    (notes / ".git").mkdir()
    (notes / ".git" / "config").write_text("[core]\n")
    home = tmp_path / "home"
    assert main(["--home", str(home), "add", "notes", str(notes), "--name", "notes"]) == 0
    summary = _index_json(home, capsys)
    [source] = summary["sources"]
    assert source["added"] == 2 and source["failed"] == 0
    assert sorted(Path(s["path"]).name for s in source["skipped"]) == [f"scan-{n}.pdf" for n in range(6)]
    assert {s["reason"] for s in source["skipped"]} == {"unsupported"}

    (notes / "Minimal Theme.md").write_text("# Minimal Theme\nchanged")
    assert main(["--home", str(home), "index"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("6 skipped: 6 unsupported")
    assert out[1:] == [f"  6 unsupported files not indexed, e.g. {notes / 'scan-0.pdf'}, {notes / 'scan-1.pdf'}, "
                       f"{notes / 'scan-2.pdf'} (`pocketmind index --json` lists all)"]


def _telegram_export_with_photos(folder: Path) -> Path:
    """The real Telegram export, one photo beside it and one photo path planted to climb out."""
    folder.mkdir(parents=True)
    data = json.loads((TELEGRAM / "langchain_personal_chat_result.json").read_text())
    data["messages"][0]["photo"] = "../" * 20 + "etc/hostname"
    data["messages"][1]["photo"] = "photos/photo_1.jpg"
    (folder / "photos").mkdir()
    shutil.copy(next((CORPUS / "photos").rglob("*.jpg")), folder / "photos" / "photo_1.jpg")
    export = folder / "result.json"
    export.write_text(json.dumps(data))
    return export


def test_a_telegram_photo_path_outside_the_source_is_dropped_with_a_note(tmp_path, warm_models):
    export = _telegram_export_with_photos(tmp_path / "telegram")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("messages", tmp_path / "telegram", name="tg")
        [run] = engine.index()
        assert run.failed == 0 and run.added == 6  # 4 messages and their 2 photos
        stored = [a for doc in engine.store.documents_of_kind("photo") for a in doc["attachments"]]
        stored += [a for doc in engine.store.documents_of_kind("message") for a in doc["attachments"]]
    paths = {a["path"] for a in stored}
    assert paths == {None, str(tmp_path / "telegram" / "photos" / "photo_1.jpg")}
    assert run.warnings == [f"{export}: 1 attachment path leads outside the source, dropped: /etc/hostname"]


def test_links_leading_outside_a_source_are_followed_only_when_the_user_opts_in(tmp_path, warm_models, capsys):
    outside = tmp_path / "outside"
    (outside / "diary").mkdir(parents=True)
    (outside / "secret.md").write_text("# Secret\nThe pin of the garage door is zebracorn 4711.\n")
    (outside / "diary" / "day.md").write_text("# Day\nWe walked to the quokkafalls today.\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(OBSIDIAN / "Minimal Theme.md", notes / "Minimal Theme.md")
    (notes / "secret.md").symlink_to(outside / "secret.md")
    (notes / "diary").symlink_to(outside / "diary")
    (notes / "Theme again.md").symlink_to(notes / "Minimal Theme.md")  # a link inside the source is fine
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "add", "notes", str(notes), "--name", "plain"]) == 0
    [source] = _index_json(tmp_path / "home", capsys)["sources"]
    assert source["added"] == 2  # the note and the link to it
    assert {(Path(s["path"]).name, s["reason"]) for s in source["skipped"]} == {
        ("secret.md", "outside the source"), ("diary", "outside the source")}
    assert main([*home, "search", "zebracorn quokkafalls", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert not any("zebracorn" in r["snippet"] or "quokkafalls" in r["snippet"] for r in results)

    assert main([*home, "forget", "plain"]) == 0
    assert main([*home, "add", "notes", str(notes), "--name", "linked", "--follow-links"]) == 0
    capsys.readouterr()
    assert main([*home, "sources", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"][0]["options"] == {"follow_links": True}
    [source] = _index_json(tmp_path / "home", capsys)["sources"]
    assert source["added"] == 4 and source["skipped"] == []
    assert main([*home, "search", "zebracorn", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["id"] == "linked:secret.md"
    assert main([*home, "search", "quokkafalls", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["id"] == "linked:diary/day.md"


def test_photo_sidecars_are_not_called_unsupported(tmp_path, warm_models):
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(CORPUS / "photos" / "jpeg" / "exiftool_iphone7_gps.jpg", photos / "holiday.jpg")
    shutil.copy(CORPUS / "photos" / "google_takeout_json" / "gpth_791e169d.jpg.json", photos / "holiday.jpg.json")
    shutil.copy(CORPUS / "photos" / "xmp_sidecar" / "exiftool_sidecar.xmp", photos / "holiday.xmp")
    shutil.copy(CORPUS / "photos" / "xmp_sidecar" / "exiftool_sidecar.xmp", photos / "lost.xmp")  # no image beside it
    (photos / "readme.txt").write_text("exported with love\n")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("photos", photos, name="photos")
        [run] = engine.index()
    assert run.added == 1 and run.failed == 0
    assert [(Path(s["path"]).name, s["reason"]) for s in run.skipped] == [("lost.xmp", "unsupported"), ("readme.txt", "unsupported")]


def test_a_whatsapp_attachment_climbing_out_of_the_export_is_never_read(tmp_path, warm_models):
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "secret.jpg"
    shutil.copy(CORPUS / "photos" / "jpeg" / "exiftool_iptc_caption_keywords.jpg", secret)
    chats = tmp_path / "chats"
    chats.mkdir()
    chat = chats / "WhatsApp Chat with Example.txt"
    text = (WHATSAPP / "pustur_ios_chat_from_zip.txt").read_text(encoding="utf-8")
    chat.write_text(text.replace("<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>", "<attached: ../outside/secret.jpg>"),
                    encoding="utf-8")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("messages", chats, name="chats")
        [run] = engine.index()
        photos = engine.store.documents_of_kind("photo")
        attached = [a for doc in engine.store.documents_of_kind("message") for a in doc["attachments"] if a["name"].endswith("secret.jpg")]
    assert run.failed == 0 and run.added > 30
    assert photos == []  # the image outside was not opened, so no photo document describes it
    assert [a["path"] for a in attached] == [None]
    assert run.warnings == [f"{chat}: 1 attachment path leads outside the source, dropped: {secret}"]


def test_a_link_the_daemon_sees_appear_is_held_to_the_same_rule(tmp_path, warm_models):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\nzebracorn\n")
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(OBSIDIAN / "Minimal Theme.md", notes / "Minimal Theme.md")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("notes", notes, name="notes")
        engine.index()
        (notes / "secret.md").symlink_to(outside / "secret.md")
        (notes / "empty.md").write_text("")
        run = engine.apply_changes("notes", [notes / "secret.md", notes / "empty.md"])  # what the watcher hands over
        assert engine.store.count_from_origin("notes", "secret.md") == 0
    assert run.added == 0
    assert [(Path(s["path"]).name, s["reason"]) for s in run.skipped] == [("empty.md", "empty"), ("secret.md", "outside the source")]


def test_a_named_pipe_is_reported_and_never_opened(tmp_path):
    chats = tmp_path / "chats"
    chats.mkdir()
    os.mkfifo(chats / "WhatsApp Chat with Pipe.txt")  # opening it would wait for a writer forever
    home = str(tmp_path / "home")
    assert main(["--home", home, "add", "messages", str(chats), "--name", "chats"]) == 0
    done = subprocess.run([sys.executable, "-m", "pocketmind.cli", "--home", home, "index", "--json"],
                          capture_output=True, text=True, timeout=120)
    [source] = json.loads(done.stdout)["sources"]
    assert source["skipped"] == [{"path": str(chats / "WhatsApp Chat with Pipe.txt"), "reason": "unreadable",
                                  "problem": "unreadable: not a regular file"}]


def test_an_emptied_note_is_reported_and_its_old_text_is_gone(tmp_path, warm_models):
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(OBSIDIAN / "Minimal Theme.md", notes / "Minimal Theme.md")
    shutil.copy(OBSIDIAN / "2023 Japan Trip.md", notes / "Trip.md")
    with Engine(home=tmp_path / "home") as engine:
        engine.add_source("notes", notes, name="notes")
        assert engine.index()[0].added == 2
        (notes / "Trip.md").write_text("\n")
        [run] = engine.index()
        assert engine.store.count_from_origin("notes", "Trip.md") == 0
        assert engine.store.count_from_origin("notes", "Minimal Theme.md") == 1
    assert (run.deleted, run.failed, run.errors) == (1, 1, [f"{notes / 'Trip.md'}: empty file"])
