#!/usr/bin/env bash
# Vendor the front-end libraries diaban ships, and build the offline
# Vietnam base map, from exact npm package versions.
#
#   scripts/vendor-assets.sh          refresh assets/vendor/ and assets/geo/
#   scripts/vendor-assets.sh --check  rebuild into a temp dir and compare with
#                                     what is committed (exit 1 on any drift)
#
# Needs: bash, npm, node, tar, sha256sum, awk (nothing else).
# Only the npm registry is contacted. Every tarball is checked against the
# sha512 integrity pinned below before anything is extracted, so a run gives
# byte-identical output. Nothing is installed into the repository: packages
# are unpacked into a temporary directory that is removed on exit.
#
# To update a library: change its version AND integrity below (get the
# integrity with `npm view <pkg>@<version> dist.integrity`), run the script,
# review `git diff assets/`, and update docs/assets.md if the API changed.
set -euo pipefail

# name | version | sha512 integrity (from the registry's dist.integrity)
PACKAGES=(
  "htmx.org|2.0.11|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
  "leaflet|1.9.4|sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
  "chart.js|4.6.1|sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="
  "@fontsource/be-vietnam-pro|5.3.0|sha512-xhAQBGHDxP5BF8IJxedy5MoWUmc1DlPCcZbMLhvnPkf8TaYCbbUVs3LjpuJ4BYdTrdiCLaewNaY8z+owq/FqFw=="
  # build-time only (map generation), never shipped:
  "world-atlas|2.0.2|sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
  "topojson-client|3.1.0|sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw=="
)

FONT_WEIGHTS=(400 600 700)
FONT_SUBSETS=(vietnamese latin-ext latin)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) echo "unknown argument: $1" >&2; exit 2 ;;
esac

for tool in npm node tar sha256sum awk; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PKGDIR="$WORK/pkgs"
mkdir -p "$PKGDIR"

if [ "$CHECK" = 1 ]; then
  OUT="$WORK/out"
  mkdir -p "$OUT/vendor/fonts"
  # the hand-written files are inputs, not outputs
  cp "$REPO/assets/vendor/fonts/fonts.css" "$OUT/vendor/fonts/fonts.css"
  cp "$REPO/assets/README.md" "$OUT/README.md"
else
  OUT="$REPO/assets"
fi

log() { printf '  %s\n' "$*" >&2; }

# --- fetch + verify + unpack -------------------------------------------------
# unpacked into $PKGDIR/<name with / replaced by __>/package/
fetch() {
  local name="$1" version="$2" integrity="$3"
  local slug="${name//\//__}"
  local dl="$WORK/dl/$slug"
  mkdir -p "$dl" "$PKGDIR/$slug"
  ( cd "$dl" && npm pack --silent --pack-destination "$dl" "$name@$version" >/dev/null )
  local tgz
  tgz="$(ls "$dl"/*.tgz)"
  local got
  got="$(sri_sha512 "$tgz")"
  if [ "$got" != "$integrity" ]; then
    echo "integrity mismatch for $name@$version" >&2
    echo "  expected $integrity" >&2
    echo "  got      $got" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$PKGDIR/$slug"
  log "$name@$version ok"
}

