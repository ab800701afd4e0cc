"""Every error is RFC 9457 problem+json, in Chinese or (Accept-Language: en) English; bad
input never gives a 5xx."""

from __future__ import annotations

from tests.api.conftest import assert_problem


def test_unknown_path_and_method_are_problems(client):
    body = assert_problem(client.get("/no/such/thing"), 404, "not_found")
    assert body["instance"] == "/no/such/thing" and body["title"] == "未找到"
    assert_problem(client.delete("/proposals"), 405, "method_not_allowed")


def test_english_when_asked(client):
    body = assert_problem(
        client.get("/no/such/thing", headers={"Accept-Language": "en-GB,en;q=0.9"}), 404
    )
    assert body["title"] == "Not found" and body["detail"].startswith("There is nothing")


def test_request_validation_errors_are_422_problems(client, auth):
    # the OGC API resources answer an invalid parameter 400, as OGC API Features requires
    assert_problem(client.get("/collections/roads/items?limit=-3"), 400,
                   "parameter_invalid_value")
    assert_problem(client.get("/proposals/abc"), 422, "request_invalid")
    assert_problem(
        client.post("/proposals/1/events", json={"reason": "no action"}, headers=auth["gis"]),
        422,
        "request_invalid",
    )


def test_bad_crs_and_bbox_are_400(client):
    assert_problem(client.get("/collections/roads/items?crs=EPSG:3857"), 400, "crs_unsupported")
    assert_problem(client.get("/collections/roads/items?bbox=1,2,3"), 400, "bbox_invalid")
    assert_problem(client.get("/collections/roads/items?bbox=a,b,c,d"), 400, "bbox_invalid")
    assert_problem(client.get("/collections/roads/items?bbox-crs=EPSG:9999&bbox=1,2,3,4"), 400)


def test_openapi_document_and_docs_are_served(client):
    assert client.get("/api").status_code == 200
    spec = client.get("/api.json").json()
    for path in (
        "/proposals",
        "/proposals/{proposal_id}/versions/{version}/validation",
        "/proposals/{proposal_id}/events",
        "/collections/{collection_id}/items",
        "/jobs/{job_id}",
    ):
        assert path in spec["paths"], path


def test_numbers_beyond_the_database_integers_are_client_errors_not_crashes(client, auth):
    huge = 10**14
    for path in (
        f"/proposals/{huge}",
        f"/proposals/1/versions/{huge}",
        f"/collections/roads/items/{huge}",
        f"/collections/roads/items?offset={huge * 10**6}",
        f"/proposals/1/diff?from=1&to={huge}",
    ):
        response = client.get(path, headers=auth["gis"])
        assert 400 <= response.status_code < 500, (path, response.text)
        assert_problem(response, response.status_code)
