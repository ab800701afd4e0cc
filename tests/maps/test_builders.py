"""Each map builder draws its layers, legend and labels from the geo results, in Chinese by
default and English on request, with every name as data (never as markup)."""

from __future__ import annotations

import json

import pytest

from geo.adjust import adjust
from geo.validate import validate
from maps import (
    adjustment_map,
    facility_map,
    grid_map,
    page_html,
    public_map,
    validation_map,
)
from maps.grids import capacity_classes, employee_classes
from tests.maps.conftest import IMG, TEMPLATE
from tests.maps.pages import control, layers, texts


def _page(m) -> str:
    return page_html(m, static_url="/static/maps")


def test_validation_map_draws_every_located_finding_with_rule_and_clause(ctx, offroad):
    report = validate(offroad, ctx)
    page = _page(validation_map(report, offroad, ctx))
    drawn = layers(page)
    assert {"proposal", "findings", "neighbours", "roads"} <= set(drawn)
    assert drawn["findings"]["label"] == "检查发现"
    features = drawn["findings"]["data"]["features"]
    assert len(features) == sum(f.geometry is not None for f in report.findings) == 7
    for feature in features:
        rows = dict(feature["properties"]["popup"]["rows"])
        assert rows["规则"] == "B3" and rows["依据条款"] == "001 § 二(一)3(2)"
        assert rows["等级"] == "错误"
    assert feature["properties"]["style"]["color"] == "#d32f2f"  # errors in red
    lengths = sorted(round(f.measure["length_m"]) for f in report.findings
                     if "length_m" in f.measure)
    notes = " ".join(f["properties"]["popup"]["note"] for f in features)
    for length in lengths:
        assert f"有 {length} 米边界" in notes
    panel = control(page, "panel")
    assert panel["summary"] == "未通过：7 项错误，0 项警告"
    assert [i["key"] for i in panel["items"]] == [f["properties"]["key"] for f in features]


def test_validation_map_speaks_english_on_request(ctx, offroad):
    page = _page(validation_map(validate(offroad, ctx), offroad, ctx, lang="en"))
    assert layers(page)["findings"]["label"] == "findings"
    assert control(page, "panel")["summary"] == "fails: 7 errors, 0 warnings"
    rows = dict(layers(page)["findings"]["data"]["features"][1]["properties"]["popup"]["rows"])
    assert rows["severity"] == "error"
    with pytest.raises(ValueError, match="lang"):
        validation_map(validate(offroad, ctx), offroad, ctx, lang="fr")


def test_a_finding_without_a_place_is_listed_but_not_drawn(ctx, good):
    from dataclasses import replace

    badly_named = replace(good, name="澥川新材料社区")  # no 工业社区: rule B9, no geometry
    report = validate(badly_named, ctx)
    page = _page(validation_map(report, badly_named, ctx))
    items = control(page, "panel")["items"]
    b9 = [i for i in items if i["badge"] == "B9"]
    assert len(b9) == 1 and "key" not in b9[0] and "（无位置）" in b9[0]["detail"]
    assert all(f["properties"]["popup"]["rows"][0][1] != "B9"
               for f in layers(page)["findings"]["data"]["features"])


def test_adjustment_map_shows_each_neighbour_before_after_and_given(ctx, good, results):
    adjustment = results["adjustment"]
    page = _page(adjustment_map(adjustment, ctx, name=good.name))
    drawn = layers(page)
    assert {"before", "after", "given", "proposal"} <= set(drawn)
    given = adjustment.neighbours[adjustment.neighbours["area_given_m2"] > 0.01]
    assert len(drawn["before"]["data"]["features"]) == len(given) == len(
        drawn["after"]["data"]["features"])
    popups = {f["properties"]["popup"]["title"]: dict(f["properties"]["popup"]["rows"])
              for f in drawn["after"]["data"]["features"]}
    for row in given.itertuples():
        assert popups[row.name]["划出面积（㎡）"] == f"{row.area_given_m2:,.0f}"
        assert popups[row.name]["调整后面积（㎡）"] == f"{row.area_after_m2:,.0f}"
    switcher = control(page, "controls")["overlays"]
    assert switcher == list(drawn) and "调整前边界" in json.dumps(
        control(page, "legend"), ensure_ascii=False)