# "sha512-<base64>" of a file, the form npm uses for dist.integrity
sri_sha512() {
  node -e 'const c=require("crypto"),fs=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

echo "fetching packages" >&2
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name version integrity <<<"$entry"
  fetch "$name" "$version" "$integrity"
done

pkg() { printf '%s/%s/package' "$PKGDIR" "${1//\//__}"; }
version_of() {
  local e
  for e in "${PACKAGES[@]}"; do
    IFS='|' read -r n v _ <<<"$e"
    if [ "$n" = "$1" ]; then printf '%s' "$v"; return; fi
  done
}

# --- copy the files we ship --------------------------------------------------
echo "copying into ${OUT#$REPO/}/vendor" >&2
V="$OUT/vendor"
rm -rf "$V/htmx" "$V/leaflet" "$V/chartjs"
find "$V/fonts" -maxdepth 1 -type f ! -name fonts.css -delete 2>/dev/null || true
mkdir -p "$V/htmx" "$V/leaflet/images" "$V/chartjs" "$V/fonts"

P="$(pkg htmx.org)"
install -m 0644 "$P/dist/htmx.min.js" "$P/LICENSE" "$V/htmx/"

P="$(pkg leaflet)"
install -m 0644 "$P/dist/leaflet.js" "$P/dist/leaflet.css" "$P/LICENSE" "$V/leaflet/"
install -m 0644 "$P"/dist/images/*.png "$V/leaflet/images/"

P="$(pkg chart.js)"
install -m 0644 "$P/dist/chart.umd.min.js" "$P/LICENSE.md" "$V/chartjs/"

P="$(pkg @fontsource/be-vietnam-pro)"
for w in "${FONT_WEIGHTS[@]}"; do
  for s in "${FONT_SUBSETS[@]}"; do
    install -m 0644 "$P/files/be-vietnam-pro-$s-$w-normal.woff2" "$V/fonts/"
  done
done
install -m 0644 "$P/LICENSE" "$V/fonts/OFL.txt"

# fonts.css is hand-written and kept in git; make sure it only points at files
# that exist and that every shipped font file is used.
if [ -f "$V/fonts/fonts.css" ]; then
  for u in $(grep -o 'url([^)]*)' "$V/fonts/fonts.css" | sed -E "s/url\(['\"]?([^'\")]*)['\"]?\)/\1/"); do
    [ -f "$V/fonts/$u" ] || { echo "fonts.css references missing file $u" >&2; exit 1; }
  done
  for f in "$V"/fonts/*.woff2; do
    grep -q "$(basename "$f")" "$V/fonts/fonts.css" || { echo "fonts.css does not use $(basename "$f")" >&2; exit 1; }
  done
else
  echo "warning: assets/vendor/fonts/fonts.css is missing (hand-written, see docs/assets.md)" >&2
fi

# --- Vietnam base map ----------------------------------------------------------
echo "building geo/vietnam.geojson" >&2
mkdir -p "$OUT/geo"
ATLAS="$(pkg world-atlas)/countries-50m.json" \
TOPO="$(pkg topojson-client)/dist/topojson-client.js" \
node - >"$OUT/geo/vietnam.geojson" <<'NODE'
"use strict";
const topojson = require(process.env.TOPO);
const world = require(process.env.ATLAS);

// Box the base map covers (and neighbours are clipped to).
const BOX = { w: 100, e: 118, s: 7, n: 24 };
const DIGITS = 4;

// Natural Earth names -> Vietnamese names. Vietnam is the main feature; any
// other country that reaches into BOX is kept, clipped, as light context.
const VI = {
  Vietnam: "Việt Nam", Laos: "Lào", Cambodia: "Campuchia", China: "Trung Quốc",
  Thailand: "Thái Lan", Myanmar: "Myanmar", Malaysia: "Malaysia",
  Philippines: "Philippines", "Hong Kong": "Hồng Kông", Macao: "Ma Cao",
};

// Areas of the two archipelagos. Natural Earth 50m has no land there; this
// guard keeps any future data update from drawing them as another country.
const ARCHIPELAGO_AREAS = [
  { w: 110.0, e: 113.5, s: 15.0, n: 17.8 }, // Hoàng Sa
  { w: 111.0, e: 116.9, s: 6.5, n: 12.2 },  // Trường Sa
];

const round = (v) => Number(v.toFixed(DIGITS));

// Sutherland–Hodgman clip of one closed ring ([lon,lat] pairs) against BOX.
function clipRing(ring) {
  const edges = [
    [(p) => p[0] >= BOX.w, (a, b) => cut(a, b, 0, BOX.w)],
    [(p) => p[0] <= BOX.e, (a, b) => cut(a, b, 0, BOX.e)],
    [(p) => p[1] >= BOX.s, (a, b) => cut(a, b, 1, BOX.s)],
    [(p) => p[1] <= BOX.n, (a, b) => cut(a, b, 1, BOX.n)],
  ];
  let pts = ring.slice(0, -1);
  for (const [inside, meet] of edges) {
    if (!pts.length) break;
    const next = [];
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i];
      const prev = pts[(i + pts.length - 1) % pts.length];
      if (inside(cur)) {
        if (!inside(prev)) next.push(meet(prev, cur));
        next.push(cur);
      } else if (inside(prev)) {
        next.push(meet(prev, cur));
      }
    }
    pts = next;
  }
  return pts;
}
function cut(a, b, axis, value) {
  const t = (value - a[axis]) / (b[axis] - a[axis]);
  const p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  p[axis] = value;
  return p;
}

function tidy(pts) {
  const out = [];
  for (const p of pts) {
    const q = [round(p[0]), round(p[1])];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  while (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  if (out.length < 3) return null;
  out.push(out[0].slice());
  return out;
}

function bboxOf(ring) {
  const b = { w: Infinity, e: -Infinity, s: Infinity, n: -Infinity };
  for (const [x, y] of ring) {
    b.w = Math.min(b.w, x); b.e = Math.max(b.e, x);
    b.s = Math.min(b.s, y); b.n = Math.max(b.n, y);
  }
  return b;
}
const within = (b, a) => b.w >= a.w && b.e <= a.e && b.s >= a.s && b.n <= a.n;

const countries = topojson.feature(world, world.objects.countries).features;
const features = [];
let vietnam = null;
for (const f of countries) {
  const name = f.properties.name;
  const g = f.geometry;
  if (!g) continue;
  const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
  const isVN = name === "Vietnam";
  const kept = [];
  for (const poly of polys) {
    const outer = poly[0];
    if (!isVN && ARCHIPELAGO_AREAS.some((a) => within(bboxOf(outer), a))) continue;
    const rings = [];
    for (let i = 0; i < poly.length; i++) {
      const r = tidy(clipRing(poly[i]));
      if (r) rings.push(r);
      else if (i === 0) break; // outer ring gone: drop the polygon
    }
    if (rings.length) kept.push(rings);
  }
  if (!kept.length) continue;
  const feature = {
    type: "Feature",
    properties: {
      name: VI[name] || name,
      name_en: name,
      kind: isVN ? "country" : "neighbour",
    },
    geometry: kept.length === 1
      ? { type: "Polygon", coordinates: kept[0] }
      : { type: "MultiPolygon", coordinates: kept },
  };
  if (isVN) vietnam = feature; else features.push(feature);
}
if (!vietnam) throw new Error("Vietnam not found in world-atlas");
features.sort((a, b) => a.properties.name_en.localeCompare(b.properties.name_en));

const point = (lon, lat, properties) => ({
  type: "Feature", properties, geometry: { type: "Point", coordinates: [lon, lat] },
});
const out = {
  type: "FeatureCollection",
  // bbox of the whole map, GeoJSON order: west, south, east, north
  bbox: [BOX.w, BOX.s, BOX.e, BOX.n],
  features: [
    ...features,
    vietnam,
    // label_side: which side of the dot map.js puts the permanent label
    point(112.0, 16.5, { name: "Quần đảo Hoàng Sa", kind: "archipelago", country: "Việt Nam", label_side: "right" }),
    point(114.3, 10.0, { name: "Quần đảo Trường Sa", kind: "archipelago", country: "Việt Nam", label_side: "left" }),
    point(111.2, 13.2, { name: "Biển Đông", kind: "sea" }),
  ],
};
// one feature per line: small, and diffs stay readable
process.stdout.write('{"type":"FeatureCollection","bbox":' + JSON.stringify(out.bbox) + ',"features":[\n' +
  out.features.map((f) => JSON.stringify(f)).join(",\n") + "\n]}\n");
NODE

# --- inventory (sha256 of every shipped file) into assets/README.md -----------
echo "updating README inventory" >&2
inventory() {
  local lib name ver lic f rel
  printf '| file | package | version | licence | bytes | sha256 |\n'
  printf '| --- | --- | --- | --- | ---: | --- |\n'
  while IFS= read -r f; do
    rel="${f#$OUT/}"
    case "$rel" in
      vendor/htmx/*)     name=htmx.org; lic=0BSD ;;
      vendor/leaflet/*)  name=leaflet; lic=BSD-2-Clause ;;
      vendor/chartjs/*)  name=chart.js; lic=MIT ;;
      vendor/fonts/fonts.css) name="(diaban, hand-written)"; lic="AGPL-3.0-or-later" ;;
      vendor/fonts/*)    name=@fontsource/be-vietnam-pro; lic=OFL-1.1 ;;
      geo/*)             name="world-atlas (Natural Earth 50m)"; lic="public domain data; ISC packaging" ;;
      *) continue ;;
    esac
    case "$name" in
      "(diaban"*) ver="-" ;;
      world-atlas*) ver="$(version_of world-atlas)" ;;
      *) ver="$(version_of "$name")" ;;
    esac
    printf '| `%s` | %s | %s | %s | %s | `%s` |\n' "$rel" "$name" "$ver" "$lic" \
      "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)"
  done < <(find "$OUT/vendor" "$OUT/geo" -type f | LC_ALL=C sort)
}
README="$OUT/README.md"
BEGIN='<!-- BEGIN GENERATED INVENTORY (scripts/vendor-assets.sh) -->'
END='<!-- END GENERATED INVENTORY -->'
TABLE="$WORK/inventory.md"
inventory >"$TABLE"
if [ -f "$README" ] && grep -qF "$BEGIN" "$README"; then
  awk -v b="$BEGIN" -v e="$END" -v t="$TABLE" '
    $0 == b { print; while ((getline line < t) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$README" >"$WORK/README.new"
  mv "$WORK/README.new" "$README"
else
  { echo; echo "$BEGIN"; cat "$TABLE"; echo "$END"; } >>"$README"
fi

if [ "$CHECK" = 1 ]; then
  status=0
  for d in vendor geo; do
    diff -r "$OUT/$d" "$REPO/assets/$d" >&2 || status=1
  done
  diff "$OUT/README.md" "$REPO/assets/README.md" >&2 || status=1
  if [ "$status" = 0 ]; then echo "assets are up to date" >&2; else echo "assets differ from a fresh vendoring run" >&2; fi
  exit "$status"
fi

echo "done; total vendored size:" >&2
du -sh "$OUT/vendor" "$OUT/geo" >&2
