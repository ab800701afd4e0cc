"""The district audit's shortcuts give what the full computation gives.

A convex shape whose opening gives it back whole skips the opening, and any shape whose
opening gives back its every vertex skips the overlay (B5's sliver test); a
boundary whose every segment lies in one feature zone skips the overlay (B3). Shapes chosen
to sit on either side of each shortcut's conditions: thin strips, sharp corners, short edges,
holes, several parts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import Polygon, box

from geo.proposal import Proposal
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


def _eroded_keeps_every_vertex(shape: shapely.Geometry, half: float) -> bool:
    eroded = shape.buffer(-half, join_style="mitre")
    return (eroded.geom_type == "Polygon"
            and shapely.get_num_coordinates(eroded) == shapely.get_num_coordinates(shape))


def test_convex_shapes_open_back_whole_exactly_when_eroding_them_loses_no_edge() -> None:
    """The first edge a convex polygon loses when eroded is worked out from its edges and
    corners: rectangles and a triangle just either side of losing one at half-width 2.5 m."""
    from geo.validate.batch import _convex_and_open

    triangle = Polygon([(0, 0), (60, 0), (30, 30 * math.sqrt(3))])  # inradius 10√3 m
    cases = {
        box(0, 0, 100, 5.02): True,  # 5.02 m wide: both long edges survive 2.5 m
        box(0, 0, 100, 4.98): False,  # narrower than twice 2.5 m: it vanishes
        affinity.rotate(box(0, 0, 100, 5.02), 37, origin="centroid"): True,
        affinity.rotate(box(0, 0, 100, 4.98), 37, origin="centroid"): False,
        affinity.scale(triangle, *(2 * [2.5 / (10 * math.sqrt(3)) * 1.01])): True,
        affinity.scale(triangle, *(2 * [2.5 / (10 * math.sqrt(3)) * 0.99])): False,
        Polygon([(0, 0), (100, 0), (100, 100), (99, 100.5), (0, 100)]): False,  # a 1.1 m edge
        Polygon([(0, 0), (100, 0), (100, 10)]): False,  # a corner under 30°
        box(0, 0, 100, 100).difference(box(50, 50, 100, 100)): False,  # not convex
    }
    shapes = np.array(list(cases), dtype=object)
    whole = _convex_and_open(shapes, 2.5)
    assert whole.tolist() == list(cases.values())
    for shape, found in zip(cases, whole, strict=True):
        if found:  # the erosion agrees, and the opening gives the shape back
            assert _eroded_keeps_every_vertex(shape, 2.5)
            assert _full(shape, 5.0) == pytest.approx(0.0, abs=1e-6)


def test_names_fit_exactly_where_b9_finds_nothing() -> None:
    from geo.validate import naming
    from tests.geo.test_validate_rules import town

    ctx = town()
    proposals = [
        Proposal(name=name, type=kind, geometry=box(0, 0, 1, 1), crs=ctx.crs, centre_name=centre)
        for name, kind, centre in [
            ("澥川新材料工业社区", "industrial", None),
            (" 澥川新材料工业社区 ", "industrial", None),  # spaces around do not count
            ("澥川新材料片区", "industrial", None),
            ("工业社区", "industrial", None),  # the suffix alone
            ("澥川商务楼宇社区", "building", None),
            ("澥川商务楼宇社区", "industrial", None),
            ("澥川新材料工业社区", "", None),  # no type
            ("澥川新材料工业社区", "industrial", "澥川新材料工业社区（党群）服务中心"),
            ("澥川新材料工业社区", "industrial", "澥川新材料工业社区服务中心"),
        ]]
    fit = naming.names_fit(proposals, ctx)
    assert fit == [True, True, False, False, True, False, False, False, False]
    for proposal, passes in zip(proposals, fit, strict=True):
        # a name that does not fit may still pass the rule (a centre name it gives right)
        assert not passes or not naming.check(proposal, ctx).findings
    assert not naming.check(proposals[7], ctx).findings
    assert [bool(naming.check(p, ctx).findings) for p in proposals if p.centre_name is None
            ] == [not f for p, f in zip(proposals, fit, strict=True) if p.centre_name is None]


def test_slivers_each_are_each_shapes_slivers_along_its_edge() -> None:
    """Strips along a 100 m square's edge: 2 m wide (a sliver), 20 m wide (none), 2 m wide
    but 200 m from it (none), and an L whose 2 m arm runs along the edge (one)."""
    from geo.carve import edge_bands_each, slivers, slivers_each

    along = box(0, 0, 100, 100)
    pieces = [box(100, 0, 102, 100), box(100, 0, 120, 100), box(0, 300, 100, 302),
              box(100, 0, 102, 100).union(box(100, 0, 140, 40)).union(box(0, -30, 140, 0))]
    windows, bands = edge_bands_each(np.array([along] * len(pieces), dtype=object), 5.0)
    strips, owner = slivers_each(np.array(pieces, dtype=object), 5.0, windows, bands)
    assert owner.tolist() == [0, 3]
    assert shapely.area(strips) == pytest.approx([200.0, 120.0], abs=0.1)
    for k, piece in enumerate(pieces):
        alone = slivers(piece, 5.0, along=along)
        assert shapely.equals_exact(np.array(alone, dtype=object), strips[owner == k]).all()


def test_holdings_and_employees_from_the_parcels_meeting_each_community() -> None:
    """B6 and B8 judged from the parcels and buildings meeting each community, not its
    boundary, as validate() judges them: in the 320 m square a plot inside, one cut in half,
    one cut by 1 % (under the least share), one just touching it outside, and a building
    holding the whole square; two small communities each holding half of one plot, whose
    employees come to 1.5 and 2.5 (2 and 2, as Python rounds)."""
    from geo.audit import audit, communities_from_frame
    from tests.geo.test_audit import assert_same_as_validate
    from tests.geo.test_validate_rules import frame, town

    plots = [box(150, 100, 200, 150), box(390, 100, 450, 150), box(419, 200, 519, 250),
             box(420, 300, 470, 350), box(100, 0, 500, 400)]
    parcels = frame({"kind": ["enterprise"] * 4 + ["vacant"], "name": [f"甲{i}" for i in range(5)],
                     "employees": [700, 3, 5, 40, 0]}, plots)
    buildings = frame({"use": ["industrial"] * 5, "name": [f"乙{i}" for i in range(5)],
                       "floors": [2] * 5, "floor_area_m2": [100.0] * 5}, plots)
    ctx = town(parcels=parcels, buildings=buildings)
    shapes = [box(100, 50, 420, 370), box(420, 100, 450, 150), box(469, 200, 519, 250)]
    layer = frame({"name": [f"丙{i}工业社区" for i in range(3)], "type": ["工业社区"] * 3},
                  shapes)
    communities, _ = communities_from_frame(layer)
    result = audit(communities, ctx)
    assert_same_as_validate(result, communities, ctx)
    # the square cuts plot 1 and building 1 in half, and building 4 (64 % inside); the
    # small ones each a plot and its building in half (building 4: under 1 % inside)
    assert [c.findings["B6"] for c in result.communities] == [3, 2, 2]
    assert [c.employees for c in result.communities] == [702, 2, 2]
