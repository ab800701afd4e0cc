"""``sijie employment import`` on a copy of the demo town with hand-made HR tables: what is
stored, what is refused and why, and the class, staff and funds the verified figures give."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pyogrio
import pytest
from openpyxl import Workbook

from geo.employment import check_character
from tests.api.test_cli import assert_refused, sijie
from tests.gpkg_checks import gdal_layers, validate_gpkg

# two enterprises wholly inside good_industrial.gpkg, with estimates of 18 and 31 employees
CODE_A, CODE_B = "9133021192XE871735", "91330211B68JXBC6B2"
ESTIMATE_A, ESTIMATE_B = 18, 31
HEADER = ["统一社会信用代码", "单位名称", "核定就业人数", "统计期"]
# a well-formed code no parcel of the demo town has
UNKNOWN = "91330211AAAAAAAA1" + check_character("91330211AAAAAAAA1")


def _csv(path: Path, rows: list[list[object]], *, encoding: str = "utf-8") -> Path:
    lines = [",".join(str(v) for v in row) for row in [HEADER, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def ctx(demo_dir: Path, tmp_path: Path) -> Path:
    """A copy of the demo's context, free to be imported into."""
    return Path(shutil.copy(demo_dir / "context.gpkg", tmp_path / "context.gpkg"))


