"""OGC API Features: landing page, conformance, collections, items with bbox, paging and CRS."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from geopandas.testing import assert_geoseries_equal
from shapely.geometry import box, shape

from api.crs import CRS84, crs_uri
from tests.api.conftest import DEMO


@pytest.fixture(scope="module")
def roads_4490() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "context.gpkg", layer="roads").to_crs(4490)


def test_landing_page_links_what_a_client_needs(client):
    links = {link["rel"]: link for link in client.get("/").json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= links.keys()
    assert links["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert client.get(links["service-desc"]["href"]).json()["openapi"].startswith("3.")


def test_conformance_declares_core_geojson_and_crs(client):
    classes = client.get("/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes


def test_collections_list_the_layers_with_crs_and_extent(client, auth, roads_4490):
    public = {c["id"]: c for c in client.get("/collections").json()["collections"]}
    assert set(public) == {"neighbours", "communities", "roads", "proposals", "grids",
                           "microgrids"}
    staff = {c["id"] for c in client.get("/collections", headers=auth["gis"]).json()["collections"]}
    assert "sites" in staff
    roads = public["roads"]
    assert {CRS84, crs_uri(4490), crs_uri(4549)} <= set(roads["crs"])
    assert roads["extent"]["spatial"]["bbox"][0] == pytest.approx(
        list(roads_4490.total_bounds), abs=1e-9
    )


def test_items_page_through_every_road_with_next_links(client, roads_4490):
    url, seen, matched = "/collections/roads/items?limit=250", [], None
    while url:
        page = client.get(url).json()
        matched = page["numberMatched"]
        assert page["numberReturned"] == len(page["features"]) <= 250
        seen += [f["id"] for f in page["features"]]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url = nxt[0] if nxt else None
    assert matched == len(roads_4490) == len(seen) == len(set(seen))


def test_bbox_returns_the_roads_whose_extent_meets_it(client, roads_4490):
    minx, miny, maxx, maxy = roads_4490.total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    query = (cx - 0.005, cy - 0.005, cx + 0.005, cy + 0.005)
    bounds = roads_4490.bounds
    expected = int(
        (
            (bounds.maxx >= query[0])
            & (bounds.minx <= query[2])
            & (bounds.maxy >= query[1])
            & (bounds.miny <= query[3])
        ).sum()
    )
    page = client.get(
        "/collections/roads/items", params={"bbox": ",".join(map(str, query)), "limit": 1000}
    ).json()
    assert 0 < page["numberMatched"] == expected < len(roads_4490)
    for feature in page["features"]:
        assert shape(feature["geometry"]).envelope.intersects(box(*query))


def test_crs_4549_output_is_northing_easting_and_matches_the_source(client):
    source = gpd.read_file(DEMO / "context.gpkg", layer="neighbours")  # stored in EPSG:4549
    response = client.get(
        "/collections/neighbours/items", params={"crs": "EPSG:4549", "limit": 100}
    )
    assert response.headers["Content-Crs"] == f"<{crs_uri(4549)}>"
    served = gpd.GeoDataFrame.from_features(response.json()["features"], crs=4549)
    easting_northing = shapely.transform(served.geometry.values, lambda yx: yx[:, ::-1])
    got = gpd.GeoSeries(easting_northing, index=served["name"], crs=4549)
    # rings are served counter-clockwise (RFC 7946 orientation), so compare them normalised
    assert_geoseries_equal(got.loc[source["name"]].normalize(),
                           source.set_index("name").geometry.normalize(), check_less_precise=True)


def test_bbox_crs_in_a_gauss_kruger_zone_selects_the_same_roads(client, roads_4490):
    roads = gpd.read_file(DEMO / "context.gpkg", layer="roads")  # EPSG:4549, easting/northing
    e0, n0, e1, n1 = roads.total_bounds
    ce, cn = (e0 + e1) / 2, (n0 + n1) / 2
    query = (cn - 300, ce - 300, cn + 300, ce + 300)  # northing, easting order
    page = client.get(
        "/collections/roads/items",
        params={"bbox": ",".join(map(str, query)), "bbox-crs": crs_uri(4549), "limit": 1000},
    ).json()
    inside = roads.cx[ce - 300 : ce + 300, cn - 300 : cn + 300]
    assert page["numberMatched"] >= len(inside) > 0
    assert {f["properties"]["name"] for f in page["features"]} >= set(inside["name"])


def test_one_item_by_id_and_unknown_ids(client):
    first = client.get("/collections/neighbours/items?limit=1").json()["features"][0]
    one = client.get(f"/collections/neighbours/items/{first['id']}")
    assert one.status_code == 200 and one.json()["properties"] == first["properties"]
    assert one.headers["content-type"].startswith("application/geo+json")
    assert client.get("/collections/neighbours/items/99999999").status_code == 404
