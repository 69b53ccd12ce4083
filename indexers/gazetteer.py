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
}


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
        names, regions, codes, lats, lons, pops = [], [], [], [], [], []
        with gzip.open(data_dir / "cities15000.tsv.gz", "rt", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                names.append(row["name"])
                regions.append(row["region"])
                codes.append(row["country_code"])
                lats.append(float(row["lat"]))
                lons.append(float(row["lon"]))
                pops.append(int(row["population"]))
        self.names, self.regions, self.codes = names, regions, codes
        self.lat = np.radians(np.array(lats))
        self.lon = np.radians(np.array(lons))
        self.lat_deg, self.lon_deg = np.array(lats), np.array(lons)
        self.population = np.array(pops)
        # Rough urban radius: ~12 km for a city of a million, at least 2 km.
        self.extent_km = np.maximum(2.0, 12.0 * np.sqrt(self.population / 1e6))
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
        cities = sorted(self.city_index.get(key, []), key=lambda i: -self.population[i])
        matches.extend(self._city(i) for i in cities)
        return matches

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