def _import(table: Path, ctx: Path, *args: str) -> tuple[int, dict, str]:
    result = sijie("employment", "import", str(table), "--context", str(ctx), "--format",
                   "json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def _stored(ctx: Path):
    return pyogrio.read_dataframe(ctx, layer="employment")


def test_valid_import_is_stored_and_changes_class_staff_and_funds(ctx, demo_dir, tmp_path):
    proposal = str(demo_dir / "proposals" / "good_industrial.gpkg")
    before = json.loads(sijie("profile", proposal, "--context", str(ctx), "--format", "json",
                              "--year", "2026").stdout)
    table = _csv(tmp_path / "hr.csv", [[CODE_A, "宁波广源电气", 3018, "2026Q1"],
                                       [CODE_B, "宁波嘉禾汽车零部件", 1031, "2026Q1"]])
    rc, report, _ = _import(table, ctx)
    assert rc == 0
    assert (report["rows"], report["matched"], report["verified_employees"]) == (2, 2, 4049)
    assert report["imported"] is True and report["bad_codes"] == []
    stored = _stored(ctx)
    assert sorted(stored["uscc"]) == sorted([CODE_A, CODE_B])
    assert set(stored["source"]) == {"hr.csv"} and set(stored["period"]) == {"2026Q1"}
    assert set(stored["import_id"]) == {1}
    # the context stays a valid GeoPackage; the figures' fields have their aliases
    assert validate_gpkg(ctx) == []
    aliases = gdal_layers(ctx)["aliases"]["employment"]
    assert set(aliases) == set(stored.columns) and aliases["employees"] == "就业人口"

    after = json.loads(sijie("profile", proposal, "--context", str(ctx), "--format", "json",
                             "--year", "2026").stdout)
    # by hand: the two estimates (18 + 31) give way to the verified 3,018 + 1,031
    employees = before["employees"] - ESTIMATE_A - ESTIMATE_B + 3018 + 1031
    assert after["employees"] == employees == 7150
    assert after["employees_verified"] == 4049
    assert after["employees_verified_share"] == round(4049 / 7150, 4)
    # 50 yuan per employee in 2023, +5 % a year: 57.88125 yuan in 2026, above the 350,000 floor
    assert before["funding"]["total_yuan"] == 350_000.0
    assert after["funding"]["total_yuan"] == round(7150 * 50 * 1.05**3, 2) == 413_850.94
    # index 0.4 × 7150/3000 + 0.2 × km²/2 + 0.3 × enterprises/100 crosses 1.0: 较大
    index = 0.4 * 7150 / 3000 + 0.2 * after["area_m2"] / 1e6 / 2 + 0.3 * after["enterprises"] / 100
    assert after["index"] == pytest.approx(index, abs=1e-4) and 1.0 <= index < 1.8
    assert (before["community_class"], after["community_class"]) == ("general", "larger")
    # the quota follows the index by the default table: 1.0 → 10, 1.2 → 11, 1.4 → 12, 1.6 → 13
    table = {1.0: 10, 1.2: 11, 1.4: 12, 1.6: 13}
    assert after["staff_quota"] == table[max(k for k in table if k <= index)]

    result = sijie("validate", proposal, "--context", str(ctx), "--format", "json")
    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["employees"] == 7150 and metrics["employees_verified"] == 4049
    assert any(f["rule"] == "B8" and f["severity"] == "error"
               for f in json.loads(result.stdout)["findings"])  # 7,150 > M = 6,000
    audit = json.loads(sijie("audit", proposal, "--context", str(ctx), "--format", "json").stdout)
    assert [(c["employees"], c["employees_verified"]) for c in audit["communities"]] == [
        (7150, 4049)]
    # the text outputs say it too
    text = sijie("validate", proposal, "--context", str(ctx))
    assert text.returncode == 1 and "其中核定就业人数" in text.stdout, text.stderr
    text = sijie("profile", proposal, "--context", str(ctx), "--year", "2026")
    cells = re.sub(r"[\s│]", "", text.stdout)  # the table's cells, unwrapped
    assert text.returncode == 0 and "7,150（其中人力社保局核定4,049，占57%）" in cells, text.stdout


def test_bad_check_character_is_refused_with_its_row_and_nothing_stored(ctx, tmp_path):
    digest = _digest(ctx)
    wrong = CODE_B[:-1] + "3"
    table = _csv(tmp_path / "hr.csv", [[CODE_A, "甲", 20, "2026Q1"], [wrong, "乙", 30, "2026Q1"]])
    rc, report, stderr = _import(table, ctx, "--accept-warnings")
    assert rc == 2 and report["imported"] is False
    assert report["bad_codes"] == [{"row": 3, "code": wrong, "column": "uscc",
                                    "reason": "校验码应为 2，实为 3"}]
    assert "第 3 行" in stderr and "未导入" in stderr
    assert _digest(ctx) == digest
    assert "employment" not in {name for name, _ in pyogrio.list_layers(ctx)}


def test_unknown_code_is_a_warning_stored_only_when_accepted(ctx, tmp_path):
    table = _csv(tmp_path / "hr.csv", [[CODE_A, "甲", 20, "2026Q1"], [UNKNOWN, "丙", 5, "2026Q1"]])
    digest = _digest(ctx)
    rc, report, stderr = _import(table, ctx)
    assert rc == 2 and report["unmatched_codes"] == [UNKNOWN] and report["warnings"] is True
    assert report["errors"] is False and "--accept-warnings" in stderr
    assert _digest(ctx) == digest
    rc, report, _ = _import(table, ctx, "--accept-warnings")
    assert rc == 0 and report["imported"] is True and report["matched"] == 1
    assert sorted(_stored(ctx)["uscc"]) == sorted([CODE_A, UNKNOWN])


def test_duplicate_code_in_the_file_is_an_error_even_when_warnings_are_accepted(ctx, tmp_path):
    table = _csv(tmp_path / "hr.csv", [[CODE_A, "甲", 20, "2026Q1"], [CODE_A, "甲", 25, "2026Q1"]])
    digest = _digest(ctx)
    rc, report, _ = _import(table, ctx, "--accept-warnings")
    assert rc == 2 and report["duplicate_codes"] == [CODE_A] and report["errors"] is True
    assert _digest(ctx) == digest


def test_gbk_csv_without_bom_as_excel_saves_it_is_read(ctx, tmp_path):
    table = _csv(tmp_path / "hr.csv", [[CODE_A, "宁波广源电气股份有限公司", 20, "2026年一季度"]],
                 encoding="gbk")
    assert not table.read_bytes().startswith(b"\xef\xbb\xbf")
    rc, report, _ = _import(table, ctx)
    assert rc == 0 and report["matched"] == 1
    stored = _stored(ctx)
    assert list(stored["name"]) == ["宁波广源电气股份有限公司"]
    assert list(stored["period"]) == ["2026年一季度"]


def test_xlsx_with_merged_header_cells_names_the_spreadsheet_row(ctx, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["镇海区 2026 年一季度核定就业人数"])  # a title over the whole table
    sheet.merge_cells("A1:D1")
    sheet.append(["统一社会信用代码", "单位名称", "参保人数（人）", "统计期"])
    sheet.append([None, None, None, None])  # the header cells merged over rows 2–3
    for column in "ABCD":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.append([CODE_A, "甲", 20, "2026Q1"])
    sheet.append([CODE_B, "乙", "三十", "2026Q1"])
    table = tmp_path / "hr.xlsx"
    book.save(table)
    rc, report, _ = _import(table, ctx, "--lang", "en")
    assert rc == 2 and report["rows"] == 2
    assert report["bad_figures"] == [{
        "row": 5, "code": CODE_B, "column": "employees",
        "reason": "the employee figure must be a whole number of at least 0, got '三十'"}]
    sheet.cell(row=5, column=3).value = 30
    book.save(table)
    rc, report, _ = _import(table, ctx)
    assert rc == 0 and report["verified_employees"] == 50


def test_a_large_change_against_the_previous_import_needs_acceptance(ctx, tmp_path):
    first = _csv(tmp_path / "q1.csv", [[CODE_A, "甲", 100, "2026Q1"]])
    assert _import(first, ctx)[0] == 0
    second = _csv(tmp_path / "q2.csv", [[CODE_A, "甲", 151, "2026Q2"]])  # +51 % > 50 %
    rows = len(_stored(ctx))
    rc, report, _ = _import(second, ctx)
    assert rc == 2 and report["large_changes"] == [
        {"uscc": CODE_A, "previous": 100, "employees": 151}]
    assert len(_stored(ctx)) == rows
    assert _import(second, ctx, "--accept-warnings")[0] == 0
    stored = _stored(ctx)
    assert list(stored["import_id"]) == [1, 2]  # the earlier import is kept
    assert list(stored["employees"]) == [100, 151]


def test_missing_table_and_unknown_headers_are_refused_naming_them(ctx, tmp_path):
    assert_refused(sijie("employment", "import", str(tmp_path / "none.csv"), "--context",
                         str(ctx)), "none.csv")
    odd = tmp_path / "odd.csv"
    odd.write_text("代码,人数\n" + f"{CODE_A},20\n", encoding="utf-8")
    assert_refused(sijie("employment", "import", str(odd), "--context", str(ctx)),
                   "odd.csv", "统一社会信用代码", "[employment.columns]")
