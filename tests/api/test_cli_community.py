"""``sijie facility``, ``sijie profile`` and ``sijie package`` on the demo town."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyogrio
import pytest
from openpyxl import load_workbook

from tests.api.test_cli import assert_refused, sijie


@pytest.fixture(scope="module")
def on_demo(demo_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``sijie COMMAND PROPOSAL --context <the demo's context> ARGS…``, where PROPOSAL is a
    file of the demo's proposals folder (or any path)."""

    def run(command: str, proposal: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
        return sijie(command, str(demo_dir / "proposals" / proposal),
                     "--context", str(demo_dir / "context.gpkg"), *args)

    return run


def test_facility_writes_ranked_sites_and_tells_why_in_chinese(on_demo, tmp_path):
    out = tmp_path / "sites.gpkg"
    result = on_demo("facility", "good_industrial.gpkg", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "符合条件的设施用地" in result.stdout and "理由" in result.stdout
    assert [name for name, _ in pyogrio.list_layers(out)] == ["sites", "layer_styles"]
    sites = pyogrio.read_dataframe(out)
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    assert sites["area_m2"].between(3_000, 5_000).all()


def test_facility_without_available_land_exits_1_with_near_misses_in_english(on_demo, tmp_path):
    result = on_demo("facility", "flaw_b4_irregular.gpkg", "-o", str(tmp_path / "s.gpkg"),
                     "--lang", "en")
    assert result.returncode == 1, result.stderr
    assert "no site qualifies" in result.stdout
    assert "fails:" in result.stdout and "available land" in result.stdout
    assert len(pyogrio.read_dataframe(tmp_path / "s.gpkg")) > 0


def test_profile_json_carries_class_staff_and_funding(on_demo):
    result = on_demo("profile", "good_industrial.gpkg", "--format", "json", "--year", "2023")
    assert result.returncode == 0, result.stderr
    profile = json.loads(result.stdout)
    assert profile["community_class"] in ("general", "larger", "extra_large")
    assert 4 <= profile["staff_quota"] <= 13
    assert profile["funding"]["total_yuan"] == max(50 * profile["employees"], 350_000)


def test_profile_xlsx_is_the_information_table(on_demo, tmp_path):
    out = tmp_path / "info.xlsx"
    result = on_demo("profile", "good_industrial.gpkg", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "新建产业型社区信息表"
    labels = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert "四至范围" in labels and "党群服务中心选址" in labels
    values = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)}
    assert isinstance(values["网格数（个）"], int) and values["党群服务中心选址"] != "—"
    assert values["社区编码"] and values["所属镇（街道）"] == "澥川街道"


def test_profile_xlsx_without_output_is_refused(on_demo):
    result = on_demo("profile", "good_industrial.gpkg", "--format", "xlsx")
    assert result.returncode == 2
    assert "-o" in result.stderr and "Traceback" not in result.stderr


def test_package_holds_every_document_and_layer(on_demo, tmp_path):
    out = tmp_path / "package"
    result = on_demo("package", "good_industrial.gpkg", "-o", str(out), "--year", "2024",
                     "--party-members", "120", "--live-work-share", "0.25",
                     "--contact", "王明 0574-86000000", "--date", "2024-05-06")
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"validation.txt", "validation.json", "validation.geojson", "adjustment.csv",
            "grids.csv", "facility.csv", "profile.json", "manifest.json", "community.gpkg",
            "附件1_新建产业型社区信息表.xlsx", "附件1_新建产业型社区信息表.docx", "方案.docx",
            "现状图.pdf", "现状图.png", "布局图.pdf", "布局图.png", "map_validation.html",
            "map_adjustment.html", "map_grids.html", "map_facility.html"} <= names
    profile = json.loads((out / "profile.json").read_text("utf-8"))
    assert (profile["party_members"], profile["live_work_share"]) == (120, 0.25)
    assert profile["party"]["level"] == "party_committee"  # 100 members or more
    assert profile["application"]["contact"] == "王明 0574-86000000"
    assert profile["application"]["date"] == "2024-05-06"
    page = (out / "map_grids.html").read_text("utf-8")
    assert "leaflet" in page.lower() and "https://cdn" not in page
    layers = {name for name, _ in pyogrio.list_layers(out / "community.gpkg")}
    assert {"proposal", "neighbours", "given", "grids", "microgrids", "sites"} <= layers
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["ok"] is True
    assert abs(manifest["area_m2"] - manifest["given_m2"]) <= 1.0
    assert set(manifest["files"]) == names
    assert json.loads((out / "validation.json").read_text("utf-8"))["ok"] is True


def test_package_of_a_flawed_proposal_exits_1_and_keeps_its_findings(on_demo, tmp_path):
    out = tmp_path / "package"
    result = on_demo("package", "flaw_b6_cut_parcel.gpkg", "-o", str(out))
    assert result.returncode == 1, result.stderr
    layers = {name for name, _ in pyogrio.list_layers(out / "community.gpkg")}
    assert layers & {"findings_lines", "findings_areas", "findings_points"}
    report = json.loads((out / "validation.json").read_text("utf-8"))
    assert any(f["rule"] == "B6" for f in report["findings"])


@pytest.mark.parametrize("command", ["facility", "profile", "package"])
def test_missing_proposal_file_exits_2_naming_it(command, on_demo, tmp_path):
    extra = [] if command == "profile" else ["-o", str(tmp_path / "x")]
    result = on_demo(command, tmp_path / "nope.gpkg", *extra)
    assert_refused(result, "nope.gpkg")
