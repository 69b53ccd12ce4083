"""LoCoMo conversations as the real exports a user would have.

Each conversation becomes a WhatsApp "Export chat" text file (Android style,
24-hour clock, one message per turn, timestamped at its session's date and
time plus one minute per turn so the order is kept). Turns that shared a
photo get a real JPEG written next to the export whose EXIF carries the
photo's caption (``blip_caption``) and time; the message names the file as
WhatsApp does (``IMG-... (file attached)``) with the turn's text following
as the message's next lines. Nothing from the questions,
answers or evidence is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

LOCOMO_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "locomo" / "dev"


@dataclass
class Turn:
    dia_id: str
    speaker: str
    text: str
    at: datetime
    photo_caption: str | None


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def session_time(text: str) -> datetime:
    """'1:56 pm on 8 May, 2023' -> datetime."""
    return datetime.strptime(re.sub(r"\s+", " ", text.strip()), "%I:%M %p on %d %B, %Y")


def turns(conv: dict) -> list[Turn]:
    out = []
    n = 1
    while f"session_{n}" in conv:
        start = session_time(conv[f"session_{n}_date_time"])
        for i, turn in enumerate(conv[f"session_{n}"]):
            out.append(Turn(turn["dia_id"], turn["speaker"], turn.get("text", ""), start + timedelta(minutes=i), turn.get("blip_caption")))
        n += 1
    return out


def last_session_time(conv: dict) -> datetime:
    n = 1
    while f"session_{n + 1}" in conv:
        n += 1
    return session_time(conv[f"session_{n}_date_time"]) + timedelta(minutes=len(conv[f"session_{n}"]) + 1)


def photo_name(turn: Turn) -> str:
    return f"IMG-{turn.at:%Y%m%d}-WA{turn.dia_id.replace('D', '').replace(':', '')}.jpg"


def write_whatsapp_export(conv: dict, folder: Path, with_photos: bool = True) -> tuple[Path, dict[str, Turn]]:
    """Write the export; return its path and the turns by (time, speaker, ordinal) for evidence mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    other = conv["speaker_b"]
    path = folder / f"WhatsApp Chat with {other}.txt"
    lines = []
    for turn in turns(conv):
        text = turn.text.replace("\r", "").strip() or "…"
        header = f"{turn.at:%d/%m/%Y, %H:%M} - {turn.speaker}: "
        if turn.photo_caption and with_photos:
            # As Android exports write a shared photo with a caption: the file
            # line, then the caption as the message's continuation lines.
            name = photo_name(turn)
            write_photo(folder / name, turn.photo_caption, turn.at)
            lines.append(f"{header}{name} (file attached)\n{text}")
        else:
            lines.append(f"{header}{text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, {t.dia_id: t for t in turns(conv)}


def write_photo(path: Path, caption: str, at: datetime) -> None:
    """A small real JPEG whose EXIF holds the caption and capture time."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (120, 140, 160))
    exif = Image.Exif()
    exif[0x010E] = caption  # ImageDescription
    exif[0x0132] = at.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = at.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    image.save(path, "JPEG", exif=exif, quality=70)
