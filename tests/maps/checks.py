"""What every map page must hold to, read from the page in Chromium: legends drawn as their
layers are, a phone-width page the map still fits, axe-core's verdict, and the clicks of the
measure and base-map controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "maps" / "static" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
# a browser's own report of a tile it could not fetch (the test blocks the internet)
TILE_BLOCKED = "Failed to load resource: net::ERR_FAILED"

_LEGENDS = """() => {
  const norm = v => (v === undefined || v === null || v === false) ? null : v;
  return sijie.legends.filter(item => item.layer).map(item => {
    const group = sijie.layers[item.layer];
    const features = [];
    (group.sijieFeatures || group).eachLayer(f => features.push(f));
    const matching = features.filter(
      f => item.match.every(k => norm(f.options[k]) === norm(item.swatch[k]))).length;
    const shape = item.node.querySelector('svg > *');
    return {label: item.label, layer: item.layer, section: item.section, empty: item.empty,
            key: item.match.map(k => norm(item.swatch[k])), matching, features: features.length,
            swatch: item.swatch,
            drawn: {stroke: shape.getAttribute('stroke'),
                    width: shape.getAttribute('stroke-width'),
                    dash: shape.getAttribute('stroke-dasharray'),
                    fill: shape.getAttribute('fill')}};
  });
}"""

_ROOM = """() => {
  const map = sijie.map.getContainer().getBoundingClientRect();
  const boxes = [...document.querySelectorAll('.leaflet-control')]
    .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect());
  let covered = 0, total = 0;
  for (let x = map.left + 5; x < map.right; x += 10) {
    for (let y = map.top + 5; y < map.bottom; y += 10) {
      total += 1;
      if (boxes.some(b => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom)) covered += 1;
    }
  }
  const hit = document.elementFromPoint((map.left + map.right) / 2, (map.top + map.bottom) / 2);
  return {scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth,
          covered: covered / total, mapWidth: map.width, mapHeight: map.height,
          centreOnMap: !!hit && !hit.closest('.leaflet-control')
                       && !!hit.closest('.leaflet-container'),
          folded: [...document.querySelectorAll('.sijie-collapse')].map(
            b => b.getAttribute('aria-expanded'))};
}"""


def legend_problems(page) -> list[str]:
    """Each legend row whose symbol differs from what its layer draws, that matches no drawn
    feature though its class has members (or some though it has none), or that looks like
    another row of its section and layer."""
    problems = []
    seen: dict[tuple[Any, ...], str] = {}
    rows = page.evaluate(_LEGENDS)
    assert rows, "no legend row names its layer"
    for row in rows:
        s, d = row["swatch"], row["drawn"]
        name = f"{row['label']} ({row['layer']})"
        if d["stroke"] != (s["color"] or "none"):
            problems.append(f"{name}: stroke {d['stroke']} drawn {s['color']}")
        if float(d["width"]) != min(s["weight"] if s["weight"] is not None else 2, 6):
            problems.append(f"{name}: width {d['width']} drawn {s['weight']}")
        if (d["dash"] or None) != s["dashArray"]:
            problems.append(f"{name}: dashes {d['dash']} drawn {s['dashArray']}")
        if s["kind"] != "line" and s.get("fill") is not False and d["fill"] != (
                s["fillColor"] or s["color"]):
            problems.append(f"{name}: fill {d['fill']} drawn {s['fillColor']}")
        if row["empty"] != (row["matching"] == 0):
            problems.append(f"{name}: {row['matching']} of {row['features']} features drawn "
                            f"so, empty={row['empty']}")
        key = (row["section"], row["layer"], *row["key"])
        if key in seen:
            problems.append(f"{name} looks like {seen[key]}")
        seen[key] = name
    return problems


def room_for_the_map(page) -> dict[str, Any]:
    """How a page sits in its window: sideways scrolling, the share of the map under controls,
    whether the map's centre can be touched, and each folding box's state."""
    return page.evaluate(_ROOM)


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def click_lonlat(page, points: list[tuple[float, float]]) -> None:
    """Click the map at lon/lat points (each rounded to its pixel)."""
    for x, y in page.evaluate("""pts => pts.map(p => {
            const c = sijie.map.latLngToContainerPoint([p[1], p[0]]);
            const box = sijie.map.getContainer().getBoundingClientRect();
            return [box.left + Math.round(c.x), box.top + Math.round(c.y)]; })""",
                              [list(p) for p in points]):
        page.mouse.click(x, y)
