"""Reading photo metadata from every place it lives, as ranked candidates.

Each reader looks at one metadata block (EXIF, IPTC-IIM, embedded XMP, an XMP
sidecar, a Google Takeout JSON sidecar, PNG text chunks) and returns
:class:`Candidate` values labelled with where they came from ("EXIF
ImageDescription", "XMP dc:description"...). :mod:`indexers.photos` then picks
one value per field by a documented precedence. A reader that trips over a
broken block raises; the caller turns that into a warning and keeps the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, IptcImagePlugin

from pocketmind.indexers import safe_xml as ET


@dataclass
class Candidate:
    field: str  # description | title | creator | keywords | time | gps | people | make | model | location
    value: Any
    source: str  # e.g. "EXIF ImageDescription"


# ---------------------------------------------------------------- junk captions

# Strings cameras and editors write by default; compared case-insensitively.
JUNK_CAPTIONS = {
    "olympus digital camera", "sony dsc", "dcim", "created with gimp", "default",
    "konica minolta digital camera", "minolta digital camera", "<unknown>", "unknown",
    "corel photo-paint", "exif_jpeg_picture", "digital camera", "camera", "image", "picture",
    "photo", "untitled", "sony digital camera", "kodak digital still camera",
    "samsung digital camera", "lg digital camera", "hp digital camera", "vivitar",
    "sanyo digital camera", "panasonic digital camera", "ascii", "jpeg", "description",
}
# Software stamps ("Created with GIMP", "CREATOR: gd-jpeg v1.0", "Processed with VSCO").
_SOFTWARE_STAMP = re.compile(r"^(creat(ed|or)|edited|processed|made|generated)\s*(with|by|:)", re.I)
# Camera file names used as titles: IMG_1234, DSC01234, DSCN0010, PXL_2021...
_FILE_NAME_LIKE = re.compile(r"^(img|dsc[nf]?|pict?|mvimg|pxl|p)[_-]?\d[\d_-]*(\.\w{3,4})?$", re.I)
_HASH_LIKE = re.compile(r"^[0-9a-f]{16,}$", re.I)


def is_junk_caption(text: str, make: str | None = None, model: str | None = None) -> bool:
    """True for camera defaults, vendor placeholders and other text that describes nothing."""
    cleaned = " ".join(text.split())
    folded = cleaned.casefold()
    if not cleaned or folded in JUNK_CAPTIONS:
        return True
    if any(v and folded == " ".join(v.split()).casefold() for v in (make, model)):
        return True
    if cleaned.startswith("<") and cleaned.endswith(">"):  # "<Digimax i50 MP3, Samsung #1 MP3>"
        return True
    if cleaned.upper() == cleaned and re.search(r"CAMERA|DSC|DIGITAL", cleaned):  # all-caps vendor text
        return True
    return bool(_SOFTWARE_STAMP.match(cleaned) or _FILE_NAME_LIKE.match(cleaned) or _HASH_LIKE.match(cleaned))


# ---------------------------------------------------------------- text helpers

# Template text left in a creator field ("CREDIT", "Author"): the field's own name, no person.
PLACEHOLDER_CREATORS = {"credit", "credits", "artist", "author", "creator", "by-line", "byline", "photographer",
                        "name", "unknown", "anonymous", "copyright", "your name"}


def is_placeholder_creator(text: str) -> bool:
    return " ".join(text.split()).casefold() in PLACEHOLDER_CREATORS | {""}


def clean_text(value: Any) -> str:
    """A metadata string without NULs and surrounding blanks; bytes are decoded."""
    if isinstance(value, bytes):
        value = decode_bytes(value)
    return str(value).replace("\x00", "").strip()


def decode_bytes(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def fix_mojibake(text: str) -> str:
    """UTF-8 written into an ASCII EXIF tag comes back from Pillow as Latin-1 mojibake."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def decode_user_comment(raw: bytes | str) -> str:
    """EXIF UserComment: an 8-byte charset header (ASCII, UNICODE, JIS or undefined) then text."""
    if isinstance(raw, str):
        return clean_text(raw)
    header, body = raw[:8], raw[8:]
    if header.startswith(b"UNICODE"):
        # byte order follows the TIFF header; guess it from where the zero bytes are
        big_endian = len(body) > 1 and body[0] == 0 and body[1] != 0
        text = body.decode("utf-16-be" if big_endian else "utf-16-le", errors="replace")
    elif header.startswith(b"JIS"):
        text = body.decode("shift_jis", errors="replace")
    elif header.startswith(b"ASCII") or not header.strip(b"\x00 "):
        text = decode_bytes(body)  # ASCII or undefined (eight NULs/blanks): in practice often UTF-8
    else:  # no charset header at all: some writers store bare text
        text = decode_bytes(raw)
    return clean_text(text)


