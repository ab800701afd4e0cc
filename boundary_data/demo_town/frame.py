"""The physical frame of the demo town: border, hill, river, canal, roads and road blocks.

Coordinates are local metres (x east, y north) around the town centre; :mod:`.build` moves
them into CGCS2000 / 3-degree Gauss–Krüger CM 120°E at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.ops import linemerge

from boundary_data.demo_town import mathfn as fm

__all__ = ["Frame", "RoadLine", "build_frame", "river_y"]

AREA_M2 = 20.0e6
HALF_W, HALF_H = 2600.0, 2000.0
HILL_CENTRE = (-1750.0, 1180.0)
CANAL_X = -300.0


@dataclass(frozen=True)
class RoadLine:
    """One named road before noding."""

    geometry: LineString
    name: str
    road_class: str
    width_m: float


@dataclass(frozen=True)
class Frame:
    """Everything the blocks are cut from."""

    jurisdiction: Polygon
    hill: Polygon
    ridges: list[LineString]
    river: LineString
    canal: LineString
    roads: list[RoadLine]
    blocks: list[Polygon]


def river_y(x: float | np.ndarray) -> float | np.ndarray:
    """The river's centreline: it meanders west to east across the south of the town."""
    return -1150.0 + 120.0 * fm.sin(x / 700.0) + 40.0 * fm.sin(x / 230.0 + 1.0)


def _jurisdiction(rng: np.random.Generator) -> Polygon:
    angles = np.linspace(0.0, 2 * np.pi, 28, endpoint=False)
    c, s = fm.cos(angles), fm.sin(angles)
    # a rounded rectangle (superellipse, n = 4) with a ragged outline, as real borders are
    r = fm.power(fm.power(np.abs(c / HALF_W), 4) + fm.power(np.abs(s / HALF_H), 4), -0.25)
    r = r * (1.0 + rng.uniform(-0.04, 0.04, angles.size))
    poly = Polygon(np.column_stack([r * c, r * s]))
    return shapely.affinity.scale(poly, *(2 * [np.sqrt(AREA_M2 / poly.area)]), origin=(0, 0))


def _hill() -> tuple[Polygon, list[LineString]]:
    t = np.linspace(0.0, 2 * np.pi, 40, endpoint=False)
    foot = Polygon(np.column_stack([620 * fm.cos(t), 430 * fm.sin(t) * (1 + 0.12 * fm.cos(3 * t))]))
    foot = shapely.affinity.translate(shapely.affinity.rotate(foot, 18.0), *HILL_CENTRE)
    cx, cy = HILL_CENTRE
    ridges = []
    for angle in (18.0, 112.0):
        line = LineString([(cx - 900, cy), (cx - 300, cy + 40), (cx + 250, cy - 30),
                           (cx + 900, cy)])
        line = shapely.affinity.rotate(line, angle, origin=HILL_CENTRE)
        ridges.append(shapely.intersection(line, foot))
    return foot, ridges


def _wavy(p0: tuple[float, float], p1: tuple[float, float], amp: float, waves: float,
          phase: float, n: int = 40) -> LineString:
    t = np.linspace(0.0, 1.0, n)
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    length = fm.hypot(dx, dy)
    off = amp * fm.sin(2 * np.pi * waves * t + phase)
    return LineString(np.column_stack([x0 + dx * t - dy / length * off,
                                       y0 + dy * t + dx / length * off]))


def _trunk_roads(rng: np.random.Generator, names) -> list[RoadLine]:
    far = 4000.0
    roads = [
        RoadLine(_wavy((-far, -1620), (far, -1480), 25, 0.6, 0.3), "甬舟高速", "expressway", 32.0),
        RoadLine(_wavy((-far, -380), (far, -300), 90, 1.1, 0.7), "镇海大道", "arterial", 30.0),
        RoadLine(_wavy((-far, 720), (far, 790), 100, 0.9, 2.1), "北环大道", "arterial", 26.0),
        RoadLine(_wavy((-1020, -far), (-960, far), 40, 1.0, 1.3), "雄镇路", "arterial", 24.0),
        RoadLine(_wavy((1080, -far), (1160, far), 55, 0.8, 0.4), "沿海中路", "arterial", 28.0),
        # the old town road runs diagonally, as it did before the grid of the new town
        RoadLine(_wavy((-1900, -1500), (1400, 2600), 70, 1.2, 0.5), "老镇骆线", "secondary", 16.0),
    ]
    # secondary roads at irregular spacing and slight angles, some only part of the way
    for y in np.cumsum(rng.uniform(330, 520, 12)) - 2100:
        if abs(y + 340) < 200 or abs(y - 755) < 200 or y > 1900:
            continue
        x0, x1 = sorted(rng.uniform(-far, far, 2)) if rng.random() < 0.35 else (-far, far)
        tilt = rng.uniform(-120, 120)
        roads.append(RoadLine(_wavy((x0, y - tilt), (x1, y + tilt), rng.uniform(5, 35), 0.7,
                                    rng.uniform(0, 6)), names.road("路"), "secondary",
                              float(rng.choice([14.0, 16.0, 18.0]))))
    for x in np.cumsum(rng.uniform(380, 560, 12)) - 2700:
        if abs(x + 990) < 200 or abs(x - 1120) < 200 or abs(x - CANAL_X) < 120 or x > 2500:
            continue
        y0, y1 = sorted(rng.uniform(-far, far, 2)) if rng.random() < 0.35 else (-far, far)
        tilt = rng.uniform(-110, 110)
        roads.append(RoadLine(_wavy((x - tilt, y0), (x + tilt, y1), rng.uniform(5, 35), 0.6,
                                    rng.uniform(0, 6)), names.road("路"), "secondary",
                              float(rng.choice([14.0, 16.0]))))
    return roads


