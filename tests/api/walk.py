"""Walking a proposal through the approval workflow as the demo users, for any API suite.

``step`` takes one step (a reason is always given); ``walk_to`` takes every step up to a
state the way the guideline runs it: the office organises the survey, every department of
the roster and the town give an opinion, the committee meets when village boundaries change,
approval carries its 批复文号 and registration its certificate."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# the demo users who speak for each roster entry (DOMAIN.md; rules' workflow.departments)
ROSTER_USERS = ("fagai", "jingxin", "gonganfenju", "minzheng", "jianjiao", "shangwu",
                "ziranziyuan", "shezhi", "jiedao")
# a code that passes GB 32100-2015's checks
CREDIT_CODE = "52330211MJ0000018T"
REGISTRATION = {"decision_number": "甬镇民准字[2026]8号", "certificate_number": "证字第0008号",
                "credit_code": CREDIT_CODE, "registered_on": "2026-11-30"}
APPROVAL = {"approval_number": "镇政发[2026]21号", "approved_on": "2026-11-20"}
ORDER = ("applied", "initially_reviewed", "surveyed", "jointly_reviewed", "approved",
         "registered")


def post_step(client: TestClient, headers: dict[str, str], pid: int, action: str,
              reason: str = "", **facts: Any):
    """The response to taking ``action`` (with ``reason`` and the step's facts)."""
    return client.post(f"/proposals/{pid}/events",
                       json={"action": action, "reason": reason, **facts}, headers=headers)


def step(client: TestClient, headers: dict[str, str], pid: int, action: str,
         reason: str | None = None, **facts: Any) -> dict[str, Any]:
    """Take ``action``; the recorded event (the step must succeed)."""
    response = post_step(client, headers, pid, action, reason or f"{action}: 依程序办理", **facts)
    assert response.status_code == 201, response.text
    return response.json()


def opine(client: TestClient, auth: dict[str, dict[str, str]], pid: int, user: str,
          verdict: str = "agree", text: str = "同意", conditions: list[str] | None = None):
    """``user``'s department's opinion; the response."""
    body: dict[str, Any] = {"verdict": verdict, "text": text}
    if conditions is not None:
        body["conditions"] = conditions
    return client.post(f"/proposals/{pid}/opinions", json=body, headers=auth[user])


def walk_to(client: TestClient, auth: dict[str, dict[str, str]], pid: int, state: str) -> None:
    """Take every step from the proposal's current state up to ``state``."""
    current = client.get(f"/proposals/{pid}/events", headers=auth["gis"]).json()["state"]
    start = 0 if current in ("draft", "postponed") else ORDER.index(
        "surveyed" if current == "committee_pending" else current) + 1
    for target in ORDER[start:ORDER.index(state) + 1]:
        if target == "applied":
            step(client, auth["gis"], pid, "application", confirm_errors=True)
        elif target == "initially_reviewed":
            step(client, auth["minzheng"], pid, "initial_review")
        elif target == "surveyed":
            step(client, auth["bangongshi"], pid, "site_survey")
        elif target == "jointly_reviewed":
            if current != "committee_pending":
                status = client.get(f"/proposals/{pid}/events",
                                    headers=auth["gis"]).json()["joint_review"]
                for entry in status["missing"]:  # the roster's order is ROSTER_USERS'
                    user = ROSTER_USERS[status["roster"].index(entry)]
                    assert opine(client, auth, pid, user).status_code == 201
                event = step(client, auth["bangongshi"], pid, "joint_review")
                current = event["to_state"]
            if current == "committee_pending":
                step(client, auth["bangongshi"], pid, "committee_review",
                     convened_by="指导委员会副主任", meeting_on="2026-11-18")
        elif target == "approved":
            step(client, auth["admin"], pid, "approval", **APPROVAL)
        elif target == "registered":
            step(client, auth["minzheng"], pid, "registration", **REGISTRATION)
