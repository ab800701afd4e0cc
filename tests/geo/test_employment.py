"""Verified employment figures: GB 32100-2015 codes, the table's headers, the checks of an
import, and the figures in place of the estimates (tiny hand-made parcels)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.employment import (
    TableRow,
    apply_figures,
    check_character,
    check_import,
    table_rows,
    uscc_problem,
)
from geo.errors import InputError

# the example of GB 32100-2015 and two published codes
KNOWN_VALID = ("91350100M000100Y43", "914403001922038216", "91330100799655058B")


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_pass_both_check_characters(code):
    assert uscc_problem(code) is None
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize(("code", "key"), [
    ("91350100M000100Y4", "uscc_length"),
    ("91350100M000100I43", "uscc_character"),  # I is not in the alphabet
    ("91350100M000100Y44", "uscc_check"),
    ("91350100M000100Y53", "uscc_org_check"),  # the organisation code's own check character
])
def test_wrong_codes_say_what_is_wrong(code, key):
    problem = uscc_problem(code)
    assert problem is not None and problem[0] == key


def test_the_organisation_code_check_can_be_left_out():
    body = "91330211AAAAAAAA1"
    code = body + check_character(body)
    assert uscc_problem(code)[0] == "uscc_org_check"
    assert uscc_problem(code, organisation_code=False) is None


def test_headers_in_english_and_from_the_rules_are_found_below_a_title():
    cells = [["Verified employment"], ["USCC", "Name", "Employees"], ["x1", "A", 3]]
    rows = table_rows(cells)
    assert rows == [TableRow(row=3, uscc="X1", name="A", employees=3, period=None)]
    odd = [["代码", "人数"], ["x1", 4]]
    with pytest.raises(InputError, match="统一社会信用代码"):
        table_rows(odd)
    mapped = table_rows(odd, columns={"uscc": "代码", "employees": "人数"})
    assert [(r.row, r.employees) for r in mapped] == [(2, 4)]


def _code(n: int) -> str:
    body = f"9133021100000000{n}"
    return body + check_character(body)


@pytest.fixture()
def parcels() -> gpd.GeoDataFrame:
    # enterprise A on two plots of 100 m² and 300 m², B on one, C without a figure
    return gpd.GeoDataFrame(
        {"kind": ["enterprise"] * 4, "name": ["A", "A", "B", "C"],
         "uscc": [_code(1), _code(1), _code(2), _code(3)], "employees": [10, 10, 5, 7]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 40, 10), box(0, 20, 10, 30),
                  box(20, 20, 30, 30)], crs="EPSG:4549")


def test_an_import_lists_codes_on_several_parcels_and_parcels_without_figure(parcels):
    rows = [TableRow(2, _code(1), "A", 40, "2026Q1"), TableRow(3, _code(2), "B", 6, "2026Q1")]
    outcome = check_import(rows, parcels, None, change_warn_share=0.5)
    assert outcome.duplicate_in_parcels == [_code(1)] and outcome.warnings
    assert not outcome.errors and outcome.matched == 2 and outcome.verified_employees == 46
    assert outcome.parcels_without_figure == [{"name": "C", "uscc": _code(3)}]
    assert not outcome.importable(accept_warnings=False)
    assert outcome.importable(accept_warnings=True)


def test_the_newest_figure_replaces_the_estimate_shared_by_area(parcels):
    stored = pd.DataFrame({"import_id": [1, 1, 2], "uscc": [_code(1), _code(2), _code(1)],
                           "employees": [99, 6, 40]})
    result = apply_figures(parcels, stored)
    # A's newest figure 40 over 100 m² and 300 m²: 10 and 30; B 6; C keeps its estimate 7
    assert list(result["employees"]) == [10.0, 30.0, 6.0, 7.0]
    assert list(result["employees_verified"]) == [True, True, True, False]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    from geo.io.employment import read_table

    data = "统一社会信用代码,单位名称,参保人数\r\nX1,宁波甲,3\r\n".encode(encoding)
    cells = read_table(data, source="hr.csv")
    assert cells == [["统一社会信用代码", "单位名称", "参保人数"], ["X1", "宁波甲", "3"]]
    assert [(r.row, r.name) for r in table_rows(cells)] == [(2, "宁波甲")]


def test_an_old_xls_workbook_is_refused_naming_the_file():
    from geo.io.employment import read_table

    with pytest.raises(InputError, match=r"hr\.xls"):
        read_table(b"\xd0\xcf\x11\xe0" + b"\0" * 100, source="hr.xls")
