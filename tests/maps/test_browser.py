"""Every map kind in headless Chromium: no console error, no request off localhost, its layers
and legend there by name, findings that open when clicked, names shown as text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
from tests.maps.browser import STATIC_URL, chromium, open_map, serve
from tests.maps.conftest import DEMO, IMG, TEMPLATE

SIJIE = Path(sys.executable).with_name("sijie")


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as exc:  # no Chromium is a failure, never a skip
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("site")) as served:
        yield served


def _assert_clean(opened) -> None:
    assert opened.errors == []
    assert opened.external == []
    assert opened.failed == []
    assert opened.dialogs == []


# kind -> (layers on the page, the legend text that must show)
EXPECTED = {
    "validation": (["neighbours", "water", "roads", "proposal", "findings"], ["检查发现", "错误"]),
    "adjustment": (["before", "after", "given", "proposal"], ["调整前边界", "划出部分"]),
    "grid": (["grids", "microgrids"], ["网格就业人口", "网格容量占用"]),
    "facility": (["proposal", "sites"], ["推荐选址", "社区边界"]),
    "public": (["grids", "community", "centre"], ["社区边界", "党群服务中心"]),
}


def _build(kind, ctx, good, offroad, results):
    if kind == "validation":
        return validation_map(validate(offroad, ctx), offroad, ctx)
    if kind == "adjustment":
        return adjustment_map(results["adjustment"], ctx, name=good.name)
    if kind == "grid":
        return grid_map(results["plan"], ctx, name=good.name)
    if kind == "facility":
        return facility_map(results["sites"], good, ctx)
    return public_map(good, ctx, plan=results["plan"], sites=results["sites"])


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_each_map_renders_offline_with_its_layers_and_legend(
        kind, browser, site, ctx, good, offroad, results, tmp_path):
    page = page_html(_build(kind, ctx, good, offroad, results), static_url=STATIC_URL)
    opened = open_map(browser, site.publish(f"{kind}.html", page))
    _assert_clean(opened)
    layer_ids, legend_words = EXPECTED[kind]
    assert [i for i in opened.layer_ids() if i in layer_ids] == layer_ids
    for layer_id in layer_ids:
        if layer_id != "microgrids":  # drawn from street-block zoom on
            assert opened.feature_count(layer_id) > 0, layer_id
            assert opened.page.evaluate("id => sijie.map.hasLayer(sijie.layers[id])", layer_id)
    legend = opened.page.inner_text(".sijie-legend")
    for word in legend_words:
        assert word in legend
    if kind != "public":  # the switcher names each layer as the legend does
        switcher = opened.page.inner_text(".leaflet-control-layers")
        for layer_id in layer_ids:
            assert opened.page.evaluate("id => sijie.labels[id]", layer_id) in switcher
    shot = tmp_path / f"{kind}.png"
    opened.page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    opened.page.context.close()


def test_clicking_a_finding_on_the_map_opens_its_popup(browser, site, ctx, offroad):
    report = validate(offroad, ctx)
    page = page_html(validation_map(report, offroad, ctx), static_url=STATIC_URL)
    opened = open_map(browser, site.publish("click.html", page))
    # frame the second finding (an uncovered stretch) and click the map on the line itself
    x, y = opened.page.evaluate("""() => {
        const map = sijie.map, line = sijie.feature('findings', 'f2');
        map.fitBounds(line.getBounds(), {padding: [200, 200], animate: false});
        const c = map.getSize().divideBy(2);
        const pts = line.getLatLngs().map(ll => map.latLngToContainerPoint(ll));
        let best = null;
        for (let i = 1; i < pts.length; i++) {
            const p = L.LineUtil.closestPointOnSegment(c, pts[i - 1], pts[i]);
            if (!best || p.distanceTo(c) < best.distanceTo(c)) best = p;
        }
        const box = map.getContainer().getBoundingClientRect();
        return [box.left + best.x, box.top + best.y];
    }""")
    opened.page.mouse.click(x, y)
    popup = opened.page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    text = popup.inner_text()
    stretch = sorted((f for f in report.findings if f.key == "b3_loose_stretch"),
                     key=lambda f: -f.measure["length_m"])[0]
    assert "B3" in text and "001 § 二(一)3(2)" in text and "依据条款" in text
    assert stretch.message("zh") in text
    # and the side panel opens each finding's popup too
    opened.page.click(".sijie-panel-item[data-key=f7]")
    last = sorted(report.findings, key=lambda f: f.measure.get("length_m", 1e9))[0]
    opened.page.locator(".leaflet-popup-content", has_text=last.message("zh")).wait_for()
    _assert_clean(opened)
    opened.page.context.close()


def test_names_that_look_like_html_render_literally(browser, site, hostile):
    proposal, ctx = hostile
    validation = page_html(validation_map(validate(proposal, ctx), proposal, ctx),
                           static_url=STATIC_URL)
    opened = open_map(browser, site.publish("hostile_validation.html", validation))
    page = opened.page
    assert page.title() == "四界 · 边界校核图"
    assert IMG + TEMPLATE in page.inner_text(".sijie-title")
    assert TEMPLATE in page.inner_text(".sijie-panel")
    cut = page.evaluate("""() => [...document.querySelectorAll('.sijie-panel-item')]
        .filter(li => li.textContent.includes('\\u0024{document.title=7}'))
        .map(li => li.dataset.key)""")
    assert cut
    page.click(f".sijie-panel-item[data-key={cut[0]}]")
    page.locator(".leaflet-popup-content", has_text=TEMPLATE).wait_for()
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    _assert_clean(opened)
    assert not [u for u in opened.requested if u.endswith("/x")]
    page.context.close()

    adjusted = page_html(adjustment_map(adjust(proposal, ctx), ctx, name=proposal.name),
                         static_url=STATIC_URL)
    opened = open_map(browser, site.publish("hostile_adjustment.html", adjusted))
    assert opened.page.evaluate("sijie.open(sijie.map, 'after', 'a0')")
    popup = opened.page.inner_text(".leaflet-popup-content")
    assert IMG in popup
    assert opened.page.title() == "四界 · 周边村（社区）边界调整图"
    assert opened.page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    _assert_clean(opened)
    opened.page.context.close()


def test_micro_grids_appear_when_zoomed_in(browser, site, ctx, good, results):
    page = page_html(grid_map(results["plan"], ctx, name=good.name), static_url=STATIC_URL)
    opened = open_map(browser, site.publish("zoom.html", page))
    shown = "() => sijie.map.hasLayer(sijie.layers.microgrids.sijieFeatures)"
    opened.page.evaluate("sijie.map.setZoom(14, {animate: false})")
    assert opened.page.evaluate(shown) is False
    opened.page.evaluate("sijie.map.setZoom(17, {animate: false})")
    opened.page.wait_for_function(shown)
    _assert_clean(opened)
    opened.page.context.close()


def test_sijie_map_page_works_as_one_file_with_no_server_assets(browser, site, tmp_path):
    """The page `sijie map -o` writes loads nothing but itself (as from a USB stick)."""
    out = site.root / "usb" / "map.html"
    out.parent.mkdir()
    result = subprocess.run(
        [str(SIJIE), "map", str(DEMO / "proposals" / "flaw_b2_disjoint.gpkg"),
         "--context", str(DEMO / "context.gpkg"), "-o", str(out)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    opened = open_map(browser, f"{site.base}/usb/map.html")
    assert opened.requested == [f"{site.base}/usb/map.html"]
    _assert_clean(opened)
    assert {"proposal", "findings"} <= set(opened.layer_ids())
    assert "B2" in opened.page.inner_text(".sijie-panel")
    opened.page.screenshot(path=str(tmp_path / "usb.png"))
    opened.page.context.close()


def test_many_grids_draw_on_canvas_with_codes_only_in_view_when_zoomed_in(browser, site, ctx):
    import geopandas as gpd
    from shapely.geometry import box

    from geo.grids import GridPlan

    side, cell = 20, 200.0  # 400 grids of 200 m beside the demo town
    x0, y0 = 640_000.0, 3_300_000.0
    cells = [box(x0 + i * cell, y0 + j * cell, x0 + (i + 1) * cell, y0 + (j + 1) * cell)
             for i in range(side) for j in range(side)]
    codes = [f"330211102900{k + 1:03d}" for k in range(len(cells))]
    grids = gpd.GeoDataFrame({"code": codes, "employees": 500, "enterprises": 10,
                              "area_m2": cell * cell, "units": 1, "polsby_popper": 0.785,
                              "capacity_use": 0.5, "oversize": False},
                             geometry=cells, crs=ctx.crs)
    micro = gpd.GeoDataFrame({"code": [], "kind": [], "name": [], "employees": [], "grid": []},
                             geometry=[], crs=ctx.crs)
    page = page_html(grid_map(GridPlan(grids, micro, len(cells)), ctx), static_url=STATIC_URL)
    opened = open_map(browser, site.publish("many.html", page))
    labels = "() => document.querySelectorAll('.sijie-label').length"
    count = "document.querySelectorAll('.leaflet-overlay-pane {}').length"
    assert opened.page.evaluate(count.format("canvas")) == 1
    assert opened.page.evaluate(count.format("path")) == 0
    assert opened.feature_count("grids") == len(cells)
    assert opened.page.evaluate(labels) == 0
    opened.page.evaluate("""() => {
        const first = sijie.feature('grids', '330211102900001');
        sijie.map.setView(first.getBounds().getCenter(), 17, {animate: false});
    }""")
    opened.page.wait_for_function(f"() => ({labels})() > 0")
    shown = opened.page.evaluate(labels)
    assert 0 < shown < 20
    assert "330211102900001" in opened.page.inner_text(".leaflet-tooltip-pane")
    _assert_clean(opened)
    opened.page.context.close()
