"""B9 (001 § 二(一)3(1)): the community "XX工业社区" / "XX楼宇社区", and where the proposal names
its service centre, the centre "XX工业社区(党群)服务中心" after the community's own name."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.context import build_context
from geo.proposal import proposal_from_frame
from geo.rules import Rules
from geo.validate import ERROR, naming


@pytest.fixture(scope="module")
def ctx(context):
    return build_context(context, Rules(), source="context.gpkg")


def _proposal(name: str, kind: str, centre: str | None):
    columns = {"name": [name], "type": [kind]}
    if centre is not None:
        columns["centre_name"] = [centre]
    frame = gpd.GeoDataFrame(columns, geometry=[box(0, 0, 100, 100)], crs="EPSG:4549")
    return proposal_from_frame(frame, source="test.gpkg")


@pytest.mark.parametrize("centre", [None, "澥川工业社区(党群)服务中心",
                                    "澥川工业社区（党群）服务中心"])
def test_a_centre_named_after_the_community_passes(ctx, centre):
    assert naming.check(_proposal("澥川工业社区", "工业社区", centre), ctx).findings == ()


@pytest.mark.parametrize("centre", ["澥川社区服务中心", "澥浦工业社区(党群)服务中心",
                                    "澥川工业社区党群服务中心"])
def test_a_centre_not_named_after_the_community_is_an_error_naming_the_right_name(ctx, centre):
    findings = naming.check(_proposal("澥川工业社区", "工业社区", centre), ctx).findings
    assert [(f.rule, f.severity, f.key) for f in findings] == [
        ("B9", ERROR, "b9_bad_centre_name")]
    assert "澥川工业社区(党群)服务中心" in findings[0].message("zh")
    assert "should be" in findings[0].message("en")


def test_a_building_community_centre_follows_its_own_name(ctx):
    ok = naming.check(_proposal("中官楼宇社区", "楼宇社区", "中官楼宇社区(党群)服务中心"), ctx)
    assert ok.findings == ()
    both = naming.check(_proposal("中官社区", "楼宇社区", "中官社区服务中心"), ctx).findings
    assert [f.key for f in both] == ["b9_bad_name", "b9_bad_centre_name"]
