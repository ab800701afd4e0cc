"""Tests of geo.crs: GCJ-02, CGCS2000 Gauss–Krüger zones and input CRS checks.

Expected values come from published test data of other projects or from hand arithmetic,
never from this module's own output.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point, Polygon

from geo.crs import (
    cm_epsg_from_zone_prefixed,
    gcj02_may_apply,
    gcj02_to_wgs84,
    geometry_from_gcj02,
    geometry_to_gcj02,
    gk_cm_epsg_for_longitude,
    is_gk_cm,
    is_gk_zone_prefixed,
    resolve_crs,
    to_work_crs,
    wgs84_to_gcj02,
    work_crs,
)
from geo.errors import CRSError, InputError, MissingCRSError

GEOD = pyproj.Geod(ellps="WGS84")

# Published WGS 84 -> GCJ-02 pairs (wgs_lon, wgs_lat, gcj_lon, gcj_lat), from the test data
# of googollee/eviltransform (go/transform_test.go and python/test.py, the latter asserting
# 6 decimal places). The projects store them as (lat, lng); reordered here to (lon, lat).
EVILTRANSFORM_PAIRS = [
    pytest.param(121.5272106, 31.1774276, 121.531541859215, 31.17530398364597, id="shanghai"),
    pytest.param(113.912316, 22.543847, 113.9171764808363, 22.540796131694766, id="shenzhen"),
    pytest.param(116.377817, 39.911954, 116.38404722455657, 39.91334545536069, id="beijing"),
]
EVILTRANSFORM_DECIMALS = 6

# Published GCJ-02 -> WGS 84 value from hujiulong/gcoord, test/unit/crs/GCJ02.spec.js:
# GCJ02.to.WGS84([123, 45]) is close to [122.99395597, 44.99804071] to 5 decimals; and a
# point outside China, [183, 45], comes back unchanged.
GCOORD_GCJ = (123.0, 45.0)
GCOORD_WGS = (122.99395597, 44.99804071)
GCOORD_DECIMALS = 5


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist)


def _frame(geoms, crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [f"f{i}" for i in range(len(geoms))]}, geometry=geoms, crs=crs)


def _web_mercator(lon: float, lat: float) -> tuple[float, float]:
    """Spherical Web Mercator by hand (EPSG:3857), independent of pyproj."""
    r = 6378137.0
    return r * math.radians(lon), r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


# --- GCJ-02 ----------------------------------------------------------------------------


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), EVILTRANSFORM_PAIRS)
def test_wgs84_to_gcj02_matches_published_eviltransform_pairs(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    tol = 0.5 * 10**-EVILTRANSFORM_DECIMALS
    assert lon == pytest.approx(gcj_lon, abs=tol)
    assert lat == pytest.approx(gcj_lat, abs=tol)


@pytest.mark.parametrize(("wgs_lon", "wgs_lat", "gcj_lon", "gcj_lat"), EVILTRANSFORM_PAIRS)
def test_gcj02_to_wgs84_recovers_published_wgs84_within_one_centimetre(
    wgs_lon, wgs_lat, gcj_lon, gcj_lat
):
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert _metres(lon, lat, wgs_lon, wgs_lat) < 0.01


def test_gcj02_to_wgs84_matches_published_gcoord_value():
    lon, lat = gcj02_to_wgs84(*GCOORD_GCJ)
    tol = 0.5 * 10**-GCOORD_DECIMALS
    assert lon == pytest.approx(GCOORD_WGS[0], abs=tol)
    assert lat == pytest.approx(GCOORD_WGS[1], abs=tol)


@pytest.mark.parametrize(
    ("lon", "lat"), [(183.0, 45.0), (2.3522, 48.8566), (-74.006, 40.7128), (139.69, 35.69)]
)
def test_points_outside_china_are_returned_unchanged(lon, lat):
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_gcj02_offset_in_china_is_a_few_hundred_metres():
    lon = np.array([116.39, 121.47, 104.07, 87.62, 126.64, 110.35])
    lat = np.array([39.91, 31.23, 30.67, 43.82, 45.76, 20.02])
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    offsets = _metres(lon, lat, gcj_lon, gcj_lat)
    assert np.all((offsets > 50) & (offsets < 1000))


def test_gcj02_round_trip_is_below_one_centimetre():
    lon, lat = np.meshgrid(np.arange(73.5, 135.5, 0.73), np.arange(18.0, 53.5, 0.61))
    lon, lat = lon.ravel(), lat.ravel()
    wgs_lon, wgs_lat = gcj02_to_wgs84(lon, lat)
    back_lon, back_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert np.max(_metres(lon, lat, back_lon, back_lat)) < 0.01
    # and the inverse really moved the points: it is not the identity
    assert np.min(_metres(lon, lat, wgs_lon, wgs_lat)) > 1.0


def test_scalar_input_gives_floats_and_array_input_gives_arrays():
    lon, lat = wgs84_to_gcj02(116.377817, 39.911954)
    assert isinstance(lon, float) and isinstance(lat, float)
    lons, lats = gcj02_to_wgs84([116.38, 121.53], [39.91, 31.17])
    assert isinstance(lons, np.ndarray) and lons.shape == (2,) and lats.shape == (2,)


def test_geometry_to_gcj02_moves_every_vertex_and_keeps_index_crs_and_z():
    (wgs_lon, wgs_lat, gcj_lon, gcj_lat) = EVILTRANSFORM_PAIRS[0].values
    (w2_lon, w2_lat, g2_lon, g2_lat) = EVILTRANSFORM_PAIRS[2].values
    series = gpd.GeoSeries(
        [Point(wgs_lon, wgs_lat, 7.5), LineString([(wgs_lon, wgs_lat), (w2_lon, w2_lat)]), None],
        index=[10, 20, 30],
        crs="EPSG:4490",
    )
    out = geometry_to_gcj02(series)
    assert list(out.index) == [10, 20, 30] and out.crs == series.crs
    tol = 0.5 * 10**-EVILTRANSFORM_DECIMALS
    assert out[10].has_z and out[10].z == 7.5
    assert out[10].x == pytest.approx(gcj_lon, abs=tol)
    assert out[10].y == pytest.approx(gcj_lat, abs=tol)
    expected_line = np.array([[gcj_lon, gcj_lat], [g2_lon, g2_lat]])
    np.testing.assert_allclose(shapely.get_coordinates(out[20]), expected_line, atol=tol)
    assert out[30] is None


def test_geometry_from_gcj02_undoes_the_offset_of_a_polygon():
    (wgs_lon, wgs_lat, gcj_lon, gcj_lat) = EVILTRANSFORM_PAIRS[2].values
    square = Polygon([(gcj_lon, gcj_lat), (gcj_lon + 0.01, gcj_lat), (gcj_lon, gcj_lat + 0.01)])
    back = geometry_from_gcj02(square)
    assert isinstance(back, Polygon)
    first = shapely.get_coordinates(back)[0]
    assert _metres(first[0], first[1], wgs_lon, wgs_lat) < 0.01


# --- Gauss–Krüger zones ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "epsg"),
    [
        (121.6, 4550),  # 121.6 / 3 = 40.53 -> CM 123°E = 4534 + (123 - 75) / 3
        (120.0, 4549),  # CM 120°E
        (118.6, 4549),  # 39.53 -> 40 -> CM 120°E
        (75.0, 4534),
        (73.5, 4534),  # western edge
        (116.4, 4548),  # Beijing: 38.8 -> 39 -> CM 117°E
        (135.0, 4554),
        (136.5, 4554),  # eastern edge
    ],
)
def test_gk_cm_epsg_for_longitude_picks_the_nearest_central_meridian(lon, epsg):
    assert gk_cm_epsg_for_longitude(lon) == epsg


@pytest.mark.parametrize("lon", [73.4, 136.6, 2.35, -120.0, float("nan")])
def test_gk_cm_epsg_for_longitude_refuses_longitudes_outside_china(lon):
    with pytest.raises(CRSError):
        gk_cm_epsg_for_longitude(lon)


def test_gk_code_families_and_prefix_conversion():
    assert is_gk_cm(4534) and is_gk_cm(4549) and is_gk_cm(4554)
    assert not is_gk_cm(4533) and not is_gk_cm(4555) and not is_gk_cm(4490)
    assert is_gk_zone_prefixed(4513) and is_gk_zone_prefixed(4528) and is_gk_zone_prefixed(4533)
    assert not is_gk_zone_prefixed(4512) and not is_gk_zone_prefixed(4534)
    assert cm_epsg_from_zone_prefixed(4513) == 4534
    assert cm_epsg_from_zone_prefixed(4528) == 4549
    assert cm_epsg_from_zone_prefixed(4533) == 4554
    with pytest.raises(ValueError):
        cm_epsg_from_zone_prefixed(4549)


def test_work_crs_picks_zone_from_centre_of_geographic_bounds():
    # Ningbo, 121.4–121.8°E: centre 121.6°E -> CM 123°E
    assert work_crs("EPSG:4490", (121.4, 29.7, 121.8, 30.1)).to_epsg() == 4550


def test_work_crs_picks_zone_from_centre_of_other_projected_bounds():
    x0, y0 = _web_mercator(121.4, 29.7)
    x1, y1 = _web_mercator(121.8, 30.1)
    assert work_crs("EPSG:3857", (x0, y0, x1, y1)).to_epsg() == 4550


def test_work_crs_keeps_data_already_in_a_cm_zone_even_outside_its_band():
    # Ningbo stored in CM 120°E although 121.6°E is nearer CM 123°E: keep it in 4549
    assert work_crs("EPSG:4549", (640_000, 3_290_000, 680_000, 3_330_000)).to_epsg() == 4549


def test_work_crs_uses_cm_code_for_zone_prefixed_data():
    bounds = (40_640_000, 3_290_000, 40_680_000, 3_330_000)
    assert work_crs("EPSG:4528", bounds).to_epsg() == 4549


def test_work_crs_override_wins_and_must_be_metric():
    bounds = (640_000, 3_290_000, 680_000, 3_330_000)
    assert work_crs("EPSG:4549", bounds, override="EPSG:4550").to_epsg() == 4550
    with pytest.raises(CRSError, match="work_crs"):
        work_crs("EPSG:4490", (121.4, 29.7, 121.8, 30.1), override="EPSG:4490")
    with pytest.raises(CRSError, match="nonsense"):
        work_crs("EPSG:4490", (121.4, 29.7, 121.8, 30.1), override="nonsense")


def test_to_work_crs_converts_zone_prefixed_data_by_exactly_forty_million_metres():
    gdf = _frame([Point(40_650_000.0, 3_306_000.0), Point(40_512_345.5, 3_400_000.25)], "EPSG:4528")
    out = to_work_crs(gdf)
    assert out.crs.to_epsg() == 4549
    np.testing.assert_allclose(out.geometry.x, gdf.geometry.x - 40_000_000.0, rtol=0, atol=1e-6)
    np.testing.assert_allclose(out.geometry.y, gdf.geometry.y, rtol=0, atol=1e-6)


def test_to_work_crs_returns_a_copy_when_already_in_the_work_crs():
    gdf = _frame([Point(650_000.0, 3_306_000.0)], "EPSG:4549")
    out = to_work_crs(gdf)
    assert out is not gdf
    assert_geodataframe_equal(out, gdf)


def test_to_work_crs_projects_geographic_data_onto_the_picked_central_meridian():
    # A point on 123°E lies on the central meridian of EPSG:4550: easting 500 000 m exactly
    # (false easting, scale 1) and northing = GRS80 meridian arc length to its latitude.
    lat = 30.0
    gdf = _frame([Point(123.0, lat), Point(120.4, 29.5)], "EPSG:4490")  # centre 121.7°E
    out = to_work_crs(gdf)
    assert out.crs.to_epsg() == 4550
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    phi = np.linspace(0.0, math.radians(lat), 200_001)
    m = a * (1 - e2) / (1 - e2 * np.sin(phi) ** 2) ** 1.5
    arc = float(np.sum((m[1:] + m[:-1]) / 2 * np.diff(phi)))
    assert out.geometry.iloc[0].x == pytest.approx(500_000.0, abs=1e-6)
    assert out.geometry.iloc[0].y == pytest.approx(arc, abs=0.01)


# --- resolve_crs ----------------------------------------------------------------------


def test_missing_crs_is_refused_naming_the_file_and_layer():
    gdf = _frame([Point(121.5, 31.2)], None)
    with pytest.raises(MissingCRSError) as err:
        resolve_crs(gdf, path="data/parcels.gpkg", layer="parcels")
    message = str(err.value)
    assert "data/parcels.gpkg" in message and "parcels" in message and "--crs" in message
    assert isinstance(err.value, InputError)


@pytest.mark.parametrize("declared", ["GCJ02", "gcj-02", "Gcj02"])
def test_gcj02_declared_input_lands_at_its_wgs84_position(declared):
    (wgs_lon, wgs_lat, gcj_lon, gcj_lat) = EVILTRANSFORM_PAIRS[2].values
    gdf = _frame([Point(gcj_lon, gcj_lat)], None)
    out = resolve_crs(gdf, declared=declared)
    assert out.crs.to_epsg() == 4490
    pt = out.geometry.iloc[0]
    assert _metres(pt.x, pt.y, wgs_lon, wgs_lat) < 0.01
    assert gdf.geometry.iloc[0].x == gcj_lon  # input not mutated


def test_declared_crs_wins_over_the_files_crs():
    gdf = _frame([Point(650_000.0, 3_306_000.0)], "EPSG:4326")  # mislabelled file
    out = resolve_crs(gdf, declared="4549")
    assert out.crs.to_epsg() == 4549
    assert (out.geometry.iloc[0].x, out.geometry.iloc[0].y) == (650_000.0, 3_306_000.0)


@pytest.mark.parametrize("declared", ["not-a-crs", "EPSG:999999", "WGS 1984 of Mars"])
def test_unparseable_crs_string_is_refused(declared):
    gdf = _frame([Point(121.5, 31.2)], "EPSG:4490")
    with pytest.raises(CRSError) as err:
        resolve_crs(gdf, declared=declared, path="in.shp")
    assert declared in str(err.value) and "in.shp" in str(err.value)


def test_swapped_latitude_and_longitude_are_refused():
    gdf = _frame([Point(31.2, 121.5), Point(30.1, 120.2)], "EPSG:4490")
    with pytest.raises(CRSError, match="swapped") as err:
        resolve_crs(gdf, path="pois.csv")
    assert "pois.csv" in str(err.value)


def test_data_in_europe_is_refused():
    gdf = _frame([Point(2.3522, 48.8566), Point(13.405, 52.52)], "EPSG:4326")
    with pytest.raises(CRSError, match="outside China"):
        resolve_crs(gdf, path="eu.geojson")


def test_projected_data_in_europe_is_refused():
    gdf = _frame([Point(*_web_mercator(2.3522, 48.8566))], "EPSG:3857")
    with pytest.raises(CRSError, match="outside China"):
        resolve_crs(gdf)


def test_a_crs_without_a_datum_is_refused_as_not_convertible():
    # what GDAL reads for a GeoPackage's srs_id -1, "undefined Cartesian SRS"
    local = pyproj.CRS.from_wkt('ENGCRS["Undefined Cartesian SRS",EDATUM[""],'
                                'CS[Cartesian,2],AXIS["easting",east,LENGTHUNIT["metre",1]],'
                                'AXIS["northing",north,LENGTHUNIT["metre",1]]]')
    gdf = _frame([Point(664_000, 3_315_000)], local)
    with pytest.raises(CRSError, match="outside China") as err:
        resolve_crs(gdf, path="local.gpkg")
    assert "do not convert to longitude/latitude" in str(err.value)


def test_zone_prefixed_eastings_declared_as_cm_code_are_refused_as_a_prefix_mixup():
    gdf = _frame([Point(40_650_000.0, 3_306_000.0)], None)
    with pytest.raises(CRSError, match="zone-prefix") as err:
        resolve_crs(gdf, declared="EPSG:4549", layer="roads")
    assert "EPSG:4528" in str(err.value) and "roads" in str(err.value)


def test_zone_prefixed_input_is_converted_to_its_cm_code():
    gdf = _frame([Point(40_650_000.0, 3_306_000.0)], "EPSG:4528")
    out = resolve_crs(gdf)
    assert out.crs.to_epsg() == 4549
    assert out.geometry.iloc[0].x == pytest.approx(650_000.0, abs=1e-6)
    assert out.geometry.iloc[0].y == pytest.approx(3_306_000.0, abs=1e-6)


@pytest.mark.parametrize(
    ("crs", "xy"),
    [
        ("EPSG:4549", (650_000.0, 3_306_000.0)),
        ("EPSG:4490", (121.6, 29.9)),
        ("EPSG:4326", (121.6, 29.9)),
    ],
)
def test_plausible_data_is_never_reprojected(crs, xy):
    gdf = _frame([Point(*xy)], crs)
    out = resolve_crs(gdf)
    assert out.crs == gdf.crs
    assert (out.geometry.iloc[0].x, out.geometry.iloc[0].y) == xy


def test_empty_frame_skips_the_plausibility_checks():
    gdf = _frame([], "EPSG:4326")
    assert resolve_crs(gdf).crs.to_epsg() == 4326


def test_gcj02_declared_on_web_mercator_lands_at_its_wgs84_position():
    # AMap's own projection: GCJ-02 lon/lat in Web Mercator metres, the file saying EPSG:3857
    (wgs_lon, wgs_lat, gcj_lon, gcj_lat) = EVILTRANSFORM_PAIRS[2].values
    gdf = _frame([Point(gcj_lon, gcj_lat)], "EPSG:4326").to_crs(3857)
    out = resolve_crs(gdf, declared="GCJ02")
    assert out.crs.to_epsg() == 4490
    pt = out.geometry.iloc[0]
    assert _metres(pt.x, pt.y, wgs_lon, wgs_lat) < 0.01


def test_gcj02_declared_on_cgcs2000_metres_is_refused():
    gdf = _frame([Point(650_000.0, 3_306_000.0)], "EPSG:4549")
    with pytest.raises(CRSError, match="GCJ-02"):
        resolve_crs(gdf, declared="GCJ02", path="cad.dxf")


@pytest.mark.parametrize(("crs", "may"), [(4326, True), (4490, True), (3857, True),
                                           (32651, True), (4549, False), (2385, False)])
def test_gcj02_may_apply_to_lonlat_and_wgs84_projections_only(crs, may):
    assert gcj02_may_apply(pyproj.CRS.from_epsg(crs)) is may
