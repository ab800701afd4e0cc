"""The package's documents (001 § 二(一)4(1)) of the good demo proposal: 方案.docx, 附件1 as
.docx and .xlsx, the 现状图 and 布局图 as PDF and PNG. Each is read back (python-docx,
openpyxl, poppler) and its fields compared with profile.json; numbers in the xlsx are
numeric cells."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from api.package import build_package
from geo.io import read_context, read_layer
from geo.proposal import proposal_from_frame
from geo.rules import load_rules
from tests.api.conftest import DEMO
from tests.maps.printed import page_images, page_text

DAY = dt.date(2026, 6, 30)
CONTACT = "王明 0574-86000000"


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    ctx = read_context(str(DEMO / "context.gpkg"), load_rules(None))
    path = str(DEMO / "proposals" / "good_industrial.gpkg")
    proposal = proposal_from_frame(read_layer(path), source=path)
    out = tmp_path_factory.mktemp("package")
    done = build_package(proposal, ctx, out, year=2026, party_members=45, live_work_share=0.3,
                         contact=CONTACT, date=DAY, community_code="330211102001")
    assert done.ok
    return out


@pytest.fixture(scope="module")
def profile(package) -> dict:
    return json.loads((package / "profile.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def xlsx(package) -> dict:
    """附件1.xlsx as {label: cell}."""
    sheet = load_workbook(package / "附件1_新建产业型社区信息表.xlsx").worksheets[0]
    return {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(2, sheet.max_row + 1)}


def test_package_holds_the_documents_and_maps_of_the_application(package):
    names = {p.name for p in package.iterdir()}
    assert {"方案.docx", "附件1_新建产业型社区信息表.docx", "附件1_新建产业型社区信息表.xlsx",
            "现状图.pdf", "现状图.png", "布局图.pdf", "布局图.png"} <= names
    manifest = json.loads((package / "manifest.json").read_text("utf-8"))
    assert set(manifest["files"]) == names


@pytest.mark.parametrize("sheet", ["现状图", "布局图"])
def test_package_maps_render_and_name_every_village(package, profile, sheet, tmp_path):
    pages = page_images(package / f"{sheet}.pdf", tmp_path)
    assert len(pages) == 1 and pages[0].shape[1] > pages[0].shape[0] > 400
    assert (pages[0].mean(axis=2) < 0.9).mean() > 0.15
    text = page_text(package / f"{sheet}.pdf")
    assert f"{profile['name']}{sheet}" in text and "N" in text.split()
    assert all(name in text for name in profile["neighbours"])


def _number(cell) -> float:
    assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool), \
        f"{cell.coordinate} holds {cell.value!r}, not a number"
    assert cell.number_format != "General"
    return float(cell.value)


def test_information_table_xlsx_numbers_are_numeric_and_equal_the_profile(xlsx, profile):
    numbers = {
        "面积（平方公里）": profile["area_m2"] / 1e6, "就业人口（人）": profile["employees"],
        "企业数（家）": profile["enterprises"], "产业园区（个）": profile["parks"],
        "工业用地占比": profile["industrial_share"], "商务办公用地占比": profile["office_share"],
        "1000平方米以上楼宇（幢）": profile["large_buildings"],
        "职住一体占比": profile["live_work_share"], "分类综合指数": profile["index"],
        "专职社区工作者员额（名）": profile["staff_quota"],
        "党员人数（名）": profile["party_members"],
        "党群服务中心建筑面积（平方米）": profile["application"]["centre_floor_area_m2"],
        "经费年度": profile["funding"]["year"],
        "事业保障经费（元/年）": profile["funding"]["total_yuan"],
        "其中区级承担（元）": profile["funding"]["district_yuan"],
        "其中镇（街道）承担（元）": profile["funding"]["town_yuan"],
        "党组织工作经费（元/年）": profile["party"]["organisation_yuan"],
        "党员活动经费（元/年）": profile["party"]["activity_yuan"],
        "服务群众专项经费（元/年）": profile["party"]["service_yuan"],
    }
    for label, want in numbers.items():
        assert _number(xlsx[label]) == pytest.approx(want, rel=1e-4), label
    assert _number(xlsx["党组织工作经费（元/年）"]) == 40_000  # 45 members: a branch (党支部)
    assert _number(xlsx["网格数（个）"]) >= 1 and _number(xlsx["选址用地面积（平方米）"]) >= 3_000


def test_information_table_xlsx_has_every_fact_of_the_application(xlsx, profile):
    app = profile["application"]
    texts = {"社区名称": profile["name"], "社区编码": "330211102001",
             "所属镇（街道）": "澥川街道", "申报单位": app["applicant"],
             "党群服务中心名称": "澥川新材料工业社区(党群)服务中心", "党组织类型": "党支部",
             "联系人及电话": CONTACT, "社区类型": "工业社区", "社区分类": "一般"}
    for label, want in texts.items():
        assert xlsx[label].value == want, label
    assert xlsx["填报日期"].value.date() == DAY
    assert xlsx["管辖企业名单"].value.startswith(f"{len(app['enterprises'])} 家")
    assert xlsx["党群服务中心选址"].value.count("4,000") <= 1  # the site is not repeated
    assert all(cell.value not in (None, "") for cell in xlsx.values())


def test_information_table_xlsx_lists_the_enterprises_and_prints_on_a4(package, profile):
    book = load_workbook(package / "附件1_新建产业型社区信息表.xlsx")
    main, firms = book.worksheets
    rows = list(firms.iter_rows(min_row=2, values_only=True))
    want = profile["application"]["enterprises"]
    assert len(rows) == len(want) == profile["enterprises"]
    assert [(r[0], r[1], r[2], r[4]) for r in rows] == [
        (e["number"], e["name"], e["uscc"], e["employees"]) for e in want]
    for sheet in (main, firms):
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.print_title_rows == "$1:$1" and sheet.print_area
        assert sheet.page_setup.fitToWidth == 1


def test_information_table_docx_is_the_form_with_the_same_facts(package, profile, xlsx):
    doc = Document(str(package / "附件1_新建产业型社区信息表.docx"))
    assert doc.paragraphs[0].text == "新建产业型社区信息表"
    form, firms = doc.tables
    rows = {r.cells[0].text: r.cells[1].text for r in form.rows}
    assert set(rows) == set(xlsx)
    assert rows["就业人口（人）"] == f"{profile['employees']:,}"
    assert rows["专职社区工作者员额（名）"] == str(profile["staff_quota"])
    assert rows["事业保障经费（元/年）"] == f"{profile['funding']['total_yuan']:,.0f}"
    assert rows["党员人数（名）"] == "45" and rows["填报日期"] == "2026-06-30"
    assert rows["社区编码"] == "330211102001" and rows["联系人及电话"] == CONTACT
    names = [r.cells[1].text for r in firms.rows][1:]
    assert names == [e["name"] for e in profile["application"]["enterprises"]]


def test_plan_docx_is_written_from_the_data_with_both_maps(package, profile):
    doc = Document(str(package / "方案.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == f"{profile['name']}设立方案"
    for heading in ("一、基本情况", "二、四至范围", "三、面积及周边村（社区）边界调整",
                    "四、管辖企业及就业人口", "五、网格划分", "六、党群服务中心选址",
                    "七、社区分类与人员配备", "八、经费保障", "九、附图"):
        assert heading in text
    for names in profile["four_sides"].values():
        assert all(name in text for name in names)
    assert f"就业人口 {profile['employees']:,} 人" in text and "按企业用地申报人数估算" in text
    assert f"配备专职社区工作者 {profile['staff_quota']} 名" in text
    assert f"事业保障经费 {profile['funding']['total_yuan']:,.0f} 元" in text
    neighbours, firms, grids = doc.tables
    given = {r.cells[0].text: r.cells[2].text for r in neighbours.rows[1:]}
    assert given == {n: f"{a:,.0f}" for n, a in profile["neighbours"].items()}
    assert len(firms.rows) == profile["enterprises"] + 1
    manifest = json.loads((package / "manifest.json").read_text("utf-8"))
    assert len(grids.rows) == manifest["grids"] + 1
    assert len(doc.inline_shapes) == 2  # the 现状图 and the 布局图
    assert "图1　澥川新材料工业社区现状图" in text and "图2　澥川新材料工业社区布局图" in text


@pytest.mark.parametrize(("document", "said"), [
    ("方案.docx", ["澥川新材料工业社区设立方案", "九、附图", "澥川新材料工业社区布局图"]),
    ("附件1_新建产业型社区信息表.docx", ["新建产业型社区信息表", "330211102001", CONTACT]),
    ("附件1_新建产业型社区信息表.xlsx", ["新建产业型社区信息表", "3,150", "93.0%", "2026-06-30",
                                        "统一社会信用代码"]),
])
def test_documents_open_in_libreoffice(package, tmp_path, document, said):
    """LibreOffice (headless, Debian libreoffice-*-nogui) opens each document and prints it to
    PDF; the xlsx's numbers come out in their number formats."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    assert soffice is not None, "soffice missing: install libreoffice-writer-nogui, -calc-nogui"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={tmp_path.as_uri()}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(package / document)],
        capture_output=True, text=True, timeout=240)
    pdf = tmp_path / (Path(document).stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    text = page_text(pdf)
    for words in said:
        assert words in text, words