def test_grid_map_colours_by_employees_and_labels_codes(ctx, results):
    plan = results["plan"]
    page = _page(grid_map(plan, ctx))
    drawn = layers(page)
    grids = drawn["grids"]["data"]["features"]
    assert [f["properties"]["key"] for f in grids] == list(plan.grids["code"])
    for feature, row in zip(grids, plan.grids.itertuples(), strict=True):
        assert feature["properties"]["label"].splitlines()[0] == row.code
        assert dict(feature["properties"]["popup"]["rows"])["就业人口"] == f"{row.employees:,}"
    assert drawn["microgrids"]["minZoom"] == 16
    assert len(drawn["microgrids"]["data"]["features"]) == len(plan.microgrids)
    legend = control(page, "legend")
    assert [s["title"] for s in legend["sections"]][:2] == ["网格就业人口", "网格容量占用（个）"]


def test_employee_and_capacity_classes_follow_the_grid_target():
    classes, texts_ = employee_classes([0, 249, 250, 999, 1000, 5000], 1000)
    assert list(classes) == [0, 0, 1, 3, 4, 4]
    assert texts_[0] == "0–250" and texts_[-1] == "≥ 1,000"
    assert list(capacity_classes([0.3, 0.75, 0.95, 1.2, 0.5], [False, False, False, False, True])
                ) == [0, 1, 2, 3, 3]


def test_facility_map_ranks_sites_with_their_reasons(ctx, good, results):
    sites = results["sites"]
    page = _page(facility_map(sites, good, ctx))
    features = layers(page)["sites"]["data"]["features"]
    assert [f["properties"]["label"] for f in features] == [str(r) for r in sites.sites["rank"]]
    first = dict(features[0]["properties"]["popup"]["rows"])
    best = sites.sites.iloc[0]
    assert first["面积（㎡）"] == f"{best.area_m2:,.0f}"
    assert first["临路长度（m）"] == f"{best.frontage_m:,.0f}"
    assert first["建筑面积：需要 / 可建（㎡）"] == (
        f"{best.floor_needed_m2:,.0f} / {best.floor_allowed_m2:,.0f}")
    assert features[0]["properties"]["popup"]["note"]
    assert control(page, "panel")["items"][0]["key"] == "site1"


def test_names_are_data_never_markup(hostile):
    proposal, ctx = hostile
    pages = [page_html(validation_map(validate(proposal, ctx), proposal, ctx)),
             page_html(adjustment_map(adjust(proposal, ctx), ctx, name=proposal.name))]
    for page in pages:
        assert IMG not in page and "<img" not in page
        assert "onerror=alert(1)" in page  # it is there, as escaped text
    drawn = texts(layers(pages[0])) + texts(control(pages[0], "panel"))
    assert any(TEMPLATE in text for text in drawn)  # the cut parcels' names, verbatim
    assert any(IMG in text for text in texts(layers(pages[1])))
    assert "<title>四界 · 边界校核图</title>" in pages[0]


def test_when_no_site_qualifies_the_near_misses_show_what_each_fails(ctx):
    from geo.facility import find_sites
    from geo.grids import make_grids
    from maps.facility import SITE_STYLES
    from tests.maps.conftest import demo_proposal

    irregular = demo_proposal("flaw_b4_irregular")
    sites = find_sites(irregular, ctx)
    assert not sites.qualified
    page = _page(facility_map(sites, irregular, ctx))
    features = layers(page)["sites"]["data"]["features"]
    assert {f["properties"]["style"]["dashArray"] for f in features} == {
        SITE_STYLES["miss"]["dashArray"]}
    assert features[0]["properties"]["popup"]["title"] == "最接近的备选 1"
    assert control(page, "panel")["summary"].startswith("没有符合条件的设施用地")
    public = _page(public_map(irregular, ctx, plan=make_grids(irregular, ctx), sites=sites))
    assert "centre" not in layers(public)  # no centre is shown where none qualifies