def decode_xp(raw: Any) -> str:
    """Windows XPTitle/XPComment/...: UTF-16LE bytes (or a tuple of byte values)."""
    if isinstance(raw, (tuple, list)):
        raw = bytes(raw)
    if isinstance(raw, str):
        return clean_text(raw)
    return clean_text(raw.decode("utf-16-le", errors="replace"))


# ---------------------------------------------------------------- dates

_DATE = re.compile(
    r"^(\d{4})[-:](\d{2})[-:](\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?$"
)


def parse_offset(text: str | None) -> timezone | None:
    """"+02:00", "-0500", "+1:00", "Z" -> a fixed offset; anything else -> None."""
    if not text:
        return None
    text = text.strip()
    if text == "Z":
        return timezone.utc
    match = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", text)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    if minutes >= 24 * 60:
        return None
    return timezone(sign * timedelta(minutes=minutes))


def parse_datetime(text: Any, offset: str | None = None) -> datetime | None:
    """EXIF "2008:10:22 16:28:39" or XMP ISO forms; aware when an offset is known."""
    text = clean_text(text)
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:  # "0000:00:00 00:00:00" and friends
        return None
    tz = parse_offset(zone) or parse_offset(offset)
    return value.replace(tzinfo=tz) if tz else value


# ---------------------------------------------------------------- GPS

def dms_to_degrees(dms: Any, ref: Any) -> float:
    """EXIF (deg, min, sec) rationals plus N/S/E/W -> signed decimal degrees."""
    if isinstance(dms, (tuple, list)):
        parts = [float(x) for x in dms] + [0.0, 0.0]
        degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    else:
        degrees = float(dms)
    ref = clean_text(ref).upper()
    return -degrees if ref in ("S", "W") else degrees


def xmp_gps(text: str) -> float | None:
    """XMP GPS coordinate "43,28.0469N" or "43,28,2.8N" -> signed degrees."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?([NSEW])\s*", text)
    if not match:
        return None
    degrees = float(match.group(1)) + float(match.group(2)) / 60 + float(match.group(3) or 0) / 3600
    return -degrees if match.group(4) in "SW" else degrees


def valid_gps(lat: float, lon: float) -> bool:
    """(0, 0) is what unset GPS fields and Takeout's zeroed geoData say: no position."""
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


# ---------------------------------------------------------------- EXIF

