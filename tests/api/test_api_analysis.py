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
    expected = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg").to_crs(4549).area.iloc[0]
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
    assert_problem(client.get(f"/public/map?proposal={pid}"), 404)
