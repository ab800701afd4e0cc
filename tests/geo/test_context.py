"""Context: required layers as plain frames, optional ones as None, derived things built once."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

from geo.context import Context, build_context
from geo.errors import InputError
from geo.rules import Rules

CRS = "EPSG:4549"


def _ctx() -> Context:
    neighbours = gpd.GeoDataFrame({"name": ["甲村"], "code": ["1"], "kind": ["village"]},
                                  geometry=[box(655_000, 3_315_000, 655_600, 3_315_400)], crs=CRS)
    roads = gpd.GeoDataFrame({"name": ["纬一路"], "class": ["branch"], "width_m": [10.0]},
                             geometry=[LineString([(655_000, 3_315_050), (655_600, 3_315_050)])],
                             crs=CRS)
    return build_context({"neighbours": neighbours, "roads": roads}, Rules(), source="town.gpkg")


def test_require_gives_a_required_layer_as_a_frame():
    frame = _ctx().require("roads")
    assert isinstance(frame, gpd.GeoDataFrame)
    assert list(frame["name"]) == ["纬一路"]


def test_require_of_an_absent_layer_is_an_input_error_naming_it():
    with pytest.raises(InputError) as caught:
        _ctx().require("parcels")
    assert caught.value.params["role"] == "parcels"
    assert caught.value.path == "town.gpkg"


def test_an_absent_optional_layer_is_none_and_nothing_lies_inside_it():
    ctx = _ctx()
    assert ctx.layer("parcels") is None
    assert ctx.inside("parcels", box(655_000, 3_315_000, 655_600, 3_315_400)).size == 0


def test_cached_builds_once_and_other_rules_start_afresh():
    ctx = _ctx()
    calls: list[int] = []

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert ctx.cached("answer", build) == 1
    assert ctx.cached("answer", build) == 1
    assert ctx.with_rules(Rules()).cached("answer", build) == 2
