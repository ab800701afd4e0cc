"""The controls of every map page, in Chromium with the internet blocked: at a phone's 390 × 844
the page never scrolls sideways and its folded panels leave the map usable; no console error,
no request off localhost and no serious axe-core violation; legend symbols are the drawn styles,
one per class; the measure control gives a known segment's and square's true length and area;
switching to AMap shifts every overlay by the GCJ-02 offset and back; locate puts a dot at the
emulated position; printing leaves the map, title, legend, scale bar and north arrow."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.audit import audit, communities_from_frame
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.validate import validate
from maps import (
    adjustment_map,
    audit_map,
    facility_map,
    grid_map,
    page_html,
    public_map,
    validation_map,
)
from tests.maps.browser import STATIC_URL, chromium, open_map, serve
from tests.maps.checks import (
    PHONE,
    TILE_BLOCKED,
    axe_violations,
    click_lonlat,
    legend_problems,
    room_for_the_map,
)

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid
KINDS = ("validation", "adjustment", "grid", "facility", "public", "audit")


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(tmp_path_factory, ctx, good, offroad, results, proposals):
    """Every kind of map page, served from localhost."""
    layer = gpd.GeoDataFrame(pd.concat(list(proposals.values()), ignore_index=True))
    communities, codes = communities_from_frame(layer, source="proposals.gpkg")
    maps = {
        "validation": validation_map(validate(offroad, ctx), offroad, ctx),
        "adjustment": adjustment_map(results["adjustment"], ctx, name=good.name),
        "grid": grid_map(results["plan"], ctx, name=good.name),
        "facility": facility_map(results["sites"], good, ctx),
        "public": public_map(good, ctx, plan=results["plan"], sites=results["sites"]),
        "audit": audit_map(audit(communities, ctx, codes=codes), ctx),
        "validation_amap": validation_map(validate(offroad, ctx), offroad, ctx, basemap="amap"),
    }
    with serve(tmp_path_factory.mktemp("controls")) as served:
        served.urls = {k: served.publish(f"{k}.html", page_html(m, static_url=STATIC_URL))
                       for k, m in maps.items()}
        yield served


def _open(browser, url, **context):
    opened = open_map(browser, url, **context)
    return opened, opened.page


@pytest.mark.parametrize("kind", KINDS)
def test_each_map_page_fits_a_phone_with_legends_as_drawn_and_no_error(browser, site, kind):
    opened, page = _open(browser, site.urls[kind], viewport=PHONE)
    room = room_for_the_map(page)
    assert room["scrollWidth"] <= room["width"] == 390  # no sideways scrolling
    assert room["mapWidth"] >= 380 and room["mapHeight"] >= 800
    assert room["covered"] < 0.35, room  # the folded panels leave the map free
    assert room["centreOnMap"]
    assert room["folded"] and set(room["folded"]) == {"false"}  # legend (and panel) folded
    # the legend opens at a tap, stays inside the screen, and folds again
    toggle = page.locator(".sijie-legend .sijie-collapse")
    toggle.click()
    box = page.locator(".sijie-legend").bounding_box()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert legend_problems(page) == []
    assert axe_violations(page) == []
    assert opened.errors == [] and opened.external == [] and opened.failed == []
    page.context.close()


def test_grid_capacity_classes_each_have_their_own_outline(browser, site):
    _, page = _open(browser, site.urls["grid"])
    rows = page.evaluate("""() => sijie.legends.filter(i => i.section === 1)
        .map(i => [i.swatch.color, i.swatch.weight, i.swatch.dashArray])""")
    assert len(rows) == 4 and len({tuple(r) for r in rows}) == 4
    assert len({r[0] for r in rows}) == 4  # four colours, not one
    drawn = page.evaluate("""() => { const out = [];
        sijie.layers.grids.sijieFeatures.eachLayer(f => out.push(
            [f.options.color, f.options.weight, f.options.dashArray]));
        return out; }""")
    assert all(list(d) in [list(r) for r in rows] for d in drawn)
    page.context.close()


def _measured(page) -> dict:
    return page.evaluate("() => ({points: sijie.measure.points.map(p => [p.lng, p.lat]), "
                         "length: sijie.measure.length, area: sijie.measure.area, "
                         "text: document.querySelector('.sijie-tools-out').textContent})")


def test_measure_gives_the_length_of_a_known_segment_and_the_area_of_a_square(browser, site):
    opened, page = _open(browser, site.urls["validation"])
    page.evaluate("sijie.map.setZoom(16, {animate: false})")
    lon0, lat0 = page.evaluate("() => { const c = sijie.map.getCenter(); return [c.lng, c.lat]; }")
    east, north, _ = GEOD.fwd([lon0 - 0.002, lon0 - 0.002], [lat0, lat0], [90, 0], [400, 400])
    ends = [(lon0 - 0.002, lat0), (float(east[0]), float(north[0]))]  # 400 m due east
    page.get_by_role("button", name="测距离").click()
    click_lonlat(page, ends)
    got = _measured(page)
    assert len(got["points"]) == 2
    for (lon, lat), (want_lon, want_lat) in zip(got["points"], ends, strict=True):
        assert GEOD.inv(lon, lat, want_lon, want_lat)[2] < 1.0  # clicked within a pixel
    true = GEOD.inv(*got["points"][0], *got["points"][1])[2]
    assert got["length"] == pytest.approx(true, abs=0.001)  # the ellipsoid's own distance
    assert abs(true - 400.0) < 2.0
    assert f"{true:,.1f}" in got["text"] and "长度" in got["text"]
    # a square of 300 m on a side, clicked corner by corner
    page.get_by_role("button", name="测面积").click()
    se = GEOD.fwd(lon0, lat0, 90, 300)[:2]
    ne = GEOD.fwd(*se, 0, 300)[:2]
    nw = GEOD.fwd(lon0, lat0, 0, 300)[:2]
    corners = [(lon0, lat0), se, ne, nw]
    click_lonlat(page, corners)
    got = _measured(page)
    ring = np.array(got["points"])
    true_area = abs(GEOD.polygon_area_perimeter(ring[:, 0], ring[:, 1])[0])
    assert got["area"] == pytest.approx(true_area, rel=1e-4)
    assert abs(true_area - 90_000) < 1_500
    assert f"{true_area:,.0f}" in got["text"] or f"{got['area']:,.0f}" in got["text"]
    assert opened.errors == [] and opened.external == []
    page.context.close()


_COORDS = """() => {
  const flat = ll => Array.isArray(ll) ? ll.flatMap(flat) : [[ll.lng, ll.lat]];
  const f = sijie.feature('proposal', 'proposal');
  const label = sijie.layers.places.sijieFeatures.getLayers()[0];
  return {ring: flat(f.getLatLngs()), place: [label.getLatLng().lng, label.getLatLng().lat]};
}"""


def _choose(page, name: str) -> None:
    page.locator(".leaflet-control-layers-base label", has_text=name).click()


def test_amap_shifts_every_overlay_by_the_gcj02_offset_and_back(browser, site):
    opened, page = _open(browser, site.urls["validation"])
    before = page.evaluate(_COORDS)
    _choose(page, "高德地图")
    shifted = page.evaluate(_COORDS)
    ring = np.array(before["ring"])
    want = np.column_stack(wgs84_to_gcj02(ring[:, 0], ring[:, 1]))
    assert np.abs(np.array(shifted["ring"]) - want).max() < 1e-9
    offset_m = GEOD.inv(ring[:, 0], ring[:, 1], want[:, 0], want[:, 1])[2]
    assert offset_m.min() > 100  # hundreds of metres, not rounding
    place = np.array(wgs84_to_gcj02(*before["place"]))
    assert np.abs(np.array(shifted["place"]) - place).max() < 1e-9  # the names move too
    # tiles cannot come: the page says so quietly and only the browser logs the blocked fetches
    page.wait_for_selector(".sijie-notice:not([hidden])")
    assert opened.external and all("autonavi.com" in u for u in opened.external)
    assert [e for e in opened.errors if not e.startswith(TILE_BLOCKED)] == []
    _choose(page, "素色底图")
    assert page.evaluate(_COORDS) == before  # back exactly where they were
    page.context.close()


def test_a_page_drawn_for_amap_shifts_back_to_wgs84_on_the_plain_base_map(browser, site):
    opened, page = _open(browser, site.urls["validation_amap"])
    assert page.evaluate("sijie.map.sijieControls.datum") == "gcj02"
    on_amap = np.array(page.evaluate(_COORDS)["ring"])
    _choose(page, "素色底图")
    plain = np.array(page.evaluate(_COORDS)["ring"])
    want = np.column_stack(gcj02_to_wgs84(on_amap[:, 0], on_amap[:, 1]))
    assert np.abs(plain - want).max() < 1e-7  # the inverse iterates to within a millimetre
    # it opened on AMap, whose tiles the test blocks: only those were asked for, quietly
    assert all("autonavi.com" in u for u in opened.external)
    assert [e for e in opened.errors if not e.startswith(TILE_BLOCKED)] == []
    page.context.close()


def test_locate_puts_a_dot_at_the_emulated_position(browser, site):
    here = {"latitude": 29.95, "longitude": 121.61, "accuracy": 12}
    opened, page = _open(browser, site.urls["facility"], geolocation=here,
                         permissions=["geolocation"])
    page.get_by_role("button", name="定位我的位置").click()
    page.wait_for_function("window.sijie.located")
    located = page.evaluate("sijie.located")
    assert located["lat"] == pytest.approx(29.95) and located["lng"] == pytest.approx(121.61)
    assert page.locator("path.sijie-here").count() == 1
    assert "±12" in page.inner_text(".sijie-tools-out")
    assert opened.errors == [] and opened.external == []
    page.context.close()


def test_locate_refused_says_so_without_an_error(browser, site):
    opened, page = _open(browser, site.urls["grid"])
    page.get_by_role("button", name="定位我的位置").click()
    page.wait_for_selector(".sijie-notice:not([hidden])")
    assert "无法获取位置" in page.inner_text(".sijie-notice")
    assert opened.errors == [] and opened.external == []
    page.context.close()


def test_printing_keeps_map_title_legend_scale_and_north_arrow_and_hides_the_controls(
        browser, site):
    opened, page = _open(browser, site.urls["validation"], viewport=PHONE)
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(
        ['.leaflet-control-zoom', '.leaflet-control-layers', '.sijie-tools', '.sijie-panel',
         '.sijie-title', '.sijie-legend', '.sijie-legend .sijie-body', '.leaflet-control-scale',
         '.sijie-north'].map(
            s => [s, getComputedStyle(document.querySelector(s)).display !== 'none']))""")
    assert shown == {".leaflet-control-zoom": False, ".leaflet-control-layers": False,
                     ".sijie-tools": False, ".sijie-panel": False, ".sijie-title": True,
                     ".sijie-legend": True, ".sijie-legend .sijie-body": True,
                     ".leaflet-control-scale": True, ".sijie-north": True}
    size = page.evaluate("() => [sijie.map.getContainer().offsetWidth, innerWidth]")
    assert size[0] == size[1]  # the map fills the page's width
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    assert opened.errors == [] and opened.external == []
    page.context.close()
