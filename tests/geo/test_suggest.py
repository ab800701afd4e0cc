"""Suggested boundaries (geo.suggest): the union of road-bounded blocks closest to a sketch or a
failing proposal passes rules B2, B3 and B6, judged by the rules themselves, and its overlap
with the original is what the suggestion reports."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geo.context import build_context
from geo.errors import InputError
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.suggest import KEPT_RULES, choose_blocks, compose, suggest, town_blocks
from geo.validate import ERROR, validate

FLAWED = ("flaw_b2_disjoint", "flaw_b3_offroad_edge", "flaw_b6_cut_parcel")


@pytest.fixture(scope="module")
def ctx(context):
    return build_context(context, Rules(), source="context.gpkg")


def _errors(proposal, ctx) -> set[str]:
    return {f.rule for f in validate(proposal, ctx).findings if f.severity == ERROR}


def _iou(a, b) -> float:
    return shapely.intersection(a, b).area / shapely.union(a, b).area


@pytest.mark.parametrize("name", FLAWED)
def test_the_suggestion_for_a_flawed_demo_proposal_passes_b2_b3_b6(name, ctx, proposals):
    original = proposal_from_frame(proposals[name])
    assert _errors(original, ctx) & set(KEPT_RULES), "the demo proposal should fail its rule"
    result = suggest(original, ctx)
    assert result.ok and not result.errors
    assert _errors(result.proposal, ctx) & set(KEPT_RULES) == set()
    assert result.proposal.name == original.name and result.proposal.type == original.type
    assert result.proposal.crs == original.crs
    # the reported overlap and areas are those of the shapes themselves
    summary = result.to_dict()
    drawn = result.proposal.to_crs(ctx.crs)
    base = original.to_crs(ctx.crs)
    assert summary["overlap_iou"] == pytest.approx(_iou(drawn, base), abs=1e-4)
    assert summary["overlap_iou"] > 0.9
    assert summary["area_m2"] == pytest.approx(drawn.area, abs=0.5)
    assert summary["added_m2"] == pytest.approx(shapely.difference(drawn, base).area, abs=0.5)
    assert summary["removed_m2"] == pytest.approx(shapely.difference(base, drawn).area, abs=0.5)
    assert summary["passes"] == dict.fromkeys(KEPT_RULES, True)


def test_the_disjoint_part_is_joined_through_blocks_or_dropped_into_one_part(ctx, proposals):
    result = suggest(proposal_from_frame(proposals["flaw_b2_disjoint"]), ctx)
    assert result.geometry.geom_type == "Polygon"


def test_a_good_proposal_of_whole_blocks_is_suggested_unchanged(ctx, proposals):
    original = proposal_from_frame(proposals["good_industrial"])
    result = suggest(original, ctx)
    assert result.overlap_iou == pytest.approx(1.0, abs=1e-6)
    assert result.added.area < 1.0 and result.removed.area < 1.0


def test_a_rough_rectangle_sketch_becomes_a_block_union_that_passes(ctx, proposals):
    good = proposal_from_frame(proposals["good_industrial"]).to_crs(ctx.crs)
    sketch = box(*good.bounds).buffer(-60, join_style="mitre")
    original = dataclasses.replace(proposal_from_frame(proposals["good_industrial"]),
                                   geometry=sketch, crs=ctx.crs)
    assert _errors(original, ctx) & set(KEPT_RULES)
    result = suggest(original, ctx)
    assert _errors(result.proposal, ctx) & set(KEPT_RULES) == set()
    assert result.overlap_iou > 0.8


def test_the_suggestion_comes_back_in_the_input_crs(ctx, proposals):
    frame = proposals["flaw_b3_offroad_edge"]
    in_metres = suggest(proposal_from_frame(frame), ctx)
    in_degrees = suggest(proposal_from_frame(frame.to_crs(4490)), ctx)
    assert in_degrees.proposal.crs.to_epsg() == 4490
    assert in_degrees.blocks == in_metres.blocks
    assert _iou(in_degrees.proposal.to_crs(ctx.crs), in_metres.geometry) > 0.9999


def test_a_sketch_outside_every_block_is_refused_by_name(ctx, proposals):
    far = Point(ctx.town.bounds[2] + 5000, ctx.town.bounds[3] + 5000).buffer(100)
    original = dataclasses.replace(proposal_from_frame(proposals["good_industrial"]),
                                   geometry=far, crs=ctx.crs)
    with pytest.raises(InputError) as caught:
        suggest(original, ctx)
    assert original.name in caught.value.message("en")


def test_blocks_tile_the_town_and_cut_no_enterprise_plot(ctx):
    blocks = town_blocks(ctx)
    assert sum(blocks.area) == pytest.approx(ctx.town.area, rel=1e-6)
    assert compose(blocks, range(len(blocks))).area == pytest.approx(ctx.town.area, rel=1e-6)


def test_choose_blocks_keeps_the_set_connected_and_maximises_overlap():
    # a row of five unit blocks 0-1-2-3-4; the target covers 0, 1, 3 and 4 fully
    neighbours = [{1}, {0, 2}, {1, 3}, {2, 4}, {3}]
    area = np.ones(5)
    inside = np.array([1.0, 1.0, 0.0, 1.0, 1.0])
    # joining through block 2 (IoU 4/5) beats either half alone (IoU 2/4)
    assert choose_blocks(inside, area, neighbours, 4.0) == {0, 1, 2, 3, 4}
    # a target mostly on one side keeps that side only
    inside = np.array([1.0, 1.0, 0.0, 0.2, 0.0])
    assert choose_blocks(inside, area, neighbours, 2.2) == {0, 1}
    assert choose_blocks(np.zeros(5), area, neighbours, 1.0) == set()
