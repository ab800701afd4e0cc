"""The committee meets only when village boundaries change (001 § 二(一)4(3)): a proposal on
land no village or community manages goes from the joint review straight to approval. The
town without villages there is uploaded to a service of its own on each engine."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest

from tests.api.conftest import (
    DEMO,
    PASSWORD,
    assert_problem,
    bearer,
    demo_feature,
    service_per_engine,
)
from tests.api.walk import ROSTER_USERS, opine, post_step, step, walk_to

CONTEXT = DEMO / "context.gpkg"


service = service_per_engine("committee")


@pytest.fixture(scope="module")
def auth(service) -> dict[str, dict[str, str]]:
    users = bearer(service, *ROSTER_USERS, "gis", "minzheng", "bangongshi", "admin")
    created = service.post("/users", headers=users["admin"], json={
        "username": "yizhen", "password": PASSWORD, "role": "reviewer",
        "department": "乙镇人民政府"})
    assert created.status_code == 201, created.text
    return {**users, **bearer(service, "yizhen")}


@pytest.fixture(scope="module")
def unmanaged_town(service, auth, tmp_path_factory) -> int:
    """The demo town without the villages and communities the good proposal lies in."""
    proposal = gpd.read_file(DEMO / "proposals" / "good_industrial.gpkg", layer="proposal")
    layers = {n: gpd.read_file(CONTEXT, layer=n) for n, kind in pyogrio.list_layers(CONTEXT)
              if kind is not None}  # the map layers, not QGIS's styles table
    neighbours = layers["neighbours"]
    inside = neighbours.intersects(proposal.to_crs(neighbours.crs).geometry.iloc[0])
    layers["neighbours"] = neighbours[~inside]
    path = tmp_path_factory.mktemp("town") / "乙镇.gpkg"
    for name, frame in layers.items():
        frame.to_file(path, layer=name, driver="GPKG")
    files = {"file": ("乙镇.gpkg", path.read_bytes(), "application/geopackage+sqlite3")}
    town = service.post("/towns", files=files, data={"name": "乙镇"}, headers=auth["admin"])
    assert town.status_code == 201, town.text
    return int(town.json()["id"])


def test_a_proposal_changing_no_village_boundary_needs_no_committee(service, auth,
                                                                    unmanaged_town):
    feature = {**demo_feature("good_industrial"), "town_id": unmanaged_town}
    created = service.post("/proposals", json=feature, headers=auth["gis"])
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    walk_to(service, auth, pid, "surveyed")
    status = service.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()["joint_review"]
    assert status["roster"][-1] == "乙镇"  # the town of the proposal speaks for itself
    for user in (*ROSTER_USERS[:-1], "yizhen"):
        assert opine(service, auth, pid, user).status_code == 201
    event = step(service, auth["bangongshi"], pid, "joint_review")
    assert event["to_state"] == "jointly_reviewed"
    assert event["details"]["committee_required"] is False
    assert event["details"]["villages_changed"] == []
    assert_problem(post_step(service, auth["bangongshi"], pid, "committee_review", "审议",
                             convened_by="主任"), 409, "transition_invalid")
    walk_to(service, auth, pid, "registered")
    actions = [e["action"] for e in
               service.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()["events"]]
    assert "committee_review" not in actions and actions[-1] == "registration"


def test_the_same_proposal_in_the_demo_town_goes_to_the_committee(service, auth):
    pid = service.post("/proposals", json=demo_feature("good_industrial"),
                       headers=auth["gis"]).json()["id"]
    walk_to(service, auth, pid, "surveyed")
    for user in ROSTER_USERS:
        assert opine(service, auth, pid, user).status_code == 201
    event = step(service, auth["bangongshi"], pid, "joint_review")
    assert event["to_state"] == "committee_pending"
    given = {v["name"]: v["area_m2"] for v in event["details"]["villages_changed"]}
    assert given and all(area >= 1.0 for area in given.values())
    # the land the villages give up is the proposal's area inside them (DOMAIN: within 1 m²)
    version = service.get(f"/proposals/{pid}/versions/1", headers=auth["gis"]).json()
    assert sum(given.values()) == pytest.approx(version["properties"]["area_m2"], abs=1.0)
