"""Offline gazetteer: coordinates -> place name, and place name -> where it is.

Backed only by the GeoNames extract bundled in ``indexers/data/`` (cities with
population >= 15000, countries; CC-BY 4.0, see ``data/README.md``). Nothing is
fetched. The data is loaded lazily, once per process, and reverse lookups are a
vectorised haversine over the ~34k cities (well under a millisecond each).
"""

from __future__ import annotations

import csv
import gzip
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pocketmind.text import CJK_CHAR, CJK_RUN

DATA = Path(__file__).resolve().parent / "data"
EARTH_RADIUS_KM = 6371.0088
# Beyond this distance from any city of 15k+ people we do not name a city
# (open sea, Antarctica...) but still name nothing rather than guess.
MAX_CITY_DISTANCE_KM = 100.0
# A city's extent is unknown; a box of this half-size stands in for "near <city>".
CITY_RADIUS_KM = 15.0

# A few common endonyms/short names of countries people type in searches.
COUNTRY_ALIASES = {
    "deutschland": "DE", "italia": "IT", "espana": "ES", "españa": "ES", "nippon": "JP",
    "nihon": "JP", "usa": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "holland": "NL", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "osterreich": "AT", "österreich": "AT", "brasil": "BR", "polska": "PL",
    "nederland": "NL", "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI",
    # Chinese and Japanese names of countries (cities' come with the data)
    "中国": "CN", "日本": "JP", "美国": "US", "英国": "GB", "英格兰": "GB", "苏格兰": "GB", "德国": "DE",
    "法国": "FR", "意大利": "IT", "西班牙": "ES", "葡萄牙": "PT", "加拿大": "CA", "澳大利亚": "AU",
    "澳洲": "AU", "新西兰": "NZ", "韩国": "KR", "韓国": "KR", "俄罗斯": "RU", "瑞士": "CH", "奥地利": "AT",
    "荷兰": "NL", "比利时": "BE", "瑞典": "SE", "挪威": "NO", "丹麦": "DK", "芬兰": "FI", "希腊": "GR",
    "爱尔兰": "IE", "波兰": "PL", "捷克": "CZ", "土耳其": "TR", "泰国": "TH", "越南": "VN",
    "新加坡": "SG", "马来西亚": "MY", "印度尼西亚": "ID", "印尼": "ID", "印度": "IN", "巴西": "BR",
    "墨西哥": "MX", "埃及": "EG", "台湾": "TW", "台灣": "TW", "香港": "HK", "澳门": "MO",
    "アメリカ": "US", "イギリス": "GB", "ドイツ": "DE", "フランス": "FR", "イタリア": "IT", "スペイン": "ES",
}
# A two-character CJK city name is often also a word (中心, 北方, 安康): only a big city's is read
# in a question (北京, 京都, 大阪, 中山).
CJK_SHORT_NAME_POPULATION = 1_000_000
CJK_NAME_MAX = 8


@dataclass(frozen=True)
class Place:
    """The nearest named city to a coordinate."""

    city: str
    region: str  # first-level division (state, province, "Tuscany"); may be ""
    country: str
    country_code: str
    distance_km: float
    lat: float  # of the city
    lon: float

    @property
    def label(self) -> str:
        """"City, Region, Country" with empty or repeated parts left out."""
        parts: list[str] = []
        for part in (self.city, self.region, self.country):
            if part and part not in parts:
                parts.append(part)
        return ", ".join(parts)


@dataclass(frozen=True)
class PlaceMatch:
    """A result of a forward lookup: a city, region or country and its extent."""

    kind: str  # "city", "region" or "country"
    name: str
    country_code: str
    country: str
    region: str
    lat: float  # a representative point (the city; the largest city of a region/country)
    lon: float
    bbox: tuple[float, float, float, float]  # (south, west, north, east) in degrees
    population: int


