"""Every built-in parser with the real files it is fuzzed from and how to mutate them.

A target writes one hostile case into a folder (the file, and for photos
perhaps sidecars beside it) and returns the file to parse. The seeds are the
shared real corpus; SQLite databases are changed with SQL, images mostly in
their first bytes where the metadata lives.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from hypothesis import strategies as st
from PIL import Image

from conftest import REAL
from fuzz_mutations import (
    JSON_ODD_VALUES,
    by_suffix,
    mutated_bytes,
    mutated_json,
    mutated_text_file,
    mutated_xml,
    mutated_zip,
)
from pocketmind.indexers import builtin

IMAGE_METADATA_BYTES = 64 * 1024  # EXIF, XMP and IPTC sit at the head of a JPEG


@dataclass
class Target:
    indexer: str  # the indexer's ``name``
    seeds: list[str]  # globs under the real corpus
    make: Callable  # (draw, seed, others, folder) -> path to parse
    suffix: str | None = None  # the file's suffix when the seed's is not the one parsed

    def seed_files(self) -> list[Path]:
        found = sorted({p for pattern in self.seeds for p in REAL.glob(pattern) if p.is_file()})
        assert found, f"no seed files for {self.indexer}: {self.seeds}"
        return found


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def with_bytes(strategy: Callable) -> Callable:
    """A target that writes ``strategy(seed bytes, other seeds' bytes)`` under the seed's name."""
    def make(draw, seed: Path, others: list[bytes], folder: Path, name: str) -> Path:
        return write(folder, name, draw(strategy(seed.read_bytes(), others)))
    return make


def zip_with(member_mutation: Callable | None = None) -> Callable:
    def make(draw, seed: Path, others: list[bytes], folder: Path, name: str) -> Path:
        return write(folder, name, draw(mutated_zip(seed.read_bytes(), member_mutation)))
    return make


SQL_ODD_VALUES = st.one_of(
    st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(allow_nan=False),
    st.text(max_size=10), st.binary(max_size=40), st.sampled_from(["", "\x00", "x" * 100_000, "../../etc/hostname"]),
)


def sqlite_changes(draw, path: Path) -> None:
    """Odd values in random cells, or a table dropped, by SQL on a copy of the database."""
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        for _ in range(draw(st.integers(1, 4))):
            table = draw(st.sampled_from(tables))
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')]
            if draw(st.integers(0, 9)) == 0:
                connection.execute(f'DROP TABLE "{table}"')
                tables.remove(table)
                if not tables:
                    break
                continue
            column = draw(st.sampled_from(columns))
            every_row = draw(st.booleans())
            where = "" if every_row else f" WHERE rowid = (SELECT min(rowid) FROM \"{table}\")"
            connection.execute(f'UPDATE "{table}" SET "{column}" = ?{where}', (draw(SQL_ODD_VALUES),))
        connection.commit()
    except (sqlite3.IntegrityError, sqlite3.OperationalError):  # a constraint refused the value
        connection.rollback()
    finally:
        connection.close()


def database(draw, seed: Path, others: list[bytes], folder: Path, name: str) -> Path:
    path = folder / name
    if draw(st.integers(0, 3)) == 0:
        return write(folder, name, draw(mutated_bytes(seed.read_bytes())))
    shutil.copyfile(seed, path)
    sqlite_changes(draw, path)
    return path


EXIF_TAGS = [0x010E, 0x010F, 0x0110, 0x0132, 0x9003, 0x9004, 0x9286, 0x013B, 0x8298, 0xA434]


def generated_image(draw) -> bytes:
    """A tiny JPEG or PNG whose EXIF tags and text chunks hold values of odd types."""
    image = Image.new("RGB", (draw(st.integers(1, 8)), draw(st.integers(1, 8))))
    exif = Image.Exif()
    for tag in draw(st.lists(st.sampled_from(EXIF_TAGS), max_size=4)):
        exif[tag] = draw(st.one_of(st.text(max_size=30), st.integers(0, 2**31), st.binary(max_size=30),
                                   st.sampled_from(["0000:00:00 00:00:00", "2020:13:45 99:99:99", "\x00", "\x1b[31m"])))
    gps = exif.get_ifd(0x8825)
    for tag in draw(st.lists(st.integers(0, 6), max_size=4)):
        gps[tag] = draw(st.one_of(st.text(max_size=3), st.integers(0, 2**31),
                                  st.tuples(st.floats(0, 1e9), st.floats(0, 1e9), st.floats(0, 1e9))))
    out = io.BytesIO()
    try:
        image.save(out, format=draw(st.sampled_from(["JPEG", "PNG"])), exif=exif)
    except (TypeError, ValueError, OverflowError, KeyError, struct_error()):
        image.save(out, format="JPEG")  # PIL cannot write this EXIF: keep a plain image
    return out.getvalue()


def struct_error():
    import struct

    return struct.error


def photo(draw, seed: Path, others: list[bytes], folder: Path, name: str) -> Path:
    """An image with mutated metadata (or generated odd EXIF), maybe with mutated sidecars beside it."""
    if draw(st.integers(0, 3)) == 0:
        name = "generated.jpg"
        path = write(folder, name, generated_image(draw))
    else:
        path = write(folder, name, draw(mutated_bytes(seed.read_bytes(), others, window=IMAGE_METADATA_BYTES)))
    if draw(st.booleans()):
        takeout = draw(st.sampled_from(sorted((REAL / "photos" / "google_takeout_json").glob("*.json"))))
        write(folder, name + ".json", draw(mutated_json(takeout.read_bytes())))
    if draw(st.booleans()):
        sidecar = REAL / "photos" / "xmp_sidecar" / "exiftool_sidecar.xmp"
        write(folder, Path(name).stem + ".xmp", draw(mutated_xml(sidecar.read_bytes())))
    return path


TEXT = with_bytes(mutated_text_file)
JSON = with_bytes(mutated_json)
XML = with_bytes(mutated_xml)

TARGETS = [
    Target("whatsapp", ["messages/whatsapp/*.txt"], TEXT),
    Target("whatsapp", ["messages/whatsapp/*.zip"], zip_with(by_suffix)),
    Target("whatsapp", ["messages/whatsapp/*.db"], database),
    Target("telegram", ["messages/telegram/*.json"], JSON),
    Target("telegram", ["messages/telegram/*.html"], TEXT),
    Target("sms", ["messages/sms/sms*.xml", "messages/sms/*sms.xml"], XML),
    Target("imessage", ["messages/imessage/*.db"], database),
    Target("discord", ["messages/discord/*.json"], JSON),
    Target("slack", ["messages/slack/*.zip"], zip_with(by_suffix)),
    Target("instagram", ["messages/instagram/*.json"], JSON),
    Target("messenger", ["messages/facebook/*.json"], JSON),
    Target("signal", ["messages/signal/*.txt"], TEXT),
    Target("images", ["photos/jpeg/*.jpg", "photos/png/*.png", "photos/webp/*.webp", "photos/heic/*.heic"], photo),
    Target("ics", ["calendar/ics/*.ics"], TEXT),
    Target("holiday-cn-json", ["calendar/json/*.json"], JSON),
    Target("vcard", ["contacts/vcf/*.vcf"], TEXT),
    Target("jcard", ["contacts/jcard/*.json"], JSON),
    Target("xcard", ["contacts/xcard/*.xml"], XML),
    Target("markdown", ["notes/obsidian/langchain_vault/*.md", "notes/obsidian/kepano_vault/**/*.md"], TEXT),
    Target("org", ["notes/orgmode/*.org"], TEXT),
    Target("enex", ["notes/evernote/*.enex"], XML),
    Target("keep", ["notes/google_keep/*.json"], JSON),
    Target("text", ["messages/signal/*.txt", "notes/orgmode/orgmode_diary-file"], TEXT, suffix=".txt"),
    Target("textbundle", ["notes/textbundle/*.textpack", "notes/bear/*.bear2bk"], zip_with(by_suffix)),
    Target("tomboy", ["notes/tomboy/*.note"], XML),
    Target("siyuan", ["notes/siyuan/*.sy"], JSON),
]


def indexer_named(name: str):
    for indexer in builtin.all_indexers():
        if indexer.name == name:
            return indexer
    raise LookupError(f"no built-in indexer named {name!r}")


def untargeted_indexers() -> set[str]:
    """Built-in indexers no target fuzzes (should be none)."""
    return {i.name for i in builtin.all_indexers()} - {t.indexer for t in TARGETS}
