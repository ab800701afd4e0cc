"""Registration (登记注册, 001 § 二(一)4) on the demo town: the villages get their new
boundaries, the community joins the neighbours as an industrial community, later proposals
are judged against it (rule B5), a revision retires the old boundary, and the history answers
"which boundary was valid on date D".

Expected figures are worked out from the layers with plain shapely (what each village gives is
its overlap with the registered community), never copied from the code's own output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from geo.context import build_context
from geo.errors import InputError
from geo.proposal import proposal_from_frame
from geo.register import VALID_FROM, VALID_TO, as_of, register, registered_layers
from geo.revision import REGISTERED_KIND, revision_context
from geo.rules import Rules
from geo.validate import validate

FIRST, SECOND = dt.date(2026, 6, 30), dt.date(2027, 3, 1)
NAME = "澥川新材料工业社区"


def _context(layers, neighbours):
    return build_context({**layers, "neighbours": neighbours}, Rules(), source="context.gpkg")


@pytest.fixture(scope="module")
def town(context, proposals):
    """The demo town before, after registering good_industrial, and after its revision to the
    boundary of flaw_b3_offroad_edge (same name, reaching further north)."""
    ctx0 = build_context(context, Rules(), source="context.gpkg")
    first = register(proposal_from_frame(proposals["good_industrial"]), ctx0, date=FIRST)
    current1, history1 = registered_layers(first, context["neighbours"], None)
    ctx1 = _context(context, current1)
    second = register(proposal_from_frame(proposals["flaw_b3_offroad_edge"]), ctx1, date=SECOND)
    current2, history2 = registered_layers(second, current1, history1)
    return {"ctx0": ctx0, "first": first, "current1": current1, "history1": history1,
            "ctx1": ctx1, "second": second, "current2": current2, "history2": history2}


def test_each_village_is_smaller_by_exactly_what_it_gave(town, context):
    before = context["neighbours"].set_index("name")
    after = town["current1"].set_index("name")
    community = after.geometry[NAME]
    touched = 0
    for name, geom in before.geometry.items():
        gave = geom.intersection(community).area
        assert abs(geom.area - after.geometry[name].area - gave) < 1.0, name
        touched += gave > 1.0
    assert touched == len(town["first"].changes) >= 2


def test_the_community_joins_the_neighbours_as_an_industrial_community(town, context):
    current = town["current1"]
    assert len(current) == len(context["neighbours"]) + 1
    row = current[current["name"] == NAME].iloc[0]
    assert row["kind"] == REGISTERED_KIND and row[VALID_FROM] == FIRST.isoformat()
    assert abs(current.area.sum() - context["neighbours"].area.sum()) < 1.0
    assert shapely.coverage_is_valid(current.geometry.values)


def test_the_replaced_boundaries_are_kept_with_their_dates(town, context):
    history = town["history1"]
    changed = {c.name for c in town["first"].changes}
    assert set(history["name"]) == changed
    assert list(history[VALID_TO]) == [FIRST.isoformat()] * len(changed)
    assert history[VALID_FROM].isna().all()
    original = context["neighbours"].set_index("name").geometry
    for _, row in history.iterrows():
        assert row.geometry.equals(original[row["name"]])


def test_overlapping_a_registered_community_is_a_b5_error_naming_it(town, proposals):
    other = proposal_from_frame(proposals["flaw_b9_bad_name"])  # another name, same land
    findings = [f for f in validate(other, town["ctx1"]).findings if f.rule == "B5"]
    named = [f for f in findings if f.key == "b5_overlaps_registered"]
    assert len(named) == 1 and named[0].severity == "error"
    assert named[0].params["neighbour"] == NAME
    assert abs(named[0].measure["area_m2"] - town["first"].community.area) < 1.0
    # before registration the same proposal only took village land
    before = validate(other, town["ctx0"]).findings
    assert not [f for f in before if f.key == "b5_overlaps_registered"]


def test_registering_over_a_registered_community_is_refused(town, proposals):
    other = proposal_from_frame(proposals["flaw_b9_bad_name"])
    with pytest.raises(InputError) as refused:
        register(other, town["ctx1"], date=SECOND)
    assert NAME in refused.value.message("en")


def _ring(community, gap: float):
    """A 150 m wide strip along the community's west side, ``gap`` metres away from it."""
    x0, y0, _, y1 = community.bounds
    band = shapely.difference(community.buffer(gap + 150, join_style="mitre"),
                              community.buffer(gap, join_style="mitre"))
    return shapely.intersection(band, box(x0 - 400, y0 + 300, x0 + 100, y1 - 300))


