"""The district audit's shortcuts give what the full computation gives.

A convex shape whose opening gives it back whole skips the opening, and any shape whose
opening gives back its every vertex skips the overlay (B5's sliver test); a
boundary whose every segment lies in one feature zone skips the overlay (B3). Shapes chosen
to sit on either side of each shortcut's conditions: thin strips, sharp corners, short edges,
holes, several parts.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Polygon, box

from geo.validate.batch import _opened_rest_area

SHAPES = [
    box(0, 0, 100, 100),
    box(0, 0, 100, 2),  # thinner than the width: all of it is a sliver
    box(0, 0, 100, 3.5),
    affinity.rotate(box(0, 0, 80, 40), 33, origin="centroid"),
    Polygon([(0, 0), (100, 0), (100, 10)]),  # a corner under 30°
    Polygon([(0, 0), (100, 0), (100, 100), (50, 150), (0, 100)]),
    Polygon([(0, 0), (100, 0), (100, 1), (99, 2), (0, 2)]),
    Polygon([(0, 0), (100, 0), (100, 100), (99, 100.5), (0, 100)]),  # a 1 m edge
    box(0, 0, 10, 10).union(box(10, 0, 20, 1)),
    box(0, 0, 100, 100).difference(box(10, 10, 90, 90)),  # a ring with a hole
    shapely.MultiPolygon([box(0, 0, 10, 10), box(20, 0, 30, 10)]),
    Polygon([(0, 0), (60, 0), (90, 40), (60, 80), (0, 80), (-20, 40)]),
    box(0, 0, 100, 100).difference(box(50, 50, 100, 100)),  # not convex, opens back whole
    box(0, 0, 100, 100).difference(box(50, 4, 100, 100)),  # not convex, a 4 m strip
]


def _full(shape: shapely.Geometry, width: float) -> float:
    half = width / 2
    opened = shape.buffer(-half, join_style="mitre").buffer(half, join_style="mitre")
    return float(shapely.difference(shape, opened).area)


def test_b5_opening_shortcut_gives_the_full_opening_rest_area() -> None:
    shapes = np.array(SHAPES, dtype=object)
    for width in (3.0, 5.0):
        got = _opened_rest_area(shapes, width)
        want = np.array([_full(s, width) for s in SHAPES])
        np.testing.assert_allclose(got, want, atol=1e-6)
    # the shortcut is taken for plain convex shapes, which have nothing thin
    assert _opened_rest_area(shapes[:1], 3.0)[0] == 0.0


def test_b5_hole_shortcut_matches_validate_at_every_clearance() -> None:
    """Communities inside 甲村 (0..600 × 0..400) at clearances from its edge around two snap
    tolerances (10 m), convex or not: the audit's B5 is validate()'s for each."""
    from geo.audit import audit, communities_from_frame
    from tests.geo.test_audit import assert_same_as_validate
    from tests.geo.test_validate_rules import frame, town

    shapes = [box(x, 150, x + 150, 300) for x in (0, 3, 5, 9.9, 10, 10.1, 20, 200)]
    shapes += [affinity.rotate(box(200, 100, 350, 250), 20, origin="centroid"),
               box(200, 100, 350, 250).difference(box(270, 100, 273, 200)),  # a 3 m notch
               Polygon([(200, 100), (400, 100), (400, 160)])]  # a corner under 30°
    layer = frame({"name": [f"甲{i}工业社区" for i in range(len(shapes))],
                   "type": ["工业社区"] * len(shapes)}, shapes)
    communities, _ = communities_from_frame(layer)
    ctx = town()
    assert_same_as_validate(audit(communities, ctx), communities, ctx)
