"""The district audit: each community judged as validate() judges it alone, overlaps found once.

The demo proposals are audited as one layer; a hand-built pair of overlapping squares has its
overlap worked out by hand; a synthetic district of 12 × 12 road blocks has planted flaws.
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from boundary_data.district import BLOCK, OVERLAP_M, build_district
from geo.audit import RULES, audit, communities_from_frame
from geo.context import build_context
from geo.errors import InputError
from geo.profile import community_profile
from geo.rules import Rules
from geo.rules.model import ProposalColumns
from geo.validate import validate
from tests.geo.test_validate_rules import frame, town


def assert_same_as_validate(result, communities, ctx):
    """Each community's ok and findings by rule are validate()'s for it alone."""
    assert [c.name for c in result.communities] == [c.name for c in communities]
    for outcome, community in zip(result.communities, communities, strict=True):
        report = validate(community, ctx)
        want = Counter(f.rule for f in report.findings)
        assert {r: n for r, n in outcome.findings.items() if n} == dict(want), community.name
        assert set(outcome.findings) == set(RULES)
        assert outcome.ok == report.ok, community.name
        assert outcome.employees == report.metrics["employees"], community.name


def assert_class_as_profile(result, communities, ctx):
    """Each valid community's class, index and enterprises are its profile's (the live-work
    share not given); a community B1 rejects has no class."""
    for outcome, community in zip(result.communities, communities, strict=True):
        if outcome.findings["B1"]:
            assert outcome.community_class is None and outcome.class_index is None
            continue
        profile = community_profile(community, ctx, year=2026)
        assert outcome.community_class == profile.community_class, community.name
        assert outcome.class_index == profile.index, community.name
        assert outcome.enterprises == profile.enterprises, community.name


@pytest.fixture(scope="module")
def demo_ctx(context):
    return build_context(context, Rules(), source="context.gpkg")


@pytest.mark.parametrize("crs", [None, "EPSG:4326"])
def test_demo_proposals_as_one_layer_match_validate(demo_ctx, proposals, crs):
    layer = gpd.GeoDataFrame(pd.concat(list(proposals.values()), ignore_index=True))
    layer = layer if crs is None else layer.to_crs(crs)
    communities, codes = communities_from_frame(layer, source="proposals.gpkg")
    result = audit(communities, demo_ctx, codes=codes)
    assert_same_as_validate(result, communities, demo_ctx)
    assert_class_as_profile(result, communities, demo_ctx)
    assert not all(c.ok for c in result.communities) and not result.ok
    # the demo proposals are variants of a few sites, so they overlap one another
    assert result.overlaps
    document = result.to_dict()
    assert {"communities", "overlaps"} <= set(document)
    assert set(document["communities"][0]) >= {"name", "ok", "findings", "overlaps", "employees",
                                               "employees_verified", "enterprises", "class",
                                               "class_index"}
    assert {c["class"] for c in document["communities"]} <= {"general", "larger", "extra_large"}


def test_two_overlapping_communities_give_one_overlap_of_the_area_by_hand():
    # 320 m squares on the roads x=100/420 and x=400/720: they share x=400..420, y=50..370,
    # 20 m × 320 m = 6,400 m²
    layer = frame({"name": ["甲工业社区", "乙工业社区"], "type": ["工业社区", "工业社区"]},
                  [box(100, 50, 420, 370), box(400, 50, 720, 370)])
    communities, _ = communities_from_frame(layer)
    result = audit(communities, town())
    assert len(result.overlaps) == 1
    overlap = result.overlaps[0]
    assert (overlap.a, overlap.b) == ("甲工业社区", "乙工业社区")
    assert overlap.area_m2 == pytest.approx(6_400.0)
    assert result.communities[0].overlaps == ("乙工业社区",)
    assert result.communities[1].overlaps == ("甲工业社区",)
    assert not result.ok
    assert result.to_dict()["overlaps"] == [{"a": "甲工业社区", "b": "乙工业社区",
                                             "area_m2": 6400.0}]


def test_touching_communities_do_not_overlap():
    layer = frame({"name": ["甲工业社区", "乙工业社区"], "type": ["工业社区", "工业社区"]},
                  [box(100, 50, 420, 370), box(420, 50, 720, 370)])
    communities, _ = communities_from_frame(layer)
    assert audit(communities, town()).overlaps == []


def test_a_bureau_layer_is_read_by_its_own_name_and_type_columns():
    squares = [box(100, 50, 420, 370), box(420, 50, 720, 370)]
    names, types = ["甲工业社区", "乙楼宇社区"], ["工业社区", "楼宇社区"]
    chinese = frame({"名称": names, "类型": types}, squares)
    communities, _ = communities_from_frame(chinese)
    assert [(c.name, c.type) for c in communities] == [("甲工业社区", "industrial"),
                                                      ("乙楼宇社区", "building")]
    bureau = frame({"XMMC": names, "SQLX": types}, squares)
    with pytest.raises(InputError) as caught:
        communities_from_frame(bureau, source="communities.gpkg")
    assert "XMMC, SQLX" in caught.value.message("en") and "名称" in caught.value.message("en")
    columns = ProposalColumns(name=["XMMC"], type=["SQLX"])
    communities, _ = communities_from_frame(bureau, columns=columns)
    assert [(c.name, c.type) for c in communities] == [("甲工业社区", "industrial"),
                                                      ("乙楼宇社区", "building")]


def test_synthetic_district_finds_the_planted_flaws_as_validate_does():
    district = build_district(12, seed=21)
    ctx = build_context(district.layers, Rules(), source="district.gpkg")
    communities, codes = communities_from_frame(district.communities)
    result = audit(communities, ctx, codes=codes)
    assert len(result.communities) == 144
    assert_same_as_validate(result, communities, ctx)
    assert district.overlapping and district.bad_names and district.oversize
    found = {(o.a, o.b): o.area_m2 for o in result.overlaps}
    assert found == pytest.approx({pair: OVERLAP_M * BLOCK for pair in district.overlapping})
    by_name = {c.name: c for c in result.communities}
    for name in district.bad_names:
        assert by_name[name].findings["B9"] == 1 and not by_name[name].ok
    for name in district.oversize:
        assert by_name[name].findings["B8"] == 1 and not by_name[name].ok
    for name in district.gapped:
        assert by_name[name].findings["B5"] >= 1 and not by_name[name].ok
    assert codes[0] == by_name[communities[0].name].code != ""
    planted = ({n for pair in district.overlapping for n in pair} | set(district.bad_names)
               | set(district.oversize) | set(district.gapped))
    assert all(c.ok for c in result.communities if c.name not in planted)


def test_invalid_community_is_reported_by_b1_and_b9_only():
    bow_tie = frame({"name": ["甲工业社区"], "type": ["工业社区"]},
                    [box(100, 50, 420, 370)])
    from shapely.geometry import Polygon

    from tests.geometries import here
    bow_tie.loc[0, "geometry"] = here(Polygon([(100, 50), (300, 250), (300, 50), (100, 250)]))
    communities, _ = communities_from_frame(bow_tie)
    result = audit(communities, town())
    assert_same_as_validate(result, communities, town())
    assert result.communities[0].findings["B1"] == 1 and result.overlaps == []
    assert result.communities[0].community_class is None


@pytest.mark.parametrize(("layer", "key"), [
    (frame({"name": [], "type": []}, []), "audit_layer_empty"),
    (frame({"type": ["工业社区"]}, [box(100, 50, 420, 370)]), "audit_no_name"),
    (frame({"name": ["甲工业社区"], "type": ["工业社区"]}, [box(100, 50, 420, 370).boundary]),
     "wrong_geometry_type"),
])
def test_unusable_layers_are_refused(layer, key):
    with pytest.raises(InputError) as caught:
        communities_from_frame(layer, source="communities.gpkg")
    assert caught.value.message_key == key
    assert "communities.gpkg" in caught.value.message("en")


def test_verified_figures_are_counted_as_validate_counts_them(context, proposals):
    # figures for the first 40 enterprises' codes: each parcel's employees become 1,000 + i
    parcels = context["parcels"]
    codes = parcels["uscc"].dropna().unique()[:40]
    employment = pd.DataFrame({"import_id": 1, "uscc": codes,
                               "employees": [1_000 + i for i in range(len(codes))]})
    ctx = build_context(context, Rules(), source="context.gpkg", employment=employment)
    layer = gpd.GeoDataFrame(pd.concat(list(proposals.values()), ignore_index=True))
    communities, _ = communities_from_frame(layer)
    result = audit(communities, ctx)
    assert_same_as_validate(result, communities, ctx)
    verified = [validate(c, ctx).metrics["employees_verified"] for c in communities]
    assert [c.employees_verified for c in result.communities] == verified
    assert any(verified)
    # the class follows the verified figures, as the profile's does
    assert_class_as_profile(result, communities, ctx)
    estimated = audit(communities, build_context(context, Rules(), source="context.gpkg"))
    assert ([c.class_index for c in result.communities]
            != [c.class_index for c in estimated.communities])
