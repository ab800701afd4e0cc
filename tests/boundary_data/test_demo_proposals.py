"""Each demo proposal has exactly its one known flaw (the good ones none).

The checks here are plain geometry written for the test, independent of sijie's validator:
each one is the simplest reading of a rule of DOMAIN.md with the default numbers.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

N, M = 3_000, 6_000  # the default employment target and maximum (B8)
SNAP_M = 5.0


def _thin_parts(geom, width: float):
    """Pieces of ``geom`` narrower than ``width`` (what an opening by width/2 removes)."""
    opened = geom.buffer(-width / 2, join_style="mitre").buffer(width / 2, join_style="mitre")
    return [p for p in shapely.get_parts(shapely.difference(geom, opened)) if p.area > 200]


def b2_contiguous(p, row, ctx):
    parts = shapely.get_parts(p)
    declared = json.loads(row["custodial_parts"]) if row["custodial_parts"] else []
    return len(parts) == 1 or len(parts) - 1 == len(declared)


def b3_edges_on_features(p, row, ctx):
    roads = ctx["roads"]
    follow = shapely.union_all(
        list(roads.geometry.buffer(roads["width_m"] / 2 + 5.0))
        + list(ctx["water"].geometry.buffer(15.0))
        + list(ctx["terrain"].geometry.buffer(30.0))
        + [ctx["jurisdiction"].geometry.iloc[0].exterior.buffer(5.0)]
    )
    loose = shapely.difference(p.boundary, follow)
    return 1 - loose.length / p.length >= 0.90


def b4_regular(p, row, ctx):
    return 4 * np.pi * p.area / p.length**2 >= 0.30 and p.area / p.convex_hull.area >= 0.70


def b5_seamless(p, row, ctx):
    for village in ctx["neighbours"].geometry:
        if not village.intersects(p):
            continue
        taken, left = shapely.intersection(village, p), shapely.difference(village, p)
        if _thin_parts(taken, SNAP_M) or _thin_parts(left, SNAP_M):
            return False
        pieces = [g for g in shapely.get_parts(left) if g.area > 1.0]
        if len(pieces) > 1 or (pieces and pieces[0].area < 20_000):
            return False
    return True


def b6_holdings_whole(p, row, ctx):
    parcels = ctx["parcels"].query("kind in ('enterprise', 'park')").geometry
    for holdings in (parcels, ctx["buildings"].geometry):
        share = shapely.area(shapely.intersection(holdings.values, p)) / holdings.area.values
        if ((share > 0.01) & (share < 0.99)).any():
            return False
    return True


def _land_share(p, ctx, classes):
    landuse = ctx["landuse"]
    inside = shapely.area(shapely.intersection(landuse.geometry.values, p))
    land = inside[~landuse["class"].isin(["road", "water"]).values].sum()
    return inside[landuse["class"].isin(classes).values].sum() / land


def b7_industrial_character(p, row, ctx):
    classes = ["industrial"] if row["type"] == "industrial" else ["office", "commercial"]
    return _land_share(p, ctx, classes) >= 0.60


def _employees(p, ctx):
    parcels = ctx["parcels"]
    inside = shapely.within(parcels.geometry.representative_point().values, p)
    return int(parcels["employees"][inside].sum())


def b8_scale(p, row, ctx):
    employees = _employees(p, ctx)
    return employees <= M and abs(employees - N) <= 0.5 * N


def b9_name(p, row, ctx):
    return row["name"].endswith("工业社区" if row["type"] == "industrial" else "楼宇社区")


def b10_no_residents(p, row, ctx):
    residential = _land_share(p, ctx, ["residential"]) > 0
    homes = ctx["buildings"].query("use == 'residential'").geometry.values
    return not residential and not shapely.intersects(homes, p).any()


CHECKS = {"B2": b2_contiguous, "B3": b3_edges_on_features, "B4": b4_regular, "B5": b5_seamless,
          "B6": b6_holdings_whole, "B7": b7_industrial_character, "B8": b8_scale, "B9": b9_name,
          "B10": b10_no_residents}
EXPECTED = {
    "good_industrial": set(), "good_building": set(), "good_custodial_enclave": set(),
    "flaw_b2_disjoint": {"B2"}, "flaw_b3_offroad_edge": {"B3"}, "flaw_b4_irregular": {"B4"},
    "flaw_b5_gap": {"B5"}, "flaw_b5_overlap": {"B5"}, "flaw_b6_cut_parcel": {"B6"},
    "flaw_b7_not_industrial": {"B7"}, "flaw_b8_oversize": {"B8"}, "flaw_b9_bad_name": {"B9"},
    "flaw_b10_residents": {"B10"},
}


def test_every_expected_proposal_is_shipped(proposals):
    assert set(proposals) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_proposal_has_exactly_its_known_flaw(name, proposals, context):
    frame = proposals[name]
    assert len(frame) == 1 and frame.crs.to_epsg() == 4549
    row, geom = frame.iloc[0], frame.geometry.iloc[0]
    assert geom.is_valid
    failed = {rule for rule, check in CHECKS.items() if not check(geom, row, context)}
    assert failed == EXPECTED[name]


def test_b5_slivers_are_three_metres_wide(proposals):
    good = proposals["good_industrial"].geometry.iloc[0]
    gap = shapely.difference(good, proposals["flaw_b5_gap"].geometry.iloc[0])
    overlap = shapely.difference(proposals["flaw_b5_overlap"].geometry.iloc[0], good)
    for sliver in (gap, overlap):
        assert 900 < sliver.area < 1_200  # 3 m × 360 m
        assert sliver.buffer(-1.6).is_empty  # nowhere wider than 3.2 m


def test_good_proposals_have_facility_land_available(proposals, context):
    parcels = context["parcels"].query("kind == 'vacant'")
    for name in ("good_industrial", "good_building"):
        p = proposals[name].geometry.iloc[0]
        inside = parcels[shapely.within(parcels.geometry.values, p)]
        assert (inside.area >= 3_000).any(), name


def test_oversize_proposal_exceeds_the_maximum(proposals, context):
    assert _employees(proposals["flaw_b8_oversize"].geometry.iloc[0], context) > M
