"""OGC API Features conformance on both stores: every Part 1 core requirement (landing page,
conformance, collections, a collection, items with limit/offset/bbox/datetime, paging links,
numberMatched/numberReturned/timeStamp, one feature, 400 and 404 problems, media types), and
each class ``/conformance`` declares: HTML, GeoJSON, Part 2 CRS, Part 3 queryables and CQL2
filters (text and JSON, basic, advanced comparison, case-insensitive, property-property,
spatial), Part 4 create/replace/update/delete with ETags on proposals, Part 6 property
selection and Part 8 sortables and sorting; with HEAD, gzip, CORS and Link headers. A filter
carrying SQL is refused or read as a literal, and changes nothing.

Each test names the classes it exercises (:func:`exercises`); ``/conformance`` must declare
exactly those, so a class declared without a test here, or tested but not declared, fails."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import box, shape
from sqlalchemy import func, select

from api.app import create_app
from api.crs import CRS84, crs_uri
from api.db.models import ContextFeature, Proposal, ProposalVersion, WorkflowEvent
from tests.api.conftest import (
    DEMO,
    assert_problem,
    bearer,
    demo_feature,
    make_settings,
    service_per_engine,
)

service = service_per_engine("ogc")

#: conformance class -> the tests below that exercise it
EXERCISED: dict[str, list[str]] = {}


def exercises(*classes: str) -> Callable[[Callable], Callable]:
    """Record that the decorated test exercises ``classes``."""
    def mark(test: Callable) -> Callable:
        for name in classes:
            EXERCISED.setdefault(name, []).append(test.__name__)
        return test
    return mark

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
CRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/"
FILTER = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
EDIT = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/"
PROPERTIES = "http://www.opengis.net/spec/ogcapi-features-6/1.0/conf/"
SORTING = "http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/"
SORTABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/sortables"
GEOJSON = "application/geo+json"
PUBLIC = ("neighbours", "communities", "roads", "proposals", "grids", "microgrids")


@pytest.fixture(scope="module")
def staff(service):
    return bearer(service, "gis", "minzheng")


@pytest.fixture(scope="module")
def roads() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "context.gpkg", layer="roads").to_crs(4490)


@pytest.fixture(scope="module")
def villages() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO / "context.gpkg", layer="neighbours").to_crs(4490)


def _items(service, collection="roads", headers=None, **params):
    response = service.get(f"/collections/{collection}/items", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _links(document) -> dict[str, dict]:
    return {link["rel"]: link for link in document["links"]}


# --- Part 1 core: landing page, conformance, collections ------------------------------------

@exercises(f"{CORE}core")
def test_landing_page_links_the_api_definition_conformance_and_data(service):
    response = service.get("/")
    assert response.headers["content-type"].startswith("application/json")
    links = _links(response.json())
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(links)
    definition = service.get(links["service-desc"]["href"]).json()
    # the type the link names is the document's own OpenAPI version
    version = re.search(r"version=(\d\.\d)", links["service-desc"]["type"]).group(1)
    assert definition["openapi"].startswith(version)
    assert service.get(links["data"]["href"]).status_code == 200


def test_conformance_declares_exactly_the_classes_the_tests_here_exercise(service):
    response = service.get("/conformance")
    assert response.headers["content-type"].startswith("application/json")
    declared = response.json()["conformsTo"]
    assert len(declared) == len(set(declared))
    assert set(declared) - set(EXERCISED) == set(), "declared, never exercised"
    assert set(EXERCISED) - set(declared) == set(), "exercised, not declared"
    # the OpenAPI document is 3.1, so Part 1's OpenAPI 3.0 class is not claimed
    assert service.get("/api.json").json()["openapi"].startswith("3.1")
    assert f"{CORE}oas30" not in declared


@exercises(f"{CORE}core")
def test_the_api_definition_documents_the_items_parameters_and_400s(service):
    items = service.get("/api.json").json()["paths"]["/collections/{collection_id}/items"]["get"]
    names = {p["name"] for p in items["parameters"]}
    assert {"bbox", "bbox-crs", "crs", "limit", "offset", "datetime", "filter", "filter-lang",
            "filter-crs", "sortby", "properties", "f"} <= names
    assert "400" in items["responses"] and "422" not in items["responses"]


@exercises(f"{CORE}core")
def test_every_collection_has_links_crs_and_a_valid_extent_or_none(service, staff):
    document = service.get("/collections").json()
    assert _links(document)["self"]["type"] == "application/json"
    listed = {c["id"]: c for c in document["collections"]}
    assert set(listed) == set(PUBLIC)
    for c in listed.values():
        links = _links(c)
        assert {"self", "items", "http://www.opengis.net/def/rel/ogc/1.0/queryables"} <= set(links)
        assert links["items"]["type"] == GEOJSON
        assert CRS84 in c["crs"] and c["storageCrs"] == crs_uri(4490)
        if "extent" in c:
            (bbox,) = c["extent"]["spatial"]["bbox"]
            assert len(bbox) == 4 and bbox[0] <= bbox[2] and bbox[1] <= bbox[3]
        assert service.get(f"/collections/{c['id']}").json() == c
    # nothing approved yet: the public sees no proposals and no extent, never "bbox": []
    assert "extent" not in listed["proposals"] and "extent" in listed["roads"]
    # the villages' validity: since the records began, still valid; roads have no time
    assert listed["neighbours"]["extent"]["temporal"]["interval"] == [[None, None]]
    assert "temporal" not in listed["roads"]["extent"]
    assert_problem(service.get("/collections/nowhere"), 404, "collection_not_found")
    assert_problem(service.get("/collections/sites"), 401)


# --- Part 1 core: items ---------------------------------------------------------------------

@exercises(f"{CORE}core", f"{CORE}geojson")
def test_items_page_with_limit_offset_counts_time_stamp_and_links(service, roads):
    response = service.get("/collections/roads/items", params={"limit": 250, "offset": 250})
    page = response.json()
    assert response.headers["content-type"].startswith(GEOJSON)
    assert page["type"] == "FeatureCollection" and page["numberMatched"] == len(roads)
    assert page["numberReturned"] == len(page["features"]) == 250
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", page["timeStamp"])
    links = _links(page)
    assert {"self", "alternate", "next", "prev"} <= set(links)
    assert "offset=500" in links["next"]["href"] and "offset=0" in links["prev"]["href"]
    header = response.headers["link"]
    for rel in ("self", "next", "prev", "alternate"):
        assert f'rel="{rel}"' in header
    assert f'<{links["next"]["href"]}>; rel="next"' in header
    last = service.get(links["next"]["href"]).json()
    assert last["numberReturned"] == len(roads) - 500 and "next" not in _links(last)


@exercises(f"{CORE}core")
def test_bbox_and_datetime_select_features(service, roads, villages):
    x0, y0, x1, y1 = roads.total_bounds
    query = ((x0 + x1) / 2 - 0.004, (y0 + y1) / 2 - 0.004, (x0 + x1) / 2 + 0.004,
             (y0 + y1) / 2 + 0.004)
    b = roads.bounds
    expected = int(((b.maxx >= query[0]) & (b.minx <= query[2]) & (b.maxy >= query[1])
                    & (b.miny <= query[3])).sum())
    page = _items(service, bbox=",".join(map(str, query)), limit=1000)
    assert 0 < page["numberMatched"] == expected < len(roads)
    now = _items(service, "neighbours", datetime="2030-01-01T00:00:00Z", limit=100)
    assert now["numberMatched"] == len(villages)
    assert {f["properties"]["name"] for f in now["features"]} == set(villages["name"])


@pytest.mark.parametrize("params", [
    {"limit": "0"}, {"limit": "ten"}, {"offset": "-1"}, {"f": "xml"}, {"bbox": "1,2,3"},
    {"bbox": "a,b,c,d"}, {"bbox-crs": "EPSG:3857", "bbox": "1,2,3,4"}, {"crs": "EPSG:3857"},
    {"datetime": "yesterday"}, {"filter": "name ="}, {"filter-lang": "sql", "filter": "x"},
    {"filter-crs": "EPSG:4549"}, {"sortby": "nothing"}, {"properties": "nothing"},
], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
@exercises(f"{CORE}core")
def test_invalid_parameters_are_400_problems(service, params):
    assert_problem(service.get("/collections/roads/items", params=params), 400)


def test_unknown_parameters_are_refused_by_name_but_f_and_datetime_are_served(service):
    body = assert_problem(service.get("/collections/roads/items?colour=red&limit=1"), 400,
                          "parameter_unknown")
    assert "colour" in body["detail"]
    assert_problem(service.get("/collections/roads/items/1?colour=red"), 400, "parameter_unknown")
    assert_problem(service.get("/conformance?colour=red"), 400, "parameter_unknown")
    # datetime only where features have a time
    assert_problem(service.get("/collections/roads/items?datetime=2026-01-01"), 400,
                   "datetime_not_served")
    assert service.get("/collections/neighbours/items?datetime=2026-01-01&limit=1").is_success
    assert service.get("/collections/roads/items?f=json&limit=1").is_success
    page = service.get("/collections/roads/items?f=html&limit=1")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


@exercises(f"{CORE}core", f"{CORE}geojson")
def test_one_feature_its_links_and_404s(service):
    first = _items(service, "neighbours", limit=1)["features"][0]
    response = service.get(f"/collections/neighbours/items/{first['id']}")
    assert response.headers["content-type"].startswith(GEOJSON)
    feature = response.json()
    assert feature["type"] == "Feature" and feature["properties"] == first["properties"]
    assert {"self", "alternate", "collection"} <= set(_links(feature))
    assert 'rel="self"' in response.headers["link"]
    assert_problem(service.get("/collections/neighbours/items/99999999"), 404,
                   "feature_not_found")
    assert_problem(service.get("/collections/neighbours/items/abc"), 404)
    assert_problem(service.get("/collections/nowhere/items"), 404, "collection_not_found")


@exercises(f"{CORE}html")
def test_every_resource_is_also_an_html_page(service):
    first = _items(service, "roads", limit=1)["features"][0]["id"]
    for path in ("/", "/collections", "/collections/roads", "/collections/roads/items?limit=5",
                 f"/collections/roads/items/{first}"):
        for page in (service.get(path, params={"f": "html"}),
                     service.get(path, headers={"Accept": "text/html"})):
            assert page.status_code == 200, path
            assert page.headers["content-type"].startswith("text/html"), path
            assert page.text.lstrip().lower().startswith("<!doctype html"), path


def test_head_answers_every_get_resource_without_a_body(service):
    first = _items(service, "roads", limit=1)["features"][0]["id"]
    for path in ("/", "/conformance", "/collections", "/collections/roads",
                 "/collections/roads/queryables", "/collections/roads/sortables",
                 "/collections/roads/items?limit=5",
                 f"/collections/roads/items/{first}", "/api.json"):
        got, head = service.get(path), service.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]


def test_large_answers_are_gzipped(service):
    response = service.get("/collections/roads/items?limit=200",
                           headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["numberReturned"] == 200


def test_cors_is_off_by_default_and_allows_the_origins_set(service):
    origin = {"Origin": "https://gis.example.gov.cn"}
    assert "access-control-allow-origin" not in service.get("/collections", headers=origin).headers
    settings = make_settings(service.app.state.settings.database_url,
                             service.app.state.upload_dir)
    settings.cors_origins = ["https://gis.example.gov.cn"]
    with TestClient(create_app(settings)) as other:
        answer = other.get("/collections", headers=origin)
        assert answer.headers["access-control-allow-origin"] == origin["Origin"]
        assert "ETag" in answer.headers["access-control-expose-headers"]
        preflight = other.options("/collections/proposals/items/1", headers={
            **origin, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "If-Match, Content-Type"})
        assert preflight.status_code == 200
        refused = other.get("/collections", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in refused.headers


# --- Part 2: CRS -----------------------------------------------------------------------------

@exercises(f"{CRS}crs")
def test_crs_and_bbox_crs_in_a_gauss_kruger_zone(service):
    source = gpd.read_file(DEMO / "context.gpkg", layer="roads")  # EPSG:4549 easting/northing
    e0, n0, e1, n1 = source.total_bounds
    ce, cn = (e0 + e1) / 2, (n0 + n1) / 2
    zone = crs_uri(4549)
    response = service.get("/collections/roads/items", params={
        "bbox": f"{cn - 400},{ce - 400},{cn + 400},{ce + 400}", "bbox-crs": zone, "crs": zone,
        "limit": 1000})
    assert response.headers["content-crs"] == f"<{zone}>"
    got = {f["properties"]["name"] for f in response.json()["features"]}
    assert got >= set(source.cx[ce - 400:ce + 400, cn - 400:cn + 400]["name"])
    northing, easting = response.json()["features"][0]["geometry"]["coordinates"][0]
    assert n0 - 1 <= northing <= n1 + 1 and e0 - 1 <= easting <= e1 + 1


# --- Part 3: queryables, CQL2, sortby, properties -------------------------------------------

@exercises(f"{FILTER}queryables")
def test_queryables_are_a_json_schema_of_each_collection(service, staff):
    for collection in (*PUBLIC, "sites"):
        headers = staff["gis"] if collection == "sites" else None
        response = service.get(f"/collections/{collection}/queryables", headers=headers)
        assert response.status_code == 200, collection
        assert response.headers["content-type"].startswith("application/schema+json")
        schema = response.json()
        assert schema["type"] == "object" and schema["$schema"].endswith("2020-12/schema")
        assert schema["properties"]["geometry"] == {"title": "geometry",
                                                    "format": "geometry-any"}
    roads = service.get("/collections/roads/queryables").json()["properties"]
    assert roads["name"]["type"] == "string" and roads["width_m"]["type"] == "number"
    proposals = service.get("/collections/proposals/queryables").json()["properties"]
    assert {"name", "type", "state", "version", "area_m2"} <= set(proposals)
    assert "etag" not in proposals  # staff-only attribute
    assert "etag" in service.get("/collections/proposals/queryables",
                                 headers=staff["gis"]).json()["properties"]


def _matched(service, collection="roads", lang="cql2-text", **params) -> int:
    text = params.pop("filter")
    if not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False)
    return _items(service, collection, filter=text, **{"filter-lang": lang}, limit=1,
                  **params)["numberMatched"]


@exercises(f"{FILTER}filter", f"{FILTER}features-filter", f"{CQL2}cql2-text",
           f"{CQL2}cql2-json", f"{CQL2}basic-cql2", f"{CQL2}advanced-comparison-operators",
           f"{CQL2}case-insensitive-comparison", f"{CQL2}property-property")
def test_basic_and_advanced_comparisons_match_the_demo_data(service, roads):
    wide = int((roads.width_m > 12).sum())
    assert 0 < _matched(service, filter="width_m > 12") == wide
    assert _matched(service, filter={"op": ">", "args": [{"property": "width_m"}, 12]},
                    lang="cql2-json") == wide
    arterial = int((roads["class"] == "arterial").sum())
    assert _matched(service, filter="class = 'arterial'") == arterial > 0
    assert _matched(service, filter="NOT (class = 'arterial')") == len(roads) - arterial
    assert _matched(service, filter="class <> 'arterial' AND width_m >= 0") == len(
        roads) - arterial
    named_road = int(roads.name.str.endswith("路").sum())
    assert _matched(service, filter="name LIKE '%路'") == named_road > 0
    between = int(roads.width_m.between(8, 20).sum())
    assert _matched(service, filter="width_m BETWEEN 8 AND 20") == between
    assert _matched(service, filter={"op": "between", "args": [{"property": "width_m"}, 8, 20]},
                    lang="cql2-json") == between
    two = set(roads["class"].unique()[:2])
    in_two = int(roads["class"].isin(two).sum())
    quoted = ", ".join(f"'{c}'" for c in two)
    assert _matched(service, filter=f"class IN ({quoted})") == in_two
    assert _matched(service, filter="CASEI(class) = casei('ARTERIAL')") == arterial
    assert _matched(service, filter="name IS NULL") == int(roads.name.isna().sum())
    assert _matched(service, filter="width_m = width_m") == int(roads.width_m.notna().sum())


@exercises(f"{CQL2}basic-spatial-functions", f"{CQL2}spatial-functions")
@pytest.mark.parametrize("function", ["S_INTERSECTS", "S_WITHIN", "S_DISJOINT", "S_CROSSES"])
def test_spatial_functions_match_shapely_on_the_demo_roads(service, roads, function):
    x0, y0, x1, y1 = roads.total_bounds
    area = box(x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, x0 + (x1 - x0) * 0.6,
               y0 + (y1 - y0) * 0.6)
    test = {"S_INTERSECTS": roads.intersects, "S_WITHIN": roads.within,
            "S_DISJOINT": roads.disjoint, "S_CROSSES": roads.crosses}[function]
    expected = int(test(area).sum())
    text = f"{function}(geometry, {shapely.to_wkt(area, rounding_precision=-1)})"
    assert _matched(service, filter=text) == expected
    as_json = {"op": function.lower(), "args": [{"property": "geometry"},
                                                shapely.geometry.mapping(area)]}
    assert _matched(service, filter=as_json, lang="cql2-json") == expected


@exercises(f"{CQL2}basic-spatial-functions-plus")
def test_bbox_point_line_multi_and_filter_crs_literals(service, roads, villages):
    x0, y0, x1, y1 = roads.total_bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    expected = int(roads.intersects(box(cx - 0.003, cy - 0.003, cx + 0.003, cy + 0.003)).sum())
    bbox = f"S_INTERSECTS(geometry, BBOX({cx - 0.003},{cy - 0.003},{cx + 0.003},{cy + 0.003}))"
    assert _matched(service, filter=bbox) == expected > 0
    bbox_json = {"op": "s_intersects", "args": [{"property": "geometry"},
                                                {"bbox": [cx - 0.003, cy - 0.003, cx + 0.003,
                                                          cy + 0.003]}]}
    assert _matched(service, filter=bbox_json, lang="cql2-json") == expected
    village = villages.iloc[0]
    inside = village.geometry.representative_point()
    point = f"S_INTERSECTS(geometry, POINT({inside.x} {inside.y}))"
    assert _matched(service, "neighbours", filter=point) == 1
    line = shapely.LineString([(inside.x - 0.01, inside.y), (inside.x + 0.01, inside.y)])
    several = shapely.MultiPoint([inside, (x1 + 1, y1 + 1)])
    for literal in (line, several, shapely.MultiPolygon([village.geometry.buffer(-1e-5)])):
        expected = int(villages.intersects(literal).sum())
        text = f"S_INTERSECTS(geometry, {shapely.to_wkt(literal, rounding_precision=-1)})"
        assert _matched(service, "neighbours", filter=text) == expected >= 1, literal.geom_type
    # the same point given in EPSG:4490 (latitude first) and the zone (northing, easting)
    lat_lon = f"S_INTERSECTS(geometry, POINT({inside.y} {inside.x}))"
    assert _matched(service, "neighbours", filter=lat_lon, **{"filter-crs": "EPSG:4490"}) == 1
    zone = gpd.GeoSeries([inside], crs=4490).to_crs(4549).iloc[0]
    n_e = f"S_INTERSECTS(geometry, POINT({zone.y} {zone.x}))"
    assert _matched(service, "neighbours", filter=n_e, **{"filter-crs": crs_uri(4549)}) == 1


@exercises(f"{SORTING}sortables")
def test_sortables_are_a_json_schema_linked_from_each_collection_and_its_items(service, staff):
    for collection in (*PUBLIC, "sites"):
        headers = staff["gis"] if collection == "sites" else None
        link = _links(service.get(f"/collections/{collection}", headers=headers).json())[
            SORTABLES_REL]
        assert link["href"].endswith(f"/collections/{collection}/sortables")
        items = service.head(f"/collections/{collection}/items", headers=headers)
        assert f'<{link["href"]}>; rel="{SORTABLES_REL}"' in items.headers["link"]
        response = service.get(link["href"], headers=headers)
        assert response.headers["content-type"].startswith("application/schema+json")
        schema = response.json()
        assert schema["$id"] == link["href"] and schema["type"] == "object"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False
        assert all("type" in p for p in schema["properties"].values())  # no geometry
        # a layer's columns are read from its features: one with none has nothing to sort by
        held = _items(service, collection, headers=headers, limit=1)["numberMatched"]
        assert schema["properties"] or not held, collection
        queryables = service.get(f"/collections/{collection}/queryables", headers=headers).json()
        assert set(schema["properties"]) == set(queryables["properties"]) - {"geometry"}


@exercises(f"{SORTING}sorting", f"{SORTING}features-sorting")
def test_sortby_orders_by_the_sortables(service, roads):
    sortables = set(service.get("/collections/roads/sortables").json()["properties"])
    assert {"width_m", "name"} <= sortables
    page = _items(service, sortby="-width_m,name", limit=1000)
    keys = [(-f["properties"]["width_m"], f["properties"]["name"]) for f in page["features"]]
    assert keys == sorted(keys) and len(keys) == len(roads)
    up = _items(service, sortby="+width_m", limit=5)
    assert [f["properties"]["width_m"] for f in up["features"]] == sorted(roads.width_m)[:5]
    assert "sortby=" in _links(up)["self"]["href"]
    for wrong in ("geometry", "this_is_not_a_sortable", "THIS IS NOT A SORTBY EXPRESSION"):
        assert_problem(service.get("/collections/roads/items", params={"sortby": wrong}), 400)


@exercises(f"{PROPERTIES}properties", f"{PROPERTIES}properties-features")
def test_properties_select_what_items_and_one_item_return(service, roads):
    page = _items(service, properties="name,width_m", limit=1000)
    assert len(page["features"]) == len(roads)
    assert all(set(f["properties"]) == {"name", "width_m"} for f in page["features"])
    assert all(f["geometry"] for f in page["features"])
    first = page["features"][0]
    one = service.get(f"/collections/roads/items/{first['id']}", params={"properties": "name"})
    assert one.status_code == 200 and one.json()["properties"] == {
        "name": first["properties"]["name"]}
    everything = service.get(f"/collections/roads/items/{first['id']}").json()["properties"]
    assert {"name", "width_m", "class"} <= set(everything)
    for path in ("/collections/roads/items", f"/collections/roads/items/{first['id']}"):
        assert_problem(service.get(path, params={"properties": "name,secret"}), 400,
                       "properties_unknown")


def test_a_quote_doubled_in_a_text_literal_is_one_quote_as_in_the_json_encoding(service, staff):
    gis = staff["gis"]
    feature = demo_feature("good_industrial")
    feature["properties"]["name"] = "O'Brien 新材料工业社区"
    created = service.post("/collections/proposals/items", json=feature, headers=gis)
    assert created.status_code == 201, created.text
    fid = created.json()["id"]
    name = {"op": "=", "args": [{"property": "name"}, "O'Brien 新材料工业社区"]}
    assert _matched(service, "proposals", filter=name, lang="cql2-json", headers=gis) == 1
    for text in ("name = 'O''Brien 新材料工业社区'", "name LIKE 'O''%'",
                 "name IN ('x', 'O''Brien 新材料工业社区')",
                 "CASEI(name) = casei('o''brien 新材料工业社区')"):
        page = _items(service, "proposals", headers=gis, filter=text)
        assert [f["id"] for f in page["features"]] == [fid], text
    assert _matched(service, "proposals", filter="name = 'O''Brien'", headers=gis) == 0
    assert _matched(service, "proposals", filter="name = ''", headers=gis) == 0
    # a single quote inside ends the literal: what follows is no CQL2
    assert_problem(service.get("/collections/proposals/items", headers=gis,
                               params={"filter": "name = 'O'Brien 新材料工业社区'"}), 400,
                   "filter_invalid")


@pytest.mark.parametrize("text, code", [
    ("nothing = 1", "filter_property_unknown"),
    ("width_m > 'wide'", "filter_type"),
    ("name = 3", "filter_type"),
    ("S_INTERSECTS(name, POINT(1 2))", "filter_type"),
    ("T_AFTER(name, TIMESTAMP('2026-01-01T00:00:00Z'))", None),
    ("upper(name) = 'A'", None),
])
def test_filters_that_cannot_be_served_are_400(service, text, code):
    assert_problem(service.get("/collections/roads/items", params={"filter": text}), 400, code)


def _counts(service) -> dict[str, int]:
    with service.app.state.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Proposal, ProposalVersion, ContextFeature, WorkflowEvent)}


def test_a_filter_carrying_sql_is_refused_or_a_literal_and_changes_nothing(service, staff):
    before = _counts(service)
    drop = "x'; DROP TABLE proposals; --"
    for text in ("name = 'x'; DROP TABLE proposals; --",
                 '"name\'; DROP TABLE proposals; --" = \'x\'',
                 '"name) OR 1=1 --" = \'x\''):
        assert_problem(service.get("/collections/roads/items", params={"filter": text}), 400)
    as_literal = {"op": "=", "args": [{"property": "name"}, drop]}
    assert _matched(service, filter=as_literal, lang="cql2-json") == 0
    # the quote doubled, as CQL2 text escapes one: the whole of it is one string
    assert _matched(service, filter="name = 'x''; DROP TABLE proposals; --'") == 0
    assert _matched(service, "proposals", filter="name = 'x'' OR ''1''=''1'",
                    headers=staff["gis"]) == 0
    assert _matched(service, "proposals", filter=as_literal, lang="cql2-json",
                    headers=staff["gis"]) == 0
    sql_name = {"op": "=", "args": [{"property": "name') OR 1=1; DROP TABLE proposals; --"},
                                    "x"]}
    assert_problem(service.get("/collections/roads/items", params={
        "filter": json.dumps(sql_name), "filter-lang": "cql2-json"}), 400,
        "filter_property_unknown")
    assert_problem(service.get("/collections/roads/items",
                               params={"sortby": "name;DROP TABLE proposals"}), 400)
    assert _counts(service) == before


# --- Part 4: create, replace, update, delete on proposals ------------------------------------

@exercises(f"{EDIT}create-replace-delete", f"{EDIT}update", f"{EDIT}optimistic-locking-etags",
           f"{EDIT}features")
def test_create_replace_update_and_delete_a_proposal_with_etags(service, staff):
    gis = staff["gis"]
    created = service.post("/collections/proposals/items", json=demo_feature("good_industrial"),
                           headers=gis)
    assert created.status_code == 201, created.text
    location, etag = created.headers["location"], created.headers["etag"]
    fid = created.json()["id"]
    assert location == f"/collections/proposals/items/{fid}"
    read = service.get(location, headers=gis)
    assert read.headers["etag"] == etag and read.json()["properties"]["version"] == 1
    replacement = demo_feature("good_industrial")
    replacement["properties"]["name"] = "澥川新材料产业社区"
    assert_problem(service.put(location, json=replacement, headers=gis), 428, "if_match_missing")
    assert_problem(service.put(location, json=replacement, headers={**gis, "If-Match": '"old"'}),
                   412, "if_match_stale")
    # If-Match compares strongly: the same tag marked weak never matches
    assert_problem(service.put(location, json=replacement,
                               headers={**gis, "If-Match": f"W/{etag}"}), 412, "if_match_stale")
    replaced = service.put(location, json=replacement, headers={**gis, "If-Match": etag})
    assert replaced.status_code == 200 and replaced.json()["properties"]["version"] == 2
    patch = {"type": "Feature", "properties": {"type": "楼宇型"}}
    updated = service.patch(location, content=json.dumps(patch, ensure_ascii=False),
                            headers={**gis, "If-Match": replaced.headers["etag"],
                                     "Content-Type": "application/merge-patch+json"})
    assert updated.status_code == 200, updated.text
    props = updated.json()["properties"]
    assert props["version"] == 3 and props["name"] == "澥川新材料产业社区"
    assert props["type"] == "楼宇型"
    assert shape(updated.json()["geometry"]).equals_exact(
        shape(replaced.json()["geometry"]), 1e-7)
    filtered = _items(service, "proposals", headers=gis, filter=f"proposal_id = {fid}")
    assert filtered["features"][0]["properties"]["version"] == 3
    assert_problem(service.delete(location, headers=gis), 428)
    assert_problem(service.delete(location, headers={**gis, "If-Match": etag}), 412)
    once = {**gis, "If-Match": updated.headers["etag"], "Idempotency-Key": f"withdraw-{fid}"}
    gone = service.delete(location, headers=once)
    assert gone.status_code == 204 and gone.content == b""
    again = service.delete(location, headers=once)  # a retry after a lost answer
    assert again.status_code == 204 and again.headers.get("idempotent-replayed") == "true"
    assert_problem(service.get(location, headers=gis), 404, "feature_not_found")
    assert _items(service, "proposals", headers=gis, filter=f"proposal_id = {fid}")[
        "numberMatched"] == 0
    # withdrawn, not erased: the history keeps every version and the step
    events = service.get(f"/proposals/{fid}/events", headers=gis).json()
    assert events["state"] == "withdrawn"
    assert [e["action"] for e in events["events"]] == ["withdrawal"]
    assert len(service.get(f"/proposals/{fid}/versions", headers=gis).json()["features"]) == 3


def test_edits_need_the_roles_and_collections_that_allow_them(service, staff):
    feature = demo_feature("good_industrial")
    assert_problem(service.post("/collections/proposals/items", json=feature), 401)
    assert_problem(service.post("/collections/proposals/items", json=feature,
                                headers=staff["minzheng"]), 403)
    assert_problem(service.post("/collections/roads/items", json=feature, headers=staff["gis"]),
                   405, "collection_read_only")
    fid, etag = (lambda r: (r.json()["id"], r.headers["etag"]))(
        service.post("/collections/proposals/items", json=feature, headers=staff["gis"]))
    applied = service.post(f"/proposals/{fid}/events", headers=staff["gis"], json={
        "action": "application", "reason": "申请", "confirm_errors": True})
    assert applied.status_code == 201, applied.text
    # once applied it is under review: neither replaced nor withdrawn
    assert_problem(service.delete(f"/collections/proposals/items/{fid}",
                                  headers={**staff["gis"], "If-Match": etag}), 409)
