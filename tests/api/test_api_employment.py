"""``POST /towns/{id}/employment``: the 人力社保局's table checked as by the command line,
refused whole with the rows that fail (nothing stored), or stored for the town so that its
analyses count the verified figures. Each engine gets its own service, so the other suites'
demo town keeps its estimates."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.db.models import EmploymentFigure
from tests.api.conftest import (
    assert_problem,
    bearer,
    create_proposal,
    service_per_engine,
)
from tests.api.test_cli_employment import CODE_A, CODE_B, UNKNOWN

HEADER = "统一社会信用代码,单位名称,核定就业人数,统计期\r\n"


service = service_per_engine("employment")


@pytest.fixture(scope="module")
def headers(service) -> dict[str, dict[str, str]]:
    return bearer(service, "gis", "fagai")


def _table(*rows: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "".join(f"{r}\r\n" for r in rows)).encode(encoding)


def _post(service: TestClient, headers: dict[str, str], data: bytes, **form: str):
    return service.post("/towns/1/employment", headers=headers, data=form,
                        files={"file": ("hr.csv", data, "text/csv")})


def _stored(service: TestClient) -> int:
    with service.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(EmploymentFigure)) or 0)


def _profile(service: TestClient, headers: dict[str, str]) -> dict:
    pid, _ = create_proposal(service, headers)
    response = service.post(f"/proposals/{pid}/versions/1/profile?year=2026", headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["profile"]


def test_only_gis_staff_import(service, headers):
    response = _post(service, headers["fagai"], _table(f"{CODE_A},甲,20,2026Q1"))
    assert_problem(response, 403)
    assert _stored(service) == 0


def test_a_bad_check_character_is_refused_with_its_row_and_nothing_stored(service, headers):
    before = _profile(service, headers["gis"])
    wrong = CODE_B[:-1] + "3"
    response = _post(service, headers["gis"],
                     _table(f"{CODE_A},甲,3018,2026Q1", f"{wrong},乙,1031,2026Q1"),
                     accept_warnings="true")
    body = assert_problem(response, 422, "employment_refused")
    assert body["imported"] is False
    assert body["bad_codes"] == [{"row": 3, "code": wrong, "column": "uscc",
                                  "reason": "校验码应为 2，实为 3"}]
    assert _stored(service) == 0
    assert _profile(service, headers["gis"])["employees"] == before["employees"]


def test_an_unknown_code_is_stored_only_when_the_warning_is_accepted(service, headers):
    data = _table(f"{UNKNOWN},丙,5,2026Q1")
    body = assert_problem(_post(service, headers["gis"], data), 422, "employment_refused")
    assert body["unmatched_codes"] == [UNKNOWN] and body["warnings"] is True
    assert _stored(service) == 0
    response = _post(service, headers["gis"], data, accept_warnings="true")
    assert response.status_code == 200, response.text
    assert response.json()["imported"] is True and _stored(service) == 1


def test_verified_figures_drive_the_towns_profile(service, headers):
    before = _profile(service, headers["gis"])
    data = _table(f"{CODE_A},甲,3018,2026Q1", f"{CODE_B},乙,1031,2026Q1", encoding="gbk")
    response = _post(service, headers["gis"], data)
    assert response.status_code == 200, response.text
    assert (response.json()["matched"], response.json()["verified_employees"]) == (2, 4049)
    assert _stored(service) == 3  # the earlier import is kept
    after = _profile(service, headers["gis"])
    # by hand: estimates 18 + 31 replaced by 3,018 + 1,031
    assert after["employees"] == before["employees"] - 18 - 31 + 4049 == 7150
    assert after["employees_verified"] == 4049
    assert (before["community_class"], after["community_class"]) == ("general", "larger")
    assert after["funding"]["total_yuan"] == round(7150 * 50 * 1.05**3, 2)
