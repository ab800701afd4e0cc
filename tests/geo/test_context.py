"""Context: required layers as plain frames, optional ones as None, derived things built once."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
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


def test_layers_are_taken_as_given_and_the_frames_read_are_left_as_they_were():
    """Empty shapes dropped and the rest numbered from 0, numbers read from text, absent
    columns added in sijie's order; the caller's frames keep their rows, columns and values."""
    neighbours = gpd.GeoDataFrame({"name": ["甲村", "乙村"], "code": ["1", "2"],
                                   "kind": ["village", "village"]},
                                  geometry=[box(655_000, 3_315_000, 655_600, 3_315_400),
                                            box(655_600, 3_315_000, 655_900, 3_315_400)],
                                  crs=CRS, index=[7, 9])
    roads = gpd.GeoDataFrame({"name": ["纬一路", "空路"], "width_m": ["10", None],
                              "class": ["branch", "branch"]},
                             geometry=[LineString([(655_000, 3_315_050), (655_600, 3_315_050)]),
                                       LineString()], crs=CRS)
    before = {"neighbours": neighbours.copy(), "roads": roads.copy()}
    ctx = build_context({"neighbours": neighbours, "roads": roads}, Rules(), source="town.gpkg")
    got = ctx.require("roads")
    assert list(got.columns) == ["class", "name", "width_m", "geometry"]
    assert list(got.index) == [0] and got["width_m"].tolist() == [10.0]
    assert list(ctx.require("neighbours").index) == [0, 1]
    for name, frame in (("neighbours", neighbours), ("roads", roads)):
        pd.testing.assert_frame_equal(frame, before[name])
