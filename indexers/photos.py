"""Photos: one document per image (JPEG, HEIC/HEIF, PNG, WebP, TIFF).

Captions, titles, photographer, keywords, capture time, GPS and people are read from every
block that may hold them (see :mod:`indexers.photo_meta`), then one value per
field is chosen by the precedence below. It follows the Metadata Working Group
guidance, simplified (no IPTC digest check): XMP before EXIF before IPTC-IIM,
and sidecar files (Google Takeout JSON, then an XMP sidecar) before anything
embedded, because they are what the user edited last. Camera-default junk
("OLYMPUS DIGITAL CAMERA", a Model string...) never counts as a caption.

GPS positions are named offline with :mod:`indexers.gazetteer`. A photo with no
caption gets ``metadata["has_caption"] = False`` so the engine can caption it
with a local vision model later.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any, Callable, Iterator

from PIL import Image, UnidentifiedImageError
from pillow_heif import register_heif_opener

from pocketmind.documents import Document
from pocketmind.errors import ParseError

from .base import relative_id
from .gazetteer import reverse_geocode
from .photo_meta import (
    Candidate,
    is_junk_caption,
    is_placeholder_creator,
    read_exif,
    read_iptc,
    read_png_text,
    read_takeout_json,
    read_xmp,
    read_xmp_sidecar,
)

register_heif_opener()

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".png", ".webp", ".tif", ".tiff"}

# Precedence per field, first wins. Sources not listed rank after those listed.
# Descriptions inside the file follow the Metadata Working Group's reading rule (as exiftool's
# MWG module does): EXIF ImageDescription, then IPTC Caption-Abstract while the IPTC is in sync
# with the XMP (no IPTCDigest, or a matching one), then XMP dc:description; an IPTC block whose
# digest no longer matches ranks after the XMP. Google Photos' JSON and an XMP sidecar are edits
# made outside the file, later than it, so they come first.
DESCRIPTION_ORDER = [
    "Takeout description", "XMP sidecar dc:description", "EXIF ImageDescription",
    "IPTC Caption-Abstract", "XMP dc:description", "EXIF UserComment",
    "EXIF XPComment", "EXIF XPSubject", "PNG Description", "PNG Comment",
]
DESCRIPTION_ORDER_IPTC_STALE = [s for s in DESCRIPTION_ORDER if s != "IPTC Caption-Abstract"]
DESCRIPTION_ORDER_IPTC_STALE.insert(DESCRIPTION_ORDER_IPTC_STALE.index("XMP dc:description") + 1, "IPTC Caption-Abstract")
TITLE_ORDER = ["Takeout title", "XMP sidecar dc:title", "XMP dc:title", "IPTC ObjectName",
               "EXIF XPTitle", "PNG Title"]
# The photographer, by the same MWG rule as descriptions (EXIF Artist, IPTC By-line, XMP dc:creator).
CREATOR_ORDER = ["XMP sidecar dc:creator", "EXIF Artist", "IPTC By-line", "XMP dc:creator"]
TIME_ORDER = [
    "Takeout photoTakenTime", "XMP sidecar exif:DateTimeOriginal", "EXIF DateTimeOriginal",
    "XMP exif:DateTimeOriginal", "XMP sidecar photoshop:DateCreated", "XMP photoshop:DateCreated",
    "IPTC DateCreated", "EXIF DateTimeDigitized", "XMP sidecar xmp:CreateDate", "XMP xmp:CreateDate",
    "EXIF DateTime",
]
GPS_ORDER = ["Takeout geoData", "Takeout geoDataExif", "XMP sidecar exif:GPS", "EXIF GPS", "XMP exif:GPS"]
CAMERA_ORDER = ["EXIF", "XMP sidecar", "XMP"]  # prefixes for make/model

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def date_in_words(when: datetime) -> str:
    """"Saturday 14 June 2008", independent of the process locale."""
    return f"{WEEKDAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]} {when.year}"


class PhotosIndexer:
    source_kind = "photos"
    name = "images"
    streams_input = True  # a photo is bytes, not text: Pillow bounds its decoding (DecompressionBombError)

    def accepts(self, path: Path) -> bool:
        # sidecars (.xmp, .json) are read alongside their image, never on their own
        return path.suffix.lower() in IMAGE_SUFFIXES

    def reads_beside(self, path: Path) -> bool:
        """Whether ``path`` is a sidecar read with an image beside it (so a run does not call it unsupported)."""
        if path.suffix.lower() not in (".json", ".xmp"):
            return False
        image = path.name[: -len(path.suffix)].removesuffix(".supplemental-metadata")  # "a.jpg" or "a"
        if Path(image).suffix.lower() in IMAGE_SUFFIXES:
            return path.with_name(image).is_file()
        return any(path.with_name(image + s).is_file() for suffix in IMAGE_SUFFIXES for s in (suffix, suffix.upper()))

    def parse(self, path: Path, root: Path) -> Iterator[Document]:
        yield read_photo(path, root)


def read_photo(path: Path, root: Path) -> Document:
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise ParseError(path, f"not a readable image: {error}") from error
    with image:
        size = image.size  # before draft mode shrinks it
        warnings: list[str] = []
        candidates = _embedded_candidates(image, warnings)
        candidates = _sidecar_candidates(path, warnings) + candidates
        return _build_document(path, root, image.format, size, candidates, warnings)


def image_caption(source: Path | IO[bytes]) -> str | None:
    """The caption (title and description) an image file carries, or None.

    For photos inside other exports (a chat zip, media beside a chat), where
    the image is not a document of its own source but its caption should be
    searchable with the message that shared it.
    """
    try:
        image = Image.open(source)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    with image:
        warnings: list[str] = []
        candidates = _embedded_candidates(image, warnings)
    make, model = _first_of(candidates, "make"), _first_of(candidates, "model")

    def caption_ok(text: str) -> bool:
        return bool(text) and not is_junk_caption(text, make, model)

    description = _pick(candidates, "description", _description_order(candidates), caption_ok)
    parts = [_pick(candidates, "title", TITLE_ORDER, caption_ok),
             _fuller_description(candidates, description, caption_ok) or description]
    text = "\n".join(dict.fromkeys(c.value for c in parts if c))
    return text or None


def _collect(reader: Callable[[], list[Candidate]], what: str, warnings: list[str]) -> list[Candidate]:
    """Run one metadata reader; a broken block becomes a warning, not a lost photo."""
    try:
        return reader()
    except Exception as error:  # noqa: BLE001 - any malformed block must not stop the photo
        warnings.append(f"{what}: {type(error).__name__}: {error}")
        return []


def _embedded_candidates(image: Image.Image, warnings: list[str]) -> list[Candidate]:
    _check_pixels(image, warnings)
    found = _collect(lambda: read_exif(image), "EXIF", warnings)
    found += _collect(lambda: read_iptc(image), "IPTC", warnings)
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not xmp and hasattr(image, "tag_v2"):  # TIFF keeps XMP in tag 700
        xmp = image.tag_v2.get(700)
    if xmp:
        found += _collect(lambda: read_xmp(xmp), "XMP", warnings)
    found += _collect(lambda: read_png_text(image), "PNG text", warnings)
    return found


def _check_pixels(image: Image.Image, warnings: list[str]) -> None:
    """Decode the pixels cheaply to notice truncated files (and load PNG text after IDAT).

    JPEGs decode at 1/8 scale (draft mode); HEIF decoding is slow and its
    metadata is already read from the container, so it is not decoded here.
    """
    if image.format in ("HEIF", "AVIF"):
        return
    try:
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        warnings.append(f"image data: {error}")


def _sidecar_candidates(path: Path, warnings: list[str]) -> list[Candidate]:
    found: list[Candidate] = []
    for json_path in _existing(path, [path.name + ".json", path.name + ".supplemental-metadata.json",
                                      path.stem + ".json"]):
        found += _collect(lambda: read_takeout_json(json_path, path.name), json_path.name, warnings)
        break
    for xmp_path in _existing(path, [path.name + ".xmp", path.name + ".XMP", path.stem + ".xmp",
                                     path.stem + ".XMP"]):
        found += _collect(lambda: read_xmp_sidecar(xmp_path), xmp_path.name, warnings)
        break
    return found


def _existing(path: Path, names: list[str]) -> list[Path]:
    return [path.with_name(n) for n in dict.fromkeys(names) if path.with_name(n).is_file()]


def _rank(order: list[str]) -> Callable[[Candidate], int]:
    return lambda c: order.index(c.source) if c.source in order else len(order)


def _description_order(candidates: list[Candidate]) -> list[str]:
    stale = any(c.field == "iptc_out_of_sync" for c in candidates)
    return DESCRIPTION_ORDER_IPTC_STALE if stale else DESCRIPTION_ORDER


def _pick(candidates: list[Candidate], field: str, order: list[str],
          usable: Callable[[Any], bool] = bool) -> Candidate | None:
    ranked = sorted((c for c in candidates if c.field == field), key=_rank(order))
    return next((c for c in ranked if usable(c.value)), None)


def _fuller_description(candidates: list[Candidate], chosen: Candidate | None,
                        usable: Callable[[Any], bool]) -> Candidate | None:
    """A lower-ranked description that holds the chosen one and says more, the longest such.

    Windows writes a long XPComment beside a short ImageDescription ("Der Goalie bin ig" and
    "Der Goalie bin ig, Film von Sabine Boss ..., 100 Min."): the rule's pick alone loses the
    film's details, and keeping both would say the title twice.
    """
    if chosen is None:
        return None
    short = _comparable(chosen.value)
    fuller = [c for c in candidates
              if c.field == "description" and usable(c.value) and len(_comparable(c.value)) > len(short)
              and short in _comparable(c.value)]
    return max(fuller, key=lambda c: len(c.value), default=None)


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def _first_of(candidates: list[Candidate], field: str) -> str | None:
    for prefix in CAMERA_ORDER:
        for c in candidates:
            if c.field == field and c.source.startswith(prefix + " ") and c.value:
                return c.value
    return None


def _merge_list(candidates: list[Candidate], field: str) -> list[str]:
    """Keywords/people from every source, sidecars first, without case-duplicates."""
    seen: dict[str, str] = {}
    for c in candidates:
        if c.field == field:
            for item in c.value:
                seen.setdefault(item.casefold(), item)
    return list(seen.values())


def _capture_time(candidates: list[Candidate]) -> tuple[datetime | None, str | None]:
    chosen = _pick(candidates, "time", TIME_ORDER)
    if chosen is None:
        return None, None
    when, source = chosen.value, chosen.source
    if (when.hour, when.minute, when.second) == (0, 0, 0):
        # a date-only value (XMP photoshop:DateCreated "2006-10-29"): take the clock
        # time from a lower-ranked source of the same day (IPTC TimeCreated) if any
        for other in sorted(candidates, key=_rank(TIME_ORDER)):
            if other.field == "time" and other.value.date() == when.date() and other.value.time() != when.time():
                when, source = other.value, other.source
                break
    if when.tzinfo is None:
        # EXIF without OffsetTime*: XMP often holds the same local time with its offset
        for other in candidates:
            if other.field == "time" and other.value.tzinfo and other.value.replace(tzinfo=None) == when:
                return other.value, f"{source} (offset from {other.source})"
    return when, source


def _build_document(path: Path, root: Path, image_format: str | None, size: tuple[int, int],
                    candidates: list[Candidate], warnings: list[str]) -> Document:
    make, model = _first_of(candidates, "make"), _first_of(candidates, "model")

    def caption_ok(text: str) -> bool:
        return bool(text) and not is_junk_caption(text, make, model)

    description = _pick(candidates, "description", _description_order(candidates), caption_ok)
    fuller = _fuller_description(candidates, description, caption_ok)
    title = _pick(candidates, "title", TITLE_ORDER, caption_ok)
    creator = _pick(candidates, "creator", CREATOR_ORDER, lambda name: not is_placeholder_creator(name))
    keywords = _merge_list(candidates, "keywords")
    people = _merge_list(candidates, "people")
    when, time_source = _capture_time(candidates)
    gps = _pick(candidates, "gps", GPS_ORDER)
    place = reverse_geocode(*gps.value) if gps else None
    location = _pick(candidates, "location", [])

    metadata: dict[str, Any] = {
        "format": image_format, "width": size[0], "height": size[1],
        "camera_make": make, "camera_model": model, "keywords": keywords,
        "has_caption": bool(description or title),
        "caption_source": description.source if description else None,
        **({"caption_extended_by": fuller.source} if fuller else {}),
        "title_source": title.source if title else None,
        "creator_source": creator.source if creator else None,
        "time_source": time_source, "warnings": warnings,
    }
    if gps:
        metadata.update(lat=round(gps.value[0], 6), lon=round(gps.value[1], 6), gps_source=gps.source)
    if place:
        metadata.update(city=place.city, region=place.region, country=place.country,
                        country_code=place.country_code, place_distance_km=place.distance_km)
    if location:
        metadata["iptc_location"] = location.value

    text_lines = _text_lines(path, title, fuller or description, keywords, place.label if place else None,
                             location.value if location else None, when, people, make, model,
                             creator.value if creator else None)
    return Document(
        native_id=relative_id(path, root), kind="photo", text="\n".join(text_lines),
        title=title.value if title else path.name, uri=path.resolve().as_uri(),
        occurred_at=when, author=creator.value if creator else None, people=people,
        place=place.label if place else None, tags=keywords, metadata=metadata,
    )


def _text_lines(path: Path, title: Candidate | None, description: Candidate | None,
                keywords: list[str], place: str | None, location: str | None,
                when: datetime | None, people: list[str], make: str | None, model: str | None,
                creator: str | None = None) -> list[str]:
    lines = [title.value if title else f"Photo {path.name}"]
    if description and description.value != lines[0]:
        lines.append(description.value)
    if keywords:
        lines.append("Keywords: " + ", ".join(keywords))
    if place:
        lines.append(f"Place: {place}")
    if location and location != place:
        lines.append(f"Location: {location}")
    if when:
        # date-only sources (IPTC/XMP DateCreated) parse to midnight: no clock time then
        clock = f" at {when:%H:%M}" if (when.hour, when.minute, when.second) != (0, 0, 0) else ""
        lines.append(f"Taken on {date_in_words(when)}{clock}")
    if people:
        lines.append("People: " + ", ".join(people))
    if creator:
        lines.append(f"Photographer: {creator}")
    camera = " ".join(dict.fromkeys(v for v in (make, model) if v))
    if camera:
        lines.append(f"Camera: {camera}")
    if not title:
        lines.append(f"File: {path.name}")
    return lines