def read_exif(image: Image.Image) -> list[Candidate]:
    exif = image.getexif()
    ifd0 = {ExifTags.TAGS.get(k, k): v for k, v in exif.items()}
    sub = {ExifTags.TAGS.get(k, k): v for k, v in exif.get_ifd(ExifTags.IFD.Exif).items()}
    found: list[Candidate] = []
    for tag in ("Make", "Model"):
        if clean_text(ifd0.get(tag, "")):
            found.append(Candidate(tag.lower(), fix_mojibake(clean_text(ifd0[tag])), f"EXIF {tag}"))
    if isinstance(ifd0.get("ImageDescription"), str):
        found.append(Candidate("description", fix_mojibake(clean_text(ifd0["ImageDescription"])),
                               "EXIF ImageDescription"))
    if "UserComment" in sub:
        found.append(Candidate("description", decode_user_comment(sub["UserComment"]), "EXIF UserComment"))
    if clean_text(ifd0.get("Artist", "")):
        found.append(Candidate("creator", fix_mojibake(clean_text(ifd0["Artist"])), "EXIF Artist"))
    for tag, field in (("XPTitle", "title"), ("XPComment", "description"), ("XPSubject", "description")):
        if tag in ifd0:
            found.append(Candidate(field, decode_xp(ifd0[tag]), f"EXIF {tag}"))
    if "XPKeywords" in ifd0:
        keywords = [k.strip() for k in decode_xp(ifd0["XPKeywords"]).split(";") if k.strip()]
        found.append(Candidate("keywords", keywords, "EXIF XPKeywords"))
    # capture time: DateTimeOriginal, then CreateDate (DateTimeDigitized), then DateTime
    for tag, where, offset_tag in (("DateTimeOriginal", sub, "OffsetTimeOriginal"),
                                   ("DateTimeDigitized", sub, "OffsetTimeDigitized"),
                                   ("DateTime", ifd0, "OffsetTime")):
        offset = clean_text(sub.get(offset_tag) or sub.get("OffsetTime") or "")
        when = parse_datetime(where.get(tag, ""), offset)
        if when:
            found.append(Candidate("time", when, f"EXIF {tag}"))
    found.extend(_exif_gps(exif))
    return found


def _exif_gps(exif: Image.Exif) -> list[Candidate]:
    gps = {ExifTags.GPSTAGS.get(k, k): v for k, v in exif.get_ifd(ExifTags.IFD.GPSInfo).items()}
    if "GPSLatitude" not in gps or "GPSLongitude" not in gps:
        return []
    lat = dms_to_degrees(gps["GPSLatitude"], gps.get("GPSLatitudeRef", "N"))
    lon = dms_to_degrees(gps["GPSLongitude"], gps.get("GPSLongitudeRef", "E"))
    return [Candidate("gps", (lat, lon), "EXIF GPS")] if valid_gps(lat, lon) else []


# ---------------------------------------------------------------- IPTC-IIM

def iptc_in_sync(image: Image.Image) -> bool:
    """Whether the IPTC block may be trusted against XMP (MWG): it has no IPTCDigest (Photoshop
    resource 0x0425), or the digest is the MD5 of the IPTC block as it is now. A mismatch means
    a tool edited the IPTC without updating the XMP, or the reverse, and the XMP is newer."""
    resources = image.info.get("photoshop") if isinstance(image.info.get("photoshop"), dict) else {}
    digest, block = resources.get(0x0425), resources.get(0x0404)
    if not digest or not block:
        return True
    return hashlib.md5(block).digest() == bytes(digest)[:16]


def read_iptc(image: Image.Image) -> list[Candidate]:
    info = IptcImagePlugin.getiptcinfo(image) or {}
    utf8 = info.get((1, 90)) == b"\x1b%G"  # CodedCharacterSet escape for UTF-8

    def text(key: tuple[int, int]) -> list[str]:
        raw = info.get(key)
        values = raw if isinstance(raw, list) else [raw] if raw else []
        return [clean_text(v.decode("utf-8", "replace") if utf8 else decode_bytes(v)) for v in values]

    found = [Candidate("description", v, "IPTC Caption-Abstract") for v in text((2, 120))[:1]]
    if info and not iptc_in_sync(image):
        found.append(Candidate("iptc_out_of_sync", True, "IPTC digest"))
    found += [Candidate("title", v, "IPTC ObjectName") for v in text((2, 5))[:1]]
    found += [Candidate("creator", v, "IPTC By-line") for v in text((2, 80))[:1]]
    if text((2, 25)):
        found.append(Candidate("keywords", [k for k in text((2, 25)) if k], "IPTC Keywords"))
    date, clock = text((2, 55)), text((2, 60))
    if date and re.fullmatch(r"\d{8}", date[0]):
        stamp = f"{date[0][:4]}-{date[0][4:6]}-{date[0][6:]}"
        match = re.fullmatch(r"(\d{2})(\d{2})(\d{2})([+-]\d{4})?", clock[0]) if clock else None
        if match:
            stamp += f"T{match.group(1)}:{match.group(2)}:{match.group(3)}{match.group(4) or ''}"
        when = parse_datetime(stamp)
        if when:
            found.append(Candidate("time", when, "IPTC DateCreated"))
    location = [v for key in ((2, 90), (2, 95), (2, 101)) for v in text(key)[:1] if v]
    if location:
        found.append(Candidate("location", ", ".join(location), "IPTC City/State/Country"))
    return found


