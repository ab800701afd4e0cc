"""The approval workflow of 001 § 二(一)4, walked by the people who take each step."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from tests.api.conftest import assert_problem, create_proposal

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


def step(client, headers, pid, action, reason="") -> dict:
    response = client.post(
        f"/proposals/{pid}/events", json={"action": action, "reason": reason}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


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
    step(client, auth["minzheng"], pid, "site_survey", "联合踏勘完成")
    opinions = [
        ("ziranziyuan", "agree", "边界清晰，同意"),
        ("fagai", "agree_with_conditions", "同意，建议预留发展用地"),
        ("jingxin", "agree", "产业特色明显，同意"),
    ]
    for user, verdict, text in opinions:
        response = client.post(
            f"/proposals/{pid}/opinions",
            json={"verdict": verdict, "text": text},
            headers=auth[user],
        )
        assert response.status_code == 201, response.text
    step(client, auth["minzheng"], pid, "joint_review", "部门联审通过")
    step(client, auth["admin"], pid, "approval", "区政府批复成立")
    step(client, auth["minzheng"], pid, "registration", "登记为民办非企业单位")

    history = client.get(f"/proposals/{pid}/events", headers=auth["admin"]).json()
    assert history["state"] == "registered" and history["next_actions"] == []
    assert [(e["action"], e["actor"], e["to_state"]) for e in history["events"]] == [
        ("application", "gis", "applied"),
        ("initial_review", "minzheng", "initially_reviewed"),
        ("site_survey", "minzheng", "surveyed"),
        ("joint_review", "minzheng", "jointly_reviewed"),
        ("approval", "admin", "approved"),
        ("registration", "minzheng", "registered"),
    ]
    assert [e["seq"] for e in history["events"]] == [1, 2, 3, 4, 5, 6]
    assert all(e["created_at"] and e["reason"] for e in history["events"])
    stored = client.get(f"/proposals/{pid}/opinions", headers=auth["gis"]).json()["opinions"]
    assert [(o["author"], o["department"], o["verdict"]) for o in stored] == [
        ("ziranziyuan", "区自然资源规划分局", "agree"),
        ("fagai", "区发改局", "agree_with_conditions"),
        ("jingxin", "区经信局", "agree"),
    ]
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


def test_photo_is_saved_under_a_server_chosen_name_inside_the_upload_folder(client, auth, settings):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    response = survey_point(client, auth, pid, photo=png_bytes(), name="../../escape.png")
    assert response.status_code == 201
    from pathlib import Path

    folder = Path(settings.uploads.dir)
    saved = sorted(p.name for p in folder.rglob("*.png"))
    assert saved and all(len(n) == 36 and n.endswith(".png") for n in saved)  # uuid hex + .png
    assert not (folder.parent / "escape.png").exists()


def test_photos_that_are_not_images_or_too_large_are_refused(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
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
    assert_problem(
        client.post(f"/proposals/{pid}/events", json={"action": "approval"}, headers=auth["admin"]),
        409,
        "transition_invalid",
    )
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
    step(client, auth["gis"], pid, "application")
    step(client, auth["minzheng"], pid, "initial_review")
    # findings only during the survey, opinions only during the joint review
    assert_problem(
        client.post(
            f"/proposals/{pid}/opinions",
            json={"verdict": "agree", "text": "早了"},
            headers=auth["fagai"],
        ),
        409,
        "review_closed",
    )
    step(client, auth["minzheng"], pid, "site_survey")
    assert_problem(survey_point(client, auth, pid), 409, "survey_closed")
    assert_problem(
        client.post(
            f"/proposals/{pid}/events", json={"action": "joint_review"}, headers=auth["minzheng"]
        ),
        409,
        "opinions_missing",
    )
    client.post(
        f"/proposals/{pid}/opinions",
        json={"verdict": "disagree", "text": "切分了企业用地"},
        headers=auth["jingxin"],
    )
    body = assert_problem(
        client.post(
            f"/proposals/{pid}/events", json={"action": "joint_review"}, headers=auth["minzheng"]
        ),
        409,
        "opinions_disagree",
    )
    assert "区经信局" in body["detail"]
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
    step(client, auth["minzheng"], pid, "postponement", "请调整东侧边界后重新申报")
    edited = client.put(
        f"/proposals/{pid}",
        json=demo_feature("good_industrial"),
        headers={**auth["gis"], "If-Match": etag},
    )
    assert edited.status_code == 200
    step(client, auth["gis"], pid, "application", "已调整边界")
    events = client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()["events"]
    assert [(e["action"], e["version"]) for e in events][-2:] == [
        ("postponement", 1),
        ("application", 2),
    ]


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
