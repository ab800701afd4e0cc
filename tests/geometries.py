"""Standard small test geometries with answers worked out by hand.

Shapes are drawn in local metres; :func:`here` places them at the origin of the hand-built town
(EPSG:4549, x=655 000, y=3 315 000). The town is 1200 m by 800 m, tiled by four neighbours of
600 m by 400 m, with branch roads along x=100, x=420, y=50 and y=370:

    y=800 +-----------+-----------+
          |  丙社区    |  丁社区    |
    y=400 +-----------+-----------+
          |  甲村      |  乙村      |
    y=0   +-----------+-----------+
          x=0         x=600       x=1200

``tests/test_geometries.py`` checks every number quoted here with plain shapely.
"""

from __future__ import annotations

import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

__all__ = [
    "BOW_TIE",
    "DETACHED",
    "EMPTY",
    "HECTARE",
    "L_SHAPE",
    "NEIGHBOURS",
    "ORIGIN",
    "ROADS",
    "SPIKE",
    "SQUARE",
    "SQUARE_AND_DETACHED",
    "SQUARE_WITH_HOLE",
    "TOWN",
    "bow_tie",
    "here",
    "l_shape",
]

ORIGIN = (655_000.0, 3_315_000.0)  # the town's south-west corner in EPSG:4549

TOWN = box(0, 0, 1200, 800)
NEIGHBOURS = {"甲村": box(0, 0, 600, 400), "乙村": box(600, 0, 1200, 400),
              "丙社区": box(0, 400, 600, 800), "丁社区": box(600, 400, 1200, 800)}
ROADS = {"west": LineString([(100, 0), (100, 800)]), "east": LineString([(420, 0), (420, 800)]),
         "south": LineString([(0, 50), (1200, 50)]), "north": LineString([(0, 370), (1200, 370)])}

# valid polygons
SQUARE = box(100, 50, 420, 370)  # 320 m square on the four roads: 102,400 m², perimeter 1,280 m
DETACHED = box(470, 100, 570, 200)  # 100 m square 50 m east of SQUARE: 10,000 m²
SQUARE_AND_DETACHED = MultiPolygon([SQUARE, DETACHED])  # two parts: 112,400 m²
SQUARE_WITH_HOLE = Polygon(SQUARE.exterior.coords,  # a 120 m hole: 102,400 - 14,400 = 88,000 m²
                           [box(200, 150, 320, 270).exterior.coords])
HECTARE = box(0, 0, 100, 100)  # 100 m by 100 m = 10,000 m²


def l_shape(side: float, arm: float, *, x: float = 100, y: float = 50) -> Polygon:
    """An L cut from a ``side`` square at (x, y), its arms ``arm`` wide.

    Area side² - (side - arm)², perimeter 4 side.
    """
    return box(x, y, x + side, y + side).difference(box(x + arm, y + arm, x + side, y + side))


L_SHAPE = l_shape(300, 100)  # 50,000 m², perimeter 1,200 m


# empty and invalid polygons
EMPTY = Polygon()


def bow_tie(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """The corners of the box x0 to x1, y0 to y1 joined crosswise: edges cross at its centre."""
    return Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])


BOW_TIE = bow_tie(100, 50, 300, 250)  # edges cross at (200, 150)
# SQUARE with a 100 m spike out of its east side at y=210 and back: zero area, 200 m of edge
SPIKE = Polygon([(100, 50), (420, 50), (420, 210), (520, 210), (420, 210), (420, 370), (100, 370)])


def here(geom: shapely.Geometry) -> shapely.Geometry:
    """A geometry drawn in the town's local metres, placed at the town's origin."""
    return shapely.transform(geom, lambda xy: xy + ORIGIN)