# ---------------------------------------------------------------- XMP

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def decode_xmp(raw: bytes | str) -> str:
    """An XMP packet as text: UTF-8, or UTF-16/32 (with or without a BOM) as XMP allows."""
    if isinstance(raw, str):
        return raw
    if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
        return raw.decode("utf-16")
    if len(raw) > 1 and raw[0] == 0 and raw[1] != 0:
        return raw.decode("utf-16-be", errors="replace")
    if len(raw) > 1 and raw[0] != 0 and raw[1] == 0:
        return raw.decode("utf-16-le", errors="replace")
    return raw.decode("utf-8", errors="replace")


def parse_xmp_tree(raw: bytes | str) -> ET.Element:
    text = decode_xmp(raw).replace("\x00", "")
    if re.search(r"<!(DOCTYPE|ENTITY)", text):  # no entity expansion games in metadata
        raise ValueError("XMP packet declares a DOCTYPE/ENTITY")
    start = text.find("<x:xmpmeta")
    if start < 0:
        start = text.find("<rdf:RDF")
    end_tag = "</x:xmpmeta>" if text.startswith("<x:xmpmeta", start) else "</rdf:RDF>"
    end = text.find(end_tag, start)
    if start < 0 or end < 0:
        raise ValueError("no x:xmpmeta or rdf:RDF element in the XMP packet")
    return ET.fromstring(text[start:end + len(end_tag)])


def _properties(root: ET.Element, qname: str) -> list[Any]:
    """All values of one property: attributes of rdf:Description or child elements."""
    prefix, local = qname.split(":")
    tag = f"{{{NS[prefix]}}}{local}"
    values: list[Any] = []
    for desc in root.iter(f"{{{NS['rdf']}}}Description"):
        if tag in desc.attrib:
            values.append(desc.attrib[tag])
        values.extend(desc.findall(tag))
    return values


def _alt_text(value: Any) -> str:
    """A lang-alt (rdf:Alt) value: the x-default item, else the first; or plain text."""
    if isinstance(value, str):
        return clean_text(value)
    items = value.findall(".//rdf:li", NS)
    if not items:
        return clean_text(value.text or "")
    chosen = next((li for li in items if li.get(XML_LANG) == "x-default"), items[0])
    return clean_text(chosen.text or "")


