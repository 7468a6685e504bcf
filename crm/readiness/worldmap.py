"""The world map (docs/decisions.md#world-map): one static SVG of every country's shape, built by
``make assets`` (``scripts/build_world_map.mjs``, from world-atlas's Natural Earth 1:110m
geometry), cached by the browser once; each page colours it through classes.

The file holds one element per country with the ISO 3166-1 alpha-2 code in lower case as its
id: a ``<path>`` for a country the scale draws, a ``<circle class="dot">`` for one too small
for it (Kosovo is a shape; most small island states are dots). A page draws
``<use href="FILE#co" class="map-country map-country--STATE">`` per country, so colouring needs
the geometry never again; :func:`standalone_svg` writes the coloured map as one file for
downloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

MAP_FILE = Path(__file__).resolve().parents[2] / "static/vendor/world-map/world.svg"
#: The map's path under ``static/`` (for ``static_url_for``).
STATIC_NAME = "vendor/world-map/world.svg"
SVG_NS = "{http://www.w3.org/2000/svg}"
ATTRIBUTION = "Natural Earth, via world-atlas (ISC)"


class MapMissing(RuntimeError):
    """Raised when the map asset is not built (run ``make assets``)."""


@dataclass(frozen=True)
class MapRegion:
    """One country on the map: ISO alpha-2 code (upper case), its element's id in the file, and
    its element as SVG markup (a path or a dot)."""

    code: str
    element_id: str
    markup: str

    @property
    def is_dot(self) -> bool:
        """Whether the country is drawn as a dot (too small for the map's scale)."""
        return self.markup.startswith("<circle")


@dataclass(frozen=True)
class WorldMap:
    """The map's ``viewBox`` and its countries in file order."""

    view_box: str
    regions: tuple[MapRegion, ...]

    @property
    def codes(self) -> frozenset[str]:
        """ISO codes of every country on the map."""
        return frozenset(region.code for region in self.regions)


def _markup(element) -> str:
    tag = element.tag.removeprefix(SVG_NS)
    attributes = "".join(
        f" {name}={quoteattr(value)}"
        for name, value in element.attrib.items()
        if name not in ("id", "class")
    )
    return f"<{tag}{attributes}/>"


@cache
def load_world_map(path: Path = MAP_FILE) -> WorldMap:
    """Parse the built map once per process. Raises ``MapMissing`` if it is not built."""
    if not path.exists():
        raise MapMissing(f"{path} is missing: run `make assets`")
    root = ElementTree.parse(path).getroot()
    regions = tuple(
        MapRegion(
            code=element.get("id").upper(), element_id=element.get("id"), markup=_markup(element)
        )  # fmt: skip
        for element in root
        if element.get("id")
    )
    return WorldMap(view_box=root.get("viewBox", "0 0 960 500"), regions=regions)


def standalone_svg(
    world: WorldMap,
    states: Mapping[str, str],
    colours: Mapping[str, str],
    titles: Mapping[str, str],
    *,
    title: str,
    default_state: str = "not_available",
) -> str:
    """The coloured map as one self-contained SVG document (for a download, or a PNG drawn from
    it): each country's shape filled with ``colours[state]`` and titled ``titles[code]``;
    ``states`` maps ISO codes to states (``default_state`` for the rest)."""
    rules = "".join(
        f".s-{state}{{fill:{colour}}}" for state, colour in colours.items() if state.isidentifier()
    )
    width, height = world.view_box.split()[2:4]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox={quoteattr(world.view_box)} '
        f"width={quoteattr(width)} height={quoteattr(height)}>",
        f"<title>{escape(title)}</title>",
        f"<style>path,circle{{stroke:#fff;stroke-width:.4}}{rules}</style>",
        '<rect width="100%" height="100%" fill="#f7fbff"/>',
    ]
    for region in world.regions:
        state = states.get(region.code, default_state)
        name = escape(titles.get(region.code, region.code))
        parts.append(f'<g class="s-{state}"><title>{name}</title>{region.markup}</g>')
    parts.append("</svg>")
    return "\n".join(parts)
