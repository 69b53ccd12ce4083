"""Places shared in a chat, read from the message text the export writes for them.

WhatsApp writes a shared venue as ``Pimlico Gardens (London, United Kingdom):
https://foursquare.com/v/…`` (Android: name, area and link on three lines) and a dropped pin as ``Location:
https://maps.google.com/?q=51.5021456,-0.127397``, the label in the phone's
language (``Ubicación``, ``Standort``, ``موقع``…). Either becomes the message's
place, so "which place did Dmitry share?" and "messages in London" find it; a
pin is named by the nearest city of the bundled gazetteer (none far from any
city) and keeps its coordinates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pocketmind.indexers.gazetteer import reverse_geocode

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
# iOS: "Name (Area): link"; Android: name, area and link on three lines.
_VENUE = re.compile(r"^(?P<name>[^():\n]{2,80}?) \((?P<area>[^()\n]{2,80})\): https://foursquare\.com/v/\S+$"
                    r"|^(?P<name2>[^\n]{2,80})\n(?P<area2>[^\n]{2,80})\nhttps://foursquare\.com/v/\S+$")
# One or two words of label, then a Google Maps link whose query is "lat,lon".
_PIN = re.compile(r"^[^\s:/]{1,24}(?: [^\s:/]{1,24})?: https?://maps\.google\.[a-z.]{2,6}/\?q="
                  r"(?P<lat>-?\d{1,2}(?:\.\d+)?),(?P<lon>-?\d{1,3}(?:\.\d+)?)$")


@dataclass(frozen=True)
class SharedLocation:
    place: str | None  # "Pimlico Gardens, London, United Kingdom"; a pin: its nearest city (None at sea)
    lat: float | None = None
    lon: float | None = None


def shared_location(text: str) -> SharedLocation | None:
    """The place a message shares, when its whole text is a venue or a pin."""
    line = text.strip().strip(_MARKS).strip()
    if venue := _VENUE.match(line):
        name, area = venue["name"] or venue["name2"], venue["area"] or venue["area2"]
        return SharedLocation(f"{name.strip()}, {area.strip()}")
    if pin := _PIN.match(line):
        lat, lon = float(pin["lat"]), float(pin["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        city = reverse_geocode(lat, lon)
        return SharedLocation(city.label if city else None, lat, lon)
    return None
