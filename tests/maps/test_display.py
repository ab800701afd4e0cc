"""Shapes are simplified for display only, in metres, and grids still tile after it."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import shapely

from geo.validate import validate
from maps import page_html, validation_map
from maps.display import Display
from tests.geometries import EMPTY, bow_tie
from tests.maps.pages import control, layers


def _noisy_pair() -> list[shapely.Polygon]:
    """Two 200 m squares sharing an edge traced with a vertex every 2 m and 0.2 m of noise."""
    y = np.arange(0.0, 200.0 + 1e-9, 2.0)
    x = 640_200.0 + np.random.default_rng(4).uniform(-0.2, 0.2, len(y))
    edge = np.column_stack([x, 3_300_000.0 + y])  # south to north
    west = shapely.Polygon([(640_000.0, 3_300_200.0), (640_000.0, 3_300_000.0), *edge])
    east = shapely.Polygon([*edge, (640_400.0, 3_300_200.0), (640_400.0, 3_300_000.0)])
    return [west, east]


def test_simplified_grids_keep_their_shared_edges():
    pair = _noisy_pair()
    assert shapely.coverage_is_valid(np.array(pair, dtype=object))
    drawn = Display(simplify_m=1.0).geometries(pair, "EPSG:4549", coverage=True)
    before, after = (shapely.get_num_coordinates(g).sum() for g in (pair, drawn))
    assert after < before / 2
    metric = gpd.GeoSeries(drawn, crs=4326).to_crs(4549).values
    overlap = shapely.intersection(metric[0], metric[1]).area
    gap = shapely.union_all(metric).area - metric[0].area - metric[1].area
    assert overlap < 0.01 and abs(gap) < 0.01  # one shared edge, no sliver either way


def test_lon_lat_input_is_simplified_in_metres_not_degrees():
    pair = _noisy_pair()
    lonlat = gpd.GeoSeries(pair, crs=4549).to_crs(4326).values
    from_metres = Display(simplify_m=1.0).geometries(pair, "EPSG:4549")
    from_degrees = Display(simplify_m=1.0).geometries(lonlat, "EPSG:4326")
    counts = shapely.get_num_coordinates(from_metres), shapely.get_num_coordinates(from_degrees)
    assert np.array_equal(*counts)


def test_no_tolerance_keeps_every_vertex():
    pair = _noisy_pair()
    drawn = Display().geometries(pair, "EPSG:4549")
    assert np.array_equal(shapely.get_num_coordinates(drawn), shapely.get_num_coordinates(pair))


def test_an_invalid_or_empty_boundary_is_drawn_with_where_it_fails(ctx, good):
    bowtie = replace(good, geometry=bow_tie(*good.geometry.bounds))
    page = page_html(validation_map(validate(bowtie, ctx), bowtie, ctx))
    findings = layers(page)["findings"]["data"]["features"]
    assert [f["geometry"]["type"] for f in findings] == ["Point"]  # the self-intersection
    assert control(page, "panel")["items"][0]["badge"] == "B1"
    empty = replace(good, geometry=EMPTY)
    page = page_html(validation_map(validate(empty, ctx), empty, ctx))
    assert "proposal" not in layers(page) and layers(page)["findings"]["data"]["features"] == []
    assert "（无位置）" in control(page, "panel")["items"][0]["detail"]