def _bag(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    items = value.findall(".//rdf:li", NS)
    return [clean_text(li.text or "") for li in items if clean_text(li.text or "")]


def read_xmp(raw: bytes | str, label: str = "XMP") -> list[Candidate]:
    root = parse_xmp_tree(raw)
    found: list[Candidate] = []
    for prop, field in (("dc:description", "description"), ("dc:title", "title")):
        for value in _properties(root, prop)[:1]:
            found.append(Candidate(field, _alt_text(value), f"{label} {prop}"))
    creators = [c for value in _properties(root, "dc:creator")[:1]
                for c in ([clean_text(value)] if isinstance(value, str) else _bag(value))]  # an rdf:Seq of names
    if creators:
        found.append(Candidate("creator", ", ".join(creators), f"{label} dc:creator"))
    keywords = [k for value in _properties(root, "dc:subject") for k in _bag(value)]
    if keywords:
        found.append(Candidate("keywords", keywords, f"{label} dc:subject"))
    for prop in ("exif:DateTimeOriginal", "photoshop:DateCreated", "xmp:CreateDate"):
        for value in _properties(root, prop)[:1]:
            when = parse_datetime(_alt_text(value))
            if when:
                found.append(Candidate("time", when, f"{label} {prop}"))
    for prop in ("tiff:Make", "tiff:Model"):
        for value in _properties(root, prop)[:1]:
            found.append(Candidate(prop.split(":")[1].lower(), _alt_text(value), f"{label} {prop}"))
    lat = [xmp_gps(_alt_text(v)) for v in _properties(root, "exif:GPSLatitude")[:1]]
    lon = [xmp_gps(_alt_text(v)) for v in _properties(root, "exif:GPSLongitude")[:1]]
    if lat and lon and lat[0] is not None and lon[0] is not None and valid_gps(lat[0], lon[0]):
        found.append(Candidate("gps", (lat[0], lon[0]), f"{label} exif:GPS"))
    people = _people_in_image(root)
    if people:
        found.append(Candidate("people", people, f"{label} people"))
    location = [_alt_text(v) for p in ("photoshop:City", "photoshop:State", "photoshop:Country")
                for v in _properties(root, p)[:1] if _alt_text(v)]
    if location:
        found.append(Candidate("location", ", ".join(location), f"{label} photoshop:City/State/Country"))
    return found


def _people_in_image(root: ET.Element) -> list[str]:
    """Names of tagged faces (MWG regions, e.g. Lightroom/Picasa) and IPTC PersonInImage."""
    names = [clean_text(v.text or "") for v in root.iter(f"{{{NS['mwg-rs']}}}Name") if clean_text(v.text or "")]
    for desc in root.iter(f"{{{NS['rdf']}}}Description"):
        name = desc.get(f"{{{NS['mwg-rs']}}}Name")
        if name and clean_text(name):
            names.append(clean_text(name))
    for value in _properties(root, "Iptc4xmpExt:PersonInImage"):
        names.extend(_bag(value))
    return names


def read_xmp_sidecar(path: Path) -> list[Candidate]:
    return read_xmp(path.read_bytes(), "XMP sidecar")


# ---------------------------------------------------------------- Google Takeout JSON

# Takeout's "title" is usually the uploaded file name, which is no title.
IMAGE_LIKE_SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".png", ".webp", ".tif", ".tiff",
                       ".gif", ".mp4", ".mov", ".dng"}


def read_takeout_json(path: Path, image_name: str) -> list[Candidate]:
    """A Google Photos Takeout sidecar: title, description, photoTakenTime, geoData, people."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found: list[Candidate] = []
    title = clean_text(data.get("title") or "")
    if title and title != image_name and Path(title).suffix.lower() not in IMAGE_LIKE_SUFFIXES:
        found.append(Candidate("title", title, "Takeout title"))
    found.append(Candidate("description", clean_text(data.get("description") or ""), "Takeout description"))
    stamp = (data.get("photoTakenTime") or {}).get("timestamp")
    if stamp and str(stamp).strip("-").isdigit() and int(stamp) > 0:
        found.append(Candidate("time", datetime.fromtimestamp(int(stamp), timezone.utc),
                               "Takeout photoTakenTime"))
    for key in ("geoData", "geoDataExif"):
        geo = data.get(key) or {}
        lat, lon = geo.get("latitude"), geo.get("longitude")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and valid_gps(lat, lon):
            found.append(Candidate("gps", (float(lat), float(lon)), f"Takeout {key}"))
    people = [clean_text(p.get("name") or "") for p in data.get("people") or [] if isinstance(p, dict)]
    if any(people):
        found.append(Candidate("people", [p for p in people if p], "Takeout people"))
    return found


# ---------------------------------------------------------------- PNG text chunks

def read_png_text(image: Image.Image) -> list[Candidate]:
    """PNG tEXt/iTXt keywords Title, Description and Comment (lowest-ranked captions)."""
    found: list[Candidate] = []
    for key, value in image.info.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        name = key.casefold()
        if name == "title":
            found.append(Candidate("title", clean_text(value), "PNG Title"))
        elif name in ("description", "comment"):
            found.append(Candidate("description", clean_text(value), f"PNG {key.capitalize()}"))
    return found
