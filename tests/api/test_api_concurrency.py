"""Concurrent writers on both stores: the first edit wins, every other is told 412, none 500;
a create retried with its Idempotency-Key is made once."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from httpx import Response
from sqlalchemy import func, select

from api.db.models import Run
from tests.api.conftest import assert_problem, create_proposal, demo_feature
from tests.api.test_api_workflow import POINT, png_bytes, step


def test_100_concurrent_edits_with_one_etag_give_one_200_and_99_412(client, auth):
    pid, etag = create_proposal(client, auth["gis"])
    feature = demo_feature("good_industrial")

    def edit(i: int) -> int:
        body = {**feature, "properties": {**feature["properties"], "name": f"并发 {i}"}}
        headers = {**auth["gis"], "If-Match": etag}
        return client.put(f"/proposals/{pid}", json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=100) as pool:
        statuses = list(pool.map(edit, range(100)))
    print("\n100 concurrent edits with one ETag: "
          + ", ".join(f"{statuses.count(s)} × {s}" for s in sorted(set(statuses))))
    assert sorted(statuses) == [200] + [412] * 99
    versions = client.get(f"/proposals/{pid}/versions", headers=auth["gis"]).json()["features"]
    assert [v["properties"]["version"] for v in versions] == [1, 2]


def test_concurrent_validation_runs_are_each_stored_and_never_500(client, auth):
    """Writers racing for the store (on a GeoPackage, its one writer): each run is stored, or
    the client is told 503 with Retry-After; never "database is locked" as a 500."""
    pid, _ = create_proposal(client, auth["gis"])
    url = f"/proposals/{pid}/versions/1/validation"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: client.post(url, headers=auth["gis"]), range(20)))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {201, 503}, statuses
    assert all(a.headers["Retry-After"].isdigit() for a in answers if a.status_code == 503)
    findings = {json.dumps(a.json()["findings"], sort_keys=True) for a in answers
                if a.status_code == 201}
    assert len(findings) == 1
    with client.app.state.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Run).where(
            Run.proposal_id == pid, Run.status == "successful"))
    assert stored == statuses.count(201)


def test_if_match_star_edits_whatever_version_is_current(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    feature = demo_feature("good_industrial")
    response = client.put(f"/proposals/{pid}", json=feature,
                          headers={**auth["gis"], "If-Match": "*"})
    assert response.status_code == 200, response.text
    assert response.json()["properties"]["version"] == 2


def test_a_create_retried_with_its_idempotency_key_is_made_once(client, auth):
    feature = demo_feature("good_industrial")
    headers = {**auth["gis"], "Idempotency-Key": "create-once-1"}
    first = client.post("/proposals", json=feature, headers=headers)
    again = client.post("/proposals", json=feature, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = {**feature, "properties": {**feature["properties"], "name": "另一个"}}
    assert_problem(client.post("/proposals", json=other, headers=headers), 422,
                   "idempotency_key_reused")


def test_racing_creates_with_one_idempotency_key_make_one_proposal(client, auth):
    feature = demo_feature("good_industrial")
    headers = {**auth["gis"], "Idempotency-Key": "race-1"}
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: client.post("/proposals", json=feature,
                                                      headers=headers), range(10)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1


def test_a_survey_finding_with_a_photo_retried_with_its_key_is_recorded_once(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    url = f"/proposals/{pid}/versions/1/findings"
    headers = {**auth["ziranziyuan"], "Idempotency-Key": "finding-1"}
    form = {"geometry": POINT, "note": "围墙"}

    def post(photo: bytes) -> Response:
        return client.post(url, data=form, headers=headers,
                           files={"photo": ("wall.png", photo, "image/png")})

    first, again = post(png_bytes()), post(png_bytes())
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["id"] == first.json()["id"]
    listed = client.get(url, headers=auth["gis"]).json()["features"]
    assert [f["id"] for f in listed] == [first.json()["id"]]
    assert_problem(post(png_bytes(4, 4)), 422, "idempotency_key_reused")
