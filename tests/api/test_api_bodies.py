"""Hostile bodies and text on both stores: deep or oversize JSON, numbers that are not
finite, NUL and lone surrogates are 422/413 problems; text is stored NFC-normalised; links
never carry the client's Host; photos are served so no browser runs them; the OpenAPI
document lists each operation's problem statuses and media types."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.api.conftest import assert_problem, create_proposal, demo_feature
from tests.api.test_api_workflow import png_bytes, step, survey_point

JSON_HEADERS = {"Content-Type": "application/json"}


def _post(client, auth, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/proposals", content=data, headers={**auth["gis"], **JSON_HEADERS})


def _count(client, auth) -> int:
    return client.get("/collections/proposals/items", headers=auth["gis"]).json()["numberMatched"]


def test_json_nested_100000_deep_is_refused_before_parsing(client, auth):
    assert_problem(_post(client, auth, "[" * 100_000 + "]" * 100_000), 422, "json_too_deep")
    body = {"action": "application", "reason": "x", "deep": json.loads("[" * 60 + "]" * 60)}
    nested = json.dumps(body).replace('"deep": ', '"deep": ' + "[" * 10)
    nested = nested[:-1] + "]" * 10 + "}"
    response = client.post("/proposals/1/events", content=nested.encode(),
                           headers={**auth["gis"], **JSON_HEADERS})
    assert_problem(response, 422, "json_too_deep")


def test_a_json_body_over_the_size_limit_is_413(client, auth):
    big = json.dumps({"type": "Feature", "pad": "x" * (9 * 1024**2)})
    assert_problem(_post(client, auth, big), 413, "body_too_large")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_coordinates_that_are_not_finite_are_refused(client, auth, number):
    feature = demo_feature("good_industrial")
    text = json.dumps(feature).replace("[[[", f"[[[[{number}, 30.0], ", 1)
    before = _count(client, auth)
    assert_problem(_post(client, auth, text), 422, "json_number_refused")
    assert _count(client, auth) == before


@pytest.mark.parametrize(
    ("member", "value", "code"),
    [("name", "\\ud800x", "text_surrogate"), ("name", "a\\u0000b", "text_nul"),
     ("reason", "why\\u0000", "text_nul"), ("name", "\\udfff", "text_surrogate")],
)
def test_nul_and_lone_surrogates_are_422_on_both_stores(client, auth, member, value, code):
    feature = demo_feature("good_industrial")
    feature["properties"][member] = "PLACEHOLDER"
    text = json.dumps(feature).replace('"PLACEHOLDER"', f'"{value}"')
    before = _count(client, auth)
    assert_problem(_post(client, auth, text), 422, code)
    assert _count(client, auth) == before


def test_nul_in_a_form_field_is_422_and_stores_nothing(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    response = client.post(
        f"/proposals/{pid}/versions/1/findings", headers=auth["ziranziyuan"],
        data={"geometry": '{"type": "Point", "coordinates": [120.2, 30.2]}', "note": "a\x00b"},
    )
    assert_problem(response, 422)
    listed = client.get(f"/proposals/{pid}/versions/1/findings", headers=auth["gis"]).json()
    assert listed["features"] == []


def test_text_is_stored_nfc_normalised(client, auth):
    decomposed = unicodedata.normalize("NFD", "Café 社区")
    assert decomposed != "Café 社区"
    feature = demo_feature("good_industrial")
    feature["properties"]["name"] = decomposed
    created = client.post("/proposals", json=feature, headers=auth["gis"])
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    stored = client.get(f"/proposals/{pid}", headers=auth["gis"]).json()["properties"]["name"]
    assert stored == "Café 社区"


def test_links_never_carry_the_host_header(client):
    landing = client.get("/", headers={"Host": "evil.example"})
    assert landing.status_code == 200
    assert "evil.example" not in landing.text
    collections = client.get("/collections", headers={"Host": "evil.example"})
    assert "evil.example" not in collections.text


def test_photos_are_served_with_nosniff_and_a_sandbox(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    finding = survey_point(client, auth, pid, photo=png_bytes())
    assert finding.status_code == 201, finding.text
    photo = client.get(finding.json()["properties"]["photo"], headers=auth["gis"])
    assert photo.headers["content-type"] == "image/png"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in photo.headers["content-security-policy"]


@pytest.mark.parametrize(
    "photo",
    [png_bytes() + b"<html><script>alert(1)</script></html>",
     b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
     b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"],
    ids=["html-after-iend", "png-header-then-html", "jpeg-header-then-html"],
)
def test_png_or_jpeg_html_polyglots_are_refused(client, auth, photo):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    assert_problem(survey_point(client, auth, pid, photo=photo), 415, "photo_type")


def test_openapi_lists_problem_statuses_and_media_types(client):
    doc = client.get("/api.json").json()
    put = doc["paths"]["/proposals/{proposal_id}"]["put"]["responses"]
    for status in ("400", "401", "403", "404", "409", "412", "413", "415", "422", "428", "503"):
        assert "application/problem+json" in put[status]["content"], status
    assert "application/geo+json" in put["200"]["content"]
    post = doc["paths"]["/proposals"]["post"]["responses"]
    assert "application/geo+json" in post["201"]["content"]
    assert {"401", "403", "413", "415", "503"} <= post.keys()
    conformance = doc["paths"]["/conformance"]["get"]["responses"]
    assert "401" not in conformance and "503" in conformance


def test_health_and_readiness(client):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["store"]["reachable"] is True
    assert ready["store"]["engine"] in ("geopackage", "postgresql")
