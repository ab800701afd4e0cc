"""The one JSON/GeoJSON response and the feature serialisers every route uses."""

from __future__ import annotations

import json

import geopandas as gpd
from shapely.geometry import Point

from api.serialize import (
    GEOJSON,
    JSON,
    GeoJSONResponse,
    JSONDocument,
    feature,
    feature_collection,
    frame_collection,
)


def test_json_document_keeps_chinese_unescaped_and_says_application_json():
    response = JSONDocument({"name": "汶溪社区"}, status_code=201, headers={"Location": "/x"})
    assert response.body.decode("utf-8") == '{"name": "汶溪社区"}'
    assert response.media_type == JSON == "application/json"
    assert response.status_code == 201
    assert response.headers["location"] == "/x"


def test_geojson_response_says_application_geo_json():
    response = GeoJSONResponse(feature({"type": "Point", "coordinates": [1, 2]}, {}, fid=3))
    assert response.headers["content-type"] == GEOJSON == "application/geo+json"
    assert json.loads(response.body)["id"] == 3


def test_feature_without_fid_has_no_id_member():
    assert "id" not in feature(None, {"a": 1})


def test_feature_collection_counts_what_it_returns_and_what_matched():
    features = [feature(None, {}, fid=i) for i in (1, 2)]
    page = feature_collection(features, matched=5, links=[{"rel": "self", "href": "/x"}])
    assert page["numberReturned"] == 2
    assert page["numberMatched"] == 5
    assert page["links"] == [{"rel": "self", "href": "/x"}]
    assert "timeStamp" not in page
    assert set(feature_collection(features, returned=False)) == {"type", "features"}
    assert feature_collection([], stamped=True)["timeStamp"].endswith("Z")


def test_frame_collection_is_in_crs84():
    frame = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[Point(500000, 3300000)], crs="EPSG:4549")
    doc = frame_collection(frame)
    lon, lat = doc["features"][0]["geometry"]["coordinates"]
    assert 119 < lon < 121 and 29 < lat < 31
    assert doc["features"][0]["properties"] == {"name": "甲"}
