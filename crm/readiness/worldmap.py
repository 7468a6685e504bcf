"""The world map of ``@svg-maps/world`` (npm, CC BY 4.0), drawn on the server (no JS needed).

``make assets`` copies ``world.svg`` into ``static/vendor/svg-maps-world/``; its paths carry
ISO 3166-1 alpha-2 ids in lower case (Kosovo and South Sudan included).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from defusedxml import ElementTree

MAP_FILE = Path(__file__).resolve().parents[2] / "static/vendor/svg-maps-world/world.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"
ATTRIBUTION = "World map: @svg-maps/world by VictorCazanave, CC BY 4.0"


class MapMissing(RuntimeError):
    """Raised when the map asset is not installed (run ``make assets``)."""


@dataclass(frozen=True)
class MapRegion:
    """One country shape: ISO alpha-2 code (upper case) and its SVG path data."""

    code: str
    path: str


@dataclass(frozen=True)
class WorldMap:
    """The map's ``viewBox`` and its country shapes in file order."""

    view_box: str
    regions: tuple[MapRegion, ...]


@cache
def load_world_map(path: Path = MAP_FILE) -> WorldMap:
    """Parse the installed ``world.svg`` once per process. Raises ``MapMissing`` if absent."""
    if not path.exists():
        raise MapMissing(f"{path} is missing: run `make assets`")
    root = ElementTree.parse(path).getroot()
    regions = tuple(
        MapRegion(code=element.get("id", "").upper(), path=element.get("d", ""))
        for element in root.iter(f"{SVG_NS}path")
        if element.get("id")
    )
    return WorldMap(view_box=root.get("viewBox", "0 0 1010 666"), regions=regions)
