"""Approval that changes the map, through the API on both engines: registering the good
industrial proposal carves the villages (each smaller by exactly what it gave, < 1 m²) and
makes the community an existing community of the town in a new context version; a second
proposal overlapping it gets a B5 error naming it; runs name the context version they used
and repeat on the current one with the difference shown; adjusting the registered community
retires the old boundary and updates the villages again; ``datetime`` answers which
boundaries were valid when."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from tests.api.conftest import DEMO, assert_problem, bearer, create_proposal, service_per_engine
from tests.api.walk import REGISTRATION, ROSTER_USERS, post_step, walk_to

NAME = "澥川新材料工业社区"
ZONE = "http://www.opengis.net/def/crs/EPSG/0/4549"
USERS = ("gis", "minzheng", "bangongshi", "admin", *ROSTER_USERS)


service = service_per_engine("registration")


@pytest.fixture(scope="module")
def headers(service) -> dict[str, dict[str, str]]:
    return bearer(service, *USERS)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _register(client, auth, pid) -> Any:
    """Walk a proposal to approval as the guideline runs it (001 § 二(一)4 steps 1–5), then
    take the registration step on the day it is taken."""
    walk_to(client, auth, pid, "approved")
    facts = {k: v for k, v in REGISTRATION.items() if k != "registered_on"}
    return post_step(client, auth["minzheng"], pid, "registration", "登记为民办非企业单位",
                     **facts)


def _items(client, collection: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/collections/{collection}/items",
                          params={"limit": "1000", "crs": ZONE, **params})
    assert response.status_code == 200, response.text
    return response.json()["features"]


def _by_name(features) -> dict[str, shapely.Geometry]:
    """Each feature's geometry by name, as x/y (EPSG:4549 is served northing first)."""
    return {f["properties"]["name"]: shapely.transform(shape(f["geometry"]), lambda c: c[:, ::-1])
            for f in features}


def _newest_job(client, headers) -> dict[str, Any]:
    return client.get("/jobs", params={"limit": 1}, headers=headers["gis"]).json()["jobs"][0]


@pytest.fixture(scope="module")
def lifecycle(service, headers) -> dict[str, Any]:
    """Register good_industrial, validate an overlapping proposal, register the revision."""
    found: dict[str, Any] = {"t0": _now()}
    other, _ = create_proposal(service, headers["gis"], "flaw_b9_bad_name")
    assert service.post(f"/proposals/{other}/versions/1/validation",
                        headers=headers["gis"]).status_code == 201
    found["other_job"] = _newest_job(service, headers)
    pid, _ = create_proposal(service, headers["gis"])
    registered = _register(service, headers, pid)
    assert registered.status_code == 201, registered.text
    found["t1"] = _now()
    found["town"] = service.get("/towns/1").json()
    found["neighbours1"] = _items(service, "neighbours")
    found["communities1"] = _items(service, "communities")
    found["other"] = other
    revision, _ = create_proposal(service, headers["gis"], "flaw_b3_offroad_edge")
    registered = _register(service, headers, revision)
    assert registered.status_code == 201, registered.text
    found["t2"] = _now()
    found["neighbours2"] = _items(service, "neighbours")
    found["communities2"] = _items(service, "communities")
    return found


def test_registration_carves_each_village_by_exactly_what_it_gave(lifecycle):
    before = gpd.read_file(DEMO / "context.gpkg", layer="neighbours").set_index("name").geometry
    after = _by_name(lifecycle["neighbours1"])
    community = _by_name(lifecycle["communities1"])[NAME]
    assert set(after) == {*before.index, NAME}
    gave = 0.0
    for name, geom in before.items():
        given = geom.intersection(community).area
        assert abs(geom.area - after[name].area - given) < 1.0, name
        gave += given
    assert gave > 2e6 and abs(gave - community.area) < 1.0
    kinds = {f["properties"]["name"]: f["properties"]["kind"] for f in lifecycle["neighbours1"]}
    assert kinds[NAME] == "industrial_community"


def test_registration_makes_a_new_context_version(service, lifecycle):
    assert lifecycle["town"]["context_version"] == 2
    versions = service.get("/towns/1/versions").json()["versions"]
    assert [v["reason"] for v in versions] == ["load", "registration", "registration"]
    assert versions[1]["proposal_id"] is not None


def test_a_proposal_overlapping_a_registered_community_gets_a_b5_error_naming_it(
    service, headers, lifecycle
):
    other = lifecycle["other"]
    response = service.post(f"/proposals/{other}/versions/1/validation", headers=headers["gis"],
                            params={"lang": "en"})
    assert response.status_code == 201, response.text
    named = [f for f in response.json()["findings"]
             if f["rule"] == "B5" and f["severity"] == "error" and NAME in f["message"]]
    assert len(named) == 1, response.json()["findings"]
    assert _newest_job(service, headers)["context_version"] == 3


