"""The approval workflow of 001 § 二(一)4, walked by the people who take each step."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from geo.rules import Rules
from tests.api.conftest import assert_problem, create_proposal
from tests.api.walk import (
    APPROVAL,
    REGISTRATION,
    ROSTER_USERS,
    opine,
    post_step,
    step,
    walk_to,
)

POINT = json.dumps({"type": "Point", "coordinates": [121.6075, 29.9440]})


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A tiny valid PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def survey_point(
    client, auth, pid, user="ziranziyuan", photo: bytes | None = None, name="site.png"
):
    files = {"photo": (name, photo, "image/png")} if photo is not None else None
    return client.post(
        f"/proposals/{pid}/versions/1/findings",
        headers=auth[user],
        data={"geometry": POINT, "note": "东侧道路尚未贯通"},
        files=files,
    )


def test_good_industrial_walks_every_step_and_the_history_reads_back(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application", "镇街申报：方案、信息表、现状图、布局图")
    step(client, auth["minzheng"], pid, "initial_review", "材料齐全，同意踏勘")
    photo = png_bytes()
    finding = survey_point(client, auth, pid, photo=photo, name="../../etc/passwd.png")
    assert finding.status_code == 201, finding.text
    photo_url = finding.json()["properties"]["photo"]
    assert finding.json()["properties"]["department"] == "区自然资源规划分局"
    step(client, auth["bangongshi"], pid, "site_survey", "指导委员会办公室组织联合踏勘完成")
    for user in ROSTER_USERS:
        verdict = "agree_with_conditions" if user == "fagai" else "agree"
        conditions = ["预留产业发展用地"] if user == "fagai" else None
        assert opine(client, auth, pid, user, verdict, "同意", conditions).status_code == 201
    step(client, auth["bangongshi"], pid, "joint_review", "办公室主任会议：部门联审通过")
    # the good proposal takes land from villages: the committee decides before approval
    step(client, auth["bangongshi"], pid, "committee_review", "指导委员会会议审议通过",
         convened_by="指导委员会副主任", meeting_on="2026-11-18", minutes="会议纪要[2026]3号")
    condition = client.get(f"/proposals/{pid}/conditions", headers=auth["gis"]).json()
    cid = condition["conditions"][0]["id"]
    met = client.post(f"/proposals/{pid}/conditions/{cid}/met", headers=auth["fagai"],
                      json={"note": "方案已补充发展用地", "met_on": "2026-11-19"})
    assert met.status_code == 201, met.text
    step(client, auth["admin"], pid, "approval", "区政府批复成立", **APPROVAL)
    step(client, auth["minzheng"], pid, "registration", "登记为民办非企业单位", **REGISTRATION)

    history = client.get(f"/proposals/{pid}/events", headers=auth["admin"]).json()
    assert history["state"] == "registered" and history["next_actions"] == []
    assert [(e["action"], e["actor"], e["to_state"]) for e in history["events"]] == [
        ("application", "gis", "applied"),
        ("initial_review", "minzheng", "initially_reviewed"),
        ("site_survey", "bangongshi", "surveyed"),
        ("joint_review", "bangongshi", "committee_pending"),
        ("committee_review", "bangongshi", "jointly_reviewed"),
        ("approval", "admin", "approved"),
        ("registration", "minzheng", "registered"),
    ]
    assert [e["seq"] for e in history["events"]] == [1, 2, 3, 4, 5, 6, 7]
    # each step records who, when and why
    assert all(e["actor"] and e["created_at"] and e["reason"] for e in history["events"])
    details = {e["action"]: e["details"] for e in history["events"]}
    assert details["application"] == {"validation_errors": {}}
    assert details["joint_review"]["committee_required"] is True
    assert details["joint_review"]["villages_changed"]
    assert set(details["joint_review"]["opinions"]) == {*Rules().workflow.departments, "澥川街道"}
    assert details["committee_review"] == {"convened_by": "指导委员会副主任",
                                           "meeting_on": "2026-11-18",
                                           "minutes": "会议纪要[2026]3号"}
    assert details["approval"] == APPROVAL
    assert details["registration"] == REGISTRATION
    stored = client.get(f"/proposals/{pid}/opinions", headers=auth["gis"]).json()["opinions"]
    assert [(o["author"], o["department"], o["verdict"]) for o in stored][:2] == [
        ("fagai", "区发改局", "agree_with_conditions"),
        ("jingxin", "区经信局", "agree"),
    ]
    assert stored[0]["conditions"][0]["met"]["by"] == "fagai"
    findings = client.get(f"/proposals/{pid}/versions/1/findings", headers=auth["gis"]).json()
    assert findings["numberReturned"] == 1
    assert findings["features"][0]["geometry"]["coordinates"] == pytest.approx([121.6075, 29.9440])
    fetched = client.get(photo_url, headers=auth["gis"])
    assert fetched.status_code == 200 and fetched.content == photo
    # the public now sees the approved boundary
    public = client.get(f"/proposals/{pid}")
    assert public.status_code == 200 and public.json()["properties"]["state"] == "registered"
    briefing = client.get(f"/public/map?proposal={pid}")
    assert briefing.status_code == 200 and briefing.headers["content-type"].startswith("text/html")


def test_joint_review_waits_for_every_department_of_the_roster_and_the_town(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    for user in ROSTER_USERS:
        if user not in ("gonganfenju", "jiedao"):
            assert opine(client, auth, pid, user).status_code == 201
    refused = post_step(client, auth["bangongshi"], pid, "joint_review", "联审")
    body = assert_problem(refused, 409, "opinions_missing")
    assert body["missing"] == ["区公安分局", "澥川街道"]
    assert "区公安分局" in body["detail"] and "澥川街道" in body["detail"]
    english = client.post(f"/proposals/{pid}/events", json={"action": "joint_review",
                                                             "reason": "review"},
                          headers={**auth["bangongshi"], "Accept-Language": "en"}).json()
    assert "still lacks" in english["detail"] and "区公安分局" in english["detail"]
    # the office is not on the roster: its word is not a department's opinion
    assert_problem(opine(client, auth, pid, "bangongshi"), 403, "department_not_on_roster")
    assert opine(client, auth, pid, "gonganfenju").status_code == 201
    body = assert_problem(post_step(client, auth["bangongshi"], pid, "joint_review", "联审"),
                          409, "opinions_missing")
    assert body["missing"] == ["澥川街道"]
    status = client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()["joint_review"]
    assert status["missing"] == ["澥川街道"] and status["verdicts"]["区公安分局"] == "agree"
    # only the office takes the joint review
    assert opine(client, auth, pid, "jiedao").status_code == 201
    assert_problem(post_step(client, auth["minzheng"], pid, "joint_review", "联审"), 403,
                   "forbidden_role")
    assert step(client, auth["bangongshi"], pid, "joint_review")["actor"] == "bangongshi"


def test_approval_waits_until_every_condition_is_marked_met_by_whom_and_when(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    assert_problem(opine(client, auth, pid, "fagai", "agree_with_conditions", "有条件同意"),
                   422, "conditions_required")
    assert_problem(opine(client, auth, pid, "fagai", "agree", "同意", ["多余的条件"]), 422,
                   "conditions_need_verdict")
    for user in ROSTER_USERS:
        if user == "fagai":
            response = opine(client, auth, pid, user, "agree_with_conditions", "有条件同意",
                             ["东侧道路贯通后再挂牌", "补充就业人口核定表"])
        elif user == "jianjiao":
            response = opine(client, auth, pid, user, "agree_with_conditions", "有条件同意",
                             ["完善消防通道"])
        else:
            response = opine(client, auth, pid, user)
        assert response.status_code == 201, response.text
    walk_to(client, auth, pid, "jointly_reviewed")
    body = assert_problem(post_step(client, auth["admin"], pid, "approval", "批复", **APPROVAL),
                          409, "conditions_unmet")
    assert [(u["department"], u["text"]) for u in body["unmet"]] == [
        ("区发改局", "东侧道路贯通后再挂牌"), ("区发改局", "补充就业人口核定表"),
        ("区建交局", "完善消防通道")]
    assert "东侧道路贯通后再挂牌" in body["detail"]
    ids = [u["id"] for u in body["unmet"]]
    # another department may not mark a condition met; the one that set it or the office may
    other = client.post(f"/proposals/{pid}/conditions/{ids[0]}/met", headers=auth["jingxin"],
                        json={"note": "代为确认"})
    assert_problem(other, 403, "condition_other_department")
    by_fagai = client.post(f"/proposals/{pid}/conditions/{ids[0]}/met", headers=auth["fagai"],
                           json={"note": "道路已贯通", "met_on": "2026-11-21"})
    assert by_fagai.status_code == 201
    assert by_fagai.json()["met"]["by"] == "fagai" and by_fagai.json()["met"]["on"] == "2026-11-21"
    assert_problem(client.post(f"/proposals/{pid}/conditions/{ids[0]}/met",
                               headers=auth["fagai"], json={"note": "again"}),
                   409, "condition_met_already")
    future = client.post(f"/proposals/{pid}/conditions/{ids[1]}/met", headers=auth["fagai"],
                         json={"note": "提前", "met_on": "2999-01-01"})
    assert_problem(future, 422, "condition_met_in_future")
    body = assert_problem(post_step(client, auth["admin"], pid, "approval", "批复", **APPROVAL),
                          409, "conditions_unmet")
    assert [u["id"] for u in body["unmet"]] == ids[1:]
    for cid in ids[1:]:
        response = client.post(f"/proposals/{pid}/conditions/{cid}/met",
                               headers=auth["bangongshi"], json={"note": "办公室核实已落实"})
        assert response.status_code == 201
    assert_problem(post_step(client, auth["admin"], pid, "approval", "批复"), 422,
                   "fact_missing")
    step(client, auth["admin"], pid, "approval", "批复", **APPROVAL)
    listed = client.get(f"/proposals/{pid}/conditions", headers=auth["gis"]).json()["conditions"]
    assert [(c["met"]["by"], c["met"]["department"]) for c in listed] == [
        ("fagai", "区发改局"), ("bangongshi", "区委城乡现代社区建设指导委员会办公室"),
        ("bangongshi", "区委城乡现代社区建设指导委员会办公室")]
    assert all(c["met"]["on"] and c["met"]["recorded_at"] for c in listed)


def test_an_application_with_validation_errors_needs_a_recorded_confirmation(client, auth):
    pid, _ = create_proposal(client, auth["gis"], "flaw_b3_offroad_edge")
    body = assert_problem(post_step(client, auth["gis"], pid, "application", "申报"), 409,
                          "errors_unconfirmed")
    # the flaw is an edge off any road: B3's errors only, one per loose stretch
    assert set(body["errors"]) == {"B3"} and body["errors"]["B3"] >= 1
    assert "B3" in body["detail"]
    assert client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()["events"] == []
    event = step(client, auth["gis"], pid, "application", "已知东侧边界问题，先行申报",
                 confirm_errors=True)
    assert event["details"] == {"validation_errors": body["errors"], "errors_confirmed": True}


def test_registration_records_the_certificate_and_checks_its_credit_code(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "approved")
    bad = {**REGISTRATION, "credit_code": REGISTRATION["credit_code"][:-1] + "0"}
    assert_problem(post_step(client, auth["minzheng"], pid, "registration", "登记", **bad), 422,
                   "credit_code_invalid")
    assert_problem(post_step(client, auth["minzheng"], pid, "registration", "登记",
                             certificate_number="证字第1号"), 422, "fact_missing")
    assert_problem(post_step(client, auth["minzheng"], pid, "registration", "登记",
                             **REGISTRATION, **APPROVAL), 422, "fact_not_for_step")
    event = step(client, auth["minzheng"], pid, "registration", "登记", **REGISTRATION)
    assert event["details"] == REGISTRATION


@pytest.mark.parametrize("action", ["rejection", "postponement"])
def test_termination_and_postponement_need_a_reason(client, auth, action):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    assert_problem(post_step(client, auth["bangongshi"], pid, action, "  "), 422,
                   "reason_required")
    event = step(client, auth["bangongshi"], pid, action, "联审不通过：东侧边界未沿道路")
    assert event["reason"] == "联审不通过：东侧边界未沿道路"
    assert event["to_state"] == {"rejection": "rejected", "postponement": "postponed"}[action]


def test_photo_is_saved_under_a_server_chosen_name_inside_the_upload_folder(client, auth, settings):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "initially_reviewed")
    response = survey_point(client, auth, pid, photo=png_bytes(), name="../../escape.png")
    assert response.status_code == 201
    from pathlib import Path

    folder = Path(settings.uploads.dir)
    saved = sorted(p.name for p in folder.rglob("*.png"))
    assert saved and all(len(n) == 36 and n.endswith(".png") for n in saved)  # uuid hex + .png
    assert not (folder.parent / "escape.png").exists()


def test_photos_that_are_not_images_or_too_large_are_refused(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "initially_reviewed")
    assert_problem(
        survey_point(client, auth, pid, photo=b"<svg onload=alert(1)>", name="x.png"),
        415,
        "photo_type",
    )
    big = png_bytes() + b"\x00" * (600 * 1024)  # the test limit is 0.5 MB
    assert_problem(survey_point(client, auth, pid, photo=big), 413, "photo_too_large")
    assert (
        client.get(f"/proposals/{pid}/versions/1/findings", headers=auth["gis"]).json()[
            "numberReturned"
        ]
        == 0
    )


def test_only_allowed_transitions_by_allowed_roles(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    assert_problem(post_step(client, auth["admin"], pid, "approval", "批复", **APPROVAL), 409,
                   "transition_invalid")
    assert_problem(
        client.post(
            f"/proposals/{pid}/events", json={"action": "application"}, headers=auth["fagai"]
        ),
        403,
        "forbidden_role",
    )
    assert_problem(
        client.post(f"/proposals/{pid}/events", json={"action": "teleport"}, headers=auth["gis"]),
        422,
        "action_unknown",
    )
    step(client, auth["gis"], pid, "application")
    assert_problem(
        client.post(
            f"/proposals/{pid}/events", json={"action": "application"}, headers=auth["gis"]
        ),
        409,
        "transition_invalid",
    )
    history = client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()
    assert [e["action"] for e in history["events"]] == ["application"]


def test_a_disagreeing_department_blocks_the_joint_review_and_postponement_reopens_editing(
    client, auth
):
    pid, etag = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "initially_reviewed")
    # findings only during the survey, opinions only during the joint review
    assert_problem(opine(client, auth, pid, "fagai", "agree", "早了"), 409, "review_closed")
    step(client, auth["bangongshi"], pid, "site_survey")
    assert_problem(survey_point(client, auth, pid), 409, "survey_closed")
    for user in ROSTER_USERS:
        verdict = "disagree" if user == "jingxin" else "agree"
        assert opine(client, auth, pid, user, verdict, "切分了企业用地").status_code == 201
    body = assert_problem(post_step(client, auth["bangongshi"], pid, "joint_review", "联审"),
                          409, "opinions_disagree")
    assert "区经信局" in body["detail"] and body["disagree"] == ["区经信局"]
    # the boundary is locked while under review
    from tests.api.conftest import demo_feature

    assert_problem(
        client.put(
            f"/proposals/{pid}",
            json=demo_feature("good_industrial"),
            headers={**auth["gis"], "If-Match": etag},
        ),
        409,
        "edit_locked",
    )
    step(client, auth["bangongshi"], pid, "postponement", "请调整东侧边界后重新申报")
    edited = client.put(
        f"/proposals/{pid}",
        json=demo_feature("good_industrial"),
        headers={**auth["gis"], "If-Match": etag},
    )
    assert edited.status_code == 200
    step(client, auth["gis"], pid, "application", "已调整边界")
    events = client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()
    assert [(e["action"], e["version"]) for e in events["events"]][-2:] == [
        ("postponement", 1),
        ("application", 2),
    ]
    # the opinions were on version 1: version 2 needs every department again
    assert len(events["joint_review"]["missing"]) == len(ROSTER_USERS)


def test_rejection_is_final(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "rejection", "不符合设立条件")
    assert_problem(
        client.post(
            f"/proposals/{pid}/events", json={"action": "application"}, headers=auth["gis"]
        ),
        409,
        "transition_invalid",
    )


def test_concurrent_decisions_on_one_state_record_exactly_one_event(client, auth):
    import threading

    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def decide(action: str) -> None:  # each reviewer decides on the application as they saw it
        barrier.wait()
        response = client.post(
            f"/proposals/{pid}/events",
            json={"action": action, "reason": action},
            headers=auth["minzheng"],
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=decide, args=(a,)) for a in ("initial_review",) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409, 409, 409]
    events = client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()
    assert [e["seq"] for e in events["events"]] == [1, 2]
    assert events["state"] == "initially_reviewed"


def test_the_committee_step_is_refused_unless_the_joint_review_called_for_it(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    assert_problem(post_step(client, auth["bangongshi"], pid, "committee_review", "审议",
                             convened_by="主任"), 409, "transition_invalid")
    for user in ROSTER_USERS:
        opine(client, auth, pid, user)
    event = step(client, auth["bangongshi"], pid, "joint_review")
    assert event["to_state"] == "committee_pending"
    # approval waits for the committee, which needs who convened it
    assert_problem(post_step(client, auth["admin"], pid, "approval", "批复", **APPROVAL), 409,
                   "transition_invalid")
    assert_problem(post_step(client, auth["bangongshi"], pid, "committee_review", "审议"), 422,
                   "fact_missing")
    event = step(client, auth["bangongshi"], pid, "committee_review", convened_by="主任")
    assert event["to_state"] == "jointly_reviewed"
    assert event["details"]["meeting_on"]  # today when not given
