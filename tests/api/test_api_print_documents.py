"""Through the service: the printed maps of a version (``…/print``), and the package with
附件2 compiled from the departments' opinions and 附件3 from the workflow record."""

from __future__ import annotations

import io
import zipfile

from docx import Document

from tests.api.conftest import assert_problem, create_proposal
from tests.api.walk import ROSTER_USERS, opine, step, walk_to
from tests.maps.printed import page_text


def test_print_returns_the_layout_pdf_and_the_status_png_for_staff(client, auth, tmp_path):
    pid, _ = create_proposal(client, auth["gis"])
    response = client.get(f"/proposals/{pid}/versions/1/print?kind=布局图&f=pdf&date=2026-06-30",
                          headers=auth["minzheng"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "layout.pdf"
    pdf.write_bytes(response.content)
    text = page_text(pdf)
    assert "澥川新材料工业社区布局图" in text and "2026-06-30" in text and "管辖企业" in text
    png = client.get(f"/proposals/{pid}/versions/1/print?kind=status&f=png&paper=A4",
                     headers={**auth["gis"], "Accept-Language": "en"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert_problem(client.get(f"/proposals/{pid}/versions/1/print?kind=平面图",
                              headers=auth["gis"]), 422)
    assert_problem(client.get(f"/proposals/{pid}/versions/1/print?kind=status"), 401)


def test_package_holds_annex2_from_the_opinions_and_annex3_from_the_record(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    walk_to(client, auth, pid, "surveyed")
    for user in ROSTER_USERS:
        verdict = "agree_with_conditions" if user == "fagai" else "agree"
        conditions = ["预留产业发展用地"] if user == "fagai" else None
        assert opine(client, auth, pid, user, verdict, "同意设立", conditions).status_code == 201
    step(client, auth["bangongshi"], pid, "joint_review", "办公室主任会议：部门联审通过")
    response = client.post(f"/proposals/{pid}/versions/1/package?year=2026&party_members=45"
                           f"&live_work_share=0.3&contact=王明&date=2026-11-20",
                           headers=auth["gis"])
    assert response.status_code == 201, response.text
    files = response.json()["files"]
    assert {"方案.docx", "附件1_新建产业型社区信息表.docx", "附件1_新建产业型社区信息表.xlsx",
            "附件2_审核建议.docx", "附件3_请示.docx", "现状图.pdf", "布局图.pdf"} <= set(files)
    download = client.get(f"/proposals/{pid}/versions/1/package", headers=auth["minzheng"])
    bundle = zipfile.ZipFile(io.BytesIO(download.content))
    annex2 = Document(io.BytesIO(bundle.read("附件2_审核建议.docx")))
    rows = [[c.text for c in r.cells] for r in annex2.tables[0].rows[1:]]
    assert len(rows) == len(ROSTER_USERS)
    verdicts = {row[0]: row[1] for row in rows}
    assert sorted(verdicts.values()).count("有条件同意") == 1
    assert any("条件：预留产业发展用地" in row[2] for row in rows)
    tally = "\n".join(p.text for p in annex2.paragraphs)
    assert f"共 {len(ROSTER_USERS)} 个部门提出意见" in tally and "有条件同意 1 个" in tally
    annex3 = Document(io.BytesIO(bundle.read("附件3_请示.docx")))
    text = "\n".join(p.text for p in annex3.paragraphs)
    assert "关于要求设立澥川新材料工业社区的请示" in text and "妥否，请批示。" in text
    steps = [[c.text for c in r.cells] for r in annex3.tables[0].rows[1:]]
    assert [s[3] for s in steps][-1] == "办公室主任会议：部门联审通过"
    assert len(steps) == 4  # application, initial review, survey, joint review
    assert "王明" in text


def test_package_query_fields_are_checked(client, auth):
    pid, _ = create_proposal(client, auth["gis"])
    for query in ("party_members=-1", "live_work_share=2", "date=2026-13-01"):
        assert_problem(client.post(f"/proposals/{pid}/versions/1/package?{query}",
                                   headers=auth["gis"]), 400)