def test_a_run_names_its_context_version_and_repeats_on_the_current_one(
    service, headers, lifecycle
):
    first = lifecycle["other_job"]
    assert first["context_version"] == 1
    response = service.post(f"/jobs/{first['jobID']}/repeat", headers=headers["gis"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["before"]["context_version"] == 1 and body["after"]["context_version"] == 3
    difference = body["difference"]
    assert difference["changed"] is True
    errors = difference["summary"]["errors"]
    assert errors["after"] == errors["before"] + 1  # its B9 name error, and now B5
    added = [f for f in difference["findings_added"] if f["key"] == "b5_overlaps_registered"]
    assert [f["params"]["neighbour"] for f in added] == [NAME]


def test_adjusting_the_registered_community_retires_the_old_one(lifecycle):
    old = _by_name(lifecycle["communities1"])[NAME]
    assert len(lifecycle["communities2"]) == 1
    new = _by_name(lifecycle["communities2"])[NAME]
    assert new.area > old.area + 1e5
    before, after = _by_name(lifecycle["neighbours1"]), _by_name(lifecycle["neighbours2"])
    assert set(before) == set(after)
    for name, geom in before.items():
        if name != NAME:
            back = old.difference(new).intersection(after[name]).area
            assert abs(geom.area - geom.intersection(new).area + back - after[name].area) < 1.0
    assert abs(sum(g.area for g in after.values()) - sum(g.area for g in before.values())) < 1.0


def test_datetime_answers_which_boundaries_were_valid(service, lifecycle):
    t0, t1, t2 = lifecycle["t0"], lifecycle["t1"], lifecycle["t2"]
    assert _items(service, "communities", datetime=t0) == []
    then = _by_name(_items(service, "communities", datetime=t1))
    assert then[NAME].symmetric_difference(_by_name(lifecycle["communities1"])[NAME]).area < 1
    now = _by_name(_items(service, "communities", datetime=t2))
    assert now[NAME].symmetric_difference(_by_name(lifecycle["communities2"])[NAME]).area < 1
    assert len(_items(service, "communities", datetime=f"{t0}/..")) == 2
    original = _by_name(_items(service, "neighbours", datetime=t0))
    demo = gpd.read_file(DEMO / "context.gpkg", layer="neighbours").set_index("name").geometry
    assert set(original) == set(demo.index)
    assert all(abs(original[n].area - g.area) < 1.0 for n, g in demo.items())
    at_t1 = _by_name(_items(service, "neighbours", datetime=t1))
    assert {n: round(g.area) for n, g in at_t1.items()} == {
        n: round(g.area) for n, g in _by_name(lifecycle["neighbours1"]).items()}
    retired = _items(service, "communities", datetime=t1)[0]["properties"]
    assert retired["valid_from"] is not None and retired["valid_to"] is not None


def test_the_communities_collection_states_when_its_boundaries_were_valid(service, lifecycle):
    extent = service.get("/collections/communities").json()["extent"]
    ((start, end),) = extent["temporal"]["interval"]
    # from the first registration on, and still valid (the revision is current)
    moment = dt.datetime.fromisoformat
    assert moment(lifecycle["t0"]) <= moment(start) <= moment(lifecycle["t1"]) and end is None
    assert extent["temporal"]["trs"].endswith("ISO-8601/0/Gregorian")


@pytest.mark.parametrize("value", ["yesterday", "2026-06-30T08:00:00", "2026-13-01",
                                   "2027-01-01T00:00:00Z/2026-01-01T00:00:00Z", "a/b/c"])
def test_an_invalid_datetime_is_a_400_problem(service, value):
    response = service.get("/collections/neighbours/items", params={"datetime": value})
    assert_problem(response, 400, "datetime_invalid")


@pytest.mark.parametrize("utc_time", ["2026-12-01T03:00:00", "2026-12-01T16:30:00"])
def test_a_registration_without_a_date_begins_at_its_step_at_any_hour(utc_time):
    """With no registered_on the boundaries begin when the step was taken, also in the hours
    when China's day (UTC+8) is already the next one."""
    from api.db.models import WorkflowEvent
    from api.services.registration import _valid_from

    at = dt.datetime.fromisoformat(utc_time).replace(tzinfo=dt.UTC)
    event = WorkflowEvent(created_at=at, details={})
    assert _valid_from(None, 1, event) == at  # type: ignore[arg-type]  (no session needed)
