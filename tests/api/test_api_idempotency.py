"""Every create and edit honours ``Idempotency-Key`` on both stores: sent again with the same key
and request it answers the first answer (same status, body and Location, marked
``Idempotent-Replayed``) and makes nothing more; the key with another request is 422.

One case per route that makes something; each prepares what its route needs and names the
table its route adds to.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from api import idempotent_requests
from api.db.models import (
    AuditJob,
    ConditionMet,
    ContextVersion,
    EmploymentFigure,
    GridAppointment,
    IdempotencyKey,
    Opinion,
    Proposal,
    ProposalVersion,
    Run,
    SurveyFinding,
    Town,
    User,
    WorkflowEvent,
)
from api.routes import proposals as proposal_routes
from tests.api.conftest import (
    DEMO,
    assert_problem,
    bearer,
    create_proposal,
    demo_feature,
    service_per_engine,
)
from tests.api.test_api_workflow import POINT
from tests.api.walk import APPROVAL, REGISTRATION, opine, step, walk_to

service = service_per_engine("idempotency")
CONTEXT = DEMO / "context.gpkg"
USERS = ("gis", "admin", "minzheng", "ziranziyuan", "fagai", "bangongshi",
         "jingxin", "gonganfenju", "jianjiao", "shangwu", "shezhi", "jiedao")
EMPLOYMENT = "统一社会信用代码,单位名称,核定就业人数,统计期\r\n"


@pytest.fixture(scope="module")
def auth(service) -> dict[str, dict[str, str]]:
    return bearer(service, *USERS)


@dataclass
class Call:
    """A request that makes something: by whom, where, and what it sends (``other`` is another
    request to the same place)."""

    user: str
    method: str
    url: str
    sent: dict[str, Any]
    other: dict[str, Any]
    made: type
    headers: dict[str, str] = field(default_factory=dict)


Prepare = Callable[[TestClient, dict[str, dict[str, str]]], Call]


def _renamed(name: str) -> dict[str, Any]:
    feature = demo_feature("good_industrial")
    feature["properties"]["name"] = name
    return feature


def _proposal(client, auth) -> Call:
    return Call("gis", "POST", "/proposals", {"json": _renamed("幂等 甲")},
                {"json": _renamed("幂等 乙")}, Proposal)


def _version(client, auth) -> Call:
    pid, etag = create_proposal(client, auth["gis"])
    return Call("gis", "PUT", f"/proposals/{pid}", {"json": _renamed("第二版")},
                {"json": _renamed("另一第二版")}, ProposalVersion, {"If-Match": etag})


def _event(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    body = {"action": "application", "reason": "申报", "confirm_errors": True}
    return Call("gis", "POST", f"/proposals/{pid}/events", {"json": body},
                {"json": {**body, "reason": "再申报"}}, WorkflowEvent)


def _registration(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "jointly_reviewed")
    step(client, auth["admin"], pid, "approval", "批复", **APPROVAL)
    body = {"action": "registration", "reason": "登记", **REGISTRATION}
    return Call("minzheng", "POST", f"/proposals/{pid}/events", {"json": body},
                {"json": {**body, "reason": "另一登记"}}, WorkflowEvent)


def _finding(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "initially_reviewed")
    form = {"geometry": POINT, "note": "围墙"}
    return Call("ziranziyuan", "POST", f"/proposals/{pid}/versions/1/findings",
                {"data": form}, {"data": {**form, "note": "水沟"}}, SurveyFinding)


def _opinion(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    body = {"verdict": "agree_with_conditions", "text": "有条件同意", "conditions": ["预留用地"]}
    return Call("fagai", "POST", f"/proposals/{pid}/opinions", {"json": body},
                {"json": {**body, "text": "同意"}}, Opinion)


def _condition_met(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    response = opine(client, auth, pid, "fagai", "agree_with_conditions", "有条件同意", ["预留"])
    assert response.status_code == 201, response.text
    cid = client.get(f"/proposals/{pid}/conditions", headers=auth["gis"]).json()[
        "conditions"][0]["id"]
    body = {"note": "已补充", "met_on": "2026-11-19"}
    return Call("fagai", "POST", f"/proposals/{pid}/conditions/{cid}/met", {"json": body},
                {"json": {**body, "note": "另一说明"}}, ConditionMet)


def _town(client, auth) -> Call:
    files = {"file": ("丙镇.gpkg", CONTEXT.read_bytes(), "application/geopackage+sqlite3")}
    return Call("gis", "POST", "/towns", {"files": files, "data": {"name": "丙镇"}},
                {"files": files, "data": {"name": "丁镇"}}, Town)


def _context_version(client, auth) -> Call:
    files = {"file": ("context.gpkg", CONTEXT.read_bytes(), "application/geopackage+sqlite3")}
    return Call("gis", "POST", "/towns/1/versions", {"files": files, "data": {"layer": "roads"}},
                {"files": files, "data": {"layer": "parcels"}}, ContextVersion)


def _run(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    return Call("gis", "POST", f"/proposals/{pid}/versions/1/validation", {},
                {"params": {"lang": "en"}}, Run)


def _job(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    return Call("gis", "POST", f"/proposals/{pid}/versions/1/validation",
                {"params": {"async": "true"}}, {"params": {"async": "true", "lang": "en"}}, Run)


def _audit(client, auth) -> Call:
    return Call("fagai", "POST", "/towns/1/audit", {}, {"params": {"lang": "en"}}, AuditJob)


def _repeat(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    job = client.post(f"/proposals/{pid}/versions/1/validation?async=true",
                      headers=auth["gis"]).json()
    client.app.state.runner.drain(timeout=120)
    return Call("gis", "POST", f"/jobs/{job['jobID']}/repeat", {}, {"params": {"lang": "en"}},
                Run)


def _user(client, auth) -> Call:
    body = {"username": "idem.user", "password": "a-long-password", "role": "gis"}
    return Call("admin", "POST", "/users", {"json": body},
                {"json": {**body, "username": "idem.other"}}, User)


def _employment(client, auth) -> Call:
    row = "9133021192XE871735,宁波广源电气股份有限公司,{},2026-09\r\n"
    form = {"accept_warnings": "true"}
    table, other = ((EMPLOYMENT + row.format(n)).encode() for n in (120, 130))
    return Call("gis", "POST", "/towns/1/employment",
                {"files": {"file": ("hr.csv", table, "text/csv")}, "data": form},
                {"files": {"file": ("hr.csv", other, "text/csv")}, "data": form},
                EmploymentFigure)


def _roster(client, auth) -> Call:
    pid, _ = create_proposal(client, auth["gis"])
    grids = client.post(f"/proposals/{pid}/versions/1/grids", headers=auth["gis"]).json()
    code = grids["grids"]["features"][0]["properties"]["code"]
    body = {"role": "grid_head", "person": "张伟"}
    return Call("gis", "POST", f"/proposals/{pid}/grids/{code}/roster", {"json": body},
                {"json": {**body, "person": "王芳"}}, GridAppointment)


def _ogc_item(client, auth) -> Call:
    return Call("gis", "POST", "/collections/proposals/items", {"json": _renamed("要素 甲")},
                {"json": _renamed("要素 乙")}, Proposal)


def _ogc_delete(client, auth) -> Call:
    pid, etag = create_proposal(client, auth["gis"])
    return Call("gis", "DELETE", f"/collections/proposals/items/{pid}", {},
                {"headers": {"If-Match": '"another"'}}, WorkflowEvent, {"If-Match": etag})


CASES: dict[str, Prepare] = {
    "proposal": _proposal, "version": _version, "event": _event,
    "registration": _registration, "finding": _finding, "opinion": _opinion,
    "condition_met": _condition_met, "town": _town, "context_version": _context_version,
    "run": _run, "job": _job, "audit": _audit, "repeat": _repeat, "user": _user,
    "employment": _employment, "roster": _roster, "ogc_item": _ogc_item,
    "ogc_delete": _ogc_delete,
}


def _count(client: TestClient, model: type) -> int:
    with client.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("case", list(CASES))
def test_a_create_sent_again_with_its_key_answers_the_first_answer_and_makes_nothing_more(
    service, auth, case
):
    call = CASES[case](service, auth)
    headers = {**auth[call.user], **call.headers, "Idempotency-Key": uuid.uuid4().hex}
    first = service.request(call.method, call.url, headers=headers, **call.sent)
    assert first.status_code in (200, 201, 202, 204), first.text
    made = _count(service, call.made)
    again = service.request(call.method, call.url, headers=headers, **call.sent)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers.get("Location") == first.headers.get("Location")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(service, call.made) == made
    other = dict(call.other)
    other_headers = {**headers, **other.pop("headers", {})}
    assert_problem(service.request(call.method, call.url, headers=other_headers, **other),
                   422, "idempotency_key_reused")
    assert _count(service, call.made) == made
    service.app.state.runner.drain(timeout=120)


def test_a_request_refused_before_it_changes_anything_runs_again_on_retry(service, auth):
    headers = {**auth["gis"], "Idempotency-Key": uuid.uuid4().hex}
    bad = _renamed("无效")
    bad["geometry"] = {"type": "Point", "coordinates": [121.6, 29.9]}
    refused = service.post("/proposals", json=bad, headers=headers)
    assert refused.status_code == 422 and "Idempotent-Replayed" not in refused.headers
    assert service.post("/proposals", json=bad, headers=headers).headers.get(
        "Idempotent-Replayed") is None


def test_a_change_whose_answer_was_lost_is_never_made_twice(service, auth, monkeypatch):
    """The store lost between the change and keeping its answer: the client still gets the
    answer, and a retry is told 409 (with Retry-After) instead of changing things again."""
    monkeypatch.setattr(service.app.state.settings, "db_wait_seconds", 0.2)

    def store_gone(*args: Any) -> None:
        raise OperationalError("UPDATE idempotency_keys", {}, Exception("server closed"))

    monkeypatch.setattr(idempotent_requests, "keep", store_gone)
    headers = {**auth["gis"], "Idempotency-Key": uuid.uuid4().hex}
    first = service.post("/proposals", json=_renamed("应答丢失"), headers=headers)
    assert first.status_code == 201, first.text
    made = _count(service, Proposal)
    again = assert_problem(service.post("/proposals", json=_renamed("应答丢失"), headers=headers),
                           409, "idempotency_key_pending")
    assert "应答丢失" not in again["detail"]
    assert _count(service, Proposal) == made


def test_keys_are_each_users_own_and_reads_ignore_them(service, auth):
    key = uuid.uuid4().hex
    mine = service.post("/proposals", json=_renamed("钥匙 甲"),
                        headers={**auth["gis"], "Idempotency-Key": key})
    assert mine.status_code == 201
    theirs = service.post("/users", json={"username": "idem.keys", "password": "0123456789ab",
                                           "role": "gis"},
                          headers={**auth["admin"], "Idempotency-Key": key})
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    listed = service.get("/proposals", headers={**auth["gis"], "Idempotency-Key": key})
    assert listed.status_code == 200 and "Idempotent-Replayed" not in listed.headers
    assert_problem(service.post("/proposals", json=_renamed("钥匙 乙"),
                                headers={**auth["gis"], "Idempotency-Key": "k" * 201}), 400,
                   "idempotency_key_invalid")
    with service.app.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKey).where(
            IdempotencyKey.key == key)) == 2


def test_the_openapi_document_offers_the_key_on_every_change_and_on_no_read(service):
    paths = service.get("/api.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            signed_in_change = method in ("post", "put", "patch", "delete") and operation.get(
                "security")
            assert ("Idempotency-Key" in names) == bool(signed_in_change), (method, path)
    assert "Idempotency-Key" in {p["name"] for p in paths["/proposals"]["post"]["parameters"]}


def test_a_change_made_before_the_store_failed_its_answer_is_told_so_on_every_retry(
        service, auth, monkeypatch):
    """The proposal is made, then building the answer fails on the store (503): a retry is
    told, for good, that the change was made (409, no Retry-After) and makes nothing more;
    the key is never left waiting for an answer that will not come."""
    monkeypatch.setattr(service.app.state.settings, "db_wait_seconds", 0.2)

    def store_gone(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("SELECT proposals", {}, Exception("server closed"))

    headers = {**auth["gis"], "Idempotency-Key": uuid.uuid4().hex, "Accept-Language": "en"}
    before = _count(service, Proposal)
    with monkeypatch.context() as broken:
        broken.setattr(proposal_routes, "version_feature", store_gone)
        failed = service.post("/proposals", json=_renamed("应答前失败"), headers=headers)
    assert failed.status_code == 503, failed.text
    assert _count(service, Proposal) == before + 1  # the change was made before the failure
    for _ in range(2):
        again = service.post("/proposals", json=_renamed("应答前失败"), headers=headers)
        body = assert_problem(again, 409, "idempotency_key_interrupted")
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Retry-After" not in again.headers and body["first_status"] == 503
        assert "made its changes" in body["detail"] and headers["Idempotency-Key"] in body["detail"]
    assert _count(service, Proposal) == before + 1
    with service.app.state.sessions() as session:
        row = session.scalar(select(IdempotencyKey).where(
            IdempotencyKey.key == headers["Idempotency-Key"]))
        assert row is not None and row.status == 409
    fresh = service.post("/proposals", json=_renamed("应答前失败"),
                         headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    assert fresh.status_code == 201 and _count(service, Proposal) == before + 2
