"""Validation, adjustment, grids and facility land on stored versions; grids as a job."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import shape

from tests.api.conftest import DEMO, assert_problem, create_proposal


def test_validation_of_the_good_proposal_passes_and_is_stored(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    assert_problem(
        client.get(f"/proposals/{pid}/versions/1/validation", headers=auth["gis"]), 404, "not_run"
    )
    response = client.post(f"/proposals/{pid}/versions/1/validation", headers=auth["gis"])
    assert response.status_code == 201, response.text
    assert response.json()["ok"] is True
    stored = client.get(f"/proposals/{pid}/versions/1/validation", headers=auth["fagai"])
    assert stored.status_code == 200 and stored.json() == response.json()


def test_validation_finds_the_offroad_edge_in_the_language_asked(client, auth):
    pid, _ = create_proposal(client, auth["gis"], name="flaw_b3_offroad_edge")
    report = client.post(
        f"/proposals/{pid}/versions/1/validation", headers={**auth["gis"], "Accept-Language": "en"}
    ).json()
    assert report["ok"] is False
    b3 = [f for f in report["findings"] if f["rule"] == "B3" and f["severity"] == "error"]
    assert b3 and b3[0]["geometry"] is not None
    zh = client.get(f"/proposals/{pid}/versions/1/validation", headers=auth["gis"]).json()
    assert [f["rule"] for f in zh["findings"]] == [f["rule"] for f in report["findings"]]
    assert zh["findings"][0]["message"] != report["findings"][0]["message"]


def test_grids_tile_the_community(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    result = client.post(
        f"/proposals/{pid}/versions/1/grids?crs=EPSG:4490", headers=auth["gis"]
    ).json()
    grids = result["grids"]["features"]
    assert len(grids) >= 1 and result["microgrids"]["numberReturned"] >= 1
    area = sum(g["properties"]["area_m2"] for g in grids)
    expected = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg",
                             layer="proposal").to_crs(4549).area.iloc[0]
    assert area == pytest.approx(expected, rel=1e-6)
    codes = [g["properties"]["code"] for g in grids]
    assert len(set(codes)) == len(codes)


def test_grids_as_a_background_job_report_status_and_results(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    response = client.post(
        f"/proposals/{pid}/versions/1/grids", headers={**auth["gis"], "Prefer": "respond-async"}
    )
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location == f"/jobs/{response.json()['jobID']}"
    assert response.json()["status"] in ("accepted", "running", "successful")
    client.app.state.runner.drain()
    status = client.get(location, headers=auth["gis"]).json()
    assert status["status"] == "successful" and status["progress"] == 100
    results = [link["href"] for link in status["links"] if link["rel"].endswith("/results")]
    body = client.get(results[0], headers=auth["gis"]).json()
    synced = client.get(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]).json()
    assert body == synced and body["grids"]["numberReturned"] >= 1
    assert_problem(client.get(location), 401)
    assert_problem(client.get("/jobs/nope", headers=auth["gis"]), 404, "job_not_found")
    done = client.get("/jobs?status=successful", headers=auth["gis"]).json()["jobs"]
    assert status["jobID"] in [job["jobID"] for job in done]
    assert all(job["status"] == "successful" for job in done)


def test_adjustment_conserves_area_and_facility_finds_sites(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    adjusted = client.post(f"/proposals/{pid}/versions/1/adjustment", headers=auth["gis"]).json()
    assert adjusted["given_m2"] == pytest.approx(adjusted["area_m2"], abs=1.0)
    given = adjusted["given"]["features"]
    assert sum(f["properties"]["area_given_m2"] for f in given) == pytest.approx(
        adjusted["area_m2"], abs=1.0
    )
    sites = client.post(f"/proposals/{pid}/versions/1/facility", headers=auth["gis"]).json()
    assert sites["qualified"] is True
    first = sites["sites"]["features"][0]
    lo, hi = 3000, 5000  # 004 第三十条
    assert lo <= first["properties"]["area_m2"] <= hi + 1e-6
    assert shape(first["geometry"]).is_valid


def test_profile_classes_the_community_and_counts_its_employees(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    profile = client.post(
        f"/proposals/{pid}/versions/1/profile?year=2025&live_work_share=0.3", headers=auth["gis"]
    ).json()["profile"]
    grids = client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]).json()["grids"]
    assert profile["employees"] == sum(g["properties"]["employees"] for g in grids["features"])
    assert profile["community_class"] and profile["staff_quota"] >= 4
    assert_problem(
        client.post(
            f"/proposals/{pid}/versions/1/profile?live_work_share=lots", headers=auth["gis"]
        ),
        400,
    )


def test_package_is_built_as_a_job_and_downloaded_as_a_zip(client, auth):
    import io
    import zipfile

    pid, _ = create_proposal(client, auth["gis"])
    response = client.post(
        f"/proposals/{pid}/versions/1/package?async=true&year=2025", headers=auth["gis"]
    )
    assert response.status_code == 202
    location = response.headers["Location"]
    client.app.state.runner.drain()
    status = client.get(location, headers=auth["gis"]).json()
    assert status["status"] == "successful", status
    download = client.get(f"/proposals/{pid}/versions/1/package", headers=auth["minzheng"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert "community.gpkg" in names and "validation.json" in names and "manifest.json" in names


def test_maps_are_html_for_staff_and_the_public_map_shows_only_approved_work(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    page = client.get(f"/proposals/{pid}/versions/1/map?kind=grid", headers=auth["gis"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()
    assert_problem(client.get(f"/proposals/{pid}/versions/1/map"), 401)
    unapproved = assert_problem(client.get(f"/public/map?proposal={pid}"), 404,
                                "community_not_public")
    assert "批复" in unapproved["detail"]


def test_a_grid_roster_records_who_holds_each_1_3_n_role(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    grids = client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]).json()["grids"]
    code = grids["features"][0]["properties"]["code"]
    url = f"/proposals/{pid}/grids/{code}/roster"
    empty = client.get(url, headers=auth["gis"]).json()
    assert empty["holders"] == dict.fromkeys(
        ("grid_head", "full_time_worker", "part_time_worker", "guide", "others")
    )
    for role, person in (("grid_head", "张伟"), ("guide", "李娜"), ("grid_head", "王芳")):
        assert (
            client.post(url, json={"role": role, "person": person}, headers=auth["gis"]).status_code
            == 201
        )
    roster = client.get(url, headers=auth["minzheng"]).json()
    assert roster["holders"]["grid_head"] == "王芳" and roster["holders"]["guide"] == "李娜"
    assert [(h["role"], h["person"]) for h in roster["history"]] == [
        ("grid_head", "张伟"),
        ("guide", "李娜"),
        ("grid_head", "王芳"),
    ]
    assert_problem(
        client.post(url, json={"role": "mayor", "person": "x"}, headers=auth["gis"]),
        422,
        "role_unknown",
    )
    assert_problem(
        client.post(
            f"/proposals/{pid}/grids/NOPE/roster",
            json={"role": "guide", "person": "x"},
            headers=auth["gis"],
        ),
        404,
        "grid_not_found",
    )
    assert_problem(client.get(url), 401)
    assert_problem(
        client.post(url, json={"role": "guide", "person": "x"}, headers=auth["fagai"]), 403
    )


def test_a_job_on_an_invalid_boundary_fails_with_a_reason_and_has_no_results(client, auth):
    bowtie = {
        "type": "Feature",
        "properties": {"name": "领结工业社区", "type": "工业社区"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [121.60, 29.94],
                    [121.61, 29.95],
                    [121.61, 29.94],
                    [121.60, 29.95],
                    [121.60, 29.94],
                ]
            ],
        },
    }
    created = client.post("/proposals", json=bowtie, headers=auth["gis"])
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    job = client.post(f"/proposals/{pid}/versions/1/grids?async=true", headers=auth["gis"]).json()
    client.app.state.runner.drain()
    status = client.get(f"/jobs/{job['jobID']}", headers=auth["gis"]).json()
    assert status["status"] == "failed" and status["message"]
    body = assert_problem(
        client.get(f"/jobs/{job['jobID']}/results", headers=auth["gis"]), 409, "job_not_finished"
    )
    assert "failed" in body["detail"]
    # run in the request, the same refusal is a 422 problem
    assert_problem(client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]), 422)
