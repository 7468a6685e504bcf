// Builds the world map the app serves as one cacheable static file (docs/decisions.md#world-map):
// Natural Earth's 1:110m countries from world-atlas (npm), projected with d3-geo's Natural Earth
// projection at one decimal, one <path id="co"> per country; the countries too small for that
// scale become dots (<circle id="mt">) at their 1:50m centroid, or at the point given below.
// Every country of crm/countries/seed_data/countries.csv is drawn except Antarctica.
//
// Usage: node scripts/build_world_map.mjs OUTPUT.svg   (make assets runs it)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { geoCentroid, geoNaturalEarth1, geoPath } from "d3-geo";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const WIDTH = 960;
const DOT_RADIUS = 3;
const LEFT_OUT = new Set(["AQ"]);
// World-atlas features without an ISO numeric code, by name.
const BY_NAME = { Kosovo: "XK", "N. Cyprus": "CY", Somaliland: "SO" };
// Parts of a country's Natural Earth shape that are countries of their own in ISO 3166-1:
// [owner, part, test on the polygon's centroid [longitude, latitude]].
const PARTS = [
  ["FR", "GF", ([lon, lat]) => lon < -40 && lat < 10],
  ["NO", "SJ", ([lon, lat]) => lat > 74 && lon > 0],
];
// [longitude, latitude] of the countries neither scale draws on their own.
const POINTS = {
  BQ: [-68.26, 12.18], BV: [3.41, -54.42], CC: [96.87, -12.16], CX: [105.69, -10.45],
  GF: [-53.1, 3.9], GI: [-5.35, 36.14], GP: [-61.55, 16.25], MQ: [-61.02, 14.64],
  RE: [55.54, -21.12], SJ: [16.0, 78.5], TK: [-171.85, -9.2], TV: [179.2, -8.52],
  UM: [166.63, 19.29], YT: [45.17, -12.83],
};

const csv = readFileSync(new URL("../crm/countries/seed_data/countries.csv", import.meta.url), "utf8");
const rows = csv.trim().split("\n").slice(1).map((line) => line.split(","));
const alpha2 = Object.fromEntries(rows.map((r) => [r[2], r[0]]));
const wanted = rows.map((r) => r[0]).filter((code) => !LEFT_OUT.has(code));

function features(file) {
  const topology = require(`world-atlas/${file}`);
  return feature(topology, topology.objects.countries).features
    .map((f) => ({ ...f, code: alpha2[f.id] || BY_NAME[f.properties.name] }))
    .filter((f) => f.code && !LEFT_OUT.has(f.code));
}

function split(features) {
  const out = [];
  for (const f of features) {
    const parts = PARTS.filter(([owner]) => owner === f.code);
    if (!parts.length || f.geometry.type !== "MultiPolygon") { out.push(f); continue; }
    const own = [];
    const taken = {};
    for (const polygon of f.geometry.coordinates) {
      const centre = geoCentroid({ type: "Polygon", coordinates: polygon });
      const part = parts.find(([, , test]) => test(centre));
      if (part) { (taken[part[1]] ||= []).push(polygon); } else { own.push(polygon); }
    }
    out.push({ ...f, geometry: { type: "MultiPolygon", coordinates: own } });
    for (const [code, polygons] of Object.entries(taken)) {
      out.push({ type: "Feature", code, geometry: { type: "MultiPolygon", coordinates: polygons } });
    }
  }
  return out;
}

const shapes = split(features("countries-110m.json"));
const sphere = { type: "Sphere" };
const projection = geoNaturalEarth1().fitWidth(WIDTH, sphere);
const path = geoPath(projection).digits(1);
const [[, top], [, bottom]] = path.bounds(sphere);
const height = Math.ceil(bottom - top);

const drawn = new Map();
for (const f of shapes) {
  const d = path(f);
  if (d) drawn.set(f.code, (drawn.get(f.code) || "") + d);
}
const centroids = Object.fromEntries(
  features("countries-50m.json").map((f) => [f.code, geoCentroid(f)]),
);
const elements = [];
for (const code of wanted) {
  if (drawn.has(code)) {
    elements.push(`<path id="${code.toLowerCase()}" d="${drawn.get(code)}"/>`);
    continue;
  }
  const point = centroids[code] || POINTS[code];
  if (!point) throw new Error(`no shape and no point for ${code}`);
  const [x, y] = projection(point);
  elements.push(
    `<circle id="${code.toLowerCase()}" class="dot" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${DOT_RADIUS}"/>`,
  );
}
const svg =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}">` +
  `<!-- Natural Earth via world-atlas (ISC), drawn with d3-geo -->\n` +
  elements.join("\n") +
  "\n</svg>\n";
writeFileSync(process.argv[2], svg);
console.log(`${process.argv[2]}: ${elements.length} countries, ${svg.length} bytes`);
