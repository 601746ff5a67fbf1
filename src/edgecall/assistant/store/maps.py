"""Maps: OpenStreetMap URLs for places and directions; the desktop's browser opens them
(``xdg-open``) only when ``open_browser`` is configured (tools stay headless by default).

The paper's transport codes map to openstreetmap.org's routing engines: ``d`` (driving) to
OSRM car, ``w`` (walking) to OSRM foot.  openstreetmap.org has no public-transit router, so
``r`` (transit) is routed on foot: the walk to and between stops.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from edgecall.assistant.store._io import StoreError
from edgecall.assistant.store.desktop import desktop_open

OSM = "https://www.openstreetmap.org"
ENGINES = {"d": "fossgis_osrm_car", "w": "fossgis_osrm_foot", "r": "fossgis_osrm_foot"}
_ALIASES = {
    "": "d", "d": "d", "driving": "d", "drive": "d", "car": "d",
    "w": "w", "walking": "w", "walk": "w", "foot": "w",
    "r": "r", "transit": "r", "public transit": "r", "bus": "r", "train": "r",
}
_COORDS = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def location_url(location: str) -> str:
    """The OSM URL for a place name/address, or a marker for "lat,lon" (pure)."""
    if not location.strip():
        raise StoreError("maps_open_location needs a location")
    m = _COORDS.match(location)
    if m:
        lat, lon = m.groups()
        return f"{OSM}/?{urlencode({'mlat': lat, 'mlon': lon})}#map=16/{lat}/{lon}"
    return f"{OSM}/search?{urlencode({'query': location.strip()})}"


def directions_url(start: str, end: str, transport: str) -> str:
    """The OSM directions URL; an empty start is left for the user's location (pure)."""
    if not end.strip():
        raise StoreError("maps_show_directions needs an end_location")
    mode = _ALIASES.get(transport.strip().lower())
    if mode is None:
        raise StoreError(f"transport {transport!r} is not one of 'd' (driving), 'w' (walking), 'r' (transit)")
    params = {"engine": ENGINES[mode]}
    if start.strip():
        params["from"] = start.strip()
    params["to"] = end.strip()
    return f"{OSM}/directions?{urlencode(params)}"


class Maps:
    def __init__(self, open_browser: bool = False) -> None:
        self.open_browser = open_browser

    def _show(self, url: str) -> str:
        if self.open_browser:
            desktop_open(url)
        return url

    def open_location(self, location: str) -> str:
        return self._show(location_url(location))

    def show_directions(self, start: str, end: str, transport: str) -> str:
        return self._show(directions_url(start, end, transport))