def _branch_roads(cells: list[Polygon], rng: np.random.Generator, names) -> list[RoadLine]:
    """Cross each large cell of the trunk network with branch roads, about one per 12 ha."""
    roads = []
    for cell in cells:
        if cell.area < 90_000:
            continue
        rect = shapely.minimum_rotated_rectangle(cell)
        xy = np.asarray(rect.exterior.coords)[:4]
        edges = np.diff(np.vstack([xy, xy[:1]]), axis=0)
        sides = fm.hypot(*edges.T)
        long_side, short_side = float(sides.max()), float(sides.min())
        along = float(fm.arctan2(*edges[np.argmax(sides)][::-1]))
        centre = np.asarray(cell.centroid.coords[0])
        reach = long_side + short_side
        u = np.array([fm.cos(along), fm.sin(along)])
        v = np.array([-u[1], u[0]])
        cuts = [(u, v, long_side, max(round(long_side / 330.0) - 1, 1))]
        if short_side > 520:
            cuts.append((v, u, short_side, round(short_side / 330.0) - 1))
        for axis, across, span, count in cuts:
            for k in range(count):
                frac = (k + 1) / (count + 1) + rng.uniform(-0.06, 0.06)
                base = centre + (frac - 0.5) * span * axis
                skew = rng.uniform(-0.12, 0.12)
                d = reach * (across * fm.cos(skew) + axis * fm.sin(skew))
                line = shapely.intersection(LineString([base - d, base + d]), cell)
                for part in _lines(line):
                    if part.length > 60:
                        roads.append(RoadLine(part, names.road("支路"), "branch",
                                              float(rng.choice([8.0, 9.0, 10.0]))))
    return roads


def _lines(geom) -> list[LineString]:
    parts = shapely.get_parts(geom)
    return [p for p in parts if isinstance(p, LineString) and p.length > 1.0]


def _polygonize(lines: list) -> list[Polygon]:
    noded = shapely.union_all(lines)
    return list(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))


def _merge_small(blocks: list[Polygon], min_area: float = 3_000.0) -> list[Polygon]:
    """Join each scrap of land left between converging roads to the block it borders most."""
    blocks = list(blocks)
    while True:
        small = [i for i, b in enumerate(blocks) if b.area < min_area]
        if not small:
            return blocks
        i = min(small, key=lambda k: (blocks[k].area, k))
        shared = shapely.length(shapely.intersection(blocks[i], np.array(blocks, dtype=object)))
        shared[i] = -1.0
        j = int(np.argmax(shared))
        blocks[j] = shapely.union(blocks[j], blocks[i])
        del blocks[i]


def build_frame(rng: np.random.Generator, names) -> Frame:
    """Lay out the border, hill, waters and road network, and cut the road blocks."""
    border = _jurisdiction(rng)
    hill, ridges = _hill()
    xs = np.linspace(-4000, 4000, 400)
    river = shapely.intersection(LineString(np.column_stack([xs, river_y(xs)])), border)
    river = linemerge(river) if isinstance(river, MultiLineString) else river
    canal_y0 = float(river_y(CANAL_X))
    canal = shapely.intersection(
        LineString([(CANAL_X, canal_y0), (CANAL_X + 60, 0.0), (CANAL_X + 30, 4000.0)]), border
    )
    land = shapely.difference(border, hill)
    trunk = []
    for road in _trunk_roads(rng, names):
        for part in _lines(shapely.intersection(road.geometry, land)):
            trunk.append(RoadLine(part, road.name, road.road_class, road.width_m))
    frame_lines = [border.exterior, hill.exterior, river, canal, *ridges]
    cells = _polygonize(frame_lines + [r.geometry for r in trunk])
    flat = [c for c in cells if not hill.contains(c.representative_point())]
    branches = _branch_roads(flat, rng, names)
    roads = trunk + branches
    blocks = _merge_small(_polygonize(frame_lines + [r.geometry for r in roads]))
    # the border as noded with the roads, so that the villages tile it exactly
    border = shapely.union_all(blocks)
    return Frame(border, hill, ridges, river, canal, roads, blocks)