@pytest.mark.parametrize(("gap", "found"), [(3.0, True), (0.0, False)])
def test_a_gap_against_a_registered_community_is_found(town, proposals, gap, found):
    community = town["first"].community
    base = proposal_from_frame(proposals["good_building"])
    strip = dataclasses.replace(base, name="澥川西区工业社区", geometry=_ring(community, gap))
    keys = [f.key for f in validate(strip, town["ctx1"]).findings if f.rule == "B5"]
    assert ("b5_gap_sliver" in keys) is found
    assert "b5_overlaps_registered" not in keys


def test_a_revision_is_judged_without_its_old_boundary(town, proposals):
    revised = proposal_from_frame(proposals["flaw_b3_offroad_edge"])
    keys = [f.key for f in validate(revised, town["ctx1"]).findings if f.rule == "B5"]
    assert "b5_overlaps_registered" not in keys
    released = revision_context(revised, town["ctx1"])
    assert NAME not in set(released.require("neighbours")["name"])
    assert abs(released.require("neighbours").area.sum()
               - town["ctx1"].require("neighbours").area.sum()) < 1.0


def test_a_revision_retires_the_old_boundary_and_updates_the_villages(town):
    current1, current2 = town["current1"].set_index("name"), town["current2"]
    assert (current2["name"] == NAME).sum() == 1
    new = current2.set_index("name").geometry[NAME]
    old = current1.geometry[NAME]
    assert town["second"].retired is not None
    retired = town["history2"][town["history2"]["name"] == NAME]
    assert len(retired) == 1 and retired.iloc[0][VALID_FROM] == FIRST.isoformat()
    assert retired.iloc[0][VALID_TO] == SECOND.isoformat() and retired.iloc[0].geometry.equals(old)
    # the villages give what the new boundary takes beyond the old one, and get back the rest
    after = current2.set_index("name")
    for name, geom in current1.geometry.items():
        if name == NAME:
            continue
        gave, back = geom.intersection(new).area, _returned(old, new, name, after)
        assert abs(geom.area - gave + back - after.geometry[name].area) < 1.0, name
    assert abs(current2.area.sum() - current1.geometry.area.sum()) < 1.0


def _returned(old, new, name, after) -> float:
    """Land of the old boundary outside the new one that the village ``name`` holds now."""
    return old.difference(new).intersection(after.geometry[name]).area


def test_boundaries_by_date(town, context):
    current, history = town["current2"], town["history2"]
    original = as_of(current, history, dt.date(2026, 1, 1))
    assert sorted(original["name"]) == sorted(context["neighbours"]["name"])
    assert abs(original.area.sum() - context["neighbours"].area.sum()) < 1.0
    first = as_of(current, history, dt.date(2026, 12, 31)).set_index("name")
    second = as_of(current, history, SECOND).set_index("name")
    assert first.geometry[NAME].equals(town["current1"].set_index("name").geometry[NAME])
    assert second.geometry[NAME].equals(current.set_index("name").geometry[NAME])
    for frame in (first, second):
        assert len(frame) == len(context["neighbours"]) + 1
        assert abs(frame.geometry.area.sum() - context["neighbours"].area.sum()) < 1.0


def test_a_date_before_one_recorded_is_refused(town, proposals):
    prop = proposal_from_frame(proposals["good_building"])
    registration = register(prop, town["ctx1"], date=dt.date(2026, 1, 1))
    with pytest.raises(InputError) as refused:
        registered_layers(registration, town["current1"], town["history1"])
    assert refused.value.field == VALID_FROM and "2026-06-30" in refused.value.message("en")


def test_the_file_crs_and_columns_are_kept(town, context):
    neighbours = context["neighbours"].to_crs("EPSG:4490").rename(columns={"name": "mc"})
    current, history = registered_layers(town["first"], neighbours, None, columns={"name": "mc"})
    assert current.crs == neighbours.crs and history.crs == neighbours.crs
    assert NAME in set(current["mc"]) and "name" not in current.columns
    assert isinstance(current, gpd.GeoDataFrame)
