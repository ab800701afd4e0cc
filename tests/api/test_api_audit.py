"""POST /towns/{id}/audit: every community of the town re-validated as a Dask job.

On each engine, a service of its own gets proposals (one edited into a second version); the
audit judges the newest version of each as validation judges it, gives each its class, and
its results come as JSON, GeoPackage, CSV and the overview map, in Chinese by default and in
English on request.
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pytest

from api.services.audits import audit_layer
from tests.api.conftest import (
    assert_problem,
    bearer,
    create_proposal,
    demo_feature,
    service_per_engine,
)

PROPOSALS = ("good_industrial", "flaw_b3_offroad_edge", "flaw_b9_bad_name", "flaw_b5_overlap")


service = service_per_engine("audit")


@pytest.fixture(scope="module")
def headers(service) -> dict[str, dict[str, str]]:
    return bearer(service, "gis", "fagai")


@pytest.fixture(scope="module")
def finished(service, headers) -> dict:
    """The proposals made, and the finished audit job's status document."""
    made = [create_proposal(service, headers["gis"], name) for name in PROPOSALS]
    # the good proposal edited: its second version, renamed, is the one audited
    edited = demo_feature("good_industrial")
    edited["properties"]["name"] = "甬江第二工业社区"
    pid, etag = made[0]
    response = service.put(f"/proposals/{pid}", json=edited,
                           headers={**headers["gis"], "If-Match": etag})
    assert response.status_code in (200, 201), response.text
    response = service.post("/towns/1/audit", headers=headers["fagai"])
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["Location"] == f"/jobs/{job['jobID']}"
    assert job["processID"] == "audit" and job["town_id"] == 1
    service.app.state.runner.drain(timeout=300)
    status = service.get(response.headers["Location"], headers=headers["fagai"]).json()
    return {"ids": [pid for pid, _ in made], "job": status}


def _results(service, headers, job, fmt, lang=None):
    extra = {"Accept-Language": lang} if lang else {}
    response = service.get(f"/jobs/{job['jobID']}/results?f={fmt}",
                           headers={**headers["fagai"], **extra})
    assert response.status_code == 200, response.text
    return response


def test_audit_judges_the_newest_version_of_each_proposal_as_validation_does(
        service, headers, finished):
    job = finished["job"]
    assert job["status"] == "successful", job
    formats = {link["href"].rsplit("=", 1)[1] for link in job["links"]
               if link["rel"].endswith("/results")}
    assert formats == {"json", "gpkg", "csv", "html"}
    document = _results(service, headers, job, "json").json()
    names = [c["name"] for c in document["communities"]]
    assert len(names) == len(PROPOSALS) and "甬江第二工业社区" in names
    assert document["audited"] == {"registered": 0, "proposals": len(PROPOSALS)}
    # in the order the proposals were made (several demo proposals share a name)
    for pid, audited in zip(finished["ids"], document["communities"], strict=True):
        newest = 2 if pid == finished["ids"][0] else 1
        report = service.post(f"/proposals/{pid}/versions/{newest}/validation",
                              headers=headers["gis"]).json()
        assert audited["name"] == report["proposal"]
        counts: dict[str, int] = {}
        for f in report["findings"]:
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
        assert audited["findings"] == counts, report["proposal"]
        assert audited["ok"] == report["ok"]
        assert audited["employees"] == report["metrics"]["employees"]
        assert audited["class"] in ("general", "larger", "extra_large")
    # the demo's proposals are variants of a few sites, so they overlap one another
    assert document["overlaps"]
    assert document["summary"]["failing"] == sum(not c["ok"] for c in document["communities"])


def test_audit_results_as_geopackage_csv_and_map_in_either_language(service, headers, finished,
                                                                     tmp_path):
    job = finished["job"]
    document = _results(service, headers, job, "json").json()
    path = tmp_path / "audit.gpkg"
    path.write_bytes(_results(service, headers, job, "gpkg").content)
    layer = gpd.read_file(path, layer="communities")
    assert list(layer["name"]) == [c["name"] for c in document["communities"]]
    assert set(layer["class_label"]) <= {"一般", "较大", "特大"}
    assert len(gpd.read_file(path, layer="overlaps")) == len(document["overlaps"])
    csv = _results(service, headers, job, "csv", "en")
    table = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")
    assert list(table["class"]) == [c["class"] for c in document["communities"]]
    assert set(table["class_label"]) <= {"general", "larger", "extra-large"}
    zh = _results(service, headers, job, "html").text
    en = _results(service, headers, job, "html", "en").text
    assert "全区社区核查图" in zh and "District audit map" in en


def test_audit_layer_is_what_the_job_judged(service, finished):
    state = service.app.state
    with state.sessions() as session:
        communities, codes, counts = audit_layer(session, 1, state.contexts.get(1))
    assert counts == {"registered": 0, "proposals": len(PROPOSALS)}
    assert len(communities) == len(codes) == len(PROPOSALS)


def test_audit_of_an_unknown_town_is_404_and_needs_a_user(service, headers):
    assert_problem(service.post("/towns/999/audit", headers=headers["fagai"]), 404,
                   "town_not_found")
    assert service.post("/towns/1/audit").status_code == 401
    assert_problem(service.get("/jobs/nope/results?f=csv", headers=headers["fagai"]), 404,
                   "job_not_found")
