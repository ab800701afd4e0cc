"""Who may do what: tokens, roles, and what the public can never read."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem, create_proposal, demo_feature
from tests.api.test_api_workflow import POINT
from tests.api.walk import step, walk_to


@pytest.fixture
def under_review(client, auth) -> int:
    """A proposal in joint review, with grids, a survey finding and an opinion."""
    pid, _ = create_proposal(client, auth["gis"])
    assert client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]).status_code == 201
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    client.post(
        f"/proposals/{pid}/versions/1/findings",
        headers=auth["fagai"],
        data={"geometry": POINT, "note": "内部踏勘记录"},
    )
    step(client, auth["bangongshi"], pid, "site_survey")
    client.post(
        f"/proposals/{pid}/opinions",
        json={"verdict": "agree", "text": "内部意见"},
        headers=auth["fagai"],
    )
    return pid


def test_sign_in_with_a_wrong_password_is_401(client):
    assert_problem(
        client.post("/token", data={"username": "gis", "password": "wrong"}), 401, "login_failed"
    )
    assert_problem(
        client.post("/token", data={"username": "nobody", "password": "x"}), 401, "login_failed"
    )


def test_passwords_are_stored_salted_and_hashed(client):
    from api.db.models import User

    with client.app.state.sessions() as session:
        hashes = [u.password_hash for u in session.query(User).all()]
    assert all(h.startswith("scrypt$") and "test-password" not in h for h in hashes)
    assert len(set(hashes)) == len(hashes)  # same password, different salts


def test_writes_need_a_token_and_a_role_that_may_write(client, auth):
    feature = demo_feature("good_industrial")
    assert_problem(client.post("/proposals", json=feature), 401, "token_missing")
    assert_problem(
        client.post("/proposals", json=feature, headers={"Authorization": "Bearer forged"}),
        401,
        "token_invalid",
    )
    assert_problem(
        client.post("/proposals", json=feature, headers=auth["fagai"]), 403, "forbidden_role"
    )
    assert_problem(
        client.post("/proposals", json=feature, headers=auth["minzheng"]), 403, "forbidden_role"
    )
    pid, _ = create_proposal(client, auth["gis"])
    assert_problem(
        client.post(f"/proposals/{pid}/versions/1/validation", headers=auth["jingxin"]), 403
    )
    assert_problem(client.post(f"/proposals/{pid}/versions/1/validation"), 401)
    assert_problem(
        client.post(
            f"/proposals/{pid}/opinions",
            json={"verdict": "agree", "text": "x"},
            headers=auth["gis"],
        ),
        403,
        "forbidden_role",
    )


def test_public_cannot_read_an_unapproved_proposal(client, under_review):
    pid = under_review
    assert_problem(client.get(f"/proposals/{pid}"), 404, "proposal_not_found")
    assert_problem(client.get(f"/proposals/{pid}/versions/1"), 404)
    assert pid not in [f["id"] for f in client.get("/proposals").json()["features"]]
    items = client.get("/collections/proposals/items?limit=10000").json()
    assert pid not in [f["id"] for f in items["features"]]
    assert_problem(client.get(f"/collections/proposals/items/{pid}"), 404, "feature_not_found")


def test_public_cannot_read_survey_findings(client, under_review):
    pid = under_review
    assert_problem(client.get(f"/proposals/{pid}/versions/1/findings"), 401, "token_missing")


def test_public_cannot_read_opinions_or_the_workflow_history(client, under_review):
    pid = under_review
    assert_problem(client.get(f"/proposals/{pid}/opinions"), 401, "token_missing")
    assert_problem(client.get(f"/proposals/{pid}/events"), 401, "token_missing")


def test_public_cannot_read_enterprise_employees(client, auth, under_review):
    pid = under_review
    # staff see employees in grids and micro-grids …
    staff = client.get("/collections/microgrids/items?limit=10000", headers=auth["gis"]).json()
    assert any("employees" in f["properties"] for f in staff["features"])
    # … the public sees no grid of an unapproved proposal, and of an approved one no employees
    assert_problem(client.get(f"/proposals/{pid}/versions/1/grids"), 401)
    walk_to(client, auth, pid, "approved")
    for collection in ("grids", "microgrids"):
        public = client.get(f"/collections/{collection}/items?limit=10000").json()
        assert public["numberReturned"] > 0
        for feature in public["features"]:
            assert (
                not {"employees", "enterprises", "name", "uscc", "tax_share"}
                & feature["properties"].keys()
            )
    proposal = client.get(f"/proposals/{pid}").json()
    assert "employees" not in proposal["properties"] and "reason" not in proposal["properties"]
    assert "parcels" not in [c["id"] for c in client.get("/collections").json()["collections"]]
    assert_problem(client.get("/collections/parcels/items"), 404, "collection_not_found")
    assert_problem(client.get("/collections/sites/items"), 401)


def test_an_administrator_adds_a_department_reviewer_who_can_then_sign_in(client, auth):
    body = {
        "username": "gongan",
        "password": "a-long-password",
        "role": "reviewer",
        "department": "区公安分局",
    }
    assert_problem(client.post("/users", json=body, headers=auth["gis"]), 403, "forbidden_role")
    assert_problem(
        client.post("/users", json={**body, "department": None}, headers=auth["admin"]),
        422,
        "department_missing",
    )
    created = client.post("/users", json=body, headers=auth["admin"])
    assert created.status_code == 201 and "password" not in created.text
    assert_problem(client.post("/users", json=body, headers=auth["admin"]), 409, "user_exists")
    token = client.post("/token", data={"username": "gongan", "password": "a-long-password"})
    me = client.get(
        "/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.json() == {
        "username": "gongan",
        "display_name": "gongan",
        "role": "reviewer",
        "department": "区公安分局",
    }
    assert "gongan" in [
        u["username"] for u in client.get("/users", headers=auth["admin"]).json()["users"]
    ]


def test_the_loaded_town_is_listed_with_its_measuring_zone(client):
    towns = client.get("/towns").json()["towns"]
    assert towns[0]["work_crs"] == "EPSG:4549" and towns[0]["name"]
