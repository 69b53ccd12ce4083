"""Photos indexer on the real sample images and sidecars of the corpus."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from pocketmind.errors import ParseError
from pocketmind.indexers.base import Indexer
from pocketmind.indexers.photo_meta import (
    decode_user_comment,
    is_junk_caption,
    parse_datetime,
    read_exif,
)
from pocketmind.indexers.photos import PhotosIndexer, date_in_words, image_caption

INDEXER = PhotosIndexer()


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def photo(real: Path, rel: str):
    root = real / "photos"
    docs = list(INDEXER.parse(root / rel, root))
    assert len(docs) == 1
    return docs[0]


def test_protocol_and_accepts(tmp_path):
    assert isinstance(INDEXER, Indexer)
    assert (INDEXER.source_kind, INDEXER.name) == ("photos", "images")
    for name in ("a.jpg", "b.JPEG", "c.HEIC", "d.heif", "e.png", "f.WebP", "g.tif", "h.TIFF"):
        assert INDEXER.accepts(tmp_path / name), name
    for name in ("a.jpg.json", "a.xmp", "a.jpg.xmp", "track.gpx", "notes.txt", "clip.mp4"):
        assert not INDEXER.accepts(tmp_path / name), name


def test_every_corpus_image_parses(real):
    root = real / "photos"
    images = sorted(p for p in root.rglob("*") if INDEXER.accepts(p))
    assert len(images) == 22
    docs = [d for p in images for d in INDEXER.parse(p, root)]
    assert [d.native_id for d in docs] == [p.relative_to(root).as_posix() for p in images]
    assert all(d.kind == "photo" and d.text and d.metadata["warnings"] == [] for d in docs)
    assert docs[0].uri == (root / "heic/exifsamples_iphone11promax_gps.heic").resolve().as_uri()


def test_gps_nikon_italy(real):
    doc = photo(real, "jpeg/exifsamples_gps_nikon_p6000_1.jpg")
    m = doc.metadata
    assert (round(m["lat"], 4), round(m["lon"], 4)) == (43.4674, 11.8851)
    assert doc.place == "Arezzo, Tuscany, Italy"
    assert (m["city"], m["region"], m["country"], m["country_code"]) == ("Arezzo", "Tuscany", "Italy", "IT")
    assert doc.occurred_at == datetime(2008, 10, 22, 16, 28, 39)  # no offset in the file: naive
    assert m["time_source"] == "EXIF DateTimeOriginal"
    assert (m["camera_make"], m["camera_model"], m["width"], m["height"]) == ("NIKON", "COOLPIX P6000", 640, 480)
    # ImageDescription is 31 blanks and UserComment "ASCII" + blanks: no caption
    assert m["has_caption"] is False and m["caption_source"] is None
    assert doc.title == "exifsamples_gps_nikon_p6000_1.jpg"
    assert "Place: Arezzo, Tuscany, Italy" in doc.text
    assert "Taken on Wednesday 22 October 2008 at 16:28" in doc.text
    second = photo(real, "jpeg/exifsamples_gps_nikon_p6000_2.jpg")
    assert (round(second.metadata["lat"], 4), round(second.metadata["lon"], 4)) == (43.4682, 11.8802)
    assert second.place == "Arezzo, Tuscany, Italy"


@pytest.mark.parametrize(
    ("rel", "lat", "lon", "country", "city"),
    [
        ("jpeg/exifsamples_samsung_s7_gps_zero_length_string.jpg", 51.025, 7.5919, "Germany", "Gummersbach"),
        ("jpeg/exiftool_iphone7_gps.jpg", 53.3828, -1.4567, "United Kingdom", "Sheffield"),
        ("jpeg/exiftool_gps_caption.jpg", 54.9897, -1.9142, "United Kingdom", None),  # W ref, rural
        ("heic/exifsamples_iphone11promax_gps.heic", 39.0513, -94.2888, "United States", None),
    ],
)
def test_gps_positions_and_places(real, rel, lat, lon, country, city):
    m = photo(real, rel).metadata
    assert (round(m["lat"], 4), round(m["lon"], 4)) == (lat, lon)
    assert m["country"] == country
    if city:
        assert m["city"] == city


def test_heic_iphone_time_with_offset(real):
    doc = photo(real, "heic/exifsamples_iphone11promax_gps.heic")
    assert doc.occurred_at == datetime(2021, 4, 11, 15, 47, 53, tzinfo=tz(-5))
    assert doc.occurred_at.utcoffset() == timedelta(hours=-5)  # kept, not converted
    assert doc.metadata["time_source"] == "EXIF DateTimeOriginal"
    assert (doc.metadata["format"], doc.metadata["width"], doc.metadata["height"]) == ("HEIF", 2566, 3313)
    assert doc.metadata["region"] == "Missouri"
    assert "Camera: Apple iPhone 11 Pro Max" in doc.text


def test_minimal_heic_png_webp_parse(real):
    heic = photo(real, "heic/exiftool_quicktime_minimal.heic")
    assert (heic.metadata["width"], heic.metadata["height"], heic.occurred_at) == (1596, 1064, None)
    png = photo(real, "png/exiftool_png_text_chunks.png")
    assert png.metadata["caption_source"] == "PNG Comment"
    assert "test comment" in png.text and png.metadata["width"] == 16
    webp = photo(real, "webp/exiftool_riff.webp")
    assert webp.tags == ["test"] and webp.metadata["format"] == "WEBP"


def test_xmp_title_wins_and_agreeing_descriptions_read_from_exif(real):
    doc = photo(real, "jpeg/exifsamples_adobe_xmp_bluesquare.jpg")
    assert doc.title == "Blue Square Test File - .jpg"
    assert doc.metadata["title_source"] == "XMP dc:title"
    assert doc.metadata["caption_source"] == "EXIF ImageDescription"  # MWG: EXIF first; all three agree
    assert "XMPFiles BlueSquare test file, created in Photoshop CS2, saved as .psd, .jpg, and .tif." in doc.text
    assert doc.tags == ["XMP", "Blue Square", "test file", "Photoshop", ".jpg"]
    assert doc.occurred_at == datetime(2005, 9, 7, 15, 7, 40, tzinfo=tz(-7))
    assert doc.metadata["time_source"] == "XMP xmp:CreateDate"


def test_conflicting_descriptions_follow_the_mwg_rule_exif_first(real):
    # EXIF and IPTC say "A witty caption", the (UTF-16) XMP packet says otherwise, and the IPTC
    # digest no longer matches: exiftool's MWG Description is the EXIF one.
    doc = photo(real, "jpeg/exiftool_all_metadata_blocks.jpg")
    assert doc.metadata["caption_source"] == "EXIF ImageDescription"
    assert doc.text.splitlines()[:2] == ["Test IPTC picture", "A witty caption"]
    assert doc.tags == ["jambalaya", "ExifTool", "Test", "XMP"]
    assert doc.occurred_at == datetime(2001, 5, 19, 18, 36, 41)
    assert doc.metadata["iptc_location"] == "Kingston, Ont, Canada"


def test_exif_image_description_and_offset_from_xmp(real):
    doc = photo(real, "jpeg/exifsamples_canon_g9_imagedescription.jpg")
    assert "El cielo sobre Berlin (Heaven above Berlin)" in doc.text
    # EXIF has no OffsetTime; XMP exif:DateTimeOriginal says "+1:00" for the same clock time
    assert doc.occurred_at == datetime(2008, 5, 25, 19, 31, 26, tzinfo=tz(1))
    assert doc.metadata["time_source"] == "EXIF DateTimeOriginal (offset from XMP exif:DateTimeOriginal)"
    gps = photo(real, "jpeg/exiftool_gps_caption.jpg")
    assert gps.metadata["caption_source"] == "EXIF ImageDescription"
    assert gps.text.splitlines()[0] == "Communications"


def test_long_xmp_description(real):
    doc = photo(real, "jpeg/exifsamples_long_imagedescription_xmp.jpg")
    assert doc.metadata["caption_source"] == "EXIF ImageDescription"  # MWG: EXIF first (the XMP says the same)
    assert doc.text.splitlines()[1].startswith(
        "Operation Mountain Viper put the soldiers of A Company, 2nd Battalion 22nd Infantry Division")
    assert doc.occurred_at == datetime(2003, 8, 31)  # photoshop:DateCreated, date only
    assert "Taken on Sunday 31 August 2003\n" in doc.text + "\n"


def test_iptc_caption_keywords_and_title(real):
    doc = photo(real, "jpeg/exiftool_iptc_caption_keywords.jpg")
    assert doc.title == "Test IPTC picture" and doc.metadata["title_source"] == "IPTC ObjectName"
    assert doc.metadata["caption_source"] == "IPTC Caption-Abstract"
    assert "A witty caption" in doc.text
    assert doc.tags == ["ExifTool", "Test", "IPTC"] == doc.metadata["keywords"]
    assert doc.occurred_at == datetime(2004, 2, 26)


def test_iptc_time_with_offset_completes_date_only_xmp(real):
    doc = photo(real, "jpeg/exiftool_photomechanic_caption_keywords.jpg")
    assert doc.occurred_at == datetime(2006, 10, 29, 6, 27, 51, tzinfo=tz(-5))
    assert doc.metadata["time_source"] == "IPTC DateCreated"
    assert doc.title == "Object Name"
    assert doc.tags == ["Keywords", "one", "three", "two"]
    assert "Caption" in doc.text.splitlines()


def test_xmp_and_iptc_caption_without_camera_exif(real):
    doc = photo(real, "jpeg/exifsamples_xmp_iptc_caption_no_exif.jpg")
    assert doc.title == "Der Goalie bin ig"
    assert doc.metadata["caption_source"] == "EXIF ImageDescription"  # MWG: EXIF first (IPTC and XMP say the same)
    assert doc.tags == ["tag"]
    assert doc.occurred_at == datetime(2013, 9, 23, 10, 9, 46, tzinfo=tz(2))


def test_a_lower_ranked_description_that_says_more_is_kept(real):
    # EXIF ImageDescription (first by MWG) is "Der Goalie bin ig"; XPComment starts with it and
    # goes on with the director, cast, length and price: the fuller text is the caption, once.
    doc = photo(real, "jpeg/exifsamples_xmp_iptc_caption_no_exif.jpg")
    assert doc.metadata["caption_source"] == "EXIF ImageDescription"
    assert doc.metadata["caption_extended_by"] == "EXIF XPComment"
    assert doc.text.splitlines()[0] == "Der Goalie bin ig"  # the title
    assert ("Film von Sabine Boss mit Marcus Signer, Sonja Riesen, Pascal Ulli. Schweiz, 2014, 100 Min. "
            "Auch auf DVD (fr, en, de), ca. CHF 22.\u2013.") in doc.text
    assert doc.text.count("Sabine Boss") == 1
    assert image_caption(real / "photos/jpeg/exifsamples_xmp_iptc_caption_no_exif.jpg").count("Sabine Boss") == 1


def test_windows_xp_tags_are_utf16(real):
    path = real / "photos/jpeg/exifsamples_xmp_iptc_caption_no_exif.jpg"
    found = {c.source: c.value for c in read_exif(Image.open(path))}
    assert found["EXIF XPTitle"] == "Der Goalie bin ig"
    assert found["EXIF XPSubject"] == "Cinema"
    assert found["EXIF XPKeywords"] == ["tag"]
    assert found["EXIF XPComment"].startswith("Der Goalie bin ig, \u2028Film von Sabine Boss mit Marcus Signer")


def test_chinese_utf8_in_exif_xp_iptc_and_xmp(real):
    path = real / "photos/jpeg/pyexiv2_chinese_all_fields.jpg"
    found = {c.source: c.value for c in read_exif(Image.open(path))}
    assert found["EXIF ImageDescription"] == "test-中文-"  # raw UTF-8 in an ASCII tag, repaired
    assert found["EXIF XPTitle"] == "test-中文-"
    doc = photo(real, "jpeg/pyexiv2_chinese_all_fields.jpg")
    assert doc.title == 'test-中文-, lang="de-DE" Hallo, Welt'  # the x-default item, verbatim
    assert doc.tags == ["test-中文-", "tag1", "tag2", "tag3"]
    assert doc.metadata["camera_model"] == "test-中文-"
    # every description equals the Model string, so by rule none is a caption
    assert doc.metadata["caption_source"] is None
    assert doc.occurred_at == datetime(2019, 8, 12, 19, 44, 4, tzinfo=timezone.utc)


def test_user_comment_charset_header(real):
    path = real / "photos/jpeg/exifsamples_painttool_usercomment.jpg"
    raw = Image.open(path).getexif().get_ifd(0x8769)[0x9286]
    assert raw.startswith(b"ASCII\x00\x00\x00")
    assert decode_user_comment(raw) == "a5cb01550dbb9a6bf732f87e413f6e231cc4581e6a5be800fb0871dce0760cd5"
    assert decode_user_comment(b"UNICODE\x00" + "Sonnenuntergang".encode("utf-16-le")) == "Sonnenuntergang"
    assert decode_user_comment(b"JIS\x00\x00\x00\x00\x00" + "富士山".encode("shift_jis")) == "富士山"
    assert decode_user_comment(b"\x00" * 8 + b"  \x00") == ""
    # the hash-like comment is not shown as a caption
    assert photo(real, "jpeg/exifsamples_painttool_usercomment.jpg").metadata["has_caption"] is False


@pytest.mark.parametrize(
    "rel",
    ["jpeg/exifsamples_olympus_default_description.jpg", "jpeg/exifsamples_samsung_odd_description.jpg",
     "jpeg/exifsamples_canon_40d_makernotes.jpg"],
)
def test_camera_default_captions_rejected(real, rel):
    doc = photo(real, rel)
    assert doc.metadata["has_caption"] is False
    assert doc.title == Path(rel).name
    lines = doc.text.splitlines()
    assert lines[0] == f"Photo {Path(rel).name}"
    assert not {"OLYMPUS DIGITAL CAMERA", "<Digimax i50 MP3, Samsung #1 MP3>"} & set(lines)


def test_junk_caption_rules():
    for junk in ["OLYMPUS DIGITAL CAMERA         ", "SONY DSC", "DCIM", "Created with GIMP", "default",
                 "KONICA MINOLTA DIGITAL CAMERA", "   ", "<unknown>", "Corel PHOTO-PAINT", "IMG_1234",
                 "CREATOR: gd-jpeg v1.0 (using IJG JPEG v62)", "NIKON DIGITAL CAMERA"]:
        assert is_junk_caption(junk), junk
    assert is_junk_caption("COOLPIX P6000", "NIKON", "COOLPIX P6000")
    for caption in ["Communications", "Der Goalie bin ig", "Sunset over the DCIM building", "ROME 2008"]:
        assert not is_junk_caption(caption), caption


def test_dates():
    assert parse_datetime("2008:10:22 16:28:39", "+02:00") == datetime(2008, 10, 22, 16, 28, 39, tzinfo=tz(2))
    assert parse_datetime("2005-12-17T22:03:32Z") == datetime(2005, 12, 17, 22, 3, 32, tzinfo=timezone.utc)
    assert parse_datetime("0000:00:00 00:00:00") is None
    assert date_in_words(datetime(2008, 6, 14)) == "Saturday 14 June 2008"


def copy_image(real: Path, rel: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(real / "photos" / rel, dest)
    return dest


def test_takeout_json_sidecar(real, tmp_path):
    image = copy_image(real, "jpeg/exiftool_iphone7_gps.jpg", tmp_path / "gpth_046a025c.jpg")
    shutil.copy(real / "photos/google_takeout_json/gpth_046a025c.jpg.json", tmp_path)
    doc = next(INDEXER.parse(image, tmp_path))
    assert doc.native_id == "gpth_046a025c.jpg"
    assert doc.occurred_at == datetime(2016, 7, 15, 20, 29, 26, tzinfo=timezone.utc)
    assert doc.metadata["time_source"] == "Takeout photoTakenTime"
    assert doc.people == ["Sebastian"] and "People: Sebastian" in doc.text
    # the JSON title is the uploaded file name, its description empty, its geoData zero:
    assert doc.title == "gpth_046a025c.jpg"
    assert doc.metadata["gps_source"] == "EXIF GPS" and doc.metadata["city"] == "Sheffield"


def test_takeout_json_with_user_edits_overrides_embedded(real, tmp_path):
    image = copy_image(real, "jpeg/exiftool_gps_caption.jpg", tmp_path / "album" / "gpth_0d885360.jpg")
    data = json.loads((real / "photos/google_takeout_json/gpth_0d885360.jpg.json").read_text())
    data.update(title="Temple visit", description="Evening at the shrine",
                geoData={"latitude": 35.0116, "longitude": 135.7681, "altitude": 0.0})
    data["people"] = [{"name": "Aiko"}]
    (tmp_path / "album" / "gpth_0d885360.jpg.json").write_text(json.dumps(data))
    doc = next(INDEXER.parse(image, tmp_path))
    assert doc.native_id == "album/gpth_0d885360.jpg"
    assert (doc.title, doc.metadata["caption_source"]) == ("Temple visit", "Takeout description")
    assert "Evening at the shrine" in doc.text and "Communications" not in doc.text.splitlines()[:2]
    assert doc.place == "Kyoto, Japan" and doc.metadata["gps_source"] == "Takeout geoData"
    assert doc.occurred_at == datetime(2016, 8, 27, 12, 17, 11, tzinfo=timezone.utc)
    assert doc.people == ["Aiko"]
    assert "Place: Kyoto, Japan" in doc.text and "Taken on Saturday 27 August 2016 at 12:17" in doc.text


def test_takeout_json_without_image_is_not_a_document(real, tmp_path):
    shutil.copy(real / "photos/google_takeout_json/gpth_791e169d.jpg.json", tmp_path)
    assert [p for p in tmp_path.iterdir() if INDEXER.accepts(p)] == []


def test_xmp_sidecar_overrides_embedded(real, tmp_path):
    image = copy_image(real, "jpeg/exifsamples_canon_40d_makernotes.jpg", tmp_path / "IMG_0001.jpg")
    shutil.copy(real / "photos/xmp_sidecar/exiftool_sidecar.xmp", tmp_path / "IMG_0001.xmp")
    doc = next(INDEXER.parse(image, tmp_path))
    assert doc.occurred_at == datetime(2005, 6, 9, 20, 9, 27, tzinfo=tz(2))  # not EXIF's 2008-05-30
    assert doc.metadata["time_source"] == "XMP sidecar exif:DateTimeOriginal"
    assert doc.tags == ["test1", "&-&amp;-&"]  # entities and CDATA decoded by the XML parser
    assert doc.metadata["camera_model"] == "Canon EOS 40D"  # the camera is the file's own


def test_unreadable_files_raise_parse_error(real, tmp_path):
    source = (real / "photos/jpeg/exifsamples_gps_nikon_p6000_1.jpg").read_bytes()
    for name, data in [("head.jpg", source[:200]), ("empty.jpg", b""), ("text.png", b"just some text\n")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ParseError) as error:
            list(INDEXER.parse(path, tmp_path))
        assert error.value.path == str(path)
        assert error.value.problem.startswith("not a readable image: ")


def test_truncated_image_keeps_metadata_with_warning(real, tmp_path):
    source = (real / "photos/jpeg/exifsamples_gps_nikon_p6000_1.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(source[: len(source) * 6 // 10])
    doc = next(INDEXER.parse(path, tmp_path))
    assert doc.place == "Arezzo, Tuscany, Italy"
    assert doc.occurred_at == datetime(2008, 10, 22, 16, 28, 39)
    assert len(doc.metadata["warnings"]) == 1
    assert doc.metadata["warnings"][0].startswith("image data: image file is truncated")


def test_broken_xmp_segment_is_a_warning(real, tmp_path):
    source = (real / "photos/jpeg/exifsamples_adobe_xmp_bluesquare.jpg").read_bytes()
    broken = source.replace(b"</rdf:Description>", b"</rdf:Descriptiox>", 1)
    assert broken != source
    path = tmp_path / "broken_xmp.jpg"
    path.write_bytes(broken)
    doc = next(INDEXER.parse(path, tmp_path))
    assert len(doc.metadata["warnings"]) == 1
    assert doc.metadata["warnings"][0].startswith("XMP: ParseError: mismatched tag")
    # EXIF and IPTC still give the caption, title and keywords
    assert doc.metadata["caption_source"] == "EXIF ImageDescription"
    assert doc.title == "Blue Square Test File - .jpg" and doc.metadata["title_source"] == "IPTC ObjectName"
    assert doc.tags == ["XMP", "Blue Square", "test file", "Photoshop", ".jpg"]


def test_tiff_with_exif_parses(real, tmp_path):
    # the corpus has no TIFF: re-save a real geotagged JPEG as TIFF, keeping its EXIF
    with Image.open(real / "photos/jpeg/exifsamples_gps_nikon_p6000_1.jpg") as source:
        source.save(tmp_path / "trip.tif", exif=source.getexif())
    doc = next(INDEXER.parse(tmp_path / "trip.tif", tmp_path))
    assert doc.metadata["format"] == "TIFF"
    assert doc.place == "Arezzo, Tuscany, Italy"
    assert doc.occurred_at == datetime(2008, 10, 22, 16, 28, 39)


def test_iptc_digest_says_whether_the_iptc_is_in_sync_with_the_xmp(real):
    from pocketmind.indexers.photo_meta import iptc_in_sync
    from pocketmind.indexers.photos import DESCRIPTION_ORDER_IPTC_STALE

    with Image.open(real / "photos/jpeg/exiftool_all_metadata_blocks.jpg") as stale:
        assert not iptc_in_sync(stale)  # its IPTCDigest is not the MD5 of its IPTC block
    with Image.open(real / "photos/jpeg/exifsamples_adobe_xmp_bluesquare.jpg") as synced:
        assert iptc_in_sync(synced)
    # an out-of-sync IPTC caption ranks after the XMP one (MWG), a synced one before it
    order = DESCRIPTION_ORDER_IPTC_STALE
    assert order.index("XMP dc:description") < order.index("IPTC Caption-Abstract")


@pytest.mark.parametrize("rel, creator, source", [
    ("jpeg/exifsamples_canon_g9_imagedescription.jpg", "Pilar Flores", "XMP dc:creator"),
    ("jpeg/exiftool_gps_caption.jpg", "Ian Britton", "EXIF Artist"),  # IPTC By-line says the same
    ("jpeg/exifsamples_long_imagedescription_xmp.jpg", "SSG KYLE DAVIS", "EXIF Artist"),  # MWG: EXIF first
])
def test_photographer_from_xmp_exif_or_iptc(real, rel, creator, source):
    doc = photo(real, rel)
    assert doc.author == creator and doc.metadata["creator_source"] == source
    assert f"Photographer: {creator}" in doc.text.splitlines()
    assert creator not in doc.people  # people are who is in the picture


def test_template_placeholder_is_no_photographer(real):
    doc = photo(real, "jpeg/exifsamples_xmp_iptc_caption_no_exif.jpg")  # Artist, By-line and dc:creator all say "CREDIT"
    assert doc.author is None and "Photographer" not in doc.text
