"""The bundled offline gazetteer: reverse and forward lookups on real GeoNames data."""

from __future__ import annotations

import time

import pytest

from pocketmind.indexers import gazetteer
from pocketmind.indexers.gazetteer import lookup, reverse_geocode


@pytest.mark.parametrize(
    ("lat", "lon", "city", "country", "code", "label"),
    [
        (41.9028, 12.4964, "Rome", "Italy", "IT", "Rome, Latium, Italy"),
        (52.52, 13.405, "Berlin", "Germany", "DE", "Berlin, Germany"),
        (35.0116, 135.7681, "Kyoto", "Japan", "JP", "Kyoto, Japan"),
        (43.4674, 11.8851, "Arezzo", "Italy", "IT", "Arezzo, Tuscany, Italy"),
        (53.383, -1.457, "Sheffield", "United Kingdom", "GB", "Sheffield, England, United Kingdom"),
        (-33.8688, 151.2093, "Sydney", "Australia", "AU", "Sydney, New South Wales, Australia"),
    ],
)
def test_reverse_names_the_city(lat, lon, city, country, code, label):
    place = reverse_geocode(lat, lon)
    assert place is not None
    assert (place.city, place.country, place.country_code, place.label) == (city, country, code, label)
    assert place.distance_km < 15


def test_reverse_prefers_the_city_over_its_districts():
    # GeoNames lists "Esquilino" (Rome) and "Mitte" (Berlin) as cities of their own.
    assert reverse_geocode(41.9028, 12.4964).city == "Rome"
    assert reverse_geocode(52.52, 13.405).city == "Berlin"


def test_reverse_far_from_any_city_is_none():
    assert reverse_geocode(0.0, 0.0) is None  # Gulf of Guinea
    assert reverse_geocode(-80.0, 0.0) is None  # Antarctica
    assert reverse_geocode(95.0, 0.0) is None  # not a coordinate


def test_reverse_is_fast_after_loading():
    reverse_geocode(48.8566, 2.3522)  # load once
    start = time.perf_counter()
    for _ in range(200):
        reverse_geocode(48.8566, 2.3522)
    assert (time.perf_counter() - start) / 200 < 0.02


def test_lookup_country_with_bounds():
    matches = lookup("Italy")
    assert matches[0].kind == "country"
    assert matches[0].country_code == "IT"
    south, west, north, east = matches[0].bbox
    assert 36 < south < 38 and 6 < west < 8 and 46 < north < 48 and 18 < east < 19
    # Florence lies inside Italy's box
    assert south < 43.77 < north and west < 11.25 < east


def test_lookup_city_kyoto_is_in_japan():
    cities = [m for m in lookup("Kyoto") if m.kind == "city"]
    assert cities[0].country_code == "JP"
    assert cities[0].country == "Japan"
    assert abs(cities[0].lat - 35.0211) < 0.001


def test_lookup_is_case_accent_and_alias_insensitive():
    assert lookup("deutschland")[0].country_code == "DE"
    assert lookup("KOLN")[0].name == "Köln"
    assert [m.country_code for m in lookup("Tuscany") if m.kind == "region"] == ["IT"]
    assert lookup("Nowhereville Qzx") == []


def test_lookup_big_cities_first():
    rome = [m for m in lookup("rome") if m.kind == "city"]
    assert rome[0].country_code == "IT"
    assert {m.country_code for m in rome[1:]} == {"US"}


def test_data_files_are_bundled_and_small():
    size = sum(f.stat().st_size for f in gazetteer.DATA.iterdir())
    assert size < 3_000_000
    assert (gazetteer.DATA / "README.md").read_text().count("CC-BY 4.0") == 1


def test_cities_are_found_by_their_chinese_japanese_and_korean_names():
    for name in ("谢菲尔德", "シェフィールド", "셰필드"):
        assert [(m.name, m.country_code) for m in lookup(name) if m.kind == "city"][0] == ("Sheffield", "GB")
    assert lookup("京都")[0].name == "Kyoto" and lookup("日本")[0].kind == "country"


def test_place_names_are_read_out_of_cjk_text_without_spaces():
    assert gazetteer.names_in_cjk("我在谢菲尔德拍照是哪一天？") == ["谢菲尔德"]
    assert gazetteer.names_in_cjk("我去日本京都旅行的照片") == ["日本", "京都"]
    assert gazetteer.names_in_cjk("东京和大阪的朋友") == ["东京", "大阪"]
    # A two-character name that is also a word names only a big city: 中心 (Zhongxin, 52k), 安康 (870k)
    assert gazetteer.names_in_cjk("我们在中心开会，祝你安康") == []
    assert gazetteer.names_in_cjk("2025年国庆节放假是哪几天？") == []