def fold(name: str) -> str:
    """Case- and accent-insensitive key: "Köln" and "koln" look the same."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class Gazetteer:
    """The bundled city and country tables with reverse and forward lookups."""

    def __init__(self, data_dir: Path = DATA):
        self.countries: dict[str, str] = {}
        with (data_dir / "countries.tsv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                self.countries[row["code"]] = row["name"]
        names, regions, codes, lats, lons, pops, cjk = [], [], [], [], [], [], []
        with gzip.open(data_dir / "cities15000.tsv.gz", "rt", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                names.append(row["name"])
                regions.append(row["region"])
                codes.append(row["country_code"])
                lats.append(float(row["lat"]))
                lons.append(float(row["lon"]))
                pops.append(int(row["population"]))
                cjk.append(row.get("cjk_names") or "")
        self.names, self.regions, self.codes, self.cjk_names = names, regions, codes, cjk
        self.lat = np.radians(np.array(lats))
        self.lon = np.radians(np.array(lons))
        self.lat_deg, self.lon_deg = np.array(lats), np.array(lons)
        self.population = np.array(pops)
        # Rough urban radius: ~12 km for a city of a million, at least 2 km.
        self.extent_km = np.maximum(2.0, 12.0 * np.sqrt(self.population / 1e6))
        self._cjk_city_index: dict[str, list[int]] | None = None
        self._index_names()

    def _index_names(self) -> None:
        self.city_index: dict[str, list[int]] = {}
        self.region_index: dict[str, list[int]] = {}
        self.country_members: dict[str, list[int]] = {}
        for i, (name, region, code) in enumerate(zip(self.names, self.regions, self.codes)):
            self.city_index.setdefault(fold(name), []).append(i)
            if region:
                self.region_index.setdefault(fold(region), []).append(i)
            self.country_members.setdefault(code, []).append(i)
        self.country_index = {fold(name): code for code, name in self.countries.items()}
        self.country_index.update({fold(code): code for code in self.countries})
        self.country_index.update({fold(alias): code for alias, code in COUNTRY_ALIASES.items()})

    def reverse(self, lat: float, lon: float) -> Place | None:
        """The nearest city of 15k+ people, or None when none is within 100 km."""
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
        distances = self._haversine_km(np.radians(lat), np.radians(lon))
        i = int(np.argmin(distances))
        if distances[i] > MAX_CITY_DISTANCE_KM:
            return None
        # GeoNames lists city districts (Rome's "Esquilino", Berlin's "Mitte") as
        # cities; a point inside a big city's rough extent is named after the city.
        inside = np.flatnonzero(distances <= self.extent_km)
        if inside.size:
            i = int(inside[np.argmax(self.population[inside])])
        code = self.codes[i]
        return Place(
            city=self.names[i], region=self.regions[i], country=self.countries.get(code, code),
            country_code=code, distance_km=round(float(distances[i]), 2),
            lat=float(self.lat_deg[i]), lon=float(self.lon_deg[i]),
        )

    def _haversine_km(self, lat: float, lon: float) -> np.ndarray:
        a = (np.sin((self.lat - lat) / 2) ** 2
             + np.cos(lat) * np.cos(self.lat) * np.sin((self.lon - lon) / 2) ** 2)
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))

    def lookup(self, name: str) -> list[PlaceMatch]:
        """Countries, regions and cities called ``name``, countries first, big cities first."""
        key = fold(name)
        matches: list[PlaceMatch] = []
        code = self.country_index.get(key)
        if code and code in self.country_members:
            matches.append(self._area("country", self.countries[code], code, "", self.country_members[code]))
        by_region: dict[tuple[str, str], list[int]] = {}
        for i in self.region_index.get(key, []):
            by_region.setdefault((self.codes[i], self.regions[i]), []).append(i)
        for (code, region), members in by_region.items():
            matches.append(self._area("region", region, code, region, members))
        cities = sorted(self._cities_called(name), key=lambda i: -self.population[i])
        matches.extend(self._city(i) for i in cities)
        return matches

    @property
    def cjk_city_index(self) -> dict[str, list[int]]:
        """Cities by their CJK-script names (谢菲尔德, シェフィールド, 셰필드), built on first use:
        most processes never read a CJK place name."""
        if self._cjk_city_index is None:
            index: dict[str, list[int]] = {}
            for i, names in enumerate(self.cjk_names):
                for name in filter(None, names.split("|")):
                    index.setdefault(unicodedata.normalize("NFC", name), []).append(i)
            self._cjk_city_index = index
        return self._cjk_city_index

    def _cities_called(self, name: str) -> list[int]:
        """A CJK name as written (folding would take Hangul apart), any other folded."""
        if CJK_CHAR.search(name):
            return self.cjk_city_index.get(unicodedata.normalize("NFC", name.strip()), [])
        return self.city_index.get(fold(name), [])

    def names_in_cjk(self, text: str) -> list[str]:
        """The place names written inside ``text``'s CJK runs, longest first at each position
        ("我在谢菲尔德拍照" -> ["谢菲尔德"]): CJK text has no spaces to find them by."""
        found = []
        for run in CJK_RUN.findall(text):
            i = 0
            while i < len(run) - 1:
                name = next((run[i : i + n] for n in range(min(CJK_NAME_MAX, len(run) - i), 1, -1)
                             if self._names_a_place(run[i : i + n])), None)
                if name:
                    found.append(name)
                    i += len(name)
                else:
                    i += 1
        return found

    def _names_a_place(self, name: str) -> bool:
        key = fold(name)
        if key in self.country_index:
            return True
        cities = self._cities_called(name)
        return bool(cities) and (len(name) > 2 or max(self.population[i] for i in cities) >= CJK_SHORT_NAME_POPULATION)

    def _city(self, i: int) -> PlaceMatch:
        lat, lon = float(self.lat_deg[i]), float(self.lon_deg[i])
        dlat = CITY_RADIUS_KM / 111.0
        dlon = dlat / max(float(np.cos(np.radians(lat))), 0.01)
        code = self.codes[i]
        return PlaceMatch("city", self.names[i], code, self.countries.get(code, code), self.regions[i],
                          lat, lon, (lat - dlat, lon - dlon, lat + dlat, lon + dlon), int(self.population[i]))

    def _area(self, kind: str, name: str, code: str, region: str, members: list[int]) -> PlaceMatch:
        """A region or country: its box spans its cities; its point is the largest one."""
        idx = np.array(members)
        biggest = int(idx[np.argmax(self.population[idx])])
        bbox = (float(self.lat_deg[idx].min()), float(self.lon_deg[idx].min()),
                float(self.lat_deg[idx].max()), float(self.lon_deg[idx].max()))
        return PlaceMatch(kind, name, code, self.countries.get(code, code), region,
                          float(self.lat_deg[biggest]), float(self.lon_deg[biggest]), bbox,
                          int(self.population[idx].sum()))


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded on first use and kept for the process."""
    return Gazetteer()


def reverse_geocode(lat: float, lon: float) -> Place | None:
    return default_gazetteer().reverse(lat, lon)


def lookup(name: str) -> list[PlaceMatch]:
    return default_gazetteer().lookup(name)


def names_in_cjk(text: str) -> list[str]:
    if CJK_RUN.search(text) is None:  # most questions: the gazetteer is not even loaded
        return []
    return default_gazetteer().names_in_cjk(text)
