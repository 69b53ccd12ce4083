"""A generated corpus of hostile input files, one or more per problem of issue 17.

:func:`build` writes it under a folder: three sources (``messages``, ``notes``,
``calendar``; images are fuzzed in tests/fuzz) plus an ``outside`` folder
holding a secret that no hostile file may bring into the index. Each file comes with what the indexing run must make of it: its
content indexed (a token found in the store), one error line naming it, or
either of the two.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SECRET = "OUTSIDE-SECRET-7f3a9c"  # lives outside every source; must never be indexed
CHAT_LINE = "12/03/2024, 10:15 - Anna: {text}\n"
BOMB_BYTES = 1 << 30  # the chat member of the zip bomb inflates to 1 GB
HUGE_LINE_BYTES = 50 * 1024 * 1024
DEEP_LEVELS = 100_000

CONTENT, ERROR, EITHER = "content", "error", "content or error"


@dataclass
class Hostile:
    source: str  # the source (and folder) it is in
    name: str  # path within the source
    item: str  # what it tests: the item number or the attack's name
    expect: str  # CONTENT, ERROR or EITHER
    token: str | None = None  # a word of its content, findable when it is indexed
    mode: int | None = None  # permissions to set last (unreadable files and folders)


@dataclass
class HostileCorpus:
    root: Path
    sources: dict[str, tuple[str, Path]]  # name -> (kind, folder)
    files: list[Hostile] = field(default_factory=list)
    outside: Path | None = None

    def add(self, hostile: Hostile, data: bytes | None = None) -> Path:
        path = self.sources[hostile.source][1] / hostile.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        self.files.append(hostile)
        return path

    def lock(self) -> None:
        """Apply the permission modes last, once everything is written."""
        for hostile in self.files:
            if hostile.mode is not None:
                target = self.sources[hostile.source][1] / hostile.name.split("/")[0]
                os.chmod(target, hostile.mode)


def chat(*texts: str) -> bytes:
    return "".join(CHAT_LINE.format(text=t) for t in texts).encode()


def build(root: Path) -> HostileCorpus:
    corpus = HostileCorpus(root, {
        "messages": ("messages", root / "messages"),
        "notes": ("notes", root / "notes"),
        "calendar": ("calendar", root / "calendar"),
    })
    for _, folder in corpus.sources.values():
        folder.mkdir(parents=True)
    outside = corpus.outside = root / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"# Secret\n{SECRET}\n")
    (outside / "secret.txt").write_text(SECRET + "\n")
    _messages(corpus)
    _notes(corpus)
    _calendar(corpus)
    return corpus


def _messages(c: HostileCorpus) -> None:
    c.add(Hostile("messages", "good.txt", "control", CONTENT, "harmlesscontrolword"), chat("harmlesscontrolword here"))
    c.add(Hostile("messages", "bomb.zip", "2: zip bomb, a 1 GB chat member", ERROR), None)
    _zip_bomb(c.sources["messages"][1] / "bomb.zip")
    c.add(Hostile("messages", "slip.zip", "zip-slip member name", CONTENT, "zipslipword"), _zip({
        "_chat.txt": chat("zipslipword in the chat"), "../../../../escaped.txt": b"escaped", "/tmp/absolute.txt": b"x"}))
    c.add(Hostile("messages", "locked.txt", "9: unreadable chat .txt", ERROR, mode=0), chat("lockedword"))
    c.add(Hostile("messages", "lockeddir/chat.txt", "9: unreadable subfolder", ERROR, mode=0), chat("lockeddirword"))
    c.add(Hostile("messages", "list.json", "9: Telegram JSON that is a list", ERROR), json.dumps(
        [{"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "from": "Anna", "text": "listword"}]).encode())
    for suffix in ("zip", "xml", "json", "txt"):
        data = _zip({}) if suffix == "zip" else b""
        c.add(Hostile("messages", f"empty.{suffix}", f"9: empty .{suffix}", ERROR), data)
    c.add(Hostile("messages", "nodate.json", "9: KeyError 'date' (channel post without a date)", ERROR), json.dumps(
        [{"message.id": 1, "sender_id": 5, "text": "nodateword"}]).encode())
    c.add(Hostile("messages", "baddate.json", "9: a message whose date is not a date", EITHER, "baddateword"), json.dumps({
        "name": "Chat", "type": "personal_chat", "id": 7, "messages": [
            {"id": 1, "type": "message", "date": "yesterday", "from": "Anna", "text": "baddateword"}]}).encode())
    c.add(Hostile("messages", "photo-path.json", "10: Telegram photo path leading outside", CONTENT, "photopathword"),
          json.dumps({"name": "Chat", "type": "personal_chat", "id": 8, "messages": [
              {"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "date_unixtime": "1704103200",
               "from": "Anna", "text": "photopathword", "photo": "../outside/secret.txt"},
              {"id": 2, "type": "message", "date": "2024-01-01T10:01:00", "date_unixtime": "1704103260",
               "from": "Anna", "text": "hostnameword", "photo": "../../../../../../../../etc/hostname"}]}).encode())
    c.add(Hostile("messages", "badutf8.txt", "12: invalid UTF-8 in a WhatsApp chat", CONTENT, "validutf8word"),
          chat("validutf8word before") + b"12/03/2024, 10:16 - Anna: broken \xff\xfe here\n" + chat("after"))
    c.add(Hostile("messages", "escape-\x1b[31mred[/red].txt", "6/7: escapes and markup in a file name and text",
                  CONTENT, "escapenameword"), chat("escapenameword \x1b[2J\x1b]0;pwned\x07 [/red] [bold]x"))
    c.add(Hostile("messages", "newline\nname.txt", "7: newline in a file name", CONTENT, "newlinenameword"),
          chat("newlinenameword"))
    secret_uri = (c.outside / "secret.txt").as_uri()
    c.add(Hostile("messages", "xxe.xml", "XXE entity reading a file outside", EITHER, "xxeword"), (
        f'<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY xxe SYSTEM "{secret_uri}">]>\n'
        '<smses count="1"><sms address="123" date="1704103200000" type="1" body="xxeword &xxe;" /></smses>').encode())
    lols = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    c.add(Hostile("messages", "laughs.xml", "billion laughs", EITHER), (
        f'<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY lol0 "lol">{lols}]>\n'
        '<smses count="1"><sms address="1" date="1704103200000" type="1" body="&lol9;" /></smses>').encode())
    c.add(Hostile("messages", "utf16.xml", "UTF-16 XML", CONTENT, "utfsixteenword"), (
        '<?xml version="1.0" encoding="UTF-16"?>\n<smses count="1">'
        '<sms address="123" date="1704103200000" type="1" body="utfsixteenword" /></smses>').encode("utf-16"))
    deep = '{"name": "Deep", "from": "x", "messages": ' + "[" * DEEP_LEVELS + "]" * DEEP_LEVELS + "}"
    c.add(Hostile("messages", "deep.json", "deep JSON nesting (100k levels)", ERROR), deep.encode())
    c.add(Hostile("messages", "nul.txt", "NUL bytes in a chat", EITHER, "nulbyteword"),
          chat("nulbyteword \x00\x00 after nul", "\x00"))


def _notes(c: HostileCorpus) -> None:
    c.add(Hostile("notes", "good.md", "control", CONTENT, "notecontrolword"), b"# Fine\nnotecontrolword\n")
    link = c.add(Hostile("notes", "link.md", "10: symlink to a file outside the source", ERROR))
    link.symlink_to(c.outside / "secret.md")
    c.add(Hostile("notes", "escape-\x1b[2J[/red].md", "6/7: escapes and markup", CONTENT, "noteescapeword"),
          "# \x1b[31mTitle[/red]\nnoteescapeword \x1b]0;title\x07\n".encode())
    c.add(Hostile("notes", "huge.txt", "a 50 MB single line", EITHER, "hugelineword"),
          b"hugelineword " + b"x" * HUGE_LINE_BYTES)
    c.add(Hostile("notes", "nul.md", "NUL bytes in a note", EITHER, "nulnoteword"), b"# N\nnulnoteword \x00\x00\x00 end\n")
    c.add(Hostile("notes", "empty.txt", "9: empty .txt", ERROR), b"")
    c.add(Hostile("notes", "locked.md", "9: unreadable note", ERROR, mode=0), b"# L\nlockednoteword\n")
    c.add(Hostile("notes", "private/inside.md", "9: unreadable subfolder", ERROR, mode=0), b"# P\nprivateword\n")
    c.add(Hostile("notes", "bomb.enex", "billion laughs in Evernote", EITHER), (
        '<?xml version="1.0"?>\n<!DOCTYPE en-export [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n'
        '<en-export><note><title>&d;</title><content>x</content></note></en-export>').encode())


def _calendar(c: HostileCorpus) -> None:
    c.add(Hostile("calendar", "secondly.ics", "1: RRULE FREQ=SECONDLY without an end", EITHER, "secondlyword"), (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\nBEGIN:VEVENT\r\nUID:every-second@hostile\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20240101T000000Z\r\nDTEND:20240101T000001Z\r\n"
        "RRULE:FREQ=SECONDLY\r\nSUMMARY:secondlyword\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode())
    c.add(Hostile("calendar", "zz-after.ics", "control: a calendar after the hostile one", CONTENT, "aftercalendarword"), (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\nBEGIN:VEVENT\r\nUID:after@hostile\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART:20240102T100000Z\r\nDTEND:20240102T110000Z\r\n"
        "SUMMARY:aftercalendarword\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode())


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 3, 12, 10, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _zip_bomb(path: Path) -> None:
    """A WhatsApp export zip whose ``_chat.txt`` inflates to 1 GB of chat lines (about 1 MB on disk)."""
    line = CHAT_LINE.format(text="bombword " + "a" * 40).encode()
    block = line * (1024 * 1024 // len(line) + 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(zipfile.ZipInfo("_chat.txt", (2024, 3, 12, 10, 0, 0)), "w", force_zip64=True) as member:
            written = 0
            while written < BOMB_BYTES:
                piece = block[: BOMB_BYTES - written]
                member.write(piece)
                written += len(piece)
