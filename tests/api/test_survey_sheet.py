"""The field reviewer's data and pages on both stores: ``/survey/proposals`` lists the
proposals in the joint site survey or the joint review with the reader's department's
findings and opinion; a proposal's survey sheet carries its boundary, its validation findings
and every survey finding in CRS84 and says what the reader may do in its state; ``/field``
pages speak Chinese by default and English when asked, and their service worker is served with
the scope, type and the versioned files the pages load."""

from __future__ import annotations

import json
import re
import uuid

import shapely

from tests.api.conftest import assert_problem, create_proposal
from tests.api.walk import step, walk_to
from tests.web.field import tiny_png

REVIEWER = "ziranziyuan"  # 区自然资源规划分局


def _finding(client, auth, pid: int, user: str, lonlat: tuple[float, float], note: str) -> None:
    point = {"type": "Point", "coordinates": list(lonlat)}
    response = client.post(f"/proposals/{pid}/versions/1/findings",
                           data={"geometry": json.dumps(point), "note": note},
                           files={"photo": ("p.png", tiny_png(), "image/png")},
                           headers={**auth[user], "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text


def _listed(client, auth, user: str, pid: int) -> dict | None:
    response = client.get("/survey/proposals", headers=auth[user])
    assert response.status_code == 200, response.text
    return next((p for p in response.json()["proposals"] if p["id"] == pid), None)


def test_the_survey_list_shows_proposals_in_survey_and_review_with_own_counts(client, auth):
    draft, _ = create_proposal(client, auth["gis"])
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "initially_reviewed")
    assert _listed(client, auth, REVIEWER, draft) is None  # a draft is not surveyed
    _finding(client, auth, pid, REVIEWER, (121.6, 29.95), "围墙外侧")
    _finding(client, auth, pid, "fagai", (121.6, 29.95), "道路未通")
    _finding(client, auth, pid, "fagai", (121.6, 29.95), "桥梁在建")
    mine = _listed(client, auth, REVIEWER, pid)
    assert mine is not None
    assert (mine["state"], mine["findings"], mine["own_findings"], mine["opinion_given"]) == (
        "initially_reviewed", 3, 1, False)
    assert mine["state_label"] == "已初审（待实地踏勘）"
    assert _listed(client, auth, "fagai", pid)["own_findings"] == 2
    step(client, auth["bangongshi"], pid, "site_survey")
    assert client.post(f"/proposals/{pid}/opinions", json={"verdict": "agree", "text": "同意"},
                       headers=auth[REVIEWER]).status_code == 201
    mine = _listed(client, auth, REVIEWER, pid)
    assert mine["state"] == "surveyed" and mine["opinion_given"] is True
    assert _listed(client, auth, "fagai", pid)["opinion_given"] is False
    assert_problem(client.get("/survey/proposals"), 401)


def test_the_survey_sheet_locates_everything_in_crs84_and_says_what_the_reader_may_do(
        client, auth):
    pid, _ = create_proposal(client, auth["gis"], "flaw_b3_offroad_edge")
    walk_to(client, auth, pid, "initially_reviewed")
    _finding(client, auth, pid, REVIEWER, (121.61, 29.952), "北侧边界未沿道路")
    sheet = client.get(f"/survey/proposals/{pid}", headers=auth[REVIEWER]).json()
    boundary = shapely.geometry.shape(sheet["proposal"]["geometry"])
    west, south, east, north = boundary.bounds
    assert 121 < west < east < 122 and 29 < south < north < 31  # lon/lat, not metres
    b3 = [f for f in sheet["validation"]["features"] if f["properties"]["rule"] == "B3"
          and f["properties"]["severity"] == "error" and f["geometry"]]
    assert b3, "the off-road edge is a located B3 error"
    assert all(shapely.geometry.shape(f["geometry"]).distance(boundary.boundary) < 1e-5
               for f in b3)
    [found] = sheet["survey_findings"]["features"]
    assert found["properties"]["note"] == "北侧边界未沿道路"
    assert found["properties"]["version"] == 1 and found["properties"]["photo"]
    assert found["geometry"]["coordinates"] == [121.61, 29.952]
    assert sheet["rights"] == {"department": "区自然资源规划分局",
                               "roster_entry": "区自然资源规划分局",
                               "can_record": True, "can_opine": False}
    assert sheet["state"] == "initially_reviewed" and sheet["photo_max_mb"] > 0
    step(client, auth["bangongshi"], pid, "site_survey")
    chinese = client.get(f"/survey/proposals/{pid}", headers=auth[REVIEWER]).json()
    after = chinese["rights"]
    assert (after["can_record"], after["can_opine"]) == (False, True)
    gis = client.get(f"/survey/proposals/{pid}", headers=auth["gis"]).json()["rights"]
    assert (gis["roster_entry"], gis["can_opine"]) == (None, False)  # 镇规划办: not on roster
    english = client.get(f"/survey/proposals/{pid}",
                         headers={**auth[REVIEWER], "Accept-Language": "en"}).json()
    assert english["verdicts"]["agree"] == "agree" and chinese["verdicts"]["agree"] == "同意"
    assert chinese["state_label"] == "已踏勘（部门联审中）" != english["state_label"]
    assert_problem(client.get("/survey/proposals/999999", headers=auth[REVIEWER]), 404)


def test_field_pages_and_their_service_worker(client):
    worker = client.get("/field/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/field"
    config = json.loads(re.match(r"self\.SIJIE_FIELD = (.*);\n", worker.text).group(1))
    assert config["scope"] == "/field"
    for url in config["assets"]:
        assert client.get(url).status_code == 200, url
    zh = client.get("/field/proposals/1")
    en = client.get("/field/proposals/1", headers={"Accept-Language": "en"})
    assert "<title>实地踏勘" in zh.text and "<title>Field survey" in en.text
    assert 'capture="environment"' in zh.text and 'accept="image/*"' in zh.text
    loaded = set(re.findall(r'(?:src|href)="(/static/[^"]+\?v=[^"]+)"', zh.text))
    assert loaded and loaded <= set(config["assets"])  # every versioned file is kept offline
    assert client.get("/field").status_code == 200
