"""Community profile (001 § 二(一)5, 二(四)2, 二(五)1) and the information table 附件1.

Money and staff numbers are worked out by hand from the policy's figures; the class follows the
rules' cut-offs; the table is read back from the .xlsx with openpyxl.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from geo.io import read_context, read_layer
from geo.profile import community_profile
from geo.profile.info_table import InfoExtras, info_fields, info_rows, write_info_table
from geo.profile.money import (
    annual_funding,
    class_index,
    classify,
    party_funds,
    party_level,
    staff_quota,
)
from geo.proposal import proposal_from_frame
from geo.rules import Rules, load_rules
from tests.geo.test_validate_rules import frame, proposal, town
from tests.geometries import SQUARE

RULES = Rules()
BASE = RULES.funding.base_year


# funding: 50 yuan per employee, +5 % a year, at least 350,000, district:town 1:1 -------------

@pytest.mark.parametrize(("employees", "year", "total", "minimum"), [
    (12_000, BASE, 600_000.0, False),
    (5_000, BASE, 350_000.0, True),  # 250,000 computed, raised to the minimum
    (7_000, BASE, 350_000.0, False),  # exactly the minimum
    (12_000, BASE + 1, 630_000.0, False),  # 52.5 yuan per employee
    (12_000, BASE + 2, 661_500.0, False),  # 55.125 yuan per employee
    (0, BASE, 350_000.0, True),
])
def test_funding_is_50_yuan_per_employee_rising_5_percent_with_a_350000_floor(
        employees, year, total, minimum):
    funding = annual_funding(employees, year, RULES.funding)
    assert funding.total_yuan == pytest.approx(total)
    assert funding.minimum_applied is minimum
    assert funding.district_yuan == pytest.approx(total / 2)
    assert funding.district_yuan + funding.town_yuan == pytest.approx(total)


def test_funding_follows_the_rules_file_not_the_code():
    rules = Rules.model_validate(
        {"funding": {"per_employee_yuan": 60.0, "minimum_yuan": 400_000.0}})
    assert annual_funding(12_000, BASE, rules.funding).total_yuan == pytest.approx(720_000.0)
    assert annual_funding(5_000, BASE, rules.funding).total_yuan == pytest.approx(400_000.0)


# class and staff ------------------------------------------------------------------------------

def test_index_weights_each_factor_against_its_reference():
    # 3,000 employees, 2 km², 100 entities, 20 % live-work: every factor scores 1 → index 1.0
    factors = {"employees": 3_000, "area": 2.0, "entities": 100, "live_work_share": 0.2}
    assert class_index(factors, RULES.classification) == pytest.approx(1.0)
    assert class_index({"employees": 1_500}, RULES.classification) == pytest.approx(0.2)


@pytest.mark.parametrize(("index", "expected"), [(0.5, "general"), (1.0, "larger"),
                                                 (1.79, "larger"), (1.8, "extra_large")])
def test_class_follows_the_default_cut_offs(index, expected):
    assert classify(index, RULES.classification) == expected


def test_class_changes_when_the_rules_cut_offs_change():
    stricter = Rules.model_validate({"classification": {"larger_from": 0.5,
                                                        "extra_large_from": 0.8}})
    assert classify(0.6, RULES.classification) == "general"
    assert classify(0.6, stricter.classification) == "larger"
    assert classify(0.9, stricter.classification) == "extra_large"


@pytest.mark.parametrize(("index", "klass", "quota"), [
    (0.0, "general", 4), (0.3, "general", 5), (0.99, "general", 9), (1.0, "larger", 10),
    (1.7, "larger", 13), (2.5, "larger", 13), (2.5, "extra_large", 14),
    (1.8, "extra_large", 13), (9.0, "extra_large", 16)])
def test_staff_quota_follows_the_index_table_within_4_to_13_unless_extra_large(index, klass,
                                                                               quota):
    # the default table: 0 → 4, 0.25 → 5, …, 1.6 → 13, 2.2 → 14, 2.6 → 15, 3.0 → 16
    assert staff_quota(index, klass, RULES.staffing) == quota


def test_a_bureau_quota_table_is_still_held_to_4_and_13():
    table = Rules.model_validate(
        {"staffing": {"quota_by_index": ((0.0, 2), (1.0, 30))}}).staffing
    assert staff_quota(0.5, "general", table) == 4
    assert staff_quota(1.5, "larger", table) == 13
    assert staff_quota(1.5, "extra_large", table) == 30


@pytest.mark.parametrize("rows", [((0.5, 4),), ((0.0, 4), (0.0, 5)), ((0.0, 6), (1.0, 5)), ()])
def test_a_quota_table_must_start_at_0_and_rise(rows):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Rules.model_validate({"staffing": {"quota_by_index": rows}})


# party funds ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("members", "level", "organisation"), [
    (150, "party_committee", 60_000.0), (60, "general_branch", 50_000.0),
    (12, "branch", 40_000.0), (2, None, 0.0)])
def test_party_funds_by_organisation_level_and_120_yuan_per_member(members, level, organisation):
    funds = party_funds(members, None, RULES.funding)
    assert party_level(members, RULES.funding) == level
    assert funds.organisation_yuan == organisation
    assert funds.activity_yuan == pytest.approx(120.0 * members)
    assert funds.service_yuan == 200_000.0


# the profile on a hand-built town -----------------------------------------------------------

def test_profile_counts_what_lies_inside_and_names_the_four_sides():
    parcels = frame({"kind": ["enterprise", "enterprise", "park", "enterprise"],
                     "name": ["甲厂", "乙厂", "科创园", "界外厂"],
                     "employees": [700, 500, 300, 999]},
                    [box(110, 60, 200, 150), box(210, 60, 300, 150), box(110, 200, 300, 360),
                     box(500, 60, 580, 150)])
    landuse = frame({"class": ["industrial", "office"]},
                    [box(100, 50, 420, 290), box(100, 290, 420, 370)])
    ctx = town(parcels=parcels, landuse=landuse)
    profile = community_profile(proposal(SQUARE), ctx, year=BASE, party_members=60,
                                live_work_share=0.1)
    assert profile.employees == 1_500  # 700 + 500 + the park's 300; 界外厂 is outside
    assert profile.enterprises == 2
    assert profile.parks == 1
    assert profile.area_m2 == pytest.approx(320 * 320)
    assert profile.industrial_share == pytest.approx(240 / 320)
    assert profile.office_share == pytest.approx(80 / 320)
    assert profile.four_sides == {"east": ["east"], "south": ["south"], "west": ["west"],
                                  "north": ["north"]}
    assert profile.neighbours == {"甲村": pytest.approx(320 * 320)}
    assert profile.funding.total_yuan == 350_000.0
    assert profile.party.level == "general_branch"
    assert profile.notes == []


def test_profile_without_live_work_share_says_it_counted_zero():
    profile = community_profile(proposal(SQUARE), town(), year=BASE)
    assert "live_work_share_missing" in profile.notes
    rows = dict(info_rows(profile, "zh"))
    assert "未提供职住一体占比" in rows["说明"]


def test_demo_profile_given_land_equals_the_community_area(demo_dir):
    ctx = read_context(demo_dir / "context.gpkg", load_rules(None))
    prop = proposal_from_frame(read_layer(demo_dir / "proposals" / "good_industrial.gpkg"))
    profile = community_profile(prop, ctx, year=BASE)
    assert sum(profile.neighbours.values()) == pytest.approx(profile.area_m2, abs=1.0)
    parcels = ctx.layer("parcels")
    inside = parcels[parcels.representative_point().within(prop.to_crs(ctx.crs))]
    assert profile.employees == int(inside.loc[inside["kind"].isin(["enterprise", "park"]),
                                               "employees"].sum())
    assert all(profile.four_sides.values())  # every side names what it follows


# 附件1 as .xlsx ---------------------------------------------------------------------------------

def test_information_table_xlsx_reads_back_in_chinese_with_numbers_as_numbers(tmp_path):
    ctx = town(parcels=frame({"kind": ["enterprise"], "name": ["甲厂"], "employees": [12_000]},
                             [box(110, 60, 400, 360)]))
    profile = community_profile(proposal(SQUARE), ctx, year=BASE)
    fields = info_fields(profile, "zh", InfoExtras(grids=3, microgrids=40, site_area_m2=4_000.0))
    path = write_info_table(fields, tmp_path / "附件1.xlsx")
    sheet = load_workbook(path).active
    assert sheet.title == "附件1"
    assert sheet["A1"].value == "新建产业型社区信息表"
    table = {sheet.cell(r, 1).value: sheet.cell(r, 2) for r in range(2, sheet.max_row + 1)}
    assert table["社区名称"].value == "澥川新材料工业社区"
    assert table["社区类型"].value == "工业社区"
    assert table["就业人口（人）"].value == 12_000
    assert table["就业人口（人）"].number_format == "#,##0"
    assert table["事业保障经费（元/年）"].value == 600_000
    assert table["其中区级承担（元）"].value == table["其中镇（街道）承担（元）"].value == 300_000
    assert table["社区分类"].value == "较大"  # index 0.4 × 4 = 1.6
    assert table["网格数（个）"].value == 3
    assert table["选址用地面积（平方米）"].value == 4_000.0
    assert table["四至范围"].value == "东至east；南至south；西至west；北至north"
    assert table["社区编码"].value == "—"  # no application facts given: shown as missing


def test_information_table_in_english_on_request():
    rows = dict(info_rows(community_profile(proposal(SQUARE), town(), year=BASE), "en"))
    assert rows["Class"] == "general"
    assert rows["Type"] == "industrial community"
